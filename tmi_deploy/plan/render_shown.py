"""What a renderer shows for one change: its key, its old and new display values, and its words.

How a kind reads comes from the kinds registry (kinds/base.py: ``label`` and ``describe``), so a kind
added later (a domain, a build) renders without an edit here.
"""

from __future__ import annotations

from tmi_deploy.config.secrecy import redact_content
from tmi_deploy.kinds import BY_NAME
from tmi_deploy.plan.escape import quoted, visible
from tmi_deploy.plan.model import KNOWN_AFTER_APPLY, SENSITIVE, Change

Shown = tuple[str | None, bool]  # display text, and whether it is a placeholder rather than a value
# Kinds whose values are strings a reviewer compares exactly (quoted in the terminal) and that the
# renderers look at once more for secrets (a plan may be built by hand or read back).
LITERAL_KINDS = frozenset({"config"})


def _is_marker(change: Change, text: str | None) -> bool:
    """Whether display text is one of the planner's placeholders rather than a value."""
    return (change.sensitive and text == SENSITIVE) or (change.after_apply and text == KNOWN_AFTER_APPLY)


def _checked(change: Change, text: str | None) -> Shown:
    if text is None or _is_marker(change, text) or change.kind not in LITERAL_KINDS:
        return text, text is not None and _is_marker(change, text)
    shown = redact_content(text)
    return (SENSITIVE, True) if shown == SENSITIVE and text != SENSITIVE else (shown, False)


def old_shown(change: Change) -> Shown:
    return _checked(change, change.old)


def new_shown(change: Change) -> Shown:
    if change.sensitive and change.after_apply:
        return "(sensitive, known after apply)", True
    if change.sensitive and change.action == "update" and change.new in (SENSITIVE, change.old):
        return "(sensitive, changes)", True  # equal masked text on both sides would read as "no change"
    return _checked(change, change.new)


def text_value(change: Change, shown: Shown) -> str | None:
    """A value for the terminal: exact quoted literal for literal kinds, inert text otherwise."""
    text, placeholder = shown
    if text is None:
        return None
    return quoted(text) if change.kind in LITERAL_KINDS and not placeholder else visible(text)


def key_text(change: Change) -> str:
    """The resource's name as the reviewer knows it (a rename shows both names)."""
    return f"{change.renamed_from} → {change.key}" if change.renamed_from else change.key


def keyed_label(change: Change) -> bool:
    """Whether the kind's label is its name and the key (``config KEY``): markdown then shows the key as
    a code span; other labels (``buildpacks``) are shown as they are."""
    return BY_NAME[change.kind].label(change) == f"{change.kind} {key_text(change)}"


def label(change: Change) -> str:
    return BY_NAME[change.kind].label(change)


def described(change: Change) -> str | None:
    """The kind's own one-line text of a change (already escaped by the kind), or None for the generic."""
    return BY_NAME[change.kind].describe(change)
