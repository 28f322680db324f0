"""Loading environment files: safe YAML, text kept as written, and every error class at file:line:col."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from tmi_deploy.config.loader import discover, load_environment, load_environments
from tmi_deploy.config.models import FromAddon, FromApp, Generate
from tmi_deploy.config.yamlsrc import parse_yaml
from tmi_deploy.errors import ConfigError

BROKEN = Path(__file__).parent / "broken"
CASES = sorted(p.stem for p in BROKEN.glob("*.yml") if not p.name.startswith("_"))


def expectation(name: str) -> tuple[str, int, int, list[str]]:
    first = (BROKEN / f"{name}.yml").read_text().splitlines()[0]
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
