"""The shape of a Heroku resource kind: one module per kind, listed once in ``kinds.REGISTRY``.

A kind says, for its own resource:

- ``reads(app, everything)``: the per-app GETs it needs (``AppRead``: a path under /apps/{name}/), so the
  live reader starts them all together with everything else (one round trip);
- ``parse(found)``: the answers of those reads (and the account-wide lists) -> updates of the frozen
  ``LiveApp``. Kinds added after the first seven keep their state in ``LiveApp.resources[name]`` (no edit
  of plan/state.py needed);
- ``plan(ctx)``: desired + live -> typed Changes (pure; problems go to ``ctx.notes``);
- ``steps(ctx)``: the apply steps for this kind's changes, each with a phase (below);
- ``describe(change)``: the one-line text of a change for the terminal, or None for the generic form;
- ``export(app)``: the environment-file section ``import`` writes for this kind, or {}.

Phases order an apply across kinds. Creates come first, destroys last, so an interrupted apply never
leaves an app pointing at something that no longer exists:

    0 apps   10 domains   20 add-ons   25 wait for add-ons   30 config vars (one release per app)
    40 features   50 buildpacks   55 builds   60 formation   70 collaborators   90 add-on destroys
    100 app destroys
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from tmi_deploy.apply.context import ApplyContext, Step
from tmi_deploy.config.models import AppDesired, Environment
from tmi_deploy.plan.blockers import Notes
from tmi_deploy.plan.model import Change
from tmi_deploy.plan.state import Live, LiveApp
from tmi_deploy.plan.values import Inputs

APPS, DOMAINS, ADDONS, ADDON_WAIT, CONFIG, FEATURES, BUILDPACKS, BUILDS, FORMATION, COLLABORATORS = (
    0, 10, 20, 25, 30, 40, 50, 55, 60, 70)
ADDON_DESTROYS, APP_DESTROYS = 90, 100


@dataclass(frozen=True)
class AppRead:
    """One GET of an app's sub-resource: ``/apps/{name}/{path}``; ``listing`` pages with ``range_field``."""

    path: str
    listing: bool = True
    range_field: str = "id"


@dataclass(frozen=True)
class Account:
    """What is read once per account and run, for every environment of it."""

    apps: dict[str, dict[str, Any]]  # name -> app
    addons: list[dict[str, Any]]
    attachments: list[dict[str, Any]]
    dyno_costs: dict[str, int]
    plan_prices: dict[str, int]
    unknown_plans: dict[str, tuple[str, ...]]


@dataclass(frozen=True)
class Found:
    """What a kind parses for one existing app."""

    app: Mapping[str, Any]  # the app as the account's list shows it
    answers: tuple[Any, ...]  # the answers to this kind's reads, in order
    account: Account
    config: dict[str, str]  # the app's config vars (add-ons tell their vars apart by them)


@dataclass(frozen=True)
class PlanContext:
    env: Environment
    app: AppDesired
    live_app: LiveApp
    live: Live
    inputs: Inputs
    notes: Notes


class ResourceKind(Protocol):
    name: str  # the ``kind`` of its Changes

    def reads(self, app: AppDesired, everything: bool) -> tuple[AppRead, ...]: ...

    def parse(self, found: Found) -> dict[str, Any]: ...

    def plan(self, ctx: PlanContext) -> list[Change]: ...

    def steps(self, ctx: ApplyContext) -> list[Step]: ...

    def describe(self, change: Change) -> str | None: ...

    def label(self, change: Change) -> str: ...

    def export(self, app: LiveApp) -> dict[str, Any]: ...


class Kind:
    """Defaults for a kind that needs no reads, no import section and the generic description."""

    name = ""

    def reads(self, app: AppDesired, everything: bool) -> tuple[AppRead, ...]:
        return ()

    def parse(self, found: Found) -> dict[str, Any]:
        return {}

    def plan(self, ctx: PlanContext) -> list[Change]:
        return []

    def steps(self, ctx: ApplyContext) -> list[Step]:
        return []

    def describe(self, change: Change) -> str | None:
        return None

    def label(self, change: Change) -> str:
        """How the generic description names the changed thing (escaped by the renderer)."""
        key = f"{change.renamed_from} → {change.key}" if change.renamed_from else change.key
        return f"{self.name} {key}"

    def export(self, app: LiveApp) -> dict[str, Any]:
        return {}


def listed(value: Any) -> list[dict[str, Any]]:
    """A list answer, or nothing (404, not read)."""
    return value if isinstance(value, list) else []
