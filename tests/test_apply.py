"""Apply: order, convergence (apply then plan is empty), one release per config change, failures that
say what applied, provisioning waits, import round trips."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import client_for, make_sandbox
from tests.harness import SCENARIOS, applied_scenario, apply, apply_with, load, plan, requests_by_method, summary, writes
from tmi_deploy.config.models import FromAddon
from tmi_deploy.errors import ApplyFailed, PreflightFailed
from tmi_deploy.heroku.reads import fetch_live
from tmi_deploy.plan.importer import build_environment_yaml
from tmi_deploy.sandbox import Sandbox

SECRETS = {"SCN_GITHUB_SECRET": "gh-secret-value-1", "SCN_DATABASE_URL": "postgres://u:p@h:5432/d?sslmode=require"}
LEGACY = Path(__file__).parent / "fixtures" / "legacy" / "environments"
ROOT = Path(__file__).parent.parent


def applied() -> Sandbox:
    return applied_scenario(SECRETS)


def config_releases(box: Sandbox, app: str) -> int:
    releases = box.platform.find_app(app)["releases"]
    return sum(1 for r in releases if r["description"].startswith(("Set ", "Remove ")))


@pytest.mark.parametrize("scenario", ["main", "updates", "replace", "prune", "legacy", "shipped-staging",
                                      "shipped-production"])
def test_convergence(scenario: str) -> None:
    box = applied() if scenario in ("updates", "replace", "prune") else make_sandbox()
    if scenario == "legacy":
        env = load("legacy", LEGACY)
    elif scenario.startswith("shipped-"):
        env = load(scenario.split("-", 1)[1], ROOT / "environments")
    else:
        env = load(scenario)
    assert plan(box, env, SECRETS).has_changes or scenario == "prune"
    apply(box, env, SECRETS, allowed=("REDIS",) if scenario == "replace" else ())
    again = plan(box, env, SECRETS)
    assert not again.has_changes, [c.key for c in again.environments[0].changes]


def test_generated_secrets_are_kept_forever() -> None:
    box = applied()
    server = box.platform.find_app("tmi-scn-server")
    secret = server["config"]["TMI_JWT_SECRET"]
    assert len(secret) == 44  # 32 bytes base64
    apply(box, load("updates"), SECRETS)
    assert server["config"]["TMI_JWT_SECRET"] == secret


def test_derived_values_are_resolved_after_apply() -> None:
    box = applied()
    server = box.platform.find_app("tmi-scn-server")["config"]
    client = box.platform.find_app("tmi-scn-client")
    client_origin = box.platform.app_json(client)["web_url"].rstrip("/")
    assert server["TMI_DATABASE_URL"] == server["DATABASE_URL"] + "?sslmode=require"
    assert server["TMI_CORS_ALLOWED_ORIGINS"] == client_origin == server["WEBSOCKET_ALLOWED_ORIGINS"]
    assert server["TMI_OAUTH_CLIENT_CALLBACK_ALLOWLIST"] == client_origin + "/*"
    assert server["TMI_OAUTH_CALLBACK_URL"].endswith(".herokuapp.com/oauth2/callback")
    assert client["config"]["TMI_API_URL"] == server["TMI_OAUTH_CALLBACK_URL"].removesuffix("/oauth2/callback")


def test_one_release_per_app_when_vars_change_none_otherwise(tmp_path: Path) -> None:
    (tmp_path / "_base.yml").write_text((SCENARIOS / "_base.yml").read_text())
    (tmp_path / "vars.yml").write_text("extends: _base.yml\napps:\n  server:\n    features: {preboot: true}\n"
                                       "    formation: {web: {quantity: 2, size: standard-1x}}\n    config:\n"
                                       "      TMI_LOG_LEVEL: warn\n      TMI_OPERATOR_NAME: X\n      A_NEW_VAR: y\n")
    box = applied()
    before = dict(box.state["stats"]["releases"])
    report = apply(box, load("vars", tmp_path), SECRETS)
    after = box.state["stats"]["releases"]
    assert after["tmi-scn-server"] - before["tmi-scn-server"] == 1
    assert after.get("tmi-scn-client", 0) == before.get("tmi-scn-client", 0)
    assert report.releases == {"tmi-scn-server": 1}
    again = apply(box, load("vars", tmp_path), SECRETS)
    assert box.state["stats"]["releases"] == after and again.releases == {} and again.applied == []


def test_first_apply_makes_one_config_release_per_app() -> None:
    box = make_sandbox()
    apply(box, load("main"), SECRETS)
    assert config_releases(box, "tmi-scn-server") == 1 and config_releases(box, "tmi-scn-client") == 1


def test_order_of_steps() -> None:
    report = apply(make_sandbox(), load("main"), SECRETS)
    steps = report.applied
    assert steps[0].startswith("create app") and steps[1].startswith("create app")
    index = {s.split(" ")[0] + " " + s.split(" ")[1]: i for i, s in reversed(list(enumerate(steps)))}
    assert index["create add-on"] < index["wait for"] < index["update 11"] < index["enable feature"]


def test_waits_for_asynchronous_provisioning_with_progress() -> None:
    box = make_sandbox()
    box.state["provisioning_seconds"] = 0.3
    messages: list[str] = []
    apply(box, load("main"), SECRETS, progress=messages.append, poll_interval=0.05)
    waits = [m for m in messages if "waiting for" in m]
    assert waits and "waiting for DATABASE (provisioning, 0s of at most 600s)" in waits[0]  # Redis Cloud is ready
    assert len(waits) == 1  # one line, not one per poll: the next would come on news or after 10 s
    assert not plan(box, load("main"), SECRETS).has_changes


def test_provisioning_timeout_is_clear() -> None:
    box = make_sandbox()
    box.state["provisioning_seconds"] = 3600
    with pytest.raises(ApplyFailed) as caught:
        apply(box, load("main"), SECRETS, provision_timeout=0.1, poll_interval=0.02)
    text = str(caught.value)
    assert "timed out after 0s waiting for DATABASE on tmi-scn-server (provisioning)" in text
    assert "applied:     create add-on DATABASE" in text and "not applied: update" in text


def test_deprovisioned_addon_is_a_failure() -> None:
    box = make_sandbox()
    box.state["provisioning_seconds"] = 3600
    original = box.platform.create_addon

    def failing(app: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
        addon = original(app, body)
        addon["state"] = "deprovisioned"
        return addon

    box.platform.create_addon = failing  # type: ignore[method-assign]
    with pytest.raises(ApplyFailed, match="is deprovisioned: provisioning failed"):
        apply(box, load("main"), SECRETS, poll_interval=0.01)


def test_interrupt_stops_between_steps_and_rerun_converges() -> None:
    box = make_sandbox()
    calls = {"n": 0}

    def stop() -> bool:
        calls["n"] += 1
        return calls["n"] > 3

    with pytest.raises(ApplyFailed) as caught:
        apply(box, load("main"), SECRETS, stop_requested=stop)
    assert "interrupted before this step" in str(caught.value)
    assert str(caught.value).count("applied:     ") == 3
    apply(box, load("main"), SECRETS)
    assert not plan(box, load("main"), SECRETS).has_changes


def test_missing_secret_is_refused_before_any_write() -> None:
    box = make_sandbox()
    with pytest.raises(PreflightFailed) as caught:
        apply(box, load("main"), {})
    text = str(caught.value)
    assert "OAUTH_PROVIDERS_GITHUB_CLIENT_SECRET cannot be set: $SCN_GITHUB_SECRET is not set" in text
    assert "_base.yml:27" in text
    assert writes(box) == 0 and requests_by_method(box)["GET"] > 0


def test_nothing_outside_the_plan_changes() -> None:
    box = applied()
    server = box.platform.find_app("tmi-scn-server")
    box.platform.patch_config(server, {"OPERATOR_TUNED": "keep-me"})
    apply(box, load("updates"), SECRETS)
    assert server["config"]["OPERATOR_TUNED"] == "keep-me"


def test_import_round_trip(tmp_path: Path) -> None:
    box = applied()
    server = box.platform.find_app("tmi-scn-server")
    box.platform.patch_config(server, {"SOME_API_KEY": "k-123", "PLAIN": "yes"})
    env = load("main")

    async def live() -> Any:
        async with client_for(box) as client:
            return await fetch_live(client, env)

    text = build_environment_yaml(asyncio.run(live()), "1.8.22", "imported")
    assert "k-123" not in text and "gh-secret-value-1" not in text
    assert "DATABASE_URL:" not in text.replace("TMI_DATABASE_URL", "")
    (tmp_path / "imported.yml").write_text(text)
    imported = load("imported", tmp_path)
    assert imported.apps["server"].config["TMI_DATABASE_URL"].source == FromAddon(addon="DATABASE", part="url",
                                                                                  sslmode="require")
    assert imported.apps["server"].config["PLAIN"].source == "yes"
    result = plan(box, imported, {})
    assert not result.has_changes, summary(result)


def test_apply_on_existing_partial_state_is_idempotent() -> None:
    box = make_sandbox()
    box.platform.create_app({"name": "tmi-scn-server"})  # e.g. a previous run died after creating it

    async def go() -> None:
        async with client_for(box) as client:
            await apply_with(client, load("main"), SECRETS)

    asyncio.run(go())
    assert not plan(box, load("main"), SECRETS).has_changes


def test_prompted_secret_is_asked_only_when_missing(tmp_path: Path) -> None:
    (tmp_path / "_base.yml").write_text((SCENARIOS / "_base.yml").read_text())
    (tmp_path / "p.yml").write_text("extends: _base.yml\napps:\n  server:\n    config:\n"
                                    "      TMI_ADMIN_PROVIDER_ID: {prompt: Admin subject id}\n")
    env = load("p", tmp_path)
    asked: list[str] = []

    def prompt(name: str, question: str) -> str:
        asked.append(f"{name}: {question}")
        return "subject-42"

    box = make_sandbox()
    with pytest.raises(PreflightFailed, match="run apply in a terminal to enter it"):
        apply(box, env, SECRETS)  # no terminal: refused before anything is created
    assert writes(box) == 0
    apply(box, env, SECRETS, prompt=prompt)
    assert asked == ["TMI_ADMIN_PROVIDER_ID: Admin subject id"]
    assert box.platform.find_app("tmi-scn-server")["config"]["TMI_ADMIN_PROVIDER_ID"] == "subject-42"
    apply(box, env, SECRETS, prompt=prompt)  # kept as is when already live: not asked again
    assert len(asked) == 1
    assert not plan(box, env, SECRETS).has_changes


def test_verify_polls_until_ok() -> None:
    import httpx

    from tmi_deploy.errors import TmiDeployError
    from tmi_deploy.heroku.verify import verify_server

    box = applied()
    answers = [{"status": {"code": "degraded"}}, {"status": {"code": "ok"}, "service": {"build": "1.8.22-abc1234 (production)"}}]
    seen: list[str] = []

    def tmi(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(200, json=answers.pop(0) if answers else {"status": {"code": "error"}})

    messages: list[str] = []
    url = box.platform.app_json(box.platform.find_app("tmi-scn-server"))["web_url"]
    result = asyncio.run(verify_server(url, "1.8.22", progress=messages.append, interval=0,
                                       transport=httpx.MockTransport(tmi)))
    assert result.endswith("is ok, build 1.8.22-abc1234 (production) (declared TMI 1.8.22)")
    assert seen[0].endswith(".herokuapp.com/") and "degraded" in messages[0]
    with pytest.raises(TmiDeployError, match="did not report status ok after 2 tries; last answer"):
        asyncio.run(verify_server(url, "1.8.22", progress=messages.append, interval=0, attempts=2,
                                  transport=httpx.MockTransport(tmi)))


def test_verify_reports_a_build_other_than_the_declared_version() -> None:
    import httpx

    from tmi_deploy.heroku.verify import verify_server

    ok = {"status": {"code": "ok"}, "service": {"build": "1.7.0-0000000 (production)"}}
    result = asyncio.run(verify_server("https://tmi.example.com/x", "1.8.22", progress=lambda _: None, interval=0,
                                       transport=httpx.MockTransport(lambda _: httpx.Response(200, json=ok))))
    assert "runs build 1.7.0-0000000 (production), not the declared TMI 1.8.22" in result
