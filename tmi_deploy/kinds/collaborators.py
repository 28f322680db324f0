"""Collaborators: added silently, removed only with policy.prune; the owner is never one."""

from __future__ import annotations

from functools import partial
from typing import Any

from tmi_deploy.apply.context import ApplyContext, Step
from tmi_deploy.config.models import AppDesired
from tmi_deploy.errors import HerokuAPIError, UncertainWrite
from tmi_deploy.heroku.paths import app_path
from tmi_deploy.kinds.base import COLLABORATORS, AppRead, Found, Kind, PlanContext, listed
from tmi_deploy.plan.escape import visible
from tmi_deploy.plan.model import Change
from tmi_deploy.plan.state import LiveApp


class CollaboratorKind(Kind):
    name = "collaborator"

    def reads(self, app: AppDesired, everything: bool) -> tuple[AppRead, ...]:
        return (AppRead("collaborators"),) if everything or app.collaborators else ()

    def parse(self, found: Found) -> dict[str, Any]:
        if not found.answers:
            return {}
        return {"collaborators": tuple(sorted(c["user"]["email"] for c in listed(found.answers[0]) if c.get("role") != "owner"))}

    def plan(self, ctx: PlanContext) -> list[Change]:
        app, live = ctx.app, ctx.live_app
        result = []
        have = set(live.collaborators)
        for email in sorted(set(app.collaborators) - have - {live.owner}):
            result.append(Change(role=app.role, app=app.name, kind=self.name, action="create", key=email,
                                 origin=str(app.origin_of("collaborators"))))
        for email in sorted(have - set(app.collaborators)):
            if ctx.env.policy.prune:
                result.append(Change(role=app.role, app=app.name, kind=self.name, action="delete", key=email))
            else:
                ctx.notes.warn(f"{app.name}: collaborator {email} is not declared (left alone)")
        return result

    def steps(self, ctx: ApplyContext) -> list[Step]:
        changes = ctx.changes(self.name)
        return ([Step(COLLABORATORS, f"add collaborator {c.key} to {c.app}", partial(_add, ctx, c))
                 for c in changes if c.action == "create"]
                + [Step(COLLABORATORS, f"remove collaborator {c.key} from {c.app}", partial(_remove, ctx, c))
                   for c in changes if c.action == "delete"])

    def describe(self, change: Change) -> str | None:
        return f"collaborator {visible(change.key)}"

    def export(self, app: LiveApp) -> dict[str, Any]:
        return {"collaborators": list(app.collaborators)} if app.collaborators else {}


async def _add(ctx: ApplyContext, change: Change) -> None:
    path = app_path(change.app, "collaborators")
    try:
        await ctx.client.post(path, {"user": change.key, "silent": True})
    except (UncertainWrite, HerokuAPIError) as exc:
        if not isinstance(exc, UncertainWrite) and exc.status != 422:
            raise
        emails = {c["user"]["email"] for c in await ctx.client.list(path)}
        if change.key not in emails:
            await ctx.client.post(path, {"user": change.key, "silent": True})


async def _remove(ctx: ApplyContext, change: Change) -> None:
    try:
        await ctx.client.delete(app_path(change.app, "collaborators", change.key))
    except HerokuAPIError as exc:
        if exc.status != 404:
            raise


KIND = CollaboratorKind()
