"""What every apply step sees: the client, the reviewed plan, live state as it evolves, options, report.

Kept apart from the applier (apply/run.py) so resource-kind modules can build their steps on it without
importing the applier, which imports them.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tmi_deploy.config.models import Environment, Role
from tmi_deploy.plan.model import Change, EnvironmentPlan
from tmi_deploy.plan.state import Live, LiveApp
from tmi_deploy.plan.values import Inputs

if TYPE_CHECKING:  # the planner imports the kinds; it must not load the HTTP client
    from tmi_deploy.heroku.client import HerokuClient

Action = Callable[[], Awaitable[None]]


@dataclass(frozen=True)
class Step:
    """One named write (or wait) of an apply; ``phase`` places it in the run (see kinds/base.py)."""

    phase: int
    name: str
    action: Action


@dataclass
class ApplyOptions:
    provision_timeout: float = 600.0
    poll_interval: float = 5.0
    progress: Callable[[str], None] = lambda message: None
    stop_requested: Callable[[], bool] = lambda: False
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep


@dataclass
class ApplyReport:
    applied: list[str] = field(default_factory=list)
    releases: dict[str, int] = field(default_factory=dict)  # config PATCHes per app (each is one release)
    web_urls: dict[str, str] = field(default_factory=dict)  # app name -> public URL, as known after apply


@dataclass
class ApplyContext:
    client: HerokuClient
    env: Environment
    plan: EnvironmentPlan
    live: Live  # the state the plan was made from, updated as the apply learns (a created app's URL)
    inputs: Inputs
    options: ApplyOptions
    report: ApplyReport

    def changes(self, kind: str) -> list[Change]:
        return [change for change in self.plan.changes if change.kind == kind]

    def app_created(self, role: Role, web_url: str | None) -> None:
        """A created app exists from now on; its URL feeds the other app's derived values."""
        current = self.live.apps.get(role) or LiveApp(role=role, name=self.env.apps[role].name, exists=False)
        self.live = self.live.with_app(current.model_copy(update={"exists": True, "web_url": web_url}))
        if web_url:
            self.report.web_urls[current.name] = web_url
