"""Hostile and broken input through the real command line: exit 1, one line per problem with file:line,
never a traceback, never a secret.

Every file in tests/hostile/ is an environment an attacker (or a broken tool) could put in a pull
request; its first line says where the error must point (``# expect: LINE:COL message``, as in
tests/broken/). Inputs too large to keep in the repository (a 1 MiB file, a chain of 1,000 `extends`,
100,000 nested brackets) are generated here.
"""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from tests.conftest import ROOT
from tmi_deploy.cli.app import app as cli_app
from tmi_deploy.config.limits import MAX_EXTENDS_DEPTH
from tmi_deploy.config.loader import load_environment
from tmi_deploy.errors import ConfigError, InvalidInput
from tmi_deploy.plan.planfile import read_plan_file

HOSTILE = Path(__file__).parent / "hostile"
PLANS = HOSTILE / "plans"
CASES = sorted(p.stem for p in HOSTILE.glob("*.yml"))
PROBLEM_LINE = re.compile(r"^\S+:\d+:\d+: (error|warning)(?: \[[A-Z-]+\])?: ")
CANARY = "canary-7f3a9c"


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    """tmi-deploy in an empty directory (plan --sandbox keeps its state under the current directory)."""
    monkeypatch.chdir(tmp_path)
    for key in list(os.environ):
        if key.startswith(("HEROKU_", "TMI_")):
            monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    runner = CliRunner()

    def invoke(*args: str, env: dict[str, str] | None = None) -> Any:
        result = runner.invoke(cli_app, list(args), env=env, catch_exceptions=True, terminal_width=200)
        # An exception other than the exit itself is what a user would see as a traceback.
        assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
        assert "Traceback" not in result.output
        return result

    return invoke


def expectation(path: Path) -> tuple[int, int, list[str]]:
    first = path.read_bytes().split(b"\n", 1)[0].decode("utf-8")
    match = re.match(r"# expect: (\d+):(\d+) (.*)$", first)
    assert match, f"{path.name} needs an '# expect: LINE:COL message' first line"
    return int(match.group(1)), int(match.group(2)), [part.strip() for part in match.group(3).split("|")]


def assert_one_line_problems(output: str) -> None:
    """Each problem is one line (plus an optional indented fix) and a count closes the report."""
    for line in output.splitlines():
        assert PROBLEM_LINE.match(line) or line.startswith("    fix: ") or re.fullmatch(
            r"\d+ problems? found\.|\d+ errors?, \d+ warnings?.*", line), f"stray output line: {line!r}"


def test_corpus_has_the_cases_of_issue_12() -> None:
    expected = {"deep_nesting", "nul_escaped", "value_over_32kb", "app_config_over_32kb", "var_name_unicode",
                "var_name_newline", "app_name_newline", "secret_file_absolute", "extends_dotdot"}
    assert expected <= set(CASES)


@pytest.mark.parametrize("command", [("validate",), ("--sandbox", "plan")], ids=["validate", "plan"])
@pytest.mark.parametrize("name", CASES)
def test_hostile_file_is_one_clear_error(name: str, command: tuple[str, ...], run: Any) -> None:
    line, column, texts = expectation(HOSTILE / f"{name}.yml")
    *options, verb = command
    result = run(*options, "--environments", str(HOSTILE), verb, name)
    assert result.exit_code == 1, result.output
    assert_one_line_problems(result.output)
    where = f"hostile/{name}.yml:{line}:{column}: error"
    assert any(out.startswith(where) and all(t in out for t in texts) for out in result.output.splitlines()), \
        f"expected {where} {texts}, got:\n{result.output}"


def _write_chain(folder: Path, length: int) -> None:
    folder.mkdir()
    (folder / "chain.yml").write_text("extends: _0.yml\n")
    for index in range(length):
        (folder / f"_{index}.yml").write_text(f"extends: _{index + 1}.yml\n")
    (folder / f"_{length}.yml").write_text("tmi_version: 1.8.22\napps: {server: {name: tmi-chain}}\n")


def test_extends_chain_of_a_thousand_files_is_one_error(run: Any, tmp_path: Path) -> None:
    _write_chain(tmp_path / "environments", 1000)
    result = run("--environments", str(tmp_path / "environments"), "validate", "chain")
    assert result.exit_code == 1
    assert_one_line_problems(result.output)
    last = MAX_EXTENDS_DEPTH - 1  # chain.yml and _0 .. _(n-2) are n files; _(n-1) extends one too many
    assert f"environments/_{last}.yml:1:1: error: extends: extends chain is longer than {MAX_EXTENDS_DEPTH}" \
        in result.output


def test_extends_chain_within_the_bound_loads(tmp_path: Path) -> None:
    _write_chain(tmp_path / "environments", MAX_EXTENDS_DEPTH - 2)  # exactly MAX_EXTENDS_DEPTH files
    assert load_environment(tmp_path / "environments", "chain").apps["server"].name == "tmi-chain"


@pytest.mark.parametrize("text, message", [
    ("a: " + "[" * 100_000 + "]" * 100_000 + "\n", "nest more than 50 levels"),
    ("a:\n" + "".join("  " * i + "- \n" for i in range(1, 600)), "nest more than 50 levels"),
    ("# big\n" + "a: " + "x" * (1024 * 1024) + "\n", "file is larger than 1024 KiB"),
], ids=["100k-brackets", "600-block-levels", "1MiB"])
def test_generated_hostile_files(text: str, message: str, run: Any, tmp_path: Path) -> None:
    (tmp_path / "environments").mkdir()
    (tmp_path / "environments" / "big.yml").write_text(text)
    result = run("--environments", str(tmp_path / "environments"), "validate", "big")
    assert result.exit_code == 1
    assert_one_line_problems(result.output)
    assert re.search(r"environments/big\.yml:\d+:\d+: error: .*" + re.escape(message), result.output), result.output


@pytest.mark.parametrize("name", ["../environments/staging", "/etc/passwd", "staging\n", "stag ing"])
def test_environment_name_is_not_a_path(name: str, run: Any) -> None:
    result = run("--environments", str(ROOT / "environments"), "validate", name)
    assert result.exit_code == 1
    assert "is not an environment name" in result.output
    assert_one_line_problems(result.output)


def test_import_refuses_a_path_as_environment_name(run: Any, tmp_path: Path) -> None:
    (tmp_path / "environments").mkdir()
    result = run("--sandbox", "import", "../escaped", "--app", "server=tmi-x", "--write")
    assert result.exit_code == 1 and "is not an environment name" in result.output
    assert not (tmp_path / "escaped.yml").exists()


def test_import_refuses_an_app_name_with_a_newline(run: Any) -> None:
    result = run("--sandbox", "import", "copy", "--app", "server=tmi-x\n")
    assert result.exit_code == 1
    assert result.output.strip() == ("error: --app: 'tmi-x\\n' is not a Heroku app name (3-30 lowercase letters, "
                                     "digits and dashes, starting with a letter)")


# ---- options and credentials ---------------------------------------------------------------------

@pytest.mark.parametrize("target, message", [
    ("/", "--out / is a directory"),
    (".", "--out . is a directory"),
    ("/dev/null/plan.json", "--out /dev/null/plan.json: cannot create a file in /dev/null"),
])
def test_unwritable_out_is_one_line_before_any_work(target: str, message: str, run: Any) -> None:
    result = run("--sandbox", "--environments", str(ROOT / "environments"), "plan", "staging", "--out", target)
    assert result.exit_code == 1
    assert result.output.strip() == f"error: {message}" + ("; name a file, e.g. plan.json" if "directory" in message
                                                           else "")
    assert not Path(".tmi-deploy").exists()  # refused before the sandbox (the API) was touched


@pytest.mark.parametrize("url", ["http://[::1", "ftp://api.heroku.com", "api.heroku.com", "http://"])
def test_bad_api_url_is_one_line(url: str, run: Any) -> None:
    result = run("--environments", str(ROOT / "environments"), "--api-url", url, "plan", "staging",
                 env={"HEROKU_API_KEY": "t0ken"})
    assert result.exit_code == 1
    assert len(result.output.strip().splitlines()) == 1
    assert result.output.startswith("error: --api-url (or HEROKU_API_URL)")


def test_api_url_with_credentials_is_refused_without_echoing_them(run: Any) -> None:
    result = run("--environments", str(ROOT / "environments"), "plan", "staging",
                 env={"HEROKU_API_KEY": "t0ken", "HEROKU_API_URL": f"https://me:{CANARY}@api.heroku.com"})
    assert result.exit_code == 1 and "must not carry credentials" in result.output
    assert CANARY not in result.output


def test_non_ascii_token_names_its_source_never_the_token(run: Any) -> None:
    result = run("--environments", str(ROOT / "environments"), "plan", "staging",
                 env={"HEROKU_API_KEY": f"{CANARY}-tökén"})
    assert result.exit_code == 1
    assert result.output.strip().startswith("error: the Heroku token from HEROKU_API_KEY has characters")
    assert CANARY not in result.output


def test_non_ascii_token_in_netrc_names_the_file(run: Any, tmp_path: Path) -> None:
    netrc = tmp_path / "netrc"
    netrc.write_text(f"machine api.heroku.com\n  login me@example.com\n  password {CANARY}\u00a0x\n")
    netrc.chmod(0o600)
    result = run("--environments", str(ROOT / "environments"), "plan", "staging", env={"NETRC": str(netrc)})
    assert result.exit_code == 1
    assert f"the Heroku token from {netrc} (machine api.heroku.com)" in result.output
    assert CANARY not in result.output


# ---- usage errors: exit 1 through the real entry point -------------------------------------------

def _entry_point(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HEROKU_", "TMI_"))}
    return subprocess.run([sys.executable, "-m", "tmi_deploy", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120, check=False, env=env)


@pytest.mark.parametrize("args, message", [
    (("plan", "--no-such-option"), "No such option: --no-such-option"),
    (("apply",), "Missing argument"),
    (("no-such-command",), "No such command"),
    (("plan", "staging", "--format", "yaml"), "Invalid value for '--format'"),
])
def test_usage_errors_exit_1_with_clicks_message(args: tuple[str, ...], message: str, tmp_path: Path) -> None:
    result = _entry_point(*args, cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr


def test_detailed_exitcode_keeps_2_for_changes_through_the_entry_point(tmp_path: Path) -> None:
    result = _entry_point("--sandbox", "--environments", str(ROOT / "environments"), "plan", "staging",
                          "--detailed-exitcode", cwd=tmp_path)
    assert result.returncode == 2, result.stderr


# ---- plan files ----------------------------------------------------------------------------------

PLAN_CASES = sorted(PLANS.glob("*.json"))


@pytest.mark.parametrize("path", PLAN_CASES, ids=[p.stem for p in PLAN_CASES])
def test_malformed_plan_file_is_one_line(path: Path) -> None:
    with pytest.raises(InvalidInput) as caught:
        read_plan_file(path)
    message = str(caught.value)
    assert "\n" not in message and message.startswith(f"plan file {path}")
    assert CANARY not in message


@pytest.mark.parametrize("text", ["[" * 100_000 + "]" * 100_000, "", "\ufeff{}", "x" * 10])
def test_generated_malformed_plan_file_is_one_line(text: str, tmp_path: Path) -> None:
    (tmp_path / "plan.json").write_text(text)
    with pytest.raises(InvalidInput, match=r"^plan file .*plan\.json (is not JSON|is not a tmi-deploy JSON plan)"):
        read_plan_file(tmp_path / "plan.json")


def test_missing_and_oversized_plan_files(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="not found"):
        read_plan_file(tmp_path / "absent.json")
    with pytest.raises(InvalidInput, match="cannot be read"):
        read_plan_file(tmp_path)
    (tmp_path / "huge.json").write_bytes(b" " * (16 * 1024 * 1024 + 1))
    with pytest.raises(InvalidInput, match="larger than 16 MiB"):
        read_plan_file(tmp_path / "huge.json")


def test_a_real_plan_file_reads_back_unchanged(run: Any, tmp_path: Path) -> None:
    result = run("--sandbox", "--environments", str(ROOT / "environments"), "plan", "staging", "--out", "p.json")
    assert result.exit_code == 0, result.output
    saved = read_plan_file(tmp_path / "p.json")
    assert saved == json.loads((tmp_path / "p.json").read_text()) and saved["environments"][0]["changes"]


@pytest.mark.parametrize("path", [PLANS / "html.json", PLANS / "change_without_key.json", PLANS / "binary.json"],
                         ids=["html", "change-without-key", "binary"])
def test_apply_with_a_malformed_plan_stops_before_any_request(path: Path, run: Any, tmp_path: Path) -> None:
    import shutil

    shutil.copytree(ROOT / "environments", tmp_path / "environments")
    result = run("--sandbox", "apply", "staging", "--yes", "--plan", str(path))
    assert result.exit_code == 1
    assert result.output.strip().startswith(f"error: plan file {path}") and len(result.output.splitlines()) == 1
    assert CANARY not in result.output
    assert not (tmp_path / ".tmi-deploy").exists()  # no sandbox state, no lock: nothing was asked of the API


# ---- a seeded generator: random documents never crash the loader ---------------------------------

ALPHABET = "aZ_9-:{}[],&*!|>'\"#%@`\\\t\r\n \x00\x01\x1b\x7f\u00e9\u212a\u2028\ufeff\ud7ff"


def _random_value(rng: random.Random, depth: int) -> Any:
    kind = rng.choice(["text", "text", "mapping", "list", "null"] if depth < 8 else ["text", "null"])
    if kind == "text":
        return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 12)))
    if kind == "mapping":
        keys = [rng.choice(["apps", "server", "client", "config", "name", "addons", "extends", "value", "secret_file",
                            "generate", "bytes", "tmi_version", "policy", _random_value(rng, 8)])
                for _ in range(rng.randint(0, 5))]
        return {str(key): _random_value(rng, depth + 1) for key in keys}
    return [_random_value(rng, depth + 1) for _ in range(rng.randint(0, 4))] if kind == "list" else None


def _random_document(rng: random.Random) -> str:
    skeleton = {"tmi_version": "1.8.22", "apps": {"server": {"name": "tmi-fuzz-server",
                                                              "config": _random_value(rng, 3)}}}
    extra = _random_value(rng, 1)
    if isinstance(extra, dict):
        skeleton.update(extra)
    text = yaml.safe_dump(skeleton, allow_unicode=True, default_flow_style=rng.random() < 0.3)
    if rng.random() < 0.4:  # then break it: cut it short or splice in raw characters
        cut = rng.randint(0, len(text))
        text = text[:cut] + "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 6))) + text[cut:][:rng.randint(0, 50)]
    return text


def test_random_documents_never_crash_the_loader(tmp_path: Path) -> None:
    rng = random.Random(12)
    outcomes = {"loaded": 0, "refused": 0}
    for index in range(400):
        (tmp_path / "fuzz.yml").write_text(_random_document(rng), encoding="utf-8", errors="surrogatepass")
        try:
            load_environment(tmp_path, "fuzz")
            outcomes["loaded"] += 1
        except ConfigError as exc:
            outcomes["refused"] += 1
            for problem in exc.problems:
                first, *rest = problem.render().split("\n")
                assert first.startswith(f"{tmp_path.name}/fuzz.yml:") and first.isprintable(), (index, first)
                assert all(line.startswith("    fix: ") and line.isprintable() for line in rest), (index, rest)
    assert outcomes["loaded"] and outcomes["refused"]  # the generator reaches both sides of the loader
