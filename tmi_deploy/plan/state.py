"""Live state as the planner sees it: frozen data read from Heroku, with no way to read more.

These models live beside the plan's own data so the pure core (planner, values, safety, renderers)
never imports the HTTP client; `tmi_deploy.heroku.reads` fills them over the network.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from tmi_deploy.config.models import Role


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class LiveAddon(Frozen):
    id: str
    name: str
    service: str
    plan: str
    state: str
    attachments: tuple[str, ...]  # attachment names on this app
    config_vars: tuple[str, ...]  # var names those attachments own on this app
    price_cents: int | None
    owned_here: bool


class LiveFormation(Frozen):
    quantity: int
    size: str  # lower case, e.g. standard-2x


class LiveApp(Frozen):
    role: Role
    name: str
    exists: bool
    foreign: bool = False  # the name is taken by an app this account cannot see (Heroku answered 403)
    id: str | None = None
    web_url: str | None = None
    region: str | None = None
    stack: str | None = None
    team: str | None = None
    config: dict[str, str] = {}
    addons: tuple[LiveAddon, ...] = ()
    features: dict[str, bool] = {}
    formation: dict[str, LiveFormation] = {}
    buildpacks: tuple[str, ...] = ()
    collaborators: tuple[str, ...] = ()
    owner: str | None = None
    # Kinds registered after the first seven keep their live state here, under their kind name
    # (tmi_deploy/kinds/base.py), so adding a kind needs no new field.
    resources: dict[str, tuple[BaseModel, ...]] = {}

    def addon_owned_vars(self) -> set[str]:
        return {name for addon in self.addons for name in addon.config_vars}

    def attachment(self, name: str) -> LiveAddon | None:
        return next((addon for addon in self.addons if name in addon.attachments), None)


class Live(Frozen):
    apps: dict[Role, LiveApp]
    plan_prices: dict[str, int]  # plan name -> cents per month
    dyno_costs: dict[str, int]  # lower-case size name -> cents per month per dyno
    # Declared add-on plans Heroku does not know, with the service's real plan names (for did-you-mean).
    unknown_plans: dict[str, tuple[str, ...]] = {}

    def with_app(self, app: LiveApp) -> Live:
        """The same state with one app's reading replaced (the applier's narrow re-read)."""
        return self.model_copy(update={"apps": {**self.apps, app.role: app}})
