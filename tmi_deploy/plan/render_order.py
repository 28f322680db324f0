"""A reviewer's order: within each app, what apply stops on and what destroys data first, then replaces,
deletes, renames, updates and creates, each group named with its count (text and markdown alike).

Only the display order changes: the plan model (and so apply) keeps the planner's order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tmi_deploy.plan.model import Blocker, Change


@dataclass(frozen=True)
class Group:
    name: str  # shown after the count: "2 to replace"
    takes: Callable[[Change, frozenset[tuple[str, str]]], bool]  # (change, blocked (app, origin) pairs)


def _blocked(change: Change, blocked: frozenset[tuple[str, str]]) -> bool:
    return change.origin is not None and (change.app, change.origin) in blocked


def _action(action: str) -> Callable[[Change, frozenset[tuple[str, str]]], bool]:
    return lambda change, _blocked_at: change.action == action


# First match wins; the last group takes any action added later, so no change can go missing.
GROUPS: tuple[Group, ...] = (
    Group("blocked", _blocked),
    Group("destructive", lambda change, _blocked_at: change.destructive),
    Group("to replace", _action("replace")),
    Group("to delete", _action("delete")),
    Group("to rename", _action("rename")),
    Group("to update", _action("update")),
    Group("to create", _action("create")),
    Group("other", lambda change, _blocked_at: True),
)


def blocked_at(blockers: tuple[Blocker, ...]) -> frozenset[tuple[str, str]]:
    """Declarations an open blocker points at: a change declared there is what apply stops on."""
    return frozenset((b.app, b.origin) for b in blockers if b.blocking and b.origin)


def reviewer_groups(changes: list[Change], blockers: tuple[Blocker, ...]) -> list[tuple[str, list[Change]]]:
    """The changes of one app as named groups in a reviewer's order (empty groups left out); within a
    group the planner's order (kind, then key) is kept."""
    blocked = blocked_at(blockers)
    groups: dict[str, list[Change]] = {group.name: [] for group in GROUPS}
    for change in changes:
        group = next(g for g in GROUPS if g.takes(change, blocked))
        groups[group.name].append(change)
    return [(name, members) for name, members in groups.items() if members]


def group_title(name: str, members: list[Change]) -> str:
    return f"{len(members)} {name}"
