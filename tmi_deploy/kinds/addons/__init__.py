"""Add-ons: read account-wide (the add-ons and attachments lists), compared in compare.py, applied in
steps.py (creates and plan changes, a wait until provisioned, destroys last)."""

from __future__ import annotations

from typing import Any

from tmi_deploy.apply.context import ApplyContext, Step
from tmi_deploy.kinds.addons.compare import addon_changes
from tmi_deploy.kinds.addons.steps import AddonSteps
from tmi_deploy.kinds.base import Found, Kind, PlanContext
from tmi_deploy.plan.model import Change
from tmi_deploy.plan.state import LiveAddon, LiveApp


def var_suffixes(addon: dict[str, Any], names: tuple[str, ...]) -> set[str]:
    """What follows the attachment name in the vars an add-on sets (DATABASE_URL -> URL). The add-on
    lists its vars under its primary attachment; when that one is on another app, assume URL."""
    suffixes = {var[len(name) + 1:] for var in addon.get("config_vars") or [] for name in names
                if var.startswith(name + "_")}
    return suffixes or {"URL"}


class AddonKind(Kind):
    name = "addon"

    def parse(self, found: Found) -> dict[str, Any]:
        app_id = found.app["id"]
        here = [a for a in found.account.attachments if a["app"]["id"] == app_id]
        ids = {a["addon"]["id"] for a in here}
        result = []
        for addon in found.account.addons:
            owned_here = (addon.get("app") or {}).get("id") == app_id
            if addon["id"] not in ids and not owned_here:
                continue
            names = tuple(sorted(a["name"] for a in here if a["addon"]["id"] == addon["id"]))
            owned = tuple(sorted(f"{name}_{suffix}" for name in names for suffix in var_suffixes(addon, names)
                                 if f"{name}_{suffix}" in found.config))
            plan = addon.get("plan") or {}
            price = (plan.get("price") or {}).get("cents")
            result.append(LiveAddon(
                id=addon["id"], name=addon["name"], service=(addon.get("addon_service") or {}).get("name", ""),
                plan=plan.get("name", ""), state=addon.get("state", ""), attachments=names, config_vars=owned,
                price_cents=int(price) if price is not None else None, owned_here=owned_here))
        return {"addons": tuple(sorted(result, key=lambda a: (a.attachments, a.name)))}

    def plan(self, ctx: PlanContext) -> list[Change]:
        return addon_changes(ctx)

    def steps(self, ctx: ApplyContext) -> list[Step]:
        return AddonSteps(ctx).steps()

    def export(self, app: LiveApp) -> dict[str, Any]:
        addons = {att: addon.plan for addon in app.addons if addon.owned_here for att in addon.attachments[:1]}
        return {"addons": addons} if addons else {}


KIND = AddonKind()
