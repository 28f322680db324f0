"""Environments across Heroku accounts: each names the variable holding its token, one run plans them
all with one client per account, and validate counts apps per account or team against Heroku's limit."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from tests.harness import SCENARIOS, load
from tmi_deploy.config.accounts import app_limit_problems, by_account
from tmi_deploy.config.loader import load_environment

SECRETS = {"SCN_GITHUB_SECRET": "gh-secret-value-1"}


def two_accounts(folder: Path) -> None:
    folder.mkdir(exist_ok=True)
    shutil.copy(SCENARIOS / "_base.yml", folder / "_base.yml")
    for name, token_env in (("alpha", "HEROKU_API_KEY_ALPHA"), ("beta", "HEROKU_API_KEY_BETA")):
        (folder / f"{name}.yml").write_text(
            f"extends: _base.yml\nheroku: {{token_env: {token_env}}}\n"
            f"apps:\n  server: {{name: tmi-{name}-server}}\n  client: {{name: tmi-{name}-client}}\n")


def test_one_run_plans_environments_of_two_accounts(cli: Any, tmp_path: Path, served: tuple[Any, str]) -> None:
    _, url = served
    two_accounts(tmp_path / "accounts")
    tokens = {"HEROKU_API_KEY_ALPHA": "token-a", "HEROKU_API_KEY_BETA": "token-b"}
    both = cli("--environments", "accounts", "--api-url", url, "plan", "alpha", "beta", env={**SECRETS, **tokens})
    assert both.exit_code == 0, both.output
    assert "API requests: " in both.output and "for $HEROKU_API_KEY_ALPHA" in both.output
    assert "for $HEROKU_API_KEY_BETA" in both.output
    missing = cli("--environments", "accounts", "--api-url", url, "plan", "alpha", "beta",
                  env={**SECRETS, "HEROKU_API_KEY_ALPHA": "token-a"})
    assert missing.exit_code == 1 and "$HEROKU_API_KEY_BETA is not set" in missing.output
    assert "token-a" not in missing.output


def test_environments_group_by_account(tmp_path: Path) -> None:
    two_accounts(tmp_path)
    envs = [load_environment(tmp_path, "alpha"), load_environment(tmp_path, "beta"), load("main")]
    assert {account: [e.name for e in group] for account, group in by_account(envs).items()} == {
        "HEROKU_API_KEY_ALPHA": ["alpha"], "HEROKU_API_KEY_BETA": ["beta"], "HEROKU_API_KEY": ["main"]}


def test_app_limit_counts_apps_per_account_across_environments(tmp_path: Path) -> None:
    two_accounts(tmp_path)
    (tmp_path / "gamma.yml").write_text("extends: _base.yml\napps:\n  server: {name: tmi-gamma-server}\n"
                                        "  client: {name: tmi-gamma-client}\n")
    envs = [load_environment(tmp_path, name) for name in ("alpha", "beta", "gamma")] + [load("main")]
    assert app_limit_problems(envs, limit=4) == []  # four apps under the default account, two under each other
    [problem] = app_limit_problems(envs, limit=3)
    assert problem.code == "APP-LIMIT" and problem.severity == "error"
    assert problem.message.startswith("4 apps are declared for the account of $HEROKU_API_KEY across 2 environments")
