"""Fuzz: random environment files and random live config through load, plan, every renderer and import.

Canary secrets are planted where the classifier must hide them (under secret names, as URL
passwords, as key-shaped values, in the deployer's environment, in `sensitive: true` literals). No
input may raise anything but a one-line ConfigError, and no canary may reach any output.
Derandomized with a bounded number of examples, so CI is stable and the test takes seconds.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.harness import inputs
from tmi_deploy.catalog.variables import CURRENT_SERVER
from tmi_deploy.config.loader import load_environment
from tmi_deploy.errors import ConfigError
from tmi_deploy.plan.importer import build_environment_yaml
from tmi_deploy.plan.model import Plan
from tmi_deploy.plan.planner import plan_environment
from tmi_deploy.plan.render import render_json, render_markdown, render_text
from tmi_deploy.plan.state import Live, LiveAddon, LiveApp

CANARY = "CANARY0a1b2c3d4e5f60718293a4b5c6d7e8f9"  # key-shaped: hidden under any name
DB_URL = f"postgres://udb:{CANARY}x@db.example.com:5432/tmi"
ENVIRON = {"FUZZ_SECRET": CANARY + "env"}
SECRET_NAMES = [v.name for v in CURRENT_SERVER if v.secret] + ["SMTP_PASS", "MY_API_KEY", "X_TOKEN", "DB_PASSWORD",
                                                                "JWT_SECRET"]
# Names drawn from a small pool, so declared and live config often share a name (the old/new side rules).
POOL = ["TMI_JWT_SECRET", "TMI_DATABASE_URL", "SMTP_PASS"]
# LOGGING_LEVEL and JWT_SECRET live next to declared TMI_ names make renames.
PUBLIC_NAMES = ["TMI_LOG_LEVEL", "TMI_OPERATOR_NAME", "SENTRY_URL", "OAUTH_PROVIDERS_GITHUB_TOKEN_URL", "AAA_NOTE",
                "LOGGING_LEVEL"]

hostile_text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12) | st.sampled_from(
    ["harmless\r\r<!--", "a|b", "`x`", "<script>", "\x1b[31m", "@x", "{y", "[z", "'q", "\t", "1.8.22\n\n**No changes.**"])
var_name = st.one_of(st.sampled_from(POOL), st.sampled_from(POOL), st.sampled_from(PUBLIC_NAMES),
                     st.sampled_from(SECRET_NAMES), st.from_regex(r"[A-Z_][A-Z0-9_]{0,12}", fullmatch=True))
# "pre CANARY" is not key-shaped: only a secret name (or declaration) hides it.
secret_value = st.sampled_from([CANARY, f"https://user:{CANARY}@hooks.example.com/x", "pre " + CANARY, "pre " + CANARY])

value_source: st.SearchStrategy[Any] = st.one_of(
    hostile_text,
    st.builds(lambda v: {"value": v, "sensitive": True}, secret_value),
    st.builds(lambda v: {"value": v, "sensitive": False}, hostile_text),
    st.builds(lambda v: {"value": v, "sensitive": True}, hostile_text),
    st.just({"secret_env": "FUZZ_SECRET"}),
    st.builds(lambda p: {"addon": "DATABASE", "part": p}, st.sampled_from(["url", "host", "port", "user", "password",
                                                                           "database"])),
    st.builds(lambda p: {"prompt": p}, hostile_text),
    st.just({"generate": "hex", "bytes": 32}),
    st.recursive(st.none() | st.integers() | hostile_text,
                 lambda inner: st.lists(inner, max_size=3) | st.dictionaries(hostile_text, inner, max_size=3),
                 max_leaves=6),
)


def _live_value(name: str, value: str) -> str:
    """A public name holding a non-key value with the canary would be shown by design: not planted."""
    return value if name in SECRET_NAMES or value != "pre " + CANARY else CANARY


live_config = st.dictionaries(var_name, secret_value | hostile_text, max_size=4).map(
    lambda config: {name: _live_value(name, value) for name, value in config.items()})
# (name, declaration, live value): declared and live under one name, where old and new sides meet.
shared_vars = st.lists(st.tuples(var_name, value_source, secret_value | hostile_text), max_size=6)


def _live(config: dict[str, str]) -> Live:
    database = LiveAddon(id="a1", name="postgresql-fuzz-1", service="heroku-postgresql",
                         plan="heroku-postgresql:essential-0", state="provisioned", attachments=("DATABASE",),
                         config_vars=("DATABASE_URL",), price_cents=500, owned_here=True)
    server = LiveApp(role="server", name="tmi-fuzz-server", exists=True, id="s1", web_url="https://s.example/",
                     region="us", stack="heroku-24", config={**config, "DATABASE_URL": DB_URL}, addons=(database,))
    return Live(apps={"server": server}, plan_prices={}, dyno_costs={})


def _environment_file(config: dict[str, Any], version: str, prune: bool) -> str:
    document = {"tmi_version": version, "policy": {"prune": prune},
                "apps": {"server": {"name": "tmi-fuzz-server", "addons": {"DATABASE": "heroku-postgresql:essential-0"},
                                    "config": config}}}
    return yaml.safe_dump(document, allow_unicode=True)


def _assert_clean(*outputs: str) -> None:
    for output in outputs:
        assert CANARY not in output


@settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
# The cases, always run first; random examples explore around them.
@example(shared=[("SMTP_PASS", {"value": "a", "sensitive": False}, "pre " + CANARY),
                 ("TMI_DATABASE_URL", {"addon": "DATABASE", "part": "host"}, DB_URL),
                 ("SENTRY_URL", "https://sentry.example.com/1", f"https://user:{CANARY}@sentry.example.com/1")],
         declared_only={}, live_only={"X_TOKEN": "pre " + CANARY}, version="1.8.22", prune=True)
@example(shared=[], declared_only={"TMI_LOG_LEVEL": "info", "TMI_JWT_SECRET": {"generate": "hex", "bytes": 32}},
         live_only={"LOGGING_LEVEL": "debug", "JWT_SECRET": "pre " + CANARY}, version="1.8.22", prune=True)
@given(shared=shared_vars, declared_only=st.dictionaries(var_name, value_source, max_size=3), live_only=live_config,
       version=st.sampled_from(["1.8.22", "1.8.22", "0.270.3"]) | hostile_text, prune=st.booleans())
def test_random_files_and_live_config_never_crash_or_leak(shared: list[tuple[str, Any, str]],
                                                          declared_only: dict[str, Any], live_only: dict[str, str],
                                                          version: str, prune: bool) -> None:
    declared = {**declared_only, **{name: source for name, source, _ in shared}}
    live = {**live_only, **{name: _live_value(name, value) for name, _, value in shared}}
    with tempfile.TemporaryDirectory() as folder:
        Path(folder, "fuzz.yml").write_text(_environment_file(declared, version, prune), encoding="utf-8")
        try:
            env = load_environment(Path(folder), "fuzz")
        except ConfigError as exc:
            _assert_clean(str(exc))
            return
    live_state = _live(live)
    result = Plan(environments=(plan_environment(env, live_state, inputs(ENVIRON)),))
    _assert_clean(render_text(result), render_text(result, color=True), render_markdown(result), render_json(result),
                  repr(result), build_environment_yaml(live_state, version, "fuzz"))
