"""Plans of many environments open with one summary (changes, blockers, cost totals) and stay under
GitHub's comment limit by folding details, never the summary; blockers render exactly."""

from __future__ import annotations

import json

from tmi_deploy.plan.model import AppSummary, Blocker, Change, EnvironmentPlan, Plan
from tmi_deploy.plan.render import GITHUB_COMMENT_LIMIT, render_json, render_markdown, render_text
from tmi_deploy.plan.render_overview import code


def environment(name: str, changes: int, cost: int, blockers: tuple[Blocker, ...] = ()) -> EnvironmentPlan:
    app = f"tmi-{name}"
    return EnvironmentPlan(
        environment=name, tmi_version="1.8.22", file=f"environments/{name}.yml",
        apps=(AppSummary(role="server", name=app, exists=True, cost_before_cents=cost, cost_after_cents=cost + 100,
                         changes=changes),),
        changes=tuple(Change(role="server", app=app, kind="config", action="create", key=f"VAR_{i:04d}",
                             new="x" * 40) for i in range(changes)),
        blockers=blockers)


def test_summary_table_with_totals_opens_a_plan_of_several_environments() -> None:
    plan = Plan(environments=(environment("alpha", 2, 1000), environment("beta", 3, 2500)))
    markdown = render_markdown(plan)
    table = markdown.index("| environment | apps | changes | blocked | cost/month |")
    assert table < markdown.index("### `alpha`")
    assert "| `alpha` | 1 | 2 | 0 | $10.00 → $11.00 |" in markdown
    assert "| **total** | 2 | 5 | 0 | $35.00 → $37.00 |" in markdown
    text = render_text(plan)
    assert text.splitlines()[0].startswith("environment") and "total" in text.splitlines()[3]
    assert json.loads(render_json(plan))["totals"]["beta"] == {"cost_before_cents": 2500, "cost_after_cents": 2600}
    assert "| environment |" not in render_markdown(Plan(environments=(environment("alpha", 2, 1000),)))


def test_many_environments_fold_details_but_keep_the_summary() -> None:
    plan = Plan(environments=tuple(environment(f"env{i:03d}", 60, 500) for i in range(100)))
    markdown = render_markdown(plan, "`plan.json`")
    assert len(markdown) < GITHUB_COMMENT_LIMIT
    assert all(f"| `env{i:03d}` |" in markdown for i in range(100))
    assert "| **total** | 100 | 6000 | 0 | $500.00 → $600.00 |" in markdown
    assert "`plan.json`" in markdown


def test_blocker_text_from_files_cannot_break_the_comment() -> None:
    hostile = Blocker(kind="error", app="tmi-x", reason="bad | row <!-- hide --> `x` \r\n**No changes.**",
                      origin="environments/x.yml:3")
    markdown = render_markdown(Plan(environments=(environment("x", 1, 0, (hostile,)),)))
    line = next(row for row in markdown.splitlines() if row.startswith("> - **error**"))
    assert "<!--" not in line and "\r" not in line and "\\|" in line and "&lt;!--" in line


def test_code_span_shows_backticks_exactly() -> None:
    assert code("a`b") == "``a`b``" and code("`x`") == "`` `x` ``" and code("plain") == "`plain`"
