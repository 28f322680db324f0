"""Lint rules over a loaded Environment: offline, pure, each finding with file:line and a fix."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from urllib.parse import parse_qs, urlsplit

from tmi_deploy.catalog.variables import (
    CURRENT_SERVER,
    LEGACY_SERVER,
    OAUTH_RE,
    Var,
    lookup,
    parse_version,
    server_var,
)
from tmi_deploy.config.models import AppDesired, Environment, FromAddon, FromApp, Generate, LiteralValue, VarSpec
from tmi_deploy.errors import Problem

GO_BOOL = {"1", "t", "T", "TRUE", "true", "True", "0", "f", "F", "FALSE", "false", "False"}
GO_TRUE = {"1", "t", "T", "TRUE", "true", "True"}
GO_DURATION = re.compile(r"^[-+]?((\d+(\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h))+$|^0$")
HEX64 = re.compile(r"^[0-9a-fA-F]{64}$")
INT = re.compile(r"^[-+]?\d+$")
FLOAT = re.compile(r"^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$")
# One setting, two spellings: the first wins and the others are silently ignored (CONFIG.md §3.4).
OVERRIDDEN_BY = {"TMI_REDIS_URL": ("TMI_REDIS_HOST", "TMI_REDIS_PORT")}


def setting_group(name: str) -> str:
    return "the Redis server" if "REDIS" in name else name


ORIGIN_LISTS = ("TMI_CORS_ALLOWED_ORIGINS", "WEBSOCKET_ALLOWED_ORIGINS", "TMI_OAUTH_CLIENT_CALLBACK_ALLOWLIST")


def literal(spec: VarSpec) -> str | None:
    if isinstance(spec.source, str):
        return spec.source
    if isinstance(spec.source, LiteralValue):
        return spec.source.value
    return None


def _finding(spec: VarSpec | None, app: AppDesired, code: str, message: str, hint: str,
             severity: str = "error") -> Problem:
    origin = spec.origin if spec is not None else app.origin
    path = f"apps.{app.role}.config.{spec.name}" if spec is not None else f"apps.{app.role}"
    return Problem(origin.file, origin.line, origin.column, path, message, hint, severity, code)


def check_type(var: Var, value: str) -> str | None:
    """Why ``value`` is not a valid ``var`` for TMI's parser, or None when it is."""
    if value == "":
        return None  # TMI treats empty as unset
    kind = var.type
    if kind == "bool" and value not in GO_BOOL:
        return f"'{value}' is not a boolean TMI accepts (true/false/1/0/t/f)"
    if kind == "int" and not INT.match(value):
        return f"'{value}' is not an integer"
    if kind == "float" and not FLOAT.match(value):
        return f"'{value}' is not a number"
    if kind == "duration" and not GO_DURATION.match(value):
        return f"'{value}' is not a Go duration (e.g. 5s, 1m30s)"
    if kind == "enum" and value not in var.choices:
        return f"'{value}' is not one of {', '.join(var.choices)}"
    if kind == "url":
        parts = urlsplit(value)
        if not parts.scheme or not parts.netloc:
            return f"'{value if not var.secret else '(sensitive)'}' is not an absolute URL"
    if kind == "hex32" and not HEX64.match(value):
        return "must be exactly 64 hex characters (32 bytes)"
    return None


def lint(env: Environment) -> list[Problem]:
    version = parse_version(env.tmi_version)
    findings: list[Problem] = []
    for rule in RULES:
        findings.extend(rule(env, version))
    return sorted(findings, key=lambda p: (p.file, p.line, p.column, p.code))


Rule = Callable[[Environment, tuple[int, int, int]], Iterator[Problem]]


def _server(env: Environment) -> AppDesired | None:
    return env.apps.get("server")


def rule_types(env: Environment, version: tuple[int, int, int]) -> Iterator[Problem]:
    for app in env.apps.values():
        for spec in app.config.values():
            var = lookup(app.role, spec.name)
            value = literal(spec)
            if var is None or value is None:
                continue
            why = check_type(var, value)
            if why:
                yield _finding(spec, app, "TYPE", f"{spec.name}: {why}", f"use a valid {var.type} value")
            if spec.sensitive and isinstance(spec.source, str):
                yield _finding(spec, app, "SECRET-LITERAL", f"{spec.name} is a secret written in clear text",
                               "use {secret_env: NAME}, {secret_file: PATH} or {generate: hex}", "warning")


def rule_required(env: Environment, version: tuple[int, int, int]) -> Iterator[Problem]:
    app = _server(env)
    if app is None:
        return
    for var in CURRENT_SERVER + LEGACY_SERVER:
        if var.required and var.read_by(version) and not _declared_setting(app, var, version):
            yield _finding(None, app, "REQUIRED", f"required variable {var.name} is missing "
                           f"(TMI {env.tmi_version} refuses to start without it)",
                           f"declare {var.name} under apps.server.config")
    if version >= (0, 277, 0) and not {"TMI_REDIS_URL", "TMI_REDIS_HOST"} & set(app.config):
        yield _finding(None, app, "REQUIRED", "Redis is not configured (TMI_REDIS_URL or TMI_REDIS_HOST)",
                       "declare TMI_REDIS_URL: {addon: REDIS, part: url}")


def _declared_setting(app: AppDesired, var: Var, version: tuple[int, int, int]) -> bool:
    for name in app.config:
        other = server_var(name)
        if name == var.name or (other is not None and other.setting == var.setting and other.read_by(version)):
            return True
    return False


def rule_version(env: Environment, version: tuple[int, int, int]) -> Iterator[Problem]:
    app = _server(env)
    if app is None:
        return
    by_setting: dict[str, list[VarSpec]] = {}
    for spec in app.config.values():
        var = server_var(spec.name)
        if var is None:
            continue
        if not var.read_by(version):
            replacement = var.replaced_by if var.era == "legacy" else _legacy_name(var.name)
            hint = f"rename it to {replacement}" if replacement else "remove it"
            yield _finding(spec, app, "NOT-READ", f"{spec.name} is not read by TMI {env.tmi_version}",
                           hint, "warning")
            continue
        by_setting.setdefault(var.setting, []).append(spec)
    for setting, specs in by_setting.items():
        if len(specs) > 1:
            names = " and ".join(s.name for s in specs)
            yield _finding(specs[1], app, "DUPLICATE", f"{names} both set '{setting}'",
                           f"keep one of {names}")
    for winner, losers in OVERRIDDEN_BY.items():
        if winner in app.config:
            for loser in losers:
                if loser in app.config:
                    yield _finding(app.config[loser], app, "DUPLICATE", f"{winner} and {loser} both say where "
                                   f"{setting_group(winner)} is; TMI uses {winner} and ignores {loser}",
                                   f"remove {loser}")


def _legacy_name(name: str) -> str:
    for var in LEGACY_SERVER:
        if var.replaced_by == name:
            return var.name
    return ""


def rule_heroku(env: Environment, version: tuple[int, int, int]) -> Iterator[Problem]:
    app = _server(env)
    if app is None:
        return
    for spec in app.config.values():
        value = literal(spec)
        if spec.name == "TMI_SERVER_PORT":
            yield _finding(spec, app, "PORT", f"{spec.name} overrides Heroku's $PORT; the dyno would bind "
                           "the wrong port (H10/R10)", f"remove {spec.name}; TMI falls back to $PORT")
        elif spec.name == "SERVER_PORT" and version < (0, 277, 0):
            yield _finding(spec, app, "PORT", "SERVER_PORT as a config var is pointless: the Procfile sets "
                           "SERVER_PORT=$PORT", "remove SERVER_PORT", "warning")
        if spec.name in ("TMI_SERVER_TLS_ENABLED", "SERVER_TLS_ENABLED") and value in GO_TRUE:
            yield _finding(spec, app, "TLS", "TLS enabled, but Heroku's router terminates TLS; the dyno "
                           "must speak plain HTTP on $PORT", f"set {spec.name}: false")
        if spec.name == "TMI_COOKIE_DOMAIN" and value and value.lstrip(".").endswith("herokuapp.com"):
            yield _finding(spec, app, "COOKIE", "herokuapp.com is a public suffix; browsers drop that cookie",
                           "leave TMI_COOKIE_DOMAIN unset (host-only cookie)")


def rule_postgres_ssl(env: Environment, version: tuple[int, int, int]) -> Iterator[Problem]:
    app = _server(env)
    if app is None:
        return
    spec = app.config.get("TMI_DATABASE_URL")
    if spec is not None:
        if isinstance(spec.source, FromAddon) and spec.source.part == "url" and spec.source.sslmode != "require":
            yield _finding(spec, app, "SSLMODE", "TMI_DATABASE_URL without sslmode=require: TMI connects "
                           "with sslmode=disable", "add sslmode: require to the add-on reference")
        value = literal(spec)
        if value is not None and "postgres" in value.split(":", 1)[0]:
            mode = parse_qs(urlsplit(value).query).get("sslmode", [""])[0]
            if mode != "require":
                yield _finding(spec, app, "SSLMODE", "Postgres URL without sslmode=require",
                               "append ?sslmode=require")
    legacy = app.config.get("POSTGRES_SSL_MODE")
    if legacy is not None and literal(legacy) not in (None, "require"):
        yield _finding(legacy, app, "SSLMODE", "Heroku Postgres needs POSTGRES_SSL_MODE=require",
                       "set POSTGRES_SSL_MODE: require")


def _origins(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


def rule_origins(env: Environment, version: tuple[int, int, int]) -> Iterator[Problem]:
    app = _server(env)
    if app is None:
        return
    for name in ORIGIN_LISTS:
        spec = app.config.get(name)
        value = literal(spec) if spec is not None else None
        if spec is None or value is None:
            continue
        for origin in _origins(value):
            bare = origin[:-1] if name == "TMI_OAUTH_CLIENT_CALLBACK_ALLOWLIST" and origin.endswith("*") else origin
            if origin == "*":
                yield _finding(spec, app, "ORIGIN", f"{name} contains '*', which TMI rejects",
                               "list each client origin, e.g. https://tmi.example.com")
            elif "://" not in bare:
                yield _finding(spec, app, "ORIGIN", f"{name} entry '{origin}' has no scheme",
                               f"write https://{origin}")
            elif name != "TMI_OAUTH_CLIENT_CALLBACK_ALLOWLIST" and origin.endswith("/"):
                yield _finding(spec, app, "ORIGIN", f"{name} entry '{origin}' ends with a slash; origins "
                               "never do, so it never matches", f"write {origin.rstrip('/')}")


def rule_dev_mode(env: Environment, version: tuple[int, int, int]) -> Iterator[Problem]:
    app = _server(env)
    if app is None:
        return
    if version >= (0, 277, 0):
        spec = app.config.get("TMI_LOG_IS_DEV")
        value = literal(spec) if spec is not None else None
        if spec is None:
            yield _finding(None, app, "DEV-MODE", "TMI_LOG_IS_DEV is unset and defaults to true: development "
                           "mode (CORS reflects any origin) in a deployed environment",
                           "declare TMI_LOG_IS_DEV: false")
        elif value in GO_TRUE:
            yield _finding(spec, app, "DEV-MODE", "development mode on in a deployed environment",
                           "set TMI_LOG_IS_DEV: false")
        build = app.config.get("TMI_BUILD_MODE")
        if build is not None and literal(build) in ("dev", "test"):
            yield _finding(build, app, "DEV-MODE", f"TMI_BUILD_MODE={literal(build)} in a deployed environment",
                           "set TMI_BUILD_MODE: production")
    else:
        for name in ("LOGGING_IS_DEV", "TMI_LOGGING_IS_DEV"):
            spec = app.config.get(name)
            if spec is not None and literal(spec) in GO_TRUE:
                yield _finding(spec, app, "DEV-MODE", "development mode on in a deployed environment",
                               f"set {name}: false")


def rule_jwt(env: Environment, version: tuple[int, int, int]) -> Iterator[Problem]:
    app = _server(env)
    if app is None:
        return
    for name in ("TMI_JWT_SECRET", "JWT_SECRET"):
        spec = app.config.get(name)
        if spec is None:
            continue
        value = literal(spec)
        if isinstance(spec.source, Generate) and spec.source.bytes < 32:
            yield _finding(spec, app, "JWT", f"{name} is generated from {spec.source.bytes} bytes; "
                           "HS256 wants at least 32", "use bytes: 32 or more")
        elif value is not None and len(value.encode()) < 32:
            yield _finding(spec, app, "JWT", f"{name} is shorter than 32 bytes",
                           "use {generate: base64, bytes: 32}")


def rule_oauth(env: Environment, version: tuple[int, int, int]) -> Iterator[Problem]:
    app = _server(env)
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
        needed = ["CLIENT_ID", "CLIENT_SECRET"]
        if version >= (0, 277, 0):
            needed += ["AUTHORIZATION_URL", "TOKEN_URL", "USERINFO_URL"]
        missing = [f"OAUTH_PROVIDERS_{provider}_{field}" for field in needed if field not in fields]
        if version >= (0, 277, 0) and "ISSUER" not in fields and "USERINFO_CLAIMS_SUBJECT_CLAIM" not in fields:
            missing.append(f"OAUTH_PROVIDERS_{provider}_USERINFO_CLAIMS_SUBJECT_CLAIM (or _ISSUER)")
        if missing:
            yield _finding(enabled, app, "OAUTH", f"OAuth provider {provider.lower()} is enabled but incomplete; "
                           "TMI refuses to start", "declare " + ", ".join(missing))


def rule_cross_app(env: Environment, version: tuple[int, int, int]) -> Iterator[Problem]:
    server, client = env.apps.get("server"), env.apps.get("client")
    if server is None or client is None:
        return
    checks = [("TMI_CORS_ALLOWED_ORIGINS", ""), ("WEBSOCKET_ALLOWED_ORIGINS", "")]
    if version >= (0, 277, 0):
        checks.append(("TMI_OAUTH_CLIENT_CALLBACK_ALLOWLIST", "/*"))
    for name, suffix in checks:
        spec = server.config.get(name)
        if spec is None and version < (0, 277, 0) and name == "TMI_CORS_ALLOWED_ORIGINS":
            continue
        if spec is not None and _covers_client(spec, client, suffix):
            continue
        want = "{app: client, part: origin" + (f", suffix: {suffix}" if suffix else "") + "}"
        yield _finding(spec, server, "CROSS-APP", f"the client's origin is missing from the server's {name}; "
                       "browsers will be refused", f"declare {name}: {want}")
    api = client.config.get("TMI_API_URL")
    ok = api is not None and (
        (isinstance(api.source, FromApp) and api.source.app == "server" and api.source.part == "origin"
         and not api.source.suffix)
        or (literal(api) is not None and server.url is not None and literal(api) == server.url))
    if not ok:
        yield _finding(api, client, "CROSS-APP", "the client's TMI_API_URL is not the server's public origin; "
                       "tmi-ux would call https://api.tmi.dev", "declare TMI_API_URL: {app: server, part: origin}")


def _covers_client(spec: VarSpec, client: AppDesired, suffix: str) -> bool:
    source = spec.source
    if isinstance(source, FromApp):
        return source.app == "client" and source.part == "origin" and source.suffix == suffix
    value = literal(spec)
    return value is not None and client.url is not None and client.url + suffix in _origins(value)


def rule_redis_tls(env: Environment, version: tuple[int, int, int]) -> Iterator[Problem]:
    """Heroku Key-Value Store requires TLS on every plan since December 2024; TMI's Redis client builds a
    plain connection and drops the rediss:// intent (CONFIG.md §0.4), so the server may not start."""
    app = _server(env)
    if app is None:
        return
    redis = {name for name, addon in app.addons.items() if addon.service == "heroku-redis"}
    for spec in app.config.values():
        if isinstance(spec.source, FromAddon) and spec.source.addon in redis:
            yield _finding(spec, app, "REDIS-TLS", f"{spec.name} points TMI at Heroku Key-Value Store, which requires "
                           "TLS; TMI's Redis client has none and may fail with 'Failed to initialize Redis'",
                           "check on a live app, or use a Redis add-on that accepts plain connections", "warning")
            return


RULES: tuple[Rule, ...] = (rule_types, rule_required, rule_version, rule_heroku, rule_postgres_ssl,
                           rule_origins, rule_dev_mode, rule_jwt, rule_oauth, rule_cross_app, rule_redis_tls)
