"""Start-up cost of tmi-deploy commands as fresh processes, against `python -c pass`.

    python bench/startup.py [--runs 15] [--imports]

Each command runs --runs times in a scratch copy of environments/ and app.json (so `plan --sandbox`
keeps its state file there, not in the repository); the table shows the median wall time and what
the command adds over a bare interpreter. `plan --sandbox` runs a whole plan against the embedded
emulator: its figure is start-up plus one plan's work, with no network. --imports also prints the
ten slowest top-level imports of each command (`python -X importtime`, cumulative microseconds).
"""

from __future__ import annotations

import argparse
import os
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


def time_once(args: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    result = subprocess.run([sys.executable, *args], cwd=cwd, env=clean_environ(), capture_output=True,
                            check=False)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(args)} exited {result.returncode}:\n{result.stderr.decode()[-2000:]}")
    return elapsed


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
        samples: dict[str, list[float]] = {label: [] for label in COMMANDS}
        for _ in range(options.runs):  # interleaved, so background load hits every command alike
            for label, args in COMMANDS.items():
                samples[label].append(time_once(args, cwd))
        medians = {label: statistics.median(values) for label, values in samples.items()}
        baseline = medians["python -c pass"]
        print(f"median of {options.runs} runs, {sys.executable} {sys.version.split()[0]}")
        print(f"{'command':<36} {'median ms':>10} {'over python ms':>15}")
        for label, value in medians.items():
            print(f"{label:<36} {value * 1000:>10.0f} {(value - baseline) * 1000:>15.0f}")
        if options.imports:
            for label, args in list(COMMANDS.items())[1:]:
                print(f"\n{label}: slowest top-level imports (cumulative ms)")
                for micros, name in slowest_imports(args, cwd):
                    print(f"  {micros / 1000:>7.1f}  {name}")


if __name__ == "__main__":
    main()
