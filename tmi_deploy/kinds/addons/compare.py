"""Add-ons compared (pure): create, plan change (classified by what Heroku does), replace, prune.

A plan change is classified by service and tier (Heroku Postgres and Key-Value Store docs): in place,
with maintenance, needing a migration tmi-deploy does not do (refused with the manual steps), or
destructive (another service: replace, with consent). Undeclared add-ons are destroyed only with
``policy.prune`` and consent; protected ones never.
"""

from __future__ import annotations

from tmi_deploy.config.models import AddonDesired, AppDesired, Environment
from tmi_deploy.kinds.base import PlanContext
from tmi_deploy.plan.blockers import PG_MIGRATION, Notes, addon_token, nearest
from tmi_deploy.plan.model import AddonIdentity, Change
from tmi_deploy.plan.state import LiveAddon, LiveApp

# How a plan change lands, by service and tier (Heroku Postgres / Key-Value Store docs).
IN_PLACE, MAINTENANCE, MIGRATION, DESTRUCTIVE = "in place", "needs maintenance", "needs migration", "destructive"
LATER = "prepared in the background; switches over later (the database URL changes then)"


def classify_plan_change(old: str, new: str) -> str:
    old_service, old_plan = old.split(":", 1)
    new_service, new_plan = new.split(":", 1)
    if old_service != new_service:
        return DESTRUCTIVE
    old_tier, new_tier = old_plan.split("-")[0], new_plan.split("-")[0]
    if old_service == "heroku-postgresql":
        if old_tier == new_tier == "essential":
            return IN_PLACE
        if "essential" in (old_tier, new_tier):
            return MIGRATION  # across tiers: pg:copy to a new database, then promote
        return MAINTENANCE  # standard/premium: follower changeover with a short maintenance window
    if old_service == "heroku-redis":
        if new_tier == "mini" and old_tier != "mini":
            return MIGRATION  # downgrade to a smaller, non-premium plan
        return IN_PLACE
    return IN_PLACE


def addon_changes(ctx: PlanContext) -> list[Change]:
    env, app, live_app, live, notes = ctx.env, ctx.app, ctx.live_app, ctx.live, ctx.notes
    result = []
    for name, addon in sorted(app.addons.items()):
        if addon.plan in live.unknown_plans:
            hint = nearest(addon.plan, live.unknown_plans[addon.plan], f"heroku addons:plans {addon.service}")
            notes.error(app.name, f"add-on plan {addon.plan} does not exist; {hint}", str(addon.origin))
        current = live_app.attachment(name)
        if current is None:
            result.append(Change(role=app.role, app=app.name, kind="addon", action="create", key=name,
                                 new=addon.plan, origin=str(addon.origin)))
            continue
        if current.state != "provisioned":
            notes.warn(f"{app.name}: add-on {current.name} ({name}) is {current.state}")
        if current.plan != addon.plan:
            result.append(_plan_change(env, app, addon, current, notes))
    result += _undeclared_addons(env, app, live_app, notes)
    return result


def _plan_change(env: Environment, app: AppDesired, addon: AddonDesired, current: LiveAddon, notes: Notes) -> Change:
    how = classify_plan_change(current.plan, addon.plan)
    name, origin = addon.attachment, str(addon.origin)
    protected = name in env.policy.protected_addons
    if how == MIGRATION:
        steps = PG_MIGRATION if current.service == "heroku-postgresql" else (
            f"create the new add-on beside {current.name}, move the data, then remove the old one",)
        notes.refuse(app.name, f"add-on {name} ({current.name}): {current.plan} -> {addon.plan} cannot change in "
                     "place; Heroku needs the data copied to a new add-on, which tmi-deploy does not do", origin,
                     tuple(step.format(new=addon.plan, app=app.name, attachment=name, addon=current.name)
                           for step in steps))
    elif how == DESTRUCTIVE and protected:
        notes.refuse(app.name, f"add-on {name} ({current.name}) is protected by policy; replacing it with "
                     f"{addon.plan} destroys its data and is never done by tmi-deploy", origin)
    elif how == DESTRUCTIVE:
        notes.need_consent(app.name, f"add-on {name} ({current.name}, {current.plan}) is destroyed and replaced "
                           f"by {addon.plan}; its data is lost", addon_token("replace-addon", app.name, current),
                           origin, aliases=(name,))
    detail = f"{how}: {LATER}" if how == MAINTENANCE else how
    return Change(role=app.role, app=app.name, kind="addon", action="replace" if how == DESTRUCTIVE else "update",
                  key=name, old=current.plan, new=addon.plan, detail=detail, origin=origin,
                  destructive=how in (DESTRUCTIVE, MIGRATION), addon=AddonIdentity(id=current.id, name=current.name))


def _undeclared_addons(env: Environment, app: AppDesired, live: LiveApp, notes: Notes) -> list[Change]:
    result = []
    for current in live.addons:
        if set(current.attachments) & set(app.addons) or not current.owned_here:
            continue
        label = ", ".join(current.attachments) or current.name
        if any(a in env.policy.protected_addons for a in current.attachments):
            notes.warn(f"{app.name}: add-on {current.name} ({label}) is not declared but protected; kept")
        elif env.policy.prune:
            notes.need_consent(app.name, f"add-on {label} ({current.name}, {current.plan}) is not declared and "
                               "would be destroyed with its data", addon_token("destroy-addon", app.name, current),
                               aliases=(label, *current.attachments))
            result.append(Change(role=app.role, app=app.name, kind="addon", action="delete", key=label,
                                 old=current.plan, detail=current.name, destructive=True,
                                 addon=AddonIdentity(id=current.id, name=current.name)))
        else:
            notes.warn(f"{app.name}: add-on {current.name} ({label}, {current.plan}) is not declared "
                       "(left alone; policy.prune would destroy it)")
    return result
