"""Desired + Live -> EnvironmentPlan. Pure: no I/O, equal inputs give equal plans.

deepdiff finds what differs between the comparable shapes of desired and live; the planner turns
each difference into our own typed Change with old and new values and the reason a reviewer needs.
"""

from __future__ import annotations

import fnmatch
from typing import Any

from tmi_deploy.catalog.variables import URL_WITH_CREDENTIALS, is_secret_name
from tmi_deploy.config.models import AppDesired, Environment
from tmi_deploy.live import Live, LiveApp
from tmi_deploy.plan.model import KNOWN_AFTER_APPLY, SENSITIVE, AppSummary, Change, EnvironmentPlan
from tmi_deploy.plan.values import Inputs, resolve

# How a plan change lands, by service and tier (Heroku Postgres / Key-Value Store docs).
IN_PLACE, MAINTENANCE, MIGRATION, DESTRUCTIVE = "in place", "needs maintenance", "needs migration", "destructive"


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


def _show(value: str | None, sensitive: bool) -> str | None:
    if value is None:
        return None
    return SENSITIVE if sensitive else value


def plan_environment(env: Environment, live: Live, inputs: Inputs) -> EnvironmentPlan:
    changes: list[Change] = []
    warnings: list[str] = []
    summaries: list[AppSummary] = []
    for role, app in env.apps.items():
        live_app = live.apps.get(role) or LiveApp(role=role, name=app.name, exists=False)
        app_changes = (
            _app_changes(app, live_app, warnings)
            + _addon_changes(env, app, live_app, warnings)
            + _config_changes(env, app, live_app, live, inputs, warnings)
            + _feature_changes(app, live_app, warnings)
            + _formation_changes(app, live_app, warnings)
            + _buildpack_changes(app, live_app)
            + _collaborator_changes(env, app, live_app, warnings)
        )
        changes.extend(app_changes)
        before, after = _costs(app, live_app, live, app_changes)
        summaries.append(AppSummary(role=role, name=app.name, exists=live_app.exists, cost_before_cents=before,
                                    cost_after_cents=after, changes=len(app_changes),
                                    live_config_vars=len(live_app.config)))
    changes.sort(key=Change.sort_key)
    summaries.sort(key=lambda s: s.role != "server")
    return EnvironmentPlan(environment=env.name, tmi_version=env.tmi_version, file=env.file,
                           apps=tuple(summaries), changes=tuple(changes), warnings=tuple(warnings))


def _app_changes(app: AppDesired, live: LiveApp, warnings: list[str]) -> list[Change]:
    if not live.exists:
        desc = f"region {app.region}, stack {app.stack}" + (f", team {app.team}" if app.team else "")
        return [Change(role=app.role, app=app.name, kind="app", action="create", key=app.name, new=desc,
                       origin=str(app.origin))]
    result = []
    if live.region and live.region != app.region:
        warnings.append(f"{app.name}: region is {live.region}, declared {app.region}; Heroku cannot move an app "
                        "between regions (create a new app and migrate)")
    if live.stack and live.stack != app.stack:
        result.append(Change(role=app.role, app=app.name, kind="app", action="update", key="stack",
                             old=live.stack, new=app.stack, origin=str(app.origin_of("stack")),
                             detail="takes effect on the next build"))
    return result


def _addon_changes(env: Environment, app: AppDesired, live: LiveApp, warnings: list[str]) -> list[Change]:
    result = []
    declared = set(app.addons)
    for name, addon in sorted(app.addons.items()):
        current = live.attachment(name)
        if current is None:
            result.append(Change(role=app.role, app=app.name, kind="addon", action="create", key=name,
                                 new=addon.plan, origin=str(addon.origin)))
            continue
        if current.state != "provisioned":
            warnings.append(f"{app.name}: add-on {current.name} ({name}) is {current.state}")
        if current.plan != addon.plan:
            how = classify_plan_change(current.plan, addon.plan)
            result.append(Change(role=app.role, app=app.name, kind="addon",
                                 action="replace" if how == DESTRUCTIVE else "update", key=name, old=current.plan,
                                 new=addon.plan, detail=how, origin=str(addon.origin),
                                 destructive=how in (DESTRUCTIVE, MIGRATION)))
    for current in live.addons:
        if set(current.attachments) & declared or not current.owned_here:
            continue
        label = ", ".join(current.attachments) or current.name
        if any(a in env.policy.protected_addons for a in current.attachments):
            warnings.append(f"{app.name}: add-on {current.name} ({label}) is not declared but protected; kept")
        elif env.policy.prune:
            result.append(Change(role=app.role, app=app.name, kind="addon", action="delete", key=label,
                                 old=current.plan, detail=current.name, destructive=True))
        else:
            warnings.append(f"{app.name}: add-on {current.name} ({label}, {current.plan}) is not declared "
                            "(left alone; policy.prune would destroy it)")
    return result


def _config_changes(env: Environment, app: AppDesired, live_app: LiveApp, live: Live, inputs: Inputs,
                    warnings: list[str]) -> list[Change]:
    from deepdiff import DeepDiff  # ~40 ms of imports: paid by a plan, not by whoever imports the planner

    owned = live_app.addon_owned_vars()
    desired: dict[str, Any] = {}
    resolved: dict[str, Any] = {}
    for name, spec in app.config.items():
        if name in owned:
            warnings.append(f"{app.name}: {name} belongs to an add-on attachment; the declaration is ignored")
            continue
        found = resolve(spec, app, env, live, inputs)
        resolved[name] = found
        desired[name] = found.value if found.value is not None else KNOWN_AFTER_APPLY
    current = {k: v for k, v in live_app.config.items() if k not in owned}
    # threshold 0: always report per key, never "the whole mapping was replaced".
    diff = DeepDiff(current, desired, verbose_level=2, threshold_to_diff_deeper=0)
    result = []
    for path in sorted(diff.get("dictionary_item_added", {})):
        name = _key(path)
        spec, found = app.config[name], resolved[name]
        after = found.value is None
        if after and not found.note.startswith(("generated", "asked", "from")):
            warnings.append(f"{app.name}: {name}: {found.note}; it cannot be set")
        result.append(Change(
            role=app.role, app=app.name, kind="config", action="create", key=name,
            new=KNOWN_AFTER_APPLY if after else _show(found.value, spec.sensitive), sensitive=spec.sensitive,
            after_apply=after, origin=str(spec.origin), detail=found.note if after else "",
            fingerprint=inputs.fingerprint(found.value) if found.value is not None else "", value=found.value))
    for path in sorted(diff.get("values_changed", {})):
        name = _key(path)
        spec, found = app.config[name], resolved[name]
        if found.value is None:
            if found.note:
                warnings.append(f"{app.name}: {name}: {found.note}; live value kept, not compared")
            continue
        result.append(Change(
            role=app.role, app=app.name, kind="config", action="update", key=name,
            old=_show(current[name], spec.sensitive), new=_show(found.value, spec.sensitive),
            sensitive=spec.sensitive, origin=str(spec.origin), detail="drift" if _derived(spec) else "",
            fingerprint=inputs.fingerprint(found.value), value=found.value))
    for path in sorted(diff.get("dictionary_item_removed", {})):
        name = _key(path)
        if any(fnmatch.fnmatchcase(name, pattern) for pattern in env.policy.tolerate):
            continue
        sensitive = _looks_sensitive(app.role, name, current[name])
        if env.policy.prune:
            result.append(Change(role=app.role, app=app.name, kind="config", action="delete", key=name,
                                 old=_show(current[name], sensitive), sensitive=sensitive, detail="unknown"))
        else:
            warnings.append(f"{app.name}: {name} is set live but not declared (left alone; policy.prune "
                            "would delete it)")
    return result


def _derived(spec: Any) -> bool:
    return not isinstance(spec.source, str) and hasattr(spec.source, "part")


def _looks_sensitive(role: str, name: str, value: str) -> bool:
    return is_secret_name(role, name) or bool(URL_WITH_CREDENTIALS.match(value))


def _key(path: str) -> str:
    # deepdiff paths look like root['NAME']
    return path[len("root['"):-2]


def _feature_changes(app: AppDesired, live: LiveApp, warnings: list[str]) -> list[Change]:
    result = []
    for name, enabled in sorted(app.features.items()):
        if live.exists and name not in live.features:
            warnings.append(f"{app.name}: feature {name} is not offered for this app")
            continue
        current = live.features.get(name, False)
        if current != enabled:
            result.append(Change(role=app.role, app=app.name, kind="feature", action="update", key=name,
                                 old="enabled" if current else "disabled", new="enabled" if enabled else "disabled",
                                 origin=str(app.origin_of(f"features.{name}"))))
    return result


def _formation_changes(app: AppDesired, live: LiveApp, warnings: list[str]) -> list[Change]:
    result = []
    for ptype, want in sorted(app.formation.items()):
        have = live.formation.get(ptype)
        if have is None:
            warnings.append(f"{app.name}: process type '{ptype}' appears after the first code deploy (git push); "
                            f"scale it with the next apply after that")
            continue
        if (have.quantity, have.size) != (want.quantity, want.size):
            result.append(Change(role=app.role, app=app.name, kind="formation", action="update", key=ptype,
                                 old=f"{have.quantity} x {have.size}", new=f"{want.quantity} x {want.size}",
                                 origin=str(app.origin_of(f"formation.{ptype}")), value=f"{want.quantity}:{want.size}"))
    return result


def _buildpack_changes(app: AppDesired, live: LiveApp) -> list[Change]:
    if app.buildpacks is None or tuple(live.buildpacks) == app.buildpacks:
        return []
    return [Change(role=app.role, app=app.name, kind="buildpacks", action="update" if live.buildpacks else "create",
                   key="buildpacks", old=", ".join(live.buildpacks) or None, new=", ".join(app.buildpacks),
                   origin=str(app.origin_of("buildpacks")), value="\n".join(app.buildpacks))]


def _collaborator_changes(env: Environment, app: AppDesired, live: LiveApp, warnings: list[str]) -> list[Change]:
    result = []
    have = set(live.collaborators)
    for email in sorted(set(app.collaborators) - have - {live.owner}):
        result.append(Change(role=app.role, app=app.name, kind="collaborator", action="create", key=email,
                             origin=str(app.origin_of("collaborators"))))
    for email in sorted(have - set(app.collaborators)):
        if env.policy.prune:
            result.append(Change(role=app.role, app=app.name, kind="collaborator", action="delete", key=email))
        else:
            warnings.append(f"{app.name}: collaborator {email} is not declared (left alone)")
    return result


def _costs(app: AppDesired, live_app: LiveApp, live: Live, changes: list[Change]) -> tuple[int, int]:
    def dynos(formation: dict[str, tuple[int, str]]) -> int:
        return sum(q * live.dyno_costs.get(size, 0) for q, size in formation.values())

    addons_before = {a.attachments[0] if a.attachments else a.name: a.plan for a in live_app.addons if a.owned_here}
    formation_before = {t: (f.quantity, f.size) for t, f in live_app.formation.items()}
    addons_after = dict(addons_before)
    formation_after = dict(formation_before)
    for change in changes:
        if change.kind == "addon" and change.action in ("create", "update", "replace") and change.new:
            addons_after[change.key] = change.new
        elif change.kind == "addon" and change.action == "delete":
            addons_after.pop(change.key, None)
        elif change.kind == "formation" and change.value:
            quantity, size = change.value.split(":")
            formation_after[change.key] = (int(quantity), size)
    if not live_app.exists:
        formation_after = {t: (f.quantity, f.size) for t, f in app.formation.items()}

    def total(addons: dict[str, str], formation: dict[str, tuple[int, str]]) -> int:
        return sum(live.plan_prices.get(plan, 0) for plan in addons.values()) + dynos(formation)

    return total(addons_before, formation_before), total(addons_after, formation_after)
