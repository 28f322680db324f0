"""The markdown plan as a reviewer sees it: laid out by headless Chromium like a GitHub comment (GFM,
GitHub's stylesheet, an 860 px body), nothing of it may sit behind a horizontal scrollbar, and every
key and new value of the plan must be on screen. Skipped, saying why, where Chromium is missing."""

from __future__ import annotations

import os
from functools import cache

import pytest

from tests.github_view import View, missing, view, views
from tests.review_plans import PLANS
from tmi_deploy.plan.escape import needs_escaped_form, quoted
from tmi_deploy.plan.model import Plan
from tmi_deploy.plan.render import render_markdown
from tmi_deploy.plan.render_shown import key_text, new_shown


@pytest.fixture(autouse=True)
def browser() -> None:
    reason = missing()
    if reason is not None:
        if os.environ.get("CI"):
            pytest.fail(f"the browser layout test cannot run in CI: {reason}")
        pytest.skip(f"browser layout test: {reason}")


@cache
def laid_out() -> dict[str, tuple[Plan, View]]:
    """The four plans, rendered and laid out in one Chromium run."""
    plans = {name: make() for name, make in sorted(PLANS.items())}
    seen = views([render_markdown(result) for result in plans.values()])
    return {name: (result, measured) for (name, result), measured in zip(plans.items(), seen, strict=True)}


def shown_text(text: str) -> str:
    """How a value reads on screen: as is, or as its quoted literal when a code span cannot carry it."""
    return quoted(text) if needs_escaped_form(text) else text


def expected_on_screen(result: Plan) -> list[str]:
    """Every change's key and new value (or its placeholder), as the reviewer must read them."""
    texts: list[str] = []
    for change in (c for env in result.environments for c in env.changes):
        new, _placeholder = new_shown(change)
        texts += [shown_text(t) for t in (key_text(change), new) if t is not None]
    return texts


@pytest.mark.parametrize("name", sorted(PLANS))
def test_every_cell_and_new_value_fits_a_github_comment(name: str) -> None:
    result, seen = laid_out()[name]
    assert seen.cells_outside == 0, f"{seen.cells_outside} of {seen.cells} table cells beyond the comment's width"
    assert not seen.hidden_text, f"text behind a horizontal scrollbar: {seen.hidden_text[:5]}"
    absent = [text for text in expected_on_screen(result) if text not in seen.visible_text]
    assert not absent, f"not on screen: {absent[:5]}"


def test_the_measure_sees_a_table_wider_than_the_comment() -> None:
    """The yardstick itself: a table row with a long unbreakable value puts cells out of view, a list item
    does not (a URL breaks after its slashes; a name with underscores has no break opportunity)."""
    url = "TMI_CONTENT_OAUTH_PROVIDERS_" * 6 + "TOKEN_URL"
    wide = view(f"| key | old | new |\n|---|---|---|\n| `K` | `{url}` | `NEW_VALUE` |\n")
    assert wide.cells_outside > 0 and "NEW_VALUE" not in wide.visible_text
    listed = view(f"- `K`\n  `{url}` → `NEW_VALUE`\n")
    assert listed.cells == 0 and not listed.hidden_text and url in listed.visible_text
