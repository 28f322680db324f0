"""Desired + Live -> EnvironmentPlan. Pure: no I/O, equal inputs give equal plans.

Each resource kind is compared by its own function; each difference becomes a typed Change carrying
what the applier needs (formation, buildpacks, the live add-on's identity), and whatever apply would
stop on becomes a Blocker in the plan itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from tmi_deploy.catalog.platform import COMMON_RUNTIME_SIZES
from tmi_deploy.config.models import AddonDesired, AppDesired, Environment
from tmi_deploy.errors import Problem
from tmi_deploy.kinds import domains
from tmi_deploy.plan.blockers import PG_MIGRATION, Notes, addon_token, delete_share, findings_as_blockers, nearest, with_consents
from tmi_deploy.plan.config_diff import config_changes
from tmi_deploy.plan.costs import ECO_POOL_HOURS, HOURS_PER_MONTH, app_costs
from tmi_deploy.plan.model import AddonIdentity, AppSummary, Change, EnvironmentPlan, FormationTarget
from tmi_deploy.plan.state import Live, LiveAddon, LiveApp
from tmi_deploy.plan.values import Inputs

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


def plan_environment(env: Environment, live: Live, inputs: Inputs, findings: Iterable[Problem] = (),
                     allowed: Iterable[str] = ()) -> EnvironmentPlan:
    """``findings``: lint problems of the declaration; ``allowed``: consents given on the command line."""
    notes = Notes()
    findings_as_blockers(findings, notes)
    changes: list[Change] = []
    summaries: list[AppSummary] = []
    eco = [0, 0]
    for role, app in env.apps.items():
        live_app = live.apps.get(role) or LiveApp(role=role, name=app.name, exists=False)
        app_changes = (
            _app_changes(app, live_app, notes)
            + _addon_changes(env, app, live_app, live, notes)
            + config_changes(env, app, live_app, live, inputs, notes)
            + _feature_changes(app, live_app, notes)
            + _formation_changes(app, live_app, live, notes)
            + _buildpack_changes(app, live_app)
            + _collaborator_changes(env, app, live_app, notes)
            + domains.compare(app, live_app, notes)
        )
        changes.extend(app_changes)
        before, after, eco_before, eco_after = app_costs(app, live_app, live, app_changes)
        eco = [eco[0] + eco_before, eco[1] + eco_after]
        summary = AppSummary(role=role, name=app.name, exists=live_app.exists, cost_before_cents=before,
                             cost_after_cents=after, changes=len(app_changes), live_config_vars=len(live_app.config))
        delete_share(env, summary, app_changes, notes)
        summaries.append(summary)
    changes.sort(key=Change.sort_key)
    summaries.sort(key=lambda s: s.role != "server")
    if eco[1] * HOURS_PER_MONTH > ECO_POOL_HOURS:
        notes.warn(f"{eco[1]} Eco dynos share the account's {ECO_POOL_HOURS:,} Eco hours a month: more than one "
                   f"running all month ({HOURS_PER_MONTH} hours each) overruns the pool, and then every Eco dyno "
                   "of the account stops until the next month (they sleep after 30 minutes without traffic)")
    blockers = with_consents(notes.blockers, env, allowed, notes)
    return EnvironmentPlan(environment=env.name, tmi_version=env.tmi_version, file=env.file,
                           apps=tuple(summaries), changes=tuple(changes), warnings=tuple(notes.warnings),
                           blockers=blockers, eco_dynos=(eco[0], eco[1]))


def _app_changes(app: AppDesired, live: LiveApp, notes: Notes) -> list[Change]:
    if live.foreign:
        notes.error(app.name, f"the app name {app.name} is taken by another Heroku account (names are unique "
                    "across Heroku)", str(app.origin_of("name")))
    if not live.exists:
        desc = f"region {app.region}, stack {app.stack}" + (f", team {app.team}" if app.team else "")
        return [Change(role=app.role, app=app.name, kind="app", action="create", key=app.name, new=desc,
                       origin=str(app.origin))]
    result = []
    if live.region and live.region != app.region:
        notes.warn(f"{app.name}: region is {live.region}, declared {app.region}; Heroku cannot move an app "
                   "between regions (create a new app and migrate)")
    if live.stack and live.stack != app.stack:
        result.append(Change(role=app.role, app=app.name, kind="app", action="update", key="stack",
                             old=live.stack, new=app.stack, origin=str(app.origin_of("stack")),
                             detail="takes effect on the next build"))
    return result


def _addon_changes(env: Environment, app: AppDesired, live_app: LiveApp, live: Live, notes: Notes) -> list[Change]:
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


def _feature_changes(app: AppDesired, live: LiveApp, notes: Notes) -> list[Change]:
    result = []
    for name, enabled in sorted(app.features.items()):
        if live.exists and name not in live.features:
            notes.warn(f"{app.name}: feature {name} is not offered for this app")
            continue
        current = live.features.get(name, False)
        if current != enabled:
            result.append(Change(role=app.role, app=app.name, kind="feature", action="update", key=name,
                                 old="enabled" if current else "disabled", new="enabled" if enabled else "disabled",
                                 origin=str(app.origin_of(f"features.{name}"))))
    return result


def _formation_changes(app: AppDesired, live_app: LiveApp, live: Live, notes: Notes) -> list[Change]:
    result = []
    for ptype, want in sorted(app.formation.items()):
        origin = str(app.origin_of(f"formation.{ptype}"))
        # Sizes outside the Common Runtime list are lint errors already (DYNO-SIZE); this catches the rest.
        if live.dyno_costs and want.size.lower() not in live.dyno_costs and want.size.lower() in COMMON_RUNTIME_SIZES:
            hint = nearest(want.size.lower(), live.dyno_costs, "heroku ps:type")
            notes.error(app.name, f"dyno size {want.size} does not exist; {hint}", origin)
        have = live_app.formation.get(ptype)
        if have is None:
            notes.warn(f"{app.name}: process type '{ptype}' appears after the first code deploy (git push); "
                       f"scale it with the next apply after that")
            continue
        if (have.quantity, have.size) != (want.quantity, want.size.lower()):
            result.append(Change(role=app.role, app=app.name, kind="formation", action="update", key=ptype,
                                 old=f"{have.quantity} x {have.size}", new=f"{want.quantity} x {want.size}",
                                 origin=origin, formation=FormationTarget(quantity=want.quantity,
                                                                          size=want.size.lower())))
    return result


_GITHUB_BUILDPACK = re.compile(r"^https://github\.com/heroku/heroku-buildpack-([a-z0-9-]+?)(?:\.git)?/?$")


def canonical_buildpack(text: str) -> str:
    """Heroku answers with the registry name (heroku/go) whichever form was installed."""
    text = text.strip()
    if text.startswith("urn:buildpack:"):
        return text.removeprefix("urn:buildpack:")
    match = _GITHUB_BUILDPACK.fullmatch(text)
    return f"heroku/{match.group(1)}" if match else text


def _buildpack_changes(app: AppDesired, live: LiveApp) -> list[Change]:
    if app.buildpacks is None:
        return []
    wanted = tuple(canonical_buildpack(b) for b in app.buildpacks if b.strip())
    if tuple(canonical_buildpack(b) for b in live.buildpacks) == wanted:
        return []
    return [Change(role=app.role, app=app.name, kind="buildpacks", action="update" if live.buildpacks else "create",
                   key="buildpacks", old=", ".join(live.buildpacks) or None, new=", ".join(wanted),
                   origin=str(app.origin_of("buildpacks")), buildpacks=wanted)]


def _collaborator_changes(env: Environment, app: AppDesired, live: LiveApp, notes: Notes) -> list[Change]:
    result = []
    have = set(live.collaborators)
    for email in sorted(set(app.collaborators) - have - {live.owner}):
        result.append(Change(role=app.role, app=app.name, kind="collaborator", action="create", key=email,
                             origin=str(app.origin_of("collaborators"))))
    for email in sorted(have - set(app.collaborators)):
        if env.policy.prune:
            result.append(Change(role=app.role, app=app.name, kind="collaborator", action="delete", key=email))
        else:
            notes.warn(f"{app.name}: collaborator {email} is not declared (left alone)")
    return result
