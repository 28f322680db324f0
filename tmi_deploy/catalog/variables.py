"""TMI's variables as data: what each server version reads, and what tmi-ux reads.

Sources: docs/tmi-config.md (server at 1.8.22, TMI_-prefixed since 0.277.0) and the
deployment guide's table (the unprefixed names older servers read, alongside TMI_<name>).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

VarType = Literal["string", "int", "float", "bool", "duration", "url", "list", "urls", "enum", "hex32",
                  "path"]

# fe6575f1 (2026-01-27, version 0.277.x): the server reads only TMI_-prefixed struct-tag names.
RENAME_VERSION = (0, 277, 0)


def parse_version(text: str) -> tuple[int, int, int]:
    match = re.match(r"^(\d+)\.(\d+)\.(\d+)", text)
    if not match:
        raise ValueError(f"not a version: {text!r}")
    major, minor, patch = (int(group) for group in match.groups())
    return major, minor, patch


@dataclass(frozen=True)
class Var:
    name: str
    type: VarType
    default: str | None = None
    required: bool = False
    secret: bool = False
    choices: tuple[str, ...] = ()
    operational: bool = False  # DB-backed setting: env wins only over a seeded row
    setting: str = ""  # the setting this name configures; two names for one setting clash
    era: Literal["current", "legacy", "always"] = "current"
    replaced_by: str = ""  # for legacy names: what the current server reads instead
    app: Literal["server", "client"] = "server"

    def read_by(self, version: tuple[int, int, int]) -> bool:
        if self.era == "always":
            return True
        if self.era == "legacy":
            return version < RENAME_VERSION
        return version >= RENAME_VERSION


def _v(name: str, type_: VarType, default: str | None = None, **kw: Any) -> Var:
    return Var(name, type_, default, **kw)


BOOL: VarType = "bool"
CURRENT_SERVER: tuple[Var, ...] = (
    _v("TMI_SERVER_PORT", "string", "8080", setting="server.port"),
    _v("TMI_SERVER_INTERFACE", "string", "0.0.0.0", setting="server.interface"),
    _v("TMI_SERVER_BASE_URL", "url", setting="server.base_url"),
    _v("TMI_SERVER_READ_TIMEOUT", "duration", "5s", setting="server.read_timeout"),
    _v("TMI_SERVER_WRITE_TIMEOUT", "duration", "10s", setting="server.write_timeout"),
    _v("TMI_SERVER_IDLE_TIMEOUT", "duration", "1m0s", setting="server.idle_timeout"),
    _v("TMI_SERVER_TLS_ENABLED", BOOL, "false", setting="server.tls_enabled"),
    _v("TMI_SERVER_TLS_CERT_FILE", "path", setting="server.tls_cert_file"),
    _v("TMI_SERVER_TLS_KEY_FILE", "path", secret=True, setting="server.tls_key_file"),
    _v("TMI_SERVER_TLS_SUBJECT_NAME", "string", setting="server.tls_subject_name"),
    _v("TMI_SERVER_HTTP_TO_HTTPS_REDIRECT", BOOL, "true", setting="server.http_to_https_redirect"),
    _v("TMI_TRUSTED_PROXIES", "list", setting="server.trusted_proxies"),
    _v("TMI_CORS_ALLOWED_ORIGINS", "urls", setting="server.cors_allowed_origins"),
    _v("TMI_DATABASE_URL", "url", required=True, secret=True, setting="database.url"),
    _v("TMI_ORACLE_WALLET_LOCATION", "path", setting="database.oracle_wallet"),
    _v("TMI_DB_MAX_OPEN_CONNS", "int", "10", setting="database.max_open_conns"),
    _v("TMI_DB_MAX_IDLE_CONNS", "int", "2", setting="database.max_idle_conns"),
    _v("TMI_DB_CONN_MAX_LIFETIME", "int", "240", setting="database.conn_max_lifetime"),
    _v("TMI_DB_CONN_MAX_IDLE_TIME", "int", "30", setting="database.conn_max_idle_time"),
    _v("TMI_REDIS_URL", "url", secret=True, setting="redis.url"),
    _v("TMI_REDIS_HOST", "string", "localhost", setting="redis.host"),
    _v("TMI_REDIS_PORT", "string", "6379", setting="redis.port"),
    _v("TMI_REDIS_PASSWORD", "string", secret=True, setting="redis.password"),
    _v("TMI_REDIS_DB", "int", "0", setting="redis.db"),
    _v("TMI_BUILD_MODE", "enum", required=True, choices=("dev", "test", "production"), setting="auth.build_mode"),
    _v("TMI_JWT_SECRET", "string", required=True, secret=True, setting="auth.jwt.secret"),
    _v("TMI_JWT_SIGNING_METHOD", "enum", "HS256", choices=("HS256", "RS256", "ES256"),
       setting="auth.jwt.signing_method"),
    _v("TMI_JWT_EXPIRATION_SECONDS", "int", "3600", operational=True, setting="auth.jwt.expiration"),
    _v("TMI_REFRESH_TOKEN_DAYS", "int", "7", operational=True, setting="auth.refresh_token_days"),
    _v("TMI_SESSION_LIFETIME_DAYS", "int", "7", operational=True, setting="auth.session_lifetime_days"),
    _v("TMI_AUTH_STEP_UP_WINDOW_SECONDS", "int", "300", operational=True, setting="auth.step_up_window"),
    _v("TMI_AUTH_AUTO_PROMOTE_FIRST_USER", BOOL, "false", operational=True, setting="auth.auto_promote"),
    _v("TMI_AUTH_EVERYONE_IS_A_REVIEWER", BOOL, "false", operational=True, setting="auth.everyone_reviewer"),
    _v("TMI_OAUTH_CALLBACK_URL", "url", "http://localhost:8080/oauth2/callback", operational=True,
       setting="auth.oauth_callback_url"),
    _v("TMI_OAUTH_CLIENT_CALLBACK_ALLOWLIST", "list", operational=True, setting="auth.oauth.client_callback_allowlist"),
    _v("TMI_COOKIE_ENABLED", BOOL, "true", operational=True, setting="auth.cookie.enabled"),
    _v("TMI_COOKIE_DOMAIN", "string", operational=True, setting="auth.cookie.domain"),
    _v("TMI_COOKIE_SECURE", BOOL, "false", operational=True, setting="auth.cookie.secure"),
    _v("TMI_SAML_ENABLED", BOOL, "false", operational=True, setting="features.saml_enabled"),
    _v("TMI_ADMIN_PROVIDER", "string", setting="admin.provider"),
    _v("TMI_ADMIN_PROVIDER_ID", "string", setting="admin.provider_id"),
    _v("TMI_ADMIN_EMAIL", "string", setting="admin.email"),
    _v("TMI_ADMIN_GROUP_NAME", "string", setting="admin.group_name"),
    _v("TMI_ADMIN_SUBJECT_TYPE", "enum", "user", choices=("user", "group"), setting="admin.subject_type"),
    _v("TMI_LOG_LEVEL", "enum", "info", choices=("debug", "info", "warn", "warning", "error"), setting="logging.level"),
    _v("TMI_LOG_IS_DEV", BOOL, "true", setting="logging.is_dev"),
    _v("TMI_LOG_IS_TEST", BOOL, "false", setting="logging.is_test"),
    _v("TMI_LOG_DIR", "path", "logs", setting="logging.log_dir"),
    _v("TMI_LOG_ALSO_LOG_TO_CONSOLE", BOOL, "true", setting="logging.also_log_to_console"),
    _v("TMI_LOG_MAX_AGE_DAYS", "int", "7", setting="logging.max_age_days"),
    _v("TMI_LOG_MAX_SIZE_MB", "int", "100", setting="logging.max_size_mb"),
    _v("TMI_LOG_MAX_BACKUPS", "int", "10", setting="logging.max_backups"),
    _v("TMI_LOG_CLOUD_ERROR_THRESHOLD", "int", "5", setting="logging.cloud_error_threshold"),
    _v("TMI_LOG_API_REQUESTS", BOOL, "false", setting="logging.log_api_requests"),
    _v("TMI_LOG_API_RESPONSES", BOOL, "false", setting="logging.log_api_responses"),
    _v("TMI_LOG_WEBSOCKET_MESSAGES", BOOL, "false", setting="logging.log_websocket_messages"),
    _v("TMI_LOG_REDACT_AUTH_TOKENS", BOOL, "false", setting="logging.redact_auth_tokens"),
    _v("TMI_LOG_SUPPRESS_UNAUTH_LOGS", BOOL, "true", setting="logging.suppress_unauth_logs"),
    _v("TMI_SECRETS_PROVIDER", "enum", "env", choices=("env", "aws", "oci"), setting="secrets.provider"),
    _v("TMI_SECRET_SETTINGS_ENCRYPTION_KEY", "hex32", secret=True, setting="secrets.settings_key"),
    _v("TMI_SECRET_SETTINGS_ENCRYPTION_PREVIOUS_KEY", "hex32", secret=True, setting="secrets.settings_prev_key"),
    _v("TMI_SECRET_SETTINGS_ENCRYPTION_CONTEXT_ID", "int", "1", setting="secrets.settings_context_id"),
    _v("TMI_CONTENT_TOKEN_ENCRYPTION_KEY", "hex32", secret=True, setting="content.token_key"),
    _v("TMI_ALERTING_ENABLED", BOOL, "false", setting="alerting.enabled"),
    _v("TMI_ALERTING_WEBHOOK_URL", "url", setting="alerting.webhook_url"),
    _v("TMI_ALERTING_WEBHOOK_SECRET", "string", secret=True, setting="alerting.webhook_secret"),
    _v("TMI_OPERATOR_NAME", "string", operational=True, setting="operator.name"),
    _v("TMI_OPERATOR_CONTACT", "string", operational=True, setting="operator.contact"),
    _v("TMI_OPERATOR_JURISDICTION", "string", operational=True, setting="operator.jurisdiction"),
    _v("TMI_WEBSOCKET_INACTIVITY_TIMEOUT_SECONDS", "int", "300", operational=True,
       setting="websocket.inactivity_timeout"),
    _v("TMI_WEBHOOK_ALLOW_HTTP_TARGETS", BOOL, "false", operational=True, setting="webhooks.allow_http"),
    _v("TMI_DISABLE_RATE_LIMITING", BOOL, "false", operational=True, setting="ratelimit.disabled"),
    _v("TMI_RATELIMIT_PUBLIC_RPM", "int", "0", operational=True, setting="ratelimit.public_rpm"),
    _v("TMI_REQUIRE_IF_MATCH", BOOL, "false", operational=True, setting="api.require_if_match"),
    _v("TMI_OTEL_ENABLED", BOOL, "false", operational=True, setting="otel.enabled"),
    _v("TMI_OTEL_SAMPLING_RATE", "float", "1.0", operational=True, setting="otel.sampling_rate"),
    _v("TMI_OTEL_PROMETHEUS_PORT", "int", "0", operational=True, setting="otel.prometheus_port"),
    # Read unprefixed at every version.
    _v("WEBSOCKET_ALLOWED_ORIGINS", "urls", era="always", setting="websocket.allowed_origins"),
    _v("AUDIT_RETENTION_DAYS", "int", "365", era="always", setting="audit.retention_days"),
    _v("VERSION_RETENTION_DAYS", "int", "90", era="always", setting="audit.version_retention_days"),
    _v("TOMBSTONE_RETENTION_DAYS", "int", "30", era="always", setting="audit.tombstone_retention_days"),
    _v("SYSTEM_AUDIT_RETENTION_DAYS", "int", "365", era="always", setting="audit.system_retention_days"),
    _v("LOG_LEVEL", "string", era="always", setting="recovery.log_level"),
    _v("GO_INSTALL_PACKAGE_SPEC", "string", era="always", setting="build.package_spec"),
    _v("GOVERSION", "string", era="always", setting="build.go_version"),
    _v("GO_INSTALL_FLAGS", "string", era="always", setting="build.go_install_flags"),
)

# The guide's table: what servers before the rename read (name and TMI_<name>).
_LEGACY: tuple[tuple[str, VarType, str | None, bool, bool, str, str], ...] = (
    # name, type, default, required, secret, setting, replaced by
    ("POSTGRES_HOST", "string", None, True, False, "database.host", "TMI_DATABASE_URL"),
    ("POSTGRES_PORT", "int", "5432", False, False, "database.port", "TMI_DATABASE_URL"),
    ("POSTGRES_USER", "string", None, True, False, "database.user", "TMI_DATABASE_URL"),
    ("POSTGRES_PASSWORD", "string", None, True, True, "database.password", "TMI_DATABASE_URL"),
    ("POSTGRES_DATABASE", "string", None, True, False, "database.name", "TMI_DATABASE_URL"),
    ("POSTGRES_SSL_MODE", "string", "require", False, False, "database.sslmode", "TMI_DATABASE_URL"),
    ("REDIS_HOST", "string", None, True, False, "redis.host", "TMI_REDIS_HOST"),
    ("REDIS_PORT", "int", "6379", False, False, "redis.port", "TMI_REDIS_PORT"),
    ("REDIS_PASSWORD", "string", None, False, True, "redis.password", "TMI_REDIS_PASSWORD"),
    ("REDIS_DB", "int", "0", False, False, "redis.db", "TMI_REDIS_DB"),
    ("JWT_SECRET", "string", None, True, True, "auth.jwt.secret", "TMI_JWT_SECRET"),
    ("JWT_EXPIRATION_SECONDS", "int", "3600", False, False, "auth.jwt.expiration", "TMI_JWT_EXPIRATION_SECONDS"),
    ("JWT_SIGNING_METHOD", "enum", "HS256", False, False, "auth.jwt.signing_method", "TMI_JWT_SIGNING_METHOD"),
    ("OAUTH_CALLBACK_URL", "url", None, False, False, "auth.oauth_callback_url", "TMI_OAUTH_CALLBACK_URL"),
    ("SERVER_PORT", "string", "8080", False, False, "server.port", "TMI_SERVER_PORT"),
    ("SERVER_INTERFACE", "string", "0.0.0.0", False, False, "server.interface", "TMI_SERVER_INTERFACE"),
    ("SERVER_READ_TIMEOUT", "duration", "5s", False, False, "server.read_timeout", "TMI_SERVER_READ_TIMEOUT"),
    ("SERVER_WRITE_TIMEOUT", "duration", "10s", False, False, "server.write_timeout", "TMI_SERVER_WRITE_TIMEOUT"),
    ("SERVER_IDLE_TIMEOUT", "duration", "60s", False, False, "server.idle_timeout", "TMI_SERVER_IDLE_TIMEOUT"),
    ("SERVER_TLS_ENABLED", "bool", "false", False, False, "server.tls_enabled", "TMI_SERVER_TLS_ENABLED"),
    ("SERVER_TLS_CERT_FILE", "path", None, False, False, "server.tls_cert_file", "TMI_SERVER_TLS_CERT_FILE"),
    ("SERVER_TLS_KEY_FILE", "path", None, False, True, "server.tls_key_file", "TMI_SERVER_TLS_KEY_FILE"),
    ("SERVER_TLS_SUBJECT_NAME", "string", None, False, False, "server.tls_subject_name",
     "TMI_SERVER_TLS_SUBJECT_NAME"),
    ("SERVER_HTTP_TO_HTTPS_REDIRECT", "bool", "true", False, False, "server.http_to_https_redirect",
     "TMI_SERVER_HTTP_TO_HTTPS_REDIRECT"),
    ("LOGGING_LEVEL", "enum", "info", False, False, "logging.level", "TMI_LOG_LEVEL"),
    ("LOGGING_IS_DEV", "bool", "false", False, False, "logging.is_dev", "TMI_LOG_IS_DEV"),
    ("LOGGING_IS_TEST", "bool", "false", False, False, "logging.is_test", "TMI_LOG_IS_TEST"),
    ("LOGGING_LOG_DIR", "path", "logs", False, False, "logging.log_dir", "TMI_LOG_DIR"),
    ("LOGGING_MAX_AGE_DAYS", "int", "7", False, False, "logging.max_age_days", "TMI_LOG_MAX_AGE_DAYS"),
    ("LOGGING_MAX_SIZE_MB", "int", "100", False, False, "logging.max_size_mb", "TMI_LOG_MAX_SIZE_MB"),
    ("LOGGING_MAX_BACKUPS", "int", "10", False, False, "logging.max_backups", "TMI_LOG_MAX_BACKUPS"),
    ("LOGGING_ALSO_LOG_TO_CONSOLE", "bool", "true", False, False, "logging.also_log_to_console",
     "TMI_LOG_ALSO_LOG_TO_CONSOLE"),
    ("LOGGING_LOG_API_REQUESTS", "bool", "false", False, False, "logging.log_api_requests", "TMI_LOG_API_REQUESTS"),
    ("LOGGING_LOG_API_RESPONSES", "bool", "false", False, False, "logging.log_api_responses",
     "TMI_LOG_API_RESPONSES"),
    ("LOGGING_LOG_WEBSOCKET_MESSAGES", "bool", "false", False, False, "logging.log_websocket_messages",
     "TMI_LOG_WEBSOCKET_MESSAGES"),
    ("LOGGING_REDACT_AUTH_TOKENS", "bool", "true", False, False, "logging.redact_auth_tokens",
     "TMI_LOG_REDACT_AUTH_TOKENS"),
    ("LOGGING_SUPPRESS_UNAUTH_LOGS", "bool", "true", False, False, "logging.suppress_unauth_logs",
     "TMI_LOG_SUPPRESS_UNAUTH_LOGS"),
    ("WEBSOCKET_INACTIVITY_TIMEOUT_SECONDS", "int", "300", False, False, "websocket.inactivity_timeout",
     "TMI_WEBSOCKET_INACTIVITY_TIMEOUT_SECONDS"),
)

_LEGACY_CHOICES = {"LOGGING_LEVEL": ("debug", "info", "warn", "error"),
                   "JWT_SIGNING_METHOD": ("HS256", "RS256", "ES256")}


def _legacy_vars() -> tuple[Var, ...]:
    result: list[Var] = []
    for name, type_, default, required, secret, setting, replaced_by in _LEGACY:
        for spelled in (name, f"TMI_{name}"):
            if spelled == replaced_by:
                continue
            result.append(Var(spelled, type_, default, required and spelled == name, secret,
                              _LEGACY_CHOICES.get(name, ()), False, setting, "legacy", replaced_by))
    # Dead since the rename: the script wrote it, the server never read it.
    result.append(Var("TMI_WEBSOCKET_ALLOWED_ORIGINS", "urls", era="legacy",
                      setting="websocket.allowed_origins", replaced_by="WEBSOCKET_ALLOWED_ORIGINS"))
    return tuple(result)


LEGACY_SERVER = _legacy_vars()

_CLIENT_VARS: tuple[tuple[str, VarType, tuple[str, ...]], ...] = (
        ("TMI_API_URL", "url", ()),
        ("TMI_LOG_LEVEL", "enum", ("DEBUG", "INFO", "WARN", "ERROR", "debug", "info", "warn", "error")),
        ("TMI_OPERATOR_NAME", "string", ()),
        ("TMI_OPERATOR_CONTACT", "string", ()),
        ("TMI_OPERATOR_JURISDICTION", "string", ()),
        ("TMI_AUTH_TOKEN_EXPIRY_MINUTES", "int", ()),
        ("TMI_DEFAULT_AUTH_PROVIDER", "string", ()),
        ("TMI_DEFAULT_THREAT_MODEL_FRAMEWORK", "string", ()),
        ("TMI_ENABLE_CONFIDENTIAL_THREAT_MODELS", "bool", ()),
        ("TMI_SUPPRESS_ABOUT_LINK", "bool", ()),
        ("TMI_SUPPRESS_PRIVACY_TOS_LINKS", "bool", ()),
        ("TMI_ENABLED_CONTENT_PROVIDERS", "list", ()),
        ("TMI_SECURITY_ENABLE_HSTS", "bool", ()),
        ("TMI_SECURITY_HSTS_MAX_AGE", "int", ()),
        ("TMI_SECURITY_FRAME_OPTIONS", "string", ()),
        ("TMI_SECURITY_REFERRER_POLICY", "string", ()),
        ("TMI_SECURITY_PERMISSIONS_POLICY", "string", ()),
        ("TMI_ENABLE_API_PROXY", "bool", ()),
        ("TMI_PROXY_TARGET", "url", ()),
)
CLIENT: tuple[Var, ...] = tuple(
    Var(name, type_, app="client", era="always", setting=f"client.{name.lower()}", choices=choices)
    for name, type_, choices in _CLIENT_VARS
)

# Families scanned from the environment: OAUTH_PROVIDERS_<ID>_<FIELD> and friends.
OAUTH_FIELDS = ("ENABLED", "NAME", "ICON", "CLIENT_ID", "CLIENT_SECRET", "AUTHORIZATION_URL", "TOKEN_URL",
                "ISSUER", "JWKS_URL", "SCOPES", "USERINFO_URL", "USERINFO_SECONDARY_URL",
                "USERINFO_ADDITIONAL_URL", "AUTH_HEADER_FORMAT", "ACCEPT_HEADER")
OAUTH_RE = re.compile(r"^OAUTH_PROVIDERS_([A-Z0-9_]+?)_(" + "|".join(OAUTH_FIELDS) +
                      r"|(?:USERINFO_(?:SECONDARY_|ADDITIONAL_)?CLAIMS|ADDITIONAL_PARAMS)_[A-Z0-9_]+)$")
FAMILY_PREFIXES = ("OAUTH_PROVIDERS_", "SAML_PROVIDERS_", "TMI_CONTENT_OAUTH_PROVIDERS_", "TMI_TIMMY_",
                   "TMI_CONTENT_", "TMI_SSRF_", "TMI_NATS_", "TMI_EXTRACTION_", "TMI_SECRET_",
                   "TMI_VAULT_", "TMI_AWS_", "TMI_AZURE_", "TMI_GCP_", "TMI_OCI_", "TMI_CLOUD_LOG_")

# Names the catalogue does not know: secret when they say so (SMTP_PASS, STRIPE_API_KEY, ...), except
# identifiers and endpoints whose value is public by nature (OAUTH_PROVIDERS_X_TOKEN_URL, *_CLIENT_ID).
# docs/secrets.md has the reasoning; tmi_deploy/config/secrecy.py combines this with declarations and content.
SECRET_NAME = re.compile(r"SECRET|PASS|PWD|TOKEN|KEY|PRIVATE|CERTIFICATE|CREDENTIAL|SALT|SIGNATURE", re.IGNORECASE)
PUBLIC_NAME_SUFFIXES = ("_CLIENT_ID", "_KEY_ID", "_URL", "_URI", "_ENDPOINT", "_ISSUER", "_SCOPES", "_ENABLED",
                        "_HEADER_FORMAT", "_ACCEPT_HEADER", "_ICON", "_NAME")
# Fields TMI classifies secret in its provider families (OAUTH_, SAML_, TMI_CONTENT_OAUTH_PROVIDERS_).
FAMILY_SECRET_SUFFIXES = ("_CLIENT_SECRET", "_SP_PRIVATE_KEY", "_SP_CERTIFICATE", "_IDP_METADATA_B64XML")

_SERVER_BY_NAME: dict[str, list[Var]] = {}
for _var in CURRENT_SERVER + LEGACY_SERVER:
    _SERVER_BY_NAME.setdefault(_var.name, []).append(_var)
_CLIENT_BY_NAME = {var.name: var for var in CLIENT}


def server_var(name: str) -> Var | None:
    found = _SERVER_BY_NAME.get(name)
    return found[0] if found else None


def client_var(name: str) -> Var | None:
    return _CLIENT_BY_NAME.get(name)


def lookup(role: str, name: str) -> Var | None:
    return client_var(name) if role == "client" else server_var(name)


def is_secret_name(role: str, name: str) -> bool:
    """What the catalogue (or, for unknown names, the name) says; redact.is_secret is the full answer."""
    var = lookup(role, name)
    if var is not None:
        return var.secret
    upper = name.upper()
    if upper.endswith(FAMILY_SECRET_SUFFIXES):
        return True
    if upper.endswith(PUBLIC_NAME_SUFFIXES):
        return False
    return bool(SECRET_NAME.search(name))
