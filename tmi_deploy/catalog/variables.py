"""TMI's variables as data: what each server version reads, and what tmi-ux reads.

The names live in server_core, server_features, legacy and client_vars; run-time families in families.
catalog/data/*.json holds what tools/extract_tmi_names.py found in TMI's source, and
tests/test_catalog_coverage.py keeps the two in agreement (docs/tmi-config.md).
"""

from __future__ import annotations

import re

from tmi_deploy.catalog.client_vars import CLIENT
from tmi_deploy.catalog.legacy import LEGACY_SERVER
from tmi_deploy.catalog.server_core import CORE_SERVER
from tmi_deploy.catalog.server_features import FEATURES_SERVER
from tmi_deploy.catalog.var import RENAME_VERSION, Var, VarType, parse_version

__all__ = ["CLIENT", "CURRENT_SERVER", "LEGACY_SERVER", "RENAME_VERSION", "Var", "VarType", "client_var",
           "is_secret_name", "lookup", "parse_version", "server_var"]

CURRENT_SERVER: tuple[Var, ...] = CORE_SERVER + FEATURES_SERVER

# Families scanned from the environment: OAUTH_PROVIDERS_<ID>_<FIELD> and friends.
OAUTH_FIELDS = ("ENABLED", "NAME", "ICON", "CLIENT_ID", "CLIENT_SECRET", "AUTHORIZATION_URL", "TOKEN_URL",
                "ISSUER", "JWKS_URL", "SCOPES", "USERINFO_URL", "USERINFO_SECONDARY_URL",
                "USERINFO_ADDITIONAL_URL", "AUTH_HEADER_FORMAT", "ACCEPT_HEADER")
OAUTH_RE = re.compile(r"^OAUTH_PROVIDERS_([A-Z0-9_]+?)_(" + "|".join(OAUTH_FIELDS) +
                      r"|(?:USERINFO_(?:SECONDARY_|ADDITIONAL_)?CLAIMS|ADDITIONAL_PARAMS)_[A-Z0-9_]+)$")

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
