"""Names TMI builds at run time: a provider's fields, claim maps, secrets asked for by key.

A family is a pattern: ``<ID>`` is a provider TMI discovers from ``<prefix><ID>_ENABLED`` (envutil.
DiscoverProviders), ``<KEY>`` is any suffix TMI scans for (envutil.ScanPrefixedMap), or, in
``TMI_SECRET_<KEY>``, a key TMI asks its secrets provider for. A name belongs to a family only the way
TMI would read it: a provider field only when that provider's ``_ENABLED`` name is set, a secret key only
when some value refers to it (``vault://key``). Source: catalog/data/server-1.8.22.json, families.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

ENABLED = "_ENABLED"


@dataclass(frozen=True)
class Family:
    pattern: str  # OAUTH_PROVIDERS_<ID>_CLIENT_ID, OAUTH_PROVIDERS_<ID>_USERINFO_CLAIMS_<KEY>, TMI_SECRET_<KEY>
    secret: bool = False

    @property
    def prefix(self) -> str:
        """What every member starts with: OAUTH_PROVIDERS_, TMI_SECRET_."""
        return re.split(r"<ID>|<KEY>", self.pattern)[0]

    def member(self, name: str, providers: Iterable[str], keys: Iterable[str]) -> bool:
        """Whether TMI reads ``name`` as this family, given the discovered providers and referenced keys."""
        if "<ID>" in self.pattern:
            return any(self._match(name, self.pattern.replace("<ID>", provider), keys) for provider in providers)
        return self._match(name, self.pattern, keys)

    @staticmethod
    def _match(name: str, pattern: str, keys: Iterable[str]) -> bool:
        if pattern.endswith("<KEY>") and pattern.startswith("TMI_SECRET_"):
            return name in {pattern.replace("<KEY>", key.upper()) for key in keys}
        if pattern.endswith("<KEY>"):
            stem = pattern.removesuffix("<KEY>")
            return name.startswith(stem) and len(name) > len(stem)
        return name == pattern

    def instances(self, providers: Iterable[str]) -> list[str]:
        """The concrete names for each provider (for suggestions); none for open <KEY> families."""
        if "<KEY>" in self.pattern:
            return []
        if "<ID>" not in self.pattern:
            return [self.pattern]
        return [self.pattern.replace("<ID>", provider) for provider in providers]


def _fields(prefix: str, fields: str, secret: str = "") -> tuple[Family, ...]:
    return tuple(Family(f"{prefix}<ID>_{field}", field in secret.split()) for field in fields.split())


OAUTH = _fields("OAUTH_PROVIDERS_", "ENABLED NAME ICON CLIENT_ID CLIENT_SECRET AUTHORIZATION_URL TOKEN_URL ISSUER "
                "JWKS_URL SCOPES USERINFO_URL USERINFO_SECONDARY_URL USERINFO_ADDITIONAL_URL AUTH_HEADER_FORMAT "
                "ACCEPT_HEADER USERINFO_CLAIMS_<KEY> USERINFO_SECONDARY_CLAIMS_<KEY> USERINFO_ADDITIONAL_CLAIMS_<KEY> "
                "ADDITIONAL_PARAMS_<KEY>", secret="CLIENT_SECRET")
# The SP key and certificate are PEM text; TMI's settings registry masks the key and the IdP metadata.
SAML = _fields("SAML_PROVIDERS_", "ENABLED ID NAME ICON ENTITY_ID METADATA_URL METADATA_XML ACS_URL SLO_URL "
               "SP_PRIVATE_KEY SP_PRIVATE_KEY_PATH SP_CERTIFICATE SP_CERTIFICATE_PATH IDP_METADATA_URL "
               "IDP_METADATA_B64XML ALLOW_IDP_INITIATED FORCE_AUTHN SIGN_REQUESTS NAME_ID_ATTRIBUTE EMAIL_ATTRIBUTE "
               "NAME_ATTRIBUTE GIVEN_NAME_ATTRIBUTE FAMILY_NAME_ATTRIBUTE GROUPS_ATTRIBUTE",
               secret="SP_PRIVATE_KEY SP_CERTIFICATE IDP_METADATA_B64XML")
CONTENT_OAUTH = _fields("TMI_CONTENT_OAUTH_PROVIDERS_", "ENABLED CLIENT_ID CLIENT_SECRET AUTH_URL TOKEN_URL "
                        "USERINFO_URL REVOCATION_URL REQUIRED_SCOPES", secret="CLIENT_SECRET")
# internal/secrets/env_provider.go: key k is read from TMI_SECRET_<K>; a vault://k value asks for it.
SECRET_KEYS = (Family("TMI_SECRET_<KEY>", secret=True),)

SERVER_FAMILIES: tuple[Family, ...] = OAUTH + SAML + CONTENT_OAUTH + SECRET_KEYS
PROVIDER_PREFIXES = ("OAUTH_PROVIDERS_", "SAML_PROVIDERS_", "TMI_CONTENT_OAUTH_PROVIDERS_")
VAULT_REF = re.compile(r"^vault://(.+)$")


def providers(prefix: str, names: Iterable[str]) -> list[str]:
    """The provider IDs TMI discovers under ``prefix``: every <prefix><ID>_ENABLED name (DiscoverProviders)."""
    return sorted({name[len(prefix):-len(ENABLED)] for name in names
                   if name.startswith(prefix) and name.endswith(ENABLED) and len(name) > len(prefix) + len(ENABLED)})


def family_of(name: str, names: Iterable[str], values: Iterable[str]) -> Family | None:
    """The family through which TMI reads ``name``, given every name and literal value the app declares."""
    declared = list(names)
    keys = [match.group(1) for value in values if (match := VAULT_REF.match(value))]
    for family in SERVER_FAMILIES:
        if name.startswith(family.prefix) and family.member(name, providers(family.prefix, declared), keys):
            return family
    return None
