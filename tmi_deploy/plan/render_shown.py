"""What a renderer shows for one change: its key, its old and new display values, and how its kind reads.

Kinds are data (``KIND_STYLES``): a kind added later (a domain, a build) renders with ``DEFAULT_STYLE``
until it registers its own entry; no renderer branches on a kind's name.
"""

from __future__ import annotations

from dataclasses import dataclass

from tmi_deploy.plan.escape import quoted, visible
from tmi_deploy.plan.model import KNOWN_AFTER_APPLY, SENSITIVE, Change
from tmi_deploy.redact import redact_content

Shown = tuple[str | None, bool]  # display text, and whether it is a placeholder rather than a value


@dataclass(frozen=True)
class KindStyle:
    keyed: bool = True  # the key names the resource (buildpacks: one ordered list per app, no key)
    literal_values: bool = False  # values are exact strings a reviewer compares (shown quoted in the terminal)
    show_values: bool = True  # collaborators: the key (an email) is the whole change
    check_content: bool = False  # looked at once more for secrets (plans may be built by hand or read back)
    created: str = "{label} = {new}"  # how a create reads in the terminal


DEFAULT_STYLE = KindStyle()
KIND_STYLES: dict[str, KindStyle] = {
    "config": KindStyle(literal_values=True, check_content=True),
    "buildpacks": KindStyle(keyed=False),
    "collaborator": KindStyle(show_values=False),
    "app": KindStyle(created="{label} ({new})"),  # "app tmi-x (region us, stack heroku-24)"
}


def style(change: Change) -> KindStyle:
    return KIND_STYLES.get(change.kind, DEFAULT_STYLE)


def _is_marker(change: Change, text: str | None) -> bool:
    """Whether display text is one of the planner's placeholders rather than a value."""
    return (change.sensitive and text == SENSITIVE) or (change.after_apply and text == KNOWN_AFTER_APPLY)


def _checked(change: Change, text: str | None) -> Shown:
    if text is None or _is_marker(change, text) or not style(change).check_content:
        return text, text is not None and _is_marker(change, text)
    # Plans may be built by hand or read back: the classifier looks at the content once more.
    shown = redact_content(text)
    return (SENSITIVE, True) if shown == SENSITIVE and text != SENSITIVE else (shown, False)


def old_shown(change: Change) -> Shown:
    return _checked(change, change.old) if style(change).show_values else (None, False)


def new_shown(change: Change) -> Shown:
    if not style(change).show_values:
        return None, False
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
    return quoted(text) if style(change).literal_values and not placeholder else visible(text)


def key_text(change: Change) -> str | None:
    """The resource's name as the reviewer knows it (a rename shows both names); None for unkeyed kinds."""
    if not style(change).keyed:
        return None
    return f"{change.renamed_from} → {change.key}" if change.renamed_from else change.key
