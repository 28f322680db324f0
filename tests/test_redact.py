"""The one classifier: each rule that makes a value secret, each thing that must stay reviewable."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.conftest import make_sandbox
from tests.harness import SCENARIOS, apply, load, plan
from tmi_deploy.config.models import FromAddon, FromApp, Generate, LiteralValue, Prompt, SecretEnv, SecretFile
from tmi_deploy.config.secrecy import HIDDEN, MASK, display, is_secret, looks_like_key, mask_url
from tmi_deploy.plan.model import Plan
from tmi_deploy.plan.render import render_json, render_markdown, render_text
from tmi_deploy.sandbox import Sandbox

HEX_KEY = "9f" * 32
PASSWORD_URL = "postgres://u4b2c9d:p8e7f6a5b4c3d2e1f0@ec2-1-2-3-4.compute-1.amazonaws.com:5432/d1a2b3?sslmode=require"


@pytest.mark.parametrize("name", ["TMI_JWT_SECRET", "TMI_DATABASE_URL", "TMI_SECRET_SETTINGS_ENCRYPTION_KEY",
                                  "OAUTH_PROVIDERS_GITHUB_CLIENT_SECRET", "SMTP_PASS", "STRIPE_API_KEY",
                                  "POSTGRES_PASSWORD", "SOME_CREDENTIALS", "SAML_PROVIDERS_OKTA_IDP_METADATA_B64XML",
                                  "TMI_CONTENT_OAUTH_PROVIDERS_BOX_CLIENT_SECRET", "ORACLE_PASSWORD"])
def test_catalogue_and_name_say_secret(name: str) -> None:
    assert is_secret("server", name, "plain")
    assert display("server", name, "plain") == HIDDEN


@pytest.mark.parametrize("name", ["OAUTH_PROVIDERS_GITHUB_TOKEN_URL", "OAUTH_PROVIDERS_GOOGLE_CLIENT_ID",
                                  "OAUTH_PROVIDERS_GITHUB_AUTHORIZATION_URL", "TMI_LOG_REDACT_AUTH_TOKENS",
                                  "TMI_LOG_LEVEL", "MY_TOKEN_ENDPOINT"])
def test_public_names_and_url_endpoints_are_shown(name: str) -> None:
    value = "https://github.com/login/oauth/access_token"
    assert not is_secret("server", name, value)
    assert display("server", name, value) == value


@pytest.mark.parametrize("source", [SecretEnv(secret_env="X"), SecretFile(secret_file="f"), Prompt(prompt="?"),
                                    Generate(generate="hex"), LiteralValue(value="x", sensitive=True),
                                    FromAddon(addon="DATABASE", part="url"), FromAddon(addon="DATABASE", part="user"),
                                    FromAddon(addon="DATABASE", part="password")])
def test_declaration_says_secret_for_both_sides(source: object) -> None:
    assert is_secret("server", "PLAIN_SETTING", "visible", source)  # type: ignore[arg-type]
    assert display("server", "PLAIN_SETTING", "visible", source) == HIDDEN  # type: ignore[arg-type]
    assert display("server", "PLAIN_SETTING", "visible", source, live=True) == HIDDEN  # type: ignore[arg-type]


@pytest.mark.parametrize("part", ["host", "port", "database"])
def test_public_addon_parts_are_shown_under_a_public_name(part: str) -> None:
    source = FromAddon(addon="DATABASE", part=part)  # type: ignore[arg-type]
    assert display("server", "DB_" + part.upper(), "ec2-host", source) == "ec2-host"


def test_a_public_addon_part_never_reveals_a_catalogue_secret() -> None:
    source = FromAddon(addon="DATABASE", part="host")
    assert display("server", "TMI_DATABASE_URL", PASSWORD_URL, source, live=True) == HIDDEN
    assert display("server", "TMI_DATABASE_URL", "ec2-host", source) == HIDDEN


def test_sensitive_false_never_reveals_a_live_value_or_a_catalogue_secret() -> None:
    declassified = LiteralValue(value="x", sensitive=False)
    assert display("server", "TMI_JWT_SECRET", "live-jwt", declassified, live=True) == HIDDEN
    assert display("server", "TMI_JWT_SECRET", "x", declassified) == HIDDEN
    assert display("server", "SMTP_PASS", "hunter2", declassified, live=True) == HIDDEN
    # It does overrule the name guess for the literal it declares (already readable in the file).
    assert display("server", "KEYBOARD_LAYOUT", "us", declassified) == "us"
    assert display("server", "KEYBOARD_LAYOUT", HEX_KEY, declassified) == HIDDEN  # content still wins


def test_credentials_in_a_url_are_masked_in_place() -> None:
    live = "https://user:hunter2@sentry.example.com/1"
    assert is_secret("server", "SENTRY_URL", live, "https://sentry.example.com/1", live=True)
    assert display("server", "SENTRY_URL", live, live=True) == f"https://user:{MASK}@sentry.example.com/1"
    assert mask_url(PASSWORD_URL) == PASSWORD_URL.replace("p8e7f6a5b4c3d2e1f0", MASK)
    assert mask_url("https://ghp_abcdefghijklmnopqrstuvwxyz0123@github.com/o/r") == f"https://{MASK}@github.com/o/r"


def test_key_like_parts_of_a_public_url_are_masked() -> None:
    hook = "https://hooks.example.com/services/T0AB12/B0CD34/Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2"
    assert mask_url(hook) == f"https://hooks.example.com/services/T0AB12/B0CD34/{MASK}"
    assert mask_url("https://x.example/cb?api_key=abc&state=1#frag") == f"https://x.example/cb?api_key={MASK}&state=1#frag"
    assert mask_url("https://example.com/a/b?x=1") == "https://example.com/a/b?x=1"


@pytest.mark.parametrize("value", [HEX_KEY, "ghp_" + "a1" * 18, "sk_live_abc123", "-----BEGIN RSA PRIVATE KEY-----\nMII",
                                   "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig", "dGhpcyBpcyBhIHNlY3JldCBrZXkgMTIz",
                                   "01234567-89ab-cdef-0123-456789abcdef", "abc_Zx9Yw8Vu7Ts6Rq5Po4Nm3"])
def test_content_that_looks_like_a_key_is_hidden_under_any_name(value: str) -> None:
    assert looks_like_key(value)
    assert display("server", "TMI_OPERATOR_NAME", value) == HIDDEN


@pytest.mark.parametrize("value", ["info", "Example Corp", "tmi-server-staging", "https://tmi.example.com",
                                   "sentry.example.com", "TMI_LOG_LEVEL_DEBUG_FOR_EVERYTHING", "1.8.22", "",
                                   "postgresql-sinuous-48598", "heroku-postgresql-essential-0"])
def test_ordinary_values_do_not_look_like_keys(value: str) -> None:
    assert not looks_like_key(value)
    assert display("server", "TMI_OPERATOR_NAME", value) == value


def test_app_derived_values_follow_the_name() -> None:
    source = FromApp(app="client", part="origin")
    assert display("server", "TMI_CORS_ALLOWED_ORIGINS", "https://c.example", source) == "https://c.example"


# ---- through load, plan and every renderer (issue 12, case 1) --------------------------------------

LIVE_CANARY = "LIVECANARY-5e1d"


def _outputs(result: Plan) -> list[str]:
    return [render_text(result), render_text(result, color=True), render_markdown(result), render_json(result),
            repr(result), str(result.model_dump())]


def _plan_overlay(tmp_path: Path, overlay: str, plant: dict[str, str | None], prune: bool = False) -> tuple[Plan, Sandbox]:
    box = make_sandbox()
    apply(box, load("main"), {"SCN_GITHUB_SECRET": "gh"})
    box.platform.patch_config(box.platform.find_app("tmi-scn-server"), plant)
    (tmp_path / "_base.yml").write_text((SCENARIOS / "_base.yml").read_text())
    policy = "policy:\n  prune: true\n" if prune else ""
    (tmp_path / "env.yml").write_text(f"extends: _base.yml\n{policy}apps:\n  server:\n    config:\n{overlay}")
    return plan(box, load("env", tmp_path), {"SCN_GITHUB_SECRET": "gh"}), box


def _live(box: Sandbox, name: str) -> str:
    return str(box.platform.find_app("tmi-scn-server")["config"][name])


@pytest.mark.parametrize("overlay", ["      TMI_DATABASE_URL: {addon: DATABASE, part: host}\n",
                                     "      TMI_DATABASE_URL: {value: postgres://h/db, sensitive: false}\n"])
def test_a_public_redeclaration_never_prints_the_live_database_url(tmp_path: Path, overlay: str) -> None:
    result, box = _plan_overlay(tmp_path, overlay, {})
    live_url = _live(box, "TMI_DATABASE_URL")
    password = urlsplit(live_url).password
    assert password and any(c.key == "TMI_DATABASE_URL" for c in result.environments[0].changes)
    for output in _outputs(result):
        assert password not in output and live_url not in output


def test_sensitive_false_on_the_jwt_secret_never_prints_the_live_one(tmp_path: Path) -> None:
    result, box = _plan_overlay(tmp_path, "      TMI_JWT_SECRET: {value: x, sensitive: false}\n", {})
    live_secret = _live(box, "TMI_JWT_SECRET")
    [change] = [c for c in result.environments[0].changes if c.key == "TMI_JWT_SECRET"]
    assert change.action == "update" and change.old == HIDDEN
    for output in _outputs(result):
        assert live_secret not in output


def test_live_credentials_in_a_public_url_are_masked_in_place(tmp_path: Path) -> None:
    live = f"https://user:{LIVE_CANARY}@sentry.example.com/1"
    result, _ = _plan_overlay(tmp_path, "      SENTRY_URL: https://sentry.example.com/1\n", {"SENTRY_URL": live})
    [change] = [c for c in result.environments[0].changes if c.key == "SENTRY_URL"]
    assert change.old == f"https://user:{MASK}@sentry.example.com/1" and change.new == "https://sentry.example.com/1"
    assert f'"https://user:{MASK}@sentry.example.com/1" -> "https://sentry.example.com/1"' in render_text(result)
    for output in _outputs(result):
        assert LIVE_CANARY not in output


def test_pruned_undeclared_secrets_obey_the_same_rule(tmp_path: Path) -> None:
    plant = {"SMTP_PASS": LIVE_CANARY, "WEBHOOK": f"https://u:{LIVE_CANARY}@h.example/x", "SIGNING": HEX_KEY}
    result, _ = _plan_overlay(tmp_path, "      TMI_LOG_LEVEL: info\n", plant, prune=True)
    deletes = {c.key: c for c in result.environments[0].changes if c.action == "delete"}
    assert deletes["SMTP_PASS"].old == HIDDEN and deletes["SIGNING"].old == HIDDEN
    assert deletes["WEBHOOK"].old == f"https://u:{MASK}@h.example/x"
    for output in _outputs(result):
        assert LIVE_CANARY not in output and HEX_KEY not in output


def test_an_oauth_token_url_is_reviewable(tmp_path: Path) -> None:
    url = "https://github.com/login/oauth/access_token"
    result, _ = _plan_overlay(tmp_path, f"      OAUTH_PROVIDERS_GITHUB_TOKEN_URL: {url}\n", {})
    [change] = [c for c in result.environments[0].changes if c.key == "OAUTH_PROVIDERS_GITHUB_TOKEN_URL"]
    assert not change.sensitive and change.new == url


def test_renames_hide_a_secret_legacy_value_and_show_a_public_one(tmp_path: Path) -> None:
    plant = {"TMI_JWT_SECRET": None, "JWT_SECRET": LIVE_CANARY, "TMI_LOG_LEVEL": None, "LOGGING_LEVEL": "debug"}
    result, _ = _plan_overlay(tmp_path, "      TMI_LOG_LEVEL: info\n", plant, prune=True)
    renames = {c.renamed_from: c for c in result.environments[0].changes if c.action == "rename"}
    assert renames["JWT_SECRET"].key == "TMI_JWT_SECRET" and renames["JWT_SECRET"].old == HIDDEN
    assert renames["LOGGING_LEVEL"].old == "debug" and renames["LOGGING_LEVEL"].new == "info"
    for output in _outputs(result):
        assert LIVE_CANARY not in output
