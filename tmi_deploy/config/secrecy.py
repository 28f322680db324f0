"""THE secret classifier: whether a config value may be shown, and how to show it. Pure.

A value is secret when ANY of these says so (docs/secrets.md explains each choice):

- its declaration: ``secret_env``, ``secret_file``, ``prompt``, ``generate``, ``{value: ..., sensitive: true}``
  and the add-on parts ``url``, ``user`` and ``password``;
- the catalogue entry of its name (TMI's variables, per role), or, for names the catalogue does not
  know, the name itself (``SMTP_PASS``, ``SOME_API_KEY``; URL endpoints like ``*_TOKEN_URL`` are public);
- its content: a URL carrying credentials or key-like parts, or text that looks like a key.

``{value: ..., sensitive: false}`` only overrules the guess made from an unknown name, and only for the
declared literal (already readable in the file): it never reveals a live value, a catalogue secret or
content that looks secret. Loader, planner, renderers and import all ask this module.
"""

from __future__ import annotations

import re

from tmi_deploy.catalog.variables import is_secret_name, lookup
from tmi_deploy.config.models import LiteralValue, Source
from tmi_deploy.config.sources import kind_of

MASK = "••••"
HIDDEN = "(sensitive)"  # equal to plan.model.SENSITIVE; defined here so config/ need not import plan/

_URL = re.compile(r"^([a-z][a-z0-9+.-]*://)([^/?#]*)(.*)$", re.IGNORECASE | re.DOTALL)
_KNOWN_TOKEN = re.compile(
    r"-----BEGIN [A-Z ]*(PRIVATE KEY|CERTIFICATE)|^(sk|rk|pk)_(live|test)_|^gh[pousr]_[A-Za-z0-9]{20,}|"
    r"^github_pat_|^xox[abpre]-|^AKIA[0-9A-Z]{16}$|^AIza[0-9A-Za-z_-]{30,}|^glpat-|^eyJ[\w-]+\.[\w-]+\.")
# Long runs of base64/hex/url-safe characters mixing letters and digits (keys, tokens), with at least
# one unbroken stretch of 16+ between dashes or underscores: names like postgresql-sinuous-48598 have
# none. UUIDs (Heroku API keys are UUIDs) are keys too.
_TOKEN_CHARS = re.compile(r"[A-Za-z0-9+/=_-]{24,}")
_LONG_STRETCH = re.compile(r"[A-Za-z0-9+/=]{16,}")
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def looks_like_key(text: str) -> bool:
    """Content that reads as a credential even under a harmless name."""
    if _KNOWN_TOKEN.search(text) or _UUID.fullmatch(text):
        return True
    if not _TOKEN_CHARS.fullmatch(text):
        return False
    return any(any(c.isdigit() for c in run) and any(c.isalpha() for c in run) for run in _LONG_STRETCH.findall(text))


def mask_url(text: str) -> str:
    """The URL with its credentials replaced by MASK, every other part kept exactly (for review)."""
    match = _URL.match(text)
    if match is None:
        return text
    scheme, authority, rest = match.groups()
    if "@" in authority:
        userinfo, host = authority.rsplit("@", 1)
        user, colon, _password = userinfo.partition(":")
        authority = f"{user}:{MASK}@{host}" if colon else f"{MASK}@{host}"
    path, hash_mark, fragment = rest.partition("#")
    path, question, query = path.partition("?")
    path = "/".join(MASK if looks_like_key(segment) else segment for segment in path.split("/"))
    query = "&".join(_mask_query_item(item) for item in query.split("&")) if question else ""
    if hash_mark and looks_like_key(fragment):
        fragment = MASK
    return f"{scheme}{authority}{path}{question}{query}{hash_mark}{fragment}"


def _mask_query_item(item: str) -> str:
    key, equals, value = item.partition("=")
    if equals and (is_secret_name("", key.upper()) or looks_like_key(value)):
        return f"{key}={MASK}"
    return item


def is_url(text: str) -> bool:
    return _URL.match(text) is not None


def content_is_secret(value: str | None) -> bool:
    if value is None:
        return False
    if is_url(value):
        return mask_url(value) != value
    return looks_like_key(value)


def declared_secret(source: Source | None) -> bool:
    return source is not None and kind_of(source).declared_secret(source)


def name_is_secret(role: str, name: str, source: Source | None = None) -> bool:
    """Catalogue first; for unknown names the name pattern, unless the literal says ``sensitive: false``."""
    if lookup(role, name) is None and isinstance(source, LiteralValue) and source.sensitive is False:
        return False
    return is_secret_name(role, name)


def _whole_value_secret(role: str, name: str, source: Source | None, live: bool) -> bool:
    # A live value was not written by this declaration: a `sensitive: false` must not reveal it.
    trusted = source if not live or not isinstance(source, LiteralValue) else None
    return declared_secret(source) or name_is_secret(role, name, trusted)


def is_secret(role: str, name: str, value: str | None, source: Source | None = None, *, live: bool = False) -> bool:
    """Whether ``value`` of ``name`` on the ``role`` app may not be shown as is.

    ``live=True`` for a value read from Heroku (the old side of a change, an undeclared var): then the
    declaration can only add secrecy, never remove it.
    """
    return _whole_value_secret(role, name, source, live) or content_is_secret(value)


def display(role: str, name: str, value: str | None, source: Source | None = None, *, live: bool = False) -> str | None:
    """What a reader may see of ``value``: itself, the URL with credentials masked in place, or HIDDEN.

    A value secret by what it is (declaration, catalogue, name) is hidden whole; a value secret only by
    its content keeps its reviewable parts when it is a URL.
    """
    if value is None:
        return None
    if _whole_value_secret(role, name, source, live):
        return HIDDEN
    if is_url(value):
        return mask_url(value)
    return HIDDEN if looks_like_key(value) else value


def redact_content(text: str) -> str:
    """Display text checked again by content (the renderers' second line of defence; idempotent on
    what ``display`` produced): a URL's credentials masked in place, a key-shaped value hidden."""
    if is_url(text):
        return mask_url(text)
    return HIDDEN if looks_like_key(text) else text


_URL_IN_TEXT = re.compile(r"[a-z][a-z0-9+.-]*://[^\s'\"<>`]+", re.IGNORECASE)
_TOKEN_IN_TEXT = re.compile(r"[A-Za-z0-9+/=_-]{24,}")


def redact_text(text: str) -> str:
    """Free text (a warning, a note, a lint message) with any URL credentials and key-shaped words masked:
    messages sometimes quote a value, and a message is shown to everyone who reads the plan."""
    text = _URL_IN_TEXT.sub(lambda m: mask_url(m.group(0)), text)
    return _TOKEN_IN_TEXT.sub(lambda m: MASK if looks_like_key(m.group(0)) else m.group(0), text)
