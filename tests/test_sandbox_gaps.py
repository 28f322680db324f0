"""The sandbox's remaining gaps closed: `Range` on every list route answers (never a 500), log sessions
stream recent release and router lines, OAuth authorizations, team existence, and a second Postgres
attached as HEROKU_POSTGRESQL_<COLOR>."""

from __future__ import annotations

import re
import time
from typing import Any

import httpx
import pytest

from tests.conftest import make_sandbox, raw

RANGES = ["id ..", "id ..; max=1", "name ..; max=1", "name ]zz..; max=1, order=desc", "hostname ..; max=1",
          "version ]1..; max=1", "ordinal ..", "type ..; order=desc", "updated_at ..", "email ..", "id ]..; max=1;",
          "nonsense", "name ]\x7f..", "id ..; max=0", "version ]abc.."]


def populated() -> tuple[Any, httpx.Client, dict[str, str]]:
    """Two of everything a list can hold, so a sort really compares."""
    box = make_sandbox(provisioning_seconds=0)
    http = raw(box)
    http.post("/apps", json={"name": "tmi-range"})
    http.post("/apps", json={"name": "tmi-range-two"})
    http.post("/__sandbox/apps/tmi-range/deploy", json={"process_types": {"web": "bin/server", "worker": "bin/w"}})
    scaled = http.patch("/apps/tmi-range/formation", json={"updates": [
        {"type": "web", "quantity": 2, "size": "standard-1x"}, {"type": "worker", "quantity": 0, "size": "standard-1x"}]})
    assert scaled.status_code == 200, scaled.text
    addon = http.post("/apps/tmi-range/addons", json={"plan": "heroku-postgresql:essential-0"}).json()
    http.post("/apps/tmi-range/addons", json={"plan": "heroku-postgresql:essential-0"})
    for email in ("a@example.com", "b@example.com"):
        assert http.post("/apps/tmi-range/collaborators", json={"user": email}).status_code == 201
    for host in ("a.example.com", "b.example.com"):
        http.post("/apps/tmi-range/domains", json={"hostname": host, "sni_endpoint": None})
    http.put("/apps/tmi-range/buildpack-installations", json={"updates": [{"buildpack": "heroku/go"},
                                                                          {"buildpack": "heroku/nodejs"}]})
    auth = http.post("/oauth/authorizations", json={"scope": ["global"], "description": "one"}).json()
    http.post("/oauth/authorizations", json={"scope": ["read"], "description": "two"})
    attachment = http.get("/apps/tmi-range/addon-attachments").json()[0]
    params = {"app": "tmi-range", "addon": addon["name"], "attachment": attachment["id"], "service": "heroku-postgresql",
              "plan": "essential-0", "size": "eco", "region": "us", "stack": "heroku-24", "release": "1",
              "feature": "preboot", "ptype": "web", "collab": "a@example.com", "domain": "a.example.com",
              "user": "~", "database": addon["name"], "team": "tmi-team", "auth": auth["id"], "sni": "x", "dyno": "web.1"}
    return box, http, params


def list_paths(box: Any, params: dict[str, str]) -> list[str]:
    paths = []
    for route in box.asgi.routes:
        for sub in getattr(route, "routes", [route]):
            method, _, template = str(sub.name).partition(" ")
            if method == "GET" and not template.startswith("/__sandbox"):
                paths.append(re.sub(r"{(\w+)}", lambda m: params[m.group(1)], template))
    return paths


def test_range_on_every_get_route_is_answered_never_a_500() -> None:
    box, http, params = populated()
    paths = list_paths(box, params)
    assert len(paths) > 40 and "/apps/tmi-range/collaborators" in paths and "/oauth/authorizations" in paths
    statuses: dict[int, int] = {}
    for path in paths:
        for header in RANGES:
            response = http.get(path, headers={"Range": header})
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            assert response.status_code < 500, f"{path} Range {header!r}: {response.text}"
            body = response.json()
            if response.status_code >= 400:
                assert isinstance(body["id"], str) and isinstance(body["message"], str), (path, header, body)
    assert statuses.get(206, 0) > 10 and statuses.get(400, 0) > 10  # pages were cut and bad ranges refused


def test_range_pages_collaborators_by_id() -> None:
    _box, http, _params = populated()
    seen: list[str] = []
    response = http.get("/apps/tmi-range/collaborators", headers={"Range": "id ..; max=1"})
    while response.status_code == 206:
        seen += [c["id"] for c in response.json()]
        response = http.get("/apps/tmi-range/collaborators", headers={"Range": response.headers["Next-Range"]})
    seen += [c["id"] for c in response.json()]
    assert seen == sorted(seen) and len(set(seen)) == 3  # the owner and the two collaborators, each once


# ---- log sessions -------------------------------------------------------------------------------

def stream(http: httpx.Client, body: dict[str, Any], app: str = "tmi-range") -> list[str]:
    session = http.post(f"/apps/{app}/log-sessions", json=body)
    assert session.status_code == 201, session.text
    response = http.get(session.json()["logplex_url"].removeprefix("http://sandbox.test"), headers={"Authorization": ""})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/event-stream")
    return [line.removeprefix("data: ") for line in response.text.splitlines() if line.startswith("data: ")]


def test_logs_show_recent_release_and_router_lines() -> None:
    _box, http, _params = populated()
    lines = stream(http, {"lines": 1500})
    releases = http.get("/apps/tmi-range/releases").json()
    assert sum("app[api]: Release v" in line for line in lines) == len(releases)
    assert sum("heroku[router]:" in line for line in lines) == 2  # one per running web dyno
    assert all(re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00 (app\[api\]|heroku\[router\]): ", x) for x in lines)
    assert len(stream(http, {"lines": 3})) == 3
    assert {"router"} == {x.split("[", 1)[1].split("]", 1)[0] for x in stream(http, {"lines": 50, "dyno": "router"})}
    assert all("dyno=web.2" in x for x in stream(http, {"lines": 50, "dyno": "web.2"}))
    assert all(" app[api]: " in x for x in stream(http, {"lines": 50, "source": "app"}))


def test_log_sessions_refuse_bad_input_and_expire() -> None:
    box, http, _params = populated()
    for body in ({"lines": 0}, {"lines": "5"}, {"tail": "yes"}, {"dyno": 5}):
        response = http.post("/apps/tmi-range/log-sessions", json=body)
        assert response.status_code == 422 and response.json()["id"] == "invalid_params", body
    unknown = http.get("/__sandbox/log-streams/00000000-0000-0000-0000-000000000000", headers={"Authorization": ""})
    assert unknown.status_code == 404 and unknown.json()["id"] == "not_found"
    session = http.post("/apps/tmi-range/log-sessions", json={"lines": 5}).json()
    box.state["log_sessions"][session["id"]]["expires"] = time.time() - 1
    assert http.get(session["logplex_url"].removeprefix("http://sandbox.test")).status_code == 404
    assert http.post("/apps/nope/log-sessions", json={}).status_code == 404


# ---- OAuth authorizations -----------------------------------------------------------------------

def test_authorizations_show_their_token_once_and_a_revoked_token_stops_working() -> None:
    _box, http, _params = populated()
    http.patch("/__sandbox/settings", json={"tokens": ["test-token"]})
    created = http.post("/oauth/authorizations", json={"scope": ["global"], "description": "ci"}).json()
    token = created["access_token"]["token"]
    assert token.startswith("HRKU-")
    listed = {a["id"]: a for a in http.get("/oauth/authorizations").json()}
    assert "token" not in listed[created["id"]]["access_token"] and token not in str(listed)
    as_new = {"Authorization": f"Bearer {token}"}
    assert http.get("/account", headers=as_new).status_code == 200
    regenerated = http.post(f"/oauth/authorizations/{created['id']}/actions/regenerate-tokens").json()
    assert http.get("/account", headers=as_new).status_code == 401
    newer = {"Authorization": f"Bearer {regenerated['access_token']['token']}"}
    assert http.get("/account", headers=newer).status_code == 200
    assert http.patch(f"/oauth/authorizations/{created['id']}", json={"client": {}, "description": "x"}).json()[
        "description"] == "x"
    assert http.delete(f"/oauth/authorizations/{created['id']}").status_code == 200
    assert http.get("/account", headers=newer).status_code == 401
    assert http.get("/account").status_code == 200  # the operator's own token still works


@pytest.mark.parametrize("body", [{"scope": "global"}, {"scope": []}, {"scope": ["root"]}, {},
                                  {"scope": ["global"], "expires_in": -1}, {"scope": ["global"], "client": "nope"}])
def test_authorizations_refuse_what_heroku_refuses(body: dict[str, Any]) -> None:
    _box, http, _params = populated()
    response = http.post("/oauth/authorizations", json=body)
    assert response.status_code in (404, 422) and {"id", "message"} <= set(response.json())
    assert http.get("/oauth/authorizations/nope").status_code == 404


# ---- teams and colored attachments --------------------------------------------------------------

def test_team_apps_need_a_team_the_account_belongs_to() -> None:
    _box, http, _params = populated()
    missing = http.post("/teams/apps", json={"name": "tmi-team-x", "team": "no-such-team"})
    assert missing.status_code == 404 and missing.json()["resource"] == "team"
    foreign = http.post("/teams/apps", json={"name": "tmi-team-x", "team": "salesforce"})
    assert foreign.status_code == 403 and foreign.json()["id"] == "forbidden"
    assert http.post("/teams/apps", json={"name": "tmi-team-x"}).status_code == 422
    assert http.get("/apps/tmi-team-x").status_code == 404  # nothing was made
    made = http.post("/teams/apps", json={"name": "tmi-team-x", "team": "tmi-team"})
    assert made.status_code == 201 and made.json()["team"]["name"] == "tmi-team"
    assert http.patch("/__sandbox/settings", json={"teams": ["tmi-staff"]}).status_code == 200
    assert [t["name"] for t in http.get("/teams").json()] == ["tmi-staff"]
    assert http.post("/teams/apps", json={"name": "tmi-team-y", "team": "tmi-team"}).status_code == 404
    assert http.patch("/__sandbox/settings", json={"teams": ["Bad Team"]}).status_code == 422


def test_a_second_postgres_is_attached_with_a_color() -> None:
    box, http, _params = populated()
    names = sorted(a["name"] for a in http.get("/apps/tmi-range/addon-attachments").json())
    assert names == ["DATABASE", "HEROKU_POSTGRESQL_AMBER"]
    third = http.post("/apps/tmi-range/addons", json={"plan": "heroku-postgresql:essential-0"}).json()
    assert third["config_vars"] == ["HEROKU_POSTGRESQL_AQUA_URL"]
    app = next(a for a in box.state["apps"].values() if a["name"] == "tmi-range")
    assert {"DATABASE_URL", "HEROKU_POSTGRESQL_AMBER_URL", "HEROKU_POSTGRESQL_AQUA_URL"} <= set(app["config"])
    first_redis = http.post("/apps/tmi-range/addons", json={"plan": "heroku-redis:mini"}).json()
    second_redis = http.post("/apps/tmi-range/addons", json={"plan": "heroku-redis:mini"}).json()
    assert (first_redis["config_vars"], second_redis["config_vars"]) == (["REDIS_URL"], ["HEROKU_REDIS_AMBER_URL"])
    named = http.post("/apps/tmi-range/addons", json={"plan": "heroku-postgresql:essential-0",
                                                      "attachment": {"name": "DATABASE"}})
    assert named.status_code == 422  # an explicit name that is taken is still refused


BAD_BODIES = [b"\xff\xfe", b"[]", b"null", b'"text"', b'{"x": 1e400}', b'{"name": {"id": null}, "hostname": [], "team": 5}']


def test_every_route_answers_malformed_bodies_with_a_json_error() -> None:
    box, http, params = populated()
    routes = []
    for route in box.asgi.routes:
        for sub in getattr(route, "routes", [route]):
            method, _, template = str(sub.name).partition(" ")
            if method and not template.startswith("/__sandbox"):
                routes.append((method, re.sub(r"{(\w+)}", lambda m: params[m.group(1)], template)))
    assert len(routes) > 70
    routes.sort(key=lambda r: (r[0] == "DELETE", r[1] == "/apps/tmi-range"))  # removals last, the app itself at the end
    for (method, path), body in ((r, b) for r in routes for b in BAD_BODIES):
        response = http.request(method, path, content=body, headers={"Content-Type": "application/json"})
        assert response.status_code < 500, f"{method} {path} {body!r}: {response.text}"
        if response.status_code >= 400:
            error = response.json()
            assert isinstance(error["id"], str) and isinstance(error["message"], str), (method, path, body)
