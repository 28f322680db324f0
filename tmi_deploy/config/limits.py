"""Name rules and size limits, checked offline with whole-string matches.

Every pattern is applied with ``fullmatch``: ``re.match`` with ``$`` also accepts a final newline,
which would let ``"tmi-server\\n"`` through to Heroku. Character classes are spelled out ASCII
ranges (never ``\\w``, which matches any Unicode letter). Sources: docs/input-limits.md.
"""

from __future__ import annotations

import re

from tmi_deploy.errors import InvalidInput

# Heroku app names: 3-30 characters, lowercase letters, digits and dashes, starting with a letter
# (Platform API schema, app.name pattern).
APP_NAME = re.compile(r"[a-z][a-z0-9-]{1,28}[a-z0-9]")
# Config var keys: ASCII letters, digits and underscores (Dev Center "Configuration and Config Vars").
VAR_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# An attachment name becomes the prefix of the vars it sets (DATABASE -> DATABASE_URL).
ATTACHMENT_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
# Environment names are file names in the environments directory: no separators, no dots.
ENV_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_-]{0,63}")
PLAN_NAME = re.compile(r"[a-z0-9-]+:[a-z0-9-]+")

# Heroku: all keys and values of one app's config vars together at most 32 kB.
MAX_APP_CONFIG_BYTES = 32 * 1024
MAX_VALUE_BYTES = MAX_APP_CONFIG_BYTES
# An `extends` chain is a base and an overlay or two; sixteen is far beyond any honest layout.
MAX_EXTENDS_DEPTH = 16


def is_app_name(text: str) -> bool:
    return APP_NAME.fullmatch(text) is not None


def is_var_name(text: str) -> bool:
    return VAR_NAME.fullmatch(text) is not None


def is_attachment_name(text: str) -> bool:
    return ATTACHMENT_NAME.fullmatch(text) is not None


def is_environment_name(text: str) -> bool:
    return ENV_NAME.fullmatch(text) is not None


def is_plan_name(text: str) -> bool:
    return PLAN_NAME.fullmatch(text) is not None


def utf8_size(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))


def check_app_name(name: str, source: str) -> None:
    """Refuse a Heroku app name Heroku would refuse, before it reaches a request path."""
    if not is_app_name(name):
        shown = name.encode("unicode_escape").decode("ascii")[:60]
        raise InvalidInput(f"{source}: '{shown}' is not a Heroku app name (3-30 lowercase letters, digits and "
                           "dashes, starting with a letter)")
