"""The markdown of one environment, laid out to be read in a GitHub comment without scrolling sideways.

Changes are list items, not table rows: GitHub shows a table at its content's width with a horizontal
scrollbar, so a long key or URL pushed the new value out of view. A list item wraps (GitHub's stylesheet
breaks long words), so every key, old and new value is on screen at any comment width. Each item reads

    - `~` config `KEY`\\
      `old` → `new`\\
      note · declared at file:line

Values are code spans (exact, no markup), placeholders italic; escaping rules: docs/rendering.md.
"""

from __future__ import annotations

from tmi_deploy.config.secrecy import redact_text
from tmi_deploy.plan.escape import html_text, md_code, md_text
from tmi_deploy.plan.model import Change, EnvironmentPlan
from tmi_deploy.plan.render_order import group_title, reviewer_groups
from tmi_deploy.plan.render_overview import blocker_counts, money, total_line
from tmi_deploy.plan.render_shown import Shown, key_text, keyed_label, label, new_shown, old_shown

HARD_BREAK = "\\"  # a backslash ending a line: CommonMark's hard line break, no HTML needed


def md_value(shown: Shown) -> str:
    text, placeholder = shown
    if text is None:
        return ""
    return f"*{md_text(text)}*" if placeholder else md_code(text, table=False)


def _values(change: Change) -> str:
    old, new = md_value(old_shown(change)), md_value(new_shown(change))
    if old and new:
        return f"{old} → {new}"
    if old:
        return f"was {old}" if change.action == "delete" else old
    return new


def md_change(change: Change) -> list[str]:
    """One change as a list item: what it is, then its values, then why and where it is declared.

    Continuation lines are joined by hard breaks; the note line starts with text from a file, so it is
    escaped as a line start (``#``, ``-``, ``1.`` would open a block there).
    """
    name = f"{change.kind} {md_code(key_text(change), table=False)}" if keyed_label(change) else md_text(label(change))
    lines = [f"- `{change.symbol}` {name}"]
    if values := _values(change):
        lines.append(f"  {values}")
    detail = redact_text(change.detail).strip()  # indented, "#" or "-" would still open a block
    notes = [md_text(detail, line_start=True)] if detail else []
    if change.origin:
        notes.append(f"declared at {md_text(change.origin)}")
    if notes:
        lines.append(f"  {' · '.join(notes)}")
    return [line + HARD_BREAK for line in lines[:-1]] + lines[-1:]


def _app_table(env: EnvironmentPlan) -> list[str]:
    out = ["| role | Heroku app | status | + | ~ | - | -/+ | cost/month |", "|---|---|---|---|---|---|---|---|"]
    for app in env.apps:
        t = {action: sum(1 for c in env.changes if c.role == app.role and c.action == action)
             for action in ("create", "update", "rename", "delete", "replace")}
        out.append(f"| {app.role} | {md_code(app.name)} | {'exists' if app.exists else '**new**'} | {t['create']} | "
                   f"{t['update'] + t['rename']} | {t['delete']} | {t['replace']} | "
                   f"{money(app.cost_before_cents)} → {money(app.cost_after_cents)} |")
    out.append(f"| **total** | | | | | | | {total_line(env).replace('->', '→').replace('/month', '')} |")
    return [*out, ""]


def _app_changes(env: EnvironmentPlan, changes: list[Change], max_rows: int | None) -> tuple[list[str], int]:
    """The groups of one app's changes, most important first; past ``max_rows`` the rest is counted."""
    out: list[str] = []
    room = len(changes) if max_rows is None else max_rows
    for name, members in reviewer_groups(changes, env.blockers):
        shown = members[:room]
        room -= len(shown)
        if shown:
            out += [f"#### {group_title(name, members)}", ""]
            out += [line for change in shown for line in md_change(change)]
            out.append("")
    hidden = len(changes) - (len(changes) if max_rows is None else min(max_rows, len(changes)))
    if hidden:
        out += [f"… {hidden} more change{'s' if hidden != 1 else ''} of this app not shown", ""]
    return out, hidden


def md_env(env: EnvironmentPlan, max_rows: int | None) -> tuple[list[str], int]:
    title = f"{len(env.changes)} change{'s' if len(env.changes) != 1 else ''}" if env.changes else "no changes"
    out = [f"### {md_code(env.environment, table=False)}: {title}", "",
           f"TMI {md_text(env.tmi_version)} · {md_code(env.file, table=False)}", "", *_app_table(env)]
    hidden = 0
    for app in env.apps:
        app_changes = [c for c in env.changes if c.role == app.role]
        if not app_changes:
            continue
        lines, cut = _app_changes(env, app_changes, max_rows)
        hidden += cut
        out += [f"<details open><summary><b>{app.role}</b> <code>{html_text(app.name)}</code>: {len(app_changes)} "
                f"change{'s' if len(app_changes) != 1 else ''}</summary>", "", *lines, "</details>", ""]
    if env.warnings:
        out += [f"<details><summary>Warnings ({len(env.warnings)})</summary>", ""]
        out += [f"- {md_text(redact_text(w), line_start=True)}" for w in env.warnings]
        out += ["", "</details>", ""]
    tally = {action: sum(1 for c in env.changes if c.action == action)
             for action in ("create", "update", "delete", "replace", "rename")}
    out += [f"Plan: {tally['create']} to create, {tally['update']} to update, {tally['delete']} to delete, "
            f"{tally['replace']} to replace, {tally['rename']} to rename; {blocker_counts(env)}.", ""]
    return out, hidden
