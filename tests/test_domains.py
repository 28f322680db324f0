"""Custom domains on the tool side: `domains:` per app, `url:` defaulting to the first domain, derived
origins using it (docs/domains.md)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import make_sandbox
from tests.harness import SCENARIOS, applied_scenario, apply, load, plan, summary
from tmi_deploy.catalog.lint import lint
from tmi_deploy.config.loader import load_environment
from tmi_deploy.config.models import Environment
from tmi_deploy.errors import TmiDeployError
from tmi_deploy.kinds import domains
from tmi_deploy.kinds.domains import LiveDomain, LiveDomains
from tmi_deploy.plan.render import render_text
from tmi_deploy.plan.state import LiveApp

SECRETS = {"SCN_GITHUB_SECRET": "gh-secret-value-1"}


def env_dir(tmp_path: Path, overlay: str) -> Path:
    tmp_path.mkdir(exist_ok=True)
    (tmp_path / "_base.yml").write_text((SCENARIOS / "_base.yml").read_text())
    (tmp_path / "dom.yml").write_text("extends: _base.yml\n" + overlay)
    return tmp_path


def test_url_defaults_to_the_first_named_domain(tmp_path: Path) -> None:
    overlay = "apps:\n  client:\n    domains:\n      hostnames: ['*.example.com', tmi.example.com, www.example.com]\n"
    env = load_environment(env_dir(tmp_path, overlay), "dom")
    client = env.apps["client"]
    assert client.url == "https://tmi.example.com"  # a wildcard is no origin
    assert client.domains is not None and client.domains.hostnames[1] == "tmi.example.com" and client.domains.acm
    assert env.apps["server"].domains is None and env.apps["server"].url is None  # undeclared: left alone


def test_an_explicit_url_wins_and_must_be_one_of_the_domains(tmp_path: Path) -> None:
    overlay = ("apps:\n  client:\n    url: https://app.example.com/\n    domains:\n"
               "      hostnames: [tmi.example.com]\n      acm: false\n")
    env = load_environment(env_dir(tmp_path, overlay), "dom")
    assert env.apps["client"].url == "https://app.example.com"
    assert [p.code for p in lint(env) if p.code.startswith("DOMAIN")] == ["DOMAIN-URL"]


def test_derived_origins_use_the_custom_domain(tmp_path: Path) -> None:
    overlay = "apps:\n  client:\n    domains:\n      hostnames: [tmi.example.com]\n      acm: false\n"
    env = load_environment(env_dir(tmp_path, overlay), "dom")
    result = plan(make_sandbox(), env, SECRETS)
    values = {c.key: c.new for c in result.environments[0].changes if c.kind == "config"}
    assert values["TMI_CORS_ALLOWED_ORIGINS"] == "https://tmi.example.com"
    assert values["TMI_OAUTH_CLIENT_CALLBACK_ALLOWLIST"] == "https://tmi.example.com/*"
    without = {c.key: c.new for c in plan(make_sandbox(), load("main"), SECRETS).environments[0].changes}
    assert "tmi.example.com" not in str(without.get("TMI_CORS_ALLOWED_ORIGINS"))


@pytest.mark.parametrize("hostnames", ["tmi.example.com", "[[a]]", "{a: b}"])
def test_hostnames_must_be_a_list_of_text(tmp_path: Path, hostnames: str) -> None:
    overlay = f"apps:\n  client:\n    domains:\n      hostnames: {hostnames}\n"
    with pytest.raises(TmiDeployError) as caught:
        load_environment(env_dir(tmp_path, overlay), "dom")
    assert "dom.yml:" in str(caught.value) and "hostnames" in str(caught.value)


# ---- the domain kind end to end against the sandbox ---------------------------------------------

def domains_env(tmp_path: Path, server_domains: str) -> Environment:
    return load_environment(env_dir(tmp_path, f"apps:\n  server:\n    domains: {server_domains}\n"), "dom")


def domain_reads(box: Any) -> dict[str, int]:
    return dict(box.state["stats"]["requests"].get("GET /apps/{app}/domains", {}))


def test_plan_shows_each_domain_and_acm_and_apply_converges(tmp_path: Path) -> None:
    box = applied_scenario(SECRETS)
    env = domains_env(tmp_path, "{hostnames: [api.example.com, tmi.example.com]}")
    first = plan(box, env, SECRETS)
    assert {("server", "domain", "create", "api.example.com"), ("server", "domain", "create", "tmi.example.com"),
            ("server", "domain", "update", "ACM")} <= summary(first)
    text = render_text(first)
    assert "+ domain api.example.com (DNS target known after apply)  (ACM on)" in text
    assert "~ ACM (Automated Certificate Management): off -> on" in text
    callback = next(c for c in first.environments[0].changes if c.key == "TMI_OAUTH_CALLBACK_URL")
    assert callback.new == "https://api.example.com/oauth2/callback"  # the derived origin uses the first domain
    progress: list[str] = []
    apply(box, env, SECRETS, progress=progress.append)
    server = box.platform.find_app("tmi-scn-server")
    targets = {d["hostname"]: d["cname"] for d in server["domains"]}
    assert set(targets) == {"api.example.com", "tmi.example.com"} and server["acm"] is True
    assert any(f"point DNS for api.example.com at {targets['api.example.com']}" in line for line in progress)
    for domain in server["domains"]:
        domain["ready_at"] = time.time() + 3600  # Heroku has not prepared the DNS target yet
    again = plan(box, env, SECRETS)
    assert again.environments[0].changes == ()
    assert any("point its DNS" in w and targets["tmi.example.com"] in w for w in again.environments[0].warnings)


def test_removing_a_domain_shows_its_dns_target_and_turns_acm_off(tmp_path: Path) -> None:
    box = applied_scenario(SECRETS)
    apply(box, domains_env(tmp_path / "a", "{hostnames: [api.example.com]}"), SECRETS)
    target = box.platform.find_app("tmi-scn-server")["domains"][0]["cname"]
    env = domains_env(tmp_path / "b", "{hostnames: [], acm: false}")
    result = plan(box, env, SECRETS)
    assert f"- domain api.example.com (was DNS target {target})" in render_text(result)
    apply(box, env, SECRETS)
    server = box.platform.find_app("tmi-scn-server")
    assert server["domains"] == [] and server["acm"] is False
    assert plan(box, env, SECRETS).environments[0].changes == ()


def test_undeclared_domains_are_left_alone_and_not_read(tmp_path: Path) -> None:
    box = applied_scenario(SECRETS)
    box.platform.add_domain(box.platform.find_app("tmi-scn-client"), {"hostname": "hand.example.com"})
    box.state["stats"]["requests"].clear()
    env = domains_env(tmp_path, "{hostnames: [api.example.com], acm: false}")
    result = plan(box, env, SECRETS)
    assert not any(c.kind == "domain" and c.app == "tmi-scn-client" for c in result.environments[0].changes)
    assert domain_reads(box) == {"tmi-scn-server": 1}  # one request, only for the app that declares domains


def test_acm_on_live_eco_dynos_is_a_blocker_at_plan_time(tmp_path: Path) -> None:
    box = applied_scenario(SECRETS)
    overlay = "apps:\n  client:\n    formation: null\n    domains: {hostnames: [tmi.example.com]}\n"
    result = plan(box, load_environment(env_dir(tmp_path, overlay), "dom"), SECRETS)
    reasons = [b.reason for b in result.environments[0].blockers]
    assert any("domains.acm needs Basic dynos or above" in r and "web" in r for r in reasons), reasons
    with pytest.raises(TmiDeployError):
        apply(box, load_environment(env_dir(tmp_path, overlay), "dom"), SECRETS)
    assert box.platform.find_app("tmi-scn-client").get("domains", []) == []  # refused before the first write


def test_import_writes_the_live_domains() -> None:
    state = LiveDomains(acm=True, domains=(LiveDomain(hostname="api.example.com", cname="a.herokudns.com",
                                                      status="succeeded"),))
    live = LiveApp(role="server", name="tmi-x", exists=True, resources={"domain": (state,)})
    assert domains.KIND.export(live) == {"domains": {"hostnames": ["api.example.com"], "acm": True}}
    assert domains.KIND.export(live.model_copy(update={"resources": {}})) == {}


@pytest.mark.parametrize(("hostnames", "expected"), [
    ("[tmi.example.com, tmi.example.com]", "declared for tmi-scn-client and tmi-scn-client"),
    ('["tmi.example.com\\n"]', "tmi.example.com\\n is invalid"),
    ('["tmi.example.com\\u202e"]', "tmi.example.com\\u202e is invalid"),
    ("[tmi.herokuapp.com]", "in a Heroku domain"),
])
def test_hostile_hostnames_are_refused_by_validate_with_escaped_text(tmp_path: Path, hostnames: str,
                                                                      expected: str) -> None:
    overlay = f"apps:\n  client:\n    domains: {{hostnames: {hostnames}, acm: false}}\n"
    found = [p for p in lint(load_environment(env_dir(tmp_path, overlay), "dom")) if p.code == "DOMAIN"]
    assert found and expected in found[0].message, [p.message for p in found]
    assert all("\n" not in p.message + p.hint and "\u202e" not in p.message + p.hint for p in found)
