"""Fidelity: the sandbox refuses what Heroku refuses, with Heroku's status and id (docs/heroku-rules.md
lists each rule with its Dev Center source). In-process, plus a smoke of the served sandbox."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.conftest import HEADERS, make_sandbox, raw
from tmi_deploy.sandbox import Sandbox, SandboxSettings
from tmi_deploy.sandbox.store import DEFAULT_PROVISIONING_SECONDS


def refused(response: httpx.Response, status: int, error_id: str, *fragments: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["id"] == error_id, body
    for fragment in fragments:
        assert fragment in body["message"], body["message"]


def box_and_http(**settings: Any) -> tuple[Sandbox, httpx.Client]:
    box = make_sandbox(**settings)
    return box, raw(box)


def pushed(http: httpx.Client, name: str = "tmi-rules", *types: str) -> httpx.Client:
    assert http.post("/apps", json={"name": name}).status_code == 201
    commands = {ptype: f"bin/{ptype}" for ptype in types or ("web",)}
    assert http.post(f"/__sandbox/apps/{name}/deploy", json={"process_types": commands}).status_code == 200
    return http


@pytest.fixture
def http() -> httpx.Client:
    return box_and_http()[1]


# ---- formation -------------------------------------------------------------------------------------

@pytest.mark.parametrize("size", ["eco", "basic"])
def test_eco_and_basic_run_one_dyno_per_process_type(http: httpx.Client, size: str) -> None:
    pushed(http)
    refused(http.patch("/apps/tmi-rules/formation/web", json={"quantity": 2, "size": size}), 422, "invalid_params",
            "one dyno per process type")
    assert http.get("/apps/tmi-rules/formation/web").json()["quantity"] == 1  # nothing changed
    assert http.patch("/apps/tmi-rules/formation/web", json={"quantity": 2, "size": "standard-1x"}).status_code == 200


def test_eco_or_basic_never_mix_with_other_tiers(http: httpx.Client) -> None:
    pushed(http, "tmi-rules", "web", "worker")
    mixed = {"updates": [{"type": "web", "quantity": 1, "size": "basic"},
                         {"type": "worker", "quantity": 1, "size": "standard-1x"}]}
    refused(http.patch("/apps/tmi-rules/formation", json=mixed), 422, "invalid_params",
            "Cannot use the following dyno types in the same app")
    refused(http.patch("/apps/tmi-rules/formation/worker", json={"size": "eco"}), 422, "invalid_params", "Basic, Eco")
    same = {"updates": [{"type": "web", "size": "standard-2x"}, {"type": "worker", "quantity": 3, "size": "standard-1x"}]}
    assert http.patch("/apps/tmi-rules/formation", json=same).status_code == 200


def test_at_most_two_eco_dynos_per_app(http: httpx.Client) -> None:
    pushed(http, "tmi-rules", "web", "worker", "clock")
    two = {"updates": [{"type": t, "quantity": 1, "size": "eco"} for t in ("web", "worker", "clock")][:2]}
    assert http.patch("/apps/tmi-rules/formation", json={"updates": [{"type": "clock", "size": "eco"},
                                                                     *two["updates"]]}).status_code == 200
    refused(http.patch("/apps/tmi-rules/formation/clock", json={"quantity": 1}), 422, "invalid_params",
            "at most 2 Eco dynos")


def test_performance_dynos_at_most_ten_per_type_and_a_hundred_per_app(http: httpx.Client) -> None:
    pushed(http, "tmi-rules", "web", "worker")
    eleven = {"updates": [{"type": "web", "quantity": 11, "size": "performance-m"}, {"type": "worker", "size": "standard-1x"}]}
    refused(http.patch("/apps/tmi-rules/formation", json=eleven), 422, "invalid_params", "at most 10 Performance")
    eleven["updates"][0]["quantity"] = 10
    assert http.patch("/apps/tmi-rules/formation", json=eleven).status_code == 200
    refused(http.patch("/apps/tmi-rules/formation/worker", json={"quantity": 91, "size": "standard-1x"}), 422,
            "invalid_params", "at most 100 dynos")
    assert http.patch("/apps/tmi-rules/formation/worker", json={"quantity": 90, "size": "standard-1x"}).status_code == 200


def test_a_batch_with_one_bad_update_changes_nothing(http: httpx.Client) -> None:
    pushed(http, "tmi-rules", "web", "worker")
    batch = {"updates": [{"type": "web", "quantity": 1, "size": "standard-1x"},
                         {"type": "worker", "quantity": 1, "size": "standard-3x"}]}
    refused(http.patch("/apps/tmi-rules/formation", json=batch), 422, "invalid_params", "dyno size (standard-3x)")
    assert http.get("/apps/tmi-rules/formation/web").json()["size"] == "Basic"


# ---- config vars ---------------------------------------------------------------------------------

def test_config_is_limited_to_32_kb_per_app_keys_and_values_together(http: httpx.Client) -> None:
    assert http.post("/apps", json={"name": "tmi-rules"}).status_code == 201
    refused(http.patch("/apps/tmi-rules/config-vars", json={"BIG": "x" * 33_000}), 422, "invalid_params", "32 kB")
    assert http.patch("/apps/tmi-rules/config-vars", json={"BIG": "x" * (32 * 1024 - 3)}).status_code == 200
    refused(http.patch("/apps/tmi-rules/config-vars", json={"C": "y"}), 422, "invalid_params", "32,770 bytes")
    assert http.patch("/apps/tmi-rules/config-vars", json={"BIG": None, "C": "y"}).json() == {"C": "y"}


@pytest.mark.parametrize("key", ["KÉY", "A-B", "A\n", "", "A B", "<b>"])
def test_config_var_keys_are_ascii_letters_digits_underscore(http: httpx.Client, key: str) -> None:
    assert http.post("/apps", json={"name": "tmi-rules"}).status_code == 201
    refused(http.patch("/apps/tmi-rules/config-vars", json={key: "v"}), 422, "invalid_params")
    assert http.get("/apps/tmi-rules/config-vars").json() == {}


# ---- apps ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["heroku", "tmi-server"])
def test_names_taken_by_other_accounts(http: httpx.Client, name: str) -> None:
    refused(http.post("/apps", json={"name": name}), 422, "invalid_params", "Name is already taken")
    refused(http.get(f"/apps/{name}"), 403, "forbidden", f"You do not have access to the app {name}.")
    refused(http.get(f"/apps/{name}/config-vars"), 403, "forbidden")
    assert http.post("/apps", json={"name": "tmi-mine"}).status_code == 201
    refused(http.patch("/apps/tmi-mine", json={"name": name}), 422, "invalid_params", "Name is already taken")


def test_a_hundred_apps_per_account_and_per_team() -> None:
    box, http = box_and_http()
    for index in range(100):
        box.platform.create_app({"name": f"tmi-many-{index:03d}"})
    refused(http.post("/apps", json={"name": "tmi-one-too-many"}), 422, "invalid_params", "limit of 100 apps")
    assert http.post("/teams/apps", json={"name": "tmi-team-app", "team": "tmi-team"}).status_code == 201


# ---- add-ons -------------------------------------------------------------------------------------

def test_provisioning_is_asynchronous_by_default_with_herokus_two_releases() -> None:
    assert Sandbox(SandboxSettings()).state["provisioning_seconds"] == DEFAULT_PROVISIONING_SECONDS > 0
    box, http = box_and_http()
    assert http.post("/apps", json={"name": "tmi-rules"}).status_code == 201
    addon = http.post("/apps/tmi-rules/addons", json={"plan": "heroku-postgresql:essential-0"}).json()
    assert addon["state"] == "provisioning" and addon["config_vars"] == []
    assert "DATABASE_URL" not in http.get("/apps/tmi-rules/config-vars").json()
    box.state["addons"][addon["id"]]["ready_at"] = 0  # the provider reports completion
    assert http.get(f"/apps/tmi-rules/addons/{addon['id']}").json()["state"] == "provisioned"
    releases = [r["description"] for r in http.get("/apps/tmi-rules/releases").json()]
    assert releases[-2:] == [f"Attach DATABASE (@ref:{addon['name']})",
                             f"@ref:{addon['name']} completed provisioning, setting DATABASE_URL."]
    logs = http.post("/apps/tmi-rules/addons", json={"plan": "papertrail:choklad"}).json()
    assert logs["state"] == "provisioned"  # not every add-on provisions in the background


def test_essential_postgres_cannot_leave_its_tier_in_place() -> None:
    _box, http = box_and_http(provisioning_seconds=0)
    assert http.post("/apps", json={"name": "tmi-rules"}).status_code == 201
    addon = http.post("/apps/tmi-rules/addons", json={"plan": "heroku-postgresql:essential-0"}).json()
    path = f"/apps/tmi-rules/addons/{addon['id']}"
    refused(http.patch(path, json={"plan": "heroku-postgresql:standard-0"}), 422, "invalid_params",
            "pg:copy", "https://devcenter.heroku.com/articles/updating-heroku-postgres-databases")
    assert http.get(path).json()["plan"]["name"] == "heroku-postgresql:essential-0"
    assert http.patch(path, json={"plan": "heroku-postgresql:essential-1"}).json()["plan"]["name"].endswith("essential-1")


def test_standard_plan_change_switches_over_later_and_the_url_changes_then() -> None:
    box, http = box_and_http(provisioning_seconds=0)
    assert http.post("/apps", json={"name": "tmi-rules"}).status_code == 201
    box.state["provisioning_seconds"] = 0
    addon = http.post("/apps/tmi-rules/addons", json={"plan": "heroku-postgresql:standard-0"}).json()
    before = http.get("/apps/tmi-rules/config-vars").json()["DATABASE_URL"]
    box.state["provisioning_seconds"] = 3600
    changed = http.patch(f"/apps/tmi-rules/addons/{addon['id']}", json={"plan": "heroku-postgresql:standard-2"})
    assert changed.json()["plan"]["name"] == "heroku-postgresql:standard-2"
    assert http.get("/apps/tmi-rules/config-vars").json()["DATABASE_URL"] == before  # still preparing
    box.state["addons"][addon["id"]]["switch_at"] = 0  # the replacement is ready: switch over
    assert http.get("/apps/tmi-rules/config-vars").json()["DATABASE_URL"] != before
    assert http.get("/apps/tmi-rules/releases").json()[-1]["description"] == "Update DATABASE by heroku-postgresql"


def test_unknown_plans_and_dyno_sizes_are_refused(http: httpx.Client) -> None:
    pushed(http)
    refused(http.post("/apps/tmi-rules/addons", json={"plan": "heroku-postgresql:essential-9"}), 422, "invalid_params",
            "Couldn't find either the add-on service or the add-on plan")
    refused(http.patch("/apps/tmi-rules/formation/web", json={"size": "standard-3x"}), 422, "invalid_params",
            "Couldn't find that dyno size")
    assert http.get("/apps/tmi-rules/addons").json() == []


# ---- protocol and catalogue ----------------------------------------------------------------------

def test_rate_limit_is_per_account_not_per_token() -> None:
    box, http = box_and_http()
    box.state["ratelimit_capacity"] = 3  # three requests, whichever of the account's tokens sends them
    for token in ("first-token", "second-token"):
        assert http.get("/account", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert http.get("/account", headers={"Authorization": "Bearer first-token"}).status_code == 200
    refused(http.get("/account", headers={"Authorization": "Bearer second-token"}), 429, "rate_limit")


def test_eco_is_billed_as_one_pool_per_account(http: httpx.Client) -> None:
    sizes = {s["name"]: s for s in http.get("/dyno-sizes").json()}
    assert sizes["Eco"]["cost"] == {"cents": 500, "unit": "month", "billed": "account", "pool_dyno_hours": 1000}
    assert sizes["Basic"]["cost"] == {"cents": 700, "unit": "month", "billed": "dyno"}
    assert {name: s["cost"]["cents"] for name, s in sizes.items() if name != "Eco"} == {
        "Basic": 700, "Standard-1X": 2500, "Standard-2X": 5000, "Performance-M": 25000, "Performance-L": 50000,
        "Performance-L-RAM": 50000, "Performance-XL": 75000, "Performance-2XL": 150000}


def test_redis_cloud_gives_a_plain_connection_url() -> None:
    _box, http = box_and_http()
    assert http.post("/apps", json={"name": "tmi-rules"}).status_code == 201
    plans = {p["name"]: p["price"]["cents"] for p in http.get("/addon-services/rediscloud/plans").json()}
    assert plans == {"rediscloud:30": 0, "rediscloud:100": 1000}
    addon = http.post("/apps/tmi-rules/addons", json={"plan": "rediscloud:30"}).json()
    assert addon["config_vars"] == ["REDISCLOUD_URL"]
    assert http.get("/apps/tmi-rules/config-vars").json()["REDISCLOUD_URL"].startswith("redis://default:")


def test_served_sandbox_applies_the_same_rules(served: Any) -> None:
    _box, url = served
    with httpx.Client(base_url=url, headers=HEADERS) as http:
        refused(http.post("/apps", json={"name": "heroku"}), 422, "invalid_params", "Name is already taken")
        pushed(http, "tmi-served")
        refused(http.patch("/apps/tmi-served/formation/web", json={"quantity": 2}), 422, "invalid_params")
        refused(http.post("/apps", content=b"[" * 5000, headers={"Content-Type": "application/json"}), 400,
                "bad_request")
