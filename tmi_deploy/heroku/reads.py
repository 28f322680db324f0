"""Live state of environments, read over the Platform API in one concurrent round trip.

What is account-wide is read once per run (the apps, add-ons and attachments lists, dyno sizes and the
prices of declared plans); per app only what the declaration needs: config vars and formation always,
features, buildpacks and collaborators only where declared. Every read starts together, so the depth is
one round trip plus pagination, whatever the number of environments.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any, TypeVar

from tmi_deploy.config.models import AppDesired, Environment
from tmi_deploy.errors import HerokuAPIError
from tmi_deploy.heroku.client import HerokuClient
from tmi_deploy.heroku.paths import app_path, segment
from tmi_deploy.kinds import REGISTRY
from tmi_deploy.kinds.base import Account, Found
from tmi_deploy.plan.state import Live, LiveApp

T = TypeVar("T")
AppReads = dict[str, tuple[Any, ...]]  # kind name -> the answers to its reads, in order
FOREIGN = object()  # a read Heroku refused with 403: the name belongs to an account we cannot see


async def _maybe(call: Awaitable[T]) -> Any:
    """None for 404 (not there yet), FOREIGN for 403 (someone else's app)."""
    try:
        return await call
    except HerokuAPIError as exc:
        if exc.status == 404:
            return None
        if exc.status == 403:
            return FOREIGN
        raise


async def fetch_lives(client: HerokuClient, envs: list[Environment], everything: bool = False) -> list[Live]:
    """The live state of each environment (``everything``: read every kind, as import needs)."""
    apps = [app for env in envs for app in env.apps.values()]
    plans = sorted({addon.plan for app in apps for addon in app.addons.values()})
    # One gather: if any read fails, none is left running unobserved (asyncio would print its traceback).
    account, per_app = await asyncio.gather(_fetch_account(client, plans),
                                            asyncio.gather(*(_fetch_app(client, app, everything) for app in apps)))
    reads = {app.name: found for app, found in zip(apps, per_app, strict=True)}
    try:
        return [_live(env, account, reads) for env in envs]
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise HerokuAPIError("GET", "/apps", None, "unexpected_body",
                             f"the API answered in an unexpected shape ({exc.__class__.__name__})") from None


async def fetch_live(client: HerokuClient, env: Environment, everything: bool = False) -> Live:
    return (await fetch_lives(client, [env], everything))[0]


async def _fetch_account(client: HerokuClient, plans: list[str]) -> Account:
    apps, addons, attachments, sizes, plan_objs = await asyncio.gather(
        client.list("/apps"), client.list("/addons", headers={"Accept-Expansion": "plan"}),
        client.list("/addon-attachments"), client.list("/dyno-sizes"),
        asyncio.gather(*(_maybe(client.get(f"/plans/{segment(plan)}")) for plan in plans)))
    prices = {p["name"]: int(p["price"]["cents"]) for p in plan_objs if isinstance(p, dict)}
    for addon in addons:
        plan = addon.get("plan") or {}
        if (plan.get("price") or {}).get("cents") is not None:
            prices.setdefault(plan["name"], int(plan["price"]["cents"]))
    unknown = [plan for plan, found in zip(plans, plan_objs, strict=True) if not isinstance(found, dict)]
    return Account(apps={a["name"]: a for a in apps}, addons=addons, attachments=attachments,
                   dyno_costs={s["name"].lower(): int((s.get("cost") or {}).get("cents") or 0) for s in sizes},
                   plan_prices=prices, unknown_plans=await _real_plans_of(client, unknown))


async def _real_plans_of(client: HerokuClient, unknown: list[str]) -> dict[str, tuple[str, ...]]:
    """Only when a declared plan does not exist: the service's real plans, for the did-you-mean."""
    services = sorted({plan.split(":", 1)[0] for plan in unknown})
    listed = await asyncio.gather(*(_maybe(client.list(f"/addon-services/{segment(s)}/plans")) for s in services))
    names = {service: tuple(sorted(p["name"] for p in found)) if isinstance(found, list) else ()
             for service, found in zip(services, listed, strict=True)}
    return {plan: names[plan.split(":", 1)[0]] for plan in unknown}


async def _fetch_app(client: HerokuClient, app: AppDesired, everything: bool) -> AppReads:
    """Every kind's reads of one app, started together (a 404 reads as None, a 403 as FOREIGN)."""
    base = app_path(app.name)
    wanted = [(kind.name, read) for kind in REGISTRY for read in kind.reads(app, everything)]
    answers = await asyncio.gather(*(
        _maybe(client.list(f"{base}/{read.path}", range_field=read.range_field) if read.listing
               else client.get(f"{base}/{read.path}")) for _, read in wanted))
    reads: AppReads = {}
    for (kind, _), answer in zip(wanted, answers, strict=True):
        reads[kind] = (*reads.get(kind, ()), answer)
    return reads


def _live(env: Environment, account: Account, reads: dict[str, AppReads]) -> Live:
    apps = {role: _live_app(app, account, reads[app.name]) for role, app in env.apps.items()}
    return Live(apps=apps, plan_prices=account.plan_prices, dyno_costs=account.dyno_costs,
                unknown_plans={plan: names for plan, names in account.unknown_plans.items()
                               if any(plan == a.plan for app in env.apps.values() for a in app.addons.values())})


def _live_app(desired: AppDesired, account: Account, reads: AppReads) -> LiveApp:
    app = account.apps.get(desired.name)
    config = reads["config"][0]
    if app is None or not isinstance(config, dict):
        return LiveApp(role=desired.role, name=desired.name, exists=False, foreign=config is FOREIGN)
    values = {str(k): str(v) for k, v in config.items()}
    fields: dict[str, Any] = {}
    for kind in REGISTRY:
        fields.update(kind.parse(Found(app=app, answers=reads.get(kind.name, ()), account=account, config=values)))
    return LiveApp(role=desired.role, name=desired.name, exists=True, **fields)
