"""Rules about TMI's own settings: types, required names, names a version reads, dev mode, JWT, OAuth."""

from __future__ import annotations

from collections.abc import Iterator

from tmi_deploy.catalog.checks import GO_TRUE, check_type, literal
from tmi_deploy.catalog.rule import Version, finding, server
from tmi_deploy.catalog.variables import (
    CURRENT_SERVER,
    LEGACY_SERVER,
    OAUTH_RE,
    RENAME_VERSION,
    Var,
    lookup,
    server_var,
)
from tmi_deploy.config.models import AppDesired, Environment, Generate, VarSpec
from tmi_deploy.errors import Problem

# One setting, two spellings: TMI reads the first and silently ignores the others (docs/tmi-config.md).
OVERRIDDEN_BY = {"TMI_REDIS_URL": ("TMI_REDIS_HOST", "TMI_REDIS_PORT")}


def rule_types(env: Environment, version: Version) -> Iterator[Problem]:
    for app in env.apps.values():
        for spec in app.config.values():
            var = lookup(app.role, spec.name)
            value = literal(spec)
            if var is None or value is None:
                continue
            why = check_type(var, value, spec.sensitive)
            if why:
                yield finding(spec, app, "TYPE", f"{spec.name}: {why}", f"use a valid {var.type} value")


def rule_secret_literal(env: Environment, version: Version) -> Iterator[Problem]:
    for app in env.apps.values():
        for spec in app.config.values():
            if spec.sensitive and isinstance(spec.source, str):
                yield finding(spec, app, "SECRET-LITERAL", f"{spec.name} is a secret written in clear text",
                              "use {secret_env: NAME}, {secret_file: PATH} or {generate: hex}", "warning")


def rule_required(env: Environment, version: Version) -> Iterator[Problem]:
    app = server(env)
    if app is None:
        return
    for var in CURRENT_SERVER + LEGACY_SERVER:
        if var.required and var.read_by(version) and not _declared_setting(app, var, version):
            yield finding(None, app, "REQUIRED", f"required variable {var.name} is missing "
                          f"(TMI {env.tmi_version} refuses to start without it)",
                          f"declare {var.name} under apps.server.config")
    if version >= RENAME_VERSION and not {"TMI_REDIS_URL", "TMI_REDIS_HOST"} & set(app.config):
        yield finding(None, app, "REQUIRED", "Redis is not configured (TMI_REDIS_URL or TMI_REDIS_HOST)",
                      "declare TMI_REDIS_URL: {addon: REDISCLOUD, part: url}")


def _declared_setting(app: AppDesired, var: Var, version: Version) -> bool:
    for name in app.config:
        other = server_var(name)
        if name == var.name or (other is not None and other.setting == var.setting and other.read_by(version)):
            return True
    return False


def rule_version(env: Environment, version: Version) -> Iterator[Problem]:
    app = server(env)
    if app is None:
        return
    by_setting: dict[str, list[VarSpec]] = {}
    for spec in app.config.values():
        var = server_var(spec.name)
        if var is None:
            continue
        if not var.read_by(version):
            replacement = var.replaced_by if var.era in ("legacy", "unread") else _legacy_name(var.name)
            yield finding(spec, app, "NOT-READ", f"{spec.name} is not read by TMI {env.tmi_version}",
                          f"rename it to {replacement}" if replacement else "remove it", "warning")
            continue
        by_setting.setdefault(var.setting, []).append(spec)
    for setting, specs in by_setting.items():
        if len(specs) > 1:
            names = " and ".join(s.name for s in specs)
            yield finding(specs[1], app, "DUPLICATE", f"{names} both set '{setting}'", f"keep one of {names}")
    yield from _overridden(app)


def _overridden(app: AppDesired) -> Iterator[Problem]:
    for winner, losers in OVERRIDDEN_BY.items():
        if winner not in app.config:
            continue
        for loser in (name for name in losers if name in app.config):
            yield finding(app.config[loser], app, "DUPLICATE", f"{winner} and {loser} both say where the Redis "
                          f"server is; TMI uses {winner} and ignores {loser}", f"remove {loser}")


def _legacy_name(name: str) -> str:
    return next((var.name for var in LEGACY_SERVER if var.replaced_by == name), "")


def rule_dev_mode(env: Environment, version: Version) -> Iterator[Problem]:
    app = server(env)
    if app is None:
        return
    if version < RENAME_VERSION:
        for name in ("LOGGING_IS_DEV", "TMI_LOGGING_IS_DEV"):
            spec = app.config.get(name)
            if literal(spec) in GO_TRUE:
                yield finding(spec, app, "DEV-MODE", "development mode on in a deployed environment",
                              f"set {name}: false")
        return
    spec = app.config.get("TMI_LOG_IS_DEV")
    if spec is None:
        yield finding(None, app, "DEV-MODE", "TMI_LOG_IS_DEV is unset and defaults to true: development "
                      "mode (CORS reflects any origin) in a deployed environment", "declare TMI_LOG_IS_DEV: false")
    elif literal(spec) in GO_TRUE:
        yield finding(spec, app, "DEV-MODE", "development mode on in a deployed environment",
                      "set TMI_LOG_IS_DEV: false")
    build = app.config.get("TMI_BUILD_MODE")
    if literal(build) in ("dev", "test"):
        yield finding(build, app, "DEV-MODE", f"TMI_BUILD_MODE={literal(build)} in a deployed environment",
                      "set TMI_BUILD_MODE: production")


def rule_jwt(env: Environment, version: Version) -> Iterator[Problem]:
    app = server(env)
    if app is None:
        return
    for name in ("TMI_JWT_SECRET", "JWT_SECRET"):
        spec = app.config.get(name)
        if spec is None:
            continue
        value = literal(spec)
        if isinstance(spec.source, Generate) and spec.source.bytes < 32:
            yield finding(spec, app, "JWT", f"{name} is generated from {spec.source.bytes} bytes; "
                          "HS256 wants at least 32", "use bytes: 32 or more")
        elif value is not None and len(value.encode()) < 32:
            yield finding(spec, app, "JWT", f"{name} is shorter than 32 bytes", "use {generate: base64, bytes: 32}")


def rule_oauth(env: Environment, version: Version) -> Iterator[Problem]:
    app = server(env)
    if app is None:
        return
    providers: dict[str, set[str]] = {}
    for name in app.config:
        match = OAUTH_RE.match(name)
        if match:
            providers.setdefault(match.group(1), set()).add(match.group(2))
    for provider, fields in sorted(providers.items()):
        enabled = app.config.get(f"OAUTH_PROVIDERS_{provider}_ENABLED")
        if enabled is None or literal(enabled) != "true":
            continue
        missing = _missing_oauth_fields(provider, fields, version)
        if missing:
            yield finding(enabled, app, "OAUTH", f"OAuth provider {provider.lower()} is enabled but incomplete; "
                          "TMI refuses to start", "declare " + ", ".join(missing))


def _missing_oauth_fields(provider: str, fields: set[str], version: Version) -> list[str]:
    needed = ["CLIENT_ID", "CLIENT_SECRET"]
    if version >= RENAME_VERSION:
        needed += ["AUTHORIZATION_URL", "TOKEN_URL", "USERINFO_URL"]
    missing = [f"OAUTH_PROVIDERS_{provider}_{field}" for field in needed if field not in fields]
    if version >= RENAME_VERSION and not {"ISSUER", "USERINFO_CLAIMS_SUBJECT_CLAIM"} & fields:
        missing.append(f"OAUTH_PROVIDERS_{provider}_USERINFO_CLAIMS_SUBJECT_CLAIM (or _ISSUER)")
    return missing
