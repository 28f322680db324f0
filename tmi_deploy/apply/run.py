"""Execute a reviewed EnvironmentPlan's typed changes, in a safe order, without re-planning.

Order: create apps -> create/change add-ons -> wait for every add-on still provisioning -> per app,
resolve the values known only now (from a narrow re-read of that app's config vars) and send one
config-var PATCH (one release) -> features -> formation -> buildpacks -> collaborators -> destroys.
A re-read that shows anything the reviewed plan did not expect is a stale plan (exit 4): nothing is
written for it. A failed step stops the run and says what applied and what did not; the next apply
starts from live state and converges. Interrupts are honoured between steps only.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from functools import partial

from tmi_deploy.apply.addons import AddonSteps, p
from tmi_deploy.apply.config import ConfigStep
from tmi_deploy.config.models import Environment
from tmi_deploy.errors import ApplyFailed, HerokuAPIError, StalePlan, UncertainWrite
from tmi_deploy.heroku.client import HerokuClient
from tmi_deploy.kinds import domains
from tmi_deploy.plan.model import Change, EnvironmentPlan
from tmi_deploy.plan.state import Live
from tmi_deploy.plan.values import Inputs

Step = tuple[str, Callable[[], Awaitable[None]]]


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
    web_urls: dict[str, str] = field(default_factory=dict)  # app name -> public URL, as known after apply


class Applier:
    def __init__(self, client: HerokuClient, env: Environment, plan: EnvironmentPlan, live: Live, inputs: Inputs,
                 options: ApplyOptions) -> None:
        self.client = client
        self.env = env
        self.plan = plan
        self.options = options
        self.report = ApplyReport(web_urls={a.name: a.web_url for a in live.apps.values() if a.web_url})
        self.pending: list[str] = []
        self.addons = AddonSteps(client, plan, live, options.progress, self._wait_settings())
        self.config = ConfigStep(client, env, plan, live, inputs, self.report.releases)

    def _wait_settings(self) -> tuple[float, float, Callable[[], float], Callable[[float], Awaitable[None]]]:
        o = self.options
        return o.provision_timeout, o.poll_interval, o.clock, o.sleep

    async def run(self) -> ApplyReport:
        steps = self._steps()
        self.pending = [name for name, _ in steps]
        for name, action in steps:
            if self.options.stop_requested():
                raise self._failure("interrupted before this step")
            self.options.progress(f"{self.env.name}: {name} ...")
            try:
                await action()
            except StalePlan as exc:
                raise StalePlan(f"{exc}\n{self._progress_lines()}") from None
            except (HerokuAPIError, ApplyFailed) as exc:
                raise self._failure(str(exc)) from None
            self.pending.remove(name)
            self.report.applied.append(name)
        return self.report

    def _progress_lines(self) -> str:
        done = "\n".join(f"  applied:     {s}" for s in self.report.applied) or "  applied:     nothing"
        left = "\n".join(f"  not applied: {s}" for s in self.pending)
        return f"{done}\n{left}"

    def _failure(self, reason: str) -> ApplyFailed:
        return ApplyFailed(f"apply of {self.env.name} stopped at '{self.pending[0] if self.pending else '?'}': "
                           f"{reason}\n{self._progress_lines()}\nRun `tmi-deploy plan {self.env.name}` to see what "
                           "is left; the next apply continues from live state.")

    # ---- the ordered steps ---------------------------------------------------------------------
    def _steps(self) -> list[Step]:
        kinds: dict[str, list[Change]] = {}
        for change in self.plan.changes:
            kinds.setdefault(change.kind, []).append(change)
        steps: list[Step] = []
        for change in kinds.get("app", []):
            if change.action == "create":
                steps.append((f"create app {change.app}", partial(self._create_app, change)))
            elif change.action == "update":
                steps.append((f"set stack of {change.app} to {change.new}", partial(self._set_stack, change)))
        steps += self.addons.steps()
        for app in sorted({c.app for c in kinds.get("config", [])}):
            count = sum(1 for c in kinds["config"] if c.app == app)
            steps.append((f"update {count} config var{'s' if count != 1 else ''} on {app} (one release)",
                          partial(self.config.run, app)))
        steps += [(f"{'enable' if c.new == 'enabled' else 'disable'} feature {c.key} on {c.app}",
                   partial(self._feature, c)) for c in kinds.get("feature", [])]
        steps += [(f"scale {app}", partial(self._formation, app))
                  for app in sorted({c.app for c in kinds.get("formation", [])})]
        steps += [(f"set buildpacks of {c.app}: {c.new}", partial(self._buildpacks, c))
                  for c in kinds.get("buildpacks", [])]
        collaborators = kinds.get("collaborator", [])
        steps += [(f"add collaborator {c.key} to {c.app}", partial(self._add_collaborator, c))
                  for c in collaborators if c.action == "create"]
        steps += [(f"remove collaborator {c.key} from {c.app}", partial(self._remove_collaborator, c))
                  for c in collaborators if c.action == "delete"]
        steps += domains.apply_steps(self.client, list(self.plan.changes), self.options.progress)
        steps += self.addons.destroy_steps()
        return steps + [(f"destroy app {c.app}", partial(self._delete_app, c))
                        for c in kinds.get("app", []) if c.action == "delete"]

    # ---- apps -----------------------------------------------------------------------------------
    async def _create_app(self, change: Change) -> None:
        app = self.env.apps[change.role]
        body: dict[str, str] = {"name": app.name, "region": app.region, "stack": app.stack}
        path = "/apps"
        if app.team:
            body["team"] = app.team
            path = "/teams/apps"
        try:
            created = await self.client.post(path, body)
        except (UncertainWrite, HerokuAPIError) as exc:
            # The response may have been lost after Heroku created it (a previous run, or this request).
            created = await self.client.get_or_none(f"/apps/{p(app.name)}")
            if created is None and isinstance(exc, UncertainWrite):
                created = await self.client.post(path, body)
            elif created is None:
                raise
        if isinstance(created, dict) and created.get("web_url"):
            self.report.web_urls[app.name] = str(created["web_url"])
        self.config.app_created(app.role, self.report.web_urls.get(app.name))

    async def _delete_app(self, change: Change) -> None:
        try:
            await self.client.delete(f"/apps/{p(change.app)}")
        except HerokuAPIError as exc:
            if exc.status != 404:  # already gone (a previous, interrupted destroy): the goal is reached
                raise

    async def _set_stack(self, change: Change) -> None:
        await self.client.patch(f"/apps/{p(change.app)}", {"build_stack": change.new})

    # ---- features, formation, buildpacks, collaborators ------------------------------------------
    async def _feature(self, change: Change) -> None:
        await self.client.patch(f"/apps/{p(change.app)}/features/{p(change.key)}",
                                {"enabled": change.new == "enabled"})

    async def _formation(self, app_name: str) -> None:
        updates = [{"type": c.key, "quantity": c.formation.quantity, "size": c.formation.size}
                   for c in self.plan.changes if c.kind == "formation" and c.app == app_name and c.formation]
        await self.client.patch(f"/apps/{p(app_name)}/formation", {"updates": updates})

    async def _buildpacks(self, change: Change) -> None:
        await self.client.put(f"/apps/{p(change.app)}/buildpack-installations",
                              {"updates": [{"buildpack": name} for name in change.buildpacks or ()]})

    async def _add_collaborator(self, change: Change) -> None:
        path = f"/apps/{p(change.app)}/collaborators"
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
            await self.client.delete(f"/apps/{p(change.app)}/collaborators/{p(change.key)}")
        except HerokuAPIError as exc:
            if exc.status != 404:
                raise


async def apply_environment(client: HerokuClient, env: Environment, plan: EnvironmentPlan, live: Live,
                            inputs: Inputs, options: ApplyOptions) -> ApplyReport:
    """``plan`` was computed from ``live`` (the one full read); ``inputs`` may prompt and generate."""
    if plan.open_blockers:
        raise ApplyFailed("the plan has blockers; refusing before any write")  # the workflow checks first
    return await Applier(client, env, plan, live, replace(inputs, applying=True), options).run()
