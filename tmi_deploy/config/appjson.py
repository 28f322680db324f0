"""app.json (the Deploy-button manifest) generated from the base declaration's server app."""

from __future__ import annotations

import json
from typing import Any

from tmi_deploy.config.models import (
    Environment,
)
from tmi_deploy.config.sources import kind_of


def build_app_json(env: Environment) -> dict[str, Any]:
    """The manifest for ``env``'s server app. Derived values cannot be expressed in app.json, so they
    are listed as required inputs with a description of what tmi-deploy would put there."""
    server = env.apps["server"]
    meta = env.app_json
    env_entries: dict[str, dict[str, Any]] = {}
    for name in sorted(server.config):
        source = server.config[name].source
        env_entries[name] = kind_of(source).app_json(source)
    manifest: dict[str, Any] = {
        "name": (meta.name if meta and meta.name else "TMI Server"),
        "description": (meta.description if meta and meta.description else "TMI API server"),
    }
    if meta and meta.repository:
        manifest["repository"] = meta.repository
    if meta and meta.keywords:
        manifest["keywords"] = list(meta.keywords)
    manifest["stack"] = server.stack
    manifest["buildpacks"] = [{"url": bp} for bp in (server.buildpacks or ())]
    manifest["addons"] = [{"plan": a.plan, "as": a.attachment} for a in sorted(
        server.addons.values(), key=lambda a: a.attachment)]
    manifest["formation"] = {ptype: {"quantity": f.quantity, "size": f.size}
                             for ptype, f in sorted(server.formation.items())}
    manifest["env"] = env_entries
    return manifest


def render_app_json(env: Environment) -> str:
    return json.dumps(build_app_json(env), indent=2, sort_keys=False) + "\n"


def diff_app_json(expected: dict[str, Any], actual: Any) -> list[str]:
    """Which top-level sections of an on-disk app.json disagree with the declaration."""
    if not isinstance(actual, dict):
        return ["app.json is not a JSON object"]
    sections = ("addons", "env", "formation", "buildpacks", "stack", "name", "description")
    return [f"'{key}' differs from the declaration" for key in sections if expected.get(key) != actual.get(key)]
