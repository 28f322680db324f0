"""`tmi-deploy sandbox deploy APP` reaches the sandbox that holds the app (served over HTTP, or the state
file), and never reports a push it lost; slug releases and rollbacks carry the slug."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner, Result

from tests.conftest import make_sandbox, raw
from tmi_deploy.cli.app import app as cli_app
from tmi_deploy.sandbox.serve import free_port, serving
from tmi_deploy.sandbox.store import load_state


def deploy(*args: str) -> Result:
    return CliRunner().invoke(cli_app, list(args), env={"HEROKU_API_URL": None, "HEROKU_API_KEY": None})


def test_deploy_to_a_served_sandbox_over_http() -> None:
    box = make_sandbox()
    box.platform.create_app({"name": "tmi-pushed"})
    with serving(box) as url:
        result = deploy("--api-url", url, "sandbox", "deploy", "tmi-pushed")
        missing = deploy("--api-url", url, "sandbox", "deploy", "tmi-nowhere")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("deployed tmi-pushed: release v3 (Deploy ")
    assert box.platform.find_app("tmi-pushed")["formation"]["web"]["quantity"] == 1
    assert missing.exit_code == 1 and "Couldn't find that app." in missing.output and "deployed" not in missing.output


def test_deploy_to_nothing_listening_is_a_clear_error() -> None:
    result = deploy("--api-url", f"http://127.0.0.1:{free_port()}", "sandbox", "deploy", "tmi-pushed")
    assert result.exit_code == 1 and "no tmi-deploy sandbox answered" in result.output
    assert result.output.count("\n") == 1 and "Traceback" not in result.output


def test_deploy_to_a_state_file_a_served_sandbox_uses_is_not_lost(tmp_path: Path) -> None:
    state = tmp_path / "sandbox.json"
    box = make_sandbox(state_path=state)
    http = raw(box)
    assert http.post("/apps", json={"name": "tmi-filed"}).status_code == 201
    result = deploy("sandbox", "deploy", "tmi-filed", "--state", str(state))
    assert result.exit_code == 0, result.output
    assert [f["type"] for f in http.get("/apps/tmi-filed/formation").json()] == ["web"]  # the server sees it
    http.patch("/apps/tmi-filed/config-vars", json={"A": "1"})  # and its next write keeps the push
    assert load_state(state)["apps"][box.platform.find_app("tmi-filed")["id"]]["slug"] is not None


def test_deploy_of_an_app_the_file_lacks_points_at_api_url(tmp_path: Path) -> None:
    result = deploy("sandbox", "deploy", "tmi-elsewhere", "--state", str(tmp_path / "s.json"))
    assert result.exit_code == 1 and "--api-url" in result.output and "deployed" not in result.output


@pytest.fixture
def http() -> httpx.Client:
    client = raw(make_sandbox(provisioning_seconds=0))
    for name in ("tmi-source", "tmi-target"):
        assert client.post("/apps", json={"name": name}).status_code == 201
    return client


def test_slug_release_defines_process_types_and_rollback_restores_the_slug(http: httpx.Client) -> None:
    pushed = http.post("/__sandbox/apps/tmi-source/deploy", json={"process_types": {"web": "bin/server",
                                                                                     "worker": "bin/worker"}}).json()
    slug = pushed["slug"]["id"]
    released = http.post("/apps/tmi-target/releases", json={"slug": slug, "description": "promote"})
    assert released.status_code == 201 and released.json()["description"] == "promote"
    assert released.json()["slug"] == {"id": slug}
    assert sorted(f["type"] for f in http.get("/apps/tmi-target/formation").json()) == ["web", "worker"]
    unknown = http.post("/apps/tmi-target/releases", json={"slug": "01234567-89ab-cdef-0123-456789abcdef"})
    assert unknown.status_code == 404 and unknown.json()["id"] == "not_found"
    http.post("/__sandbox/apps/tmi-target/deploy", json={})
    http.post("/apps/tmi-target/releases", json={"release": released.json()["id"]})
    assert http.get("/apps/tmi-target/releases").json()[-1]["slug"] == {"id": slug}


def test_every_succeeded_release_is_eligible_for_rollback(http: httpx.Client) -> None:
    http.patch("/apps/tmi-source/config-vars", json={"A": "1"})
    newest_first = http.get("/apps/tmi-source/releases", headers={"Range": "version ..; max=10, order=desc"}).json()
    eligible = [r["version"] for r in newest_first if r["eligible_for_rollback"]]
    assert eligible[:2] == [3, 2]  # the CLI's rollback without a version takes the second: the previous release


def test_dynos_follow_the_formation_after_a_push(http: httpx.Client) -> None:
    assert http.get("/apps/tmi-source/dynos").json() == []
    http.post("/__sandbox/apps/tmi-source/deploy", json={})
    http.patch("/apps/tmi-source/formation/web", json={"quantity": 3, "size": "standard-1x"})
    dynos = http.get("/apps/tmi-source/dynos").json()
    assert [(d["name"], d["size"], d["state"]) for d in dynos] == [(f"web.{i}", "Standard-1X", "up") for i in (1, 2, 3)]
    assert http.delete("/apps/tmi-source/dynos").status_code == 202
    assert http.delete("/apps/tmi-source/dynos/web.9").status_code == 404
