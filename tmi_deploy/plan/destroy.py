"""The plan of tearing an environment down (pure): every add-on it owns, then its apps.

Protected add-ons (``policy.protected_addons``) are destroyed only with their exact consent token;
an app name that belongs to another account is never touched. The applier executes the result like
any plan, so a destroy that stopped half-way is resumed by running it again.
"""

from __future__ import annotations

from collections.abc import Iterable

from tmi_deploy.config.models import Environment
from tmi_deploy.plan.blockers import Notes, addon_token, with_consents
from tmi_deploy.plan.model import AddonIdentity, AppSummary, Change, EnvironmentPlan
from tmi_deploy.plan.state import Live, LiveApp


def plan_destroy(env: Environment, live: Live, allowed: Iterable[str] = ()) -> EnvironmentPlan:
    notes = Notes()
    changes: list[Change] = []
    summaries: list[AppSummary] = []
    for role, app in env.apps.items():
        live_app = live.apps.get(role) or LiveApp(role=role, name=app.name, exists=False)
        if live_app.foreign:
            notes.warn(f"{app.name} belongs to another Heroku account: not ours to destroy, left alone")
        if not live_app.exists:
            continue
        changes += _addon_deletes(env, live_app, notes)
        changes.append(Change(role=role, app=app.name, kind="app", action="delete", key=app.name,
                              old=f"region {live_app.region}, stack {live_app.stack}", destructive=True,
                              detail="the app, its config vars, releases and remaining add-ons"))
        summaries.append(AppSummary(role=role, name=app.name, exists=True, cost_before_cents=0, cost_after_cents=0,
                                    changes=sum(1 for c in changes if c.app == app.name),
                                    live_config_vars=len(live_app.config)))
    return EnvironmentPlan(environment=env.name, tmi_version=env.tmi_version, file=env.file, apps=tuple(summaries),
                           changes=tuple(changes), warnings=tuple(notes.warnings),
                           blockers=with_consents(notes.blockers, env, allowed, notes))


def _addon_deletes(env: Environment, live_app: LiveApp, notes: Notes) -> list[Change]:
    result = []
    for addon in live_app.addons:
        if not addon.owned_here:
            continue
        label = ", ".join(addon.attachments) or addon.name
        if any(name in env.policy.protected_addons for name in addon.attachments):
            notes.need_consent(live_app.name, f"add-on {label} ({addon.name}, {addon.plan}) is protected by policy; "
                               "destroying the environment destroys its data",
                               addon_token("destroy-addon", live_app.name, addon), aliases=addon.attachments)
        result.append(Change(role=live_app.role, app=live_app.name, kind="addon", action="delete", key=label,
                             old=addon.plan, detail=addon.name, destructive=True,
                             addon=AddonIdentity(id=addon.id, name=addon.name)))
    return result
