"""UNKNOWN-NAME: a name TMI does not read is a finding with the closest known names; --strict fails on it."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from tmi_deploy.catalog.lint import lint, lint_live
from tmi_deploy.catalog.names import explained
from tmi_deploy.config.loader import load_environment

LINT = Path(__file__).parent / "lint"
ROOT = Path(__file__).parent.parent
GITHUB = ["OAUTH_PROVIDERS_GITHUB_ENABLED"]
NOTHING = "    config: {}\n"


def unknown(tmp_path: Path, server: str = NOTHING, client: str = NOTHING, top: str = "") -> list[tuple[str, str, str]]:
    shutil.copy(LINT / "_base.yml", tmp_path / "_base.yml")
    (tmp_path / "case.yml").write_text(f"extends: _base.yml\n{top}apps:\n  server:\n{server}  client:\n{client}")
    return [(f.path.rsplit(".", 1)[-1], f.message, f.hint) for f in lint(load_environment(tmp_path, "case"))
            if f.code == "UNKNOWN-NAME"]


def config(**names: str) -> str:
    return "    config:\n" + "".join(f"      {name}: {value}\n" for name, value in names.items())


@pytest.mark.parametrize(("typo", "meant"), [("TMI_LOG_LEVL", "TMI_LOG_LEVEL"), ("TMI_JWT_SECRETT", "TMI_JWT_SECRET"),
                                             ("TMI_REDIS_ULR", "TMI_REDIS_URL"), ("tmi_log_level", "TMI_LOG_LEVEL")])
def test_a_server_typo_names_the_setting_meant(tmp_path: Path, typo: str, meant: str) -> None:
    [(name, message, hint)] = unknown(tmp_path, server=config(**{typo: "x"}))
    assert name == typo and f"did you mean {meant}" in message and hint == f"rename it to {meant}"


def test_a_name_like_nothing_gets_no_suggestion(tmp_path: Path) -> None:
    [(name, message, hint)] = unknown(tmp_path, server=config(TMI_BOGUS_THING="1"))
    assert name == "TMI_BOGUS_THING" and "did you mean" not in message and "policy.tolerate" in hint


def test_a_client_typo_is_judged_against_what_tmi_ux_reads(tmp_path: Path) -> None:
    # TMI_SERVER_PORT is a server name: on the client it is unknown, and its nearest client name is offered.
    found = unknown(tmp_path, client=config(TMI_API_ULR="https://x.example", TMI_SERVER_PORT="1"))
    assert [(n, "did you mean TMI_API_URL" in m) for n, m, _ in found] == [("TMI_API_ULR", True), ("TMI_SERVER_PORT", False)]


def test_a_provider_field_is_known_once_the_provider_is_enabled() -> None:
    assert explained("server", "OAUTH_PROVIDERS_GITHUB_CLIENT_ID", [*GITHUB, "OAUTH_PROVIDERS_GITHUB_CLIENT_ID"], [], ())
    assert not explained("server", "OAUTH_PROVIDERS_GITHUB_CLIENT_IDD", GITHUB, [], ())
    assert not explained("server", "OAUTH_PROVIDERS_GITHUB_CLIENT_ID", ["OAUTH_PROVIDERS_GITHUB_CLIENT_ID"], [], ())
    assert explained("server", "OAUTH_PROVIDERS_GITHUB_USERINFO_CLAIMS_EMAIL_CLAIM", GITHUB, [], ())
    assert not explained("server", "OAUTH_PROVIDERS_GITHUB_USERINFO_CLAIMS_", GITHUB, [], ())
    assert explained("server", "SAML_PROVIDERS_OKTA_IDP_METADATA_URL", ["SAML_PROVIDERS_OKTA_ENABLED"], [], ())
    # Families are the server's: the client reads none of them.
    assert not explained("client", "OAUTH_PROVIDERS_GITHUB_CLIENT_ID", GITHUB, [], ())


def test_a_secret_key_is_known_only_when_a_value_asks_for_it() -> None:
    assert explained("server", "TMI_SECRET_SETTINGS_ENCRYPTION_KEY", [], [], ())  # TMI asks for it by name
    assert not explained("server", "TMI_SECRET_DB_PASSWORD", [], [], ())
    assert explained("server", "TMI_SECRET_DB_PASSWORD", [], ["vault://db_password"], ())
    assert explained("server", "MY_DATABASE_URL", [], ["env://MY_DATABASE_URL"], ())
    assert not explained("server", "MY_DATABASE_URL", [], ["env://MY_DATABASE_URLX"], ())


def test_names_the_environment_uses_on_purpose_are_not_findings(tmp_path: Path) -> None:
    server = ("    buildpacks: [heroku/go]\n    addons: {PAPERTRAIL: papertrail:choklad}\n"
              + config(GO_LINKER_SYMBOL="main.v", PAPERTRAIL_API_TOKEN="t", CUSTOM_FLAG="1", NODE_ENV="production"))
    client = "    buildpacks: [heroku/nodejs]\n" + config(NODE_ENV="production", NPM_CONFIG_PRODUCTION="false")
    found = unknown(tmp_path, server=server, client=client, top="policy: {tolerate: ['CUSTOM_*']}\n")
    # NODE_ENV is a Node buildpack setting: on the Go server it is nobody's.
    assert [name for name, _, _ in found] == ["NODE_ENV"]


def test_a_typo_fails_validate_strict_and_passes_without(cli: Any, tmp_path: Path) -> None:
    (tmp_path / "environments" / "typo.yml").write_text(
        "extends: _base.yml\napps:\n  server:\n    name: tmi-typo\n    config:\n      TMI_LOG_LEVL: info\n"
        "  client: {name: tmi-typo-ux}\n")
    relaxed = cli("validate", "typo")
    assert relaxed.exit_code == 0 and "warning [UNKNOWN-NAME]" in relaxed.output
    strict = cli("validate", "--strict", "typo")
    assert strict.exit_code == 1 and "typo.yml:6:7: warning [UNKNOWN-NAME]" in strict.output
    assert "did you mean TMI_LOG_LEVEL?" in strict.output


def test_live_config_judges_add_on_vars_by_the_declared_attachments() -> None:
    env = load_environment(ROOT / "environments", "staging")
    live = {"server": {"REDISCLOUD_URL": "redis://h:1", "DATABASE_URL": "postgres://h/d", "PAPERTRAIL_API_TOKEN": "t",
                       "HEROKU_APP_NAME": "x", "TMI_LOG_LEVL": "info"}}
    found = [(p.file, p.path) for p in lint_live(env, live) if p.code == "UNKNOWN-NAME"]
    assert found == [("tmi-server-staging", "PAPERTRAIL_API_TOKEN"), ("tmi-server-staging", "TMI_LOG_LEVL")]


def test_hostile_names_are_reported_not_echoed_with_values(tmp_path: Path) -> None:
    secret = "s3cr3t-VALUE-never-shown"
    found = unknown(tmp_path, server=config(TMI_JWT_SECRT=f"'{secret}'", X_API_KEY=f"'{secret}'"))
    assert [name for name, _, _ in found] == ["TMI_JWT_SECRT", "X_API_KEY"]
    assert not any(secret in message + hint for _, message, hint in found)
