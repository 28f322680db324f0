"""Drive plan and apply in-process against a sandbox, as the CLI does, without a terminal."""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path
from typing import Any

from tests.conftest import ROOT, client_for
from tmi_deploy.apply import ApplyOptions, ApplyReport, apply_environment
from tmi_deploy.config.loader import load_environment
from tmi_deploy.config.models import Environment
from tmi_deploy.heroku import HerokuClient
from tmi_deploy.live import fetch_live
from tmi_deploy.plan.model import Plan
from tmi_deploy.plan.planner import plan_environment
from tmi_deploy.plan.values import Inputs, generate_secret
from tmi_deploy.sandbox import Sandbox

SCENARIOS = Path(__file__).parent / "scenarios" / "environments"
KEY = hashlib.sha256(b"test fingerprint key").digest()


def inputs(environ: dict[str, str] | None = None, apply: bool = False) -> Inputs:
    return Inputs(environ=environ or {}, fingerprint_key=KEY, generate=generate_secret if apply else None)


def load(name: str, env_dir: Path = SCENARIOS) -> Environment:
    # Positions relative to the repository, as the reviewed snapshots in tests/scenarios/expected show them.
    return load_environment(env_dir, name, project_root=ROOT)


async def plan_with(client: HerokuClient, env: Environment, environ: dict[str, str] | None = None) -> Plan:
    live = await fetch_live(client, env)
    return Plan(environments=(plan_environment(env, live, inputs(environ)),))


def plan(box: Sandbox, env: Environment, environ: dict[str, str] | None = None) -> Plan:
    async def go() -> Plan:
        async with client_for(box) as client:
            return await plan_with(client, env, environ)

    return asyncio.run(go())


async def apply_with(client: HerokuClient, env: Environment, environ: dict[str, str] | None = None,
                     **options: Any) -> ApplyReport:
    current = await plan_with(client, env, environ)
    options.setdefault("poll_interval", 0.01)
    return await apply_environment(client, env, current.environments[0], inputs(environ, apply=True),
                                   ApplyOptions(**options))


def apply(box: Sandbox, env: Environment, environ: dict[str, str] | None = None, **options: Any) -> ApplyReport:
    async def go() -> ApplyReport:
        async with client_for(box) as client:
            return await apply_with(client, env, environ, **options)

    return asyncio.run(go())


def deploy(box: Sandbox, *apps: str) -> None:
    for name in apps:
        box.platform.deploy(box.platform.find_app(name), {"web": "bin/server"})


def summary(result: Plan) -> set[tuple[str, str, str, str]]:
    return {(c.role, c.kind, c.action, c.key) for env in result.environments for c in env.changes}
