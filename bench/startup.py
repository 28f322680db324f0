"""Start-up cost of tmi-deploy commands as fresh processes, against `python -c pass`.

    python bench/startup.py [--runs 15] [--imports]

Each command runs --runs times in a scratch copy of environments/ and app.json (so `plan --sandbox`
keeps its state file there, not in the repository); the table shows the median wall and CPU time
(user + system, steadier on a loaded machine) and what the command adds over a bare interpreter.
`plan --sandbox` runs a whole plan against the embedded emulator: its figure is start-up plus one
plan's work, with no network. --imports also prints the ten slowest top-level imports of each
command (`python -X importtime`, cumulative milliseconds).
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

ROOT = Path(__file__).resolve().parent.parent
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


def slowest_imports(args: list[str], cwd: Path, count: int = 10) -> list[tuple[int, str]]:
    """Top-level imports (no indentation in -X importtime's tree) by cumulative time."""
    result = subprocess.run([sys.executable, "-X", "importtime", *args], cwd=cwd, env=clean_environ(),
                            capture_output=True, text=True, check=False)
    rows: list[tuple[int, str]] = []
    for line in result.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _self, cumulative, name = line.removeprefix("import time:").split("|")
        if not name.startswith("  "):  # one space is the separator; more is a nested import
            rows.append((int(cumulative), name.strip()))
    return sorted(rows, reverse=True)[:count]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--imports", action="store_true", help="also list the slowest imports per command")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tmi-startup-") as scratch:
        cwd = Path(scratch)
        shutil.copytree(ROOT / "environments", cwd / "environments")
        shutil.copy(ROOT / "app.json", cwd / "app.json")
        for args in COMMANDS.values():
            time_once(args, cwd)  # warm the OS cache and create the sandbox state once
        samples: dict[str, list[tuple[float, float]]] = {label: [] for label in COMMANDS}
        for _ in range(options.runs):  # interleaved, so background load hits every command alike
            for label, args in COMMANDS.items():
                samples[label].append(time_once(args, cwd))
        wall = {label: statistics.median(w for w, _ in values) for label, values in samples.items()}
        cpu = {label: statistics.median(c for _, c in values) for label, values in samples.items()}
        base_wall, base_cpu = wall["python -c pass"], cpu["python -c pass"]
        print(f"median of {options.runs} runs, {sys.executable} {sys.version.split()[0]}, load {os.getloadavg()[0]:.1f}")
        print(f"{'command':<36} {'wall ms':>8} {'over python':>12} {'CPU ms':>8} {'over python':>12}")
        for label in COMMANDS:
            print(f"{label:<36} {wall[label] * 1000:>8.0f} {(wall[label] - base_wall) * 1000:>12.0f} "
                  f"{cpu[label] * 1000:>8.0f} {(cpu[label] - base_cpu) * 1000:>12.0f}")
        if options.imports:
            for label, args in list(COMMANDS.items())[1:]:
                print(f"\n{label}: slowest top-level imports (cumulative ms)")
                for micros, name in slowest_imports(args, cwd):
                    print(f"  {micros / 1000:>7.1f}  {name}")


if __name__ == "__main__":
    main()
