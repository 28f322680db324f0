"""Lint rules: each finding names its rule, file:line and a fix; the shipped environments are clean."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tmi_deploy.catalog.checks import check_type, shown
from tmi_deploy.catalog.lint import RULES, lint
from tmi_deploy.catalog.renames import legacy_rename
from tmi_deploy.catalog.variables import (
    LEGACY_SERVER,
    RENAME_VERSION,
    is_secret_name,
    lookup,
    parse_version,
    server_var,
)
from tmi_deploy.config.loader import load_environment, load_environments
from tmi_deploy.config.models import Environment, Generate, LiteralValue, VarSpec

LINT = Path(__file__).parent / "lint"
ROOT = Path(__file__).parent.parent
LEGACY = ROOT / "tests" / "fixtures" / "legacy" / "environments"
CASES = sorted(p.stem for p in LINT.glob("*.yml") if not p.name.startswith("_"))
# Codes a YAML case cannot reach (the loader refuses the file first, or the file would be 33 kB):
# each has its own test below.
TESTED_IN_CODE = {"APP-NAME": "test_app_name_rule", "CONFIG-SIZE": "test_config_size_counts_known_bytes"}


def expectation(name: str) -> tuple[str, int, str, list[str]]:
    first = (LINT / f"{name}.yml").read_text().splitlines()[0]
    match = re.match(r"# expect: ([\w.]+):(\d+) ([A-Z-]+) (.*)$", first)
    assert match, first
    return match.group(1), int(match.group(2)), match.group(3), match.group(4).split(" | ")


def test_lint_base_is_clean(tmp_path: Path) -> None:
    shutil.copy(LINT / "_base.yml", tmp_path / "_base.yml")
    (tmp_path / "clean.yml").write_text("extends: _base.yml\n")
    assert lint(load_environment(tmp_path, "clean")) == []


@pytest.mark.parametrize("name", CASES)
def test_lint_case(name: str) -> None:
    file, line, code, texts = expectation(name)
    findings = lint(load_environment(LINT, name))
    rendered = [f.render() for f in findings if f.code == code]
    hits = [r for r in rendered if f"/{file}:{line}:" in r and all(t.strip() in r for t in texts)]
    assert hits, f"expected {file}:{line} [{code}] {texts}; got:\n" + "\n".join(f.render() for f in findings)
    assert all("fix:" in r for r in rendered), "every finding says how to fix it"


def test_every_rule_code_has_a_case() -> None:
    registered = {code for rule in RULES for code in rule.codes}
    with_case = {expectation(name)[2] for name in CASES}
    assert with_case <= registered, "a case expects a code no rule reports"
    assert registered - with_case == set(TESTED_IN_CODE), "a rule code without a case"
    assert all(name in globals() for name in TESTED_IN_CODE.values())


def test_shipped_environments_pass_strict() -> None:
    for env in load_environments(ROOT / "environments"):
        assert [f.render() for f in lint(env)] == [], env.name


def test_shipped_environments_use_plain_connection_redis() -> None:
    for env in load_environments(ROOT / "environments"):
        server = env.apps["server"]
        assert {a.service for a in server.addons.values()} & {"rediscloud", "heroku-redis"} == {"rediscloud"}
        assert server.config["TMI_REDIS_URL"].source.addon == "REDISCLOUD"  # type: ignore[union-attr]


def test_legacy_fixture_is_clean_for_its_version() -> None:
    env = load_environment(LEGACY, "legacy")
    assert parse_version(env.tmi_version) < RENAME_VERSION
    assert lint(env) == []


def test_old_server_on_the_guides_heroku_redis_is_an_error(tmp_path: Path) -> None:
    # The guide's heroku-redis is TLS-only on Heroku and this old server has no TLS: an error, not a hint.
    source = (LEGACY / "legacy.yml").read_text()
    (tmp_path / "old.yml").write_text(source.replace("REDIS: rediscloud:30", "REDIS: heroku-redis:mini"))
    findings = lint(load_environment(tmp_path, "old"))
    assert [(f.code, f.severity) for f in findings] == [("REDIS-TLS", "error")]
    assert findings[0].path == "apps.server.config.REDIS_HOST" and "REDISCLOUD" in findings[0].hint


def test_current_names_are_not_read_by_old_servers(tmp_path: Path) -> None:
    source = (LEGACY / "legacy.yml").read_text()
    (tmp_path / "old.yml").write_text(source.replace("      LOGGING_LEVEL: info", "      TMI_LOG_LEVEL: info"))
    findings = lint(load_environment(tmp_path, "old"))
    assert any(f.code == "NOT-READ" and "TMI_LOG_LEVEL" in f.message and "LOGGING_LEVEL" in f.hint for f in findings)


def test_prefixed_legacy_alias_clashes_with_unprefixed(tmp_path: Path) -> None:
    source = (LEGACY / "legacy.yml").read_text()
    (tmp_path / "old.yml").write_text(source.replace("      LOGGING_LEVEL: info", "      LOGGING_LEVEL: info\n"
                                                                                    "      TMI_LOGGING_LEVEL: debug"))
    findings = lint(load_environment(tmp_path, "old"))
    assert any(f.code == "DUPLICATE" and "LOGGING_LEVEL" in f.message for f in findings)


def _with_server(env: Environment, **changes: object) -> Environment:
    server = env.apps["server"].model_copy(update=changes)
    return env.model_copy(update={"apps": {**env.apps, "server": server}})


def test_app_name_rule() -> None:
    env = load_environment(LINT, "port")
    for name, why in [("Bad_Name", "is not a name Heroku accepts"), ("a" * 31, "at most 30"),
                      ("ab", "shorter than the 3"), ("tmi-", "is not a name Heroku accepts"),
                      ("tmi-server\n", "is not a name Heroku accepts"), ("tmí-server", "is not a name")]:
        findings = [f for f in lint(_with_server(env, name=name)) if f.code == "APP-NAME"]
        assert len(findings) == 1 and why in findings[0].message, name
        assert findings[0].line > 0 and "lowercase letters" in findings[0].hint
    assert not [f for f in lint(_with_server(env, name="a" * 30)) if f.code == "APP-NAME"]


def _config_with(env: Environment, name: str, source: str | LiteralValue | Generate) -> Environment:
    base = env.apps["server"].config["TMI_BUILD_MODE"]
    spec = VarSpec(name=name, source=source, sensitive=False, origin=base.origin)
    return _with_server(env, config={**env.apps["server"].config, name: spec})


def test_config_size_counts_known_bytes() -> None:
    env = load_environment(LINT, "port")
    own = sum(len(n) + len(s.source) for n, s in env.apps["server"].config.items() if isinstance(s.source, str))
    own += len("TMI_JWT_SECRET") + 44  # 32 random bytes, base64
    own += sum(len(n) for n, s in env.apps["server"].config.items() if not isinstance(s.source, (str, Generate)))
    room = 32 * 1024 - own - len("BIG")
    assert not [f for f in lint(_config_with(env, "BIG", "x" * room)) if f.code == "CONFIG-SIZE"]
    over = [f for f in lint(_config_with(env, "BIG", "x" * (room + 1))) if f.code == "CONFIG-SIZE"]
    assert len(over) == 1 and "BIG" in over[0].hint and over[0].severity == "error"
    generated = _config_with(env, "BIG", "x" * (room - 200))
    for index in range(2):
        generated = _config_with(generated, f"G{index}", Generate(generate="hex", bytes=64))
    assert [f.code for f in lint(generated) if f.code == "CONFIG-SIZE"] == ["CONFIG-SIZE"]


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
    ("TMI_OAUTH_CALLBACK_URL", "http://[::1", False),
    # Go's parsers refuse a trailing newline and non-ASCII digits; a `$`-anchored regex would not.
    ("TMI_DB_MAX_OPEN_CONNS", "5\n", False), ("TMI_DB_MAX_OPEN_CONNS", "\u0663", False),
    ("TMI_SERVER_IDLE_TIMEOUT", "5s\n", False), ("TMI_LOG_IS_DEV", "true\n", False),
    ("TMI_OTEL_SAMPLING_RATE", "1.0\n", False),
    ("TMI_SECRET_SETTINGS_ENCRYPTION_KEY", "ab" * 32 + "\n", False), ("TMI_SECRET_SETTINGS_ENCRYPTION_KEY", "ab" * 32, True),
])
def test_type_checks(name: str, value: str, ok: bool) -> None:
    var = server_var(name)
    assert var is not None
    assert (check_type(var, value) is None) is ok


def test_type_messages_never_quote_secrets_or_control_characters() -> None:
    redis = server_var("TMI_REDIS_URL")
    level = server_var("TMI_LOG_LEVEL")
    assert redis is not None and level is not None
    assert "hunter2" not in (check_type(redis, "hunter2 is not a url") or "unset")
    message = check_type(level, "<b>x</b>\x1b[31m\x07") or ""
    assert "\x1b" not in message and "\x07" not in message and "\\x1b" in message and "<b>x</b>" in message


@pytest.mark.parametrize(("value", "hidden"), [
    ("https://user:tok3n@example.com", True), ("https://tok3n@example.com", True),
    ("a, https://u:p@h", True), ("https://example.com", False), ("plain", False),
])
def test_shown_hides_url_credentials(value: str, hidden: bool) -> None:
    assert (shown(value, sensitive=False) == "(sensitive)") is hidden
    assert shown(value, sensitive=True) == "(sensitive)"


@pytest.mark.parametrize(("name", "version", "expected"), [
    ("LOGGING_LEVEL", (1, 8, 22), "TMI_LOG_LEVEL"),
    ("TMI_LOGGING_LEVEL", (1, 8, 22), "TMI_LOG_LEVEL"),
    ("REDIS_HOST", (1, 8, 22), "TMI_REDIS_HOST"),
    ("TMI_WEBSOCKET_ALLOWED_ORIGINS", (1, 8, 22), "WEBSOCKET_ALLOWED_ORIGINS"),
    ("POSTGRES_HOST", (1, 8, 22), None),  # a host is not a whole URL: no rename
    ("TMI_LOG_LEVEL", (1, 8, 22), None),  # already current
    ("LOGGING_LEVEL", (0, 270, 3), "TMI_LOGGING_LEVEL"),  # old servers read both spellings
    ("TMI_LOGGING_LEVEL", (0, 270, 3), None),
    ("POSTGRES_HOST", (0, 270, 3), "TMI_POSTGRES_HOST"),
    ("NOT_A_TMI_VAR", (1, 8, 22), None),
    ("", (1, 8, 22), None),
])
def test_legacy_rename(name: str, version: tuple[int, int, int], expected: str | None) -> None:
    assert legacy_rename(name, version) == expected


def test_legacy_renames_keep_the_setting_and_are_read() -> None:
    current = (1, 8, 22)
    not_renamed = set()
    for var in LEGACY_SERVER:
        target = legacy_rename(var.name, current)
        if target is None:
            not_renamed.add(var.name)
            continue
        new = server_var(target)
        assert new is not None and new.setting == var.setting and new.read_by(current), var.name
    # Only the Postgres parts: TMI_DATABASE_URL carries them all in one URL.
    assert not_renamed == {n for n in (v.name for v in LEGACY_SERVER) if "POSTGRES_" in n}


def _repository_text() -> dict[Path, str]:
    paths = [ROOT / "README.md", *(p for d in ("tmi_deploy", "tests", "bench", "docs") for p in (ROOT / d).rglob("*")
                                   if p.suffix in (".py", ".md", ".yml"))]
    return {p: p.read_text(encoding="utf-8", errors="replace") for p in paths if p.is_file() and p != Path(__file__)}


def test_no_reference_outside_the_repository() -> None:
    outside = re.compile(r"\.\./shared|/work/|\bCONFIG\.md\b")
    found = [f"{p.relative_to(ROOT)}: {m.group()}" for p, text in _repository_text().items()
             for m in outside.finditer(text)]
    assert found == []


def test_every_docs_reference_exists() -> None:
    cited = {m.group(1) for text in _repository_text().values()
             for m in re.finditer(r"\bdocs/([\w-]+\.md)", text)}
    assert {"tmi-config.md", "redis.md", "heroku-limits.md"} <= cited
    missing = sorted(name for name in cited if not (ROOT / "docs" / name).is_file())
    assert missing == []


def test_every_rule_code_is_documented_with_its_live_flag() -> None:
    rows = dict(re.findall(r"^\| `([A-Z-]+)` \| (yes|no) \|", (ROOT / "docs" / "lint-rules.md").read_text(), re.M))
    assert rows == {code: "yes" if rule.live else "no" for rule in RULES for code in rule.codes}
