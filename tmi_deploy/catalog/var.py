"""One TMI variable as data: its type, default, secrecy, and which TMI versions read it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

VarType = Literal["string", "int", "float", "bool", "duration", "url", "list", "urls", "enum", "hex32",
                  "path"]
# current: read since the rename; legacy: read before it; always: at every version; unread: TMI declares
# the name (a struct tag) but never reads it from the environment (docs/tmi-config.md).
Era = Literal["current", "legacy", "always", "unread"]
# Who reads it: TMI itself, or the buildpack that builds the app (GO_INSTALL_PACKAGE_SPEC).
Reader = Literal["tmi", "buildpack"]

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
    era: Era = "current"
    replaced_by: str = ""  # for legacy and unread names: what the current server reads instead
    app: Literal["server", "client"] = "server"
    reader: Reader = "tmi"

    def read_by(self, version: tuple[int, int, int]) -> bool:
        if self.era == "always":
            return True
        if self.era == "unread":
            return False
        if self.era == "legacy":
            return version < RENAME_VERSION
        return version >= RENAME_VERSION


def v(name: str, type_: VarType, default: str | None = None, **kw: Any) -> Var:
    return Var(name, type_, default, **kw)
