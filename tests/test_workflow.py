"""The GitHub workflow runs tmi-deploy only through .github/tmi-deploy-steps.sh (and tmi-deploy-ci.py), and that
script's plan -> consent -> apply, stale and drift steps behave against a served sandbox."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from tests.conftest import HEADERS, ROOT
from tests.harness import SCENARIOS

WORKFLOW = ROOT / ".github" / "workflows" / "tmi-deploy.yml"
WORKFLOWS = [WORKFLOW, ROOT / ".github" / "workflows" / "tmi-deploy-apply.yml"]
STEPS = ROOT / ".github" / "tmi-deploy-steps.sh"
MAIN = "extends: _base.yml\n"
REPLACE_REDIS = "apps:\n  server:\n    addons:\n      REDIS: papertrail:choklad\n"


def test_workflow_runs_tmi_deploy_only_through_the_tested_scripts() -> None:
    """tmi-deploy runs through tmi-deploy-steps.sh (tested below) or tmi-deploy-ci.py (tests/test_ci_flow.py)."""
    runs = [step.get("run", "") for workflow in WORKFLOWS for job in yaml.safe_load(workflow.read_text())["jobs"].values()
            for step in job.get("steps", [])]
    assert not [run for run in runs if "tmi-deploy " in run and not re.search(r"tmi-deploy-(steps\.sh|ci\.py) ", run)]
    steps = [run.split("tmi-deploy-steps.sh ")[1].split()[0] for run in runs if "tmi-deploy-steps.sh " in run]
    assert sorted(steps) == ["apply", "drift"]
    assert "ci.py plan plans" in WORKFLOW.read_text()  # which calls `tmi-deploy-steps.sh plan`


@pytest.fixture
def project(tmp_path: Path, served: tuple[Any, str]) -> Any:
    """A repository with the scenario environments, and a runner of the steps script against the sandbox."""
    _, url = served
    (tmp_path / "environments").mkdir()
    base = (SCENARIOS / "_base.yml").read_text()
    # validate --strict gates the plan job: TMI cannot use a TLS-only Redis, so this one comes from a secret.
    base = base.replace("TMI_REDIS_URL: {addon: REDIS, part: url}", "TMI_REDIS_URL: {secret_env: SCN_REDIS_URL}")
    (tmp_path / "environments" / "_base.yml").write_text(base)
    (tmp_path / "environments" / "main.yml").write_text(MAIN)
    env = {"PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}", "HOME": str(tmp_path),
           "HEROKU_API_URL": url, "HEROKU_API_KEY": "test-token", "TMI_DEPLOY_PLAN_KEY": "ci-plan-key",
           "SCN_GITHUB_SECRET": "gh-secret-value-1", "SCN_REDIS_URL": "redis://:pw@redis.example.com:6379",
           "NO_COLOR": "1"}

    def step(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["bash", str(STEPS), *args], cwd=tmp_path, env=env, capture_output=True, text=True,
                              timeout=120)

    return tmp_path, url, step


def test_plan_consent_apply_stale_and_a_drift_that_only_reads(project: Any) -> None:
    root, url, step = project
    main = root / "environments" / "main.yml"
    for index in (1, 2):  # the workflow's shards: each environment in exactly one
        sharded = step("plan", f"pr1/shard-{index}", "--shard", f"{index}/2")
        assert sharded.returncode == 0, sharded.stderr
    assert "## tmi-deploy plan" in (root / "pr1" / "shard-1" / "comment.md").read_text()
    assert "No environment to plan" in (root / "pr1" / "shard-2" / "comment.md").read_text()
    assert not (root / "pr1" / "shard-2" / "plan.json").exists()
    untouched = step("apply", "other", "pr1")  # the workflow asks only for planned environments: never silent
    assert untouched.returncode == 1 and "no reviewed plan under pr1 holds it" in untouched.stderr
    created = step("apply", "main", "pr1")  # found in shard 1's plan
    assert created.returncode == 0, created.stdout + created.stderr

    main.write_text(MAIN + REPLACE_REDIS)
    blocked = step("plan", "pr2")
    comment = (root / "pr2" / "comment.md").read_text()
    assert blocked.returncode == 0 and "> [!CAUTION]" in comment
    token = json.loads((root / "pr2" / "plan.json").read_text())["environments"][0]["blockers"][0]["consent"]
    assert step("apply", "main", "pr2").returncode == 3  # merged without consent: refused, nothing written

    main.write_text(MAIN + REPLACE_REDIS + f"consent: ['{token}']\n")  # the reviewer's consent, in the diff
    consented = step("plan", "pr3")
    assert consented.returncode == 0 and "Consented changes" in (root / "pr3" / "comment.md").read_text()
    applied = step("apply", "main", "pr3")
    assert applied.returncode == 0, applied.stdout + applied.stderr

    main.write_text(MAIN + REPLACE_REDIS + "    config:\n      TMI_LOG_LEVEL: debug\n")
    assert step("plan", "pr4").returncode == 0
    httpx.patch(f"{url}/apps/tmi-scn-server/config-vars", json={"TMI_LOG_LEVEL": "warn"}, headers=HEADERS)
    stale = step("apply", "main", "pr4")
    assert stale.returncode == 4, stale.stdout + stale.stderr
    fresh = (root / "pr4" / "stale.md").read_text()
    assert "the reviewed plan is stale" in fresh and "`warn`" in fresh
    assert "open a pull request that changes `environments/main.yml`" in fresh

    # What the read-only authorization must cover (docs/ci.md): planning every environment only reads.
    httpx.post(f"{url}/__sandbox/stats/reset", headers=HEADERS)
    assert step("drift", "nightly").returncode == 2
    assert "TMI_LOG_LEVEL" in (root / "nightly" / "drift.md").read_text()
    requests = httpx.get(f"{url}/__sandbox/stats", headers=HEADERS).json()["requests"]
    assert "GET /apps/{app}/config-vars" in requests  # hence read-protected, not read
    assert [route for route in requests if not route.startswith("GET ")] == []
