"""The applier's add-on steps: create, change plan, replace, wait for provisioning, destroy.

Creates are never retried blindly (a lost response may hide a created, billed add-on): after an
unclear outcome the attachment is looked up first. The wait covers add-ons this apply created and
add-ons a previous, interrupted apply left provisioning, so a resumed apply waits instead of failing.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from tmi_deploy.apply.context import ApplyContext, Step
from tmi_deploy.errors import ApplyFailed, HerokuAPIError, UncertainWrite
from tmi_deploy.heroku.paths import app_path
from tmi_deploy.kinds.base import ADDON_DESTROYS, ADDON_WAIT, ADDONS
from tmi_deploy.plan.model import Change

PROGRESS_EVERY = 10.0  # seconds between two identical progress lines while waiting


class AddonSteps:
    def __init__(self, ctx: ApplyContext) -> None:
        self.client = ctx.client
        self.plan = ctx.plan
        self.progress = ctx.options.progress
        o = ctx.options
        self.timeout, self.interval, self.clock, self.sleep = o.provision_timeout, o.poll_interval, o.clock, o.sleep
        self.changes = ctx.changes("addon")
        # (app, attachment) -> add-on id (None until known) for everything that must end `provisioned`.
        self.awaited: dict[tuple[str, str], str | None] = {
            (app.name, name): addon.id for app in ctx.live.apps.values() for addon in app.addons if addon.owned_here
            for name in addon.attachments if addon.state != "provisioned"}

    def steps(self) -> list[Step]:
        verbs = {"create": "create", "update": "change plan of", "replace": "replace"}
        steps = [Step(ADDONS, f"{verbs[c.action]} add-on {c.key} ({c.new}) on {c.app}", partial(self._change, c))
                 for c in self.changes if c.action != "delete"]
        if steps or self.awaited:
            steps.append(Step(ADDON_WAIT, "wait for add-ons to be provisioned", self._wait))
        return steps + [Step(ADDON_DESTROYS, f"destroy add-on {c.addon.name if c.addon else c.key} ({c.key}) on {c.app}",
                             partial(self._destroy, c)) for c in self.changes if c.action == "delete"]

    async def _change(self, change: Change) -> None:
        path = app_path(change.app, "addons")
        if change.action == "update" and change.addon is not None:
            await self.client.patch(app_path(change.app, "addons", change.addon.id), {"plan": change.new})
            self.awaited[(change.app, change.key)] = change.addon.id
            return
        if change.action == "replace" and change.addon is not None:
            await self._delete(change.app, change.addon.id)
        self.awaited[(change.app, change.key)] = await self._create(path, change)

    async def _create(self, path: str, change: Change) -> str | None:
        body = {"plan": change.new, "attachment": {"name": change.key}}
        try:
            created = await self.client.post(path, body)
        except (UncertainWrite, HerokuAPIError) as exc:
            found = await self._find(change.app, change.key)
            if found is not None:
                return str(found["id"])
            if not isinstance(exc, UncertainWrite):
                raise
            created = await self.client.post(path, body)
        return str(created["id"]) if isinstance(created, dict) and "id" in created else None

    async def _find(self, app: str, attachment: str) -> dict[str, Any] | None:
        for att in await self.client.list(app_path(app, "addon-attachments")):
            if att.get("name") == attachment:
                found = await self.client.get_or_none(app_path(app, "addons", att["addon"]["id"]))
                return found if isinstance(found, dict) else None
        return None

    async def _state(self, app: str, attachment: str, addon_id: str | None) -> str:
        if addon_id is None:
            found = await self._find(app, attachment)
        else:
            found = await self.client.get_or_none(app_path(app, "addons", addon_id))
        return str(found.get("state", "")) if isinstance(found, dict) else "missing"

    async def _wait(self) -> None:
        started = self.clock()
        deadline = started + self.timeout
        waiting = {key: "provisioning" for key in self.awaited}
        last_said: tuple[str, float] = ("", -PROGRESS_EVERY)
        while True:
            for app, attachment in list(waiting):
                state = await self._state(app, attachment, self.awaited[(app, attachment)])
                if state == "provisioned":
                    del waiting[(app, attachment)]
                elif state in ("deprovisioned", "missing"):
                    raise ApplyFailed(f"add-on {attachment} on {app} is {state}: provisioning failed")
                else:
                    waiting[(app, attachment)] = state
            if not waiting:
                return
            if self.clock() > deadline:
                names = ", ".join(f"{a} on {app} ({s})" for (app, a), s in waiting.items())
                raise ApplyFailed(f"timed out after {self.timeout:.0f}s waiting for {names}; "
                                  "Heroku is still provisioning, re-run apply later")
            said = (f"{self.plan.environment}: waiting for {', '.join(a for _, a in waiting)} "
                    f"({', '.join(sorted(set(waiting.values())))}")
            now = self.clock()
            if said != last_said[0] or now - last_said[1] >= PROGRESS_EVERY:  # on news, else every 10 s
                self.progress(f"{said}, {now - started:.0f}s of at most {self.timeout:.0f}s)")
                last_said = (said, now)
            await self.sleep(self.interval)

    async def _destroy(self, change: Change) -> None:
        if change.addon is None:
            raise ApplyFailed(f"add-on {change.key} on {change.app} has no identity in the plan")
        await self._delete(change.app, change.addon.id)

    async def _delete(self, app: str, addon_id: str) -> None:
        try:
            await self.client.delete(app_path(app, "addons", addon_id))
        except HerokuAPIError as exc:
            if exc.status != 404:  # already gone: the goal is reached
                raise
