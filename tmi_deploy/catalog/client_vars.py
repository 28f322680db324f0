"""What tmi-ux's server.js reads (catalog/data/client-1.13.2.json, ericfitz/tmi-ux at 50a4f000)."""

from __future__ import annotations

from tmi_deploy.catalog.var import Var, VarType

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
        ("PORT", "string", ()),  # set by Heroku
)
CLIENT: tuple[Var, ...] = tuple(
    Var(name, type_, app="client", era="always", setting=f"client.{name.lower()}", choices=choices)
    for name, type_, choices in _CLIENT_VARS
)
