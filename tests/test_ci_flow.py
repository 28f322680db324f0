"""The workflow's logic, run as GitHub runs it (tests/ci_runner.py): pull request -> plan -> merge -> push ->
resolve -> apply, against a served sandbox and a stand-in `gh` that records calls and serves artifacts.
Each test is one way a merged change used to go unapplied while the workflow stayed green."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.ci_flow import Flow, environment
from tests.conftest import HEADERS


@pytest.fixture
def flow(tmp_path: Path, served: tuple[Any, str]) -> Flow:
    return Flow(tmp_path, served[1])


def live_level(flow: Flow, app: str) -> str | None:
    url = flow.runner.extra_env["HEROKU_API_URL"]
    found = httpx.get(f"{url}/apps/{app}/config-vars", headers=HEADERS)
    return found.json().get("TMI_LOG_LEVEL") if found.status_code == 200 else None


def errors(job: Any) -> str:
    return "\n".join(line for step in job.steps for line in step.output.splitlines() if "::error::" in line)


def test_a_merge_whose_plan_artifact_is_missing_fails_and_applies_nothing(flow: Flow) -> None:
    pr = flow.open({"environments/staging.yml": environment("staging", "debug")})
    flow.plan(pr)
    for artifact in (flow.runner.gh_state / "artifacts" / str(pr.run)).iterdir():
        for file in artifact.iterdir():
            file.unlink()
        artifact.rmdir()
    merged = flow.merge(pr)
    jobs = flow.push(merged)
    assert jobs["resolve"].result == "failure"
    assert f"merge {merged[:12]} (#{pr.number}) plan artifacts of run {pr.run} cannot be fetched" in errors(jobs["resolve"])
    assert jobs["apply"] == [] and jobs["apply-production"] == []
    told = flow.runner.state()["comments"][str(pr.number)][-1]["body"]  # the pull request hears of it
    assert "this merge was not applied" in told and f"merge {merged[:12]} (#{pr.number})" in told
    assert live_level(flow, "tmi-ci-staging-server") is None  # nothing applied: the app was never created
    assert merged not in flow.deployments().get("staging", [])


def test_an_expired_plan_artifact_fails_loudly(flow: Flow) -> None:
    pr = flow.open({"environments/production.yml": environment("production", "warn")})
    flow.plan(pr)
    for artifact in (flow.runner.gh_state / "artifacts" / str(pr.run)).iterdir():
        artifact.with_name(artifact.name + ".expired").touch()
    jobs = flow.push(flow.merge(pr))
    assert jobs["resolve"].result == "failure" and "no valid artifacts found" in errors(jobs["resolve"])
    assert "open a pull request that changes environments/ENV.yml" in errors(jobs["resolve"])
    assert live_level(flow, "tmi-ci-production-server") is None


def test_a_new_environment_is_planned_applied_and_recorded(flow: Flow) -> None:
    pr = flow.open({"environments/qa.yml": environment("qa", "debug")})
    flow.plan(pr)
    assert sorted(env for m in flow.manifests(pr) for env in m["environments"]) == ["qa"]
    merged = flow.merge(pr)
    jobs = flow.push(merged)
    assert [leg.result for leg in jobs["apply"]] == ["success"], jobs["resolve"].log()
    assert jobs["apply-production"] == []  # production was not changed: nothing to apply there
    assert live_level(flow, "tmi-ci-qa-server") == "debug"
    assert flow.deployments()["qa"] == [merged]


def test_a_cancelled_middle_merge_is_applied_by_the_next_run(flow: Flow) -> None:
    first = flow.open({"environments/staging.yml": environment("staging", "warn")})
    flow.plan(first)
    assert [leg.result for leg in flow.push(flow.merge(first))["apply"]] == ["success"]
    second = flow.open({"environments/staging.yml": environment("staging", "debug")})
    flow.plan(second)
    flow.merge(second)  # its push run was cancelled by the next merge's: never ran
    third = flow.open({"environments/production.yml": environment("production", "warn")})
    flow.plan(third)
    assert [env for m in flow.manifests(third) for env in m["environments"]] == ["production"]
    merged = flow.merge(third)
    jobs = flow.push(merged)
    assert [leg.result for leg in jobs["apply"] + jobs["apply-production"]] == ["success", "success"]
    assert live_level(flow, "tmi-ci-staging-server") == "debug"
    assert live_level(flow, "tmi-ci-production-server") == "warn"
    assert flow.deployments()["staging"][0] == merged and flow.deployments()["production"][0] == merged


def test_a_rerun_after_main_moved_plans_against_the_merge_refs_own_base(flow: Flow) -> None:
    old = flow.open({"environments/production.yml": environment("production", "warn")})
    moved = flow.open({"environments/staging.yml": environment("staging", "debug")})
    flow.plan(moved)
    flow.merge(moved)  # main moved on: staging changed
    flow.plan(old)  # a re-run of the old pull request's plan: the same merge ref, made before main moved
    planned = [env for m in flow.manifests(old) for env in m["environments"]]
    assert planned == ["production"], planned  # staging's newer change is not planned as a revert
    comments = "".join(c["body"] for c in flow.runner.state()["comments"][str(old.number)])
    assert "tmi-ci-staging-server" not in comments and "`warn`" in comments


def test_a_tool_change_plans_every_environment(flow: Flow) -> None:
    pr = flow.open({"pyproject.toml": "# the tool changed\n"})
    flow.plan(pr)
    manifests = flow.manifests(pr)
    assert sorted(env for m in manifests for env in m["environments"]) == ["production", "staging"]
    assert all(m["every_environment"] for m in manifests)


def test_every_shard_publishes_a_manifest_even_when_it_planned_nothing(flow: Flow) -> None:
    pr = flow.open({"environments/staging.yml": environment("staging", "debug")})
    jobs = flow.plan(pr)
    assert [j.result for j in jobs] == ["success", "success"], jobs[0].log() + jobs[1].log()
    assert sorted(m["shard"] for m in flow.manifests(pr)) == ["1/2", "2/2"]
    assert sorted(len(m["environments"]) for m in flow.manifests(pr)) == [0, 1]


def test_a_manifest_that_leaves_out_a_changed_environment_is_refused(flow: Flow) -> None:
    """The manifest is written by the pull request's own code: it may not hide an environment it changed."""
    pr = flow.open({"environments/production.yml": environment("production", "warn")})
    flow.plan(pr)
    for manifest in (flow.runner.gh_state / "artifacts" / str(pr.run)).glob("*/manifest.json"):
        manifest.write_text(json.dumps({**json.loads(manifest.read_text()), "environments": []}))
        manifest.with_name("plan.json").unlink(missing_ok=True)
    jobs = flow.push(flow.merge(pr))
    assert jobs["resolve"].result == "failure"
    assert "changed production but its reviewed plan does not hold them" in errors(jobs["resolve"])
    assert jobs["apply-production"] == []


def test_a_misspelt_last_stage_environment_fails_instead_of_running_production_first(flow: Flow) -> None:
    workflow = flow.repo / ".github" / "workflows" / "tmi-deploy.yml"
    workflow.write_text(workflow.read_text().replace("LAST_ENVIRONMENTS: production", "LAST_ENVIRONMENTS: prodution"))
    jobs = flow.push(flow.commit("a typo in the workflow"))
    assert jobs["resolve"].result == "failure"
    assert "LAST_ENVIRONMENTS names prodution, which environments/ does not declare" in errors(jobs["resolve"])
