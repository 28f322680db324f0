"""Plan speed: tmi-deploy's concurrent reads vs the Heroku CLI commands the guide's script runs.

    python bench/plan_vs_cli.py [--latency-ms 50] [--repeat 3]

Serves the sandbox in its own process with injected latency per API response, seeds the staging
environment (applied, code deployed), then measures:
  - tmi-deploy plan staging (in-process reads: wall time, round trips = wall / latency, requests per app)
  - the same as a fresh `tmi-deploy plan` process (adds Python start-up)
  - the guide's read flow with the real Heroku CLI (whoami, apps:info x2, addons, config x2, features,
    ps), sequential as the script runs it, if the CLI is installed (.ci/node or TMI_DEPLOY_HEROKU_CLI)
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dataclasses import replace  # noqa: E402

from tmi_deploy.apply.run import ApplyOptions  # noqa: E402
from tmi_deploy.cli.inputs import generate_secret, read_secret_file  # noqa: E402
from tmi_deploy.config.loader import load_environment  # noqa: E402
from tmi_deploy.heroku.client import HerokuClient  # noqa: E402
from tmi_deploy.plan.model import Plan  # noqa: E402
from tmi_deploy.plan.values import Inputs  # noqa: E402
from tmi_deploy.sandbox.serve import sandbox_process  # noqa: E402
from tmi_deploy.workflow import apply_planned, read_and_plan  # noqa: E402

HEADERS = {"Accept": "application/vnd.heroku+json; version=3", "Authorization": "Bearer bench"}
SERVER, CLIENT = "tmi-server-staging", "tmi-ux-staging"


def stats(url: str, reset: bool = False) -> dict[str, Any]:
    if reset:
        return httpx.post(url + "/__sandbox/stats/reset", headers=HEADERS).json()  # type: ignore[no-any-return]
    return httpx.get(url + "/__sandbox/stats", headers=HEADERS).json()  # type: ignore[no-any-return]


def per_app(snapshot: dict[str, Any]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for by_app in snapshot["requests"].values():
        for app, count in by_app.items():
            counts[app] = counts.get(app, 0) + count
    return counts


async def seed(url: str) -> None:
    """Apply staging, emulate the first code push, apply again (formation): live matches the declaration."""
    env = load_environment(ROOT / "environments", "staging")
    inputs = Inputs(read_file=read_secret_file, applying=True)
    for round_ in range(2):
        async with HerokuClient(url, "bench") as client:
            planned = await read_and_plan(client, [env], inputs)
            await apply_planned(client, planned, env.name, replace(inputs, generate=generate_secret),
                                ApplyOptions(poll_interval=0.05))
        if round_ == 0:
            for app in (SERVER, CLIENT):
                httpx.post(f"{url}/__sandbox/apps/{app}/deploy", json={}, headers=HEADERS)


async def tmi_plan(url: str) -> tuple[float, Plan]:
    env = load_environment(ROOT / "environments", "staging")
    start = time.perf_counter()
    async with HerokuClient(url, "bench") as client:
        planned = await read_and_plan(client, [env], Inputs(read_file=read_secret_file))
    return time.perf_counter() - start, planned.plan


def heroku_cli() -> str | None:
    for candidate in (os.environ.get("TMI_DEPLOY_HEROKU_CLI", ""), str(ROOT / ".ci/node/node_modules/.bin/heroku")):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


def cli_flow(cli: str, url: str) -> float:
    home = tempfile.mkdtemp()
    env = {"PATH": os.environ["PATH"], "HOME": home, "HEROKU_HOST": url, "HEROKU_API_KEY": "bench",
           "HEROKU_PARTICLEBOARD_URL": url, "DISABLE_TELEMETRY": "true", "NO_COLOR": "1", "CI": "true"}
    commands = [["auth:whoami"], ["apps:info", "--json", "-a", SERVER], ["apps:info", "--json", "-a", CLIENT],
                ["addons", "--json", "-a", SERVER], ["config", "--json", "-a", SERVER], ["config", "--json", "-a", CLIENT],
                ["features", "-a", SERVER], ["ps", "-a", SERVER]]
    start = time.perf_counter()
    for command in commands:
        subprocess.run([cli, *command], env=env, capture_output=True, check=True, timeout=120)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rows: list[tuple[str, float, str]] = []
    cli = heroku_cli()
    with sandbox_process("--latency-ms", str(args.latency_ms)) as url:
        asyncio.run(seed(url))
        httpx.patch(url + "/__sandbox/settings", json={"ratelimit_capacity": 10_000_000}, headers=HEADERS)
        walls = []
        for _ in range(args.repeat):
            stats(url, reset=True)
            wall, plan = asyncio.run(tmi_plan(url))
            walls.append(wall)
        snapshot = stats(url)
        requests = per_app(snapshot)
        best = min(walls)
        rows.append(("tmi-deploy plan (reads + plan, in-process)", best,
                     f"{best * 1000 / args.latency_ms:.1f} latency units; {snapshot.get('max_in_flight', 0)} of "
                     f"{sum(requests.values())} requests in flight at once; per app: "
                     f"{requests.get(SERVER, 0)} server, {requests.get(CLIENT, 0)} client, {requests.get('-', 0)} shared"))
        assert not plan.has_changes, "seeded staging should plan empty"
        env = {**os.environ, "HEROKU_API_KEY": "bench"}
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "tmi_deploy", "--api-url", url, "plan", "staging"], cwd=ROOT, env=env,
                       capture_output=True, check=True, timeout=120)
        rows.append(("tmi-deploy plan staging (new process)", time.perf_counter() - start, "includes Python start-up"))
        if cli:
            stats(url, reset=True)
            wall = min(cli_flow(cli, url) for _ in range(max(1, args.repeat - 1)))
            requests = per_app(stats(url))
            total = sum(requests.values()) // max(1, args.repeat - 1)
            rows.append(("heroku CLI, the guide's read flow (8 commands)", wall,
                         f"{wall * 1000 / args.latency_ms:.1f} latency units; {total} requests"))
        else:
            rows.append(("heroku CLI", float("nan"), "not installed (npm install --prefix .ci/node heroku@11)"))
    print(f"latency per API response: {args.latency_ms:.0f} ms")
    for name, wall, note in rows:
        print(f"  {name:<48} {wall * 1000:9.0f} ms   {note}")
    if cli and rows[0][1] > 0:
        print(f"  speed-up of tmi-deploy's reads over the CLI flow: {rows[-1][1] / rows[0][1]:.0f}x "
              f"(as a process: {rows[-1][1] / rows[1][1]:.0f}x)")


if __name__ == "__main__":
    main()
