"""Rules about how TMI is wired to Heroku: router port and TLS, cookies, Postgres SSL, Redis, origins."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

from tmi_deploy.catalog.checks import GO_TRUE, literal, origins, shown
from tmi_deploy.catalog.redis import PLAIN_ATTACHMENT, PLAIN_SERVICE, REDIS_SETTINGS, TLS_ONLY_SERVICES, redis_tls
from tmi_deploy.catalog.rule import Version, finding, server
from tmi_deploy.catalog.variables import RENAME_VERSION, server_var
from tmi_deploy.config.models import AppDesired, Environment, FromAddon, FromApp, VarSpec
from tmi_deploy.errors import Problem

CALLBACKS = "TMI_OAUTH_CLIENT_CALLBACK_ALLOWLIST"
ORIGIN_LISTS = ("TMI_CORS_ALLOWED_ORIGINS", "WEBSOCKET_ALLOWED_ORIGINS", CALLBACKS)


def rule_router(env: Environment, version: Version) -> Iterator[Problem]:
    app = server(env)
    if app is None:
        return
    for spec in app.config.values():
        value = literal(spec)
        if spec.name == "TMI_SERVER_PORT":
            yield finding(spec, app, "PORT", f"{spec.name} overrides Heroku's $PORT; the dyno would bind "
                          "the wrong port (H10/R10)", f"remove {spec.name}; TMI falls back to $PORT")
        elif spec.name == "SERVER_PORT" and version < RENAME_VERSION:
            yield finding(spec, app, "PORT", "SERVER_PORT as a config var is pointless: the Procfile sets "
                          "SERVER_PORT=$PORT", "remove SERVER_PORT", "warning")
        if spec.name in ("TMI_SERVER_TLS_ENABLED", "SERVER_TLS_ENABLED") and value in GO_TRUE:
            yield finding(spec, app, "TLS", "TLS enabled, but Heroku's router terminates TLS; the dyno "
                          "must speak plain HTTP on $PORT", f"set {spec.name}: false")
        if spec.name == "TMI_COOKIE_DOMAIN" and value and value.lstrip(".").endswith("herokuapp.com"):
            yield finding(spec, app, "COOKIE", "herokuapp.com is a public suffix; browsers drop that cookie",
                          "leave TMI_COOKIE_DOMAIN unset (host-only cookie)")


def rule_postgres_ssl(env: Environment, version: Version) -> Iterator[Problem]:
    app = server(env)
    if app is None:
        return
    spec = app.config.get("TMI_DATABASE_URL")
    source = spec.source if spec is not None else None
    if isinstance(source, FromAddon) and source.part == "url" and source.sslmode != "require":
        yield finding(spec, app, "SSLMODE", "TMI_DATABASE_URL without sslmode=require: TMI connects "
                      "with sslmode=disable", "add sslmode: require to the add-on reference")
    value = literal(spec)
    if value is not None and value.split(":", 1)[0].startswith("postgres") and _sslmode(value) != "require":
        yield finding(spec, app, "SSLMODE", "Postgres URL without sslmode=require: TMI connects with "
                      "sslmode=disable", "append ?sslmode=require")
    legacy = app.config.get("POSTGRES_SSL_MODE")
    if legacy is not None and literal(legacy) not in (None, "require"):
        yield finding(legacy, app, "SSLMODE", "Heroku Postgres needs POSTGRES_SSL_MODE=require",
                      "set POSTGRES_SSL_MODE: require")


def _sslmode(url: str) -> str:
    try:
        return parse_qs(urlsplit(url).query).get("sslmode", [""])[0]
    except ValueError:
        return ""


def rule_redis_tls(env: Environment, version: Version) -> Iterator[Problem]:
    """TLS-only Redis for a TMI whose client has no TLS: the ping fails and the server exits at startup."""
    app = server(env)
    support = redis_tls(version)
    if app is None or support == "tls":
        return
    severity = "error" if support == "none" else "warning"
    known = "has no TLS" if support == "none" else f"had no TLS up to 1.8.22; {env.tmi_version} is unchecked"
    for spec in _redis_specs(app):
        why = _tls_only(app, spec)
        if why:
            yield finding(spec, app, "REDIS-TLS", f"{spec.name} {why}; TMI's Redis client {known}, so the "
                          "server exits with 'Failed to initialize Redis'", f"use a Redis that takes plain "
                          f"connections: addons: {{{PLAIN_ATTACHMENT}: {PLAIN_SERVICE}:30}} and "
                          f"{spec.name}: {{addon: {PLAIN_ATTACHMENT}, part: {_part(spec)}}}", severity)
            return  # one finding per app: every Redis setting points at the same server


def _redis_specs(app: AppDesired) -> Iterator[VarSpec]:
    for spec in app.config.values():
        var = server_var(spec.name)
        if var is not None and var.setting in REDIS_SETTINGS:
            yield spec


def _tls_only(app: AppDesired, spec: VarSpec) -> str:
    source = spec.source
    if isinstance(source, FromAddon):
        addon = app.addons.get(source.addon)
        if addon is not None and addon.service in TLS_ONLY_SERVICES:
            return f"comes from {addon.service} (Heroku Key-Value Store), which requires TLS"
    value = literal(spec)
    if value is not None and value.lower().startswith("rediss://"):
        return "is a rediss:// URL (TLS required)"
    return ""


def _part(spec: VarSpec) -> str:
    return spec.source.part if isinstance(spec.source, FromAddon) else "url"


def rule_origins(env: Environment, version: Version) -> Iterator[Problem]:
    app = server(env)
    if app is None:
        return
    for name in ORIGIN_LISTS:
        spec = app.config.get(name)
        value = literal(spec)
        if spec is None or value is None:
            continue
        for origin in origins(value):
            yield from _origin_problem(app, spec, origin)


def _origin_problem(app: AppDesired, spec: VarSpec, origin: str) -> Iterator[Problem]:
    name = spec.name
    bare = origin[:-1] if name == CALLBACKS and origin.endswith("*") else origin
    quoted = shown(origin, spec.sensitive)
    if origin == "*":
        yield finding(spec, app, "ORIGIN", f"{name} contains '*', which TMI rejects",
                      "list each client origin, e.g. https://tmi.example.com")
    elif "://" not in bare:
        yield finding(spec, app, "ORIGIN", f"{name} entry '{quoted}' has no scheme", f"write https://{quoted}")
    elif name != CALLBACKS and origin.endswith("/"):
        yield finding(spec, app, "ORIGIN", f"{name} entry '{quoted}' ends with a slash; origins never do, so "
                      "it never matches", f"write {shown(origin.rstrip('/'), spec.sensitive)}")


def rule_cross_app(env: Environment, version: Version) -> Iterator[Problem]:
    server_app, client = env.apps.get("server"), env.apps.get("client")
    if server_app is None or client is None:
        return
    checks = [("TMI_CORS_ALLOWED_ORIGINS", ""), ("WEBSOCKET_ALLOWED_ORIGINS", "")]
    if version >= RENAME_VERSION:
        checks.append((CALLBACKS, "/*"))
    for name, suffix in checks:
        spec = server_app.config.get(name)
        if spec is None and version < RENAME_VERSION and name == "TMI_CORS_ALLOWED_ORIGINS":
            continue
        if spec is not None and _covers_client(spec, client, suffix):
            continue
        want = "{app: client, part: origin" + (f", suffix: {suffix}" if suffix else "") + "}"
        yield finding(spec, server_app, "CROSS-APP", f"the client's origin is missing from the server's {name}; "
                      "browsers will be refused", f"declare {name}: {want}")
    api = client.config.get("TMI_API_URL")
    if not _is_server_origin(api, server_app):
        yield finding(api, client, "CROSS-APP", "the client's TMI_API_URL is not the server's public origin; "
                      "tmi-ux would call https://api.tmi.dev", "declare TMI_API_URL: {app: server, part: origin}")


def _is_server_origin(api: VarSpec | None, server_app: AppDesired) -> bool:
    if api is None:
        return False
    if isinstance(api.source, FromApp):
        return api.source.app == "server" and api.source.part == "origin" and not api.source.suffix
    return literal(api) is not None and server_app.url is not None and literal(api) == server_app.url


def _covers_client(spec: VarSpec, client: AppDesired, suffix: str) -> bool:
    source = spec.source
    if isinstance(source, FromApp):
        return source.app == "client" and source.part == "origin" and source.suffix == suffix
    value = literal(spec)
    return value is not None and client.url is not None and client.url + suffix in origins(value)
