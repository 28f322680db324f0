"""Fidelity: the real Heroku CLI (npm `heroku`, v11) works against the served sandbox, and the schema
checker that validates every sandbox response in this suite really rejects wrong shapes."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import HEADERS, ROOT, SCHEMA_PATH, ResponseChecker

APP = "tmi-cli-check"


def heroku_cli() -> str | None:
    candidates = [os.environ.get("TMI_DEPLOY_HEROKU_CLI", ""), str(ROOT / ".ci" / "node" / "node_modules" / ".bin" / "heroku")]
    return next((c for c in candidates if c and Path(c).is_file()), None)


@pytest.fixture(scope="module")
def cli_path() -> str:
    path = heroku_cli()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("the Heroku CLI is not installed; .ci/run installs it into .ci/node")
        pytest.skip("Heroku CLI not installed (bash .ci/run installs it into .ci/node)")
    return path


def run_cli(cli: str, url: str, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(home), "HEROKU_HOST": url, "HEROKU_API_KEY": "cli-token",
           "HEROKU_PARTICLEBOARD_URL": url, "DISABLE_TELEMETRY": "true", "HEROKU_ANALYTICS_URL": url,
           "NO_COLOR": "1", "CI": "true", "HEROKU_SKIP_NEW_VERSION_CHECK": "true"}
    result = subprocess.run([cli, *args], env=env, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, f"heroku {' '.join(args)} exited {result.returncode}:\n{result.stderr[-2000:]}"
    return result


def test_heroku_cli_against_sandbox(cli_path: str, served: Any, tmp_path: Path) -> None:
    box, url = served
    home = tmp_path / "home"
    home.mkdir()
    with httpx.Client(base_url=url, headers=HEADERS) as sb:
        drive_cli(box, url, home, sb, cli_path)


def drive_cli(box: Any, url: str, home: Path, sb: httpx.Client, cli_path: str) -> None:

    def heroku(*args: str) -> subprocess.CompletedProcess[str]:
        return run_cli(cli_path, url, home, *args)

    def state_app() -> dict[str, Any]:
        return next(a for a in box.state["apps"].values() if a["name"] == APP)

    out = heroku("apps:create", APP, "--region", "us")
    assert APP in out.stdout + out.stderr
    info = json.loads(heroku("apps:info", "--json", "-a", APP).stdout)
    assert info["app"]["name"] == APP and info["app"]["id"] == state_app()["id"]
    assert info["app"]["web_url"] == sb.get(f"/apps/{APP}").json()["web_url"]

    heroku("config:set", "TMI_LOG_LEVEL=debug", "TMI_BUILD_MODE=production", "-a", APP)
    assert state_app()["config"] == {"TMI_LOG_LEVEL": "debug", "TMI_BUILD_MODE": "production"}
    listing = heroku("config", "-a", APP).stdout
    assert "TMI_LOG_LEVEL:" in listing and "debug" in listing
    assert heroku("config:get", "TMI_BUILD_MODE", "-a", APP).stdout.strip() == "production"
    heroku("config:unset", "TMI_LOG_LEVEL", "-a", APP)
    assert state_app()["config"] == {"TMI_BUILD_MODE": "production"}

    created = heroku("addons:create", "heroku-postgresql:essential-0", "--as", "DATABASE", "-a", APP)
    addon = next(iter(box.state["addons"].values()))
    assert addon["name"] in created.stdout + created.stderr
    assert "DATABASE_URL" in state_app()["config"]
    listed = json.loads(heroku("addons", "--json", "-a", APP).stdout)
    assert [(a["name"], a["plan"]["name"]) for a in listed] == [(addon["name"], "heroku-postgresql:essential-0")]
    heroku("addons:upgrade", "DATABASE", "heroku-postgresql:standard-0", "-a", APP)
    assert addon["plan"] == "heroku-postgresql:standard-0"
    heroku("addons:destroy", "DATABASE", "--confirm", APP, "-a", APP)
    assert box.state["addons"] == {} and "DATABASE_URL" not in state_app()["config"]

    features = heroku("features", "-a", APP).stdout
    assert "http-session-affinity" in features and "runtime-dyno-metadata" not in features  # general only
    heroku("features:enable", "http-session-affinity", "-a", APP)
    assert state_app()["features"]["http-session-affinity"] is True

    sb.post(f"/__sandbox/apps/{APP}/deploy", json={})  # process types exist only after a code push
    heroku("ps:scale", "web=2", "-a", APP)
    assert state_app()["formation"]["web"]["quantity"] == 2
    heroku("ps:type", "web=standard-2x", "-a", APP)
    assert state_app()["formation"]["web"]["size"] == "Standard-2X"

    releases = heroku("releases", "-a", APP).stdout
    for release in state_app()["releases"]:
        assert release["description"][:30] in releases
    assert f"v{len(state_app()['releases'])}" in releases

    heroku("access:add", "dev@example.com", "-a", APP)
    assert [c["email"] for c in state_app()["collaborators"]] == ["dev@example.com"]


def test_schema_checker_rejects_wrong_shapes() -> None:
    checker = ResponseChecker(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))
    checker.check("GET", "/apps/x", 200, {"name": 5, "maintenance": "no"})
    checker.check("GET", "/apps/x/config-vars", 200, {"A": 1})
    checker.check("GET", "/apps/x", 404, {"message": "no id"})
    checker.check("GET", "/no/such/endpoint", 200, {})
    assert len(checker.errors) == 4
    checker.check("GET", "/apps/x/config-vars", 200, {"A": "1"})
    checker.check("GET", "/apps/x/formation", 200, [])
    assert len(checker.errors) == 4 and checker.checked == 4

