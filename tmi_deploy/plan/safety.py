"""Whether a reviewed plan file still describes what apply would do (pure)."""

from __future__ import annotations

from typing import Any

from tmi_deploy.plan.model import Plan


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
