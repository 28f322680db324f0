"""Formation: quantity and size per process type, scaled in one PATCH per app."""

from __future__ import annotations

from functools import partial
from typing import Any

from tmi_deploy.apply.context import ApplyContext, Step
from tmi_deploy.catalog.platform import COMMON_RUNTIME_SIZES
from tmi_deploy.config.models import AppDesired
from tmi_deploy.heroku.paths import app_path
from tmi_deploy.kinds.base import FORMATION, AppRead, Found, Kind, PlanContext, listed
from tmi_deploy.plan.blockers import nearest
from tmi_deploy.plan.model import Change, FormationTarget
from tmi_deploy.plan.state import LiveApp, LiveFormation


class FormationKind(Kind):
    name = "formation"

    def reads(self, app: AppDesired, everything: bool) -> tuple[AppRead, ...]:
        return (AppRead("formation"),)

    def parse(self, found: Found) -> dict[str, Any]:
        return {"formation": {f["type"]: LiveFormation(quantity=int(f["quantity"]), size=str(f["size"]).lower())
                              for f in listed(found.answers[0])}}

    def plan(self, ctx: PlanContext) -> list[Change]:
        app, live_app = ctx.app, ctx.live_app
        result = []
        for ptype, want in sorted(app.formation.items()):
            origin = str(app.origin_of(f"formation.{ptype}"))
            sizes = ctx.live.dyno_costs
            # Sizes outside the Common Runtime list are lint errors already (DYNO-SIZE); this catches the rest.
            if sizes and want.size.lower() not in sizes and want.size.lower() in COMMON_RUNTIME_SIZES:
                ctx.notes.error(app.name, f"dyno size {want.size} does not exist; "
                                f"{nearest(want.size.lower(), sizes, 'heroku ps:type')}", origin)
            have = live_app.formation.get(ptype)
            if have is None:
                ctx.notes.warn(f"{app.name}: process type '{ptype}' appears after the first code deploy (git push); "
                               f"scale it with the next apply after that")
                continue
            if (have.quantity, have.size) != (want.quantity, want.size.lower()):
                result.append(Change(role=app.role, app=app.name, kind=self.name, action="update", key=ptype,
                                     old=f"{have.quantity} x {have.size}", new=f"{want.quantity} x {want.size}",
                                     origin=origin, formation=FormationTarget(quantity=want.quantity,
                                                                              size=want.size.lower())))
        return result

    def steps(self, ctx: ApplyContext) -> list[Step]:
        apps = sorted({c.app for c in ctx.changes(self.name)})
        return [Step(FORMATION, f"scale {app}", partial(_scale, ctx, app)) for app in apps]

    def export(self, app: LiveApp) -> dict[str, Any]:
        if not app.formation:
            return {}
        return {"formation": {t: {"quantity": f.quantity, "size": f.size} for t, f in sorted(app.formation.items())}}


async def _scale(ctx: ApplyContext, app_name: str) -> None:
    updates = [{"type": c.key, "quantity": c.formation.quantity, "size": c.formation.size}
               for c in ctx.changes("formation") if c.app == app_name and c.formation]
    await ctx.client.patch(app_path(app_name, "formation"), {"updates": updates})


KIND = FormationKind()
