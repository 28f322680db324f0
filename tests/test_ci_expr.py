"""The expression evaluator the workflow tests run jobs with behaves as GitHub documents ("Evaluate
expressions in workflows and actions"): value-returning && and ||, loose equality, status functions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.ci_expr import Evaluator, condition, functions, interpolate


def evaluator(status: str = "success", root: Path = Path("."), **contexts: Any) -> Evaluator:
    return Evaluator({"github": {"event_name": "push"}, "needs": {}, **contexts}, functions(lambda: status, root))


def test_and_or_return_operands_and_equality_is_loose() -> None:
    e = evaluator()
    assert e.evaluate("github.event_name == 'push' && 'apply' || 'drift'") == "apply"
    assert e.evaluate("github.event_name == 'PUSH'") is True  # strings compare case-insensitively
    assert e.evaluate("github.missing.deeper") is None and e.evaluate("github.missing == ''") is True
    assert e.evaluate("format('pr-{0}-{1}', 5, 'x')") == "pr-5-x"


def test_if_implies_success_unless_a_status_function_is_named(tmp_path: Path) -> None:
    failed = evaluator("failure", tmp_path)
    assert condition(failed, None) is False and condition(failed, "github.event_name == 'push'") is False
    assert condition(failed, "${{ failure() && hashFiles('x.md') != '' }}") is False
    (tmp_path / "x.md").write_text("x")
    assert condition(failed, "${{ failure() && hashFiles('x.md') != '' }}") is True
    assert condition(failed, "${{ !cancelled() }}") is True


def test_a_whole_expression_keeps_its_type_and_unknown_syntax_raises() -> None:
    e = evaluator(needs={"resolve": {"outputs": {"first": '{"include": [{"env": "qa"}]}'}}})
    assert interpolate(e, "${{ fromJSON(needs.resolve.outputs.first) }}") == {"include": [{"env": "qa"}]}
    assert interpolate(e, "a-${{ github.event_name }}") == "a-push"
    with pytest.raises(ValueError):
        e.evaluate("github.event_name ~ 'x'")
    with pytest.raises(ValueError):
        e.evaluate("vars2.X")
