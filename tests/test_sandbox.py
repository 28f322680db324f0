"""The sandbox behaves as the Platform API does (NOTES.md §2, §3, §6), over in-process HTTP."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from tests.conftest import HEADERS, make_sandbox, raw
from tmi_deploy.sandbox.faults import FaultSpec
from tmi_deploy.sandbox.store import load_state


@pytest.fixture
def http() -> httpx.Client:
    return raw(make_sandbox(provisioning_seconds=0))  # add-ons provisioned at once: these tests are about shapes


def create(http: httpx.Client, name: str = "tmi-one") -> dict[str, object]:
    response = http.post("/apps", json={"name": name, "region": "eu", "stack": "heroku-24"})
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def test_accept_header_is_required(http: httpx.Client) -> None:
    response = http.get("/account", headers={"Accept": "application/json"})
    assert response.status_code == 400
    assert response.json()["id"] == "missing_version"
    assert http.get("/account", headers={"Accept": "application/vnd.heroku+json; version=3.sdk"}).status_code == 200


def test_auth_bearer_and_basic(http: httpx.Client) -> None:
    assert http.get("/account", headers={"Authorization": ""}).status_code == 401
    assert http.get("/account", headers={"Authorization": ""}).json() == {
        "id": "unauthorized", "message": "Invalid credentials provided."}
    basic = httpx.BasicAuth("", "tok")
    assert http.get("/account", headers={"Authorization": ""}, auth=basic).status_code == 200
    # add-on services are public
    assert http.get("/addon-services", headers={"Authorization": ""}).status_code == 200


def test_only_listed_tokens_when_configured() -> None:
    box = make_sandbox()
    box.state["tokens"] = ["good"]
    http = raw(box)
    assert http.get("/account", headers={"Authorization": "Bearer bad"}).status_code == 401
    assert http.get("/account", headers={"Authorization": "Bearer good"}).status_code == 200


def test_request_id_and_rate_limit_headers(http: httpx.Client) -> None:
    first = http.get("/account", headers={"Request-Id": "abc,def"})
    second = http.get("/account")
    assert first.headers["Request-Id"].startswith("abc,def,")
    assert int(second.headers["RateLimit-Remaining"]) < int(first.headers["RateLimit-Remaining"]) <= 4500
    assert first.headers["RateLimit-Multiplier"] == "1"
    limits = http.get("/account/rate-limits")
    assert limits.json() == {"remaining": int(limits.headers["RateLimit-Remaining"])} and limits.json()["remaining"] < 4500


def test_rate_limit_exhaustion_gives_429() -> None:
    box = make_sandbox()
    box.state["ratelimit_capacity"] = 3
    http = raw(box)
    statuses = [http.get("/account").status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]  # three requests of budget, then refused
    last = http.get("/account")
    assert last.status_code == 429 and last.json()["id"] == "rate_limit"
    assert last.headers["RateLimit-Remaining"] == "0"


def test_app_create_rules(http: httpx.Client) -> None:
    app = create(http)
    assert str(app["web_url"]).startswith("https://tmi-one-") and len(str(app["web_url"])) == len(
        "https://tmi-one-") + 12 + len(".herokuapp.com/")
    assert app["region"] == {"id": app["region"]["id"], "name": "eu"}  # type: ignore[index]
    taken = http.post("/apps", json={"name": "tmi-one"})
    assert taken.status_code == 422 and taken.json()["message"] == "Name is already taken"
    assert http.post("/apps", json={"name": "Bad_Name"}).status_code == 422
    generated = http.post("/apps", json={})
    assert generated.status_code == 201 and re.fullmatch(r"[a-z]+-sandbox-[0-9a-f]{5}", generated.json()["name"])
    by_id = http.get(f"/apps/{app['id']}")
    assert by_id.json()["name"] == "tmi-one"
    missing = http.get("/apps/nope")
    assert missing.status_code == 404 and missing.json()["resource"] == "app"


def test_maintenance_and_delete(http: httpx.Client) -> None:
    create(http)
    assert http.patch("/apps/tmi-one", json={"maintenance": True}).json()["maintenance"] is True
    assert http.patch("/apps/tmi-one", json={"bogus": 1}).status_code == 422
    assert http.delete("/apps/tmi-one").json()["name"] == "tmi-one"
    assert http.get("/apps/tmi-one").status_code == 404


def test_config_vars_patch_merges_deletes_and_releases(http: httpx.Client) -> None:
    create(http)
    releases_before = len(http.get("/apps/tmi-one/releases").json())
    assert releases_before == 2  # Initial release, Enable Logplex
    full = http.patch("/apps/tmi-one/config-vars", json={"A": "1", "B": "2"}).json()
    assert full == {"A": "1", "B": "2"}
    full = http.patch("/apps/tmi-one/config-vars", json={"B": None, "C": "3"}).json()
    assert full == {"A": "1", "C": "3"}
    releases = http.get("/apps/tmi-one/releases").json()
    assert [r["description"] for r in releases[-2:]] == ["Set A, B config vars", "Set C config vars; Remove B config vars"]
    assert http.patch("/apps/tmi-one/config-vars", json={"bad-key": "x"}).status_code == 422
    assert http.patch("/apps/tmi-one/config-vars", json={"A": 5}).status_code == 422
    http.patch("/apps/tmi-one/config-vars", json={"A": None})
    assert http.get("/apps/tmi-one/releases").json()[-1]["description"] == "Remove A config vars"


def test_rollback_restores_config(http: httpx.Client) -> None:
    create(http)
    http.patch("/apps/tmi-one/config-vars", json={"A": "1"})
    v3 = http.get("/apps/tmi-one/releases/3").json()
    http.patch("/apps/tmi-one/config-vars", json={"A": "2"})
    rolled = http.post("/apps/tmi-one/releases", json={"release": v3["id"]})
    assert rolled.status_code == 201 and rolled.json()["description"] == "Rollback to v3"
    assert http.get("/apps/tmi-one/config-vars").json() == {"A": "1"}
    assert http.get("/apps/tmi-one/releases/3/config-vars").json() == {"A": "1"}


def test_pagination_range_next_range(http: httpx.Client) -> None:
    for i in range(5):
        create(http, f"tmi-page-{i}")
    first = http.get("/apps", headers={"Range": "name ..; max=2"})
    assert first.status_code == 206
    assert [a["name"] for a in first.json()] == ["tmi-page-0", "tmi-page-1"]
    assert first.headers["Next-Range"] == "name ]tmi-page-1..; max=2"
    assert first.headers["Content-Range"] == "name tmi-page-0..tmi-page-1"
    names = [a["name"] for a in first.json()]
    next_range = first.headers["Next-Range"]
    while next_range:
        page = http.get("/apps", headers={"Range": next_range})
        names += [a["name"] for a in page.json()]
        next_range = page.headers.get("Next-Range", "")
        if page.status_code == 200:
            assert "Next-Range" not in page.headers
    assert names == [f"tmi-page-{i}" for i in range(5)]
    desc = http.get("/apps/tmi-page-0/releases", headers={"Range": "version ..; max=1, order=desc"})
    assert [r["version"] for r in desc.json()] == [2]
    assert http.get("/apps", headers={"Range": "id ..; max=1000;"}).status_code == 200
    assert http.get("/apps", headers={"Range": "bogus ..; max=2"}).status_code == 400
    assert http.get("/apps", headers={"Range": "name ..; max=10; order=desc"}).status_code == 400


def test_etag_and_if_none_match(http: httpx.Client) -> None:
    create(http)
    first = http.get("/apps/tmi-one/config-vars")
    etag = first.headers["ETag"]
    assert http.get("/apps/tmi-one/config-vars", headers={"If-None-Match": etag}).status_code == 304
    http.patch("/apps/tmi-one/config-vars", json={"A": "1"})
    assert http.get("/apps/tmi-one/config-vars", headers={"If-None-Match": etag}).status_code == 200


def test_addons_create_attach_and_vars(http: httpx.Client) -> None:
    create(http)
    as_object = http.post("/apps/tmi-one/addons", json={"plan": {"name": "heroku-postgresql:essential-0"},
                                                        "attachment": {"name": "DATABASE"}})
    assert as_object.status_code == 201
    addon = as_object.json()
    assert addon["state"] == "provisioned" and addon["config_vars"] == ["DATABASE_URL"]
    assert addon["name"].startswith("postgresql-")
    as_string = http.post("/apps/tmi-one/addons", json={"plan": "heroku-redis"}).json()
    assert as_string["plan"]["name"] == "heroku-redis:mini"
    config = http.get("/apps/tmi-one/config-vars").json()
    assert config["DATABASE_URL"].startswith("postgres://") and config["REDIS_URL"].startswith("rediss://")
    duplicate = http.post("/apps/tmi-one/addons", json={"plan": "heroku-redis:mini", "attachment": {"name": "REDIS"}})
    assert duplicate.status_code == 422
    unknown = http.post("/apps/tmi-one/addons", json={"plan": "heroku-postgresql:nope"})
    assert unknown.status_code == 422 and unknown.json()["message"].startswith("Couldn't find either the add-on")
    expanded = http.get("/apps/tmi-one/addons", headers={"Accept-Expansion": "plan"}).json()
    assert {a["plan"]["price"]["cents"] for a in expanded} == {500, 300}
    attachments = http.get("/addon-attachments").json()
    assert sorted(a["name"] for a in attachments) == ["DATABASE", "REDIS"]
    assert http.get("/apps/tmi-one/addon-attachments/DATABASE").json()["addon"]["id"] == addon["id"]
    assert http.get(f"/addons/{addon['name']}").json()["id"] == addon["id"]
    releases = [r["description"] for r in http.get("/apps/tmi-one/releases").json()]
    assert f"Attach DATABASE (@ref:{addon['name']})" in releases
    cannot = http.patch("/apps/tmi-one/config-vars", json={"DATABASE_URL": "x"})
    assert cannot.status_code == 422


def test_addon_plan_change_and_destroy(http: httpx.Client) -> None:
    create(http)
    addon = http.post("/apps/tmi-one/addons", json={"plan": "heroku-postgresql:essential-0"}).json()
    changed = http.patch(f"/apps/tmi-one/addons/{addon['id']}", json={"plan": "heroku-postgresql:essential-1"})
    assert changed.json()["plan"]["name"] == "heroku-postgresql:essential-1"
    assert http.patch(f"/apps/tmi-one/addons/{addon['id']}", json={"plan": "heroku-redis:mini"}).status_code == 422
    gone = http.delete(f"/apps/tmi-one/addons/{addon['name']}")
    assert gone.json()["state"] == "deprovisioned"
    assert "DATABASE_URL" not in http.get("/apps/tmi-one/config-vars").json()
    assert http.get(f"/apps/tmi-one/addons/{addon['id']}").status_code == 404
    assert http.get("/apps/tmi-one/releases").json()[-1]["description"].startswith("Detach DATABASE")


def test_asynchronous_provisioning() -> None:
    box = make_sandbox()
    box.state["provisioning_seconds"] = 60
    http = raw(box)
    create(http)
    addon = http.post("/apps/tmi-one/addons", json={"plan": "heroku-postgresql:essential-0"}).json()
    assert addon["state"] == "provisioning" and addon["config_vars"] == []
    assert "DATABASE_URL" not in http.get("/apps/tmi-one/config-vars").json()
    box.state["addons"][addon["id"]]["ready_at"] = 0
    assert http.get(f"/apps/tmi-one/addons/{addon['id']}").json()["state"] == "provisioned"
    assert "DATABASE_URL" in http.get("/apps/tmi-one/config-vars").json()
    last = http.get("/apps/tmi-one/releases").json()[-1]["description"]
    assert last == f"@ref:{addon['name']} completed provisioning, setting DATABASE_URL."


def test_credential_rotation_changes_url(http: httpx.Client) -> None:
    create(http)
    addon = http.post("/apps/tmi-one/addons", json={"plan": "heroku-postgresql:essential-0"}).json()
    before = http.get("/apps/tmi-one/config-vars").json()["DATABASE_URL"]
    http.post(f"/__sandbox/addons/{addon['id']}/rotate")
    assert http.get("/apps/tmi-one/config-vars").json()["DATABASE_URL"] != before


def test_features(http: httpx.Client) -> None:
    create(http)
    features = http.get("/apps/tmi-one/features").json()
    assert "http-session-affinity" in {f["name"] for f in features}
    enabled = http.patch("/apps/tmi-one/features/http-session-affinity", json={"enabled": True}).json()
    assert enabled["enabled"] is True and enabled["state"] == "general"
    assert http.get("/apps/tmi-one/features/http-session-affinity").json()["enabled"] is True
    assert http.get("/apps/tmi-one/features/nope").status_code == 404
    assert http.patch("/apps/tmi-one/features/preboot", json={}).status_code == 422


def test_formation_needs_a_deploy_and_makes_no_release(http: httpx.Client) -> None:
    create(http)
    assert http.get("/apps/tmi-one/formation").json() == []
    missing = http.patch("/apps/tmi-one/formation/web", json={"quantity": 2})
    assert missing.status_code == 404 and missing.json()["message"] == "Couldn't find that process type (web)."
    http.post("/__sandbox/apps/tmi-one/deploy", json={})
    releases = len(http.get("/apps/tmi-one/releases").json())
    batch = http.patch("/apps/tmi-one/formation", json={"updates": [{"type": "web", "quantity": "2", "size": "standard-1x"}]})
    assert batch.json()[0]["size"] == "Standard-1X" and batch.json()[0]["quantity"] == 2
    single = http.patch("/apps/tmi-one/formation/web", json={"quantity": "+1", "dyno_size": {"name": "standard-2x"}})
    assert single.json()["quantity"] == 3 and single.json()["dyno_size"]["name"] == "Standard-2X"
    assert len(http.get("/apps/tmi-one/releases").json()) == releases
    assert http.patch("/apps/tmi-one/formation/web", json={"size": "huge"}).status_code == 422
    sizes = {s["name"]: s["cost"]["cents"] for s in http.get("/dyno-sizes").json()}
    assert sizes["Basic"] == 700 and sizes["Standard-2X"] == 5000


def test_buildpacks_and_collaborators(http: httpx.Client) -> None:
    create(http)
    installed = http.put("/apps/tmi-one/buildpack-installations", json={"updates": [{"buildpack": "heroku/go"}]}).json()
    assert installed == [{"buildpack": {"url": "urn:buildpack:heroku/go", "name": "heroku/go"}, "ordinal": 0}]
    added = http.post("/apps/tmi-one/collaborators", json={"user": "dev@example.com"})
    assert added.status_code == 201 and added.json()["user"]["email"] == "dev@example.com"
    assert http.post("/apps/tmi-one/collaborators", json={"user": "dev@example.com"}).status_code == 422
    emails = [c["user"]["email"] for c in http.get("/apps/tmi-one/collaborators").json()]
    assert sorted(emails) == ["dev@example.com", "operator@example.com"]
    assert http.delete("/apps/tmi-one/collaborators/dev@example.com").status_code == 200


def test_regions_stacks_plans(http: httpx.Client) -> None:
    assert {r["name"] for r in http.get("/regions").json()} >= {"us", "eu"}
    assert http.get("/stacks/heroku-24").json()["name"] == "heroku-24"
    plan = http.get("/addon-services/heroku-redis/plans/premium-0").json()
    assert plan["price"]["cents"] == 1500
    assert http.get("/plans/heroku-postgresql:standard-2").json()["price"]["cents"] == 20000


def test_state_survives_restart_and_writes_are_atomic(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    http = raw(make_sandbox(state_path=state))
    create(http)
    http.patch("/apps/tmi-one/config-vars", json={"A": "1"})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.json", "state.json.lock"]  # no temp files left
    again = raw(make_sandbox(state_path=state))
    assert again.get("/apps/tmi-one/config-vars").json() == {"A": "1"}
    assert load_state(state)["apps"]


def test_faults_are_seeded_and_reproducible() -> None:
    def run(seed: int) -> list[int]:
        box = make_sandbox(faults=FaultSpec.parse("429=0.2,500=0.1,503=0.1", seed))
        http = raw(box)
        return [http.get("/account").status_code for _ in range(40)]

    assert run(7) == run(7)
    assert run(7) != run(8)
    assert {429, 500, 503} <= set(run(7))


def test_fault_spec_errors() -> None:
    with pytest.raises(ValueError, match="unknown fault kind"):
        FaultSpec.parse("teapot=0.1")
    with pytest.raises(ValueError, match="between 0 and 1"):
        FaultSpec.parse("429=2")


def test_stats_count_requests_and_releases(http: httpx.Client) -> None:
    create(http)
    http.get("/apps/tmi-one/config-vars")
    http.patch("/apps/tmi-one/config-vars", json={"A": "1"})
    http.get("/apps/nope/config-vars")
    http.get("/no/such/path")
    stats = http.get("/__sandbox/stats").json()
    assert stats["requests"] == {"POST /apps": {"-": 1}, "GET /apps/{app}/config-vars": {"tmi-one": 1, "nope": 1},
                                 "PATCH /apps/{app}/config-vars": {"tmi-one": 1}, "GET (unknown)": {"-": 1}}
    assert stats["releases"] == {"tmi-one": 3}  # Initial release, Enable Logplex, Set A config vars
    assert stats["max_in_flight"] == 1  # one request at a time from this client
    reset = http.post("/__sandbox/stats/reset").json()
    assert reset["requests"] == {} and reset["releases"] == {}


def test_invalid_json_body(http: httpx.Client) -> None:
    response = http.post("/apps", content=b"{nope", headers={**HEADERS, "Content-Type": "application/json"})
    assert response.status_code == 400 and response.json()["id"] == "bad_request"

