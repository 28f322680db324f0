"""Environments grouped by the Heroku account (token) that holds them, and Heroku's app limit per
account or team (Dev Center "Limits": 100 apps per account, 100 per team, 200 per Enterprise team)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from tmi_deploy.config.models import Environment
from tmi_deploy.errors import Problem

APPS_PER_ACCOUNT_OR_TEAM = 100


def by_account(envs: Iterable[Environment]) -> dict[str, list[Environment]]:
    groups: dict[str, list[Environment]] = defaultdict(list)
    for env in envs:
        groups[env.account].append(env)
    return dict(groups)


def app_limit_problems(envs: Iterable[Environment], limit: int = APPS_PER_ACCOUNT_OR_TEAM) -> list[Problem]:
    """Apps declared per account (personal apps) or team, across every environment, against the limit."""
    holders: dict[str, dict[str, Environment]] = defaultdict(dict)
    for env in envs:
        for app in env.apps.values():
            holder = f"team {app.team}" if app.team else f"the account of ${env.account}"
            holders[holder].setdefault(app.name, env)
    problems = []
    for holder, apps in sorted(holders.items()):
        if len(apps) > limit:
            first = next(iter(apps.values()))
            problems.append(Problem(first.file, 1, 1, "", f"{len(apps)} apps are declared for {holder} across "
                                    f"{len({e.name for e in apps.values()})} environments; Heroku allows {limit} per "
                                    "account or team (200 per Enterprise team)",
                                    "spread environments over teams or accounts (heroku: {token_env: ...}) "
                                    "or remove unused ones", code="APP-LIMIT"))
    return problems
