"""Buildpacks: the ordered list, replaced whole (Heroku's buildpack-installations PUT)."""

from __future__ import annotations

import re
from functools import partial
from typing import Any

from tmi_deploy.apply.context import ApplyContext, Step
from tmi_deploy.config.models import AppDesired
from tmi_deploy.heroku.paths import app_path
from tmi_deploy.kinds.base import BUILDPACKS, AppRead, Found, Kind, PlanContext, listed
from tmi_deploy.plan.model import Change
from tmi_deploy.plan.state import LiveApp

_GITHUB_BUILDPACK = re.compile(r"^https://github\.com/heroku/heroku-buildpack-([a-z0-9-]+?)(?:\.git)?/?$")


def canonical_buildpack(text: str) -> str:
    """Heroku answers with the registry name (heroku/go) whichever form was installed."""
    text = text.strip()
    if text.startswith("urn:buildpack:"):
        return text.removeprefix("urn:buildpack:")
    match = _GITHUB_BUILDPACK.fullmatch(text)
    return f"heroku/{match.group(1)}" if match else text


class BuildpackKind(Kind):
    name = "buildpacks"

    def reads(self, app: AppDesired, everything: bool) -> tuple[AppRead, ...]:
        return (AppRead("buildpack-installations", range_field="ordinal"),) if everything or app.buildpacks is not None else ()

    def parse(self, found: Found) -> dict[str, Any]:
        if not found.answers:
            return {}
        ordered = sorted(listed(found.answers[0]), key=lambda b: b["ordinal"])
        return {"buildpacks": tuple(b["buildpack"]["name"] for b in ordered)}

    def plan(self, ctx: PlanContext) -> list[Change]:
        app, live = ctx.app, ctx.live_app
        if app.buildpacks is None:
            return []
        wanted = tuple(canonical_buildpack(b) for b in app.buildpacks if b.strip())
        if tuple(canonical_buildpack(b) for b in live.buildpacks) == wanted:
            return []
        return [Change(role=app.role, app=app.name, kind=self.name, action="update" if live.buildpacks else "create",
                       key="buildpacks", old=", ".join(live.buildpacks) or None, new=", ".join(wanted),
                       origin=str(app.origin_of("buildpacks")), buildpacks=wanted)]

    def steps(self, ctx: ApplyContext) -> list[Step]:
        return [Step(BUILDPACKS, f"set buildpacks of {c.app}: {c.new}", partial(_put, ctx, c))
                for c in ctx.changes(self.name)]

    def label(self, change: Change) -> str:
        return "buildpacks"

    def export(self, app: LiveApp) -> dict[str, Any]:
        return {"buildpacks": list(app.buildpacks)} if app.buildpacks else {}


async def _put(ctx: ApplyContext, change: Change) -> None:
    await ctx.client.put(app_path(change.app, "buildpack-installations"),
                         {"updates": [{"buildpack": name} for name in change.buildpacks or ()]})


KIND = BuildpackKind()
