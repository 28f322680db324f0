"""A repository, its pull requests and merges, driven through our workflows' jobs (tests/ci_runner.py) against a
served sandbox and a stand-in GitHub: open a pull request, plan it (both shards, as one run), merge it, push
(resolve, then the apply jobs the caller's `if:` and matrix select, staging's stage before production's)."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tests.ci_expr import Evaluator, condition, functions, interpolate
from tests.ci_runner import Job, Runner
from tests.conftest import ROOT
from tests.harness import SCENARIOS

WORKFLOW = ".github/workflows/tmi-deploy.yml"
APPLY = ".github/workflows/tmi-deploy-apply.yml"
REPOSITORY = "acme/deploy"


def environment(name: str, level: str = "info") -> str:
    """An environment of its own two apps; ``level`` is the change a pull request makes."""
    return (f"extends: _base.yml\napps:\n  server:\n    name: tmi-ci-{name}-server\n"
            f"    config: {{TMI_LOG_LEVEL: {level}}}\n  client:\n    name: tmi-ci-{name}-client\n")


@dataclass
class PullRequest:
    number: int
    head: str
    merge_ref: str  # refs/pull/N/merge: the head merged into the base as it was when GitHub made it
    run: int = 0


class Flow:
    def __init__(self, tmp: Path, url: str) -> None:
        self.repo = tmp / "repo"
        (self.repo / "environments").mkdir(parents=True)
        shutil.copytree(ROOT / ".github", self.repo / ".github")
        base = (SCENARIOS / "_base.yml").read_text()
        base = base.replace("{addon: REDIS, part: url}", "{value: 'redis://:pw@redis.example.com:6379', sensitive: true}")
        base = base.replace("{secret_env: SCN_GITHUB_SECRET}", "{value: gh-secret-value-1, sensitive: true}")
        self.write({"environments/_base.yml": base, "environments/staging.yml": environment("staging"),
                    "environments/production.yml": environment("production")})
        self.git("init", "-q", "-b", "main")
        # Adopting the workflow on a repository with history: the operator names a commit known applied.
        self.write({".github/tmi-deploy-since": self.commit("initial") + "\n"})
        self.git("update-ref", "refs/remotes/origin/main", self.commit("adopt tmi-deploy's workflow"))
        self.runner = Runner(self.repo, tmp / "work", {"HEROKU_API_URL": url})
        self.runner.set_state({})
        self.numbers, self.run_ids = 0, 100
        self.secrets = {"HEROKU_READ_API_KEY": "test-token", "TMI_DEPLOY_PLAN_KEY": "ci-plan-key",
                        "HEROKU_API_KEY": "test-token"}

    def git(self, *args: str) -> str:
        return subprocess.run(["git", "-c", "user.name=ci", "-c", "user.email=ci@example.com", *args], cwd=self.repo,
                              check=True, capture_output=True, text=True).stdout.strip()

    def switch(self, *where: str) -> None:
        """What a developer's clone does between jobs: nothing a job left behind stays."""
        self.git("checkout", "-q", "-f", *where)
        self.git("clean", "-q", "-ffdx")

    def write(self, files: dict[str, str | None]) -> None:
        for path, text in files.items():
            if text is None:
                (self.repo / path).unlink()
            else:
                (self.repo / path).parent.mkdir(parents=True, exist_ok=True)
                (self.repo / path).write_text(text)

    def commit(self, message: str) -> str:
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message)
        return self.git("rev-parse", "HEAD")

    def open(self, files: dict[str, str | None]) -> PullRequest:
        self.numbers += 1
        self.switch("--detach", "main")
        self.write(files)
        head = self.commit(f"change #{self.numbers}")
        return self.refresh(PullRequest(self.numbers, head, ""))

    def refresh(self, pr: PullRequest) -> PullRequest:
        """GitHub's merge ref: the head merged into today's base (made when the pull request is updated)."""
        self.switch("--detach", "main")
        self.git("merge", "-q", "--no-ff", pr.head, "-m", f"Merge {pr.head} into main")
        pr.merge_ref = self.git("rev-parse", "HEAD")
        return pr

    def github(self, event_name: str, sha: str, ref: str, **more: Any) -> dict[str, Any]:
        return {"event_name": event_name, "sha": sha, "ref": ref, "repository": REPOSITORY, "run_id": self.run_ids,
                "token": "github-token", "base_ref": "main", **more}

    def plan(self, pr: PullRequest) -> list[Job]:
        self.run_ids += 1
        pr.run = self.run_ids
        event = {"pull_request": {"number": pr.number, "head": {"sha": pr.head}}}
        github = self.github("pull_request", pr.merge_ref, f"refs/pull/{pr.number}/merge", event=event)
        jobs = [self.runner.job(self.repo / WORKFLOW, "plan", github, secrets=self.secrets,
                                matrix={"shard": f"{i + 1}/2"}, job_index=i) for i in range(2)]
        state = self.runner.state()
        state.setdefault("runs", []).append({
            "databaseId": pr.run, "headSha": pr.head, "event": "pull_request", "workflow": "tmi-deploy.yml",
            "conclusion": "success" if all(j.result == "success" for j in jobs) else "failure"})
        self.runner.set_state(state)
        return jobs

    def merge(self, pr: PullRequest) -> str:
        self.switch("main")
        self.git("merge", "-q", "--no-ff", pr.head, "-m", f"Merge pull request #{pr.number}")
        sha = self.git("rev-parse", "HEAD")
        self.git("update-ref", "refs/remotes/origin/main", sha)  # what a checkout with fetch-depth 0 sees
        state = self.runner.state()
        state.setdefault("pulls", []).append({"number": pr.number, "merge_commit_sha": sha, "head": {"sha": pr.head}})
        self.runner.set_state(state)
        return sha

    def push(self, sha: str) -> dict[str, Any]:
        """The push run: resolve, then each caller job of the reusable apply workflow, in `needs` order."""
        self.run_ids += 1
        github = self.github("push", sha, "refs/heads/main")
        spec = yaml.safe_load((self.repo / WORKFLOW).read_text())
        jobs: dict[str, Any] = {"resolve": self.runner.job(self.repo / WORKFLOW, "resolve", github, secrets={})}
        needs = {"resolve": {"result": jobs["resolve"].result, "outputs": jobs["resolve"].outputs}}
        for name in ("apply", "apply-production"):
            legs = self.call(spec["jobs"][name], github, needs)
            result = "skipped" if legs is None else (
                "success" if all(leg.result == "success" for leg in legs) else "failure")
            jobs[name] = legs or []
            needs[name] = {"result": result, "outputs": {}}
        return jobs

    def call(self, caller: dict[str, Any], github: dict[str, Any], needs: dict[str, Any]) -> list[Job] | None:
        contexts: dict[str, Any] = {"github": github, "needs": needs, "secrets": self.secrets, "matrix": {}}
        status = "success" if all(needs[n]["result"] in ("success", "skipped") for n in caller_needs(caller)) else "failure"
        evaluator = Evaluator(contexts, functions(lambda: status, self.repo))
        if not condition(evaluator, caller.get("if")):
            return None
        matrix = interpolate(evaluator, caller["strategy"]["matrix"])
        legs = []
        for entry in matrix["include"]:
            contexts["matrix"] = entry
            inputs = {k: interpolate(evaluator, v) for k, v in caller["with"].items()}
            passed = {k: interpolate(evaluator, v) for k, v in caller.get("secrets", {}).items()}
            # The job's environment supplies its own secrets (the write key), over what the caller passes.
            secrets = {**passed, "HEROKU_API_KEY": self.secrets["HEROKU_API_KEY"]}
            legs.append(self.runner.job(self.repo / APPLY, "apply", github, secrets=secrets, inputs=inputs))
        return legs

    def deployments(self) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for deployment in self.runner.state().get("deployments", []):
            found.setdefault(deployment["environment"], []).append(deployment["sha"])
        return found

    def manifests(self, pr: PullRequest) -> list[dict[str, Any]]:
        folder = self.runner.gh_state / "artifacts" / str(pr.run)
        return [json.loads(p.read_text()) for p in sorted(folder.glob("*/manifest.json"))]


def caller_needs(caller: dict[str, Any]) -> list[str]:
    needs = caller.get("needs", [])
    return [needs] if isinstance(needs, str) else list(needs)
