"""Live reads: one concurrent round trip, add-on ownership of vars, apps that do not exist yet."""

from __future__ import annotations

import asyncio

from tests.conftest import client_for, make_sandbox
from tests.harness import load
from tmi_deploy.live import _suffixes, fetch_live
from tmi_deploy.plan.state import Live


def test_missing_apps_are_reported_not_raised() -> None:
    async def go() -> Live:
        async with client_for(make_sandbox()) as client:
            return await fetch_live(client, load("main"))

    live = asyncio.run(go())
    assert {role: app.exists for role, app in live.apps.items()} == {"server": False, "client": False}
    assert live.plan_prices["heroku-postgresql:essential-0"] == 500
    assert live.dyno_costs["standard-2x"] == 5000


def test_reads_of_one_plan_all_start_together() -> None:
    box = make_sandbox()
    box.settings.latency_ms = 50  # every response waits: overlapping requests are visible
    box.platform.create_app({"name": "tmi-scn-server"})

    async def go() -> int:
        async with client_for(box) as client:
            await fetch_live(client, load("main"))
            return client.requests

    assert asyncio.run(go()) == 21  # 9 per app, dyno sizes, 2 plan prices
    assert box.state["stats"]["max_in_flight"] == 21  # all in flight at once: network depth one


def test_addon_var_suffixes() -> None:
    addon = {"config_vars": ["RABBITMQ_BIGWIG_URL", "RABBITMQ_BIGWIG_TX_URL"]}
    assert _suffixes(addon, ("RABBITMQ_BIGWIG",)) == {"URL", "TX_URL"}
    assert _suffixes({"config_vars": ["DATABASE_URL"]}, ("HEROKU_POSTGRESQL_RED",)) == {"URL"}
