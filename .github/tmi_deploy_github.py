"""What .github/tmi-deploy-ci.py's commands share: `gh` and `git` through subprocess (tests put a stand-in gh
on PATH), GitHub's step outputs and summary, the paths that decide what a merge changes, this workflow's
own pull-request comments. Python standard library only."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

DEPLOY_PATHS = ("environments", "app.json", "tmi_deploy", "pyproject.toml")
TOOL_PATHS = ("tmi_deploy", "pyproject.toml")
TASK = "tmi-deploy:apply"
DRIFT_LABEL = "tmi-deploy-drift"
STEPS = Path(__file__).with_name("tmi-deploy-steps.sh")
# A commit the operator knows is applied everywhere (committed when adopting this workflow on a repository
# with history): an environment never recorded as applied is caught up from there, not from its creation.
SINCE = Path(".github/tmi-deploy-since")


class Fail(Exception):
    """A problem that stops the job: printed as a GitHub error annotation, exit 1."""


def run(*argv: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(argv, capture_output=True, text=True)
    if check and done.returncode != 0:
        raise Fail(f"`{' '.join(argv[:3])} …` failed ({done.returncode}): {done.stderr.strip()[:300]}")
    return done


def git(*args: str) -> str:
    return run("git", *args).stdout.strip()


def gh_json(*args: str) -> Any:
    return json.loads(run("gh", *args).stdout or "null")


def output(name: str, value: str) -> None:
    with open(os.environ["GITHUB_OUTPUT"], "a", encoding="utf-8") as out:
        out.write(f"{name}={value}\n")


def summary(text: str) -> None:
    print(text)
    if os.environ.get("GITHUB_STEP_SUMMARY"):
        with open(os.environ["GITHUB_STEP_SUMMARY"], "a", encoding="utf-8") as out:
            out.write(text + "\n")


def repo() -> str:
    return os.environ["GITHUB_REPOSITORY"]


def comment(number: str, key: str, body_file: Path) -> int:
    marker = f"<!-- tmi-deploy:{key} -->"
    body = f"{marker}\n{body_file.read_text(encoding='utf-8')}"
    found = gh_json("api", "--paginate", "--slurp", f"repos/{repo()}/issues/{number}/comments") or []
    mine = [c for page in found for c in page if str(c.get("body", "")).startswith(marker)]
    if mine:
        run("gh", "api", "-X", "PATCH", f"repos/{repo()}/issues/comments/{mine[0]['id']}", "-f", f"body={body}")
    else:
        run("gh", "api", "-X", "POST", f"repos/{repo()}/issues/{number}/comments", "-f", f"body={body}")
    return 0
