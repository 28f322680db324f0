"""What a tmi_version bump changes in the names TMI reads, from the extracted source data (catalog/data/).

For the plan's build change (a declared-source bump): ``version_changes(old, new)`` lists what the new
version stops reading and starts requiring; ``for_environment`` narrows it to one app's declared names.
Pure: both versions must have a shipped extraction, else the answer is None ("not known"), never a guess.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from tmi_deploy.catalog.extracted import Extracted, extracted


@dataclass(frozen=True)
class VersionChanges:
    old: str
    new: str
    stops_reading: tuple[str, ...]  # names and family patterns the old version read and the new does not
    starts_reading: tuple[str, ...]
    starts_requiring: tuple[str, ...]  # no default, and the new version refuses to start without it


def _required(found: Extracted) -> set[str]:
    return {name for name, entry in found.settings if entry["required"] and entry["default"] is None}


def version_changes(old: str, new: str) -> VersionChanges | None:
    before, after = extracted("server", old), extracted("server", new)
    if before is None or after is None:
        return None
    read_before, read_after = before.names | before.families, after.names | after.families
    return VersionChanges(old, new, tuple(sorted(read_before - read_after)), tuple(sorted(read_after - read_before)),
                          tuple(sorted(_required(after) - _required(before))))


def for_environment(changes: VersionChanges, declared: Iterable[str]) -> list[str]:
    """One line per change that touches the declared server names: set but no longer read, required but unset."""
    names = set(declared)
    lines = [f"{name}: TMI {changes.new} no longer reads it (TMI {changes.old} did)"
             for name in changes.stops_reading if name in names]
    lines += [f"{name}: TMI {changes.new} requires it and it is not declared"
              for name in changes.starts_requiring if name not in names]
    return lines
