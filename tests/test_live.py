"""Live reads: account-wide lists once per run, per app only what the declaration needs, one round trip."""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

from tests.conftest import client_for, make_sandbox
from tests.harness import SCENARIOS, load
from tmi_deploy.config.loader import load_environment
from tmi_deploy.config.models import AppDesired, Environment
from tmi_deploy.heroku.reads import fetch_live, fetch_lives
from tmi_deploy.kinds.addons import var_suffixes as _suffixes
from tmi_deploy.plan.state import Live
from tmi_deploy.sandbox import Sandbox

ACCOUNT_LISTS = 4  # apps, add-ons, attachments, dyno sizes


def reads_needed(app: AppDesired) -> int:
    """Config vars and formation always; features, buildpacks, collaborators only where declared."""
    return 2 + bool(app.features) + (app.buildpacks is not None) + bool(app.collaborators)


def per_app_requests(box: Sandbox) -> Counter[str]:
    counts: Counter[str] = Counter()
    for by_app in box.state["stats"]["requests"].values():
        counts.update(by_app)
    return counts


def test_missing_apps_are_reported_not_raised() -> None:
    async def go() -> Live:
        async with client_for(make_sandbox()) as client:
            return await fetch_live(client, load("main"))

    live = asyncio.run(go())
    assert {role: app.exists for role, app in live.apps.items()} == {"server": False, "client": False}
    assert live.plan_prices["heroku-postgresql:essential-0"] == 500
    assert live.dyno_costs["standard-2x"] == 5000


def test_each_app_costs_only_the_reads_its_declaration_needs() -> None:
    box = make_sandbox()
    box.platform.create_app({"name": "tmi-scn-server"})
    env = load("main")

    async def go() -> None:
        async with client_for(box) as client:
            await fetch_live(client, env)

    asyncio.run(go())
    counts = per_app_requests(box)
    for app in env.apps.values():
        assert counts[app.name] == reads_needed(app), app.name
    plans = {addon.plan for app in env.apps.values() for addon in app.addons.values()}
    assert counts["-"] == ACCOUNT_LISTS + len(plans)


def test_many_environments_share_the_account_reads_and_one_round_trip(tmp_path: Path) -> None:
    base = (SCENARIOS / "_base.yml").read_text()
    (tmp_path / "_base.yml").write_text(base)
    envs: list[Environment] = []
    for index in range(5):
        (tmp_path / f"e{index}.yml").write_text(
            f"extends: _base.yml\napps:\n  server: {{name: tmi-s{index}}}\n  client: {{name: tmi-c{index}}}\n")
        envs.append(load_environment(tmp_path, f"e{index}"))
    box = make_sandbox()
    box.settings.latency_ms = 50  # every response waits: overlapping requests are visible

    async def go() -> int:
        async with client_for(box) as client:
            await fetch_lives(client, envs)
            return client.requests

    total = asyncio.run(go())
    plans = {addon.plan for env in envs for app in env.apps.values() for addon in app.addons.values()}
    needed = sum(reads_needed(app) for env in envs for app in env.apps.values())
    assert total == needed + ACCOUNT_LISTS + len(plans)
    assert box.state["stats"]["max_in_flight"] == total  # all in flight at once: network depth one


def test_addon_var_suffixes() -> None:
    addon = {"config_vars": ["RABBITMQ_BIGWIG_URL", "RABBITMQ_BIGWIG_TX_URL"]}
    assert _suffixes(addon, ("RABBITMQ_BIGWIG",)) == {"URL", "TX_URL"}
    assert _suffixes({"config_vars": ["DATABASE_URL"]}, ("HEROKU_POSTGRESQL_RED",)) == {"URL"}
