"""Scenario tests: declared environments + seeded sandbox state -> the plan a reviewer reads.

Each scenario checks the typed changes and compares the text rendering with a reviewed snapshot in
tests/scenarios/expected/ (regenerate with UPDATE_SNAPSHOTS=1 and review the diff).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import make_sandbox
from tests.harness import SCENARIOS, applied_scenario, deploy, load, plan, summary
from tmi_deploy.kinds.addons.compare import DESTRUCTIVE, IN_PLACE, MAINTENANCE, MIGRATION, classify_plan_change
from tmi_deploy.plan.costs import ECO_PLAN_CENTS
from tmi_deploy.plan.model import Plan
from tmi_deploy.plan.render import render_text
from tmi_deploy.plan.render_overview import totals
from tmi_deploy.sandbox import Sandbox

EXPECTED = Path(__file__).parent / "scenarios" / "expected"
SECRETS = {"SCN_GITHUB_SECRET": "gh-secret-value-1"}


def snapshot(name: str, result: Plan) -> None:
    text = render_text(result)
    path = EXPECTED / f"{name}.txt"
    if os.environ.get("UPDATE_SNAPSHOTS"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(text)
    assert text == path.read_text(), f"plan for {name} differs from {path}"


def applied(name: str = "main") -> Sandbox:
    return applied_scenario(SECRETS, name)


def test_new_apps() -> None:
    result = plan(make_sandbox(), load("main"), SECRETS)
    changes = summary(result)
    assert ("server", "app", "create", "tmi-scn-server") in changes
    assert ("server", "addon", "create", "DATABASE") in changes
    assert ("server", "config", "create", "TMI_DATABASE_URL") in changes
    env = result.environments[0]
    after = {c.key for c in env.changes if c.after_apply}
    assert {"TMI_DATABASE_URL", "TMI_JWT_SECRET", "TMI_CORS_ALLOWED_ORIGINS", "TMI_API_URL"} <= after
    assert "TMI_LOG_LEVEL" not in after
    assert [a.exists for a in env.apps] == [False, False]
    assert env.apps[0].cost_after_cents == 500 + 0 + 700 and env.apps[1].cost_after_cents == 0  # Eco: not per dyno
    assert env.eco_dynos == (0, 1) and totals(env) == (0, 1200 + ECO_PLAN_CENTS)  # the account's Eco plan, once
    snapshot("new_apps", result)


def test_eco_is_one_plan_per_account_and_two_always_on_dynos_overrun_its_hours(tmp_path: Path) -> None:
    (tmp_path / "_base.yml").write_text((SCENARIOS / "_base.yml").read_text())
    (tmp_path / "eco.yml").write_text("extends: _base.yml\napps:\n  server:\n    formation: {web: {quantity: 1, "
                                      "size: eco}}\n")
    box = applied()
    deploy(box, "tmi-scn-server", "tmi-scn-client")
    env = plan(box, load("eco", tmp_path), SECRETS).environments[0]
    assert env.eco_dynos == (1, 2)
    assert totals(env)[1] - totals(env)[0] == -700  # the basic dyno goes; the Eco plan is already paid
    assert any("2 Eco dynos share the account's 1,000 Eco hours" in w for w in env.warnings)


def test_in_sync_after_apply_is_empty() -> None:
    box = applied()
    result = plan(box, load("main"), SECRETS)
    assert not result.has_changes
    snapshot("in_sync", result)


def test_drift_after_credential_rotation() -> None:
    box = applied()
    database = next(a for a in box.state["addons"].values() if a["service"] == "heroku-postgresql")
    box.platform.rotate_credentials(database)
    result = plan(box, load("main"), SECRETS)
    [change] = result.environments[0].changes
    assert (change.kind, change.action, change.key, change.detail) == ("config", "update", "TMI_DATABASE_URL", "drift")
    assert change.sensitive and change.old == change.new == "(sensitive)"
    snapshot("drift_rotation", result)


def test_ownership_classes() -> None:
    box = applied()
    server = box.platform.find_app("tmi-scn-server")
    box.platform.patch_config(server, {"HEROKU_APP_NAME": "x", "LEGACY_VAR": "old", "POSTGRES_PASSWORD": "pw"})
    kept = plan(box, load("main"), SECRETS)
    assert not kept.has_changes  # tolerated, add-on-owned and unknown vars are not touched without prune
    warnings = " ".join(kept.environments[0].warnings)
    assert "LEGACY_VAR is set live but not declared" in warnings and "HEROKU_APP_NAME" not in warnings
    assert "DATABASE_URL" not in warnings
    pruned = plan(box, load("prune"), SECRETS)
    deletes = {c.key: c for c in pruned.environments[0].changes if c.action == "delete"}
    assert set(deletes) == {"LEGACY_VAR", "POSTGRES_PASSWORD"}
    assert deletes["POSTGRES_PASSWORD"].sensitive and deletes["POSTGRES_PASSWORD"].old == "(sensitive)"
    assert deletes["LEGACY_VAR"].old == "old"
    snapshot("ownership_prune", pruned)


def test_declaring_an_addon_owned_var_is_refused(tmp_path: Path) -> None:
    (tmp_path / "_base.yml").write_text((SCENARIOS / "_base.yml").read_text())
    (tmp_path / "own.yml").write_text("extends: _base.yml\napps:\n  server:\n    config:\n      DATABASE_URL: x\n")
    box = applied()
    result = plan(box, load("own", tmp_path), SECRETS)
    assert not result.has_changes
    assert any("DATABASE_URL belongs to an add-on" in w for w in result.environments[0].warnings)


def test_every_update_kind() -> None:
    box = applied()
    result = plan(box, load("updates"), SECRETS)
    changes = summary(result)
    assert changes == {
        ("server", "app", "update", "stack"),
        ("server", "addon", "update", "DATABASE"),
        ("server", "addon", "update", "REDIS"),
        ("server", "config", "update", "TMI_LOG_LEVEL"),
        ("server", "config", "create", "TMI_OPERATOR_NAME"),
        ("server", "feature", "update", "http-session-affinity"),
        ("server", "feature", "update", "preboot"),
        ("server", "formation", "update", "web"),
        ("server", "buildpacks", "update", "buildpacks"),
        ("server", "collaborator", "create", "dev@example.com"),
    }
    by_key = {c.key: c for c in result.environments[0].changes}
    assert by_key["DATABASE"].detail == IN_PLACE and not by_key["DATABASE"].destructive
    assert by_key["REDIS"].detail == IN_PLACE and not by_key["REDIS"].destructive
    assert (by_key["TMI_LOG_LEVEL"].old, by_key["TMI_LOG_LEVEL"].new) == ("info", "debug")
    assert by_key["TMI_LOG_LEVEL"].origin and by_key["TMI_LOG_LEVEL"].origin.endswith("updates.yml:17")
    assert (by_key["web"].old, by_key["web"].new) == ("1 x basic", "2 x standard-2x")
    server = result.environments[0].apps[0]
    assert (server.cost_before_cents, server.cost_after_cents) == (500 + 0 + 700, 900 + 1000 + 2 * 5000)
    snapshot("updates", result)


def test_replace_prune_and_protected() -> None:
    box = applied()
    result = plan(box, load("replace"), {**SECRETS, "SCN_DATABASE_URL": "postgres://u:p@h:5432/d?sslmode=require"})
    env = result.environments[0]
    by_key = {(c.kind, c.key): c for c in env.changes}
    assert by_key[("addon", "REDIS")].action == "replace" and by_key[("addon", "REDIS")].detail == DESTRUCTIVE
    assert ("addon", "DATABASE") not in by_key  # protected: never destroyed, only a warning
    assert any("protected; kept" in w for w in env.warnings)
    assert by_key[("config", "TMI_REDIS_URL")].action == "update"
    [consent] = [b for b in env.blockers if b.kind == "consent"]
    assert consent.consent and consent.consent.startswith("replace-addon:tmi-scn-server:rediscloud-") and consent.blocking
    snapshot("replace", result)


def test_missing_secret_source_keeps_live_value() -> None:
    box = applied()
    result = plan(box, load("main"), {})
    assert not result.has_changes
    assert any("$SCN_GITHUB_SECRET is not set" in w for w in result.environments[0].warnings)


def test_changed_secret_source_is_an_update_without_the_value() -> None:
    box = applied()
    result = plan(box, load("main"), {"SCN_GITHUB_SECRET": "rotated-value"})
    [change] = result.environments[0].changes
    assert change.key == "OAUTH_PROVIDERS_GITHUB_CLIENT_SECRET" and change.action == "update"
    assert "rotated-value" not in repr(change) and "rotated-value" not in change.model_dump_json()
    assert change.value == "rotated-value"


def test_legacy_server_plan() -> None:
    legacy = Path(__file__).parent / "fixtures" / "legacy" / "environments"
    result = plan(make_sandbox(), load("legacy", legacy))
    keys = {c.key for c in result.environments[0].changes if c.kind == "config"}
    assert {"POSTGRES_HOST", "POSTGRES_PASSWORD", "REDIS_HOST", "JWT_SECRET", "LOGGING_LEVEL"} <= keys
    snapshot("legacy_new", result)


@pytest.mark.parametrize(("old", "new", "how"), [
    ("heroku-postgresql:essential-0", "heroku-postgresql:essential-1", IN_PLACE),
    ("heroku-postgresql:essential-0", "heroku-postgresql:standard-0", MIGRATION),
    ("heroku-postgresql:standard-0", "heroku-postgresql:standard-2", MAINTENANCE),
    ("heroku-redis:mini", "heroku-redis:premium-0", IN_PLACE),
    ("heroku-redis:premium-0", "heroku-redis:mini", MIGRATION),
    ("heroku-redis:mini", "papertrail:choklad", DESTRUCTIVE),
])
def test_plan_change_classification(old: str, new: str, how: str) -> None:
    assert classify_plan_change(old, new) == how
