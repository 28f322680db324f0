"""One gate everywhere: what validate calls an error is an error of the plan in every format, and apply
refuses it before its first write; a legacy var whose replacement is declared reads as one rename."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.harness import writes_in_state_file

SECRETS = {"SCN_GITHUB_SECRET": "gh-secret-value-1"}


def test_a_lint_error_is_a_plan_error_in_every_format_and_apply_writes_nothing(cli: Any, tmp_path: Path) -> None:
    staging = tmp_path / "environments" / "staging.yml"
    staging.write_text(staging.read_text().replace("      TMI_LOG_LEVEL: debug\n",
                                                   "      TMI_LOG_LEVEL: debug\n      TMI_SERVER_PORT: '8080'\n"))
    text = cli("--sandbox", "plan", "staging")
    assert text.exit_code == 1 and "error: [PORT]" in text.output and "apply would refuse it" in text.output
    markdown = cli("--sandbox", "plan", "staging", "--format", "markdown").stdout
    assert markdown.index("\\[PORT\\]") < markdown.index("### `staging`")  # in the block at the top
    document = json.loads(cli("--sandbox", "plan", "staging", "--format", "json").stdout)
    assert [b["kind"] for b in document["environments"][0]["blockers"] if "[PORT]" in b["reason"]] == ["error"]
    before = writes_in_state_file(tmp_path)
    refused = cli("--sandbox", "apply", "staging", "--yes")
    assert refused.exit_code == 1 and "refused before any change (pre-flight)" in refused.output
    assert writes_in_state_file(tmp_path) == before


def test_a_legacy_name_reads_as_one_rename_in_every_format(cli: Any, tmp_path: Path) -> None:
    assert cli("--sandbox", "apply", "staging", "--yes").exit_code == 0
    state_file = tmp_path / ".tmi-deploy" / "sandbox.json"
    state = json.loads(state_file.read_text())
    server = next(a for a in state["apps"].values() if a["name"] == "tmi-server-staging")
    del server["config"]["TMI_LOG_LEVEL"]
    server["config"]["LOGGING_LEVEL"] = "warn"  # what the guide's script set for older servers
    state_file.write_text(json.dumps(state))
    base = tmp_path / "environments" / "_base.yml"
    base.write_text(base.read_text().replace("  prune: false", "  prune: true"))
    text = cli("--sandbox", "plan", "staging")
    assert '~> config LOGGING_LEVEL → TMI_LOG_LEVEL: "warn" -> "debug"' in text.output, text.output
    assert "- config LOGGING_LEVEL" not in text.output
    [change] = [c for c in json.loads(cli("--sandbox", "plan", "staging", "--format", "json").stdout)
                ["environments"][0]["changes"] if c["key"] == "TMI_LOG_LEVEL"]
    assert (change["action"], change["renamed_from"], change["old"], change["new"]) == ("rename", "LOGGING_LEVEL",
                                                                                      "warn", "debug")
    assert "LOGGING_LEVEL → TMI_LOG_LEVEL" in cli("--sandbox", "plan", "staging", "--format", "markdown").stdout
    assert cli("--sandbox", "apply", "staging", "--yes").exit_code == 0
    config = next(a for a in json.loads(state_file.read_text())["apps"].values()
                  if a["name"] == "tmi-server-staging")["config"]
    assert config["TMI_LOG_LEVEL"] == "debug" and "LOGGING_LEVEL" not in config
