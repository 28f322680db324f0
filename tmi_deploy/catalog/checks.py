"""Value checks as TMI's Go parser applies them, and how a value may be shown in a finding."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from tmi_deploy.catalog.variables import Var
from tmi_deploy.config.models import LiteralValue, VarSpec

# strconv.ParseBool, Atoi, ParseFloat and time.ParseDuration (docs/tmi-config.md). Applied with
# fullmatch: `$` would let a trailing newline through, which Go's parsers refuse.
GO_BOOL = frozenset({"1", "t", "T", "TRUE", "true", "True", "0", "f", "F", "FALSE", "false", "False"})
GO_TRUE = frozenset({"1", "t", "T", "TRUE", "true", "True"})
GO_DURATION = re.compile(r"[-+]?((\d+(\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h))+|0", re.ASCII)
HEX64 = re.compile(r"[0-9a-fA-F]{64}")
INT = re.compile(r"[-+]?[0-9]+")
FLOAT = re.compile(r"[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?")
# Any URL with a user part, anywhere in the text: a token may sit there without a password.
USERINFO = re.compile(r"[a-z][a-z0-9+.-]*://[^/\s@]*@", re.IGNORECASE)
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
SHOWN_MAX = 80
SENSITIVE = "(sensitive)"


def literal(spec: VarSpec | None) -> str | None:
    """The text a spec sets when it is written out, else None (derived, generated, secret sources)."""
    if spec is None:
        return None
    if isinstance(spec.source, str):
        return spec.source
    if isinstance(spec.source, LiteralValue):
        return spec.source.value
    return None


def shown(value: str, sensitive: bool) -> str:
    """A value as a finding may quote it: never a secret or URL credentials, no terminal control characters."""
    if sensitive or USERINFO.search(value):
        return SENSITIVE
    text = CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", value)
    return text if len(text) <= SHOWN_MAX else text[:SHOWN_MAX] + "…"


def check_type(var: Var, value: str, sensitive: bool = False) -> str | None:
    """Why ``value`` is not a valid ``var`` for TMI's parser, or None when it is."""
    if value == "":
        return None  # TMI treats empty as unset
    quoted = f"'{shown(value, sensitive or var.secret)}'"
    kind = var.type
    if kind == "bool" and value not in GO_BOOL:
        return f"{quoted} is not a boolean TMI accepts (true/false/1/0/t/f)"
    if kind == "int" and not INT.fullmatch(value):
        return f"{quoted} is not an integer"
    if kind == "float" and not FLOAT.fullmatch(value):
        return f"{quoted} is not a number"
    if kind == "duration" and not GO_DURATION.fullmatch(value):
        return f"{quoted} is not a Go duration (e.g. 5s, 1m30s)"
    if kind == "enum" and value not in var.choices:
        return f"{quoted} is not one of {', '.join(var.choices)}"
    if kind == "url" and not _absolute_url(value):
        return f"{quoted} is not an absolute URL"
    if kind == "hex32" and not HEX64.fullmatch(value):
        return "must be exactly 64 hex characters (32 bytes)"
    return None


def _absolute_url(value: str) -> bool:
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return bool(parts.scheme and parts.netloc)


def origins(value: str) -> list[str]:
    """Entries of a comma-separated origin list, as TMI splits it."""
    return [item.strip() for item in value.split(",") if item.strip()]
