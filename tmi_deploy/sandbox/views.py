"""Response views: the JSON shapes Heroku answers with (the hyper-schema's targetSchema), from state."""

from __future__ import annotations

from typing import Any

from tmi_deploy.sandbox import catalog
from tmi_deploy.sandbox.platform import Platform


def ref(item: dict[str, Any]) -> dict[str, Any]:
    return {"id": item["id"], "name": item["name"]}


def account(p: Platform) -> dict[str, Any]:
    acct = p.state["account"]
    return {"allow_tracking": True, "beta": False, "created_at": catalog.STATIC_TIME, "email": acct["email"],
            "federated": False, "id": acct["id"], "identity_provider": None, "last_login": catalog.STATIC_TIME,
            "name": acct["name"], "sms_number": None, "suspended_at": None, "delinquent_at": None,
            "two_factor_authentication": False, "updated_at": catalog.STATIC_TIME, "verified": True,
            "country_of_residence": "United States", "default_organization": None, "default_team": None}


def app(p: Platform, item: dict[str, Any]) -> dict[str, Any]:
    return {
        "acm": bool(item.get("acm", False)), "archived_at": None, "buildpack_provided_description": (
            item["buildpacks"][0]["buildpack"]["name"] if item["buildpacks"] else None),
        "build_stack": item["build_stack"], "created_at": item["created_at"],
        "generation": {"id": catalog.uuid_for("gen", "cedar"), "name": "cedar"},
        "git_url": f"https://git.heroku.com/{item['name']}.git", "id": item["id"],
        "internal_routing": None, "maintenance": item["maintenance"], "name": item["name"],
        "owner": p.owner, "organization": item["team"], "team": item["team"], "region": item["region"],
        "released_at": item["released_at"], "repo_size": None, "slug_size": None, "space": None,
        "stack": item["stack"], "updated_at": item["updated_at"],
        "web_url": f"https://{item['name']}-{item['suffix']}.herokuapp.com/",
    }


def release(p: Platform, owner: dict[str, Any], item: dict[str, Any]) -> dict[str, Any]:
    return {
        "addon_plan_names": sorted(p.plans_of(owner)), "artifacts": [], "app": ref(owner),
        "created_at": item["created_at"], "description": item["description"], "id": item["id"],
        "updated_at": item["updated_at"], "slug": item["slug"], "status": "succeeded",
        "user": p.owner, "version": item["version"], "current": item["current"],
        "output_stream_url": None, "eligible_for_rollback": True,  # every succeeded release, the current one too
    }


def addon(p: Platform, item: dict[str, Any], expand: bool = False) -> dict[str, Any]:
    owner = p.state["apps"].get(item["app_id"], {"id": item["app_id"], "name": "deleted"})
    plan = p.plans[item["plan"]]
    service = p.services[item["service"]]
    return {
        "actions": [], "addon_service": service if expand else ref(service),
        "billing_entity": {**ref(owner), "type": "app"}, "app": ref(owner),
        "billed_price": {"cents": plan["price"]["cents"], "contract": False, "unit": "month"},
        "config_vars": list(item["config_vars"]), "created_at": item["created_at"], "id": item["id"],
        "name": item["name"], "plan": dict(plan) if expand else ref(plan), "provider_id": item["provider_id"],
        "state": item["state"], "updated_at": item["updated_at"],
        "web_url": f"https://addons-sso.heroku.com/apps/{owner['id']}/addons/{item['id']}",
    }


def attachment(p: Platform, att: dict[str, Any]) -> dict[str, Any]:
    item = p.state["addons"][att["addon_id"]]
    owner = p.state["apps"][item["app_id"]]
    on = p.state["apps"][att["app_id"]]
    return {
        "addon": {**ref(item), "app": ref(owner)}, "app": ref(on), "created_at": att["created_at"], "id": att["id"],
        "name": att["name"], "namespace": None, "updated_at": att["updated_at"],
        "web_url": f"https://addons-sso.heroku.com/apps/{on['id']}/addons/{item['id']}", "log_input_url": None,
    }


def feature(p: Platform, on: dict[str, Any], ident: str) -> dict[str, Any]:
    name = p.feature_name(ident)
    _name, description, state, doc_url = p.features[name]
    return {"created_at": catalog.STATIC_TIME, "description": f"{description} [{state}]",
            "doc_url": doc_url, "enabled": bool(on["features"].get(name, False)),
            "id": catalog.uuid_for("feature", name), "name": name, "state": state,
            "updated_at": catalog.STATIC_TIME}


def formation(p: Platform, on: dict[str, Any], item: dict[str, Any]) -> dict[str, Any]:
    size = p.sizes[item["size"].lower()]
    return {"app": ref(on), "command": item["command"], "created_at": item["created_at"],
            "dyno_size": ref(size), "id": item["id"], "quantity": item["quantity"], "size": size["name"],
            "type": item["type"], "updated_at": item["updated_at"]}


def collaborator(on: dict[str, Any], collab: dict[str, Any]) -> dict[str, Any]:
    return {"app": ref(on), "created_at": collab["created_at"], "id": collab["id"], "permissions": [],
            "role": collab["role"], "updated_at": collab["created_at"],
            "user": {"email": collab["email"], "federated": False, "id": collab["user_id"]}}


def domain(on: dict[str, Any]) -> dict[str, Any]:
    host = f"{on['name']}-{on['suffix']}.herokuapp.com"
    return {"acm_status": None, "acm_status_reason": None, "app": ref(on), "cname": None,
            "created_at": on["created_at"], "hostname": host, "id": catalog.uuid_for("domain", host),
            "kind": "heroku", "updated_at": on["created_at"], "status": "none", "sni_endpoint": None}


def release_ref(on: dict[str, Any]) -> dict[str, Any]:
    current = on["releases"][-1]
    return {"id": current["id"], "version": current["version"]}


def dynos(p: Platform, on: dict[str, Any]) -> list[dict[str, Any]]:
    """The running dynos: one per unit of formation quantity, once a slug has been released."""
    if on["slug"] is None:
        return []
    return [{"attach_url": None, "command": item["command"], "created_at": item["updated_at"],
             "id": catalog.uuid_for("dyno", f"{on['id']}:{item['type']}.{index}"), "name": f"{item['type']}.{index}",
             "release": release_ref(on), "app": ref(on), "size": p.sizes[item["size"].lower()]["name"], "state": "up",
             "type": item["type"], "updated_at": item["updated_at"]}
            for item in on["formation"].values() for index in range(1, item["quantity"] + 1)]


def attachment_with(p: Platform, att: dict[str, Any], inclusion: str) -> dict[str, Any]:
    """`Accept-Inclusion: addon:plan,config_vars` (pg:info, addons resolvers) adds those to the add-on."""
    shown = attachment(p, att)
    item = p.state["addons"][att["addon_id"]]
    if "addon:plan" in inclusion:
        shown["addon"]["plan"] = ref(p.plans[item["plan"]])
    if "config_vars" in inclusion:
        shown["addon"]["config_vars"] = list(item["config_vars"])
    return shown


def database(p: Platform, item: dict[str, Any]) -> dict[str, Any]:
    """The Heroku Data API's view of a Postgres database (GET /client/v11/databases/{id}, used by pg:info)."""
    plan = p.plans[item["plan"]]
    return {"addon_id": item["id"], "name": item["name"], "plan": plan["name"].split(":", 1)[1],
            "resource_url": item["credentials"].get("URL", ""),
            "info": [{"name": "Plan", "values": [plan["human_name"]]}, {"name": "Status", "values": ["Available"]},
                     {"name": "Data Size", "values": ["8.1 MB"]}, {"name": "Tables", "values": [0]},
                     {"name": "PG Version", "values": ["16.4"]}, {"name": "Created", "values": [item["created_at"]]}]}


ACCOUNT_FEATURES = [("spaces-strict-tls", "Require TLS 1.2 for apps in Private Spaces", "beta"),
                    ("dashboard-metrics", "Metrics in the Dashboard", "general")]


def account_features() -> list[dict[str, Any]]:
    return [{"created_at": catalog.STATIC_TIME, "description": description, "display_name": name,
             "doc_url": "https://devcenter.heroku.com/articles/heroku-beta-features", "enabled": False,
             "feedback_email": "feedback@heroku.com", "id": catalog.uuid_for("account-feature", name), "name": name,
             "state": state, "updated_at": catalog.STATIC_TIME} for name, description, state in ACCOUNT_FEATURES]
