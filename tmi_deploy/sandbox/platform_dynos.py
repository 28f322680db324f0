"""Rules for what runs an app: code pushes, formation and dyno sizes, features, buildpacks, collaborators."""

from __future__ import annotations

import re
from typing import Any

from tmi_deploy.sandbox import catalog
from tmi_deploy.sandbox.errors import invalid, not_found
from tmi_deploy.sandbox.platform_base import PlatformBase
from tmi_deploy.sandbox.store import now

QUANTITY = re.compile(r"[+-]?\d{1,6}")
PERFORMANCE_PER_TYPE = 10
ECO_PER_APP = 2
DYNOS_PER_APP = 100
CODON = re.compile(r"https://codon-buildpacks\.s3\.amazonaws\.com/buildpacks/heroku/([a-z-]+)\.tgz")


class DynoRules(PlatformBase):
    def feature_name(self, ident: str) -> str:
        if ident in self.features:
            return ident
        for name in self.features:
            if catalog.uuid_for("feature", name) == ident:
                return name
        raise not_found("app-feature", "Couldn't find that feature.")

    def set_feature(self, app: dict[str, Any], name: str, enabled: Any) -> dict[str, Any]:
        if not isinstance(enabled, bool):
            raise invalid("Require params: enabled.")
        feature = self.feature_name(name)
        app["features"][feature] = enabled
        return app

    def deploy(self, app: dict[str, Any], process_types: dict[str, str]) -> dict[str, Any]:
        """Emulate a code push: a new slug, released; its process types join the formation."""
        slug_id, commit = self.new_id("slug"), self.token("sha", 40)
        self.state.setdefault("slugs", {})[slug_id] = {"id": slug_id, "process_types": dict(process_types),
                                                        "commit": commit}
        return self.release_slug(app, slug_id, f"Deploy {commit[:8]}")

    def release_slug(self, app: dict[str, Any], slug_id: Any, description: str | None = None) -> dict[str, Any]:
        """POST /apps/{app}/releases {"slug": id}: release a slug of this account on this app."""
        slug = self.state.get("slugs", {}).get(slug_id) if isinstance(slug_id, str) else None
        if slug is None:
            raise not_found("slug", "Couldn't find that slug.")
        app["slug"] = {"id": slug["id"]}
        for ptype, command in slug["process_types"].items():
            if ptype not in app["formation"]:
                stamp = now()
                app["formation"][ptype] = {"id": self.new_id("formation"), "type": ptype, "command": command,
                                           "quantity": 1 if ptype == "web" else 0, "size": "Basic",
                                           "created_at": stamp, "updated_at": stamp}
        return self.release(app, description or f"Deploy {slug['commit'][:8]}")

    def find_formation(self, app: dict[str, Any], ident: str) -> dict[str, Any]:
        for item in app["formation"].values():
            if ident in (item["type"], item["id"]):
                return item  # type: ignore[no-any-return]
        raise not_found("formation", f"Couldn't find that process type ({ident}).")

    def find_size(self, size: Any) -> dict[str, Any]:
        if isinstance(size, dict):
            size = size.get("name") or size.get("id")
        match = self.sizes.get(str(size).lower()) or next((s for s in self.sizes.values() if s["id"] == size), None)
        if match is None:
            raise invalid(f"Couldn't find that dyno size ({size}).")
        return match

    def _updated(self, app: dict[str, Any], update: Any, ptype: str | None) -> dict[str, Any]:
        """The process type as `update` would leave it (nothing changes yet)."""
        if not isinstance(update, dict):
            raise invalid("Each formation update is an object.")
        item = dict(self.find_formation(app, ptype or str(update.get("type") or update.get("process") or "")))
        if "quantity" in update:
            text = str(update["quantity"]).strip()
            if not QUANTITY.fullmatch(text):
                raise invalid("quantity must be an integer")
            value = item["quantity"] + int(text) if text[0] in "+-" else int(text)
            if value < 0:
                raise invalid("quantity must be 0 or more")
            item["quantity"] = value
        size = update.get("dyno_size") or update.get("size")
        if size is not None:
            item["size"] = self.find_size(size)["name"]
        item["updated_at"] = now()
        return item

    def update_formation(self, app: dict[str, Any], update: Any, ptype: str | None = None) -> dict[str, Any]:
        return self.update_formations(app, [update], ptype)[0]

    def update_formations(self, app: dict[str, Any], updates: Any, ptype: str | None = None) -> list[dict[str, Any]]:
        """All or nothing: every update is checked, then the whole formation against Heroku's limits."""
        if not isinstance(updates, list):
            raise invalid("Require params: updates.")
        changed = [self._updated(app, update, ptype) for update in updates]
        formation = {**app["formation"], **{item["type"]: item for item in changed}}
        check_formation_limits(list(formation.values()))
        app["formation"].update({item["type"]: item for item in changed})
        return [app["formation"][item["type"]] for item in changed]

    def set_buildpacks(self, app: dict[str, Any], body: Any) -> list[dict[str, Any]]:
        updates = body.get("updates") if isinstance(body, dict) else None
        if not isinstance(updates, list):
            raise invalid("Require params: updates.")
        result = []
        for ordinal, update in enumerate(updates):
            buildpack = update.get("buildpack") if isinstance(update, dict) else None
            if not isinstance(buildpack, str) or not buildpack:
                raise invalid("Each update needs a buildpack.")
            match = CODON.fullmatch(buildpack)
            name = f"heroku/{match.group(1)}" if match else buildpack
            url = f"urn:buildpack:{name}" if name.startswith("heroku/") else buildpack
            result.append({"buildpack": {"url": url, "name": name}, "ordinal": ordinal})
        app["buildpacks"] = result
        return result

    def collaborators(self, app: dict[str, Any]) -> list[dict[str, Any]]:
        owner = {"id": catalog.uuid_for("collab-owner", app["id"]), "email": self.owner["email"],
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

    def remove_collaborator(self, app: dict[str, Any], ident: str) -> dict[str, Any]:
        collab = self.find_collaborator(app, ident)
        app["collaborators"].remove(collab)
        return collab


def check_formation_limits(formation: list[dict[str, Any]]) -> None:
    """Dev Center "Dyno Scaling and Process Limits" and "Dyno Tiers" (docs/heroku-rules.md)."""
    tiers = {catalog.tier_of(item["size"]) for item in formation}
    for item in formation:
        tier, quantity = catalog.tier_of(item["size"]), item["quantity"]
        if tier in ("eco", "basic") and quantity > 1:
            raise invalid(f"Cannot scale {item['type']} to {quantity}: {item['size']} dynos run one dyno per process "
                          "type. Use Standard or Performance dynos to run more.")
        if tier == "performance" and quantity > PERFORMANCE_PER_TYPE:
            raise invalid(f"Cannot scale {item['type']} to {quantity}: at most {PERFORMANCE_PER_TYPE} Performance "
                          "dynos per process type (ask Heroku to raise the limit).")
    if tiers & {"eco", "basic"} and len(tiers) > 1:  # an Eco or Basic app uses that tier for every process type
        names = ", ".join(sorted({item["size"] for item in formation}))
        raise invalid(f"Cannot use the following dyno types in the same app: {names}. Eco and Basic dynos can't be "
                      "mixed with other dyno types.")
    running_eco = sum(item["quantity"] for item in formation if catalog.tier_of(item["size"]) == "eco")
    if running_eco > ECO_PER_APP:
        raise invalid(f"Cannot run {running_eco} Eco dynos: an app runs at most {ECO_PER_APP} Eco dynos at once.")
    total = sum(item["quantity"] for item in formation)
    if total > DYNOS_PER_APP:
        raise invalid(f"Cannot scale to {total} dynos: an app runs at most {DYNOS_PER_APP} dynos across all process "
                      "types (ask Heroku to raise the limit).")
