"""Renderers over hand-built plans, and the secret canary through every output."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.token import Token

from tests.conftest import make_sandbox
from tests.harness import apply, deploy, load, plan
from tmi_deploy.plan.escape import UNSAFE, quoted
from tmi_deploy.plan.model import KNOWN_AFTER_APPLY, AppSummary, Blocker, Change, EnvironmentPlan, Plan
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
    plain = render_text(result, width=120)
    assert '  ~ config K00000XXXX: "a" -> "b"' in plain
    assert "  + config TMI_JWT_SECRET = (sensitive)" in plain
    assert "-/+ addon REDIS: heroku-redis:mini -> papertrail:choklad  (destructive)" in plain
    assert "Plan: 1 to create, 3 to update, 0 to delete, 1 to replace, 0 to rename; 0 errors, 0 blocked." in plain
    assert "$8.00 -> $15.00/month" in plain
    assert "\033[" not in plain
    coloured = render_text(result, color=True, width=120)
    assert "\033[33m  ~\033[0m" in coloured and "\033[35m-/+\033[0m" in coloured


def test_markdown_summary_groups_and_sources() -> None:
    text = render_markdown(hand_plan())
    assert "| server | `tmi-x` | exists | 1 | 3 | 0 | 1 | $8.00 → $15.00 |" in text
    assert "<details open><summary><b>server</b> <code>tmi-x</code>: 5 changes</summary>" in text
    assert "- `~` config `K00000XXXX`\\\n  `a` → `b`\\\n  declared at environments/x.yml:3\n" in text
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


# ---- render safety: hostile strings from files and live state (issue 12, case 3) -----------------

HOSTILE_VALUES = [
    "harmless\r\r<!--", "a | b", "TMI | staging `eu`", "```fenced```", "`edge`", "<script>alert(1)</script>",
    "line\nbreak", "nul\x00byte", "\x1b[31mred\x1b[0m", "back\\|slash", "  padded  ", "", "-->", "&lt;b&gt;",
    "**bold** _em_ [link](https://evil.example)", "\u202eevil", "tab\there", "ünï©ødé ✓",
]
HOSTILE_VERSION = "1.8.22\n\n**No changes.**\n<!--"
GFM = MarkdownIt("commonmark").enable("table")
OUR_HTML = re.compile(r"^(<details( open)?><summary>.*</summary>|</details>|<sub>|</sub>|<b>|</b>|<code>|</code>)\s*$",
                      re.DOTALL)


def hostile_plan() -> Plan:
    items = [Change(role="server", app="tmi-x", kind="config", action="update", key=f"K{i:02d}", old=value,
                    new=value[::-1] + "!", origin=f"environments/x.yml:{i}", detail=value)
             for i, value in enumerate(HOSTILE_VALUES)]
    items.append(Change(role="server", app="tmi-x", kind="config", action="create", key="AAA_NOTE",
                        new="harmless\r\r<!--", origin="environments/x.yml:1"))
    items.append(Change(role="server", app="tmi-x", kind="config", action="create", key="TMI_ADMIN_PROVIDER_ID",
                        new=KNOWN_AFTER_APPLY, after_apply=True, sensitive=True,
                        detail="asked at apply: Admin id\n| x | y |\r<!--"))
    env = EnvironmentPlan(environment="staging", tmi_version=HOSTILE_VERSION, file="environments/staging.yml",
                          apps=(AppSummary(role="server", name="tmi-x", exists=True, cost_before_cents=0,
                                           cost_after_cents=0, changes=len(items)),),
                          changes=tuple(items), warnings=("w\n\n# heading <!--", "- item | `x`"),
                          blockers=(Blocker(kind="error", app="tmi-x\r<!--", reason="bad\r\r<!--",
                                            origin="f.yml:1\n# h", procedure=("step\n# heading", "<script>")),))
    return Plan(environments=(env,))


def _values(children: list[Token]) -> list[tuple[str, str]]:
    """('value', exact string) per code span (unescaped if marked escaped), ('placeholder', text) per em."""
    values: list[tuple[str, str]] = []
    for i, child in enumerate(children):
        if child.type == "code_inline":
            values.append(("value", child.content))
        elif child.type == "em_open":
            values.append(("placeholder", children[i + 1].content))
        elif child.type == "text" and child.content.startswith(" (escaped)"):
            values[-1] = ("value", json.loads(values[-1][1]))
    return values


def _lines(children: list[Token]) -> list[list[Token]]:
    lines: list[list[Token]] = [[]]
    for child in children:
        if child.type == "hardbreak":
            lines.append([])
        else:
            lines[-1].append(child)
    return lines


Item = dict[str, tuple[str, str]]  # "symbol", "kind", "old", "new", "note": (kind of cell, exact text)


def _item(children: list[Token]) -> tuple[str, Item]:
    """One change's list item: head (symbol, kind, key), then its values, then its note line."""
    head, *rest = _lines(children)
    item: Item = {"symbol": ("text", head[0].content), "kind": ("text", head[1].content.strip())}
    key = head[2].content if len(head) > 2 else item["kind"][1]
    starts_values = bool(rest) and (rest[0][0].type in ("code_inline", "em_open") or rest[0][0].content == "was ")
    values = _values(rest[0]) if starts_values else []
    notes = rest[1:] if values else rest
    if item["symbol"][1] == "-" and values:
        item["old"] = values[0]
    elif len(values) == 2:
        item["old"], item["new"] = values
    elif values:
        item["new"] = values[0]
    item["note"] = ("text", "".join(c.content for line in notes for c in line))
    return key, item


def change_rows(markdown: str) -> dict[str, Item]:
    """Every change's list item, by key (a list item starting with a code span: the change's symbol)."""
    tokens = GFM.parse(markdown)
    rows: dict[str, Item] = {}
    for i, token in enumerate(tokens):
        if token.type == "inline" and tokens[i - 2].type == "list_item_open" and token.children \
                and token.children[0].type == "code_inline":
            key, item = _item(token.children)
            rows[key] = item
    return rows


def test_markdown_rows_all_visible_and_values_exact() -> None:
    text = render_markdown(hostile_plan())
    rows = change_rows(text)
    for i, value in enumerate(HOSTILE_VALUES):
        row = rows[f"K{i:02d}"]
        assert row["old"] == ("value", value) and row["new"] == ("value", value[::-1] + "!")
        detail = value.strip().replace("\r", "\\x0d").replace("\n", "\\x0a").replace("\x00", "\\x00").replace(
            "\x1b", "\\x1b").replace("\t", "\\x09").replace("\u202e", "\\u202e")
        assert row["note"][1] == (f"{detail} · " if detail else "") + f"declared at environments/x.yml:{i}"
    assert rows["AAA_NOTE"]["new"] == ("value", "harmless\r\r<!--")
    assert rows["TMI_ADMIN_PROVIDER_ID"]["new"] == ("placeholder", "(sensitive, known after apply)")
    assert len(rows) == len(HOSTILE_VALUES) + 2


def test_markdown_cannot_inject_html_headings_or_a_no_changes_line() -> None:
    tokens = GFM.parse(render_markdown(hostile_plan()))
    html = [t.content for t in tokens if t.type == "html_block"]
    html += [c.content for t in tokens if t.type == "inline" for c in t.children or [] if c.type == "html_inline"]
    assert html and all(OUR_HTML.match(h) for h in html), html
    headings = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"]
    assert headings == ["tmi-deploy plan", "`staging`: 20 changes", "18 to update", "2 to create"]
    paragraphs = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "paragraph_open"]
    assert not any(p.startswith("No changes") for p in paragraphs)
    strong = [t.children[i + 1].content for t in tokens if t.type == "inline" and t.children
              for i, c in enumerate(t.children[:-1]) if c.type == "strong_open"]
    assert strong == ["Apply will refuse this plan: 1 blocker.", "error", "total"]  # only tmi-deploy's own emphasis
    assert sum(p.startswith("Plan: 2 to create, 18 to update") for p in paragraphs) == 1
    version_line = next(p for p in paragraphs if p.startswith("TMI "))
    assert "\n" not in GFM.renderInline(version_line) and "No changes" in version_line  # shown, inert
    items = [t for t in tokens if t.type == "list_item_open"]
    assert len(items) == 5 + 20  # one blocker, its two steps, two warnings, one per change: none injected


def test_text_neutralises_control_characters_and_keeps_values_exact() -> None:
    text = render_text(hostile_plan())
    assert not UNSAFE.search(text.replace("\n", ""))
    lines = text.splitlines()
    for i, value in enumerate(HOSTILE_VALUES):
        [line] = [line for line in lines if f" config K{i:02d}: " in line]
        shown = line.split(f" config K{i:02d}: ", 1)[1]
        old = json.loads(shown[: len(quoted(value))])
        assert old == value
    assert sum("config" in line for line in lines) == len(HOSTILE_VALUES) + 2
    assert "(TMI 1.8.22\\x0a\\x0a**No changes.**\\x0a<!--," in text


def test_a_public_literal_equal_to_a_placeholder_is_quoted_as_a_value() -> None:
    change = Change(role="server", app="tmi-x", kind="config", action="create", key="WEIRD", new="(sensitive)")
    env = EnvironmentPlan(environment="e", tmi_version="1.8.22", file="f.yml", changes=(change,),
                          apps=(AppSummary(role="server", name="tmi-x", exists=True, cost_before_cents=0,
                                           cost_after_cents=0, changes=1),))
    assert '+ config WEIRD = "(sensitive)"' in render_text(Plan(environments=(env,)))
    assert change_rows(render_markdown(Plan(environments=(env,))))["WEIRD"]["new"] == ("value", "(sensitive)")


def test_hostile_environment_file_renders_every_row(tmp_path: Path) -> None:
    """The issue's reproduction: a note value with CR and an HTML comment, a prompt text with a newline
    and a pipe, a value with backticks. Every config row of the shipped staging plan stays visible."""
    environments = Path(__file__).resolve().parent.parent / "environments"
    (tmp_path / "_base.yml").write_text((environments / "_base.yml").read_text())
    (tmp_path / "s.yml").write_text(
        "extends: _base.yml\napps:\n  server:\n    name: tmi-server-staging\n    config:\n"
        '      AAA_NOTE: "harmless\\r\\r<!--"\n'
        '      TMI_OPERATOR_CONTACT: "TMI | staging `eu`"\n'
        '      TMI_ADMIN_PROVIDER_ID: {prompt: "Admin id\\n| x | y |\\r<!--"}\n'
        "  client:\n    name: tmi-ux-staging\n")
    result = plan(make_sandbox(), load("s", tmp_path))
    config = [c for c in result.environments[0].changes if c.kind == "config"]
    rows = change_rows(render_markdown(result))
    assert {key for key, row in rows.items() if row["kind"][1] == "config"} == {c.key for c in config}
    assert len(config) > 20
    assert rows["AAA_NOTE"]["new"] == ("value", "harmless\r\r<!--")
    assert rows["TMI_OPERATOR_CONTACT"]["new"] == ("value", "TMI | staging `eu`")
    assert rows["TMI_ADMIN_PROVIDER_ID"]["note"][1].startswith("asked at apply: Admin id\\x0a| x | y |\\x0d<!--")


def test_renderers_check_content_again_for_hand_built_plans() -> None:
    """A plan built without the planner (or read back) still never shows credentials or key-shaped text."""
    leaky = [Change(role="server", app="tmi-x", kind="config", action="update", key="SENTRY_URL",
                    old=f"https://user:{LIVE_CANARY}@s.example/1", new="https://s.example/1"),
             Change(role="server", app="tmi-x", kind="config", action="delete", key="HOOK", old="9f" * 32)]
    env = EnvironmentPlan(environment="e", tmi_version="1.8.22", file="f.yml", changes=tuple(leaky),
                          apps=(AppSummary(role="server", name="tmi-x", exists=True, cost_before_cents=0,
                                           cost_after_cents=0, changes=2),))
    result = Plan(environments=(env,))
    for output in (render_text(result), render_markdown(result)):
        assert LIVE_CANARY not in output and "9f" * 32 not in output
    assert '"https://user:••••@s.example/1" -> "https://s.example/1"' in render_text(result, width=120)
    assert "- config HOOK (was (sensitive))" in render_text(result)


def test_messages_quoting_a_secret_are_masked_in_every_format() -> None:
    """A lint finding or warning may quote a value: credentials and key-shaped words never get through."""
    quoted_url, key = f"postgres://u:{LIVE_CANARY}@h.example/db", "9f" * 32
    blocker = Blocker(kind="error", app="tmi-x", reason=f"'{quoted_url}' is not a boolean", procedure=(f"use {key}",))
    env = EnvironmentPlan(environment="e", tmi_version="1.8.22", file="f.yml", changes=(), blockers=(blocker,),
                          warnings=(f"tmi-x: {key} and {quoted_url} quoted",),
                          apps=(AppSummary(role="server", name="tmi-x", exists=True, cost_before_cents=0,
                                           cost_after_cents=0, changes=0),))
    result = Plan(environments=(env,))
    for output in (render_text(result), render_markdown(result), render_json(result)):
        assert LIVE_CANARY not in output and key not in output
    for output in (render_text(result), render_markdown(result), json.dumps(json.loads(render_json(result)),
                                                                            ensure_ascii=False)):
        assert "postgres://u:••••@h.example/db" in output


def test_text_blockers_cannot_forge_plan_lines() -> None:
    text = render_text(hostile_plan())
    assert not UNSAFE.search(text.replace("\n", ""))
    assert "bad\\x0d\\x0d<!--" in text and "step\\x0a# heading" in text
    assert not any(line.lstrip().startswith("# h") for line in text.splitlines())
