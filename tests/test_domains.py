"""Custom domains on the tool side: `domains:` per app, `url:` defaulting to the first domain, derived
origins using it (docs/domains.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import make_sandbox
from tests.harness import SCENARIOS, load, plan
from tmi_deploy.catalog.lint import lint
from tmi_deploy.config.loader import load_environment
from tmi_deploy.errors import TmiDeployError

SECRETS = {"SCN_GITHUB_SECRET": "gh-secret-value-1"}


def env_dir(tmp_path: Path, overlay: str) -> Path:
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
