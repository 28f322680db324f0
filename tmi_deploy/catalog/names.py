"""Is a config name one the app reads, and if not, which known name was meant? Pure over names and values."""

from __future__ import annotations

import difflib
import fnmatch
import re
from collections.abc import Iterable

from tmi_deploy.catalog.families import PROVIDER_PREFIXES, SERVER_FAMILIES, family_of, providers
from tmi_deploy.catalog.rule import Version
from tmi_deploy.catalog.variables import CLIENT, CURRENT_SERVER, LEGACY_SERVER, lookup

# internal/config/secret_reference.go: a value env://NAME makes TMI read NAME.
ENV_REF = re.compile(r"^env://([A-Za-z_][A-Za-z0-9_]*)$")
SIMILAR = 0.85  # difflib ratio: TMI_LOG_LEVL/TMI_LOG_LEVEL is 0.96, TMI_LOG_DIR/TMI_LOG_IS_DEV 0.69


def explained(role: str, name: str, names: list[str], values: list[str], allowed: Iterable[str]) -> bool:
    """Known to the catalogue (any era: NOT-READ judges the era), read through a family or a reference, or
    declared on purpose (a tolerate glob, a buildpack setting, an add-on's own var)."""
    if lookup(role, name) is not None or any(fnmatch.fnmatchcase(name, glob) for glob in allowed):
        return True
    if role != "server":
        return False
    return family_of(name, names, values) is not None or any(
        (match := ENV_REF.match(value)) is not None and match.group(1) == name for value in values)


def _guessed_providers(name: str) -> dict[str, list[str]]:
    """Provider IDs ``name`` could carry under each prefix: every split at an underscore."""
    guesses: dict[str, list[str]] = {}
    for prefix in PROVIDER_PREFIXES:
        if name.startswith(prefix):
            rest = name[len(prefix):]
            guesses[prefix] = [rest[:i] for i, char in enumerate(rest) if char == "_" and i > 0]
    return guesses


def candidates(role: str, version: Version, name: str, names: list[str]) -> set[str]:
    """Every name the app could have meant: what the version reads, and family names for its providers."""
    pool = CLIENT if role == "client" else CURRENT_SERVER + LEGACY_SERVER
    known = {var.name for var in pool if var.read_by(version)}
    if role == "server":
        guesses = _guessed_providers(name)
        for family in SERVER_FAMILIES:
            # The declared providers when there are any: a guess would offer GITHUB_CLIENT's ICON for a typo.
            found = providers(family.prefix, names) or guesses.get(family.prefix, [])
            known.update(family.instances(found))
    return known


def undiscovered_provider(name: str, names: list[str]) -> str | None:
    """The _ENABLED name TMI needs before it reads ``name``, when ``name`` is a provider field of a provider
    nothing declares enabled (OAUTH_PROVIDERS_GITHUB_CLIENT_ID without OAUTH_PROVIDERS_GITHUB_ENABLED)."""
    for prefix, ids in _guessed_providers(name).items():
        for family in SERVER_FAMILIES:
            if family.prefix == prefix and "<KEY>" not in family.pattern:
                hit = next((pid for pid in ids if family.pattern.replace("<ID>", pid) == name), None)
                if hit is not None and hit not in providers(prefix, names):
                    return f"{prefix}{hit}_ENABLED"
    return None


def closest(name: str, known: set[str]) -> list[str]:
    """Up to two known names like ``name``, compared ignoring case: the environment is case-sensitive, so
    tmi_log_level is unknown, and TMI_LOG_LEVEL is what was meant."""
    by_upper = {other.upper(): other for other in sorted(known - {name})}
    return [by_upper[match] for match in difflib.get_close_matches(name.upper(), list(by_upper), n=2, cutoff=SIMILAR)]
