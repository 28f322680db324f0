"""Lint rules: each finding names its rule, file:line and a fix; the shipped environments are clean."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tmi_deploy.catalog.lint import RULES, check_type, lint
from tmi_deploy.catalog.variables import (
    RENAME_VERSION,
    is_secret_name,
    lookup,
    parse_version,
    server_var,
)
from tmi_deploy.config.loader import load_environment, load_environments

LINT = Path(__file__).parent / "lint"
ROOT = Path(__file__).parent.parent
CASES = sorted(p.stem for p in LINT.glob("*.yml") if not p.name.startswith("_"))


def test_lint_base_is_clean() -> None:
    (LINT / "_clean_probe.yml").write_text("extends: _base.yml\n")
    try:
        assert lint(load_environment(LINT, "_clean_probe")) == []
    finally:
        (LINT / "_clean_probe.yml").unlink()


@pytest.mark.parametrize("name", CASES)
def test_lint_case(name: str) -> None:
    first = (LINT / f"{name}.yml").read_text().splitlines()[0]
    match = re.match(r"# expect: ([\w.]+):(\d+) ([A-Z-]+) (.*)$", first)
    assert match, first
    file, line, code, texts = match.group(1), int(match.group(2)), match.group(3), match.group(4).split(" | ")
    findings = lint(load_environment(LINT, name))
    rendered = [f.render() for f in findings if f.code == code]
    hits = [r for r in rendered if f"/{file}:{line}:" in r and all(t.strip() in r for t in texts)]
    assert hits, f"expected {file}:{line} [{code}] {texts}; got:\n" + "\n".join(f.render() for f in findings)
    assert all("fix:" in r for r in rendered), "every finding says how to fix it"


def test_every_rule_has_a_case() -> None:
    codes = set()
    for name in CASES:
        codes.add(re.match(r"# expect: \S+ ([A-Z-]+)", (LINT / f"{name}.yml").read_text())[1])  # type: ignore[index]
    assert len(RULES) == 11
    assert {"TYPE", "REQUIRED", "NOT-READ", "DUPLICATE", "PORT", "TLS", "SSLMODE", "ORIGIN", "DEV-MODE", "JWT",
            "OAUTH", "CROSS-APP", "SECRET-LITERAL", "COOKIE", "REDIS-TLS"} <= codes


def test_shipped_environments_have_no_errors() -> None:
    # The one warning is real: the guide's heroku-redis needs TLS, which TMI's Redis client lacks.
    for env in load_environments(ROOT / "environments"):
        assert [f.code for f in lint(env)] == ["REDIS-TLS"], env.name


def test_legacy_fixture_is_clean_for_its_version() -> None:
    env = load_environment(ROOT / "tests" / "fixtures" / "legacy" / "environments", "legacy")
    assert parse_version(env.tmi_version) < RENAME_VERSION
    assert [f.code for f in lint(env)] == ["REDIS-TLS"]


def test_current_names_are_not_read_by_old_servers(tmp_path: Path) -> None:
    source = (ROOT / "tests" / "fixtures" / "legacy" / "environments" / "legacy.yml").read_text()
    (tmp_path / "old.yml").write_text(source.replace("      LOGGING_LEVEL: info", "      TMI_LOG_LEVEL: info"))
    findings = lint(load_environment(tmp_path, "old"))
    assert any(f.code == "NOT-READ" and "TMI_LOG_LEVEL" in f.message and "LOGGING_LEVEL" in f.hint for f in findings)


def test_prefixed_legacy_alias_clashes_with_unprefixed(tmp_path: Path) -> None:
    source = (ROOT / "tests" / "fixtures" / "legacy" / "environments" / "legacy.yml").read_text()
    (tmp_path / "old.yml").write_text(source.replace("      LOGGING_LEVEL: info", "      LOGGING_LEVEL: info\n"
                                                                                    "      TMI_LOGGING_LEVEL: debug"))
    findings = lint(load_environment(tmp_path, "old"))
    assert any(f.code == "DUPLICATE" and "LOGGING_LEVEL" in f.message for f in findings)


def test_catalogue_versions() -> None:
    current, old = (1, 8, 22), (0, 270, 0)
    assert server_var("TMI_DATABASE_URL").read_by(current)  # type: ignore[union-attr]
    assert not server_var("TMI_DATABASE_URL").read_by(old)  # type: ignore[union-attr]
    assert server_var("POSTGRES_HOST").read_by(old)  # type: ignore[union-attr]
    assert not server_var("POSTGRES_HOST").read_by(current)  # type: ignore[union-attr]
    assert server_var("TMI_POSTGRES_HOST").read_by(old)  # type: ignore[union-attr]
    assert server_var("WEBSOCKET_ALLOWED_ORIGINS").read_by(current)  # type: ignore[union-attr]
    assert server_var("TMI_WEBSOCKET_ALLOWED_ORIGINS").replaced_by == "WEBSOCKET_ALLOWED_ORIGINS"  # type: ignore[union-attr]
    assert server_var("TMI_LOG_IS_DEV").default == "true"  # type: ignore[union-attr]
    assert lookup("client", "TMI_API_URL") is not None and lookup("client", "TMI_DATABASE_URL") is None


def test_secret_classification() -> None:
    assert is_secret_name("server", "TMI_JWT_SECRET")
    assert not is_secret_name("server", "TMI_LOG_REDACT_AUTH_TOKENS")  # catalogue wins over the name pattern
    assert is_secret_name("server", "OAUTH_PROVIDERS_GOOGLE_CLIENT_SECRET")
    assert not is_secret_name("server", "OAUTH_PROVIDERS_GOOGLE_CLIENT_ID")
    assert is_secret_name("server", "SOME_API_KEY")


@pytest.mark.parametrize(("name", "value", "ok"), [
    ("TMI_LOG_IS_DEV", "t", True), ("TMI_LOG_IS_DEV", "yes", False), ("TMI_SERVER_IDLE_TIMEOUT", "1m30s", True),
    ("TMI_SERVER_IDLE_TIMEOUT", "90", False), ("TMI_DB_MAX_OPEN_CONNS", "-3", True), ("TMI_OTEL_SAMPLING_RATE", "0.5", True),
    ("TMI_OAUTH_CALLBACK_URL", "/oauth2/callback", False), ("TMI_LOG_LEVEL", "", True),
])
def test_type_checks(name: str, value: str, ok: bool) -> None:
    var = server_var(name)
    assert var is not None
    assert (check_type(var, value) is None) is ok
