"""Hostile and broken input to the sandbox: every malformed request gets Heroku's JSON error with the
right status (never a 500), the control plane needs the token, state files are locked, atomic and
checked, and each sandbox has its own plan-fingerprint key."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from tests.conftest import HEADERS, make_sandbox, raw
from tmi_deploy.cli.app import app as cli_app
from tmi_deploy.sandbox import sandbox_plan_key
from tmi_deploy.sandbox.store import StateFileError, load_state

JSON = {**HEADERS, "Content-Type": "application/json"}


@pytest.fixture
def http() -> httpx.Client:
    client = raw(make_sandbox())
    assert client.post("/apps", json={"name": "tmi-hostile"}).status_code == 201
    assert client.post("/__sandbox/apps/tmi-hostile/deploy", json={}).status_code == 200
    return client


@pytest.mark.parametrize(("method", "path", "headers", "content", "status", "error_id"), [
    ("GET", "/apps", {"Range": "name ]..; max=ten"}, b"", 400, "bad_request"),
    ("GET", "/apps", {"Range": "name ..; max=99999999999999999999"}, b"", 400, "bad_request"),
    ("GET", "/apps", {"Range": "\x7fname .."}, b"", 400, "bad_request"),
    ("GET", "/apps", {"Range": "name ..; order=sideways"}, b"", 400, "bad_request"),
    ("GET", "/apps/tmi-hostile/releases", {"Range": "version ]abc..; max=2"}, b"", 400, "bad_request"),
    ("GET", "/apps/tmi-hostile/releases", {"Range": "version ]1e999.."}, b"", 400, "bad_request"),
    ("POST", "/apps", JSON, b"{nope", 400, "bad_request"),
    ("POST", "/apps", JSON, b"\xff\xfe\x00binary", 400, "bad_request"),
    ("POST", "/apps", JSON, b"[" * 100_000, 400, "bad_request"),
    ("POST", "/apps", JSON, b'{"a":' * 40 + b"1" + b"}" * 40, 400, "bad_request"),
    ("POST", "/apps", JSON, b'"just a string"', 422, "invalid_params"),
    ("POST", "/apps", JSON, b"x" * 1_100_000, 413, "request_entity_too_large"),
    ("PATCH", "/apps/tmi-hostile/config-vars", JSON, b"null", 422, "invalid_params"),
    ("PATCH", "/apps/tmi-hostile/config-vars", JSON, b'{"K\\u0000": "v"}', 422, "invalid_params"),
    ("POST", "/apps/tmi-hostile/addons", JSON, b'{"plan": "heroku-postgresql:essential-0", "attachment": {"name": []}}',
     422, "invalid_params"),
    ("POST", "/apps/tmi-hostile/addons", JSON, b'{"plan": "heroku-postgresql:essential-0", "attachment": "DB"}',
     422, "invalid_params"),
    ("PATCH", "/apps/tmi-hostile/formation", JSON, b'{"updates": "web=2"}', 422, "invalid_params"),
    ("PATCH", "/apps/tmi-hostile/formation", JSON, b'{"updates": [7]}', 422, "invalid_params"),
    ("PATCH", "/apps/tmi-hostile/formation/web", JSON, b'{"quantity": "99999999999"}', 422, "invalid_params"),
    ("POST", "/apps/tmi-hostile/releases", JSON, b'{"release": {"id": 1}}', 422, "invalid_params"),
    ("POST", "/actions/addons/resolve", JSON, b'{"addon": ["x"]}', 422, "invalid_params"),
    ("GET", "/apps/%00%0a<script>", {}, b"", 404, "not_found"),
    ("GET", "/account", {"Authorization": "Basic %%%not-base64"}, b"", 401, "unauthorized"),
    ("GET", "/account", {"Authorization": "Basic " + "w7/Dvw==" }, b"", 401, "unauthorized"),
    ("GET", "/account", {"Accept": "application/vnd.heroku+json; version=2"}, b"", 400, "missing_version"),
    ("DELETE", "/account", {}, b"", 405, "not_found"),
    ("PATCH", "/__sandbox/settings", JSON, b'{"provisioning_seconds": "soon"}', 422, "invalid_params"),
    ("PATCH", "/__sandbox/settings", JSON, b'{"provisioning_seconds": 1e999}', 422, "invalid_params"),
    ("PATCH", "/__sandbox/settings", JSON, b'{"latency_ms": -1}', 422, "invalid_params"),
    ("PATCH", "/__sandbox/settings", JSON, b'{"faults": "teapot=1"}', 422, "invalid_params"),
    ("PATCH", "/__sandbox/settings", JSON, b'{"faults": 5}', 422, "invalid_params"),
    ("PATCH", "/__sandbox/settings", JSON, b'{"tokens": []}', 422, "invalid_params"),
    ("PATCH", "/__sandbox/settings", JSON, b'{"ratelimit_capacity": true}', 422, "invalid_params"),
    ("PATCH", "/__sandbox/settings", JSON, b"[1]", 422, "invalid_params"),
    ("POST", "/__sandbox/apps/tmi-hostile/deploy", JSON, b'{"process_types": {"web": 5}}', 422, "invalid_params"),
    ("POST", "/__sandbox/apps/nope/deploy", JSON, b"{}", 404, "not_found"),
    ("POST", "/__sandbox/nothing-here", JSON, b"{}", 404, "not_found"),
    ("POST", "/apps/tmi-hostile/domains", JSON, b'{"hostname": 5, "sni_endpoint": null}', 422, "invalid_params"),
    ("POST", "/apps/tmi-hostile/domains", JSON, b'{"hostname": "a.example.com", "sni_endpoint": {"x": 1}}', 422,
     "invalid_params"),
    ("POST", "/apps/tmi-hostile/domains", JSON, b"[]", 422, "invalid_params"),
    ("PUT", "/apps/tmi-hostile/domains", JSON, b"{}", 405, "not_found"),
    ("PATCH", "/apps/tmi-hostile/acm", JSON, b'{"acm_refresh": "yes"}', 422, "invalid_params"),
    ("POST", "/apps/tmi-hostile/log-sessions", JSON, b'{"lines": 1e999}', 422, "invalid_params"),
    ("POST", "/apps/tmi-hostile/log-sessions", JSON, b'"tail"', 422, "invalid_params"),
    ("GET", "/__sandbox/log-streams/%ff%00", {"Authorization": ""}, b"", 404, "not_found"),
    ("POST", "/__sandbox/log-streams/x", {"Authorization": ""}, b"", 404, "not_found"),
    ("POST", "/oauth/authorizations", JSON, b'{"scope": [1]}', 422, "invalid_params"),
    ("DELETE", "/oauth/authorizations/%2e%2e", {}, b"", 404, "not_found"),
    ("POST", "/teams/apps", JSON, b'{"team": ["x"]}', 422, "invalid_params"),
    ("GET", "/teams/%ff", {}, b"", 404, "not_found"),
    ("GET", "/apps/%ff%fe", {}, b"", 404, "not_found"),
])
def test_malformed_requests_get_herokus_json_error(http: httpx.Client, method: str, path: str, headers: dict[str, str],
                                                   content: bytes, status: int, error_id: str) -> None:
    response = http.request(method, path, headers=headers, content=content)
    assert response.status_code == status, response.text
    body = response.json()
    assert body["id"] == error_id and isinstance(body["message"], str) and "Traceback" not in body["message"]


def test_refused_settings_change_nothing(http: httpx.Client) -> None:
    before = http.get("/__sandbox/state").json()
    assert http.patch("/__sandbox/settings", json={"provisioning_seconds": 5, "faults": "teapot=1"}).status_code == 422
    assert http.get("/__sandbox/state").json()["provisioning_seconds"] == before["provisioning_seconds"]


@pytest.mark.parametrize(("method", "path"), [("GET", "/__sandbox/state"), ("GET", "/__sandbox/stats"),
                                              ("POST", "/__sandbox/reset"), ("PATCH", "/__sandbox/settings")])
def test_control_plane_requires_the_token(method: str, path: str) -> None:
    box = make_sandbox()
    box.state["tokens"] = ["right"]
    http = raw(box)
    for auth in ("", "Bearer wrong"):
        refused = http.request(method, path, headers={"Authorization": auth}, json={"tokens": ["mine"]})
        assert refused.status_code == 401 and refused.json()["id"] == "unauthorized"
    assert box.state["tokens"] == ["right"]
    assert http.request(method, path, headers={"Authorization": "Bearer right"}, json={}).status_code == 200


def test_two_sandboxes_on_one_state_file_lose_no_write(tmp_path: Path) -> None:
    state = tmp_path / "sandbox.json"
    errors: list[str] = []

    def create_apps(prefix: str) -> None:
        http = raw(make_sandbox(state_path=state))
        for index in range(8):
            response = http.post("/apps", json={"name": f"tmi-{prefix}-{index}"})
            if response.status_code != 201:
                errors.append(response.text)

    threads = [threading.Thread(target=create_apps, args=(p,)) for p in ("left", "right")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    names = {app["name"] for app in load_state(state)["apps"].values()}
    assert names == {f"tmi-{p}-{i}" for p in ("left", "right") for i in range(8)}


@pytest.mark.parametrize("content", [b"", b'{"apps": {', b"\x00\xff\x13binary", b"[]", b'{"apps": {}}'])
def test_broken_state_file_is_a_one_line_error(tmp_path: Path, content: bytes) -> None:
    state = tmp_path / "sandbox.json"
    state.write_bytes(content)
    with pytest.raises(StateFileError) as caught:
        make_sandbox(state_path=state)
    assert "\n" not in str(caught.value) and "sandbox reset" in str(caught.value)


@pytest.mark.parametrize("command", [["sandbox", "deploy", "tmi-x", "--state", "/"], ["sandbox", "reset", "--state", "/"],
                                     ["sandbox", "serve", "--state", "/"], ["sandbox", "deploy", "tmi-x", "--state", "bad"]])
def test_cli_state_errors_are_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bad").write_bytes(b"\x00\x01")
    result = CliRunner().invoke(cli_app, command)
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output and result.output.strip().count("\n") == 0, result.output
    assert result.output.startswith("error: sandbox state")


def test_non_loopback_host_needs_a_flag_and_warns(monkeypatch: pytest.MonkeyPatch) -> None:
    served: list[Any] = []
    monkeypatch.setattr("tmi_deploy.sandbox.serve.serve_forever", lambda *args: served.append(args))
    refused = CliRunner().invoke(cli_app, ["sandbox", "serve", "--host", "0.0.0.0"])
    assert refused.exit_code == 1 and "--allow-remote" in refused.output and served == []
    allowed = CliRunner().invoke(cli_app, ["sandbox", "serve", "--host", "0.0.0.0", "--allow-remote"])
    assert allowed.exit_code == 0 and "warning: serving on 0.0.0.0" in allowed.output and len(served) == 1
    local = CliRunner().invoke(cli_app, ["sandbox", "serve", "--host", "::1"])
    assert local.exit_code == 0 and "warning" not in local.output and len(served) == 2


def test_plan_key_is_random_per_sandbox_and_kept(tmp_path: Path) -> None:
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    key = sandbox_plan_key(first)
    assert len(key) == 32 and sandbox_plan_key(first) == key
    assert sandbox_plan_key(second) != key
    assert CliRunner().invoke(cli_app, ["sandbox", "reset", "--state", str(first)]).exit_code == 0
    assert sandbox_plan_key(first) != key


def test_an_unexpected_error_is_a_json_500_not_a_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    from tmi_deploy.sandbox import Sandbox, SandboxSettings

    box = Sandbox(SandboxSettings(provisioning_seconds=0))  # unchecked: this answer is the point of the test
    monkeypatch.setattr(box.platform, "find_app", lambda ident: {}["boom"])
    response = raw(box).get("/apps/anything/config-vars")
    assert response.status_code == 500
    assert response.json() == {"id": "internal_server_error",
                               "message": "Internal server error (a sandbox bug; see its log)."}
