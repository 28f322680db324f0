"""What was reviewed is what runs: apply reads live state once (plus a narrow re-read of the values it
resolves), writes only what the plan holds, and stops with exit 4 when live state moved underneath."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from pathlib import Path

import httpx
import pytest

from tests.conftest import client_for, make_sandbox
from tests.harness import applied_scenario, apply, apply_with, inputs, load, plan, planned_for_apply
from tmi_deploy.apply.run import ApplyOptions
from tmi_deploy.cli.inputs import generate_secret
from tmi_deploy.errors import StalePlan
from tmi_deploy.heroku.client import HerokuClient
from tmi_deploy.plan.render import render_json
from tmi_deploy.sandbox import Sandbox
from tmi_deploy.workflow import apply_planned, check_reviewed

SECRETS = {"SCN_GITHUB_SECRET": "gh-secret-value-1"}


def requests(box: Sandbox) -> Counter[str]:
    """Requests the sandbox answered, by method and route template."""
    return Counter({key: sum(by_app.values()) for key, by_app in box.state["stats"]["requests"].items()})


def reset(box: Sandbox) -> None:
    box.state["stats"]["requests"] = {}


def applied() -> Sandbox:
    return applied_scenario(SECRETS)


def test_a_literal_change_costs_one_read_of_live_state_and_one_patch() -> None:
    box = applied()
    reset(box)
    plan(box, load("main"), SECRETS)
    one_plan = requests(box)
    server = box.platform.find_app("tmi-scn-server")
    box.platform.patch_config(server, {"TMI_LOG_LEVEL": "warn"})  # drift: the plan sets it back
    reset(box)
    report = apply(box, load("main"), SECRETS)
    made = requests(box)
    writes = {key: n for key, n in made.items() if not key.startswith("GET ")}
    assert writes == {"PATCH /apps/{app}/config-vars": 1} and report.releases == {"tmi-scn-server": 1}
    assert +Counter({k: n for k, n in made.items() if k.startswith("GET ")}) == one_plan  # no re-read at all
    assert server["config"]["TMI_LOG_LEVEL"] == "info"


def test_values_known_after_apply_cost_one_narrow_reread_per_app() -> None:
    box = make_sandbox()
    reset(box)
    plan(box, load("main"), SECRETS)
    one_plan = requests(box)
    reset(box)
    apply(box, load("main"), SECRETS)
    gets = Counter({k: n for k, n in requests(box).items() if k.startswith("GET ")})
    extra = gets - one_plan
    # Each app's config vars once more, right before its PATCH; add-on state while waiting; nothing else.
    assert extra.pop("GET /apps/{app}/config-vars") == 2
    assert set(extra) <= {"GET /apps/{app}/addons/{addon}"}


def test_reviewed_plan_file_is_stale_after_a_live_change_and_nothing_is_written() -> None:
    box = applied()
    env = load("main")
    server = box.platform.find_app("tmi-scn-server")
    box.platform.patch_config(server, {"TMI_LOG_LEVEL": "warn"})
    reviewed = json.loads(render_json(plan(box, env, SECRETS)))
    box.platform.patch_config(server, {"TMI_LOG_LEVEL": "error"})  # someone changes live after the review
    reset(box)

    async def go() -> None:
        async with client_for(box) as client:
            planned = await planned_for_apply(client, env, SECRETS)
            check_reviewed(reviewed, planned, env.name)

    with pytest.raises(StalePlan, match="changed since review: main/tmi-scn-server: update config TMI_LOG_LEVEL"):
        asyncio.run(go())
    assert all(key.startswith("GET ") for key in requests(box))


def test_a_secret_generated_by_a_concurrent_apply_is_never_replaced() -> None:
    box = make_sandbox()
    env = load("main")

    async def go() -> None:
        async with client_for(box) as client:
            first = await planned_for_apply(client, env, SECRETS)
            second = await planned_for_apply(client, env, SECRETS)
            resolving = inputs(SECRETS, apply=True, generate=generate_secret)
            await apply_planned(client, first, env.name, resolving, ApplyOptions(poll_interval=0.01))
            await apply_planned(client, second, env.name, resolving, ApplyOptions(poll_interval=0.01))

    with pytest.raises(StalePlan, match=r"config vars of tmi-scn-\w+ changed since the plan was made"):
        asyncio.run(go())
    server = box.platform.find_app("tmi-scn-server")
    releases = [r["description"] for r in server["releases"]]
    assert sum(1 for d in releases if d.startswith("Set ")) == 1  # the second apply wrote no config
    assert not plan(box, env, SECRETS).has_changes


def test_apply_resumes_an_apply_killed_while_addons_provision() -> None:
    box = make_sandbox()
    box.state["provisioning_seconds"] = 600  # provisioning ends when the test says, not when the clock does
    env = load("main")
    stops = iter([False] * 4 + [True])  # create 2 apps, 2 add-ons, then stop before the wait
    with pytest.raises(Exception, match="interrupted before this step"):
        apply(box, env, SECRETS, stop_requested=lambda: next(stops))
    assert any("is provisioning" in w for w in plan(box, env, SECRETS).environments[0].warnings)
    messages: list[str] = []

    def progress(message: str) -> None:
        messages.append(message)
        if "waiting for" in message:  # the resumed apply waits: now let Heroku finish provisioning
            for addon in box.state["addons"].values():
                addon["ready_at"] = 0

    apply(box, env, SECRETS, progress=progress, poll_interval=0.05)
    assert any("waiting for" in m for m in messages)
    assert not plan(box, env, SECRETS).has_changes


class LoseFirstConfigAnswer(httpx.AsyncBaseTransport):
    """Delivers the first config PATCH to the sandbox, then loses its answer (a timeout)."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.lost = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if request.method == "PATCH" and request.url.path.endswith("/config-vars") and not self.lost:
            self.lost += 1
            raise httpx.ReadTimeout("answer lost", request=request)
        return response


def test_uncertain_config_patch_is_reread_not_repeated() -> None:
    box = applied()
    server = box.platform.find_app("tmi-scn-server")
    box.platform.patch_config(server, {"TMI_LOG_LEVEL": "warn"})
    before = len(server["releases"])
    transport = LoseFirstConfigAnswer(httpx.ASGITransport(app=box))

    async def go() -> None:
        async with HerokuClient("http://sandbox.test", "test-token", transport, backoff=0.001) as client:
            await apply_with(client, load("main"), SECRETS)

    asyncio.run(go())
    assert transport.lost == 1 and len(server["releases"]) == before + 1
    assert server["config"]["TMI_LOG_LEVEL"] == "info"


def test_a_value_derived_from_a_rotated_addon_url_is_stale(tmp_path: Path) -> None:
    from tests.harness import SCENARIOS

    (tmp_path / "_base.yml").write_text((SCENARIOS / "_base.yml").read_text())
    (tmp_path / "g.yml").write_text("extends: _base.yml\napps:\n  server:\n    config:\n"
                                    "      TMI_EXTRA_KEY: {generate: hex, bytes: 32}\n")
    box = applied()
    env = load("g", tmp_path)
    database = next(a for a in box.state["addons"].values() if a["service"] == "heroku-postgresql")
    box.platform.rotate_credentials(database)  # the plan will set TMI_DATABASE_URL from the new URL ...

    async def go() -> None:
        async with client_for(box) as client:
            planned = await planned_for_apply(client, env, SECRETS)
            box.platform.rotate_credentials(database)  # ... which rotates again before the apply writes
            resolving = inputs(SECRETS, apply=True, generate=generate_secret)
            await apply_planned(client, planned, env.name, resolving, ApplyOptions(poll_interval=0.01))

    with pytest.raises(StalePlan, match=r"TMI_DATABASE_URL \(from DATABASE_URL\)"):
        asyncio.run(go())
    assert "TMI_EXTRA_KEY" not in box.platform.find_app("tmi-scn-server")["config"]
