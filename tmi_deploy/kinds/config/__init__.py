"""Config vars: always read (the read also tells whether the app exists), compared per key in
compare.py, written in one PATCH per app (one release) by steps.py. ``import`` writes this section
itself (importer.py): recognising derived values needs every app of the environment."""

from __future__ import annotations

from functools import partial
from typing import Any

from tmi_deploy.apply.context import ApplyContext, Step
from tmi_deploy.config.models import AppDesired
from tmi_deploy.kinds.base import CONFIG, AppRead, Found, Kind, PlanContext
from tmi_deploy.kinds.config.compare import config_changes
from tmi_deploy.kinds.config.steps import ConfigStep
from tmi_deploy.plan.model import Change

CONFIG_READ = AppRead("config-vars", listing=False)


class ConfigKind(Kind):
    name = "config"

    def reads(self, app: AppDesired, everything: bool) -> tuple[AppRead, ...]:
        return (CONFIG_READ,)

    def parse(self, found: Found) -> dict[str, Any]:
        return {"config": found.config}

    def plan(self, ctx: PlanContext) -> list[Change]:
        return config_changes(ctx)

    def steps(self, ctx: ApplyContext) -> list[Step]:
        step = ConfigStep(ctx)
        changes = ctx.changes(self.name)
        result = []
        for app in sorted({c.app for c in changes}):
            count = sum(1 for c in changes if c.app == app)
            result.append(Step(CONFIG, f"update {count} config var{'s' if count != 1 else ''} on {app} (one release)",
                               partial(step.run, app)))
        return result


KIND = ConfigKind()
