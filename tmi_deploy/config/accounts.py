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


def shared_app_problems(envs: Iterable[Environment]) -> list[Problem]:
    """An app declared by two environments would be written (or destroyed) by both."""
    owners: dict[str, list[Environment]] = defaultdict(list)
    for env in envs:
        for app in env.apps.values():
            owners[app.name].append(env)
    return [Problem(claims[1].file, 1, 1, "", f"app {name} is declared by {', '.join(e.name for e in claims)}; "
                    "each Heroku app belongs to one environment", "give every environment its own app names",
                    code="APP-OWNER")
            for name, claims in sorted(owners.items()) if len(claims) > 1]


def ensure_sole_owner(env: Environment, others: Iterable[Environment]) -> None:
    """Refuse to write to or destroy an app another environment declares (e.g. a template's instance)."""
    from tmi_deploy.errors import TmiDeployError

    mine = {app.name for app in env.apps.values()}
    clashes = sorted({app.name for other in others if other.name != env.name for app in other.apps.values()} & mine)
    if clashes:
        raise TmiDeployError(f"{env.name} declares {', '.join(clashes)}, which another environment declares too; "
                             "refusing to touch an app that belongs to another environment")
