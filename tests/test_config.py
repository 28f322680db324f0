"""Loading environment files: safe YAML, text kept as written, and every error class at file:line:col."""

from __future__ import annotations

import ast
import re
import time
from pathlib import Path

import pytest

from tmi_deploy.config.limits import MAX_VALUE_BYTES, is_app_name, is_attachment_name, is_var_name
from tmi_deploy.config.loader import discover, load_environment, load_environments
from tmi_deploy.config.models import FromAddon, FromApp, Generate, SecretFile
from tmi_deploy.config.yamlsrc import parse_yaml
from tmi_deploy.errors import ConfigError, Problem

BROKEN = Path(__file__).parent / "broken"
CASES = sorted(p.stem for p in BROKEN.glob("*.yml") if not p.name.startswith("_"))


def expectation(name: str) -> tuple[str, int, int, list[str]]:
    first = (BROKEN / f"{name}.yml").read_bytes().split(b"\n", 1)[0].decode("utf-8")
    match = re.match(r"# expect: (?:([\w.]+\.yml):)?(\d+):(\d+) (.*)$", first)
    assert match, f"{name}.yml needs an '# expect: [FILE:]LINE:COL message' first line"
    file = match.group(1) or f"{name}.yml"
    return file, int(match.group(2)), int(match.group(3)), [part.strip() for part in match.group(4).split("|")]


def test_corpus_covers_every_error_class() -> None:
    assert len(CASES) >= 20


@pytest.mark.parametrize("name", CASES)
def test_broken_file_reports_file_line_and_message(name: str) -> None:
    file, line, column, texts = expectation(name)
    with pytest.raises(ConfigError) as caught:
        load_environment(BROKEN, name)
    rendered = [problem.render() for problem in caught.value.problems]
    matching = [r for r in rendered if f"/{file}:{line}:{column}:" in r and all(t in r for t in texts)]
    assert matching, f"expected {file}:{line}:{column} {texts}, got:\n" + "\n".join(rendered)


def test_text_is_kept_as_written() -> None:
    doc, problems = parse_yaml("a: no\nb: NO\nc: on\nd: 0o17\ne: 3.10\nf: 1_000\ng: ~\nh: '007'\ni: 1e3\n", "t.yml")
    assert not problems and doc is not None
    assert doc.data == {"a": "no", "b": "NO", "c": "on", "d": "0o17", "e": "3.10", "f": "1_000", "g": None,
                        "h": "007", "i": "1e3"}


def test_alias_bomb_fails_fast() -> None:
    start = time.perf_counter()
    with pytest.raises(ConfigError):
        load_environment(BROKEN, "alias_bomb")
    assert time.perf_counter() - start < 5  # a sanity bound, not a benchmark: expansion is capped at 20k values


def test_all_problems_reported_at_once(tmp_path: Path) -> None:
    (tmp_path / "multi.yml").write_text(
        "tmi_version: 1.8.22\napps:\n  server:\n    name: tmi-a-server\n    regoin: us\n    stak: x\n"
        "    config: {A-B: x, C: {generate: nope}}\n")
    with pytest.raises(ConfigError) as caught:
        load_environment(tmp_path, "multi")
    messages = " ".join(p.message for p in caught.value.problems)
    assert "regoin" in messages and "stak" in messages and "'base64' or 'hex'" in messages
    assert len(caught.value.problems) >= 3


def test_problems_across_environments_are_collected(tmp_path: Path) -> None:
    (tmp_path / "a.yml").write_text("tmi_version: 1.8.22\napps: {server: {nme: x}}\n")
    (tmp_path / "b.yml").write_text("tmi_version: 1.8.22\napps: {server: {name: tmi-b, stak: x}}\n")
    with pytest.raises(ConfigError) as caught:
        load_environments(tmp_path)
    files = {p.file.rsplit("/", 1)[-1] for p in caught.value.problems}
    assert files == {"a.yml", "b.yml"}


def test_unknown_environment_suggests(tmp_path: Path) -> None:
    (tmp_path / "staging.yml").write_text("tmi_version: 1.8.22\napps: {server: {name: tmi-s}}\n")
    with pytest.raises(ConfigError, match="did you mean 'staging'"):
        load_environment(tmp_path, "stagin")


def test_shipped_environments_load_with_overlay() -> None:
    envs = {e.name: e for e in load_environments(Path(__file__).parent.parent / "environments")}
    assert set(envs) == {"production", "staging"}
    assert discover(Path(__file__).parent.parent / "environments") == ["production", "staging"]
    prod, staging = envs["production"], envs["staging"]
    assert prod.apps["server"].addons["DATABASE"].plan == "heroku-postgresql:standard-0"
    assert staging.apps["server"].addons["DATABASE"].plan == "heroku-postgresql:essential-0"
    assert staging.apps["server"].config["TMI_LOG_LEVEL"].source == "debug"
    assert staging.apps["server"].config["TMI_LOG_LEVEL"].origin.file.endswith("staging.yml")
    assert prod.apps["server"].config["TMI_LOG_LEVEL"].origin.file.endswith("_base.yml")
    assert prod.apps["server"].config["TMI_LOG_IS_DEV"].source == "false"
    assert isinstance(prod.apps["server"].config["TMI_JWT_SECRET"].source, Generate)
    assert isinstance(prod.apps["server"].config["TMI_DATABASE_URL"].source, FromAddon)
    assert isinstance(prod.apps["client"].config["TMI_API_URL"].source, FromApp)
    assert prod.apps["server"].config["TMI_JWT_SECRET"].sensitive
    assert not prod.apps["server"].config["TMI_LOG_LEVEL"].sensitive
    assert prod.apps["server"].formation["web"].size == "standard-2x"


def test_overlay_null_removes_base_entry(tmp_path: Path) -> None:
    (tmp_path / "_base.yml").write_text("tmi_version: 1.8.22\napps:\n  server:\n    config: {A: '1', B: '2'}\n"
                                       "    addons: {REDIS: heroku-redis:mini}\n")
    (tmp_path / "e.yml").write_text("extends: _base.yml\napps:\n  server:\n    name: tmi-e\n    config: {B: null}\n"
                                   "    addons: {REDIS: null}\n")
    env = load_environment(tmp_path, "e")
    assert set(env.apps["server"].config) == {"A"} and env.apps["server"].addons == {}


# ---- input discipline (issue 12 item 7) ----------------------------------------------------------

SHIPPED = Path(__file__).parent.parent / "environments"
SERVER = "tmi_version: 1.8.22\napps:\n  server:\n    name: tmi-a-server\n    config:\n"


def test_positions_do_not_depend_on_the_current_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    elsewhere = load_environment(SHIPPED, "staging")
    monkeypatch.chdir(SHIPPED)
    inside = load_environment(SHIPPED, "staging")
    origin = inside.apps["server"].config["TMI_LOG_LEVEL"].origin
    assert str(origin) == str(elsewhere.apps["server"].config["TMI_LOG_LEVEL"].origin) == "environments/staging.yml:9"
    assert inside.file == elsewhere.file == "environments/staging.yml"


@pytest.mark.parametrize("text, accepted", [
    ("tmi-server", True), ("abc", True), ("a" * 30, True), ("ab", False), ("a" * 31, False), ("tmi-server\n", False),
    ("Tmi-server", False), ("1tmi", False), ("tmi-server-", False), ("tmi_server", False), ("tmi-sérver", False),
])
def test_app_names_follow_herokus_rule_whole_string(text: str, accepted: bool) -> None:
    assert is_app_name(text) is accepted


@pytest.mark.parametrize("text, accepted", [
    ("TMI_LOG_LEVEL", True), ("_X", True), ("TMI_LOG_LEVEL\n", False), ("TMI_LOG_LEVÉL", False), ("TMI-LOG", False),
    ("1X", False), ("TMI_LOG_LEVEL\u212a", False), ("", False),
])
def test_var_names_are_ascii_whole_string(text: str, accepted: bool) -> None:
    assert is_var_name(text) is accepted


@pytest.mark.parametrize("text, accepted", [
    ("DATABASE", True), ("HEROKU_POSTGRESQL_RED", True), ("DATABASE\n", False), ("_DB", False), ("DATA-BASE", False),
])
def test_attachment_names_whole_string(text: str, accepted: bool) -> None:
    assert is_attachment_name(text) is accepted


@pytest.mark.parametrize("name", ["../staging", "/etc/passwd", "staging\n", "sub/staging", "..", "stag.ing"])
def test_environment_name_is_a_plain_name(name: str) -> None:
    with pytest.raises(ConfigError, match="is not an environment name"):
        load_environment(SHIPPED, name)


def test_value_and_app_limits_are_32_kib_of_keys_and_values(tmp_path: Path) -> None:
    fits = MAX_VALUE_BYTES - len("TMI_NOTE")
    (tmp_path / "edge.yml").write_text(SERVER + f"      TMI_NOTE: {'x' * fits}\n")
    assert len(load_environment(tmp_path, "edge").apps["server"].config["TMI_NOTE"].source) == fits
    (tmp_path / "app.yml").write_text(SERVER + f"      TMI_NOTE: {'x' * (fits + 1)}\n")
    with pytest.raises(ConfigError, match=f"declares at least {MAX_VALUE_BYTES + 1} bytes"):
        load_environment(tmp_path, "app")
    (tmp_path / "over.yml").write_text(SERVER + f"      TMI_NOTE: {'é' * (MAX_VALUE_BYTES // 2 + 1)}\n")
    with pytest.raises(ConfigError, match=f"'TMI_NOTE' is {MAX_VALUE_BYTES + 2} bytes"):
        load_environment(tmp_path, "over")  # counted in UTF-8 bytes, as Heroku stores them


def test_app_config_estimate_counts_generated_secrets(tmp_path: Path) -> None:
    many = "".join(f"      TMI_SECRET_{i:03d}: {{generate: hex, bytes: 128}}\n" for i in range(130))
    (tmp_path / "gen.yml").write_text(SERVER + many)
    with pytest.raises(ConfigError) as caught:
        load_environment(tmp_path, "gen")
    (problem,) = caught.value.problems
    assert problem.message.startswith("app 'tmi-a-server' declares at least 35100 bytes of config vars")
    assert (problem.line, problem.column) == (5, 5)  # 130 * (14-byte key + 256 hex digits)


def test_unknown_sizes_are_not_guessed(tmp_path: Path) -> None:
    many = "".join(f"      TMI_SECRET_{i:03d}: {{secret_env: S{i}}}\n" for i in range(200))
    (tmp_path / "env.yml").write_text(SERVER + many)
    assert len(load_environment(tmp_path, "env").apps["server"].config) == 200


def _outside_layout(tmp_path: Path) -> Path:
    (tmp_path / "common").mkdir()
    (tmp_path / "common" / "_base.yml").write_text("tmi_version: 1.8.22\napps: {server: {name: tmi-a-server}}\n")
    (tmp_path / "hook").write_text("s3cret\n")
    envs = tmp_path / "environments"
    envs.mkdir()
    (envs / "e.yml").write_text("extends: ../common/_base.yml\napps:\n  server:\n    config:\n"
                                f"      TMI_HOOK: {{secret_file: {tmp_path / 'hook'}}}\n")
    return envs


def test_paths_outside_need_the_explicit_option(tmp_path: Path) -> None:
    envs = _outside_layout(tmp_path)
    with pytest.raises(ConfigError, match="extends names a file outside the environments directory"):
        load_environment(envs, "e")
    (envs / "e.yml").write_text((envs / "e.yml").read_text().replace("../common/_base.yml", "_inside.yml"))
    (envs / "_inside.yml").write_text((tmp_path / "common" / "_base.yml").read_text())
    with pytest.raises(ConfigError, match="reads a secret file outside the environments directory"):
        load_environment(envs, "e")
    allowed = load_environment(envs, "e", allow_outside_paths=True)
    assert isinstance(allowed.apps["server"].config["TMI_HOOK"].source, SecretFile)


def test_allowed_outside_base_shows_an_absolute_position(tmp_path: Path) -> None:
    envs = _outside_layout(tmp_path)
    (tmp_path / "common" / "_base.yml").write_text("tmi_version: 1.8.22\napps: {server: {name: tmi-a, regoin: us}}\n")
    with pytest.raises(ConfigError) as caught:
        load_environment(envs, "e", project_root=envs, allow_outside_paths=True)
    assert caught.value.problems[0].file == (tmp_path / "common" / "_base.yml").resolve().as_posix()


def test_a_symlink_cannot_smuggle_a_secret_file_out(tmp_path: Path) -> None:
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "passwd").write_text("root:x:0:0\n")
    envs = tmp_path / "environments"
    envs.mkdir()
    (envs / "secrets").symlink_to(tmp_path / "outside")
    (envs / "e.yml").write_text(SERVER + "      TMI_HOOK: {secret_file: secrets/passwd}\n")
    with pytest.raises(ConfigError, match="reads a secret file outside"):
        load_environment(envs, "e")
    (envs / "real").mkdir()
    (envs / "e.yml").write_text(SERVER + "      TMI_HOOK: {secret_file: real/../real/hook}\n")
    assert "TMI_HOOK" in load_environment(envs, "e").apps["server"].config


def test_an_environment_file_linking_outside_is_not_read(tmp_path: Path) -> None:
    (tmp_path / "outside.yml").write_text("tmi_version: 1.8.22\napps: {server: {name: tmi-x, canary-7f3a: 1}}\n")
    envs = tmp_path / "environments"
    envs.mkdir()
    (envs / "evil.yml").symlink_to(tmp_path / "outside.yml")
    with pytest.raises(ConfigError, match="the file links outside the environments directory") as caught:
        load_environment(envs, "evil")
    assert "canary" not in str(caught.value)
    with pytest.raises(ConfigError, match="unknown field 'canary-7f3a'"):  # read only when allowed
        load_environment(envs, "evil", allow_outside_paths=True)


def test_nesting_is_bounded_before_pythons_stack(tmp_path: Path) -> None:
    doc, problems = parse_yaml("a: " + "{b: " * 5000 + "x" + "}" * 5000 + "\n", "deep.yml")
    assert doc is None and [p.render().splitlines()[0] for p in problems] == [
        "deep.yml:1:197: error: values nest more than 50 levels deep"]


def test_aliases_cannot_nest_past_the_bound() -> None:
    text = "a: &a [x]\n" + "".join(f"l{i}: &l{i} [*{'a' if i == 0 else f'l{i - 1}'}]\n" for i in range(60))
    doc, problems = parse_yaml(text, "alias.yml")
    assert doc is None and "nest more than 50 levels" in problems[0].message


def test_problem_lines_escape_control_characters() -> None:
    problem = Problem("f.yml", 1, 2, "apps.server.config.A\n", "bad \x1b[2J name\r", "fix\nit")
    assert problem.render() == "f.yml:1:2: error: apps.server.config.A\\n: bad \\x1b[2J name\\r\n    fix: fix\\nit"


MODULES = sorted((Path(__file__).parent.parent / "tmi_deploy").rglob("*.py"))


@pytest.mark.parametrize("module", MODULES, ids=[str(m.relative_to(Path(__file__).parent.parent)) for m in MODULES])
def test_modules_under_300_lines_and_functions_under_50(module: Path) -> None:
    text = module.read_text()
    assert len(text.splitlines()) < 300
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            assert node.end_lineno is not None and node.end_lineno - node.lineno + 1 < 50, node.name
