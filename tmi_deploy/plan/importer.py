"""Live apps -> an environment file meant to be committed. Pure: no I/O.

A live value is written as a literal only when it is provably public (redact.py says it is not secret,
and either the catalogue knows the name or the value is a boolean, a number, a duration or a URL
without credentials). Everything else becomes a reference ({secret_env: NAME}, or {generate: ...} for
TMI's random keys), derived forms replace values that match an add-on or app URL, and add-on-owned
vars are left out. The YAML comes from PyYAML's safe dumper, so any value round-trips.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

import yaml

from tmi_deploy.catalog.variables import lookup
from tmi_deploy.config.secrecy import is_secret, is_url
from tmi_deploy.kinds import REGISTRY
from tmi_deploy.plan.escape import UNSAFE
from tmi_deploy.plan.state import Live, LiveApp
from tmi_deploy.plan.urls import origin_of, url_part, with_sslmode

VAR_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# Shapes that carry too little information to be a credential, for names the catalogue does not know.
_LOW_INFORMATION = re.compile(
    r"|true|false|yes|no|on|off|-?\d{1,12}(\.\d{1,6})?|(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+", re.IGNORECASE)
# TMI's random keys: written as {generate: ...}, which keeps the live value and never needs the secret.
_GENERATED_BASE64 = frozenset({"TMI_JWT_SECRET", "JWT_SECRET"})


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


def _encodable(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates from a JSON answer cannot be written to a file
        return False
    return True


def provably_public(role: str, name: str, value: str) -> bool:
    """A value that may be committed: not secret by any rule, and public by the catalogue or by shape."""
    if not _encodable(value) or is_secret(role, name, value, live=True):
        return False
    if lookup(role, name) is not None:
        return True
    return bool(_LOW_INFORMATION.fullmatch(value)) or is_url(value)


def _generated(role: str, name: str, value: str) -> dict[str, Any] | None:
    var = lookup(role, name)
    if var is not None and var.type == "hex32" and re.fullmatch(r"[0-9a-fA-F]{64}", value):
        return {"generate": "hex", "bytes": 32}
    if name in _GENERATED_BASE64:
        try:
            size = len(base64.b64decode(value, validate=True))
        except (binascii.Error, ValueError):
            return None
        if 16 <= size <= 128 and base64.b64encode(base64.b64decode(value)).decode() == value:
            return {"generate": "base64", "bytes": size}
    return None


def _config_entry(role: str, name: str, value: str, derived: list[tuple[str, dict[str, Any]]]) -> Any:
    match = next((source for candidate, source in derived if candidate == value), None)
    if match is not None:
        return match
    if provably_public(role, name, value):
        return value
    return _generated(role, name, value) or {"secret_env": name}


def _config_section(app: LiveApp, live: Live, skipped: list[str]) -> dict[str, Any]:
    owned = app.addon_owned_vars()
    derived = _derivations(app, live)
    config: dict[str, Any] = {}
    for name, value in sorted(app.config.items()):
        if name in owned or name.startswith("HEROKU_"):
            continue
        if not VAR_NAME.fullmatch(name):
            skipped.append(name)
            continue
        config[name] = _config_entry(app.role, name, value, derived)
    return config


def _app_section(app: LiveApp, live: Live, skipped: list[str]) -> dict[str, Any]:
    section: dict[str, Any] = {}
    for kind in REGISTRY:  # each kind writes its own part; config vars need every app (derived values)
        section.update(kind.export(app))
    section["config"] = _config_section(app, live, skipped)
    return section


class _Dumper(yaml.SafeDumper):
    """PyYAML's safe dumper, but text with control characters or Unicode line breaks (NEL, U+2028) is
    always double-quoted, where they are escaped: unquoted, a reader would fold them into spaces."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = '"' if UNSAFE.search(value) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def build_environment_yaml(live: Live, tmi_version: str, description: str) -> str:
    skipped: list[str] = []
    document: dict[str, Any] = {
        "description": description, "tmi_version": tmi_version,
        "apps": {role: _app_section(app, live, skipped) for role, app in live.apps.items() if app.exists}}
    header = ("# yaml-language-server: $schema=./schema.json\n"
              "# Imported from live apps by `tmi-deploy import`. Secrets, and values not provably public, are\n"
              "# references: set each {secret_env: NAME} in the deployer's environment (or make it a literal\n"
              "# after checking it is not a secret); {generate: ...} keeps the live key.\n")
    # ascii() keeps a hostile name on one comment line; names are not secret, values never appear here.
    header += "".join(f"# skipped: config var name {name!a} is not a valid name\n" for name in skipped)
    return header + yaml.dump(document, Dumper=_Dumper, sort_keys=False, default_flow_style=False, allow_unicode=True,
                              width=120)
