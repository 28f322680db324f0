"""Renderers over hand-built plans, and the secret canary through every output."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from tests.conftest import make_sandbox
from tests.harness import apply, deploy, load, plan
from tmi_deploy.plan.model import AppSummary, Change, EnvironmentPlan, Plan
from tmi_deploy.plan.render import GITHUB_COMMENT_LIMIT, render_json, render_markdown, render_text

CANARY = "CANARY-7f3e-do-not-print"
LIVE_CANARY = "LIVECANARY-91aa"


def hand_plan(changes: int = 3, key_length: int = 10) -> Plan:
    items = [Change(role="server", app="tmi-x", kind="config", action="update", key=f"K{i:05d}".ljust(key_length, "X"),
                    old="a", new="b", origin="environments/x.yml:3") for i in range(changes)]
    items.append(Change(role="server", app="tmi-x", kind="config", action="create", key="TMI_JWT_SECRET",
                        new="(sensitive)", sensitive=True, value=CANARY))
    items.append(Change(role="server", app="tmi-x", kind="addon", action="replace", key="REDIS", old="heroku-redis:mini",
                        new="papertrail:choklad", detail="destructive", destructive=True))
    env = EnvironmentPlan(environment="production", tmi_version="1.8.22", file="environments/production.yml",
                          apps=(AppSummary(role="server", name="tmi-x", exists=True, cost_before_cents=800,
                                           cost_after_cents=1500, changes=len(items)),),
                          changes=tuple(items), warnings=("tmi-x: pipe | in a warning",))
    return Plan(environments=(env,))


def test_text_symbols_and_colour() -> None:
    result = hand_plan()
    plain = render_text(result)
    assert '  ~ config K00000XXXX: "a" -> "b"' in plain
    assert "  + config TMI_JWT_SECRET = (sensitive)" in plain
    assert "-/+ addon REDIS: heroku-redis:mini -> papertrail:choklad  (destructive)" in plain
    assert "Plan: 1 to create, 3 to update, 0 to delete, 1 to replace, 0 to rename; 0 errors, 0 blocked." in plain
    assert "$8.00 -> $15.00/month" in plain
    assert "\033[" not in plain
    coloured = render_text(result, color=True)
    assert "\033[33m  ~\033[0m" in coloured and "\033[35m-/+\033[0m" in coloured


def test_markdown_summary_groups_and_sources() -> None:
    text = render_markdown(hand_plan())
    assert "| server | `tmi-x` | exists | 1 | 3 | 0 | 1 | $8.00 → $15.00 |" in text
    assert "<details open><summary><b>server</b> <code>tmi-x</code>: 5 changes</summary>" in text
    assert "| `~` | config | `K00000XXXX` | `a` | `b` |  | environments/x.yml:3 |" in text
    assert "pipe \\| in a warning" in text


def test_markdown_stays_under_githubs_limit_with_a_pointer() -> None:
    big = hand_plan(changes=3000, key_length=60)
    text = render_markdown(big, "`plan.json`")
    assert len(text) < GITHUB_COMMENT_LIMIT
    assert "changes not shown" in text and "`plan.json`" in text
    assert len(render_markdown(hand_plan())) < 5000 and "not shown" not in render_markdown(hand_plan())


def test_json_is_versioned_and_documented() -> None:
    document = json.loads(render_json(hand_plan()))
    assert document["format_version"] == 1
    assert document["summary"] == {"create": 1, "update": 3, "delete": 0, "replace": 1, "rename": 0}
    assert document["checksum"] == hand_plan().checksum()
    change = document["environments"][0]["changes"][-2]
    assert set(change) >= {"role", "app", "kind", "action", "key", "old", "new", "sensitive", "after_apply", "origin"}
    assert "value" not in change
    schema = Plan.model_json_schema()
    assert "value" not in json.dumps(schema["$defs"]["Change"]["properties"])


def test_rendering_is_byte_identical_for_equal_inputs() -> None:
    assert render_text(hand_plan()) == render_text(hand_plan())
    assert render_json(hand_plan()) == render_json(hand_plan())


def test_secret_canary_never_appears(tmp_path: Path) -> None:
    """A secret from the deployer's env and a live secret value: in no format, not hashed either."""
    box = make_sandbox()
    secrets = {"SCN_GITHUB_SECRET": CANARY}
    apply(box, load("main"), {"SCN_GITHUB_SECRET": "old-value"})
    deploy(box, "tmi-scn-server")
    server = box.platform.find_app("tmi-scn-server")
    box.platform.patch_config(server, {"LEGACY_PASSWORD": LIVE_CANARY})
    result = plan(box, load("prune"), secrets)
    changed = {c.key for c in result.environments[0].changes}
    assert {"OAUTH_PROVIDERS_GITHUB_CLIENT_SECRET", "LEGACY_PASSWORD"} <= changed
    outputs = [render_text(result), render_text(result, color=True), render_markdown(result), render_json(result),
               repr(result), str(result.model_dump())]
    forbidden = [CANARY, LIVE_CANARY]
    for secret in (CANARY, LIVE_CANARY):
        for algorithm in ("md5", "sha1", "sha256", "sha512"):
            forbidden.append(hashlib.new(algorithm, secret.encode()).hexdigest()[:16])
    for output in outputs:
        for needle in forbidden:
            assert needle not in output
