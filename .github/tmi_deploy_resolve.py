"""`resolve`: for each environment, every merge since its last recorded apply, and the newest reviewed plan that
covers them; fails loudly, on the run and on each pull request, naming merges whose plan cannot be found."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from tmi_deploy_github import (
    DEPLOY_PATHS,
    SINCE,
    TASK,
    TOOL_PATHS,
    Fail,
    comment,
    gh_json,
    git,
    output,
    repo,
    run,
    summary,
)


def environments_in(plan_file: Path) -> list[str]:
    if not plan_file.is_file():
        return []
    return [entry["environment"] for entry in json.loads(plan_file.read_text()).get("environments", [])]


@dataclass
class Merge:
    """A commit on the deploy branch that changed what is deployed, and what its pull request planned."""
    sha: str
    pr: int | None = None
    run: int | None = None
    planned: dict[str, str] = field(default_factory=dict)  # environment -> artifact that holds its plan
    problem: str | None = None

    def label(self) -> str:
        return f"{self.sha[:12]}" + (f" (#{self.pr})" if self.pr else "")


def declared_environments(env_dir: Path) -> list[str]:
    return sorted(p.stem for p in env_dir.glob("*.yml") if not p.name.startswith("_"))


def last_applied(env: str, history: dict[str, int]) -> str | None:
    """The newest commit of the deploy branch recorded as applied to ``env``."""
    found = gh_json("api", f"repos/{repo()}/deployments?{urlencode({'environment': env, 'task': TASK, 'per_page': 100})}")
    candidates = sorted((d for d in found or [] if d["sha"] in history), key=lambda d: history[d["sha"]])
    for deployment in candidates:
        statuses = gh_json("api", f"repos/{repo()}/deployments/{deployment['id']}/statuses")
        if statuses and statuses[0]["state"] == "success":
            return str(deployment["sha"])
    return None


def starting_point(env: str, env_dir: Path, history: dict[str, int]) -> str | None:
    """Where to look for unapplied merges of an environment never recorded as applied: from the merge that
    added its file, or from .github/tmi-deploy-since (a commit the operator knows is applied) if that is newer."""
    added = git("log", "--first-parent", "--diff-filter=A", "--format=%H", "--", str(env_dir / f"{env}.yml"))
    points = []
    if added:
        parent = run("git", "rev-parse", "-q", "--verify", f"{added.splitlines()[-1]}^1", check=False).stdout.strip()
        points.append(parent)
    since = SINCE.read_text(encoding="utf-8").strip() if SINCE.is_file() else ""
    if since:
        full = run("git", "rev-parse", "-q", "--verify", f"{since}^{{commit}}", check=False).stdout.strip()
        if full not in history:
            raise Fail(f".github/tmi-deploy-since names {since[:40]!r}, not a commit of the deploy branch's first-parent history")
        points.append(full)
    known = [p for p in points if p in history]
    return min(known, key=lambda p: history[p]) if known else None


def changes_deploy(sha: str) -> bool:
    parent = run("git", "rev-parse", "-q", "--verify", f"{sha}^1", check=False).stdout.strip()
    if not parent:
        return True
    return run("git", "diff", "--quiet", parent, sha, "--", *DEPLOY_PATHS, check=False).returncode != 0


def look_up(sha: str, out: Path) -> Merge:
    merge = Merge(sha)
    pulls = [p for p in gh_json("api", f"repos/{repo()}/commits/{sha}/pulls") or []
             if p.get("merge_commit_sha") == sha]
    if not pulls:
        merge.problem = "was pushed without a pull request, so no plan of it was reviewed"
        return merge
    merge.pr, head = int(pulls[0]["number"]), pulls[0]["head"]["sha"]
    runs = gh_json("run", "list", "--workflow", os.environ.get("WORKFLOW_FILE", "tmi-deploy.yml"), "--event",
                   "pull_request", "--commit", head, "--status", "success", "--json", "databaseId")
    if not runs:
        merge.problem = f"has no successful plan run at its head {head[:12]}"
        return merge
    merge.run = int(runs[0]["databaseId"])
    merge = fetch_plans(merge, out / sha)
    omitted = sorted(changed_by(sha) - set(merge.planned)) if not merge.problem else []
    if omitted:
        # The manifest comes from the pull request's own code: trust it to add, never to leave out.
        merge.problem = f"changed {', '.join(omitted)} but its reviewed plan does not hold them"
    return merge


def changed_by(sha: str) -> set[str]:
    """Environments a merge certainly changed: those whose own file it changed, or all when it changed the
    tool. (Changes through a partial are the plan's to find: `--changed-since` follows `extends`.)"""
    env_dir = os.environ.get("TMI_DEPLOY_ENVIRONMENTS", "environments")
    at_merge = {Path(p).stem for p in git("ls-tree", "--name-only", f"{sha}:{env_dir}").splitlines()
                if p.endswith(".yml") and not p.startswith("_")}
    parent = run("git", "rev-parse", "-q", "--verify", f"{sha}^1", check=False).stdout.strip()
    if not parent or run("git", "diff", "--quiet", parent, sha, "--", *TOOL_PATHS, check=False).returncode != 0:
        return at_merge
    changed = {Path(p).stem for p in git("diff", "--name-only", parent, sha, "--", env_dir).splitlines()}
    return changed & at_merge


def fetch_plans(merge: Merge, folder: Path) -> Merge:
    pattern = f"tmi-deploy-plan-pr-{merge.pr}-shard-*"
    got = run("gh", "run", "download", str(merge.run), "--pattern", pattern, "--dir", str(folder), check=False)
    if got.returncode != 0:
        merge.problem = (f"plan artifacts of run {merge.run} cannot be fetched (expired after the retention "
                         f"period, or the API refused): {got.stderr.strip()[:200]}")
        return merge
    manifests = [json.loads(p.read_text()) for p in sorted(folder.glob("*/manifest.json"))]
    shards = {m["shard"] for m in manifests}
    total = int(manifests[0]["shard"].split("/")[1]) if manifests else 0
    if not manifests or shards != {f"{i}/{total}" for i in range(1, total + 1)}:
        merge.problem = f"run {merge.run} published manifests for shards {sorted(shards)}, not all of them"
        return merge
    for path in sorted(folder.glob("*/manifest.json")):
        listed = json.loads(path.read_text())["environments"]
        held = environments_in(path.with_name("plan.json"))
        if sorted(listed) != sorted(held):
            merge.problem = f"manifest {path.parent.name} lists {listed} but its plan holds {held}"
            return merge
        merge.planned.update({env: path.parent.name for env in listed})
    return merge


def queue_for(env: str, pending: list[str], merges: dict[str, Merge], out: Path) -> tuple[Merge | None, list[Merge]]:
    """The newest merge whose reviewed plan holds ``env`` (its plan shows the whole difference from live
    state, so it covers the older ones), and the newer merges that may have changed ``env`` unseen."""
    unknown: list[Merge] = []
    for sha in reversed(pending):
        if sha not in merges:
            merges[sha] = look_up(sha, out)
        merge = merges[sha]
        if merge.problem:
            unknown.append(merge)
        elif env in merge.planned:
            return merge, unknown
    return None, unknown


def resolve(out: Path) -> int:
    env_dir = Path(os.environ.get("TMI_DEPLOY_ENVIRONMENTS", "environments"))
    order = git("rev-list", "--first-parent", "HEAD").splitlines()
    history = {sha: index for index, sha in enumerate(order)}  # 0 is the newest
    last_stage = set(os.environ.get("LAST_ENVIRONMENTS", "production").split())
    if last_stage - set(declared_environments(env_dir)):
        # A misspelt name would quietly move production into the first stage, beside staging.
        raise Fail(f"LAST_ENVIRONMENTS names {', '.join(sorted(last_stage - set(declared_environments(env_dir))))}, "
                   f"which {env_dir}/ does not declare")
    merges: dict[str, Merge] = {}
    stages: dict[str, list[dict[str, str]]] = {"first": [], "last": []}
    failures: list[tuple[str, Merge]] = []
    for env in declared_environments(env_dir):
        applied = last_applied(env, history) or starting_point(env, env_dir, history)
        newer = order[: history[applied]] if applied else order
        pending = [sha for sha in reversed(newer) if changes_deploy(sha)]
        chosen, unknown = queue_for(env, pending, merges, out)
        if unknown:
            failures += [(env, merge) for merge in unknown]
            continue
        if chosen is None:
            summary(f"- `{env}`: nothing to apply (last applied {applied[:12] if applied else 'never'})")
            continue
        covered = [merges[s].label() for s in pending if s in merges and s != chosen.sha]
        summary(f"- `{env}`: apply the plan reviewed on #{chosen.pr} ({chosen.label()})"
                + (f", which also covers {', '.join(covered)}" if covered else ""))
        stages["last" if env in last_stage else "first"].append(
            {"env": env, "run": str(chosen.run), "artifact": chosen.planned[env], "pr": str(chosen.pr),
             "merge": chosen.sha})
    for name, entries in stages.items():
        output(name, json.dumps({"include": entries}) if entries else "")
    if failures:
        report_unapplied(failures, out)
        return 1
    return 0


REMEDY = ("Nothing was applied. For each environment named, open a pull request that changes environments/ENV.yml "
          "(a comment line is enough): its plan is reviewed afresh against live state, covers every merge named, "
          "and is applied when merged. Re-running this workflow cannot help: it finds the same merges.")


def report_unapplied(failures: list[tuple[str, Merge]], out: Path) -> None:
    """Fail loudly where a reviewer looks: annotations and the run summary, and on each pull request named."""
    lines = [f"{env}: merge {merge.label()} {merge.problem}" for env, merge in failures]
    for line in lines:
        print(f"::error::{line}")
    print(f"::error::{REMEDY}")
    summary("\n".join(["### Merges that were not applied", *[f"- {line}" for line in lines], "", REMEDY]))
    run_url = f"{os.environ.get('GITHUB_SERVER_URL', 'https://github.com')}/{repo()}/actions/runs/" \
              f"{os.environ.get('GITHUB_RUN_ID', '')}"
    for number in sorted({m.pr for _, m in failures if m.pr}):
        note = out / f"unapplied-{number}.md"
        mine = [line for line, (_, m) in zip(lines, failures, strict=True) if m.pr == number]
        note.parent.mkdir(parents=True, exist_ok=True)
        note.write_text("### tmi-deploy: this merge was not applied\n\n" + "\n".join(f"- {line}" for line in mine)
                        + f"\n\n{REMEDY}\n\n[The run]({run_url})\n", encoding="utf-8")
        comment(str(number), "unapplied", note)
