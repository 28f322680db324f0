"""The app itself: created with its region, stack and team; the stack changes in place; destroyed last."""

from __future__ import annotations

from functools import partial
from typing import Any

from tmi_deploy.apply.context import ApplyContext, Step
from tmi_deploy.errors import HerokuAPIError, UncertainWrite
from tmi_deploy.heroku.paths import app_path
from tmi_deploy.kinds.base import APP_DESTROYS, APPS, Found, Kind, PlanContext
from tmi_deploy.plan.escape import visible
from tmi_deploy.plan.model import Change
from tmi_deploy.plan.state import LiveApp


class AppKind(Kind):
    name = "app"

    def parse(self, found: Found) -> dict[str, Any]:
        app = found.app
        return {"id": app["id"], "web_url": app.get("web_url"), "region": (app.get("region") or {}).get("name"),
                "stack": (app.get("build_stack") or app.get("stack") or {}).get("name"),
                "team": (app.get("team") or {}).get("name") if app.get("team") else None,
                "owner": (app.get("owner") or {}).get("email")}

    def plan(self, ctx: PlanContext) -> list[Change]:
        app, live = ctx.app, ctx.live_app
        if live.foreign:
            ctx.notes.error(app.name, f"the app name {app.name} is taken by another Heroku account (names are "
                            "unique across Heroku)", str(app.origin_of("name")))
        if not live.exists:
            desc = f"region {app.region}, stack {app.stack}" + (f", team {app.team}" if app.team else "")
            return [Change(role=app.role, app=app.name, kind="app", action="create", key=app.name, new=desc,
                           origin=str(app.origin))]
        if live.region and live.region != app.region:
            ctx.notes.warn(f"{app.name}: region is {live.region}, declared {app.region}; Heroku cannot move an app "
                           "between regions (create a new app and migrate)")
        if live.stack and live.stack != app.stack:
            return [Change(role=app.role, app=app.name, kind="app", action="update", key="stack",
                           old=live.stack, new=app.stack, origin=str(app.origin_of("stack")),
                           detail="takes effect on the next build")]
        return []

    def steps(self, ctx: ApplyContext) -> list[Step]:
        steps = []
        for change in ctx.changes(self.name):
            if change.action == "create":
                steps.append(Step(APPS, f"create app {change.app}", partial(_create, ctx, change)))
            elif change.action == "update":
                steps.append(Step(APPS, f"set stack of {change.app} to {change.new}", partial(_set_stack, ctx, change)))
            elif change.action == "delete":
                steps.append(Step(APP_DESTROYS, f"destroy app {change.app}", partial(_delete, ctx, change)))
        return steps

    def describe(self, change: Change) -> str | None:
        if change.action == "create":
            return f"app {visible(change.key)} ({visible(change.new or '')})"
        return None

    def export(self, app: LiveApp) -> dict[str, Any]:
        section: dict[str, Any] = {"name": app.name, "region": app.region, "stack": app.stack}
        if app.team:
            section["team"] = app.team
        return section


async def _create(ctx: ApplyContext, change: Change) -> None:
    app = ctx.env.apps[change.role]
    body: dict[str, str] = {"name": app.name, "region": app.region, "stack": app.stack}
    path = "/apps"
    if app.team:
        body["team"] = app.team
        path = "/teams/apps"
    try:
        created = await ctx.client.post(path, body)
    except (UncertainWrite, HerokuAPIError) as exc:
        # The response may have been lost after Heroku created it (a previous run, or this request).
        created = await ctx.client.get_or_none(app_path(app.name))
        if created is None and isinstance(exc, UncertainWrite):
            created = await ctx.client.post(path, body)
        elif created is None:
            raise
    web_url = str(created["web_url"]) if isinstance(created, dict) and created.get("web_url") else None
    ctx.app_created(app.role, web_url or ctx.report.web_urls.get(app.name))


async def _delete(ctx: ApplyContext, change: Change) -> None:
    try:
        await ctx.client.delete(app_path(change.app))
    except HerokuAPIError as exc:
        if exc.status != 404:  # already gone (a previous, interrupted destroy): the goal is reached
            raise


async def _set_stack(ctx: ApplyContext, change: Change) -> None:
    await ctx.client.patch(app_path(change.app), {"build_stack": change.new})


KIND = AppKind()
