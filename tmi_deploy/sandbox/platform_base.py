"""What every resource rule needs: the state dict, the catalogue, reproducible ids and secrets.

Ids, names, URL suffixes and credentials come from a persisted counter through uuid5 / sha256, so a
sandbox run is reproducible from its seed.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from tmi_deploy.sandbox import catalog
from tmi_deploy.sandbox.errors import forbidden, not_found
from tmi_deploy.sandbox.store import now

# Names taken by other Heroku accounts: app names are unique across all of Heroku.
FOREIGN_APPS = ("heroku", "tmi", "tmi-server", "tmi-ux", "tmi-api", "www", "api")
ADJECTIVES = ["flat", "curly", "globular", "shallow", "silhouetted", "deep", "clear", "rigid", "sinuous", "cubed"]


class PlatformBase:
    """Holds the state; the rule mixins (apps, add-ons, dynos) operate on it."""

    def __init__(self, state: dict[str, Any]) -> None:
        self.state = state
        self.sizes = {s["name"].lower(): s for s in catalog.dyno_sizes()}
        self.plans = {p["name"]: p for p in catalog.plans()}
        self.services = {s["name"]: s for s in catalog.services()}
        self.features = {f[0]: f for f in catalog.FEATURES}

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

    def adjective(self) -> str:
        return ADJECTIVES[int(self.state["counter"]) % len(ADJECTIVES)]

    @property
    def owner(self) -> dict[str, str]:
        account = self.state["account"]
        return {"id": account["id"], "email": account["email"]}

    def find_app(self, ident: str) -> dict[str, Any]:
        apps = self.state["apps"]
        if ident in apps:
            return apps[ident]  # type: ignore[no-any-return]
        for app in apps.values():
            if app["name"] == ident:
                return app  # type: ignore[no-any-return]
        if ident in FOREIGN_APPS:
            raise forbidden(f"You do not have access to the app {ident}.")
        raise not_found("app", "Couldn't find that app.")

    def plans_of(self, app: dict[str, Any]) -> list[str]:
        return [a["plan"] for a in self.state["addons"].values() if a["app_id"] == app["id"]]

    def release(self, app: dict[str, Any], description: str) -> dict[str, Any]:
        """A new release of `app` (config vars and add-on changes make one; scaling does not)."""
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

    # Rules one resource applies to another; each mixin defines its own (declared here for the type checker).
    def set_feature(self, app: dict[str, Any], name: str, enabled: Any) -> dict[str, Any]:
        raise NotImplementedError

    def drop_addon(self, addon: dict[str, Any], release: bool) -> None:
        raise NotImplementedError

    def addon_owned(self, app: dict[str, Any]) -> set[str]:
        raise NotImplementedError

    def release_slug(self, app: dict[str, Any], slug_id: Any, description: str | None = None) -> dict[str, Any]:
        raise NotImplementedError
