"""Pre-flight: what Heroku would refuse is an error of the plan, naming the file:line and the nearest
valid names, and apply refuses it before its first write."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.harness import writes_in_state_file


@pytest.mark.parametrize(("edit", "expected"), [
    (("    name: tmi-server-staging\n", "    name: tmi-server-staging\n    addons:\n"
      "      DATABASE: heroku-postgresql:essential-9\n"),
     "add-on plan heroku-postgresql:essential-9 does not exist; did you mean heroku-postgresql:essential-"),
    (("    name: tmi-server-staging\n", "    name: tmi-server\n"),
     "the app name tmi-server is taken by another Heroku account"),
    (("      web: {quantity: 1, size: eco}", "      web: {quantity: 1, size: standard-3x}"),
     "[DYNO-SIZE] apps.client: formation.web: size 'standard-3x' is not a Common Runtime dyno size"),
])
def test_what_heroku_refuses_is_a_plan_error_and_apply_writes_nothing(cli: Any, tmp_path: Path,
                                                                       edit: tuple[str, str], expected: str) -> None:
    staging = tmp_path / "environments" / "staging.yml"
    assert edit[0] in staging.read_text()
    staging.write_text(staging.read_text().replace(*edit))
    planned = cli("--sandbox", "plan", "staging")
    assert planned.exit_code == 1 and expected in planned.output, planned.output
    assert "environments/staging.yml:" in planned.output
    assert planned.output.count("1 error in the plan") == 1  # reported once, not by two checks
    before = writes_in_state_file(tmp_path)
    refused = cli("--sandbox", "apply", "staging", "--yes")
    assert refused.exit_code == 1 and expected in refused.output
    assert writes_in_state_file(tmp_path) == before


def test_a_size_the_live_catalogue_lacks_is_a_plan_error() -> None:
    from tests.harness import inputs, load
    from tmi_deploy.plan.planner import plan_environment
    from tmi_deploy.plan.state import Live

    env = load("main")
    live = Live(apps={}, plan_prices={}, dyno_costs={"basic": 700, "standard-1x": 2500})  # no eco here
    result = plan_environment(env, live, inputs())
    [error] = [b for b in result.blockers if b.kind == "error" and "dyno size" in b.reason]
    assert error.reason == "dyno size eco does not exist; see `heroku ps:type`" and error.app == "tmi-scn-client"
