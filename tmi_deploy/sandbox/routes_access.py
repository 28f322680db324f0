"""Endpoints for teams, OAuth authorizations and log sessions, with their response views."""

from __future__ import annotations

from typing import Any

from tmi_deploy.sandbox import catalog, logs, views
from tmi_deploy.sandbox.http_responses import Listing, Reply
from tmi_deploy.sandbox.platform import Platform
from tmi_deploy.sandbox.platform_access import team_id
from tmi_deploy.sandbox.routes_api import Call, Op


def team(name: str) -> dict[str, Any]:
    return {"id": team_id(name), "name": name, "created_at": catalog.STATIC_TIME, "updated_at": catalog.STATIC_TIME,
            "credit_card_collections": False, "default": False, "enterprise_account": None,
            "identity_provider": None, "membership_limit": None, "provisioned_licenses": False, "role": "admin",
            "type": "team"}


def authorization(p: Platform, item: dict[str, Any], with_token: bool = False) -> dict[str, Any]:
    """The token is shown when it is made (create, regenerate) and never again."""
    token = {"expires_in": item["expires_in"], "id": item["token_id"]}
    if with_token:
        token["token"] = item["token"]
    account = p.state["account"]
    return {"access_token": token, "client": None, "created_at": item["created_at"],
            "description": item["description"], "grant": None, "id": item["id"], "refresh_token": None,
            "scope": list(item["scope"]), "session": None, "updated_at": item["updated_at"],
            "user": {"id": account["id"], "email": account["email"], "full_name": account["name"]}}


def _team_app(c: Call) -> Reply:
    body = c.obj()
    name = c.p.find_team(body.get("team"))
    return Reply(201, views.app(c.p, c.p.create_app({k: v for k, v in body.items() if k != "team"}, team=name)))


def _log_session(c: Call) -> Reply:
    session = c.p.create_log_session(c.app, c.obj())
    return Reply(201, logs.session_view(f"http://{c.headers.get('host', 'localhost')}", session))


def access_ops() -> list[Op]:
    return [
        ("GET", "/teams", lambda c: Listing([team(n) for n in c.p.team_names()], "name", ("id", "name"))),
        ("GET", "/teams/{team}", lambda c: team(c.p.find_team(c.params["team"]))),
        ("POST", "/teams/apps", _team_app),
        ("GET", "/oauth/authorizations", lambda c: Listing([
            authorization(c.p, a) for a in c.p.authorizations().values()])),
        ("POST", "/oauth/authorizations", lambda c: Reply(201, authorization(
            c.p, c.p.create_authorization(c.obj()), with_token=True))),
        ("GET", "/oauth/authorizations/{auth}", lambda c: authorization(c.p, c.p.find_authorization(c.params["auth"]))),
        ("PATCH", "/oauth/authorizations/{auth}", lambda c: authorization(c.p, c.p.update_authorization(
            c.p.find_authorization(c.params["auth"]), c.obj()))),
        ("DELETE", "/oauth/authorizations/{auth}", lambda c: authorization(c.p, c.p.revoke_authorization(
            c.p.find_authorization(c.params["auth"])))),
        ("POST", "/oauth/authorizations/{auth}/actions/regenerate-tokens", lambda c: authorization(
            c.p, c.p.regenerate_authorization(c.p.find_authorization(c.params["auth"])), with_token=True)),
    ]


def app_log_ops() -> list[Op]:
    """Under /apps/{app}."""
    return [("POST", "/log-sessions", _log_session)]
