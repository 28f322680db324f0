"""Monthly cost of an app before and after its changes, from the prices the API reports (pure).

Eco is billed per account, not per dyno (Dev Center "Eco Dyno Hours"): one $5 plan buys a pool of
1,000 dyno hours a month shared by every Eco dyno of the account. An app's own cost therefore counts
Eco dynos at $0, and the environment adds the Eco plan once (``ECO_PLAN_CENTS``) while it runs any.
"""

from __future__ import annotations

from tmi_deploy.config.models import AppDesired
from tmi_deploy.plan.model import Change
from tmi_deploy.plan.state import Live, LiveApp

ECO = "eco"
ECO_PLAN_CENTS = 500
ECO_POOL_HOURS = 1000
HOURS_PER_MONTH = 730


def eco_dynos(formation: dict[str, tuple[int, str]]) -> int:
    return sum(quantity for quantity, size in formation.values() if size == ECO)


def app_costs(app: AppDesired, live_app: LiveApp, live: Live, changes: list[Change]) -> tuple[int, int, int, int]:
    """(cost before, cost after, Eco dynos before, Eco dynos after) of one app."""
    addons_before = {a.attachments[0] if a.attachments else a.name: a.plan for a in live_app.addons if a.owned_here}
    formation_before = {t: (f.quantity, f.size) for t, f in live_app.formation.items()}
    addons_after = dict(addons_before)
    formation_after = dict(formation_before)
    for change in changes:
        if change.kind == "addon" and change.action in ("create", "update", "replace") and change.new:
            addons_after[change.key] = change.new
        elif change.kind == "addon" and change.action == "delete":
            addons_after.pop(change.key, None)
        elif change.kind == "formation" and change.formation is not None:
            formation_after[change.key] = (change.formation.quantity, change.formation.size)
    if not live_app.exists:
        formation_after = {t: (f.quantity, f.size) for t, f in app.formation.items()}

    def total(addons: dict[str, str], formation: dict[str, tuple[int, str]]) -> int:
        dynos = sum(quantity * live.dyno_costs.get(size, 0) for quantity, size in formation.values() if size != ECO)
        return sum(live.plan_prices.get(plan, 0) for plan in addons.values()) + dynos

    return (total(addons_before, formation_before), total(addons_after, formation_after),
            eco_dynos(formation_before), eco_dynos(formation_after))
