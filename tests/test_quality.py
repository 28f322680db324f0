"""Static checks that are part of the suite: ruff and mypy --strict on tmi_deploy/, README and CI agree."""

from __future__ import annotations

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
    from tmi_deploy.appjson import render_app_json
    from tmi_deploy.config.loader import load_base

    assert (ROOT / "app.json").read_text() == render_app_json(load_base(ROOT / "environments"))
