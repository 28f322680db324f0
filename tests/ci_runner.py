"""Runs a job of our GitHub workflows the way a runner does: steps in order, each `if:` evaluated with the
job's status, `env:` merged workflow -> job -> step and its expressions evaluated, `run:` under
`bash --noprofile --norc -eo pipefail`, GITHUB_OUTPUT / GITHUB_STEP_SUMMARY files, step and job outputs.
Actions are emulated: checkout checks out the event's commit (or `ref`), setup-python does nothing (the
test's Python is on PATH), upload-artifact copies into the stand-in gh's artifact store. `gh` and `pip`
on PATH are stand-ins (tests/ci_fake_gh.py; pip records and does nothing: tmi-deploy is installed)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tests.ci_expr import Evaluator, condition, functions, interpolate

FAKE_GH = Path(__file__).with_name("ci_fake_gh.py")


@dataclass
class Step:
    name: str
    outcome: str
    output: str


@dataclass
class Job:
    result: str
    outputs: dict[str, str]
    steps: list[Step] = field(default_factory=list)

    def log(self) -> str:
        return "\n".join(f"--- {s.name}: {s.outcome}\n{s.output}" for s in self.steps)


class Runner:
    """One repository checkout, one stand-in GitHub (state + artifacts), one sandbox URL."""

    def __init__(self, repo: Path, work: Path, extra_env: dict[str, str]) -> None:
        self.repo, self.work, self.extra_env = repo, work, extra_env
        self.gh_state = work / "gh"
        self.bin = work / "bin"
        self.gh_state.mkdir(parents=True, exist_ok=True)
        self.bin.mkdir(parents=True, exist_ok=True)
        (self.bin / "gh").write_text(f'#!/bin/sh\nexec "{sys.executable}" "{FAKE_GH}" "$@"\n')
        (self.bin / "pip").write_text('#!/bin/sh\necho "pip $*" >> "$FAKE_GH_STATE/pip.log"\n')
        for tool in ("gh", "pip"):
            (self.bin / tool).chmod(0o755)
        self.runs = 0

    @staticmethod
    def git(repo: Path, *args: str) -> str:
        return subprocess.run(["git", "-c", "user.name=ci", "-c", "user.email=ci@example.com", *args], cwd=repo,
                              check=True, capture_output=True, text=True).stdout.strip()

    def state(self) -> dict[str, Any]:
        path = self.gh_state / "state.json"
        return json.loads(path.read_text()) if path.exists() else {}

    def set_state(self, state: dict[str, Any]) -> None:
        (self.gh_state / "state.json").write_text(json.dumps(state))

    def calls(self) -> list[list[str]]:
        path = self.gh_state / "calls.jsonl"
        return [json.loads(line)["argv"] for line in path.read_text().splitlines()] if path.exists() else []

    def job(self, workflow: Path, name: str, github: dict[str, Any], *, secrets: dict[str, str],
            matrix: dict[str, Any] | None = None, needs: dict[str, Any] | None = None,
            inputs: dict[str, Any] | None = None, job_index: int = 0) -> Job:
        spec = yaml.safe_load(workflow.read_text())
        job = spec["jobs"][name]
        status = {"value": "success"}
        steps_ctx: dict[str, Any] = {}
        contexts: dict[str, Any] = {
            "github": github, "secrets": secrets, "matrix": matrix or {}, "needs": needs or {}, "inputs": inputs or {},
            "steps": steps_ctx, "strategy": {"job-index": job_index}, "runner": {"temp": str(self.work / "tmp")},
            "vars": {}, "env": {}}
        evaluator = Evaluator(contexts, functions(lambda: status["value"], self.repo))
        base_env = {**{k: str(interpolate(evaluator, v)) for k, v in (spec.get("env") or {}).items()},
                    **{k: str(interpolate(evaluator, v)) for k, v in (job.get("env") or {}).items()}}
        result = Job("success", {})
        for index, step in enumerate(job["steps"]):
            contexts["env"] = base_env
            if not condition(evaluator, step.get("if")):
                result.steps.append(Step(step.get("name", f"step {index}"), "skipped", ""))
                continue
            env = {**base_env, **{k: str(interpolate(evaluator, v)) for k, v in (step.get("env") or {}).items()}}
            outcome, output, outputs = self.step(step, env, github, evaluator)
            result.steps.append(Step(step.get("name") or step.get("run") or step.get("uses", ""), outcome, output))
            if "id" in step:
                steps_ctx[step["id"]] = {"outputs": outputs, "outcome": outcome, "conclusion": outcome}
            if outcome == "failure":
                status["value"] = result.result = "failure"
        result.outputs = {k: str(interpolate(evaluator, v)) for k, v in (job.get("outputs") or {}).items()}
        return result

    def step(self, step: dict[str, Any], env: dict[str, str], github: dict[str, Any],
             evaluator: Evaluator) -> tuple[str, str, dict[str, str]]:
        if "uses" in step:
            with_ = {k: interpolate(evaluator, v) for k, v in (step.get("with") or {}).items()}
            return self.action(step["uses"], with_, github)
        self.runs += 1
        folder = self.work / "steps" / str(self.runs)
        folder.mkdir(parents=True)
        script, out_file, summary = folder / "script.sh", folder / "output", folder / "summary"
        script.write_text(str(interpolate(evaluator, step["run"])))  # GitHub expands ${{ }} before bash runs
        out_file.touch()
        runner_env = {
            "PATH": f"{self.bin}{os.pathsep}{Path(sys.executable).parent}{os.pathsep}/usr/bin:/bin",
            "HOME": str(self.work), "LANG": "C.UTF-8", "CI": "true", "GITHUB_ACTIONS": "true",
            "GITHUB_REPOSITORY": github["repository"], "GITHUB_SHA": github["sha"], "GITHUB_REF": github["ref"],
            "GITHUB_EVENT_NAME": github["event_name"], "GITHUB_RUN_ID": str(github["run_id"]),
            "GITHUB_WORKSPACE": str(self.repo), "GITHUB_OUTPUT": str(out_file), "GITHUB_STEP_SUMMARY": str(summary),
            "RUNNER_TEMP": str(self.work / "tmp"), "FAKE_GH_STATE": str(self.gh_state), **self.extra_env}
        done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)], cwd=self.repo,
                              env={**runner_env, **env}, capture_output=True, text=True, timeout=300)
        return ("success" if done.returncode == 0 else "failure", done.stdout + done.stderr,
                parse_outputs(out_file.read_text()))

    def action(self, uses: str, with_: dict[str, Any], github: dict[str, Any]) -> tuple[str, str, dict[str, str]]:
        action = uses.split("@")[0]
        if action == "actions/checkout":
            ref = with_.get("ref") or github["sha"]
            # Every job starts from a fresh workspace: actions/checkout's `clean: true` (git clean -ffdx).
            done = subprocess.run(["git", "checkout", "-q", "-f", "--detach", ref], cwd=self.repo, capture_output=True,
                                  text=True)
            subprocess.run(["git", "clean", "-q", "-ffdx"], cwd=self.repo, check=True)
            return ("success" if done.returncode == 0 else "failure", done.stderr, {})
        if action == "actions/setup-python":
            return "success", "", {}
        if action == "actions/upload-artifact":
            return self.upload(with_, github)
        raise AssertionError(f"the workflow uses {uses}, which these tests do not emulate")

    def upload(self, with_: dict[str, Any], github: dict[str, Any]) -> tuple[str, str, dict[str, str]]:
        paths = [self.repo / p.strip() for p in str(with_["path"]).splitlines() if p.strip()]
        found = [p for p in paths if p.is_file()]
        if not found:
            outcome = "failure" if with_.get("if-no-files-found") == "error" else "success"
            return outcome, "no files found", {}
        common = Path(os.path.commonpath([p.parent for p in found]))
        target = self.gh_state / "artifacts" / str(github["run_id"]) / str(with_["name"])
        for path in found:
            (target / path.relative_to(common)).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, target / path.relative_to(common))
        return "success", "", {}


def parse_outputs(text: str) -> dict[str, str]:
    outputs, lines = {}, iter(text.splitlines())
    for line in lines:
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, marker = line.split("<<", 1)
            body = []
            for more in lines:
                if more == marker:
                    break
                body.append(more)
            outputs[name] = "\n".join(body)
        elif "=" in line:
            name, value = line.split("=", 1)
            outputs[name] = value
    return outputs
