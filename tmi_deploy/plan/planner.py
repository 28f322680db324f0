"""Desired + Live -> EnvironmentPlan. Pure: no I/O, equal inputs give equal plans.

Each resource kind of the registry (tmi_deploy/kinds) compares its own part; each difference becomes a
typed Change carrying what the applier needs, and whatever apply would stop on becomes a Blocker in the
plan itself. Costs, the Eco pool and the share of deleted vars are judged here, across kinds.
"""

from __future__ import annotations

from collections.abc import Iterable

from tmi_deploy.config.models import Environment
from tmi_deploy.errors import Problem
from tmi_deploy.kinds import REGISTRY, change_order
from tmi_deploy.kinds.base import PlanContext
from tmi_deploy.plan.blockers import Notes, delete_share, findings_as_blockers, with_consents
from tmi_deploy.plan.costs import ECO_POOL_HOURS, HOURS_PER_MONTH, app_costs
from tmi_deploy.plan.model import AppSummary, Change, EnvironmentPlan
from tmi_deploy.plan.state import Live, LiveApp
from tmi_deploy.plan.values import Inputs


def plan_environment(env: Environment, live: Live, inputs: Inputs, findings: Iterable[Problem] = (),
                     allowed: Iterable[str] = ()) -> EnvironmentPlan:
    """``findings``: lint problems of the declaration; ``allowed``: consents given on the command line."""
    notes = Notes()
    findings_as_blockers(findings, notes)
    changes: list[Change] = []
    summaries: list[AppSummary] = []
    eco = [0, 0]
    for role, app in env.apps.items():
        live_app = live.apps.get(role) or LiveApp(role=role, name=app.name, exists=False)
        ctx = PlanContext(env=env, app=app, live_app=live_app, live=live, inputs=inputs, notes=notes)
        app_changes = [change for kind in REGISTRY for change in kind.plan(ctx)]
        changes.extend(app_changes)
        before, after, eco_before, eco_after = app_costs(app, live_app, live, app_changes)
        eco = [eco[0] + eco_before, eco[1] + eco_after]
        summary = AppSummary(role=role, name=app.name, exists=live_app.exists, cost_before_cents=before,
                             cost_after_cents=after, changes=len(app_changes), live_config_vars=len(live_app.config))
        delete_share(env, summary, app_changes, notes)
        summaries.append(summary)
    changes.sort(key=change_order)
    summaries.sort(key=lambda s: s.role != "server")
    if eco[1] * HOURS_PER_MONTH > ECO_POOL_HOURS:
        notes.warn(f"{eco[1]} Eco dynos share the account's {ECO_POOL_HOURS:,} Eco hours a month: more than one "
                   f"running all month ({HOURS_PER_MONTH} hours each) overruns the pool, and then every Eco dyno "
                   "of the account stops until the next month (they sleep after 30 minutes without traffic)")
    blockers = with_consents(notes.blockers, env, allowed, notes)
    return EnvironmentPlan(environment=env.name, tmi_version=env.tmi_version, file=env.file,
                           apps=tuple(summaries), changes=tuple(changes), warnings=tuple(notes.warnings),
                           blockers=blockers, eco_dynos=(eco[0], eco[1]))
