"""Safety rules over a plan (pure): what needs explicit consent, and whether a saved plan is stale."""

from __future__ import annotations

from typing import Any

from tmi_deploy.config.models import Environment
from tmi_deploy.plan.model import Plan


def blocked(plan: Plan, envs: dict[str, Environment], allow_destroy: set[str]) -> list[str]:
    """Reasons the plan may not be applied as is. Empty means go."""
    reasons = []
    for env_plan in plan.environments:
        policy = envs[env_plan.environment].policy
        for change in env_plan.changes:
            if not change.destructive:
                continue
            protected = change.kind == "addon" and change.key in policy.protected_addons
            if protected:
                reasons.append(f"{change.app}: add-on {change.key} is protected by policy; {change.action} "
                               f"({change.detail or change.old}) is never done by tmi-deploy")
            elif change.key not in allow_destroy:
                reasons.append(f"{change.app}: {change.kind} {change.key} would be "
                               f"{'destroyed' if change.action == 'delete' else change.detail or 'replaced'}; "
                               f"re-run with --allow-destroy {change.key} to consent")
        for app in env_plan.apps:
            deletes = [c for c in env_plan.changes if c.role == app.role and c.kind == "config" and c.action == "delete"]
            if app.live_config_vars and len(deletes) / app.live_config_vars > policy.max_delete_share \
                    and app.name not in allow_destroy:
                reasons.append(f"{app.name}: deletes {len(deletes)} of {app.live_config_vars} config vars "
                               f"(more than {policy.max_delete_share:.0%}); re-run with --allow-destroy {app.name}")
    return reasons


def stale_reasons(saved: dict[str, Any], fresh: Plan) -> list[str]:
    """Why a reviewed plan file no longer describes what apply would do. Empty means identical."""
    if saved.get("format_version") != fresh.format_version:
        return [f"plan file format {saved.get('format_version')} is not {fresh.format_version}"]
    if saved.get("checksum") == fresh.checksum():
        return []
    # Compare change by change (the saved file may hold other environments too).
    old = {_ident(c): c for env in saved.get("environments", []) for c in _tag(env)}
    new = {_ident(c): c for env in fresh.model_dump(mode="json")["environments"] for c in _tag(env)}
    reasons = []
    for key in sorted(old.keys() - new.keys()):
        reasons.append(f"no longer planned: {_human(old[key])}")
    for key in sorted(new.keys() - old.keys()):
        reasons.append(f"newly planned: {_human(new[key])}")
    for key in sorted(old.keys() & new.keys()):
        if _comparable(old[key]) != _comparable(new[key]):
            reasons.append(f"changed since review: {_human(new[key])} (live state, declaration or secret source)")
    return reasons


def _tag(env: dict[str, Any]) -> list[dict[str, Any]]:
    return [{**c, "environment": env["environment"]} for c in env.get("changes", [])]


def _ident(change: dict[str, Any]) -> tuple[str, str, str, str, str]:
    return change["environment"], change["app"], change["kind"], change["key"], change["action"]


def _comparable(change: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in change.items() if k != "origin"}


def _human(change: dict[str, Any]) -> str:
    return f"{change['environment']}/{change['app']}: {change['action']} {change['kind']} {change['key']}"
