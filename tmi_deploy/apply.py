"""Execute a plan against the Platform API in a safe order, waiting where Heroku is asynchronous.

Order: create apps -> create/upgrade add-ons and wait for `provisioned` -> re-read and resolve values
known only now -> one config-var PATCH per app (one release) -> features -> formation -> buildpacks ->
collaborators -> destroys. A failed step stops the run and says what applied and what did not; the
next apply starts from live state and converges. Interrupts are honoured between steps only.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any
from urllib.parse import quote

from tmi_deploy.config.models import Environment
from tmi_deploy.errors import ApplyFailed, HerokuAPIError, UncertainWrite
from tmi_deploy.heroku import HerokuClient
from tmi_deploy.live import fetch_live
from tmi_deploy.plan.model import Change, EnvironmentPlan
from tmi_deploy.plan.planner import plan_environment
from tmi_deploy.plan.values import Inputs


@dataclass
class ApplyOptions:
    provision_timeout: float = 600.0
    poll_interval: float = 5.0
    progress: Callable[[str], None] = lambda message: None
    stop_requested: Callable[[], bool] = lambda: False
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep


@dataclass
class ApplyReport:
    applied: list[str] = field(default_factory=list)
    releases: dict[str, int] = field(default_factory=dict)  # config PATCHes per app (each is one release)


def _p(name: str) -> str:
    return quote(name, safe="")


class Applier:
    def __init__(self, client: HerokuClient, env: Environment, plan: EnvironmentPlan, inputs: Inputs,
                 options: ApplyOptions) -> None:
        self.client = client
        self.env = env
        self.plan = plan
        self.inputs = inputs
        self.options = options
        self.report = ApplyReport()
        self.pending: list[str] = []
        self.resolved: EnvironmentPlan | None = None

    async def run(self) -> ApplyReport:
        steps = self._steps()
        self.pending = [name for name, _ in steps]
        for name, action in steps:
            if self.options.stop_requested():
                raise self._failure("interrupted before this step")
            self.options.progress(f"{self.env.name}: {name} ...")
            try:
                await action()
            except (HerokuAPIError, ApplyFailed) as exc:
                raise self._failure(str(exc)) from None
            self.pending.remove(name)
            self.report.applied.append(name)
        return self.report

    def _failure(self, reason: str) -> ApplyFailed:
        done = "\n".join(f"  applied:     {s}" for s in self.report.applied) or "  applied:     nothing"
        left = "\n".join(f"  not applied: {s}" for s in self.pending)
        return ApplyFailed(f"apply of {self.env.name} stopped at '{self.pending[0] if self.pending else '?'}': "
                           f"{reason}\n{done}\n{left}\nRun `tmi-deploy plan {self.env.name}` to see what is left; "
                           "the next apply continues from live state.")

    # ---- the ordered steps ---------------------------------------------------------------------
    def _steps(self) -> list[tuple[str, Callable[[], Awaitable[None]]]]:
        by_kind: dict[str, list[Change]] = {}
        for change in self.plan.changes:
            by_kind.setdefault(change.kind, []).append(change)
        steps: list[tuple[str, Callable[[], Awaitable[None]]]] = []

        def add(name: str, action: Callable[[], Awaitable[None]]) -> None:
            steps.append((name, action))

        for change in by_kind.get("app", []):
            if change.action == "create":
                add(f"create app {change.app}", partial(self._create_app, change))
            else:
                add(f"set stack of {change.app} to {change.new}", partial(self._set_stack, change))
        addon_changes = [c for c in by_kind.get("addon", []) if c.action != "delete"]
        for change in addon_changes:
            verb = {"create": "create", "update": "change plan of", "replace": "replace"}[change.action]
            add(f"{verb} add-on {change.key} ({change.new}) on {change.app}",
                partial(self._addon, change))
        if addon_changes:
            add("wait for add-ons to be provisioned", self._wait_for_addons)
        config_apps = sorted({c.app for c in by_kind.get("config", [])})
        if config_apps:
            add("resolve values known only now (add-on URLs, app URLs, generated secrets)", self._resolve)
        for app in config_apps:
            count = sum(1 for c in by_kind["config"] if c.app == app)
            add(f"update {count} config var{'s' if count != 1 else ''} on {app} (one release)",
                partial(self._config, app))
        for change in by_kind.get("feature", []):
            add(f"{'enable' if change.new == 'enabled' else 'disable'} feature {change.key} on {change.app}",
                partial(self._feature, change))
        for app in sorted({c.app for c in by_kind.get("formation", [])}):
            add(f"scale {app}", partial(self._formation, app))
        for change in by_kind.get("buildpacks", []):
            add(f"set buildpacks of {change.app}: {change.new}", partial(self._buildpacks, change))
        for change in by_kind.get("collaborator", []):
            if change.action == "create":
                add(f"add collaborator {change.key} to {change.app}", partial(self._add_collaborator, change))
        for change in by_kind.get("collaborator", []):
            if change.action == "delete":
                add(f"remove collaborator {change.key} from {change.app}", partial(self._remove_collaborator, change))
        for change in by_kind.get("addon", []):
            if change.action == "delete":
                add(f"destroy add-on {change.detail} ({change.key}) on {change.app}",
                    partial(self._destroy_addon, change))
        return steps

    # ---- apps -----------------------------------------------------------------------------------
    async def _create_app(self, change: Change) -> None:
        app = self.env.apps[change.role]
        body: dict[str, Any] = {"name": app.name, "region": app.region, "stack": app.stack}
        path = "/apps"
        if app.team:
            body["team"] = app.team
            path = "/teams/apps"
        try:
            await self.client.post(path, body)
        except UncertainWrite:
            if await self.client.get_or_none(f"/apps/{_p(app.name)}") is None:
                await self.client.post(path, body)
        except HerokuAPIError as exc:
            # A previous run may have created it before its response was lost.
            if not (exc.status == 422 and await self.client.get_or_none(f"/apps/{_p(app.name)}") is not None):
                raise

    async def _set_stack(self, change: Change) -> None:
        await self.client.patch(f"/apps/{_p(change.app)}", {"build_stack": change.new})

    # ---- add-ons --------------------------------------------------------------------------------
    async def _find_attachment(self, app: str, attachment: str) -> dict[str, Any] | None:
        for att in await self.client.list(f"/apps/{_p(app)}/addon-attachments"):
            if att["name"] == attachment:
                found = await self.client.get_or_none(f"/apps/{_p(app)}/addons/{_p(att['addon']['id'])}")
                return found if isinstance(found, dict) else None
        return None

    async def _addon(self, change: Change) -> None:
        path = f"/apps/{_p(change.app)}/addons"
        if change.action == "update":
            current = await self._find_attachment(change.app, change.key)
            if current is None:
                raise ApplyFailed(f"add-on {change.key} disappeared from {change.app}")
            await self.client.patch(f"{path}/{_p(current['id'])}", {"plan": change.new})
            return
        if change.action == "replace":
            current = await self._find_attachment(change.app, change.key)
            if current is not None and current["plan"]["name"] != change.new:
                await self.client.delete(f"{path}/{_p(current['id'])}")
        body = {"plan": change.new, "attachment": {"name": change.key}}
        try:
            await self.client.post(path, body)
        except UncertainWrite:
            # Never blindly retry a create: learn whether the first one happened.
            if await self._find_attachment(change.app, change.key) is None:
                await self.client.post(path, body)
        except HerokuAPIError as exc:
            if not (exc.status == 422 and await self._find_attachment(change.app, change.key) is not None):
                raise

    async def _wait_for_addons(self) -> None:
        wanted = [(c.app, c.key) for c in self.plan.changes if c.kind == "addon" and c.action != "delete"]
        deadline = self.options.clock() + self.options.provision_timeout
        waiting = dict.fromkeys(wanted, "provisioning")
        while True:
            for app, attachment in list(waiting):
                addon = await self._find_attachment(app, attachment)
                state = addon["state"] if addon else "missing"
                if state == "provisioned":
                    del waiting[(app, attachment)]
                elif state in ("deprovisioned", "missing"):
                    raise ApplyFailed(f"add-on {attachment} on {app} is {state}: provisioning failed")
                else:
                    waiting[(app, attachment)] = state
            if not waiting:
                return
            if self.options.clock() > deadline:
                names = ", ".join(f"{a} on {app} ({s})" for (app, a), s in waiting.items())
                raise ApplyFailed(f"timed out after {self.options.provision_timeout:.0f}s waiting for {names}; "
                                  "Heroku is still provisioning, re-run apply later")
            self.options.progress(f"{self.env.name}: waiting for {', '.join(a for _, a in waiting)} "
                                  f"({', '.join(sorted(set(waiting.values())))})")
            await self.options.sleep(self.options.poll_interval)

    async def _destroy_addon(self, change: Change) -> None:
        try:
            await self.client.delete(f"/apps/{_p(change.app)}/addons/{_p(change.detail)}")
        except HerokuAPIError as exc:
            if exc.status != 404:  # already gone: the goal is reached
                raise

    # ---- config: re-read, resolve what became known, one PATCH -----------------------------------
    async def _resolve(self) -> None:
        live = await fetch_live(self.client, self.env)
        self.resolved = plan_environment(self.env, live, self.inputs)

    async def _config(self, app_name: str) -> None:
        fresh = self.resolved
        if fresh is None:
            raise ApplyFailed("values were not resolved")
        reviewed = {(c.key, c.action) for c in self.plan.changes if c.kind == "config" and c.app == app_name}
        body: dict[str, str | None] = {}
        for change in fresh.changes:
            if change.kind != "config" or change.app != app_name or (change.key, change.action) not in reviewed:
                continue
            if change.action == "delete":
                body[change.key] = None
            elif change.value is None:
                raise ApplyFailed(f"{change.key} on {app_name} has no value: {change.detail or 'unknown'}")
            else:
                body[change.key] = change.value
        if body:
            await self.client.patch(f"/apps/{_p(app_name)}/config-vars", body)
            self.report.releases[app_name] = self.report.releases.get(app_name, 0) + 1

    # ---- features, formation, buildpacks, collaborators ------------------------------------------
    async def _feature(self, change: Change) -> None:
        await self.client.patch(f"/apps/{_p(change.app)}/features/{_p(change.key)}",
                                {"enabled": change.new == "enabled"})

    async def _formation(self, app_name: str) -> None:
        updates = []
        for change in self.plan.changes:
            if change.kind == "formation" and change.app == app_name and change.value:
                quantity, size = change.value.split(":")
                updates.append({"type": change.key, "quantity": int(quantity), "size": size})
        await self.client.patch(f"/apps/{_p(app_name)}/formation", {"updates": updates})

    async def _buildpacks(self, change: Change) -> None:
        names = (change.value or "").split("\n")
        await self.client.put(f"/apps/{_p(change.app)}/buildpack-installations",
                              {"updates": [{"buildpack": name} for name in names if name]})

    async def _add_collaborator(self, change: Change) -> None:
        path = f"/apps/{_p(change.app)}/collaborators"
        try:
            await self.client.post(path, {"user": change.key, "silent": True})
        except (UncertainWrite, HerokuAPIError) as exc:
            if not isinstance(exc, UncertainWrite) and exc.status != 422:
                raise
            emails = {c["user"]["email"] for c in await self.client.list(path)}
            if change.key not in emails:
                await self.client.post(path, {"user": change.key, "silent": True})

    async def _remove_collaborator(self, change: Change) -> None:
        try:
            await self.client.delete(f"/apps/{_p(change.app)}/collaborators/{_p(change.key)}")
        except HerokuAPIError as exc:
            if exc.status != 404:
                raise


async def apply_environment(client: HerokuClient, env: Environment, plan: EnvironmentPlan, inputs: Inputs,
                            options: ApplyOptions) -> ApplyReport:
    return await Applier(client, env, plan, inputs, options).run()
