"""Execute a reviewed EnvironmentPlan's typed changes, in a safe order, without re-planning.

Every resource kind (tmi_deploy/kinds) contributes its steps with a phase; the run is the steps sorted
by phase (kinds/base.py lists them): create apps -> add-ons -> wait until provisioned -> per app, one
config-var PATCH (values known only now resolved from a narrow re-read) -> features -> buildpacks ->
formation -> collaborators -> destroys. A re-read that shows anything the reviewed plan did not expect is
a stale plan (exit 4): nothing is written for it. A failed step stops the run and says what applied and
what did not; the next apply starts from live state and converges. Interrupts are honoured between steps.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from tmi_deploy.apply.context import ApplyContext, ApplyOptions, ApplyReport, Step
from tmi_deploy.config.models import Environment
from tmi_deploy.errors import ApplyFailed, HerokuAPIError, StalePlan
from tmi_deploy.kinds import REGISTRY
from tmi_deploy.plan.model import EnvironmentPlan
from tmi_deploy.plan.state import Live
from tmi_deploy.plan.values import Inputs

if TYPE_CHECKING:
    from tmi_deploy.heroku.client import HerokuClient

__all__ = ["ApplyOptions", "ApplyReport", "apply_environment"]


def ordered_steps(ctx: ApplyContext) -> list[Step]:
    """Every kind's steps, by phase; within a phase in registry order, then as the kind listed them."""
    return sorted((step for kind in REGISTRY for step in kind.steps(ctx)), key=lambda step: step.phase)


class Applier:
    def __init__(self, ctx: ApplyContext) -> None:
        self.ctx = ctx
        self.pending: list[str] = []

    async def run(self) -> ApplyReport:
        steps = ordered_steps(self.ctx)
        options, report = self.ctx.options, self.ctx.report
        self.pending = [step.name for step in steps]
        for step in steps:
            if options.stop_requested():
                raise self._failure("interrupted before this step")
            options.progress(f"{self.ctx.env.name}: {step.name} ...")
            try:
                await step.action()
            except StalePlan as exc:
                raise StalePlan(f"{exc}\n{self._progress_lines()}") from None
            except (HerokuAPIError, ApplyFailed) as exc:
                raise self._failure(str(exc)) from None
            self.pending.remove(step.name)
            report.applied.append(step.name)
        return report

    def _progress_lines(self) -> str:
        done = "\n".join(f"  applied:     {s}" for s in self.ctx.report.applied) or "  applied:     nothing"
        left = "\n".join(f"  not applied: {s}" for s in self.pending)
        return f"{done}\n{left}"

    def _failure(self, reason: str) -> ApplyFailed:
        name = self.ctx.env.name
        return ApplyFailed(f"apply of {name} stopped at '{self.pending[0] if self.pending else '?'}': "
                           f"{reason}\n{self._progress_lines()}\nRun `tmi-deploy plan {name}` to see what "
                           "is left; the next apply continues from live state.")


async def apply_environment(client: HerokuClient, env: Environment, plan: EnvironmentPlan, live: Live,
                            inputs: Inputs, options: ApplyOptions) -> ApplyReport:
    """``plan`` was computed from ``live`` (the one full read); ``inputs`` may prompt and generate."""
    if plan.open_blockers:
        raise ApplyFailed("the plan has blockers; refusing before any write")  # the workflow checks first
    report = ApplyReport(web_urls={a.name: a.web_url for a in live.apps.values() if a.web_url})
    ctx = ApplyContext(client=client, env=env, plan=plan, live=live, inputs=replace(inputs, applying=True),
                       options=options, report=report)
    return await Applier(ctx).run()
