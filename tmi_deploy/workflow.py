"""plan -> check -> apply, strung together once for the CLI, the tests and the benchmarks.

An apply reads live state once (the plan it shows, or the stale check of a reviewed plan file),
refuses before its first write when the plan has blockers, then executes that very plan.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from tmi_deploy.apply.run import ApplyOptions, ApplyReport, apply_environment
from tmi_deploy.catalog.lint import lint
from tmi_deploy.config.models import Environment
from tmi_deploy.errors import PreflightFailed, SafetyBlocked, StalePlan
from tmi_deploy.heroku.client import HerokuClient
from tmi_deploy.heroku.reads import fetch_live, fetch_lives
from tmi_deploy.plan.blockers import describe_blocker
from tmi_deploy.plan.destroy import plan_destroy
from tmi_deploy.plan.model import EnvironmentPlan, Plan
from tmi_deploy.plan.planner import plan_environment
from tmi_deploy.plan.safety import stale_reasons
from tmi_deploy.plan.state import Live
from tmi_deploy.plan.values import Inputs


@dataclass(frozen=True)
class Planned:
    """A plan and the live state it was computed from (the applier starts from that state)."""

    plan: Plan
    lives: dict[str, Live]
    envs: dict[str, Environment]

    def only(self, name: str) -> EnvironmentPlan:
        return next(env for env in self.plan.environments if env.environment == name)


async def read_and_plan(client: HerokuClient, envs: list[Environment], inputs: Inputs,
                        allowed: Iterable[str] = ()) -> Planned:
    """One concurrent read of every environment, then the pure planner (lint findings included)."""
    lives = await fetch_lives(client, envs)
    consents = tuple(allowed)
    plans = tuple(plan_environment(env, live, inputs, lint(env), consents) for env, live in zip(envs, lives,
                                                                                                strict=True))
    return Planned(plan=Plan(environments=plans), lives={env.name: live for env, live in zip(envs, lives,
                                                                                            strict=True)},
                   envs={env.name: env for env in envs})


async def read_and_plan_accounts(accounts: list[tuple[HerokuClient, Inputs, list[Environment]]],
                                 allowed: Iterable[str] = ()) -> Planned:
    """Environments of several accounts, each read with its own client, concurrently; order kept."""
    parts = await asyncio.gather(*(read_and_plan(client, envs, inputs, allowed) for client, inputs, envs in accounts))
    order = [env.name for _, _, envs in accounts for env in envs]
    plans = {env.environment: env for part in parts for env in part.plan.environments}
    return Planned(plan=Plan(environments=tuple(plans[name] for name in order)),
                   lives={name: live for part in parts for name, live in part.lives.items()},
                   envs={name: env for part in parts for name, env in part.envs.items()})


async def read_for_destroy(client: HerokuClient, env: Environment, allowed: Iterable[str] = ()) -> Planned:
    """The environment's live state and the plan that removes it (executed by ``apply_planned``)."""
    live = await fetch_live(client, env)
    plan = Plan(environments=(plan_destroy(env, live, allowed),))
    return Planned(plan=plan, lives={env.name: live}, envs={env.name: env})


def check_reviewed(saved: dict[str, Any], planned: Planned, name: str) -> None:
    """Exit 4 unless the fresh plan for ``name`` is exactly the reviewed one."""
    envs = [e for e in saved.get("environments", []) if isinstance(e, dict) and e.get("environment") == name]
    if not envs:
        raise StalePlan(f"the saved plan has no environment '{name}'")
    fresh = Plan(environments=(planned.only(name),))
    reasons = stale_reasons({**saved, "environments": envs, "checksum": None}, fresh)
    if reasons:
        raise StalePlan("the saved plan is stale:\n  " + "\n  ".join(reasons) +
                        f"\nRun `tmi-deploy plan {name} --out FILE` again and review it.")


def gate(env_plan: EnvironmentPlan, action: str = "apply") -> None:
    """Refuse before any write: errors exit 1, refusals and missing consents exit 3; all listed at once."""
    blockers = env_plan.open_blockers
    if not blockers:
        return
    text = "\n".join(describe_blocker(b) for b in blockers)
    if any(b.kind == "error" for b in blockers):
        raise PreflightFailed(f"{action} of {env_plan.environment} refused before any change (pre-flight):\n{text}")
    raise SafetyBlocked(f"{action} of {env_plan.environment} blocked by safety rules; nothing was changed:\n{text}")


async def apply_planned(client: HerokuClient, planned: Planned, name: str, inputs: Inputs,
                        options: ApplyOptions) -> ApplyReport:
    env_plan = planned.only(name)
    gate(env_plan)
    return await apply_environment(client, planned.envs[name], env_plan, planned.lives[name], inputs, options)
