"""App features (Heroku Labs and app features): enabled or disabled, read only where declared."""

from __future__ import annotations

from functools import partial
from typing import Any

from tmi_deploy.apply.context import ApplyContext, Step
from tmi_deploy.config.models import AppDesired
from tmi_deploy.heroku.paths import app_path
from tmi_deploy.kinds.base import FEATURES, AppRead, Found, Kind, PlanContext, listed
from tmi_deploy.plan.model import Change
from tmi_deploy.plan.state import LiveApp


class FeatureKind(Kind):
    name = "feature"

    def reads(self, app: AppDesired, everything: bool) -> tuple[AppRead, ...]:
        return (AppRead("features"),) if everything or app.features else ()

    def parse(self, found: Found) -> dict[str, Any]:
        return {"features": {f["name"]: bool(f["enabled"]) for f in listed(found.answers[0])}} if found.answers else {}

    def plan(self, ctx: PlanContext) -> list[Change]:
        app, live = ctx.app, ctx.live_app
        result = []
        for name, enabled in sorted(app.features.items()):
            if live.exists and name not in live.features:
                ctx.notes.warn(f"{app.name}: feature {name} is not offered for this app")
                continue
            current = live.features.get(name, False)
            if current != enabled:
                result.append(Change(role=app.role, app=app.name, kind=self.name, action="update", key=name,
                                     old="enabled" if current else "disabled", new="enabled" if enabled else "disabled",
                                     origin=str(app.origin_of(f"features.{name}"))))
        return result

    def steps(self, ctx: ApplyContext) -> list[Step]:
        return [Step(FEATURES, f"{'enable' if c.new == 'enabled' else 'disable'} feature {c.key} on {c.app}",
                     partial(_set, ctx, c)) for c in ctx.changes(self.name)]

    def export(self, app: LiveApp) -> dict[str, Any]:
        enabled = {name: True for name, on in sorted(app.features.items()) if on}
        return {"features": enabled} if enabled else {}


async def _set(ctx: ApplyContext, change: Change) -> None:
    await ctx.client.patch(app_path(change.app, "features", change.key), {"enabled": change.new == "enabled"})


KIND = FeatureKind()
