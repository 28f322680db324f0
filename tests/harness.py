"""Drive plan and apply in-process against a sandbox through tmi_deploy.workflow, as the CLI does."""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import replace
from pathlib import Path
from typing import Any

from tests.conftest import ROOT, client_for
from tmi_deploy.apply.run import ApplyOptions, ApplyReport
from tmi_deploy.cli.inputs import generate_secret, read_secret_file
from tmi_deploy.config.loader import load_environment
from tmi_deploy.config.models import Environment
from tmi_deploy.heroku.client import HerokuClient
from tmi_deploy.plan.model import Plan
from tmi_deploy.plan.values import Inputs
from tmi_deploy.sandbox import Sandbox
from tmi_deploy.workflow import Planned, apply_planned, read_and_plan

SCENARIOS = Path(__file__).parent / "scenarios" / "environments"
KEY = hashlib.sha256(b"test fingerprint key").digest()


def inputs(environ: dict[str, str] | None = None, apply: bool = False, **more: Any) -> Inputs:
    return Inputs(read_file=read_secret_file, environ=environ or {}, fingerprint_key=KEY, applying=apply, **more)


def load(name: str, env_dir: Path = SCENARIOS) -> Environment:
    # Positions relative to the repository, as the reviewed snapshots in tests/scenarios/expected show them.
    return load_environment(env_dir, name, project_root=ROOT)


async def plan_with(client: HerokuClient, env: Environment, environ: dict[str, str] | None = None,
                    allowed: tuple[str, ...] = ()) -> Plan:
    return (await read_and_plan(client, [env], inputs(environ), allowed)).plan


def plan(box: Sandbox, env: Environment, environ: dict[str, str] | None = None,
         allowed: tuple[str, ...] = ()) -> Plan:
    async def go() -> Plan:
        async with client_for(box) as client:
            return await plan_with(client, env, environ, allowed)

    return asyncio.run(go())


async def planned_for_apply(client: HerokuClient, env: Environment, environ: dict[str, str] | None = None,
                            allowed: tuple[str, ...] = (), interactive: bool = False) -> Planned:
    return await read_and_plan(client, [env], inputs(environ, apply=True, interactive=interactive), allowed)


async def apply_with(client: HerokuClient, env: Environment, environ: dict[str, str] | None = None,
                     allowed: tuple[str, ...] = (), prompt: Any = None, **options: Any) -> ApplyReport:
    planned = await planned_for_apply(client, env, environ, allowed, interactive=prompt is not None)
    options.setdefault("poll_interval", 0.01)
    resolving = replace(inputs(environ, apply=True, interactive=prompt is not None), generate=generate_secret,
                        prompt=prompt)
    return await apply_planned(client, planned, env.name, resolving, ApplyOptions(**options))


def apply(box: Sandbox, env: Environment, environ: dict[str, str] | None = None, allowed: tuple[str, ...] = (),
          **options: Any) -> ApplyReport:
    async def go() -> ApplyReport:
        async with client_for(box) as client:
            return await apply_with(client, env, environ, allowed, **options)

    return asyncio.run(go())


def applied_scenario(environ: dict[str, str], name: str = "main") -> Sandbox:
    """A sandbox where scenario ``name`` is applied, its code pushed, and applied again (formation)."""
    from tests.conftest import make_sandbox

    box = make_sandbox()
    apply(box, load(name), environ)
    deploy(box, "tmi-scn-server", "tmi-scn-client")
    apply(box, load(name), environ)
    return box


def deploy(box: Sandbox, *apps: str) -> None:
    for name in apps:
        box.platform.deploy(box.platform.find_app(name), {"web": "bin/server"})


def requests_by_method(box: Sandbox) -> dict[str, int]:
    """How many requests of each method the sandbox answered (its own count, not the client's)."""
    counts: dict[str, int] = {}
    for key, by_app in box.state["stats"]["requests"].items():
        method = key.split(" ", 1)[0]
        counts[method] = counts.get(method, 0) + sum(by_app.values())
    return counts


def writes(box: Sandbox) -> int:
    return sum(n for method, n in requests_by_method(box).items() if method not in ("GET", "HEAD"))


def writes_in_state_file(project: Path) -> int:
    """Writes the embedded sandbox of a CLI run in ``project`` has answered (its own count)."""
    import json

    state = project / ".tmi-deploy" / "sandbox.json"
    if not state.exists():
        return 0
    stats = json.loads(state.read_text())["stats"]["requests"]
    return sum(sum(by_app.values()) for key, by_app in stats.items() if not key.startswith("GET "))


def summary(result: Plan) -> set[tuple[str, str, str, str]]:
    return {(c.role, c.kind, c.action, c.key) for env in result.environments for c in env.changes}
