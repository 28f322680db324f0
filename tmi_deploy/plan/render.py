"""Renderers of one Plan model: text (terminal), markdown (pull-request comment), json (machines).

Only display fields are rendered; a Change's real value is excluded from the model's dump and repr,
so secrets cannot reach any of these formats.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from tmi_deploy.plan.model import Change, EnvironmentPlan, Plan
from tmi_deploy.plan.render_overview import blocker_counts, md_blockers, md_summary, money, text_blockers, text_summary, totals

GITHUB_COMMENT_LIMIT = 65_536
MARKDOWN_BUDGET = 60_000  # headroom under GitHub's limit for the pointer and wrapper text
COLORS = {"+": "\033[32m", "~": "\033[33m", "-": "\033[31m", "-/+": "\033[35m", "!": "\033[33m",
          "bold": "\033[1m", "dim": "\033[2m"}
RESET = "\033[0m"


def counts(changes: tuple[Change, ...] | list[Change]) -> Counter[str]:
    return Counter(change.action for change in changes)


def _describe(change: Change) -> str:
    if change.kind == "app" and change.action == "create":
        return f"app {change.key} ({change.new})"
    if change.kind == "collaborator":
        return f"collaborator {change.key}"
    label = change.kind if change.kind == "buildpacks" else f"{change.kind} {change.key}"
    if change.renamed_from:
        label = f"{change.kind} {change.renamed_from} → {change.key}"
    old, new = change.old, change.new
    if change.kind == "config":
        old = f'"{old}"' if old is not None and not change.sensitive else old
        new = f'"{new}"' if new is not None and not change.sensitive and not change.after_apply else new
        if change.sensitive and change.action == "update":
            new = "(sensitive, changes)"
        elif change.sensitive and change.after_apply:
            new = "(sensitive, known after apply)"
    if change.action == "create" or (change.action == "rename" and old is None):
        text = f"{label} = {new}"
    elif change.action == "delete":
        text = f"{label} (was {old})" if old is not None else label
    else:
        text = f"{label}: {old} -> {new}"
    return text


def _suffix(change: Change) -> str:
    return f"  ({change.detail})" if change.detail else ""


def render_text(plan: Plan, color: bool = False) -> str:
    def paint(symbol: str, text: str) -> str:
        return f"{COLORS[symbol]}{text}{RESET}" if color else text

    lines: list[str] = text_summary(plan)
    for env in plan.environments:
        lines.append(paint("bold", f"Environment {env.environment}") + f"  (TMI {env.tmi_version}, {env.file})")
        for app in env.apps:
            state = "exists" if app.exists else "will be created"
            lines.append(f"  {app.role:<7} {app.name:<30} {state:<16} "
                         f"{money(app.cost_before_cents)} -> {money(app.cost_after_cents)}/month")
        lines.append("")
        lines += text_blockers(env.blockers)
        current = None
        for change in env.changes:
            if change.app != current:
                current = change.app
                lines.append(paint("dim", f"  # {change.role} app {change.app}"))
            origin = paint("dim", f"   # {change.origin}") if change.origin else ""
            lines.append(f"  {paint(change.symbol, f'{change.symbol:>3}')} {_describe(change)}{_suffix(change)}{origin}")
        if not env.changes:
            lines.append("  No changes. Live state matches the declaration.")
        for warning in env.warnings:
            lines.append(f"  {paint('!', '!')} {warning}")
        tally = counts(env.changes)
        lines.append("")
        lines.append(f"Plan: {tally['create']} to create, {tally['update']} to update, {tally['delete']} to delete, "
                     f"{tally['replace']} to replace, {tally['rename']} to rename; {blocker_counts(env)}.")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _md(text: str | None) -> str:
    if text is None:
        return ""
    clean = text.replace("`", "'").replace("|", "\\|").replace("\n", " ")
    return f"`{clean}`"


def _md_rows(changes: list[Change]) -> list[str]:
    rows = []
    for change in changes:
        new = change.new
        if change.sensitive and change.action == "update":
            new = "(sensitive, changes)"
        elif change.sensitive and change.after_apply:
            new = "(sensitive, known after apply)"
        note = change.detail
        key = f"{change.renamed_from} → {change.key}" if change.renamed_from else change.key
        rows.append(f"| `{change.symbol}` | {change.kind} | {_md(key)} | {_md(change.old)} | {_md(new)} | "
                    f"{note} | {change.origin or ''} |")
    return rows


def _md_env(env: EnvironmentPlan, max_rows: int | None) -> tuple[list[str], int]:
    tally = counts(env.changes)
    title = f"{len(env.changes)} change{'s' if len(env.changes) != 1 else ''}" if env.changes else "no changes"
    out = [f"### `{env.environment}`: {title}", "",
           f"TMI {env.tmi_version} · `{env.file}`", "",
           "| role | Heroku app | status | + | ~ | - | -/+ | cost/month |",
           "|---|---|---|---|---|---|---|---|"]
    for app in env.apps:
        app_changes = [c for c in env.changes if c.role == app.role]
        t = counts(app_changes)
        out.append(f"| {app.role} | `{app.name}` | {'exists' if app.exists else '**new**'} | {t['create']} | "
                   f"{t['update']} | {t['delete']} | {t['replace']} | "
                   f"{money(app.cost_before_cents)} → {money(app.cost_after_cents)} |")
    out.append("")
    hidden = 0
    for app in env.apps:
        app_changes = [c for c in env.changes if c.role == app.role]
        if not app_changes:
            continue
        shown = app_changes if max_rows is None else app_changes[:max_rows]
        hidden += len(app_changes) - len(shown)
        out += [f"<details open><summary><b>{app.role}</b> <code>{app.name}</code>: {len(app_changes)} "
                f"change{'s' if len(app_changes) != 1 else ''}</summary>", "",
                "| | kind | key | old | new | note | declared at |", "|---|---|---|---|---|---|---|",
                *_md_rows(shown)]
        if len(shown) < len(app_changes):
            out.append(f"| | | … {len(app_changes) - len(shown)} more | | | | |")
        out += ["", "</details>", ""]
    if env.warnings:
        out += [f"<details><summary>Warnings ({len(env.warnings)})</summary>", ""]
        out += [f"- {w.replace('|', chr(92) + '|')}" for w in env.warnings]
        out += ["", "</details>", ""]
    out.append(f"Plan: {tally['create']} to create, {tally['update']} to update, {tally['delete']} to delete, "
               f"{tally['replace']} to replace.")
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
        **plan.model_dump(mode="json"),
        "totals": {env.environment: dict(zip(("cost_before_cents", "cost_after_cents"), totals(env), strict=True))
                   for env in plan.environments},
    }


def render_json(plan: Plan) -> str:
    return json.dumps(plan_document(plan), indent=2, sort_keys=True) + "\n"
