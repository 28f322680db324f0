"""The applier's config step: one PATCH (one release) per app, exactly the reviewed changes.

Values the plan showed as "known after apply" (add-on URLs, a new app's URL, generated or prompted
secrets) are resolved with the planner's own ``resolve`` over a narrow re-read: that app's config vars,
read immediately before the write. If the re-read shows a change the reviewed plan did not expect
(another apply generated a secret, someone ran `heroku config:set`), the plan is stale: nothing is
written. An uncertain PATCH is re-read before it is retried, so one apply makes one release per app.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tmi_deploy.apply.context import ApplyContext
from tmi_deploy.config.models import FromAddon, Role
from tmi_deploy.errors import ApplyFailed, HerokuAPIError, StalePlan, UncertainWrite
from tmi_deploy.heroku.paths import app_path
from tmi_deploy.plan.model import Change
from tmi_deploy.plan.values import resolve

if TYPE_CHECKING:
    from tmi_deploy.heroku.client import HerokuClient

Body = dict[str, str | None]


async def fetch_app_config(client: HerokuClient, name: str) -> dict[str, str]:
    """The applier's narrow re-read: one app's config vars, nothing else."""
    found = await client.get(app_path(name, "config-vars"))
    if not isinstance(found, dict):
        raise HerokuAPIError("GET", app_path(name, "config-vars"), None, "unexpected_body", "expected an object")
    return {str(k): str(v) for k, v in found.items()}


class ConfigStep:
    def __init__(self, ctx: ApplyContext) -> None:
        self.ctx = ctx
        self.client = ctx.client
        self.env = ctx.env
        self.plan = ctx.plan
        self.inputs = ctx.inputs
        # Vars add-ons set on their own (<ATTACHMENT>_URL and friends: provisioning finished, a plan change
        # switched over, credentials rotated) are not ours; values the plan derived from them are checked apart.
        self.addon_prefixes = {(c.app, f"{c.key}_") for c in ctx.changes("addon")} | {
            (a.name, f"{name}_") for a in ctx.live.apps.values() for addon in a.addons for name in addon.attachments}

    async def run(self, app_name: str) -> None:
        changes = [c for c in self.ctx.changes("config") if c.app == app_name]
        role = changes[0].role
        if any(c.after_apply for c in changes):
            await self._reread(role, app_name)
        body = self._body(role, changes)
        if body:
            await self._patch(app_name, body)
            releases = self.ctx.report.releases
            releases[app_name] = releases.get(app_name, 0) + 1

    async def _reread(self, role: Role, app_name: str) -> None:
        before = self.ctx.live.apps[role]
        now = await fetch_app_config(self.client, app_name)
        changed = {name for name in set(before.config) | set(now) if before.config.get(name) != now.get(name)}
        unexpected = sorted(name for name in changed if not self._set_by_addon(app_name, name))
        unexpected += self._derived_from(role, changed)
        if unexpected:
            raise StalePlan(f"the config vars of {app_name} changed since the plan was made ({', '.join(unexpected)}); "
                            f"nothing was written to them. Run `tmi-deploy plan {self.env.name}` and review again.")
        self.ctx.live = self.ctx.live.with_app(before.model_copy(update={"config": now}))

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
                found = resolve(app.config[change.key], app, self.env, self.ctx.live, self.inputs)
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
        path = app_path(app_name, "config-vars")
        try:
            await self.client.patch(path, body, idempotent=False)
        except UncertainWrite:
            # Heroku may have made the release before the answer was lost: look before sending it again.
            now = await fetch_app_config(self.client, app_name)
            if any(now.get(key) != value for key, value in body.items()):
                await self.client.patch(path, body, idempotent=False)
