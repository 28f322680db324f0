"""The emulated platform's state and its rules. Pure Python; the HTTP layer lives in app.py.

Everything is plain JSON-able dicts so the state file is the state. Ids, names, URL suffixes and
credentials come from a persisted counter through uuid5, so a sandbox run is reproducible.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from tmi_deploy.sandbox import catalog

APP_NAME = re.compile(r"^[a-z][a-z0-9-]{1,28}[a-z0-9]$")
ADDON_NAME = re.compile(r"^[a-zA-Z][A-Za-z0-9_-]+$")
CONFIG_KEY = re.compile(r"^\w+$")
ADJECTIVES = ["flat", "curly", "globular", "shallow", "silhouetted", "deep", "clear", "rigid", "sinuous", "cubed"]


class SandboxError(Exception):
    def __init__(self, status: int, error_id: str, message: str, resource: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.error_id = error_id
        self.message = message
        self.resource = resource

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"id": self.error_id, "message": self.message}
        if self.resource:
            body["resource"] = self.resource
        return body


def not_found(resource: str, message: str) -> SandboxError:
    return SandboxError(404, "not_found", message, resource)


def invalid(message: str) -> SandboxError:
    return SandboxError(422, "invalid_params", message)


def now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def empty_state(seed: int = 0) -> dict[str, Any]:
    return {
        "seed": seed, "counter": 0,
        "account": {"id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"sandbox:account:{seed}")),
                    "email": "operator@example.com", "name": "Sandbox Operator"},
        "tokens": [],  # empty: any non-empty token is accepted
        "apps": {}, "addons": {}, "attachments": {},
        "provisioning_seconds": 0.0,
        "stats": {"requests": {}, "releases": {}},
    }


class Platform:
    """Operations on the state dict. Each raises SandboxError the way Heroku answers."""

    def __init__(self, state: dict[str, Any]) -> None:
        self.state = state
        self.sizes = {s["name"].lower(): s for s in catalog.dyno_sizes()}
        self.plans = {p["name"]: p for p in catalog.plans()}
        self.services = {s["name"]: s for s in catalog.services()}
        self.features = {f[0]: f for f in catalog.FEATURES}

    # ---- identity helpers -------------------------------------------------------------------------
    def _next(self, kind: str) -> str:
        self.state["counter"] += 1
        return f"{self.state['seed']}:{kind}:{self.state['counter']}"

    def new_id(self, kind: str) -> str:
        return str(uuid.uuid5(uuid.NAMESPACE_URL, "sandbox:" + self._next(kind)))

    def token(self, kind: str, length: int) -> str:
        digest = hashlib.sha256(("sandbox-secret:" + self._next(kind)).encode()).hexdigest()
        while len(digest) < length:
            digest += hashlib.sha256(digest.encode()).hexdigest()
        return digest[:length]

    @property
    def owner(self) -> dict[str, str]:
        account = self.state["account"]
        return {"id": account["id"], "email": account["email"]}

    # ---- apps -----------------------------------------------------------------------------------
    def find_app(self, ident: str) -> dict[str, Any]:
        apps = self.state["apps"]
        if ident in apps:
            return apps[ident]  # type: ignore[no-any-return]
        for app in apps.values():
            if app["name"] == ident:
                return app  # type: ignore[no-any-return]
        raise not_found("app", "Couldn't find that app.")

    def create_app(self, body: dict[str, Any], team: str | None = None) -> dict[str, Any]:
        name = body.get("name")
        if name is None:
            name = f"{ADJECTIVES[self.state['counter'] % len(ADJECTIVES)]}-sandbox-{self.token('appname', 5)}"
        if not isinstance(name, str) or not APP_NAME.match(name):
            raise invalid("Name must start with a letter, end with a letter or digit and can only contain "
                          "lowercase letters, digits, and dashes.")
        if any(app["name"] == name for app in self.state["apps"].values()):
            raise invalid("Name is already taken")
        region = self._named(catalog.regions(), body.get("region") or "us", "region")
        stack = self._named(catalog.stacks(), body.get("stack") or "heroku-24", "stack")
        app_id = self.new_id("app")
        stamp = now()
        app: dict[str, Any] = {
            "id": app_id, "name": name, "created_at": stamp, "updated_at": stamp, "released_at": stamp,
            "region": {"id": region["id"], "name": region["name"]},
            "stack": {"id": stack["id"], "name": stack["name"]},
            "build_stack": {"id": stack["id"], "name": stack["name"]},
            "team": {"id": str(uuid.uuid5(uuid.NAMESPACE_URL, "team:" + team)), "name": team} if team else None,
            "maintenance": False, "suffix": self.token("web", 12),
            "config": {}, "releases": [], "features": {}, "formation": {}, "buildpacks": [],
            "collaborators": [], "slug": None,
        }
        self.state["apps"][app_id] = app
        for flag in body.get("feature_flags") or []:
            self.set_feature(app, flag, True)
        self._release(app, "Initial release")
        self._release(app, "Enable Logplex")
        return app

    def _named(self, items: list[dict[str, Any]], ident: str, resource: str) -> dict[str, Any]:
        for item in items:
            if ident in (item["id"], item["name"]):
                return item
        raise not_found(resource, f"Couldn't find that {resource}.")

    def update_app(self, app: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
        unknown = set(body) - {"name", "maintenance", "build_stack"}
        if unknown:
            raise invalid(f"Unknown params: {', '.join(sorted(unknown))}.")
        if "maintenance" in body:
            if not isinstance(body["maintenance"], bool):
                raise invalid("maintenance must be a boolean")
            app["maintenance"] = body["maintenance"]
        if "build_stack" in body:
            stack = self._named(catalog.stacks(), str(body["build_stack"]), "stack")
            if app["build_stack"]["name"] != stack["name"]:
                app["build_stack"] = {"id": stack["id"], "name": stack["name"]}
                app["stack"] = dict(app["build_stack"])
                self._release(app, f"Upgrade stack to {stack['name']}")
        if "name" in body and body["name"] != app["name"]:
            if not isinstance(body["name"], str) or not APP_NAME.match(body["name"]):
                raise invalid("Name is invalid")
            if any(other["name"] == body["name"] for other in self.state["apps"].values()):
                raise invalid("Name is already taken")
            app["name"] = body["name"]
            app["suffix"] = self.token("web", 12)
        app["updated_at"] = now()
        return app

    def delete_app(self, app: dict[str, Any]) -> dict[str, Any]:
        for addon in [a for a in self.state["addons"].values() if a["app_id"] == app["id"]]:
            self._drop_addon(addon, release=False)
        for att in [a for a in self.state["attachments"].values() if a["app_id"] == app["id"]]:
            del self.state["attachments"][att["id"]]
        del self.state["apps"][app["id"]]
        return app

    def app_json(self, app: dict[str, Any]) -> dict[str, Any]:
        return {
            "acm": False, "archived_at": None, "buildpack_provided_description": (
                app["buildpacks"][0]["buildpack"]["name"] if app["buildpacks"] else None),
            "build_stack": app["build_stack"], "created_at": app["created_at"],
            "generation": {"id": catalog._uuid_for("gen", "cedar"), "name": "cedar"},
            "git_url": f"https://git.heroku.com/{app['name']}.git", "id": app["id"],
            "internal_routing": None, "maintenance": app["maintenance"], "name": app["name"],
            "owner": self.owner, "organization": app["team"], "team": app["team"], "region": app["region"],
            "released_at": app["released_at"], "repo_size": None, "slug_size": None, "space": None,
            "stack": app["stack"], "updated_at": app["updated_at"],
            "web_url": f"https://{app['name']}-{app['suffix']}.herokuapp.com/",
        }

    # ---- releases and config vars ---------------------------------------------------------------
    def _release(self, app: dict[str, Any], description: str) -> dict[str, Any]:
        for old in app["releases"]:
            old["current"] = False
        stamp = now()
        release = {
            "id": self.new_id("release"), "version": len(app["releases"]) + 1, "description": description,
            "created_at": stamp, "updated_at": stamp, "config": dict(app["config"]), "current": True,
            "slug": app["slug"],
        }
        app["releases"].append(release)
        app["released_at"] = stamp
        releases = self.state["stats"]["releases"]
        releases[app["name"]] = releases.get(app["name"], 0) + 1
        return release

    def release_json(self, app: dict[str, Any], release: dict[str, Any]) -> dict[str, Any]:
        plan_names = sorted(self.plans_of(app))
        return {
            "addon_plan_names": plan_names, "artifacts": [], "app": {"id": app["id"], "name": app["name"]},
            "created_at": release["created_at"], "description": release["description"], "id": release["id"],
            "updated_at": release["updated_at"], "slug": release["slug"], "status": "succeeded",
            "user": self.owner, "version": release["version"], "current": release["current"],
            "output_stream_url": None, "eligible_for_rollback": not release["current"],
        }

    def plans_of(self, app: dict[str, Any]) -> list[str]:
        return [a["plan"] for a in self.state["addons"].values() if a["app_id"] == app["id"]]

    def find_release(self, app: dict[str, Any], ident: str) -> dict[str, Any]:
        for release in app["releases"]:
            if ident in (release["id"], str(release["version"])):
                return release  # type: ignore[no-any-return]
        raise not_found("release", "Couldn't find that release.")

    def patch_config(self, app: dict[str, Any], body: Any) -> dict[str, str]:
        if not isinstance(body, dict):
            raise invalid("Config vars must be an object.")
        for key, value in body.items():
            if not CONFIG_KEY.match(key):
                raise invalid(f"Invalid config var name: {key}")
            if value is not None and not isinstance(value, str):
                raise invalid(f"Config var {key} must be a string or null")
        owned = self._addon_owned(app)
        for key in body:
            if key in owned:
                raise invalid(f"Cannot overwrite attachment values {key} with a config var.")
        set_keys = [k for k, v in body.items() if v is not None]
        removed = [k for k, v in body.items() if v is None and k in app["config"]]
        for key, value in body.items():
            if value is None:
                app["config"].pop(key, None)
            else:
                app["config"][key] = value
        if set_keys:
            description = f"Set {', '.join(set_keys)} config vars"
            if removed:
                description += f"; Remove {', '.join(removed)} config vars"
            self._release(app, description)
        elif removed:
            self._release(app, f"Remove {', '.join(removed)} config vars")
        return dict(sorted(app["config"].items()))

    def _addon_owned(self, app: dict[str, Any]) -> set[str]:
        owned: set[str] = set()
        for att in self.state["attachments"].values():
            if att["app_id"] == app["id"]:
                addon = self.state["addons"][att["addon_id"]]
                owned.update(f"{att['name']}_{suffix}" for suffix in addon["credentials"])
        return owned

    def rollback(self, app: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
        ident = body.get("release")
        if not isinstance(ident, str):
            raise invalid("Require params: release.")
        target = self.find_release(app, ident)
        owned = self._addon_owned(app)
        restored = {k: v for k, v in target["config"].items() if k not in owned}
        for key in owned:
            if key in app["config"]:
                restored[key] = app["config"][key]
        app["config"] = restored
        return self._release(app, f"Rollback to v{target['version']}")

    # ---- add-ons --------------------------------------------------------------------------------
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
        raise SandboxError(422, "invalid_params",
                           f"Couldn't find either the add-on service or the add-on plan of \"{plan}\".")

    def find_addon(self, ident: str, app: dict[str, Any] | None = None) -> dict[str, Any]:
        for addon in self.state["addons"].values():
            if ident in (addon["id"], addon["name"]) and (app is None or addon["app_id"] == app["id"]):
                return addon  # type: ignore[no-any-return]
        if app is not None:
            for att in self.state["attachments"].values():
                if att["app_id"] == app["id"] and att["name"] == ident:
                    return self.state["addons"][att["addon_id"]]  # type: ignore[no-any-return]
        raise not_found("add_on", "Couldn't find that add-on.")

    def create_addon(self, app: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
        plan = self.resolve_plan(body.get("plan"))
        service = plan["addon_service"]["name"]
        attachment = body.get("attachment") or {}
        if not isinstance(attachment, dict):
            raise invalid("attachment must be an object")
        att_name = attachment.get("name") or catalog.default_attachment(service)
        if not CONFIG_KEY.match(att_name):
            raise invalid("Attachment name is invalid")
        if any(a["app_id"] == app["id"] and a["name"] == att_name for a in self.state["attachments"].values()):
            raise invalid(f"The name {att_name} is already taken by another attachment on this app.")
        name = body.get("name")
        if name is None:
            short = service.replace("heroku-", "")
            name = f"{short}-{ADJECTIVES[self.state['counter'] % len(ADJECTIVES)]}-{int(self.token('n', 8), 16) % 90000 + 10000}"
        if not isinstance(name, str) or not ADDON_NAME.match(name):
            raise invalid("Name is invalid")
        if any(a["name"] == name for a in self.state["addons"].values()):
            raise invalid("Name is already taken")
        stamp = now()
        addon = {
            "id": self.new_id("addon"), "name": name, "app_id": app["id"], "plan": plan["name"],
            "service": service, "state": "provisioning", "config_vars": [], "created_at": stamp,
            "updated_at": stamp, "provider_id": str(self.state["counter"]), "credentials": {},
            "ready_at": time.time() + float(self.state.get("provisioning_seconds", 0)),
            "primary_attachment": att_name,
        }
        self.state["addons"][addon["id"]] = addon
        self._attach(addon, app, att_name)
        if addon["ready_at"] <= time.time():
            self._finish_provisioning(addon)
        return addon

    def _attach(self, addon: dict[str, Any], app: dict[str, Any], name: str) -> dict[str, Any]:
        stamp = now()
        att = {"id": self.new_id("attachment"), "name": name, "addon_id": addon["id"], "app_id": app["id"],
               "created_at": stamp, "updated_at": stamp}
        self.state["attachments"][att["id"]] = att
        self._release(app, f"Attach {name} (@ref:{addon['name']})")
        return att

    def _credentials(self, service: str) -> dict[str, str]:
        host = f"ec2-{int(self.token('ip', 6), 16) % 250}-{int(self.token('ip', 6), 16) % 250}-1-2.compute-1.amazonaws.com"
        if service == "heroku-postgresql":
            return {"URL": f"postgres://u{self.token('user', 13)}:p{self.token('pw', 63)}@{host}:5432/"
                           f"d{self.token('db', 13)}"}
        if service == "heroku-redis":
            return {"URL": f"rediss://:p{self.token('pw', 63)}@{host}:{20000 + int(self.token('port', 4), 16) % 9999}"}
        return {"TOKEN": self.token("tok", 32)}

    def _finish_provisioning(self, addon: dict[str, Any], reason: str = "provisioning") -> None:
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
                self._release(app, f"Update {att['name']} by {addon['service']}")
            elif self.state.get("provisioning_seconds", 0):
                self._release(app, f"@ref:{addon['name']} completed provisioning, setting {', '.join(names)}.")

    def tick(self) -> None:
        """Finish asynchronous provisioning whose time has come."""
        moment = time.time()
        for addon in list(self.state["addons"].values()):
            if addon["state"] == "provisioning" and addon["ready_at"] <= moment:
                self._finish_provisioning(addon)

    def rotate_credentials(self, addon: dict[str, Any]) -> None:
        """Emulate Heroku rotating an add-on's credentials (e.g. pg:credentials:rotate, maintenance)."""
        addon["ready_at"] = 0
        self._finish_provisioning(addon, reason="rotation")

    def update_addon(self, app: dict[str, Any], addon: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
        if "plan" in body:
            plan = self.resolve_plan(body["plan"])
            if plan["addon_service"]["name"] != addon["service"]:
                raise invalid("Plan change must stay within the same add-on service.")
            addon["plan"] = plan["name"]
        if "name" in body:
            if not isinstance(body["name"], str) or not ADDON_NAME.match(body["name"]):
                raise invalid("Name is invalid")
            addon["name"] = body["name"]
        addon["updated_at"] = now()
        return addon

    def delete_addon(self, addon: dict[str, Any]) -> dict[str, Any]:
        self._drop_addon(addon, release=True)
        addon["state"] = "deprovisioned"
        return addon

    def _drop_addon(self, addon: dict[str, Any], release: bool) -> None:
        for att in [a for a in self.state["attachments"].values() if a["addon_id"] == addon["id"]]:
            app = self.state["apps"].get(att["app_id"])
            if app is not None:
                for suffix in addon["credentials"]:
                    app["config"].pop(f"{att['name']}_{suffix}", None)
                if release:
                    self._release(app, f"Detach {att['name']} (@ref:{addon['name']})")
            del self.state["attachments"][att["id"]]
        del self.state["addons"][addon["id"]]

    def addon_json(self, addon: dict[str, Any], expand: bool = False) -> dict[str, Any]:
        app = self.state["apps"].get(addon["app_id"], {"id": addon["app_id"], "name": "deleted"})
        plan = self.plans[addon["plan"]]
        service = self.services[addon["service"]]
        plan_json: dict[str, Any] = {"id": plan["id"], "name": plan["name"]}
        if expand:
            plan_json = dict(plan)
        return {
            "actions": [], "addon_service": {"id": service["id"], "name": service["name"]} if not expand else service,
            "billing_entity": {"id": app["id"], "name": app["name"], "type": "app"},
            "app": {"id": app["id"], "name": app["name"]},
            "billed_price": {"cents": plan["price"]["cents"], "contract": False, "unit": "month"},
            "config_vars": list(addon["config_vars"]), "created_at": addon["created_at"], "id": addon["id"],
            "name": addon["name"], "plan": plan_json, "provider_id": addon["provider_id"],
            "state": addon["state"], "updated_at": addon["updated_at"],
            "web_url": f"https://addons-sso.heroku.com/apps/{app['id']}/addons/{addon['id']}",
        }

    def attachment_json(self, att: dict[str, Any]) -> dict[str, Any]:
        addon = self.state["addons"][att["addon_id"]]
        owner = self.state["apps"][addon["app_id"]]
        app = self.state["apps"][att["app_id"]]
        return {
            "addon": {"id": addon["id"], "name": addon["name"], "app": {"id": owner["id"], "name": owner["name"]}},
            "app": {"id": app["id"], "name": app["name"]}, "created_at": att["created_at"], "id": att["id"],
            "name": att["name"], "namespace": None, "updated_at": att["updated_at"],
            "web_url": f"https://addons-sso.heroku.com/apps/{app['id']}/addons/{addon['id']}",
            "log_input_url": None,
        }

    # ---- features, formation, buildpacks, collaborators -----------------------------------------
    def feature_json(self, app: dict[str, Any], name: str) -> dict[str, Any]:
        if name not in self.features:
            for fname in self.features:
                if catalog._uuid_for("feature", fname) == name:
                    name = fname
                    break
            else:
                raise not_found("app-feature", "Couldn't find that feature.")
        _name, description, state, doc_url = self.features[name]
        return {"created_at": catalog.STATIC_TIME, "description": f"{description} [{state}]",
                "doc_url": doc_url, "enabled": bool(app["features"].get(name, False)),
                "id": catalog._uuid_for("feature", name), "name": name, "state": state,
                "updated_at": catalog.STATIC_TIME}

    def set_feature(self, app: dict[str, Any], name: str, enabled: Any) -> dict[str, Any]:
        if not isinstance(enabled, bool):
            raise invalid("Require params: enabled.")
        feature = self.feature_json(app, name)
        app["features"][feature["name"]] = enabled
        return self.feature_json(app, feature["name"])

    def deploy(self, app: dict[str, Any], process_types: dict[str, str]) -> dict[str, Any]:
        """Emulate a code push: a slug release that defines process types (quantity 1, web only)."""
        app["slug"] = {"id": self.new_id("slug")}
        for ptype, command in process_types.items():
            if ptype not in app["formation"]:
                stamp = now()
                app["formation"][ptype] = {"id": self.new_id("formation"), "type": ptype, "command": command,
                                           "quantity": 1 if ptype == "web" else 0, "size": "Basic",
                                           "created_at": stamp, "updated_at": stamp}
        return self._release(app, f"Deploy {self.token('sha', 8)}")

    def formation_json(self, app: dict[str, Any], item: dict[str, Any]) -> dict[str, Any]:
        size = self.sizes[item["size"].lower()]
        return {"app": {"id": app["id"], "name": app["name"]}, "command": item["command"],
                "created_at": item["created_at"], "dyno_size": {"id": size["id"], "name": size["name"]},
                "id": item["id"], "quantity": item["quantity"], "size": size["name"], "type": item["type"],
                "updated_at": item["updated_at"]}

    def find_formation(self, app: dict[str, Any], ident: str) -> dict[str, Any]:
        for item in app["formation"].values():
            if ident in (item["type"], item["id"]):
                return item  # type: ignore[no-any-return]
        raise not_found("formation", f"Couldn't find that process type ({ident}).")

    def update_formation(self, app: dict[str, Any], update: Any, ptype: str | None = None) -> dict[str, Any]:
        if not isinstance(update, dict):
            raise invalid("Each formation update is an object.")
        item = self.find_formation(app, ptype or str(update.get("type") or update.get("process") or ""))
        if "quantity" in update:
            quantity = update["quantity"]
            text = str(quantity).strip()
            if not re.match(r"^[+-]?\d+$", text):
                raise invalid("quantity must be an integer")
            value = item["quantity"] + int(text) if text[0] in "+-" else int(text)
            if value < 0:
                raise invalid("quantity must be 0 or more")
            item["quantity"] = value
        size = update.get("dyno_size") or update.get("size")
        if isinstance(size, dict):
            size = size.get("name") or size.get("id")
        if size is not None:
            key = str(size).lower()
            match = self.sizes.get(key) or next((s for s in self.sizes.values() if s["id"] == size), None)
            if match is None:
                raise invalid(f"Couldn't find that dyno size ({size}).")
            item["size"] = match["name"]
        item["updated_at"] = now()
        return item

    def set_buildpacks(self, app: dict[str, Any], body: Any) -> list[dict[str, Any]]:
        updates = body.get("updates") if isinstance(body, dict) else None
        if not isinstance(updates, list):
            raise invalid("Require params: updates.")
        result = []
        for ordinal, update in enumerate(updates):
            buildpack = update.get("buildpack") if isinstance(update, dict) else None
            if not isinstance(buildpack, str) or not buildpack:
                raise invalid("Each update needs a buildpack.")
            name = buildpack
            match = re.match(r"^https://codon-buildpacks\.s3\.amazonaws\.com/buildpacks/heroku/([a-z-]+)\.tgz$", buildpack)
            if match:
                name = f"heroku/{match.group(1)}"
            url = f"urn:buildpack:{name}" if name.startswith("heroku/") else buildpack
            result.append({"buildpack": {"url": url, "name": name}, "ordinal": ordinal})
        app["buildpacks"] = result
        return result

    def collaborator_json(self, app: dict[str, Any], collab: dict[str, Any]) -> dict[str, Any]:
        return {"app": {"id": app["id"], "name": app["name"]}, "created_at": collab["created_at"],
                "id": collab["id"], "permissions": [], "role": collab["role"], "updated_at": collab["created_at"],
                "user": {"email": collab["email"], "federated": False, "id": collab["user_id"]}}

    def collaborators(self, app: dict[str, Any]) -> list[dict[str, Any]]:
        owner = {"id": catalog._uuid_for("collab-owner", app["id"]), "email": self.owner["email"],
                 "user_id": self.owner["id"], "role": "owner", "created_at": app["created_at"]}
        return [owner, *app["collaborators"]]

    def add_collaborator(self, app: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
        email = body.get("user")
        if isinstance(email, dict):
            email = email.get("email")
        if not isinstance(email, str) or "@" not in email:
            raise invalid("Require params: user.")
        if any(c["email"] == email for c in self.collaborators(app)):
            raise invalid(f"{email} is already a collaborator on {app['name']}.")
        collab = {"id": self.new_id("collab"), "email": email, "user_id": self.new_id("user"),
                  "role": "collaborator", "created_at": now()}
        app["collaborators"].append(collab)
        return collab

    def find_collaborator(self, app: dict[str, Any], ident: str) -> dict[str, Any]:
        for collab in app["collaborators"]:
            if ident in (collab["id"], collab["email"]):
                return collab  # type: ignore[no-any-return]
        raise not_found("collaborator", "Couldn't find that collaborator.")


# ---- persistence ------------------------------------------------------------------------------------

def load_state(path: Path | None, seed: int = 0) -> dict[str, Any]:
    if path is None or not path.exists():
        return empty_state(seed)
    with path.open(encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    return data


def save_state(path: Path, state: dict[str, Any]) -> None:
    """Atomic: write a temp file beside the target, fsync, rename. A crash leaves old or new, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(state, handle, sort_keys=True)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
