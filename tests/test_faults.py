"""Fault suite: seeded applies through the served sandbox's 429/5xx/hang/reset injection, with
interrupts inside and between steps and real process kills. Every run converges after at most one
re-run, creates no duplicate add-on, changes no var outside the plan and destroys nothing unasked."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import HEADERS, make_sandbox
from tests.harness import SCENARIOS, apply_with, load, plan_with
from tmi_deploy.errors import TmiDeployError
from tmi_deploy.heroku import HerokuClient
from tmi_deploy.sandbox.serve import sandbox_process as serve_in_process
from tmi_deploy.sandbox.serve import serving

RUNS = int(os.environ.get("TMI_DEPLOY_FAULT_RUNS", "200"))
FAULTS = "429=0.04,500=0.03,503=0.03,hang=0.01,reset=0.02,hang_seconds=0.35"
SECRETS = {"SCN_GITHUB_SECRET": "gh-secret"}


_controls: dict[str, httpx.Client] = {}


def control(url: str, method: str, path: str, body: Any = None) -> Any:
    http = _controls.get(url)
    if http is None:
        http = _controls[url] = httpx.Client(base_url=url, headers=HEADERS, timeout=10)
    return http.request(method, path, json=body).json()


def seed_foreign_things(url: str) -> None:
    """Things the plan must leave alone: an undeclared add-on and a var nobody declared."""
    assert control(url, "POST", "/apps", {"name": "tmi-scn-server"})["name"] == "tmi-scn-server"
    control(url, "POST", "/apps/tmi-scn-server/addons", {"plan": "papertrail:choklad", "attachment": {"name": "PAPERTRAIL"}})
    control(url, "PATCH", "/apps/tmi-scn-server/config-vars", {"OPERATOR_TUNED": "keep-me"})


def check_invariants(state: dict[str, Any]) -> None:
    server = next(a for a in state["apps"].values() if a["name"] == "tmi-scn-server")
    assert server["config"]["OPERATOR_TUNED"] == "keep-me"
    attachments = Counter((a["app_id"], a["name"]) for a in state["attachments"].values())
    assert all(count == 1 for count in attachments.values()), attachments
    services = Counter(a["service"] for a in state["addons"].values())
    assert services == {"heroku-postgresql": 1, "rediscloud": 1, "papertrail": 1}, services


@contextmanager
def sandbox_process() -> Iterator[str]:
    with serve_in_process() as url:
        try:
            yield url
        finally:
            client = _controls.pop(url, None)
            if client is not None:
                client.close()


async def one_run(url: str, seed: int, env: Any) -> str:
    rng = random.Random(seed)
    client = HerokuClient(url, "fault-token", timeout=0.25, retries=6, backoff=0.001, max_backoff=0.01,
                          rng=random.Random(seed))
    outcome = "ok"
    async with client:
        task = asyncio.ensure_future(apply_with(client, env, SECRETS, poll_interval=0.01))
        if rng.random() < 0.25:  # an interrupt at an arbitrary point, inside a step or between two
            await asyncio.sleep(rng.uniform(0, 0.05))
            task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            outcome = "killed"
        except TmiDeployError:
            outcome = "failed"
    return outcome


async def rerun_and_plan(url: str, env: Any) -> bool:
    async with HerokuClient(url, "fault-token", backoff=0.001) as client:
        if (await plan_with(client, env, SECRETS)).has_changes:
            await apply_with(client, env, SECRETS, poll_interval=0.01)
        return not (await plan_with(client, env, SECRETS)).has_changes


@pytest.mark.timeout(1200)  # 200 full applies: about two minutes on two idle cores
def test_seeded_applies_under_faults_converge() -> None:
    env = load("main")
    outcomes: Counter[str] = Counter()
    injected: Counter[str] = Counter()
    with sandbox_process() as url:
        for seed in range(RUNS):
            control(url, "POST", "/__sandbox/reset")
            control(url, "PATCH", "/__sandbox/settings", {"faults": "", "provisioning_seconds": 0.02 * (seed % 3),
                                                          "ratelimit_capacity": 10_000_000})
            seed_foreign_things(url)
            control(url, "PATCH", "/__sandbox/settings", {"faults": FAULTS, "seed": seed})
            outcome = asyncio.run(one_run(url, seed, env))
            outcomes[outcome] += 1
            control(url, "PATCH", "/__sandbox/settings", {"faults": ""})
            injected.update(control(url, "GET", "/__sandbox/stats").get("faults", {}))
            assert asyncio.run(rerun_and_plan(url, env)), f"seed {seed} did not converge after one re-run"
            check_invariants(control(url, "GET", "/__sandbox/state"))
    print(f"\nfault runs: {RUNS}, first-attempt outcomes: {dict(outcomes)}, faults injected: {dict(injected)}")
    assert outcomes["ok"] and (outcomes["failed"] or outcomes["killed"])
    assert {"429", "500", "503", "reset", "reset after the change"} <= set(injected)


@pytest.mark.parametrize("seed", range(int(os.environ.get("TMI_DEPLOY_KILL_RUNS", "4"))))
def test_process_killed_mid_apply_converges(seed: int, tmp_path: Path) -> None:
    box = make_sandbox()
    box.state["provisioning_seconds"] = 0.3
    box.settings.latency_ms = 5
    (tmp_path / "environments").mkdir()
    for name in ("_base.yml", "main.yml"):
        (tmp_path / "environments" / name).write_text((SCENARIOS / name).read_text())
    env = {**os.environ, "HEROKU_API_KEY": "kill-token", **SECRETS}
    with serving(box) as url:
        seed_foreign_things(url)
        _controls.pop(url).close()
        command = [sys.executable, "-m", "tmi_deploy", "--api-url", url, "apply", "main", "--yes"]
        process = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(random.Random(seed).uniform(0.6, 1.6))  # imports take ~0.5 s; then somewhere mid-apply
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        again = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False)
        assert again.returncode == 0, again.stderr
        check = subprocess.run([*command[:5], "plan", "main", "--detailed-exitcode"], cwd=tmp_path, env=env,
                               capture_output=True, text=True, timeout=120, check=False)
        assert check.returncode == 0, check.stdout + check.stderr
    check_invariants(box.state)
