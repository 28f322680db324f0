#!/usr/bin/env python3
"""The GitHub side of .github/workflows/tmi-deploy.yml: what is planned, what is applied, what is recorded.

tmi-deploy itself runs only through .github/tmi-deploy-steps.sh; this script holds no Heroku key. It talks
to GitHub through `gh` (so tests put a stand-in on PATH) and to the history through `git`.

  plan OUT_DIR SHARD       plan this pull request's environments against the merge ref's first parent (every
                           environment when tmi_deploy/ or pyproject.toml changed), and always write
                           OUT_DIR/manifest.json naming the environments planned (possibly none)
  resolve OUT_DIR          for each environment: every merge since its last recorded apply; the newest
                           reviewed plan that holds it; fail naming merges whose plan cannot be found
  record ENV               record GITHUB_SHA as applied to ENV (a GitHub deployment, state success)
  comment NUMBER KEY FILE  create or update this workflow's own comment KEY on pull request NUMBER
  drift CODE FILE          act on the drift plan's exit code: 0 closes the drift issue, 2 opens or updates
                           it, anything else fails
Python standard library only: it runs before (and without) `pip install`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tmi_deploy_github import DRIFT_LABEL, STEPS, TASK, TOOL_PATHS, Fail, comment, gh_json, git, repo, run
from tmi_deploy_resolve import environments_in, resolve

# ---- plan (pull requests) -------------------------------------------------------------------------------

def plan(out: Path, shard: str) -> int:
    # The merge ref's first parent is the base it was made from: today's main would plan its own newer
    # changes as reverts when an old pull request's plan is re-run.
    base = git("rev-parse", "HEAD^1")
    tool = run("git", "diff", "--quiet", base, "HEAD", "--", *TOOL_PATHS, check=False).returncode != 0
    select = [] if tool else ["--changed-since", base]
    code = subprocess.run(["bash", str(STEPS), "plan", str(out), *select, "--shard", shard]).returncode
    planned = environments_in(out / "plan.json")
    manifest = {"format": 1, "pr": int(os.environ["PR_NUMBER"]), "head": os.environ["PR_HEAD_SHA"],
                "base": base, "shard": shard, "every_environment": tool, "plan_exit": code,
                "environments": planned}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    print(f"planned {', '.join(planned) or 'no environment'} against {base[:12]}"
          + (" (tmi_deploy/ or pyproject.toml changed: every environment)" if tool else ""))
    return code


# ---- record, comment, drift ------------------------------------------------------------------------------

def record(env: str) -> int:
    body = {"ref": os.environ["GITHUB_SHA"], "environment": env, "task": TASK, "auto_merge": False,
            "required_contexts": [], "description": f"tmi-deploy applied {env}"}
    made = subprocess.run(["gh", "api", "-X", "POST", f"repos/{repo()}/deployments", "--input", "-"],
                          input=json.dumps(body), capture_output=True, text=True)
    if made.returncode != 0:
        raise Fail(f"{env} was applied but could not be recorded: {made.stderr.strip()[:300]}. The next run "
                   f"will find this merge unapplied and apply its plan again (it is then stale: exit 4)")
    deployment = json.loads(made.stdout)["id"]
    run("gh", "api", "-X", "POST", f"repos/{repo()}/deployments/{deployment}/statuses", "-f", "state=success",
        "-f", f"description=applied {os.environ['GITHUB_SHA'][:12]}")
    print(f"recorded {os.environ['GITHUB_SHA'][:12]} as applied to {env}")
    return 0


def drift(code: int, report: Path) -> int:
    if code not in (0, 2):
        print(f"::error::the drift plan exited {code} (expected 0: no drift, or 2: drift); see its output above")
        return 1
    issues = gh_json("issue", "list", "--state", "open", "--label", DRIFT_LABEL, "--json", "number") or []
    numbers = sorted(int(i["number"]) for i in issues)
    if code == 0:
        for number in numbers:
            run("gh", "issue", "close", str(number), "--comment", "Live state matches environments/ again.")
        print("no drift" + (f"; closed #{', #'.join(map(str, numbers))}" if numbers else ""))
        return 0
    if numbers:
        run("gh", "issue", "comment", str(numbers[0]), "--body-file", str(report))
    else:
        run("gh", "label", "create", DRIFT_LABEL, "--force", "--description", "live Heroku state differs from environments/")
        run("gh", "issue", "create", "--title", "tmi-deploy: live state drifted from environments/", "--label",
            DRIFT_LABEL, "--body-file", str(report))
    print("::warning::live state drifted from environments/; see the tmi-deploy-drift issue")
    return 0


def main(argv: list[str]) -> int:
    commands = {
        "plan": lambda a: plan(Path(a[0]), a[1]),
        "resolve": lambda a: resolve(Path(a[0])),
        "record": lambda a: record(a[0]),
        "comment": lambda a: comment(a[0], a[1], Path(a[2])),
        "drift": lambda a: drift(int(a[0]), Path(a[1])),
    }
    arity = {"plan": 2, "resolve": 1, "record": 1, "comment": 3, "drift": 2}
    if not argv or argv[0] not in commands or len(argv) != arity[argv[0]] + 1:
        print(__doc__, file=sys.stderr)
        return 1
    try:
        return commands[argv[0]](argv[1:])
    except Fail as exc:
        print(f"::error::{exc}")
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
