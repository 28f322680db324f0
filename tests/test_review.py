"""Review environments from a template (`--instance pr-123`) and teardown: the typed confirmation,
protected add-ons refused unless named, other instances untouched, and a stopped destroy resumed."""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import client_for, make_sandbox
from tests.harness import SCENARIOS, apply, inputs
from tmi_deploy.apply.run import ApplyOptions
from tmi_deploy.config.loader import load_environment
from tmi_deploy.errors import ApplyFailed, ConfigError
from tmi_deploy.workflow import apply_planned, read_for_destroy

SECRETS = {"SCN_GITHUB_SECRET": "gh-secret-value-1"}
TEMPLATE = ("extends: _base.yml\napps:\n  server: {name: 'tmi-rv-{instance}-s'}\n"
            "  client: {name: 'tmi-rv-{instance}-c'}\n")


def template_folder(folder: Path) -> Path:
    folder.mkdir(exist_ok=True)
    shutil.copy(SCENARIOS / "_base.yml", folder / "_base.yml")
    (folder / "review.yml").write_text(TEMPLATE)
    return folder


def app_names(tmp_path: Path) -> set[str]:
    state = json.loads((tmp_path / ".tmi-deploy" / "sandbox.json").read_text())
    return {app["name"] for app in state["apps"].values()}


def test_a_template_needs_an_instance_and_each_instance_is_its_own_environment(cli: Any, tmp_path: Path) -> None:
    template_folder(tmp_path / "review")
    run = ("--sandbox", "--environments", "review")
    bare = cli(*run, "plan", "review", env=SECRETS)
    assert bare.exit_code == 1 and "this environment is a template" in bare.output and "--instance" in bare.output
    bad = cli(*run, "plan", "review", "--instance", "../x", env=SECRETS)
    assert bad.exit_code == 1 and "is not an instance name" in bad.output
    for instance in ("pr-7", "pr-8"):
        created = cli(*run, "apply", "review", "--instance", instance, "--yes", env=SECRETS)
        assert created.exit_code == 0, created.output
    assert {"tmi-rv-pr-7-s", "tmi-rv-pr-7-c", "tmi-rv-pr-8-s", "tmi-rv-pr-8-c"} <= app_names(tmp_path)
    again = cli(*run, "plan", "review", "--instance", "pr-7", "--detailed-exitcode", env=SECRETS)
    assert again.exit_code == 0 and "review@pr-7" in again.output


def test_destroy_confirms_refuses_protected_addons_and_leaves_other_instances(cli: Any, tmp_path: Path) -> None:
    template_folder(tmp_path / "review")
    run = ("--sandbox", "--environments", "review")
    for instance in ("pr-7", "pr-8"):
        assert cli(*run, "apply", "review", "--instance", instance, "--yes", env=SECRETS).exit_code == 0
    unconfirmed = cli(*run, "destroy", "review", "--instance", "pr-7", env=SECRETS)
    assert unconfirmed.exit_code in (1, 3) and "tmi-rv-pr-7-s" in app_names(tmp_path)
    blocked = cli(*run, "destroy", "review", "--instance", "pr-7", "--confirm", "review@pr-7", env=SECRETS)
    assert blocked.exit_code == 3 and "is protected by policy" in blocked.output
    token = next(w.strip("`") for w in blocked.output.split() if w.startswith("`destroy-addon:tmi-rv-pr-7-s:"))
    wrong = cli(*run, "destroy", "review", "--instance", "pr-7", "--confirm", "review", "--allow-destroy", token,
                env=SECRETS)
    assert wrong.exit_code == 1 and "does not match" in wrong.output and "tmi-rv-pr-7-s" in app_names(tmp_path)
    done = cli(*run, "destroy", "review", "--instance", "pr-7", "--confirm", "review@pr-7", "--allow-destroy", token,
               env=SECRETS)
    assert done.exit_code == 0, done.output
    names = app_names(tmp_path)
    assert not {"tmi-rv-pr-7-s", "tmi-rv-pr-7-c"} & names and {"tmi-rv-pr-8-s", "tmi-rv-pr-8-c"} <= names
    state = json.loads((tmp_path / ".tmi-deploy" / "sandbox.json").read_text())
    owners = {a["app_id"] for a in state["addons"].values()}
    assert owners <= {app["id"] for app in state["apps"].values()}  # no add-on left behind
    nothing = cli(*run, "destroy", "review", "--instance", "pr-7", "--confirm", "review@pr-7", env=SECRETS)
    assert nothing.exit_code == 0 and "Nothing to destroy" in nothing.output


def test_a_stopped_destroy_is_finished_by_the_next(tmp_path: Path) -> None:
    env = load_environment(template_folder(tmp_path), "review", instance="pr-9")
    box = make_sandbox()
    apply(box, env, SECRETS)
    calls = iter([False, True])  # one step, then an interrupt

    async def destroy(stop: Any) -> None:
        async with client_for(box) as client:
            planned = await read_for_destroy(client, env, ("DATABASE",))
            await apply_planned(client, planned, env.name, inputs(SECRETS, apply=True),
                                ApplyOptions(poll_interval=0.01, stop_requested=stop))

    with pytest.raises(ApplyFailed, match="interrupted before this step"):
        asyncio.run(destroy(lambda: next(calls)))
    assert any(a["name"] == "tmi-rv-pr-9-s" for a in box.state["apps"].values())
    asyncio.run(destroy(lambda: False))
    assert not any(a["name"].startswith("tmi-rv-pr-9") for a in box.state["apps"].values())
    assert not box.state["addons"]


def test_a_template_must_name_every_app_after_its_instance(tmp_path: Path) -> None:
    folder = template_folder(tmp_path)
    (folder / "review.yml").write_text(TEMPLATE.replace("'tmi-rv-{instance}-c'", "tmi-scn-client"))
    with pytest.raises(ConfigError, match=r"every app name of a template holds \{instance\}"):
        load_environment(folder, "review", instance="pr-1")


def test_no_app_is_written_or_destroyed_for_two_environments(cli: Any, tmp_path: Path) -> None:
    staging = tmp_path / "environments" / "staging.yml"
    production = (tmp_path / "environments" / "production.yml").read_text()
    prod_server = next(line.split(":", 1)[1].strip() for line in production.splitlines()
                       if line.strip().startswith("name: tmi-server"))
    staging.write_text(staging.read_text().replace("name: tmi-server-staging", f"name: {prod_server}"))
    validated = cli("validate")
    assert validated.exit_code == 1 and "[APP-OWNER]" in validated.output
    for command in (("apply", "staging", "--yes"), ("destroy", "staging", "--confirm", "staging")):
        refused = cli("--sandbox", *command)
        assert refused.exit_code == 1 and "another environment declares too" in refused.output, command


def test_a_token_variable_must_be_a_heroku_key(cli: Any, tmp_path: Path) -> None:
    staging = tmp_path / "environments" / "staging.yml"
    staging.write_text(staging.read_text() + "heroku: {token_env: GITHUB_TOKEN}\n")
    result = cli("validate", "staging")
    assert result.exit_code == 1 and "token_env" in result.output
