"""Renderers of one Plan model: text (terminal), markdown (pull-request comment), json (machines).

Only display fields are rendered; a Change's real value is excluded from the model's dump and repr,
so secrets cannot reach any of these formats. Every string from a file or live state goes through
plan/escape.py for its format (docs/rendering.md).
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from tmi_deploy.kinds import BY_NAME
from tmi_deploy.plan.escape import html_text, md_code, md_text, quoted, visible
from tmi_deploy.plan.model import KNOWN_AFTER_APPLY, SENSITIVE, Change, EnvironmentPlan, Plan
from tmi_deploy.plan.render_overview import (
    blocker_counts,
    md_blockers,
    md_summary,
    money,
    say,
    text_blockers,
    text_summary,
    total_line,
    totals,
)
from tmi_deploy.redact import redact_content, redact_text

GITHUB_COMMENT_LIMIT = 65_536
MARKDOWN_BUDGET = 60_000  # headroom under GitHub's limit for the pointer and wrapper text
COLORS = {"+": "\033[32m", "~": "\033[33m", "-": "\033[31m", "-/+": "\033[35m", "~>": "\033[36m", "!": "\033[33m",
          "bold": "\033[1m", "dim": "\033[2m"}
RESET = "\033[0m"


def counts(changes: tuple[Change, ...] | list[Change]) -> Counter[str]:
    return Counter(change.action for change in changes)


Shown = tuple[str | None, bool]  # display text, and whether it is a placeholder rather than a value


def _is_marker(change: Change, text: str | None) -> bool:
    """Whether display text is one of the planner's placeholders rather than a value."""
    return (change.sensitive and text == SENSITIVE) or (change.after_apply and text == KNOWN_AFTER_APPLY)


def _checked(change: Change, text: str | None) -> Shown:
    if text is None or _is_marker(change, text) or change.kind != "config":
        return text, text is not None and _is_marker(change, text)
    # Plans may be built by hand or read back: the classifier looks at the content once more.
    shown = redact_content(text)
    return (SENSITIVE, True) if shown == SENSITIVE and text != SENSITIVE else (shown, False)


def _old(change: Change) -> Shown:
    return _checked(change, change.old)


def _new(change: Change) -> Shown:
    if change.sensitive and change.after_apply:
        return "(sensitive, known after apply)", True
    if change.sensitive and change.action == "update" and change.new in (SENSITIVE, change.old):
        return "(sensitive, changes)", True  # equal masked text on both sides would read as "no change"
    return _checked(change, change.new)


def _text_value(change: Change, shown: Shown) -> str | None:
    text, placeholder = shown
    if text is None:
        return None
    return visible(text) if change.kind != "config" or placeholder else quoted(text)


def _key(change: Change) -> str:
    return f"{change.renamed_from} → {change.key}" if change.renamed_from else change.key


def _describe(change: Change) -> str:
    kind = BY_NAME[change.kind]
    special = kind.describe(change)
    if special is not None:
        return special
    label = visible(kind.label(change))
    old, new = _text_value(change, _old(change)), _text_value(change, _new(change))
    if change.action == "create" or (change.action == "rename" and old is None):
        return f"{label} = {new}"
    if change.action == "delete":
        return f"{label} (was {old})" if old is not None else label
    return f"{label}: {old} -> {new}"


def _suffix(change: Change) -> str:
    return f"  ({say(change.detail)})" if change.detail else ""


def render_text(plan: Plan, color: bool = False) -> str:
    def paint(symbol: str, text: str) -> str:
        return f"{COLORS[symbol]}{text}{RESET}" if color else text

    lines: list[str] = text_summary(plan)
    for env in plan.environments:
        lines.append(paint("bold", f"Environment {visible(env.environment)}")
                     + f"  (TMI {visible(env.tmi_version)}, {visible(env.file)})")
        for app in env.apps:
            state = "exists" if app.exists else "will be created"
            lines.append(f"  {app.role:<7} {visible(app.name):<30} {state:<16} "
                         f"{money(app.cost_before_cents)} -> {money(app.cost_after_cents)}/month")
        lines.append(f"  {'total':<55} {total_line(env)}")
        lines.append("")
        lines += text_blockers(env.blockers)
        current = None
        for change in env.changes:
            if change.app != current:
                current = change.app
                lines.append(paint("dim", f"  # {change.role} app {visible(change.app)}"))
            origin = paint("dim", f"   # {visible(change.origin)}") if change.origin else ""
            lines.append(f"  {paint(change.symbol, f'{change.symbol:>3}')} {_describe(change)}{_suffix(change)}{origin}")
        if not env.changes:
            lines.append("  No changes. Live state matches the declaration.")
        for warning in env.warnings:
            lines.append(f"  {paint('!', '!')} {say(warning)}")
        tally = counts(env.changes)
        lines.append("")
        lines.append(f"Plan: {tally['create']} to create, {tally['update']} to update, {tally['delete']} to delete, "
                     f"{tally['replace']} to replace, {tally['rename']} to rename; {blocker_counts(env)}.")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _md_value(shown: Shown) -> str:
    text, placeholder = shown
    if text is None:
        return ""
    return f"*{md_text(text)}*" if placeholder else md_code(text)


def _md_rows(changes: list[Change]) -> list[str]:
    return [f"| `{change.symbol}` | {change.kind} | {md_code(_key(change))} | {_md_value(_old(change))} | "
            f"{_md_value(_new(change))} | {md_text(redact_text(change.detail))} | {md_text(change.origin or '')} |"
            for change in changes]


def _md_env(env: EnvironmentPlan, max_rows: int | None) -> tuple[list[str], int]:
    tally = counts(env.changes)
    title = f"{len(env.changes)} change{'s' if len(env.changes) != 1 else ''}" if env.changes else "no changes"
    out = [f"### {md_code(env.environment, table=False)}: {title}", "",
           f"TMI {md_text(env.tmi_version)} · {md_code(env.file, table=False)}", "",
           "| role | Heroku app | status | + | ~ | - | -/+ | cost/month |",
           "|---|---|---|---|---|---|---|---|"]
    for app in env.apps:
        app_changes = [c for c in env.changes if c.role == app.role]
        t = counts(app_changes)
        out.append(f"| {app.role} | {md_code(app.name)} | {'exists' if app.exists else '**new**'} | {t['create']} | "
                   f"{t['update'] + t['rename']} | {t['delete']} | {t['replace']} | "
                   f"{money(app.cost_before_cents)} → {money(app.cost_after_cents)} |")
    out.append(f"| **total** | | | | | | | {total_line(env).replace('->', '→').replace('/month', '')} |")
    out.append("")
    hidden = 0
    for app in env.apps:
        app_changes = [c for c in env.changes if c.role == app.role]
        if not app_changes:
            continue
        shown = app_changes if max_rows is None else app_changes[:max_rows]
        hidden += len(app_changes) - len(shown)
        out += [f"<details open><summary><b>{app.role}</b> <code>{html_text(app.name)}</code>: {len(app_changes)} "
                f"change{'s' if len(app_changes) != 1 else ''}</summary>", "",
                "| | kind | key | old | new | note | declared at |", "|---|---|---|---|---|---|---|",
                *_md_rows(shown)]
        if len(shown) < len(app_changes):
            out.append(f"| | | … {len(app_changes) - len(shown)} more | | | | |")
        out += ["", "</details>", ""]
    if env.warnings:
        out += [f"<details><summary>Warnings ({len(env.warnings)})</summary>", ""]
        out += [f"- {md_text(redact_text(w), line_start=True)}" for w in env.warnings]
        out += ["", "</details>", ""]
    out.append(f"Plan: {tally['create']} to create, {tally['update']} to update, {tally['delete']} to delete, "
               f"{tally['replace']} to replace, {tally['rename']} to rename; {blocker_counts(env)}.")
    out.append("")
    return out, hidden


def render_markdown(plan: Plan, artifact_hint: str = "the full plan in the workflow's plan artifact",
                    budget: int = MARKDOWN_BUDGET) -> str:
    header = ["## tmi-deploy plan", "", f"<sub>checksum `{plan.checksum()[:16]}`</sub>", "", *md_blockers(plan),
              *md_summary(plan)]
    for max_rows in (None, 200, 50, 10, 0):
        body: list[str] = []
        hidden = 0
        for env in plan.environments:
            lines, cut = _md_env(env, max_rows)
            body += lines
            hidden += cut
        text = "\n".join(header + body)
        if hidden:
            text += f"\n> **{hidden} changes not shown** to fit a GitHub comment; see {artifact_hint}.\n"
        if len(text) <= budget:
            return text
    return "\n".join(header) + f"\n> The details of every environment are too large for a comment; see {artifact_hint}.\n"


def plan_document(plan: Plan) -> dict[str, Any]:
    tally = counts([c for env in plan.environments for c in env.changes])
    return {
        "format_version": plan.format_version,
        "checksum": plan.checksum(),
        "has_changes": plan.has_changes,
        "summary": {action: tally[action] for action in ("create", "update", "delete", "replace", "rename")},
        "blocked": any(env.open_blockers for env in plan.environments),
        **_redacted_messages(plan.model_dump(mode="json")),
        "totals": {env.environment: dict(zip(("cost_before_cents", "cost_after_cents"), totals(env), strict=True))
                   for env in plan.environments},
    }


def _redacted_messages(document: dict[str, Any]) -> dict[str, Any]:
    """Warnings and blocker texts (not compared by apply --plan) with quoted secrets masked."""
    for env in document["environments"]:
        env["warnings"] = [redact_text(w) for w in env["warnings"]]
        for blocker in env["blockers"]:
            blocker["reason"] = redact_text(blocker["reason"])
            blocker["procedure"] = [redact_text(step) for step in blocker["procedure"]]
    return document


def render_json(plan: Plan) -> str:
    return json.dumps(plan_document(plan), indent=2, sort_keys=True) + "\n"
