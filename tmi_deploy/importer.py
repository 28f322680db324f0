"""Live apps -> an environment file: literals for plain values, references for secrets (never values),
derived forms where a value matches an add-on or app URL, add-on-owned vars left out."""

from __future__ import annotations

from typing import Any

import yaml

from tmi_deploy.catalog.variables import URL_WITH_CREDENTIALS, is_secret_name
from tmi_deploy.plan.state import Live, LiveApp
from tmi_deploy.plan.values import origin_of, url_part, with_sslmode


def _derivations(app: LiveApp, live: Live) -> list[tuple[str, dict[str, Any]]]:
    """Candidate (value, source) pairs a live var may have been derived from."""
    found: list[tuple[str, dict[str, Any]]] = []
    for addon in app.addons:
        for attachment in addon.attachments:
            url = app.config.get(f"{attachment}_URL")
            if not url:
                continue
            found.append((with_sslmode(url, "require"), {"addon": attachment, "part": "url", "sslmode": "require"}))
            found.append((url, {"addon": attachment, "part": "url"}))
            for part in ("host", "port", "user", "password", "database"):
                value = url_part(url, part)
                if value:
                    found.append((value, {"addon": attachment, "part": part}))
    for role, other in live.apps.items():
        if other.web_url:
            origin = origin_of(other.web_url)
            for suffix in ("", "/oauth2/callback", "/*"):
                source: dict[str, Any] = {"app": role, "part": "origin"}
                if suffix:
                    source["suffix"] = suffix
                found.append((origin + suffix, source))
    return found


def _app_section(app: LiveApp, live: Live) -> dict[str, Any]:
    owned = app.addon_owned_vars()
    derived = _derivations(app, live)
    config: dict[str, Any] = {}
    for name, value in sorted(app.config.items()):
        if name in owned or name.startswith("HEROKU_"):
            continue
        match = next((source for candidate, source in derived if candidate == value), None)
        if match is not None:
            config[name] = match
        elif is_secret_name(app.role, name) or URL_WITH_CREDENTIALS.match(value):
            config[name] = {"secret_env": name}
        else:
            config[name] = value
    section: dict[str, Any] = {"name": app.name, "region": app.region, "stack": app.stack}
    if app.team:
        section["team"] = app.team
    if app.buildpacks:
        section["buildpacks"] = list(app.buildpacks)
    addons = {att: addon.plan for addon in app.addons if addon.owned_here for att in addon.attachments[:1]}
    if addons:
        section["addons"] = addons
    features = {name: True for name, enabled in sorted(app.features.items()) if enabled}
    if features:
        section["features"] = features
    if app.formation:
        section["formation"] = {t: {"quantity": f.quantity, "size": f.size} for t, f in sorted(app.formation.items())}
    if app.collaborators:
        section["collaborators"] = list(app.collaborators)
    section["config"] = config
    return section


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    # Quote text YAML 1.1 would read as something else, so the file round-trips for any reader.
    plain = yaml.safe_load(value) if value and "\n" not in value else value
    style = "" if isinstance(plain, str) and plain == value and value.strip() == value and value else '"'
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style or None)


_Dumper.add_representer(str, _str)


def build_environment_yaml(live: Live, tmi_version: str, description: str) -> str:
    document: dict[str, Any] = {"description": description, "tmi_version": tmi_version,
                                "apps": {role: _app_section(app, live) for role, app in live.apps.items() if app.exists}}
    header = ("# yaml-language-server: $schema=./schema.json\n"
              "# Imported from live apps by `tmi-deploy import`. Secrets are references, never values:\n"
              "# set each {secret_env: NAME} in the deployer's environment, or switch it to {generate: ...}.\n")
    return header + yaml.dump(document, Dumper=_Dumper, sort_keys=False, default_flow_style=False, width=120)
