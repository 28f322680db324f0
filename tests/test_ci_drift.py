"""The drift job, run as GitHub runs it: it fails on every exit but "no drift" (0) and "drift" (2), keeps one
issue open while live state drifts and closes it when the plan is clean. tmi-deploy is a stand-in here that
exits with the code under test (the real plan's exit codes are tested in tests/test_workflow.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from tests.ci_expr import Evaluator, functions, interpolate
from tests.ci_runner import Runner
from tests.conftest import ROOT

WORKFLOW = ROOT / ".github" / "workflows" / "tmi-deploy.yml"
GITHUB = {"event_name": "schedule", "sha": "HEAD", "ref": "refs/heads/main", "repository": "acme/deploy",
          "run_id": 7, "token": "github-token"}


@pytest.fixture
def runner(tmp_path: Path) -> Runner:
    repo = tmp_path / "repo"
    (repo / "environments").mkdir(parents=True)
    (repo / "environments" / "staging.yml").write_text("extends: _base.yml\n")
    shutil.copytree(ROOT / ".github", repo / ".github")
    for command in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "x"]):
        Runner.git(repo, *command)
    runner = Runner(repo, tmp_path / "work", {})
    (runner.bin / "tmi-deploy").write_text('#!/bin/sh\necho "drifted: TMI_LOG_LEVEL"\nexit "$FAKE_TMI_EXIT"\n')
    (runner.bin / "tmi-deploy").chmod(0o755)
    return runner


def drift(runner: Runner, code: int) -> str:
    runner.extra_env["FAKE_TMI_EXIT"] = str(code)
    return runner.job(WORKFLOW, "drift", GITHUB, secrets={"HEROKU_READ_API_KEY": "read-only"}).result


@pytest.mark.parametrize("code", [1, 3, 4, 126, 137])
def test_the_drift_job_fails_on_any_unexpected_exit(runner: Runner, code: int) -> None:
    assert drift(runner, code) == "failure"
    assert not [call for call in runner.calls() if call[0] == "issue" and call[1] != "list"]


def test_drift_opens_one_issue_updates_it_and_closes_it_when_the_plan_is_clean(runner: Runner) -> None:
    assert drift(runner, 2) == "success"
    assert drift(runner, 2) == "success"  # the same issue, commented: never a second one
    issues = runner.state()["issues"]
    assert len(issues) == 1 and issues[0]["state"] == "open"
    assert ["drifted: TMI_LOG_LEVEL" in body for body in issues[0]["comments"]] == [True, True]
    assert drift(runner, 0) == "success"
    assert runner.state()["issues"][0]["state"] == "closed"
    assert drift(runner, 0) == "success" and len(runner.state()["issues"]) == 1


def test_drift_has_its_own_concurrency_group() -> None:
    group = yaml.safe_load(WORKFLOW.read_text())["concurrency"]["group"]

    def evaluate(event: str) -> str:
        context = {"github": {"event_name": event, "event": {"pull_request": {"number": 5}}}}
        return str(interpolate(Evaluator(context, functions(lambda: "success", ROOT)), group)).strip()
    groups = {event: evaluate(event) for event in ("schedule", "workflow_dispatch", "push", "pull_request")}
    assert groups["schedule"] == groups["workflow_dispatch"] != groups["push"] != groups["pull_request"], groups
