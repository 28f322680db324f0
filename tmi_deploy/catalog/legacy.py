"""What servers before the rename (0.277.0) read: the guide's table, each name and its TMI_<name> spelling.

Extraction at 0.276.9 (catalog/data/server-0.276.9.json) finds the unprefixed names read there; the
TMI_<name> spellings were read by auth.LoadConfig, which cmd/server no longer called at 0.276.9 (see
docs/tmi-config.md): the catalogue keeps them for older versions, unproven.
"""

from __future__ import annotations

from tmi_deploy.catalog.var import Var, VarType

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
