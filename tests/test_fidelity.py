"""Fidelity: the real Heroku CLI (npm `heroku`, v11) works against the served sandbox, and the schema
checker that validates every sandbox response in this suite really rejects wrong shapes."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
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
    host = url.split("://", 1)[1].split(":", 1)[0]
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(home), "HEROKU_HOST": url, "HEROKU_API_KEY": "cli-token",
           "HEROKU_PARTICLEBOARD_URL": url, "DISABLE_TELEMETRY": "true", "HEROKU_ANALYTICS_URL": url,
           "HEROKU_DATA_HOST": host, "NO_COLOR": "1", "CI": "true", "HEROKU_SKIP_NEW_VERSION_CHECK": "true"}
    result = subprocess.run([cli, *args], env=env, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, f"heroku {' '.join(args)} exited {result.returncode}:\n{result.stderr[-2000:]}"
    return result


class Driver:
    """The real Heroku CLI against the served sandbox, with a view of the sandbox's state to check effects."""

    def __init__(self, box: Any, url: str, home: Path, cli_path: str, sb: httpx.Client) -> None:
        self.box, self.url, self.home, self.cli_path, self.sb = box, url, home, cli_path, sb

    def __call__(self, *args: str) -> subprocess.CompletedProcess[str]:
        return run_cli(self.cli_path, self.url, self.home, *args)

    def app(self, name: str = APP) -> dict[str, Any]:
        return next(a for a in self.box.state["apps"].values() if a["name"] == name)

    def provisioned(self) -> None:
        for addon in self.box.state["addons"].values():
            addon["ready_at"] = 0  # the provider reports completion


@pytest.fixture
def heroku(cli_path: str, served: Any, tmp_path: Path) -> Iterator[Driver]:
    box, url = served
    home = tmp_path / "home"
    home.mkdir()
    with httpx.Client(base_url=url, headers=HEADERS) as sb:
        yield Driver(box, url, home, cli_path, sb)


def test_apps_config_and_releases(heroku: Driver) -> None:
    out = heroku("apps:create", APP, "--region", "us")
    assert APP in out.stdout + out.stderr
    assert APP in heroku("apps").stdout  # GET /users/~/apps
    info = json.loads(heroku("apps:info", "--json", "-a", APP).stdout)
    assert info["app"]["name"] == APP and info["app"]["id"] == heroku.app()["id"]
    assert info["app"]["web_url"] == heroku.sb.get(f"/apps/{APP}").json()["web_url"]
    heroku("config:set", "TMI_LOG_LEVEL=debug", "TMI_BUILD_MODE=production", "-a", APP)
    assert heroku.app()["config"] == {"TMI_LOG_LEVEL": "debug", "TMI_BUILD_MODE": "production"}
    listing = heroku("config", "-a", APP).stdout
    assert "TMI_LOG_LEVEL:" in listing and "debug" in listing
    assert heroku("config:get", "TMI_BUILD_MODE", "-a", APP).stdout.strip() == "production"
    heroku("config:unset", "TMI_LOG_LEVEL", "-a", APP)
    assert heroku.app()["config"] == {"TMI_BUILD_MODE": "production"}
    releases = heroku("releases", "-a", APP).stdout
    for release in heroku.app()["releases"]:
        assert release["description"][:30] in releases
    heroku("releases:rollback", "-a", APP)  # no version: the release before the current one
    assert heroku.app()["releases"][-1]["description"] == f"Rollback to v{len(heroku.app()['releases']) - 2}"
    assert heroku.app()["config"] == {"TMI_BUILD_MODE": "production", "TMI_LOG_LEVEL": "debug"}
    heroku("access:add", "dev@example.com", "-a", APP)
    assert [c["email"] for c in heroku.app()["collaborators"]] == ["dev@example.com"]


def test_addons_attach_detach_and_pg_info(heroku: Driver) -> None:
    heroku("apps:create", APP, "--region", "us")
    heroku("apps:create", "tmi-cli-other", "--region", "us")
    created = heroku("addons:create", "heroku-postgresql:essential-0", "--as", "DATABASE", "-a", APP)
    addon = next(iter(heroku.box.state["addons"].values()))
    assert addon["name"] in created.stdout + created.stderr and addon["state"] == "provisioning"
    heroku.provisioned()
    listed = json.loads(heroku("addons", "--json", "-a", APP).stdout)
    assert [(a["name"], a["plan"]["name"]) for a in listed] == [(addon["name"], "heroku-postgresql:essential-0")]
    assert "DATABASE_URL" in heroku.app()["config"]
    info = heroku("pg:info", "-a", APP).stdout
    assert "DATABASE_URL" in info and "Essential 0" in info and addon["name"] in info
    heroku("addons:attach", addon["name"], "--as", "SHARED_DB", "-a", "tmi-cli-other")
    assert heroku.app("tmi-cli-other")["config"]["SHARED_DB_URL"] == heroku.app()["config"]["DATABASE_URL"]
    heroku("addons:detach", "SHARED_DB", "-a", "tmi-cli-other")
    assert "SHARED_DB_URL" not in heroku.app("tmi-cli-other")["config"]
    heroku("addons:upgrade", "DATABASE", "heroku-postgresql:essential-1", "-a", APP)
    assert addon["plan"] == "heroku-postgresql:essential-1"
    heroku("addons:destroy", "DATABASE", "--confirm", APP, "-a", APP)
    assert heroku.box.state["addons"] == {} and "DATABASE_URL" not in heroku.app()["config"]


def test_features_labs_and_dynos(heroku: Driver) -> None:
    heroku("apps:create", APP, "--region", "us")
    features = heroku("features", "-a", APP).stdout
    assert "http-session-affinity" in features and "runtime-dyno-metadata" not in features  # general only
    heroku("features:enable", "http-session-affinity", "-a", APP)
    assert heroku.app()["features"]["http-session-affinity"] is True
    assert "runtime-dyno-metadata" in heroku("labs", "-a", APP).stdout
    heroku.sb.post(f"/__sandbox/apps/{APP}/deploy", json={})  # process types exist only after a code push
    heroku("ps:scale", "web=2:standard-1x", "-a", APP)
    assert heroku.app()["formation"]["web"]["quantity"] == 2
    heroku("ps:type", "web=standard-2x", "-a", APP)
    assert heroku.app()["formation"]["web"]["size"] == "Standard-2X"
    ps = heroku("ps", "-a", APP).stdout
    assert "web.1" in ps and "web.2" in ps and "Standard-2X" in ps
    assert json.loads(heroku("apps:info", "--json", "-a", APP).stdout)["dynos"][0]["name"] == "web.1"
    heroku("ps:restart", "-a", APP)


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



def test_domains_acm_logs_and_authorizations(heroku: Driver) -> None:
    heroku("apps:create", APP, "--region", "us")
    added = heroku("domains:add", "tmi.example.com", "-a", APP).stdout
    domain = heroku.app()["domains"][0]
    assert domain["hostname"] == "tmi.example.com" and domain["cname"] in added  # the DNS target to set
    listed = heroku("domains", "-a", APP).stdout
    assert "tmi.example.com" in listed and f"{APP}-{heroku.app()['suffix']}.herokuapp.com" in listed
    heroku.sb.post(f"/__sandbox/apps/{APP}/deploy", json={})
    heroku("ps:scale", "web=2:standard-1x", "-a", APP)
    heroku("certs:auto:enable", "-a", APP)
    assert heroku.app()["acm"] is True
    heroku("config:set", "TMI_LOG_LEVEL=debug", "-a", APP)
    lines = heroku("logs", "-n", "5", "-a", APP).stdout.splitlines()
    assert len(lines) == 5, lines
    text = "\n".join(lines)
    assert "app[api]: Set TMI_LOG_LEVEL config vars by user operator@example.com" in text  # the latest release
    assert f"app[api]: Release v{len(heroku.app()['releases'])} created" in text
    assert "heroku[router]: at=info method=GET" in text and "dyno=web.2" in text  # one line per running web dyno
    created = heroku("authorizations:create", "-d", "tmi-deploy CI", "-s", "global").stdout
    auth = next(iter(heroku.box.state["authorizations"].values()))
    assert auth["token"] in created
    listing = heroku("authorizations").stdout
    assert "tmi-deploy CI" in listing and auth["id"] in listing and auth["token"] not in listing
