"""Renderers of one Plan model: text (terminal), markdown (pull-request comment), json (machines).

Only display fields are rendered; a Change's real value is excluded from the model's dump and repr,
so secrets cannot reach any of these formats. Every string from a file or live state goes through
plan/escape.py for its format (docs/rendering.md).
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from tmi_deploy.config.secrecy import redact_text
from tmi_deploy.plan.escape import visible
from tmi_deploy.plan.model import Change, EnvironmentPlan, Plan
from tmi_deploy.plan.render_md import md_env
from tmi_deploy.plan.render_order import group_title, reviewer_groups
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
from tmi_deploy.plan.render_shown import described, label, new_shown, old_shown, text_value
from tmi_deploy.plan.render_wrap import Paint, Piece, fit, words, wrap

GITHUB_COMMENT_LIMIT = 65_536
MARKDOWN_BUDGET = 60_000  # headroom under GitHub's limit for the pointer and wrapper text
COLORS = {"+": "\033[32m", "~": "\033[33m", "-": "\033[31m", "-/+": "\033[35m", "~>": "\033[36m", "!": "\033[33m",
          "bold": "\033[1m", "dim": "\033[2m"}
RESET = "\033[0m"
UNLIMITED = 10**9


def counts(changes: tuple[Change, ...] | list[Change]) -> Counter[str]:
    return Counter(change.action for change in changes)


def _change_pieces(change: Change) -> list[Piece]:
    """A change as pieces: its label may break between words, each value and the position stay whole."""
    detail = words(f"({say(change.detail)})", sep="  ") if change.detail else []
    origin = [Piece(f"# {visible(change.origin)}", sep="   ", atomic=True, paint="dim")] if change.origin else []
    if (own := described(change)) is not None:  # the kind's own one-line text (app create, collaborator)
        return [*words(own), *detail, *origin]
    named = words(visible(label(change)))
    old, new = text_value(change, old_shown(change)), text_value(change, new_shown(change))
    if change.action == "create" or (change.action == "rename" and old is None):
        values = [Piece("="), Piece(str(new), atomic=True)]
    elif change.action == "delete":
        values = [Piece(f"(was {old})", atomic=True)] if old is not None else []
    else:
        named[-1] = Piece(named[-1].text + ":", named[-1].sep)
        values = [Piece(str(old), atomic=True), Piece("->"), Piece(str(new), atomic=True)]
    return [*named, *values, *detail, *origin]


def _change_lines(change: Change, width: int, paint: Paint) -> list[str]:
    symbol = Piece(f"{change.symbol:>3}", sep="", paint=change.symbol)
    return wrap([symbol, *_change_pieces(change)], width, "  ", " " * 8, paint)


def _app_lines(env: EnvironmentPlan, width: int, paint: Paint) -> list[str]:
    lines: list[str] = []
    for app in env.apps:
        changes = [c for c in env.changes if c.role == app.role]
        if not changes:
            continue
        lines.append(paint("dim", f"  # {app.role} app {visible(app.name)}"))
        for name, members in reviewer_groups(changes, env.blockers):
            lines.append(paint("bold", f"  {group_title(name, members)}:"))
            lines += [line for change in members for line in _change_lines(change, width, paint)]
    return lines


def _costed(label: str, cost: str, width: int, note: str = "") -> list[str]:
    """An app or total line: the cost ("$8.00 -> $15.00/month") is never split across lines."""
    return wrap([Piece(label, sep="", atomic=True), Piece(cost, atomic=True), *words(note)], width, "  ", " " * 6)


def render_text(plan: Plan, color: bool = False, width: int | None = None) -> str:
    """The plan for a terminal ``width`` columns wide (the CLI passes it; pure here); None: one line
    per change, however long."""
    def paint(name: str, text: str) -> str:
        return f"{COLORS[name]}{text}{RESET}" if color and name else text

    width = width or UNLIMITED

    lines: list[str] = [line for row in text_summary(plan) for line in fit(row, width)]
    for env in plan.environments:
        lines += wrap([Piece(f"Environment {visible(env.environment)}", sep="", atomic=True, paint="bold"),
                       *words(f"(TMI {visible(env.tmi_version)}, {visible(env.file)})", sep="  ")],
                      width, "", "    ", paint)
        for app in env.apps:
            state = "exists" if app.exists else "will be created"
            lines += _costed(f"{app.role:<7} {visible(app.name):<30} {state:<15}",
                             f"{money(app.cost_before_cents)} -> {money(app.cost_after_cents)}/month", width)
        cost, _, eco = total_line(env).partition(" (")
        lines += [*_costed(f"{'total':<54}", cost, width, f"({eco}" if eco else ""), ""]
        lines += [part for block in text_blockers(env.blockers) for row in block.split("\n") for part in fit(row, width)]
        lines += _app_lines(env, width, paint)
        if not env.changes:
            lines.append("  No changes. Live state matches the declaration.")
        lines += [line for warning in env.warnings
                  for line in wrap([Piece("!", sep="", paint="!"), *words(say(warning))], width, "  ", "    ", paint)]
        tally = counts(env.changes)
        actions = (f"Plan: {tally['create']} to create, {tally['update']} to update, {tally['delete']} to delete, "
                   f"{tally['replace']} to replace, {tally['rename']} to rename;")
        lines += ["", *wrap([*words(actions, sep=""), Piece(f"{blocker_counts(env)}.", atomic=True)], width, "",
                            " " * 6), ""]
    return "\n".join(lines).rstrip() + "\n"


def render_markdown(plan: Plan, artifact_hint: str = "the full plan in the workflow's plan artifact",
                    budget: int = MARKDOWN_BUDGET) -> str:
    header = ["## tmi-deploy plan", "", f"<sub>checksum `{plan.checksum()[:16]}`</sub>", "", *md_blockers(plan),
              *md_summary(plan)]
    for max_rows in (None, 200, 50, 10, 0):
        body: list[str] = []
        hidden = 0
        for env in plan.environments:
            lines, cut = md_env(env, max_rows)
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
