"""Endpoints the real Heroku CLI calls beyond what tmi-deploy needs: apps (GET /users/~/apps), labs,
addons:attach/detach, ps and ps:restart, slug releases, pg:info (the Data API's database view)."""

from __future__ import annotations

from typing import Any

from tmi_deploy.sandbox import views
from tmi_deploy.sandbox.errors import not_found
from tmi_deploy.sandbox.http_responses import Listing, Reply
from tmi_deploy.sandbox.routes_api import Call, Op


def _user_apps(c: Call) -> Listing:
    if c.params["user"] not in ("~", c.p.state["account"]["id"], c.p.state["account"]["email"]):
        raise not_found("user", "Couldn't find that user.")
    return Listing([views.app(c.p, a) for a in c.p.state["apps"].values()], "id", ("id", "name", "updated_at"))


def _database(c: Call) -> Any:
    addon = c.p.find_addon(c.params["database"])
    if addon["service"] != "heroku-postgresql" or addon["state"] != "provisioned":
        raise not_found("database", "Couldn't find that database.")
    return views.database(c.p, addon)


def _restart(c: Call) -> Any:
    if c.params.get("dyno") and not any(d["name"] == c.params["dyno"] for d in views.dynos(c.p, c.app)):
        raise not_found("dyno", f"Couldn't find that dyno ({c.params['dyno']}).")
    return Reply(202, {})


def top_ops() -> list[Op]:
    return [
        ("GET", "/users/{user}/apps", _user_apps),
        ("GET", "/account/features", lambda c: Listing(views.account_features())),
        ("POST", "/addon-attachments", lambda c: Reply(201, views.attachment(c.p, c.p.attach_to(c.obj())))),
        ("DELETE", "/addon-attachments/{attachment}", lambda c: views.attachment(
            c.p, c.p.detach(c.p.find_attachment(c.params["attachment"])))),
        ("GET", "/client/v11/databases/{database}", _database),
    ]


def app_ops() -> list[Op]:
    """Under /apps/{app}."""
    return [
        ("GET", "/dynos", lambda c: Listing(views.dynos(c.p, c.app), "name", ("id", "name"))),
        ("DELETE", "/dynos", _restart),
        ("DELETE", "/dynos/{dyno}", _restart),
    ]
