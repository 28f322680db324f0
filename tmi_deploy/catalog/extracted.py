"""What tools/extract_tmi_names.py found in TMI's source, one file per app and version (catalog/data/)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Literal

App = Literal["server", "client"]


@dataclass(frozen=True)
class Extracted:
    app: App
    version: str
    commit: str
    names: frozenset[str]  # literal names the app reads
    families: frozenset[str]  # run-time patterns: OAUTH_PROVIDERS_<ID>_CLIENT_ID, TMI_SECRET_<KEY>
    go_types: tuple[tuple[str, str], ...]  # struct-tag name -> Go field type
    settings: tuple[tuple[str, dict[str, Any]], ...]  # env name -> TMI's registry entry (default, secret...)
    unread: frozenset[str]  # names TMI declares but never reads (dead code, unwalked tags)

    def setting(self, name: str) -> dict[str, Any] | None:
        return dict(self.settings).get(name)


def parse(data: dict[str, Any]) -> Extracted:
    return Extracted(app=data["app"], version=data["version"], commit=data["commit"],
                     names=frozenset(data["names"]), families=frozenset(data["families"]),
                     go_types=tuple(sorted(data["go_types"].items())), settings=tuple(sorted(data["settings"].items())),
                     unread=frozenset(data["dead"]))


@cache
def available() -> dict[tuple[str, str], Extracted]:
    """Every shipped extraction, keyed by (app, version)."""
    found: dict[tuple[str, str], Extracted] = {}
    for entry in resources.files("tmi_deploy.catalog").joinpath("data").iterdir():
        if entry.name.endswith(".json"):
            extracted = parse(json.loads(entry.read_text()))
            found[(extracted.app, extracted.version)] = extracted
    return found


def extracted(app: App, version: str) -> Extracted | None:
    return available().get((app, version))
