"""Fault suite: seeded applies through the served sandbox's 429/5xx/hang/reset injection, with
interrupts inside and between steps and real process kills. Every run converges after at most one
re-run, creates no duplicate add-on, changes no var outside the plan and destroys nothing unasked."""

from __future__ import annotations

import asyncio
import os
import queue
import random
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import HEADERS, make_sandbox
from tests.harness import SCENARIOS, apply_with, deploy, load, plan_with
from tmi_deploy.errors import TmiDeployError
from tmi_deploy.heroku.client import HerokuClient
from tmi_deploy.sandbox import Sandbox
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


# ---- real process kills, one per phase of the apply --------------------------------------------
#
# What the kill tests rely on in the apply's progress lines (stderr, one per step, "ENV: STEP ..."):
# a step that creates an app says "create app", one that creates an add-on says "add-on" (and not
# "wait"), the wait for provisioning prints "waiting for" while add-ons provision, the config-var
# PATCH step says "config", the formation step says "scale". Nothing else about the wording.

HOLD_SECONDS = 2.0  # the interrupted write waits this long: ample for the kill to land first on a busy machine


@dataclass(frozen=True)
class KillPoint:
    phase: str  # the last progress line read before the kill must match this (case-insensitive)
    write: tuple[str, str] | None = None  # kill when the sandbox receives this write (method, path regex) ...
    line: str | None = None  # ... or when the apply prints a progress line matching this
    provisioning_seconds: float = 0.0


KILL_POINTS = {
    "app creation": KillPoint(r"\bcreate app\b", write=("POST", r"/apps")),
    "add-on creation": KillPoint(r"^(?!.*\bwait).*\badd-on\b", write=("POST", r"/apps/[^/]+/addons")),
    # Provisioning outlasts the kill: the re-run finds the add-ons it did not create still provisioning.
    "waiting for add-ons": KillPoint(r"\bwaiting for\b", line=r"\bwaiting for\b", provisioning_seconds=3.0),
    "config PATCH": KillPoint(r"\bconfig\b", write=("PATCH", r"/apps/[^/]+/config-vars")),
    "formation": KillPoint(r"\bscale\b", write=("PATCH", r"/apps/[^/]+/formation")),
}


class HoldWrite:
    """ASGI wrapper around the sandbox: when the armed write arrives, read its body, tell the test
    (which kills the client), wait HOLD_SECONDS, then let the sandbox apply it. So the kill lands
    after the write left the client and before any response: Heroku made the change, the client
    never learned it. The wrapper knows nothing of the sandbox's insides."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.armed: tuple[str, str] | None = None
        self.reached = threading.Event()
        self.answered = threading.Event()
        self.status = 0

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        armed = self.armed
        if (scope["type"] != "http" or armed is None or self.reached.is_set() or scope["method"] != armed[0]
                or not re.fullmatch(armed[1], scope["path"])):
            await self.app(scope, receive, send)
            return
        messages = [await receive()]
        while messages[-1].get("more_body"):
            messages.append(await receive())
        self.reached.set()
        await asyncio.sleep(HOLD_SECONDS)

        async def replay() -> Any:
            return messages.pop(0) if messages else {"type": "http.disconnect"}

        async def noting(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                self.status = message["status"]
            await send(message)

        try:
            await self.app(scope, replay, noting)
        finally:
            self.answered.set()


def project_with_main(tmp_path: Path) -> Path:
    (tmp_path / "environments").mkdir()
    for name in ("_base.yml", "main.yml"):
        (tmp_path / "environments" / name).write_text((SCENARIOS / name).read_text())
    return tmp_path


def seed_for_every_phase(url: str, box: Sandbox) -> None:
    """Foreign things, and a deployed server app scaled away from the declaration: the apply then has
    an app to create (the client), add-ons, config and a formation step."""
    seed_foreign_things(url)
    deploy(box, "tmi-scn-server")
    scaled = control(url, "PATCH", "/apps/tmi-scn-server/formation", {"updates": [{"type": "web", "quantity": 0}]})
    assert [f["quantity"] for f in scaled] == [0], scaled
    _controls.pop(url).close()


def kill_at(point: KillPoint, command: list[str], cwd: Path, env: dict[str, str], hold: HoldWrite) -> list[str]:
    """Start the apply, SIGKILL it at the kill point, return every progress line it printed."""
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               text=True)
    assert process.stderr is not None
    lines: queue.Queue[str | None] = queue.Queue()
    reader = threading.Thread(target=lambda: [*map(lines.put, process.stderr), lines.put(None)], daemon=True)
    reader.start()
    printed: list[str] = []
    deadline = time.monotonic() + 90
    try:
        while not hold.reached.is_set():
            assert time.monotonic() < deadline, f"no kill point after 90 s; printed: {printed}"
            try:
                line = lines.get(timeout=0.02)
            except queue.Empty:
                continue
            assert line is not None, f"the apply ended (exit {process.wait()}) before the kill point: {printed}"
            printed.append(line.rstrip("\n"))
            if point.line and re.search(point.line, line, re.IGNORECASE):
                break
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        reader.join(timeout=10)
        process.stderr.close()
    while (rest := lines.get(timeout=10)) is not None:  # written before the kill, still in the pipe
        printed.append(rest.rstrip("\n"))
    return printed


def killed_mid_apply(point: KillPoint, tmp_path: Path) -> tuple[Sandbox, list[str], list[str], dict[str, str]]:
    """An apply of the scenario killed at one point; returns the sandbox, the progress lines, the
    command and its environment (the caller re-runs it)."""
    box = make_sandbox()
    box.state["provisioning_seconds"] = point.provisioning_seconds
    hold = HoldWrite(box)
    cwd = project_with_main(tmp_path)
    env = {**os.environ, "HEROKU_API_KEY": "kill-token", **SECRETS}
    with serving(hold) as url:  # type: ignore[arg-type]  # any ASGI app serves
        seed_for_every_phase(url, box)
        command = [sys.executable, "-m", "tmi_deploy", "--api-url", url, "apply", "main", "--yes"]
        hold.armed = point.write
        printed = kill_at(point, command, cwd, env, hold)
        if point.write:
            assert hold.answered.wait(HOLD_SECONDS + 10), "the interrupted write never reached the sandbox"
            assert hold.status < 400, f"the sandbox refused the interrupted write ({hold.status}): no lost response"
    return box, printed, command, env


def addon_states(url: str) -> set[str]:
    states = {a["state"] for a in control(url, "GET", "/apps/tmi-scn-server/addons")}
    _controls.pop(url).close()
    return states


def last_progress(printed: list[str]) -> str:
    steps = [line for line in printed if line.startswith("main: ")]
    assert steps, f"no progress line before the kill: {printed}"
    return steps[-1]


@pytest.mark.parametrize("where", list(KILL_POINTS))
def test_process_killed_in_each_phase_converges_on_rerun(where: str, tmp_path: Path) -> None:
    point = KILL_POINTS[where]
    box, printed, command, env = killed_mid_apply(point, tmp_path)
    assert re.search(point.phase, last_progress(printed), re.IGNORECASE), (
        f"the kill meant for {where} fell after: {last_progress(printed)!r}")
    with serving(box) as url:
        command[4] = url
        if point.provisioning_seconds:
            assert "provisioning" in addon_states(url), "the re-run would not meet add-ons still provisioning"
        again = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False)
        assert again.returncode == 0, again.stderr
        check = subprocess.run([*command[:5], "plan", "main", "--detailed-exitcode"], cwd=tmp_path, env=env,
                               capture_output=True, text=True, timeout=120, check=False)
        assert check.returncode == 0, check.stdout + check.stderr
    check_invariants(box.state)
