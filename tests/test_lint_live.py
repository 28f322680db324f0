"""Live health: the catalogue's value rules over config vars as they are on Heroku, set by hand or not."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tmi_deploy.catalog.lint import RULES, lint_live
from tmi_deploy.config.loader import load_environment
from tmi_deploy.config.models import Environment

ROOT = Path(__file__).parent.parent
HEX = "ab" * 32
# What a healthy staging server and client look like on Heroku after an apply.
HEALTHY_SERVER = {
    "GO_INSTALL_PACKAGE_SPEC": "github.com/ericfitz/tmi/cmd/server", "TMI_BUILD_MODE": "production",
    "TMI_LOG_IS_DEV": "false", "TMI_LOG_LEVEL": "debug", "TMI_JWT_SECRET": "s" * 44,
    "TMI_SECRET_SETTINGS_ENCRYPTION_KEY": HEX,
    "TMI_DATABASE_URL": "postgres://u:dbpass@db.example.com:5432/d?sslmode=require",
    "DATABASE_URL": "postgres://u:dbpass@db.example.com:5432/d",
    "TMI_REDIS_URL": "redis://default:redispass@redis.example.com:12345",
    "REDISCLOUD_URL": "redis://default:redispass@redis.example.com:12345",
    "TMI_CORS_ALLOWED_ORIGINS": "https://tmi-ux-staging-0123456789ab.herokuapp.com",
    "WEBSOCKET_ALLOWED_ORIGINS": "https://tmi-ux-staging-0123456789ab.herokuapp.com",
    "TMI_OAUTH_CLIENT_CALLBACK_ALLOWLIST": "https://tmi-ux-staging-0123456789ab.herokuapp.com/*",
    "TMI_OAUTH_CALLBACK_URL": "https://tmi-server-staging-0123456789ab.herokuapp.com/oauth2/callback",
}
HEALTHY_CLIENT = {"TMI_API_URL": "https://tmi-server-staging-0123456789ab.herokuapp.com", "TMI_LOG_LEVEL": "INFO"}


@pytest.fixture(scope="module")
def staging() -> Environment:
    return load_environment(ROOT / "environments", "staging")


def check(env: Environment, **changes: str | None) -> list[str]:
    server = {k: v for k, v in {**HEALTHY_SERVER, **changes}.items() if v is not None}
    return [p.render() for p in lint_live(env, {"server": server, "client": dict(HEALTHY_CLIENT)})]


def test_healthy_live_config_has_no_findings(staging: Environment) -> None:
    assert check(staging) == []


def test_findings_point_at_the_heroku_app_and_var(staging: Environment) -> None:
    problems = lint_live(staging, {"server": {**HEALTHY_SERVER, "TMI_SERVER_PORT": "8080"}})
    assert [(p.file, p.line, p.path, p.code, p.severity) for p in problems] == [
        ("tmi-server-staging", 0, "TMI_SERVER_PORT", "PORT", "error")]
    assert problems[0].render().startswith("tmi-server-staging: error [PORT]: TMI_SERVER_PORT: ")
    assert "remove TMI_SERVER_PORT" in problems[0].render()


BREAKAGES: list[tuple[dict[str, str | None], str, str]] = [
    ({"TMI_SERVER_TLS_ENABLED": "true"}, "TLS", "Heroku's router terminates TLS"),
    ({"TMI_LOG_IS_DEV": None}, "DEV-MODE", "defaults to true"),
    ({"TMI_LOG_IS_DEV": "T"}, "DEV-MODE", "development mode on"),
    ({"TMI_BUILD_MODE": "dev"}, "DEV-MODE", "TMI_BUILD_MODE=dev"),
    ({"TMI_LOG_LEVEL": "verbose"}, "TYPE", "is not one of"),
    ({"TMI_DB_MAX_OPEN_CONNS": "five"}, "TYPE", "is not an integer"),
    ({"TMI_CORS_ALLOWED_ORIGINS": "https://tmi.example.com/"}, "ORIGIN", "ends with a slash"),
    ({"WEBSOCKET_ALLOWED_ORIGINS": "*"}, "ORIGIN", "'*', which TMI rejects"),
    ({"TMI_COOKIE_DOMAIN": ".herokuapp.com"}, "COOKIE", "public suffix"),
    ({"TMI_DATABASE_URL": None}, "REQUIRED", "TMI_DATABASE_URL is missing"),
    ({"LOGGING_LEVEL": "info"}, "NOT-READ", "rename it to TMI_LOG_LEVEL"),
    ({"TMI_REDIS_HOST": "redis.example.com"}, "DUPLICATE", "TMI uses TMI_REDIS_URL and ignores TMI_REDIS_HOST"),
    ({"OAUTH_PROVIDERS_GITHUB_ENABLED": "true", "OAUTH_PROVIDERS_GITHUB_CLIENT_ID": "id"}, "OAUTH",
     "OAUTH_PROVIDERS_GITHUB_CLIENT_SECRET"),
    ({"TMI_LOG_LEVL": "info"}, "UNKNOWN-NAME", "did you mean TMI_LOG_LEVEL?"),
    ({"SAML_PROVIDERS_OKTA_ENABLED": "true"}, "SAML", "SAML provider okta is enabled but TMI cannot start it"),
]


@pytest.mark.parametrize(("changes", "code", "text"), BREAKAGES)
def test_hand_set_values_that_break_tmi(staging: Environment, changes: dict[str, str | None], code: str,
                                        text: str) -> None:
    rendered = check(staging, **changes)
    assert any(f"[{code}]" in r and text in r and "fix:" in r for r in rendered), rendered


def test_every_live_rule_has_a_live_case() -> None:
    live_codes = {code for rule in RULES if rule.live for code in rule.codes}
    covered = {code for _, code, _ in BREAKAGES} | {"PORT", "REDIS-TLS", "JWT", "SSLMODE"}  # tests below
    assert live_codes == covered


def test_rediss_url_is_an_error_and_its_password_is_never_shown(staging: Environment) -> None:
    password = "p0123456789abcdefREDISSECRET"
    rendered = check(staging, TMI_REDIS_URL=f"rediss://:{password}@kvs.example.com:20001")
    assert any("error [REDIS-TLS]" in r and "rediss://" in r for r in rendered), rendered
    assert not any(password in r for r in rendered)


@pytest.mark.parametrize(("name", "secret", "code"), [
    ("TMI_JWT_SECRET", "hunter2-too-short", "JWT"),
    ("TMI_DATABASE_URL", "postgres://u:DBSECRET42@db.example.com/d", "SSLMODE"),
    ("TMI_SECRET_SETTINGS_ENCRYPTION_KEY", "KEYSECRET<script>", "TYPE"),
    ("TMI_REDIS_URL", "REDISSECRET not a url", "TYPE"),
    ("TMI_CORS_ALLOWED_ORIGINS", "https://user:ORIGINSECRET@evil.example/", "ORIGIN"),
    ("TMI_ADMIN_SUBJECT_TYPE", "https://u:ENUMSECRET@x.example", "TYPE"),
])
def test_no_message_quotes_a_secret(staging: Environment, name: str, secret: str, code: str) -> None:
    rendered = check(staging, **{name: secret})
    assert any(f"[{code}]" in r for r in rendered), rendered
    marker = next(part for part in ("DBSECRET42", "KEYSECRET", "REDISSECRET", "ORIGINSECRET", "ENUMSECRET",
                                    "hunter2") if part in secret)
    assert not any(marker in r for r in rendered), rendered


def test_control_characters_are_escaped(staging: Environment) -> None:
    rendered = "\n".join(check(staging, TMI_LOG_LEVEL="\x1b]0;owned\x07<b>info</b>"))
    assert "[TYPE]" in rendered and "\x1b" not in rendered and "\x07" not in rendered and "\\x1b" in rendered


def test_rules_that_need_the_declaration_do_not_run_live(staging: Environment) -> None:
    # A literal secret and an origin only a declaration can tie to the client app: no finding live.
    rendered = check(staging, TMI_ALERTING_WEBHOOK_SECRET="literal-on-heroku", TMI_CORS_ALLOWED_ORIGINS="https://a.example")
    assert rendered == []
    declaration_only = {code for rule in RULES if not rule.live for code in rule.codes}
    assert {"SECRET-LITERAL", "CROSS-APP", "DYNO-SIZE"} <= declaration_only


def test_undeclared_roles_are_skipped(staging: Environment) -> None:
    env = staging.model_copy(update={"apps": {"server": staging.apps["server"]}})
    assert lint_live(env, {"server": dict(HEALTHY_SERVER), "client": {"TMI_LOG_LEVEL": "nonsense"}}) == []
    assert [p.file for p in lint_live(staging, {"client": {"TMI_LOG_LEVEL": "nonsense"}})] == ["tmi-ux-staging"]


def test_live_rules_follow_the_declared_version(staging: Environment) -> None:
    old = staging.model_copy(update={"tmi_version": "0.270.3"})
    rendered = [p.render() for p in lint_live(old, {"server": {"SERVER_TLS_ENABLED": "1"}})]
    assert any("[TLS]" in r and "SERVER_TLS_ENABLED" in r for r in rendered)
    assert any("[REQUIRED]" in r and "POSTGRES_HOST" in r for r in rendered)


def test_check_command_reports_a_hand_set_value_on_the_live_app(cli: Any, tmp_path: Path) -> None:
    assert cli("--sandbox", "apply", "staging", "--yes").exit_code == 0
    assert cli("--sandbox", "check", "staging").exit_code == 0
    state_file = tmp_path / ".tmi-deploy" / "sandbox.json"
    state = json.loads(state_file.read_text())
    server = next(a for a in state["apps"].values() if a["name"] == "tmi-server-staging")
    server["config"]["TMI_SERVER_PORT"] = "8080"  # what `heroku config:set` would leave behind
    state_file.write_text(json.dumps(state))
    broken = cli("--sandbox", "check", "staging")
    assert broken.exit_code == 1, broken.output
    assert "tmi-server-staging" in broken.output and "TMI_SERVER_PORT" in broken.output
    assert "[PORT]" in broken.output and "Traceback" not in broken.output
