"""Rules for add-ons and attachments: plans, provisioning (synchronous or later), credentials, removal."""

from __future__ import annotations

import re
import time
from typing import Any

from tmi_deploy.sandbox import catalog
from tmi_deploy.sandbox.errors import SandboxError, invalid, not_found
from tmi_deploy.sandbox.platform_base import PlatformBase
from tmi_deploy.sandbox.store import now

ADDON_NAME = re.compile(r"[a-zA-Z][A-Za-z0-9_-]+")
ATTACHMENT_NAME = re.compile(r"[A-Za-z0-9_]+")
ESSENTIAL_GUIDANCE = ("{old} can't change to {new} in place: an Essential-tier database changes plan only within "
                      "the Essential tier. Create a {new} database, copy the data with `heroku pg:copy`, promote it and "
                      "remove the old one. See https://devcenter.heroku.com/articles/updating-heroku-postgres-databases")


class AddonRules(PlatformBase):
    def resolve_plan(self, plan: Any) -> dict[str, Any]:
        if isinstance(plan, dict):
            plan = plan.get("name") or plan.get("id")
        if not isinstance(plan, str):
            raise invalid("Require params: plan.")
        if plan in self.services:
            plan = next(p["name"] for p in self.plans.values() if p["addon_service"]["name"] == plan and p["default"])
        for candidate in self.plans.values():
            if plan in (candidate["name"], candidate["id"]):
                return candidate
        raise invalid(f"Couldn't find either the add-on service or the add-on plan of \"{plan}\".")

    def find_addon(self, ident: str, app: dict[str, Any] | None = None) -> dict[str, Any]:
        for addon in self.state["addons"].values():
            if ident in (addon["id"], addon["name"]) and (app is None or addon["app_id"] == app["id"]):
                return addon  # type: ignore[no-any-return]
        if app is not None:
            for att in self.state["attachments"].values():
                if att["app_id"] == app["id"] and att["name"] == ident:
                    return self.state["addons"][att["addon_id"]]  # type: ignore[no-any-return]
        raise not_found("add_on", "Couldn't find that add-on.")

    def addons_on(self, app: dict[str, Any]) -> list[dict[str, Any]]:
        attached = {a["addon_id"] for a in self.state["attachments"].values() if a["app_id"] == app["id"]}
        return [a for a in self.state["addons"].values() if a["app_id"] == app["id"] or a["id"] in attached]

    def find_attachment(self, ident: str, app: dict[str, Any] | None = None) -> dict[str, Any]:
        for att in self.state["attachments"].values():
            if ident == att["id"] or (app is not None and att["app_id"] == app["id"] and att["name"] == ident):
                return att  # type: ignore[no-any-return]
        raise not_found("addon_attachment", "Couldn't find that attachment.")

    def create_addon(self, app: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
        plan = self.resolve_plan(body.get("plan"))
        service = plan["addon_service"]["name"]
        attachment = body.get("attachment") or {}
        if not isinstance(attachment, dict):
            raise invalid("attachment must be an object")
        att_name = attachment.get("name") or catalog.default_attachment(service)
        self._check_attachment_name(app, att_name)
        name = body.get("name")
        if name is None:
            name = f"{service.replace('heroku-', '')}-{self.adjective()}-{int(self.token('n', 8), 16) % 90000 + 10000}"
        if not isinstance(name, str) or not ADDON_NAME.fullmatch(name):
            raise invalid("Name is invalid")
        if any(a["name"] == name for a in self.state["addons"].values()):
            raise invalid("Name is already taken")
        stamp = now()
        addon = {
            "id": self.new_id("addon"), "name": name, "app_id": app["id"], "plan": plan["name"],
            "service": service, "state": "provisioning", "config_vars": [], "created_at": stamp,
            "updated_at": stamp, "provider_id": str(self.state["counter"]), "credentials": {},
            "ready_at": time.time() + self.provisioning_delay(service),
            "primary_attachment": att_name,
        }
        self.state["addons"][addon["id"]] = addon
        self.attach(addon, app, att_name)
        addon["asynchronous"] = addon["ready_at"] > time.time()
        if not addon["asynchronous"]:
            self.finish_provisioning(addon)
        return addon

    def provisioning_delay(self, service: str) -> float:
        """Postgres and Key-Value Store provision in the background; the other add-ons answer at once."""
        return float(self.state.get("provisioning_seconds", 0)) if service in catalog.ASYNC_SERVICES else 0.0

    def _check_attachment_name(self, app: dict[str, Any], name: Any) -> None:
        if not isinstance(name, str) or not ATTACHMENT_NAME.fullmatch(name):
            raise invalid("Attachment name is invalid")
        if any(a["app_id"] == app["id"] and a["name"] == name for a in self.state["attachments"].values()):
            raise invalid(f"The name {name} is already taken by another attachment on this app.")

    def attach(self, addon: dict[str, Any], app: dict[str, Any], name: str) -> dict[str, Any]:
        stamp = now()
        att = {"id": self.new_id("attachment"), "name": name, "addon_id": addon["id"], "app_id": app["id"],
               "created_at": stamp, "updated_at": stamp}
        self.state["attachments"][att["id"]] = att
        self.release(app, f"Attach {name} (@ref:{addon['name']})")
        return att

    def _credentials(self, service: str) -> dict[str, str]:
        host = (f"ec2-{int(self.token('ip', 6), 16) % 250}-{int(self.token('ip', 6), 16) % 250}-1-2"
                ".compute-1.amazonaws.com")
        if service == "heroku-postgresql":
            return {"URL": f"postgres://u{self.token('user', 13)}:p{self.token('pw', 63)}@{host}:5432/"
                           f"d{self.token('db', 13)}"}
        if service == "heroku-redis":
            return {"URL": f"rediss://:p{self.token('pw', 63)}@{host}:{20000 + int(self.token('port', 4), 16) % 9999}"}
        if service == "rediscloud":  # a plain (non-TLS) connection: what TMI's Redis client can use
            port = 10000 + int(self.token("port", 4), 16) % 9999
            return {"URL": f"redis://default:{self.token('pw', 32)}@redis-{port}.c1.us-east-1-2.ec2.redns.redis-cloud.com:{port}"}
        return {"TOKEN": self.token("tok", 32)}

    def finish_provisioning(self, addon: dict[str, Any], reason: str = "provisioning") -> None:
        creds = self._credentials(addon["service"])
        addon["credentials"] = creds
        addon["state"] = "provisioned"
        addon["config_vars"] = [f"{addon['primary_attachment']}_{suffix}" for suffix in creds]
        for att in self.state["attachments"].values():
            if att["addon_id"] != addon["id"]:
                continue
            app = self.state["apps"][att["app_id"]]
            names = [f"{att['name']}_{suffix}" for suffix in creds]
            for name, value in zip(names, creds.values(), strict=True):
                app["config"][name] = value
            if reason == "rotation":
                self.release(app, f"Update {att['name']} by {addon['service']}")
            elif addon.get("asynchronous"):
                self.release(app, f"@ref:{addon['name']} completed provisioning, setting {', '.join(names)}.")

    def tick(self) -> None:
        """Finish asynchronous provisioning whose time has come."""
        moment = time.time()
        for addon in list(self.state["addons"].values()):
            if addon["state"] == "provisioning" and addon["ready_at"] <= moment:
                self.finish_provisioning(addon)
            elif addon.get("switch_at") is not None and addon["switch_at"] <= moment:
                addon["switch_at"] = None
                self.finish_provisioning(addon, reason="rotation")  # the new database: a new URL

    def rotate_credentials(self, addon: dict[str, Any]) -> None:
        """Emulate Heroku rotating an add-on's credentials (e.g. pg:credentials:rotate, maintenance)."""
        addon["ready_at"] = 0
        self.finish_provisioning(addon, reason="rotation")

    def update_addon(self, app: dict[str, Any], addon: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
        if "plan" in body:
            plan = self.resolve_plan(body["plan"])
            if plan["addon_service"]["name"] != addon["service"]:
                raise invalid("Plan change must stay within the same add-on service.")
            self._change_plan(addon, plan["name"])
        if "name" in body:
            if not isinstance(body["name"], str) or not ADDON_NAME.fullmatch(body["name"]):
                raise invalid("Name is invalid")
            addon["name"] = body["name"]
        addon["updated_at"] = now()
        return addon

    def _change_plan(self, addon: dict[str, Any], plan: str) -> None:
        """Heroku Postgres: Essential changes only within Essential (other tiers need a copy to a new database);
        between Standard/Premium plans a replacement is prepared in the background and switched over later,
        when the database URL changes. Other services change in place."""
        if addon["service"] == "heroku-postgresql" and plan != addon["plan"]:
            old_essential, new_essential = (":essential-" in name for name in (addon["plan"], plan))
            if old_essential != new_essential:
                raise invalid(ESSENTIAL_GUIDANCE.format(old=addon["plan"], new=plan))
            if not old_essential:
                addon["switch_at"] = time.time() + float(self.state.get("provisioning_seconds", 0))
        addon["plan"] = plan

    def delete_addon(self, addon: dict[str, Any]) -> dict[str, Any]:
        self.drop_addon(addon, release=True)
        addon["state"] = "deprovisioned"
        return addon

    def drop_addon(self, addon: dict[str, Any], release: bool) -> None:
        for att in [a for a in self.state["attachments"].values() if a["addon_id"] == addon["id"]]:
            app = self.state["apps"].get(att["app_id"])
            if app is not None:
                for suffix in addon["credentials"]:
                    app["config"].pop(f"{att['name']}_{suffix}", None)
                if release:
                    self.release(app, f"Detach {att['name']} (@ref:{addon['name']})")
            del self.state["attachments"][att["id"]]
        del self.state["addons"][addon["id"]]

    def attach_to(self, body: dict[str, Any]) -> dict[str, Any]:
        """POST /addon-attachments (addons:attach): the add-on's vars appear on another app, in a release."""
        addon = self.find_addon(_ident(body.get("addon")))
        app = self.find_app(_ident(body.get("app")))
        name = body.get("name") or catalog.default_attachment(addon["service"])
        self._check_attachment_name(app, name)
        att = self.attach(addon, app, name)
        for suffix, value in addon["credentials"].items():
            app["config"][f"{name}_{suffix}"] = value
        return att

    def detach(self, att: dict[str, Any]) -> dict[str, Any]:
        """DELETE /addon-attachments/{id} (addons:detach): the vars go, in a release; the add-on stays."""
        addon = self.state["addons"][att["addon_id"]]
        app = self.state["apps"][att["app_id"]]
        for suffix in addon["credentials"]:
            app["config"].pop(f"{att['name']}_{suffix}", None)
        del self.state["attachments"][att["id"]]
        self.release(app, f"Detach {att['name']} (@ref:{addon['name']})")
        return att

    def resolve_addons(self, body: dict[str, Any]) -> list[dict[str, Any]]:
        """POST /actions/addons/resolve: the add-ons an identifier names, seen from an app if given."""
        ident = body.get("addon")
        app_ident = body.get("app")
        app = self.find_app(app_ident) if isinstance(app_ident, str) else None
        pool = self.addons_on(app) if app else list(self.state["addons"].values())
        matches = [a for a in pool if ident in (a["id"], a["name"])]
        if app is not None and not matches:
            matches = [self.state["addons"][att["addon_id"]] for att in self.state["attachments"].values()
                       if att["app_id"] == app["id"] and att["name"] == ident]
        if not matches:
            raise SandboxError(404, "not_found", "Couldn't find that add-on.", "add_on")
        return matches


def _ident(value: Any) -> str:
    """An identity given as text or as {"name"} / {"id"} (as the Heroku CLI sends it)."""
    if isinstance(value, dict):
        value = value.get("name") or value.get("id")
    return value if isinstance(value, str) else ""
