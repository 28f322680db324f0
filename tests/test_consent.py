"""Blocked changes are visible where they are reviewed, refused before any write, and unblocked only by a
consent that names the exact resource (in the environment file, so it is part of the pull request)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.harness import SCENARIOS, writes_in_state_file

SECRETS = {"SCN_GITHUB_SECRET": "gh-secret-value-1"}


@pytest.fixture
def scenario(cli: Any, tmp_path: Path) -> Any:
    """The scenario environments in the CLI's folder, applied once on the embedded sandbox."""
    target = tmp_path / "environments"
    shutil.rmtree(target)
    target.mkdir()
    for name in ("_base.yml", "main.yml"):
        shutil.copy(SCENARIOS / name, target / name)
    (tmp_path / "app.json").unlink()
    first = cli("--sandbox", "apply", "main", "--yes", env=SECRETS)
    assert first.exit_code == 0, first.output
    return target / "main.yml"




def declare(env_file: Path, text: str) -> None:
    env_file.write_text(env_file.read_text() + text)


def test_blocked_replace_shows_in_every_format_and_apply_writes_nothing(cli: Any, scenario: Path,
                                                                        tmp_path: Path) -> None:
    declare(scenario, "apps:\n  server:\n    addons:\n      REDIS: papertrail:choklad\n")
    text = cli("--sandbox", "plan", "main", env=SECRETS)
    assert text.exit_code == 0, text.output
    assert "Apply will refuse this plan (1 blocker)" in text.output
    token = next(word.strip("`") for word in text.output.split() if word.startswith("`replace-addon:"))
    assert token.startswith("replace-addon:tmi-scn-server:rediscloud-")
    markdown = cli("--sandbox", "plan", "main", "--format", "markdown", env=SECRETS).output
    caution = markdown.index("> [!CAUTION]")
    assert caution < markdown.index("### `main`") and f"`{token}`" in markdown
    document = json.loads(cli("--sandbox", "plan", "main", "--format", "json", env=SECRETS).stdout)
    assert document["blocked"] is True
    [blocker] = document["environments"][0]["blockers"]
    assert (blocker["kind"], blocker["consent"], blocker["consented_by"]) == ("consent", token, None)
    before = writes_in_state_file(tmp_path)
    refused = cli("--sandbox", "apply", "main", "--yes", env=SECRETS)
    assert refused.exit_code == 3, refused.output
    assert writes_in_state_file(tmp_path) == before


def test_consent_in_the_file_unblocks_that_resource_only(cli: Any, scenario: Path, tmp_path: Path) -> None:
    declare(scenario, "apps:\n  server:\n    addons:\n      REDIS: papertrail:choklad\n")
    token = json.loads(cli("--sandbox", "plan", "main", "--format", "json", env=SECRETS).stdout)[
        "environments"][0]["blockers"][0]["consent"]
    other = token.rsplit("-", 1)[0] + "-00000"  # the same kind of consent for another add-on
    original = scenario.read_text()
    scenario.write_text(original + f"consent: ['{other}']\n")
    assert cli("--sandbox", "apply", "main", "--yes", env=SECRETS).exit_code == 3
    scenario.write_text(original + f"consent: ['{token}']\n")
    reviewed = cli("--sandbox", "plan", "main", env=SECRETS).output
    assert "Consented changes:" in reviewed and "[consented: " in reviewed and "main.yml:" in reviewed
    applied = cli("--sandbox", "apply", "main", "--yes", env=SECRETS)
    assert applied.exit_code == 0, applied.output
    after = cli("--sandbox", "plan", "main", "--detailed-exitcode", env=SECRETS)
    assert after.exit_code == 0, after.output
    assert f"consent '{token}' matches no blocked change in this plan; remove it" in after.output


def test_migration_out_of_essential_is_refused_with_the_procedure(cli: Any, scenario: Path, tmp_path: Path) -> None:
    base = scenario.parent / "_base.yml"
    base.write_text(base.read_text().replace("protected_addons: [DATABASE]", "protected_addons: []"))
    declare(scenario, "apps:\n  server:\n    addons:\n      DATABASE: heroku-postgresql:standard-0\n")
    before = writes_in_state_file(tmp_path)
    refused = cli("--sandbox", "apply", "main", "--yes", env=SECRETS)
    assert refused.exit_code == 3, refused.output
    assert "cannot change in place" in refused.output and "heroku pg:copy DATABASE NEW_DATABASE" in refused.output
    assert "to consent" not in refused.output  # no consent can make tmi-deploy do a migration
    assert writes_in_state_file(tmp_path) == before


def test_protected_addon_gets_no_consent_hint(cli: Any, scenario: Path, tmp_path: Path) -> None:
    declare(scenario, "apps:\n  server:\n    addons:\n      DATABASE: papertrail:choklad\n")
    refused = cli("--sandbox", "apply", "main", "--yes", env=SECRETS)
    assert refused.exit_code == 3, refused.output
    assert "is protected by policy" in refused.output
    assert "allow-destroy" not in refused.output and "to consent" not in refused.output


def test_short_consent_forms_are_refused_outside_a_terminal(cli: Any, scenario: Path) -> None:
    declare(scenario, "apps:\n  server:\n    addons:\n      REDIS: papertrail:choklad\n")
    short = cli("--sandbox", "apply", "main", "--yes", "--allow-destroy", "REDIS", env=SECRETS)
    assert short.exit_code == 1 and "short form, accepted at a terminal only" in short.output
    assert "1 to replace" in cli("--sandbox", "plan", "main", env=SECRETS).output  # nothing was replaced
