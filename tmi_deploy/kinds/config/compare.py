"""Config vars: desired values against live ones, per key, in four ownership classes.

deepdiff finds what differs; each difference becomes a typed Change. A live legacy name whose
replacement is being created is one rename (same release), not an unknown delete plus a create.
"""

from __future__ import annotations

import fnmatch
from typing import TYPE_CHECKING, Any

from tmi_deploy.catalog.renames import legacy_rename
from tmi_deploy.catalog.variables import parse_version
from tmi_deploy.config.models import AppDesired, Environment, FromAddon, FromApp, VarSpec
from tmi_deploy.config.secrecy import display, is_secret
from tmi_deploy.kinds.base import PlanContext
from tmi_deploy.plan.blockers import Notes
from tmi_deploy.plan.model import KNOWN_AFTER_APPLY, SENSITIVE, Change
from tmi_deploy.plan.values import Inputs, Resolved, resolve

if TYPE_CHECKING:  # deepdiff costs ~35 ms of imports: a plan pays it, importing the planner does not
    from deepdiff import DeepDiff


def _show(role: str, name: str, value: str | None, spec: VarSpec | None = None, *, live: bool = False) -> str | None:
    """Display text of a value (redact.display): live values are never revealed by the declaration."""
    return display(role, name, value, spec.source if spec is not None else None, live=live)


def _sensitive(role: str, name: str, new: str | None, spec: VarSpec | None = None, old: str | None = None) -> bool:
    source = spec.source if spec is not None else None
    return is_secret(role, name, new, source) or is_secret(role, name, old, source, live=True)


def renamed_to(role: str, name: str, tmi_version: str) -> str | None:
    """The declared-side name a live legacy server var is read under by this version (same setting)."""
    return legacy_rename(name, parse_version(tmi_version)) if role == "server" else None


def config_changes(ctx: PlanContext) -> list[Change]:
    from deepdiff import DeepDiff

    env, app, live_app, live, inputs, notes = ctx.env, ctx.app, ctx.live_app, ctx.live, ctx.inputs, ctx.notes
    owned = live_app.addon_owned_vars()
    resolved: dict[str, Resolved] = {}
    for name, spec in app.config.items():
        if name in owned:
            notes.warn(f"{app.name}: {name} belongs to an add-on attachment; the declaration is ignored")
            continue
        resolved[name] = resolve(spec, app, env, live, inputs)
    desired = {name: found.value if found.value is not None else KNOWN_AFTER_APPLY for name, found in resolved.items()}
    current = {k: v for k, v in live_app.config.items() if k not in owned}
    # threshold 0: always report per key, never "the whole mapping was replaced".
    diff = DeepDiff(current, desired, threshold_to_diff_deeper=0, view="tree")
    creates = [_create(app, app.config[name], resolved[name], inputs, notes)
               for name in _keys(diff, "dictionary_item_added")]
    updates = [_update(app, app.config[name], resolved[name], current[name], inputs, notes)
               for name in _keys(diff, "values_changed")]
    removed = [name for name in _keys(diff, "dictionary_item_removed")
               if not any(fnmatch.fnmatchcase(name, pattern) for pattern in env.policy.tolerate)]
    return _with_renames(env, app, creates, removed, current, notes) + [u for u in updates if u is not None]


def _create(app: AppDesired, spec: VarSpec, found: Resolved, inputs: Inputs, notes: Notes) -> Change:
    after = found.value is None
    if found.impossible:
        notes.error(app.name, f"{spec.name} cannot be set: {found.note}", str(spec.origin))
    return Change(
        role=app.role, app=app.name, kind="config", action="create", key=spec.name,
        new=KNOWN_AFTER_APPLY if after else _show(app.role, spec.name, found.value, spec),
        sensitive=_sensitive(app.role, spec.name, found.value, spec),
        after_apply=after, origin=str(spec.origin), detail=found.note if after else "",
        fingerprint=inputs.fingerprint(found.value) if found.value is not None else "", value=found.value)


def _update(app: AppDesired, spec: VarSpec, found: Resolved, live_value: str, inputs: Inputs,
            notes: Notes) -> Change | None:
    if found.value is None:
        if found.note:
            notes.warn(f"{app.name}: {spec.name}: {found.note}; live value kept, not compared")
        return None
    return Change(
        role=app.role, app=app.name, kind="config", action="update", key=spec.name,
        old=_show(app.role, spec.name, live_value, spec, live=True), new=_show(app.role, spec.name, found.value, spec),
        sensitive=_sensitive(app.role, spec.name, found.value, spec, live_value), origin=str(spec.origin),
        detail="drift" if _derived(spec) else "",
        fingerprint=inputs.fingerprint(found.value), value=found.value)


def _with_renames(env: Environment, app: AppDesired, creates: list[Change], removed: list[str],
                  current: dict[str, str], notes: Notes) -> list[Change]:
    by_key = {change.key: change for change in creates}
    result: list[Change] = []
    for name in removed:
        target = renamed_to(app.role, name, env.tmi_version)
        created = by_key.get(target) if target else None
        sensitive = _sensitive(app.role, name, None, old=current[name])
        if created is not None and env.policy.prune:
            # The old value under the legacy name: hidden if either name or the new declaration says so.
            target_spec = app.config[created.key]
            old = _show(app.role, name, current[name], target_spec, live=True)
            if old != current[name]:
                sensitive = True
            sensitive = sensitive or created.sensitive
            by_key[created.key] = created.model_copy(update={
                "action": "rename", "renamed_from": name, "old": old,
                "new": created.new if old == current[name] or created.after_apply else SENSITIVE, "sensitive": sensitive,
                "detail": f"legacy name {name} removed in the same release"})
        elif env.policy.prune:
            detail = f"legacy name of {target}" if target else "unknown"
            result.append(Change(role=app.role, app=app.name, kind="config", action="delete", key=name,
                                 old=_show(app.role, name, current[name], live=True), sensitive=sensitive,
                                 detail=detail))
        elif target:
            notes.warn(f"{app.name}: {name} is the legacy name of {target}, which this TMI version reads instead "
                       "(left alone; policy.prune would remove it with the rename)")
        else:
            notes.warn(f"{app.name}: {name} is set live but not declared (left alone; policy.prune "
                       "would delete it)")
    return list(by_key.values()) + result


def _derived(spec: Any) -> bool:
    return isinstance(spec.source, FromAddon | FromApp)


def _keys(diff: DeepDiff, report: str) -> list[str]:
    # The tree view gives real keys (no parsing of "root['NAME']", which a quote in a live name would break).
    return sorted(str(level.path(output_format="list")[0]) for level in diff.get(report, ()))
