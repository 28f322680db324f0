"""The applier's config step: one PATCH (one release) per app, exactly the reviewed changes.

Values the plan showed as "known after apply" (add-on URLs, a new app's URL, generated or prompted
secrets) are resolved with the planner's own ``resolve`` over a narrow re-read: that app's config vars,
read immediately before the write. If the re-read shows a change the reviewed plan did not expect
(another apply generated a secret, someone ran `heroku config:set`), the plan is stale: nothing is
written. An uncertain PATCH is re-read before it is retried, so one apply makes one release per app.
"""

from __future__ import annotations

from urllib.parse import quote

from tmi_deploy.config.models import Environment, FromAddon, Role
from tmi_deploy.errors import ApplyFailed, StalePlan, UncertainWrite
from tmi_deploy.heroku.client import HerokuClient
from tmi_deploy.heroku.reads import fetch_app_config
from tmi_deploy.plan.model import Change, EnvironmentPlan
from tmi_deploy.plan.state import Live, LiveApp
from tmi_deploy.plan.values import Inputs, resolve

Body = dict[str, str | None]


class ConfigStep:
    def __init__(self, client: HerokuClient, env: Environment, plan: EnvironmentPlan, live: Live, inputs: Inputs,
                 releases: dict[str, int]) -> None:
        self.client = client
        self.env = env
        self.plan = plan
        self.live = live
        self.inputs = inputs
        self.releases = releases  # the report's count of config releases per app
        # Vars add-ons set on their own (<ATTACHMENT>_URL and friends: provisioning finished, a plan change
        # switched over, credentials rotated) are not ours; values the plan derived from them are checked apart.
        self.addon_prefixes = {(c.app, f"{c.key}_") for c in plan.changes if c.kind == "addon"} | {
            (a.name, f"{name}_") for a in live.apps.values() for addon in a.addons for name in addon.attachments}

    def app_created(self, role: Role, web_url: str | None) -> None:
        """A created app exists from now on; its URL feeds the other app's derived values."""
        current = self.live.apps.get(role) or LiveApp(role=role, name=self.env.apps[role].name, exists=False)
        self.live = self.live.with_app(current.model_copy(update={"exists": True, "web_url": web_url}))

    async def run(self, app_name: str) -> None:
        changes = [c for c in self.plan.changes if c.kind == "config" and c.app == app_name]
        role = changes[0].role
        if any(c.after_apply for c in changes):
            await self._reread(role, app_name)
        body = self._body(role, changes)
        if body:
            await self._patch(app_name, body)
            self.releases[app_name] = self.releases.get(app_name, 0) + 1

    async def _reread(self, role: Role, app_name: str) -> None:
        before = self.live.apps[role]
        now = await fetch_app_config(self.client, app_name)
        changed = {name for name in set(before.config) | set(now) if before.config.get(name) != now.get(name)}
        unexpected = sorted(name for name in changed if not self._set_by_addon(app_name, name))
        unexpected += self._derived_from(role, changed)
        if unexpected:
            raise StalePlan(f"the config vars of {app_name} changed since the plan was made ({', '.join(unexpected)}); "
                            f"nothing was written to them. Run `tmi-deploy plan {self.env.name}` and review again.")
        self.live = self.live.with_app(before.model_copy(update={"config": now}))

    def _derived_from(self, role: Role, changed: set[str]) -> list[str]:
        """Planned values computed from an add-on var that has changed since (a rotated DATABASE_URL)."""
        specs = self.env.apps[role].config
        stale = []
        for change in self.plan.changes:
            spec = specs.get(change.key) if change.role == role and change.kind == "config" else None
            source = spec.source if spec is not None and not change.after_apply else None
            if isinstance(source, FromAddon) and f"{source.addon}_URL" in changed:
                stale.append(f"{change.key} (from {source.addon}_URL)")
        return sorted(stale)

    def _set_by_addon(self, app_name: str, name: str) -> bool:
        return any(app == app_name and name.startswith(prefix) for app, prefix in self.addon_prefixes)

    def _body(self, role: Role, changes: list[Change]) -> Body:
        app = self.env.apps[role]
        body: Body = {}
        for change in changes:
            if change.action == "delete":
                body[change.key] = None
                continue
            value = change.value
            if change.after_apply:
                found = resolve(app.config[change.key], app, self.env, self.live, self.inputs)
                value = found.value
                if value is None:
                    raise ApplyFailed(f"{change.key} on {app.name} has no value: {found.note or 'unknown'}")
            if value is None:
                raise ApplyFailed(f"{change.key} on {app.name} has no value in the plan")
            body[change.key] = value
            if change.renamed_from:
                body[change.renamed_from] = None
        return body

    async def _patch(self, app_name: str, body: Body) -> None:
        path = f"/apps/{quote(app_name, safe='')}/config-vars"
        try:
            await self.client.patch(path, body, idempotent=False)
        except UncertainWrite:
            # Heroku may have made the release before the answer was lost: look before sending it again.
            now = await fetch_app_config(self.client, app_name)
            if any(now.get(key) != value for key, value in body.items()):
                await self.client.patch(path, body, idempotent=False)
