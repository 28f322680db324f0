"""The Platform API's endpoints: (method, path template, handler) over the rules and the views.

Handlers are synchronous and run inside the state transaction (see app.py); they return a view, a
Reply (status other than 200), or a Listing (paginated by Range).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import Headers

from tmi_deploy.sandbox import catalog, views
from tmi_deploy.sandbox.errors import SandboxError, invalid
from tmi_deploy.sandbox.http_responses import Listing, Reply
from tmi_deploy.sandbox.platform import Platform


@dataclass
class Call:
    p: Platform
    params: dict[str, str]
    body: Any
    headers: Headers
    ratelimit_remaining: int = 4500

    @property
    def app(self) -> dict[str, Any]:
        return self.p.find_app(self.params["app"])

    def obj(self) -> dict[str, Any]:
        if not isinstance(self.body, dict):
            raise invalid("Request body must be a JSON object.")
        return self.body

    @property
    def inclusion(self) -> str:
        return self.headers.get("accept-inclusion", "")

    @property
    def expand(self) -> bool:
        return "plan" in self.headers.get("accept-expansion", "")


Handler = Callable[[Call], Any]
Op = tuple[str, str, Handler]


def one(items: list[dict[str, Any]], ident: str, resource: str, human: str, any_case: bool = False) -> dict[str, Any]:
    for item in items:
        if ident in (item["id"], item["name"]) or (any_case and ident.lower() == item["name"].lower()):
            return item
    raise SandboxError(404, "not_found", f"Couldn't find that {human}.", resource)


def find_plan(p: Platform, service: str | None, ident: str) -> dict[str, Any]:
    for plan in p.plans.values():
        short = plan["name"].split(":", 1)[1]
        names = (plan["id"], plan["name"]) if service is None else (plan["id"], plan["name"], short)
        if ident in names and (service is None or service in (plan["addon_service"]["name"], plan["addon_service"]["id"])):
            return plan
    raise SandboxError(404, "not_found", "Couldn't find that plan.", "plan")


def catalog_ops() -> list[Op]:
    """Public reads: the catalogue of regions, stacks, dyno sizes, add-on services and plans."""
    return [
        ("GET", "/addon-services", lambda c: Listing(list(c.p.services.values()))),
        ("GET", "/addon-services/{service}", lambda c: one(
            list(c.p.services.values()), c.params["service"], "addon_service", "add-on service")),
        ("GET", "/addon-services/{service}/plans", lambda c: Listing([
            pl for pl in c.p.plans.values() if c.params["service"] in (pl["addon_service"]["name"],
                                                                       pl["addon_service"]["id"])])),
        ("GET", "/addon-services/{service}/plans/{plan}", lambda c: find_plan(c.p, c.params["service"], c.params["plan"])),
        ("GET", "/plans/{plan}", lambda c: find_plan(c.p, None, c.params["plan"])),
        ("GET", "/dyno-sizes", lambda c: Listing(list(c.p.sizes.values()))),
        ("GET", "/dyno-sizes/{size}", lambda c: one(
            list(c.p.sizes.values()), c.params["size"], "dyno_size", "dyno size", any_case=True)),
        ("GET", "/regions", lambda c: Listing(catalog.regions())),
        ("GET", "/regions/{region}", lambda c: one(catalog.regions(), c.params["region"], "region", "region")),
        ("GET", "/stacks", lambda c: Listing(catalog.stacks())),
        ("GET", "/stacks/{stack}", lambda c: one(catalog.stacks(), c.params["stack"], "stack", "stack")),
    ]


def account_ops() -> list[Op]:
    return [
        ("GET", "/account", lambda c: views.account(c.p)),
        ("GET", "/account/rate-limits", lambda c: {"remaining": c.ratelimit_remaining}),
        ("GET", "/apps", lambda c: Listing([views.app(c.p, a) for a in c.p.state["apps"].values()], "id",
                                           ("id", "name", "updated_at"))),
        ("POST", "/apps", lambda c: Reply(201, views.app(c.p, c.p.create_app(c.obj())))),
        ("GET", "/apps/{app}", lambda c: views.app(c.p, c.app)),
        ("PATCH", "/apps/{app}", lambda c: views.app(c.p, c.p.update_app(c.app, c.obj()))),
        ("DELETE", "/apps/{app}", lambda c: views.app(c.p, c.p.delete_app(c.app))),
    ]


def addon_ops() -> list[Op]:
    """Add-ons and attachments outside one app's path."""
    return [
        ("GET", "/addons", lambda c: Listing([views.addon(c.p, a, c.expand) for a in c.p.state["addons"].values()])),
        ("GET", "/addons/{addon}", lambda c: views.addon(c.p, c.p.find_addon(c.params["addon"]), c.expand)),
        ("POST", "/actions/addons/resolve", lambda c: [
            views.addon(c.p, a, c.expand) for a in c.p.resolve_addons(c.obj())]),
        ("GET", "/addon-attachments", lambda c: Listing([
            views.attachment(c.p, a) for a in c.p.state["attachments"].values()])),
        ("GET", "/addon-attachments/{attachment}", lambda c: views.attachment(
            c.p, c.p.find_attachment(c.params["attachment"]))),
        ("GET", "/addons/{addon}/addon-attachments", lambda c: Listing([
            views.attachment(c.p, a) for a in c.p.state["attachments"].values()
            if a["addon_id"] == c.p.find_addon(c.params["addon"])["id"]])),
    ]


def _delete_addon(c: Call) -> Any:
    addon = c.p.find_addon(c.params["addon"], c.app)
    return views.addon(c.p, c.p.delete_addon(addon), c.expand) | {"state": "deprovisioned"}


def _update_addon(c: Call) -> Any:
    return views.addon(c.p, c.p.update_addon(c.app, c.p.find_addon(c.params["addon"], c.app), c.obj()), c.expand)


def app_addon_ops() -> list[Op]:
    """Under /apps/{app}: add-ons, attachments, releases and config vars."""
    return [
        ("GET", "/addons", lambda c: Listing([views.addon(c.p, a, c.expand) for a in c.p.addons_on(c.app)])),
        ("POST", "/addons", lambda c: Reply(201, views.addon(c.p, c.p.create_addon(c.app, c.obj()), c.expand))),
        ("GET", "/addons/{addon}", lambda c: views.addon(c.p, c.p.find_addon(c.params["addon"], c.app), c.expand)),
        ("PATCH", "/addons/{addon}", _update_addon),
        ("DELETE", "/addons/{addon}", _delete_addon),
        ("GET", "/addon-attachments", lambda c: Listing([
            views.attachment_with(c.p, a, c.inclusion) for a in c.p.state["attachments"].values()
            if a["app_id"] == c.app["id"]])),
        ("GET", "/addon-attachments/{attachment}", lambda c: views.attachment_with(
            c.p, c.p.find_attachment(c.params["attachment"], c.app), c.inclusion)),
        ("GET", "/config-vars", lambda c: dict(sorted(c.app["config"].items()))),
        ("PATCH", "/config-vars", lambda c: c.p.patch_config(c.app, c.body)),
        ("GET", "/releases", lambda c: Listing([views.release(c.p, c.app, r) for r in c.app["releases"]], "version",
                                               ("id", "version"))),
        ("POST", "/releases", lambda c: Reply(201, views.release(c.p, c.app, c.p.create_release(c.app, c.obj())))),
        ("GET", "/releases/{release}", lambda c: views.release(c.p, c.app, c.p.find_release(c.app, c.params["release"]))),
        ("GET", "/releases/{release}/config-vars", lambda c: c.p.find_release(c.app, c.params["release"])["config"]),
    ]


def app_dyno_ops() -> list[Op]:
    """Under /apps/{app}: features, formation, dynos, buildpacks, collaborators (domains: routes_domains.py)."""
    return [
        ("GET", "/features", lambda c: Listing([views.feature(c.p, c.app, f) for f in c.p.features])),
        ("GET", "/features/{feature}", lambda c: views.feature(c.p, c.app, c.params["feature"])),
        ("PATCH", "/features/{feature}", lambda c: views.feature(c.p, c.p.set_feature(
            c.app, c.params["feature"], c.obj().get("enabled")), c.params["feature"])),
        ("GET", "/formation", lambda c: Listing([views.formation(c.p, c.app, f) for f in c.app["formation"].values()],
                                                "type", ("id", "type"))),
        ("PATCH", "/formation", lambda c: [views.formation(c.p, c.app, f) for f in c.p.update_formations(
            c.app, c.obj().get("updates"))]),
        ("GET", "/formation/{ptype}", lambda c: views.formation(c.p, c.app, c.p.find_formation(c.app, c.params["ptype"]))),
        ("PATCH", "/formation/{ptype}", lambda c: views.formation(c.p, c.app, c.p.update_formation(
            c.app, c.obj(), c.params["ptype"]))),
        ("GET", "/buildpack-installations", lambda c: Listing(list(c.app["buildpacks"]), "ordinal", ("ordinal",))),
        ("PUT", "/buildpack-installations", lambda c: c.p.set_buildpacks(c.app, c.body)),
        ("GET", "/collaborators", lambda c: Listing([views.collaborator(c.app, x) for x in c.p.collaborators(c.app)],
                                                    "id", ("id",))),
        ("POST", "/collaborators", lambda c: Reply(201, views.collaborator(c.app, c.p.add_collaborator(c.app, c.obj())))),
        ("GET", "/collaborators/{collab}", lambda c: views.collaborator(
            c.app, c.p.find_collaborator(c.app, c.params["collab"]))),
        ("DELETE", "/collaborators/{collab}", lambda c: views.collaborator(
            c.app, c.p.remove_collaborator(c.app, c.params["collab"]))),
    ]
