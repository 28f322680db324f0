"""Rules for apps, config vars and releases: what Heroku allows and how it refuses the rest."""

from __future__ import annotations

import re
import uuid
from typing import Any

from tmi_deploy.sandbox import catalog
from tmi_deploy.sandbox.errors import SandboxError, invalid, not_found
from tmi_deploy.sandbox.platform_base import FOREIGN_APPS, PlatformBase
from tmi_deploy.sandbox.store import now

APP_NAME = re.compile(r"[a-z][a-z0-9-]{1,28}[a-z0-9]")
CONFIG_KEY = re.compile(r"[A-Za-z0-9_]+")
CONFIG_LIMIT_BYTES = 32 * 1024  # all keys and values of one app together
APPS_PER_OWNER = 100
NAME_RULE = ("Name must start with a letter, end with a letter or digit and can only contain lowercase letters, "
             "digits, and dashes.")


class AppRules(PlatformBase):
    def create_app(self, body: dict[str, Any], team: str | None = None) -> dict[str, Any]:
        name = body.get("name")
        if name is None:
            name = f"{self.adjective()}-sandbox-{self.token('appname', 5)}"
        self._check_new_name(name)
        self._check_app_count(team)
        region = named(catalog.regions(), body.get("region") or "us", "region")
        stack = named(catalog.stacks(), body.get("stack") or "heroku-24", "stack")
        stamp = now()
        app: dict[str, Any] = {
            "id": self.new_id("app"), "name": name, "created_at": stamp, "updated_at": stamp, "released_at": stamp,
            "region": {"id": region["id"], "name": region["name"]},
            "stack": {"id": stack["id"], "name": stack["name"]},
            "build_stack": {"id": stack["id"], "name": stack["name"]},
            "team": {"id": str(uuid.uuid5(uuid.NAMESPACE_URL, "team:" + team)), "name": team} if team else None,
            "maintenance": False, "suffix": self.token("web", 12),
            "config": {}, "releases": [], "features": {}, "formation": {}, "buildpacks": [],
            "collaborators": [], "slug": None,
        }
        self.state["apps"][app["id"]] = app
        for flag in body.get("feature_flags") or []:
            self.set_feature(app, flag, True)
        self.release(app, "Initial release")
        self.release(app, "Enable Logplex")
        return app

    def _check_new_name(self, name: Any) -> None:
        if not isinstance(name, str) or not APP_NAME.fullmatch(name):
            raise invalid(NAME_RULE)
        if name in FOREIGN_APPS or any(app["name"] == name for app in self.state["apps"].values()):
            raise invalid("Name is already taken")

    def _check_app_count(self, team: str | None) -> None:
        owned = [a for a in self.state["apps"].values() if (a["team"] or {}).get("name") == team]
        if len(owned) >= APPS_PER_OWNER:
            owner = f"the team {team}" if team else "this account"
            raise invalid(f"You've reached the limit of {APPS_PER_OWNER} apps for {owner}. "
                          "Delete an app or ask Heroku to raise the limit.")

    def update_app(self, app: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
        unknown = set(body) - {"name", "maintenance", "build_stack"}
        if unknown:
            raise invalid(f"Unknown params: {', '.join(sorted(unknown))}.")
        if "maintenance" in body:
            if not isinstance(body["maintenance"], bool):
                raise invalid("maintenance must be a boolean")
            app["maintenance"] = body["maintenance"]
        if "build_stack" in body:
            stack = named(catalog.stacks(), str(body["build_stack"]), "stack")
            if app["build_stack"]["name"] != stack["name"]:
                app["build_stack"] = {"id": stack["id"], "name": stack["name"]}
                app["stack"] = dict(app["build_stack"])
                self.release(app, f"Upgrade stack to {stack['name']}")
        if "name" in body and body["name"] != app["name"]:
            self._check_new_name(body["name"])
            app["name"] = body["name"]
            app["suffix"] = self.token("web", 12)
        app["updated_at"] = now()
        return app

    def delete_app(self, app: dict[str, Any]) -> dict[str, Any]:
        for addon in [a for a in self.state["addons"].values() if a["app_id"] == app["id"]]:
            self.drop_addon(addon, release=False)
        for att in [a for a in self.state["attachments"].values() if a["app_id"] == app["id"]]:
            del self.state["attachments"][att["id"]]
        del self.state["apps"][app["id"]]
        return app

    # ---- config vars and releases --------------------------------------------------------------
    def patch_config(self, app: dict[str, Any], body: Any) -> dict[str, str]:
        if not isinstance(body, dict):
            raise invalid("Config vars must be an object.")
        for key, value in body.items():
            if not CONFIG_KEY.fullmatch(key):
                raise invalid(f"Invalid config var name: {key}")
            if value is not None and not isinstance(value, str):
                raise invalid(f"Config var {key} must be a string or null")
        owned = self.addon_owned(app)
        for key in body:
            if key in owned:
                raise invalid(f"Cannot overwrite attachment values {key} with a config var.")
        after = {k: v for k, v in {**app["config"], **body}.items() if v is not None}
        size = sum(len(k.encode()) + len(v.encode()) for k, v in after.items())
        if size > CONFIG_LIMIT_BYTES:
            raise invalid(f"Config vars of an app are limited to 32 kB (keys and values together); "
                          f"this change would make them {size:,} bytes.")
        set_keys = [k for k, v in body.items() if v is not None]
        removed = [k for k, v in body.items() if v is None and k in app["config"]]
        for key, value in body.items():
            if value is None:
                app["config"].pop(key, None)
            else:
                app["config"][key] = value
        descriptions = [f"Set {', '.join(set_keys)} config vars"] if set_keys else []
        descriptions += [f"Remove {', '.join(removed)} config vars"] if removed else []
        if descriptions:
            self.release(app, "; ".join(descriptions))
        return dict(sorted(app["config"].items()))

    def addon_owned(self, app: dict[str, Any]) -> set[str]:
        owned: set[str] = set()
        for att in self.state["attachments"].values():
            if att["app_id"] == app["id"]:
                addon = self.state["addons"][att["addon_id"]]
                owned.update(f"{att['name']}_{suffix}" for suffix in addon["credentials"])
        return owned

    def find_release(self, app: dict[str, Any], ident: str) -> dict[str, Any]:
        for release in app["releases"]:
            if ident in (release["id"], str(release["version"])):
                return release  # type: ignore[no-any-return]
        raise not_found("release", "Couldn't find that release.")

    def create_release(self, app: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
        """POST /apps/{app}/releases: a rollback ({"release"}) or a slug release ({"slug"})."""
        if "slug" in body:
            slug = body["slug"].get("id") if isinstance(body["slug"], dict) else body["slug"]
            return self.release_slug(app, slug, body.get("description"))
        return self.rollback(app, body)

    def rollback(self, app: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
        ident = body.get("release")
        if not isinstance(ident, str):
            raise invalid("Require params: release.")
        target = self.find_release(app, ident)
        if target["slug"] is not None:
            app["slug"] = target["slug"]
        owned = self.addon_owned(app)
        restored = {k: v for k, v in target["config"].items() if k not in owned}
        for key in owned:
            if key in app["config"]:
                restored[key] = app["config"][key]
        app["config"] = restored
        return self.release(app, f"Rollback to v{target['version']}")


def named(items: list[dict[str, Any]], ident: Any, resource: str) -> dict[str, Any]:
    for item in items:
        if ident in (item["id"], item["name"]):
            return item
    raise SandboxError(404, "not_found", f"Couldn't find that {resource}.", resource)
