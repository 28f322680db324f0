"""Static checks that are part of the suite: ruff and mypy --strict on tmi_deploy/, README and CI agree."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=600,
                          check=False)


def test_ruff_clean() -> None:
    result = run("ruff", "check", "tmi_deploy")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_clean() -> None:
    result = run("mypy", "--strict", "tmi_deploy")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ci_runs_exactly_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    command = next(line for line in ci.splitlines() if "pytest" in line)
    assert command in readme, f"README must show the command CI runs:\n{command}"


def test_app_json_and_schema_files_are_current() -> None:
    from tmi_deploy.config.appjson import render_app_json
    from tmi_deploy.config.loader import load_base

    assert (ROOT / "app.json").read_text() == render_app_json(load_base(ROOT / "environments")), (
        "run: tmi-deploy app-json --write")
    printed = run("tmi_deploy", "schema")
    assert printed.returncode == 0, printed.stderr
    assert (ROOT / "environments" / "schema.json").read_text() == printed.stdout, (
        "run: tmi-deploy schema > environments/schema.json")


def modules_loaded_by(*argv: str) -> set[str]:
    """The modules a fresh interpreter holds after `python -m tmi_deploy ARGV` (or after bare imports
    of tmi_deploy.cli.app when ARGV is empty), in the repository's own environments/."""
    script = (
        "import json, runpy, sys\n"
        f"sys.argv = ['tmi-deploy', *{list(argv)!r}]\n"
        "try:\n"
        "    runpy.run_module('tmi_deploy', run_name='__main__') if len(sys.argv) > 1 else __import__('tmi_deploy.cli.app')\n"
        "except SystemExit as exit:\n"
        "    assert exit.code in (0, None), exit.code\n"
        "print(json.dumps(sorted(sys.modules)), file=sys.stderr)\n")
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120,
                            check=False)
    assert result.returncode == 0, result.stderr
    return set(json.loads(result.stderr.strip().splitlines()[-1]))


def test_planner_imports_no_http_client() -> None:
    result = subprocess.run([sys.executable, "-c", "import json, sys, tmi_deploy.plan.planner; "
                             "print(json.dumps(sorted(sys.modules)))"], capture_output=True, text=True, timeout=120,
                            check=False)
    assert result.returncode == 0, result.stderr
    loaded = set(json.loads(result.stdout))
    assert {"tmi_deploy.plan.planner", "tmi_deploy.plan.values"} <= loaded
    heavy = {"httpx", "tmi_deploy.heroku.client", "deepdiff"} & loaded
    assert not heavy, f"importing the planner loaded {sorted(heavy)}"


def test_offline_commands_do_not_load_the_http_stack() -> None:
    """--help and validate start faster when httpx (and the click/rich/pygments it pulls in),
    asyncio, deepdiff and the sandbox's Starlette stay unloaded; plan needs them all."""
    network_only = {"httpx", "asyncio", "deepdiff", "starlette", "tmi_deploy.heroku.client", "tmi_deploy.sandbox"}
    for argv in ((), ("--help",), ("validate",)):
        loaded = modules_loaded_by(*argv)
        assert "tmi_deploy.cli.app" in loaded, argv
        assert not network_only & loaded, f"{argv} loaded {sorted(network_only & loaded)}"
    assert {"tmi_deploy.config.loader", "tmi_deploy.catalog.lint"} <= modules_loaded_by("validate")
