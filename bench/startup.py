"""Start-up cost of tmi-deploy commands as fresh processes, against `python -c pass`.

    python bench/startup.py [--runs 15] [--imports]

Each command runs --runs times in a scratch copy of environments/ and app.json (so `plan --sandbox`
keeps its state file there, not in the repository); the table shows the median wall and CPU time
(user + system, steadier on a loaded machine) and what the command adds over a bare interpreter.
`plan --sandbox` runs a whole plan against the embedded emulator: its figure is start-up plus one
plan's work, with no network. "modules" counts what the command imports (`python -X importtime`):
the figure that does not move with machine load. --imports also prints the ten slowest top-level
imports of each command (cumulative milliseconds).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
COMMANDS: dict[str, list[str]] = {
    "python -c pass": ["-c", "pass"],
    "tmi-deploy --help": ["-m", "tmi_deploy", "--help"],
    "tmi-deploy validate": ["-m", "tmi_deploy", "validate"],
    "tmi-deploy --sandbox plan staging": ["-m", "tmi_deploy", "--sandbox", "plan", "staging"],
}


def clean_environ() -> dict[str, str]:
    """No credentials, no colour: every command behaves the same on every machine."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("HEROKU_", "TMI_"))} | {"NO_COLOR": "1"}


def cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_once(args: list[str], cwd: Path) -> tuple[float, float]:
    """Wall and CPU seconds of one run. CPU time moves less than wall time when other processes load
    the machine, so it is the steadier figure for before/after comparisons."""
    cpu_before, started = cpu_of_children(), time.perf_counter()
    result = subprocess.run([sys.executable, *args], cwd=cwd, env=clean_environ(), capture_output=True,
                            check=False)
    elapsed, cpu = time.perf_counter() - started, cpu_of_children() - cpu_before
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(args)} exited {result.returncode}:\n{result.stderr.decode()[-2000:]}")
    return elapsed, cpu


def import_tree(args: list[str], cwd: Path) -> list[tuple[int, str, bool]]:
    """Every module the command imports: (cumulative microseconds, name, imported at top level)."""
    result = subprocess.run([sys.executable, "-X", "importtime", *args], cwd=cwd, env=clean_environ(),
                            capture_output=True, text=True, check=False)
    rows: list[tuple[int, str, bool]] = []
    for line in result.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _self, cumulative, name = line.removeprefix("import time:").split("|")
        rows.append((int(cumulative), name.strip(), not name.startswith("  ")))  # deeper = more indented
    return rows


class FirstRequest:
    """ASGI wrapper: when the first API request of a run reached the server (perf_counter)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.at: float | None = None

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http" and self.at is None:
            self.at = time.perf_counter()
        await self.app(scope, receive, send)


def first_request_delays(cwd: Path, runs: int) -> list[float]:
    """`plan staging` against a served sandbox: seconds from process start to its first API request,
    the start-up a real plan pays before the network (no --sandbox: the emulator is not imported)."""
    from tmi_deploy.sandbox import Sandbox, SandboxSettings
    from tmi_deploy.sandbox.serve import serving

    probe = FirstRequest(Sandbox(SandboxSettings()))
    delays: list[float] = []
    with serving(probe) as url:  # type: ignore[arg-type]  # any ASGI app serves
        for _ in range(runs):
            probe.at, started = None, time.perf_counter()
            subprocess.run([sys.executable, "-m", "tmi_deploy", "--api-url", url, "plan", "staging"], cwd=cwd,
                           env={**clean_environ(), "HEROKU_API_KEY": "bench"}, capture_output=True, check=False)
            if probe.at is None:
                raise SystemExit("plan sent no request")
            delays.append(probe.at - started)
    return delays


def measure(cwd: Path, runs: int) -> dict[str, list[tuple[float, float]]]:
    for args in COMMANDS.values():
        time_once(args, cwd)  # warm the OS cache and create the sandbox state once
    samples: dict[str, list[tuple[float, float]]] = {label: [] for label in COMMANDS}
    for _ in range(runs):  # interleaved, so background load hits every command alike
        for label, args in COMMANDS.items():
            samples[label].append(time_once(args, cwd))
    return samples


def print_table(samples: dict[str, list[tuple[float, float]]], modules: dict[str, int]) -> None:
    wall = {label: statistics.median(w for w, _ in values) for label, values in samples.items()}
    cpu = {label: statistics.median(c for _, c in values) for label, values in samples.items()}
    base_wall, base_cpu = wall["python -c pass"], cpu["python -c pass"]
    runs = len(next(iter(samples.values())))
    print(f"median of {runs} runs, {sys.executable} {sys.version.split()[0]}, load {os.getloadavg()[0]:.1f}")
    print(f"{'command':<36} {'wall ms':>8} {'over python':>12} {'CPU ms':>8} {'over python':>12} {'modules':>8}")
    for label in COMMANDS:
        print(f"{label:<36} {wall[label] * 1000:>8.0f} {(wall[label] - base_wall) * 1000:>12.0f} "
              f"{cpu[label] * 1000:>8.0f} {(cpu[label] - base_cpu) * 1000:>12.0f} {modules[label]:>8}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--imports", action="store_true", help="also list the slowest imports per command")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tmi-startup-") as scratch:
        cwd = Path(scratch)
        shutil.copytree(ROOT / "environments", cwd / "environments")
        shutil.copy(ROOT / "app.json", cwd / "app.json")
        samples = measure(cwd, options.runs)
        trees = {label: import_tree(args, cwd) for label, args in COMMANDS.items()}
        print_table(samples, {label: len(tree) for label, tree in trees.items()})
        first = statistics.median(first_request_delays(cwd, options.runs))
        base = statistics.median(wall for wall, _ in samples["python -c pass"])
        print(f"{'tmi-deploy plan staging (API served)':<36} first request after {first * 1000:.0f} ms, "
              f"{(first - base) * 1000:.0f} over python")
        if options.imports:
            for label in list(COMMANDS)[1:]:
                print(f"\n{label}: slowest top-level imports (cumulative ms)")
                for micros, name, _top in sorted(row for row in trees[label] if row[2])[::-1][:10]:
                    print(f"  {micros / 1000:>7.1f}  {name}")


if __name__ == "__main__":
    main()
