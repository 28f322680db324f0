"""Import: the file meant to be committed holds references for secrets, and any value round-trips."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import client_for, make_sandbox
from tests.harness import SCENARIOS, apply, load, plan
from tmi_deploy.config.loader import load_environment
from tmi_deploy.config.models import AppDesired, Environment, Origin, Policy, SecretEnv
from tmi_deploy.heroku.reads import fetch_live
from tmi_deploy.plan.importer import build_environment_yaml, provably_public
from tmi_deploy.sandbox import Sandbox

CANARY = "IMPORTCANARY-3c1b"
HERE = Origin(file="(import)", line=1, column=1)
TRICKY = ["@at", "%percent", "*star", "'quote", "{brace", "[bracket", "tab\there", "two\nlines", "ünï©ødé ✓",
          "trailing ", " leading", "yes", "0o17", "3.10", "~", "null", "- dash", "# hash", "a: b", "\"dq", "\\", "|",
          ">", "!tag", "&anchor", "`tick", "\r\n", "\u2028sep", "\x85nel", "\ufeffbom", "ctrl\x01\x7f"]


def import_text(box: Sandbox, roles: dict[str, str]) -> str:
    shell = Environment(name="imported", file="(import)", tmi_version="1.8.22", policy=Policy(), base_dir=".", apps={
        role: AppDesired(role=role, name=name, region="us", stack="heroku-24", team=None, url=None, config={},
                         addons={}, features={}, formation={}, buildpacks=None, collaborators=(), origin=HERE)
        for role, name in roles.items()})

    async def go() -> str:
        async with client_for(box) as client:
            live = await fetch_live(client, shell)
        return build_environment_yaml(live, "1.8.22", "Imported")

    return asyncio.run(go())


def applied_with(tmp_path: Path, overlay: str, environ: dict[str, str]) -> Sandbox:
    box = make_sandbox()
    (tmp_path / "_base.yml").write_text((SCENARIOS / "_base.yml").read_text())
    (tmp_path / "env.yml").write_text(f"extends: _base.yml\napps:\n  server:\n    config:\n{overlay}")
    apply(box, load("env", tmp_path), {"SCN_GITHUB_SECRET": "gh", **environ})
    return box


ROLES = {"server": "tmi-scn-server", "client": "tmi-scn-client"}


def test_secrets_become_references_never_values(tmp_path: Path) -> None:
    overlay = (f"      PLAIN_SETTING: {{secret_env: CANARY_ENV}}\n"
               f"      MY_SETTING: {{value: {CANARY}-lit, sensitive: true}}\n")
    box = applied_with(tmp_path, overlay, {"CANARY_ENV": CANARY + "-env"})
    box.platform.patch_config(box.platform.find_app("tmi-scn-server"),
                              {"SMTP_PASS": "hunter2", "SENTRY_URL": f"https://u:{CANARY}@s.example/1"})
    text = import_text(box, ROLES)
    for leaked in (CANARY, "hunter2", "gh"):
        assert f": {leaked}" not in text and leaked + "-" not in text and f"{leaked}@" not in text
    assert CANARY not in text and "hunter2" not in text
    config = yaml.safe_load(text)["apps"]["server"]["config"]
    for name in ("PLAIN_SETTING", "MY_SETTING", "SMTP_PASS", "SENTRY_URL", "OAUTH_PROVIDERS_GITHUB_CLIENT_SECRET"):
        assert config[name] == {"secret_env": name}
    assert config["TMI_JWT_SECRET"] == {"generate": "base64", "bytes": 32}  # keeps the live key, needs no secret
    assert config["TMI_DATABASE_URL"] == {"addon": "DATABASE", "part": "url", "sslmode": "require"}
    assert config["TMI_LOG_LEVEL"] == "info"


def test_public_values_stay_literals() -> None:
    assert provably_public("server", "TMI_OPERATOR_NAME", "Example Corp")
    assert provably_public("server", "OAUTH_PROVIDERS_GITHUB_TOKEN_URL", "https://github.com/login/oauth/access_token")
    for harmless in ("true", "42", "30s", "https://example.com/x", ""):
        assert provably_public("server", "UNKNOWN_SETTING", harmless)
    for unproven in ("Example Corp", "hunter2", "a" * 40, "https://u:p@h.example"):
        assert not provably_public("server", "UNKNOWN_SETTING", unproven)
    assert not provably_public("server", "TMI_OPERATOR_NAME", "9f" * 32)  # content says key
    assert not provably_public("server", "TMI_OPERATOR_NAME", "lone \ud800 surrogate")  # cannot be written


@pytest.mark.parametrize("role", ["server", "client"])
def test_any_public_value_round_trips_through_the_loader(tmp_path: Path, role: str) -> None:
    box = make_sandbox()
    apply(box, load("main"), {"SCN_GITHUB_SECRET": "gh"})
    for value in TRICKY:
        box.platform.patch_config(box.platform.find_app(ROLES[role]), {"TMI_OPERATOR_NAME": value})
        text = import_text(box, ROLES)
        (tmp_path / "imported.yml").write_text(text, encoding="utf-8")
        env = load_environment(tmp_path, "imported")
        assert env.apps[role].config["TMI_OPERATOR_NAME"].source == value, repr(value)


def test_imported_file_plans_no_changes(tmp_path: Path) -> None:
    box = applied_with(tmp_path, "      PLAIN_SETTING: {secret_env: CANARY_ENV}\n", {"CANARY_ENV": CANARY})
    box.platform.patch_config(box.platform.find_app("tmi-scn-server"), {"TMI_OPERATOR_NAME": "{'x': [1]}\t@"})
    out = tmp_path / "out"
    out.mkdir()
    (out / "imported.yml").write_text(import_text(box, ROLES), encoding="utf-8")
    env = load_environment(out, "imported")
    assert env.apps["server"].config["PLAIN_SETTING"].source == SecretEnv(secret_env="PLAIN_SETTING")
    result = plan(box, env, {"PLAIN_SETTING": CANARY, "OAUTH_PROVIDERS_GITHUB_CLIENT_SECRET": "gh"})
    assert [c for c in result.environments[0].changes if c.kind == "config"] == []


def test_cli_import_of_hostile_live_values_writes_references_and_never_crashes(cli: Any, tmp_path: Path) -> None:
    """The issue's crash (values starting with @ % * ' { [ or holding a tab) and leaks, through the CLI."""
    assert cli("--sandbox", "apply", "staging", "--yes").exit_code == 0
    state_file = tmp_path / ".tmi-deploy" / "sandbox.json"
    state = json.loads(state_file.read_text())
    server = next(app for app in state["apps"].values() if app["name"] == "tmi-server-staging")
    server["config"].update({"SMTP_PASS": "hunter2", "TMI_OPERATOR_NAME": "@x\t{y", "TMI_OPERATOR_CONTACT": "%p",
                             "TMI_ADMIN_EMAIL": "*s", "TMI_OPERATOR_JURISDICTION": "'q", "TMI_ADMIN_GROUP_NAME": "[z"})
    state_file.write_text(json.dumps(state))
    result = cli("--sandbox", "import", "copy", "--app", "server=tmi-server-staging", "--write")
    assert result.exit_code == 0, result.output
    text = (tmp_path / "environments" / "copy.yml").read_text()
    assert "hunter2" not in text and "hunter2" not in result.output
    config = load_environment(tmp_path / "environments", "copy").apps["server"].config
    assert config["SMTP_PASS"].source == SecretEnv(secret_env="SMTP_PASS")
    assert [config[n].source for n in ("TMI_OPERATOR_NAME", "TMI_OPERATOR_CONTACT", "TMI_ADMIN_EMAIL",
                                       "TMI_OPERATOR_JURISDICTION", "TMI_ADMIN_GROUP_NAME")] == [
        "@x\t{y", "%p", "*s", "'q", "[z"]
