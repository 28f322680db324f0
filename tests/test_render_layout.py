"""Layout of the plan for its two readers: a reviewer's order (what apply stops on and what destroys
data first) in markdown and text alike, markdown list items whose note lines cannot open a block, and a
text plan that fits the terminal's width without splitting a value that fits on a line."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.review_plans import busy_change, guide_migration
from tests.test_render import GFM, change_rows
from tmi_deploy.plan.model import AppSummary, Blocker, Change, EnvironmentPlan, Plan
from tmi_deploy.plan.render import render_markdown, render_text
from tmi_deploy.plan.render_shown import new_shown, old_shown, text_value

FILE = "environments/x.yml"
ORDER = ["1 blocked", "1 destructive", "1 to replace", "1 to delete", "1 to rename", "1 to update", "1 to create"]


def _change(action: str, key: str, line: int, **more: Any) -> Change:
    return Change(role="server", app="tmi-x", kind="config", action=action, key=key,  # type: ignore[arg-type]
                  old=None if action == "create" else "old", new=None if action == "delete" else "new",
                  origin=f"{FILE}:{line}", **more)


def _plan(changes: list[Change], blockers: tuple[Blocker, ...] = ()) -> Plan:
    env = EnvironmentPlan(environment="e", tmi_version="1.8.22", file=FILE, changes=tuple(changes), blockers=blockers,
                          apps=(AppSummary(role="server", name="tmi-x", exists=True, cost_before_cents=0,
                                           cost_after_cents=0, changes=len(changes)),))
    return Plan(environments=(env,))


def mixed_plan() -> Plan:
    """One change of each group, in the planner's order (by key), which is not a reviewer's."""
    changes = [_change("create", "A_CREATE", 1), _change("delete", "B_BLOCKED", 2),
               _change("update", "C_UPDATE", 3), _change("replace", "D_DESTROYS", 4, destructive=True),
               _change("rename", "E_RENAME", 5, renamed_from="E_OLD"), _change("delete", "F_DELETE", 6),
               _change("replace", "G_REPLACE", 7)]
    return _plan(changes, (Blocker(kind="refused", app="tmi-x", reason="protected", origin=f"{FILE}:2"),))


def test_markdown_groups_changes_in_a_reviewers_order_with_counts() -> None:
    tokens = GFM.parse(render_markdown(mixed_plan()))
    headings = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open" and t.tag == "h4"]
    assert headings == ORDER
    keys = list(change_rows(render_markdown(mixed_plan())))
    assert keys == ["B_BLOCKED", "D_DESTROYS", "G_REPLACE", "F_DELETE", "E_OLD → E_RENAME", "C_UPDATE", "A_CREATE"]


def test_text_follows_the_same_order() -> None:
    lines = render_text(mixed_plan(), width=120).splitlines()
    assert [line.strip().rstrip(":") for line in lines if line.strip().rstrip(":") in ORDER] == ORDER
    keys = [line.split()[2].rstrip(":") for line in lines if line.strip().startswith(("+ config", "- config", "~ config",
                                                                            "-/+ config", "~> config"))]
    assert keys == ["B_BLOCKED", "D_DESTROYS", "G_REPLACE", "F_DELETE", "E_OLD", "C_UPDATE", "A_CREATE"]


def test_a_consented_blocker_no_longer_puts_its_change_first() -> None:
    consented = Blocker(kind="consent", app="tmi-x", reason="r", consent="t", consented_by="f:1", origin=f"{FILE}:2")
    result = _plan([_change("create", "A_CREATE", 1), _change("delete", "B_DELETE", 2)], (consented,))
    assert list(change_rows(render_markdown(result))) == ["B_DELETE", "A_CREATE"]
    assert "blocked" not in render_markdown(result).split("### ")[-1].split("Plan:")[0]


BLOCK_OPENERS = ["# heading", "===", "---", "1. one", "> quote", "    code", "| a | b |", "|---|---|", "```",
                 "~~~", "<details>", "- item", "+ item", "* * *", "  # indented heading", "\u2028# after LS"]


def test_a_note_line_cannot_open_a_block_or_end_its_item() -> None:
    """The note is the third line of a list item: text from a file there could open a heading, a list,
    a fence or a setext underline; each stays the text of its own item."""
    changes = [_change("update", f"K{i:02d}", i, detail=detail) for i, detail in enumerate(BLOCK_OPENERS)]
    text = render_markdown(_plan(changes))
    tokens = GFM.parse(text)
    kinds = [t.type for t in tokens]
    assert not set(kinds) & {"blockquote_open", "code_block", "fence", "hr"}
    assert kinds.count("table_open") == 1  # the apps' summary, not a table opened by a note
    assert [t.content for t in tokens if t.type == "html_block"] == [
        t.content for t in tokens if t.type == "html_block" and t.content.startswith(("<details", "</details"))]
    rows = change_rows(text)
    assert list(rows) == [f"K{i:02d}" for i in range(len(BLOCK_OPENERS))]
    for i, detail in enumerate(BLOCK_OPENERS):
        assert rows[f"K{i:02d}"]["new"] == ("value", "new")
        shown = detail.strip().replace("\u2028", "\\u2028")
        assert rows[f"K{i:02d}"]["note"][1] == f"{shown} · declared at {FILE}:{i}"
    headings = [t for t in tokens if t.type == "heading_open"]
    assert len(headings) == 3  # the plan, the environment, "16 to update"


WIDE_PLANS = {"busy": busy_change, "migration": guide_migration}


@pytest.mark.parametrize("width", [80, 120])
@pytest.mark.parametrize("name", sorted(WIDE_PLANS))
def test_text_fits_the_terminal_and_keeps_values_whole(name: str, width: int) -> None:
    result = WIDE_PLANS[name]()
    lines = render_text(result, width=width).splitlines()
    assert max(len(line) for line in lines) <= width
    for change in result.environments[0].changes:
        for shown in (text_value(change, old_shown(change)), text_value(change, new_shown(change))):
            if shown and len(shown) <= width - 8:  # fits after a continuation's indent: never split
                assert any(shown in line for line in lines), (shown, width)


def test_a_value_longer_than_a_line_is_cut_only_at_the_width_and_reads_back_whole() -> None:
    value = "https://example.org/" + "x" * 150
    text = render_text(_plan([_change("create", "LONG", 1).model_copy(update={"new": value})]), width=80)
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 80
    start = next(i for i, line in enumerate(lines) if line.strip().startswith('"https'))
    pieces = [line.strip() for line in lines[start:start + 3]]
    assert pieces[-1].endswith(f"   # {FILE}:1")
    assert json.loads("".join(pieces).removesuffix(f"   # {FILE}:1")) == value


def test_wider_terminals_get_fewer_lines() -> None:
    result = guide_migration()
    assert len(render_text(result, width=120).splitlines()) < len(render_text(result, width=80).splitlines())


def test_the_cli_passes_the_terminal_width(cli: Any) -> None:
    """80 columns when not a terminal, COLUMNS when set; the renderer itself reads neither."""
    narrow = cli("--sandbox", "plan", "production", env={"COLUMNS": ""}).output.splitlines()
    wide = cli("--sandbox", "plan", "production", env={"COLUMNS": "160"}).output.splitlines()
    assert max(map(len, narrow)) <= 80 < max(map(len, wide)) <= 160


def test_a_shortened_comment_keeps_what_matters_most() -> None:
    """Past GitHub's limit the last changes in a reviewer's order are the ones counted as not shown."""
    changes = [_change("update", f"K{i:05d}_{'X' * 60}", i) for i in range(3000)]
    changes.append(_change("replace", "Z_DESTROYS", 9999, destructive=True))
    text = render_markdown(_plan(changes), "`plan.json`")
    assert "changes not shown" in text
    assert next(iter(change_rows(text))) == "Z_DESTROYS"
