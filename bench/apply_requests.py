"""Requests per apply: GETs and writes the sandbox answers for typical applies of the shipped staging.

    python bench/apply_requests.py [--root CHECKOUT] [--provisioning-seconds 1]

Runs `python -m tmi_deploy apply staging --yes` of the checkout under test (default: this one; pass an
older checkout to compare) as a process against a served sandbox, and reads the sandbox's own request
counts for three applies: creating the environment, one changed literal, and nothing to change.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tmi_deploy.sandbox.serve import sandbox_process  # noqa: E402

TOKEN = "bench"
HEADERS = {"Authorization": f"Bearer {TOKEN}", "Accept": "application/vnd.heroku+json; version=3"}


def stats(url: str, reset: bool = False) -> dict[str, Any]:
    if reset:
        return httpx.post(url + "/__sandbox/stats/reset", headers=HEADERS).json()  # type: ignore[no-any-return]
    return httpx.get(url + "/__sandbox/stats", headers=HEADERS).json()  # type: ignore[no-any-return]


def by_method(snapshot: dict[str, Any]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for key, by_app in snapshot["requests"].items():
        counts["GET" if key.startswith("GET ") else "write"] += sum(by_app.values())
    return counts


def run_apply(root: Path, project: Path, url: str) -> None:
    env = {**os.environ, "HEROKU_API_KEY": TOKEN, "PYTHONPATH": str(root), "NO_COLOR": "1"}
    done = subprocess.run([sys.executable, "-m", "tmi_deploy", "--api-url", url, "apply", "staging", "--yes"],
                          cwd=project, env=env, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise SystemExit(f"apply failed ({done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")


def measure(root: Path, url: str) -> list[tuple[str, Counter[str]]]:
    project = Path(tempfile.mkdtemp())
    shutil.copytree(root / "environments", project / "environments")
    rows = []
    for label, edit in (("create the environment", None), ("one changed literal", "TMI_LOG_LEVEL: warn"),
                        ("nothing to change", None)):
        if edit:
            staging = project / "environments" / "staging.yml"
            staging.write_text(staging.read_text().replace("TMI_LOG_LEVEL: debug", edit))
        stats(url, reset=True)
        run_apply(root, project, url)
        rows.append((label, by_method(stats(url))))
    shutil.rmtree(project)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", type=Path, default=ROOT, help="checkout whose tmi_deploy is measured")
    parser.add_argument("--provisioning-seconds", type=float, default=1.0)
    args = parser.parse_args()
    with sandbox_process("--provisioning-seconds", str(args.provisioning_seconds)) as url:
        httpx.patch(url + "/__sandbox/settings", json={"ratelimit_capacity": 10_000_000}, headers=HEADERS)
        rows = measure(args.root.resolve(), url)
    print(f"checkout: {args.root.resolve()}  (add-ons provision in {args.provisioning_seconds:g} s)")
    for label, counts in rows:
        print(f"  {label:<26} {counts['GET']:4d} GETs  {counts['write']:3d} writes")


if __name__ == "__main__":
    main()
