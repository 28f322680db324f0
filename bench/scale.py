"""Planning many environments: requests per app, tokens per account, wall time against the floor, memory.

    python bench/scale.py [--environments 100] [--latency-ms 100] [--capacity 4500] [--keep]

Builds N environments in a temporary git repository, every one extending one partial (a copy of the
shipped environments/_base.yml) with its own app names, half of them under $HEROKU_API_KEY_A and half
under $HEROKU_API_KEY_B. Serves the sandbox in its own process with the injected latency per API
response, and runs `python -m tmi_deploy plan --format json` as a process for:
  - nothing changed (`--changed-since HEAD` selecting none): the process's start-up and git, no API
  - all N environments
  - `--changed-since HEAD` after editing one environment file
  - `--changed-since HEAD` after editing the partial (every environment extends it)
Requests come from the sandbox's /__sandbox/stats (reset before each run), per account from the
"API requests: N for $TOKEN_ENV; M left in its budget" lines plan prints on stderr. The floor is
ceil(requests / 48) x latency (HerokuClient's concurrency). The sandbox has one account for every
token, so both tokens draw on one bucket there (the "left" figures are that shared bucket); the
bucket is refilled to --capacity before each run. Peak memory is the plan process's own maximum RSS
(os.wait4).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tmi_deploy.sandbox.serve import sandbox_process  # noqa: E402

CONTROL = {"Authorization": "Bearer bench", "Accept": "application/vnd.heroku+json; version=3"}
TOKENS = {"HEROKU_API_KEY_A": "bench-token-account-a", "HEROKU_API_KEY_B": "bench-token-account-b"}
CONCURRENCY = 48  # HerokuClient's default
ACCOUNT_LINE = re.compile(r"API requests: (\d+) for \$(\w+)(?:; (\d+) left in its budget)?")


@dataclass
class Run:
    label: str
    planned: int = 0
    wall: float = 0.0
    maxrss_kb: int = 0
    cpu: float = 0.0
    requests: Counter[str] = field(default_factory=Counter)  # by app name, "-" for account-wide
    endpoints: Counter[str] = field(default_factory=Counter)
    accounts: dict[str, tuple[int, int | None]] = field(default_factory=dict)
    max_in_flight: int = 0

    @property
    def total(self) -> int:
        return sum(self.requests.values())

    @property
    def per_app(self) -> float:
        apps = [n for n in self.requests if n != "-"]
        return sum(self.requests[n] for n in apps) / len(apps) if apps else 0.0


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=bench", "-c", "user.email=bench@example.invalid", *args],
                   cwd=repo, check=True, capture_output=True)


def env_file(index: int) -> str:
    token_env = "HEROKU_API_KEY_A" if index % 2 == 0 else "HEROKU_API_KEY_B"
    return (f"extends: _base.yml\ndescription: scale bench environment {index:03d}\n"
            f"heroku: {{token_env: {token_env}}}\n"
            f"apps:\n  server: {{name: tmi-s{index:03d}}}\n  client: {{name: tmi-c{index:03d}}}\n")


def build_repo(count: int) -> tuple[Path, list[str]]:
    repo = Path(tempfile.mkdtemp(prefix="tmi-scale-"))
    folder = repo / "environments"
    folder.mkdir()
    shutil.copy(ROOT / "environments" / "_base.yml", folder / "_base.yml")
    names = [f"e{i:03d}" for i in range(count)]
    for i, name in enumerate(names):
        (folder / f"{name}.yml").write_text(env_file(i), encoding="utf-8")
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "scale bench")
    return repo, names


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    if old not in text:
        raise SystemExit(f"bench: {old!r} not in {path.name}")
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def control(url: str, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    response = httpx.request(method, url + "/__sandbox" + path, json=body, headers=CONTROL, timeout=30)
    response.raise_for_status()
    return response.json()


def wait_rusage(process: subprocess.Popen[bytes], timeout: float) -> tuple[int, int, float]:
    """Exit status, max RSS (kB) and CPU seconds of this one child, not mixed with other children's."""
    deadline = time.monotonic() + timeout
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            process.returncode = os.waitstatus_to_exitcode(status)
            return process.returncode, int(usage.ru_maxrss), usage.ru_utime + usage.ru_stime
        if time.monotonic() > deadline:
            process.kill()
            raise SystemExit(f"bench: plan took longer than {timeout:.0f} s")
        time.sleep(0.005)


def run_plan(repo: Path, url: str, args: list[str], label: str) -> Run:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HEROKU_")}
    env.update(TOKENS, NO_COLOR="1", PYTHONPATH=str(ROOT))
    command = [sys.executable, "-m", "tmi_deploy", "--environments", "environments", "--api-url", url,
               "plan", "--format", "json", *args]
    control(url, "POST", "/stats/reset")
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=repo, env=env, stdout=out, stderr=errors)
        code, maxrss, cpu = wait_rusage(process, 600)
        wall = time.perf_counter() - start
        out.seek(0)
        errors.seek(0)
        stdout, stderr = out.read().decode(), errors.read().decode()
    if code != 0:
        raise SystemExit(f"bench: plan exited {code}\n{stdout[-2000:]}\n{stderr[-2000:]}")
    run = Run(label, wall=wall, maxrss_kb=maxrss, cpu=cpu)
    run.planned = len(json.loads(stdout)["environments"]) if stdout.lstrip().startswith("{") else 0
    read_stats(run, control(url, "GET", "/stats"))
    for match in ACCOUNT_LINE.finditer(stderr):
        run.accounts[match[2]] = (int(match[1]), int(match[3]) if match[3] else None)
    return run


def read_stats(run: Run, snapshot: dict[str, Any]) -> None:
    for endpoint, by_app in snapshot.get("requests", {}).items():
        for app, count in by_app.items():
            run.requests[app] += count
            run.endpoints[f"{endpoint} [{'account' if app == '-' else 'app'}]"] += count
    run.max_in_flight = int(snapshot.get("max_in_flight", 0))


def measure(repo: Path, names: list[str], url: str, capacity: int) -> list[Run]:
    folder = repo / "environments"
    cases: list[tuple[str, list[str], tuple[str, str, str] | None]] = [
        ("nothing changed (start-up)", ["--changed-since", "HEAD"], None),
        (f"all {len(names)} environments", names, None),
        ("--changed-since: one env file", ["--changed-since", "HEAD"],
         (f"{names[len(names) // 2]}.yml", "description: scale", "description: edited scale")),
        ("--changed-since: the partial", ["--changed-since", "HEAD"],
         ("_base.yml", "TMI_LOG_LEVEL: info", "TMI_LOG_LEVEL: debug")),
    ]
    runs = []
    for label, args, change in cases:
        if change:
            edit(folder / change[0], change[1], change[2])
        control(url, "PATCH", "/settings", {"ratelimit_capacity": capacity})  # also refills the bucket
        runs.append(run_plan(repo, url, args, label))
        if change:
            git(repo, "checkout", "-q", "--", ".")
    return runs


def floor_s(requests: int, latency_ms: float) -> float:
    return math.ceil(requests / CONCURRENCY) * latency_ms / 1000


def print_table(runs: list[Run], latency_ms: float) -> None:
    head = (f"{'run':<30} {'envs':>4} {'requests':>8} {'/env':>5} {'/app':>5} {'shared':>6} {'in flight':>9} "
            f"{'wall s':>6} {'floor s':>7} {'acct':>5} {'over':>6} {'cpu s':>5} {'RSS MB':>6}")
    print(head)
    print("-" * len(head))
    startup = runs[0].wall if runs and runs[0].planned == 0 else 0.0
    for run in runs:
        floor = floor_s(run.total, latency_ms)
        per_account = max((floor_s(spent, latency_ms) for spent, _ in run.accounts.values()), default=0.0)
        per_env = f"{run.total / run.planned:5.1f}" if run.planned else f"{'-':>5}"
        over = f"{run.wall - startup - floor:+6.2f}" if run.planned else f"{'-':>6}"
        print(f"{run.label:<30} {run.planned:>4} {run.total:>8} {per_env} {run.per_app:>5.1f} "
              f"{run.requests['-']:>6} {run.max_in_flight:>9} {run.wall:>6.2f} {floor:>7.2f} {per_account:>5.2f} "
              f"{over} {run.cpu:>5.2f} {run.maxrss_kb / 1024:>6.1f}")
    print(f"\nfloor = ceil(requests / {CONCURRENCY}) x {latency_ms:g} ms; acct = the same per account, the "
          f"largest (each account's client has its own {CONCURRENCY} slots, and they run at once);\n"
          f"over = wall - start-up ({startup:.2f} s, the first row) - floor; cpu = the plan process's user + "
          "system time;\n/app = app-scoped requests per app; shared = account-wide requests (no app in the path)")


def print_accounts(runs: list[Run], capacity: int) -> None:
    print(f"\nrequests per account (plan's stderr; bucket refilled to {capacity} before each run, one shared "
          "bucket in the sandbox):")
    for run in runs:
        parts = [f"${name}: {spent} spent" + (f", {left} left" if left is not None else "")
                 for name, (spent, left) in sorted(run.accounts.items())]
        print(f"  {run.label:<30} {'; '.join(parts) or 'no API client'}")


def print_endpoints(run: Run) -> None:
    print(f"\nrequests by endpoint, {run.label}:")
    for endpoint, count in sorted(run.endpoints.items(), key=lambda item: (-item[1], item[0])):
        print(f"  {count:>6}  {endpoint}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--environments", type=int, default=100, help="how many environments (>= 2)")
    parser.add_argument("--latency-ms", type=float, default=100.0, help="added to every API response")
    parser.add_argument("--capacity", type=int, default=4500, help="the sandbox's rate-limit bucket")
    parser.add_argument("--keep", action="store_true", help="keep the temporary repository and print its path")
    args = parser.parse_args()
    if args.environments < 2:
        parser.error("--environments must be at least 2 (one per account)")
    repo, names = build_repo(args.environments)
    try:
        with sandbox_process("--latency-ms", str(args.latency_ms)) as url:
            runs = measure(repo, names, url, args.capacity)
    finally:
        if args.keep:
            print(f"repository kept: {repo}")
        else:
            shutil.rmtree(repo, ignore_errors=True)
    print(f"{args.environments} environments over 2 accounts, {args.latency_ms:g} ms per API response, "
          f"client concurrency {CONCURRENCY}\n")
    print_table(runs, args.latency_ms)
    print_accounts(runs, args.capacity)
    print_endpoints(runs[1])


if __name__ == "__main__":
    main()
