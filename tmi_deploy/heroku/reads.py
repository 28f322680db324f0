"""Live state of environments, read over the Platform API in one concurrent round trip.

What is account-wide is read once per run (the apps, add-ons and attachments lists, dyno sizes and the
prices of declared plans); per app only what the declaration needs: config vars and formation always,
features, buildpacks and collaborators only where declared. Every read starts together, so the depth is
one round trip plus pagination, whatever the number of environments.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import quote

from tmi_deploy.config.models import AppDesired, Environment
from tmi_deploy.errors import HerokuAPIError
from tmi_deploy.heroku.client import HerokuClient
from tmi_deploy.kinds import domains
from tmi_deploy.plan.state import Live, LiveAddon, LiveApp, LiveFormation

T = TypeVar("T")
FOREIGN = object()  # a read Heroku refused with 403: the name belongs to an account we cannot see


def _p(name: str) -> str:
    return quote(name, safe="")


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


@dataclass(frozen=True)
class Account:
    apps: dict[str, dict[str, Any]]  # name -> app
    addons: list[dict[str, Any]]
    attachments: list[dict[str, Any]]
    dyno_costs: dict[str, int]
    plan_prices: dict[str, int]
    unknown_plans: dict[str, tuple[str, ...]]


@dataclass(frozen=True)
class AppReads:
    config: Any
    formation: Any
    features: Any = None
    buildpacks: Any = None
    collaborators: Any = None
    domains: Any = None


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
        asyncio.gather(*(_maybe(client.get(f"/plans/{_p(plan)}")) for plan in plans)))
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
    listed = await asyncio.gather(*(_maybe(client.list(f"/addon-services/{_p(s)}/plans")) for s in services))
    names = {service: tuple(sorted(p["name"] for p in found)) if isinstance(found, list) else ()
             for service, found in zip(services, listed, strict=True)}
    return {plan: names[plan.split(":", 1)[0]] for plan in unknown}


async def _fetch_app(client: HerokuClient, app: AppDesired, everything: bool) -> AppReads:
    base = f"/apps/{_p(app.name)}"

    async def optional(wanted: bool, path: str, range_field: str = "id") -> Any:
        return await _maybe(client.list(f"{base}/{path}", range_field=range_field)) if wanted else None

    found = await asyncio.gather(
        _maybe(client.get(f"{base}/config-vars")), _maybe(client.list(f"{base}/formation")),
        optional(everything or bool(app.features), "features"),
        optional(everything or app.buildpacks is not None, "buildpack-installations", "ordinal"),
        optional(everything or bool(app.collaborators), "collaborators"),
        optional(everything or app.domains is not None, "domains", "hostname"))
    return AppReads(*found)


def _live(env: Environment, account: Account, reads: dict[str, AppReads]) -> Live:
    apps = {role: _live_app(app, account, reads[app.name]) for role, app in env.apps.items()}
    return Live(apps=apps, plan_prices=account.plan_prices, dyno_costs=account.dyno_costs,
                unknown_plans={plan: names for plan, names in account.unknown_plans.items()
                               if any(plan == a.plan for app in env.apps.values() for a in app.addons.values())})


def _listed(value: Any) -> list[dict[str, Any]]:
    return value if isinstance(value, list) else []


def _live_app(desired: AppDesired, account: Account, reads: AppReads) -> LiveApp:
    app = account.apps.get(desired.name)
    if app is None or not isinstance(reads.config, dict):
        return LiveApp(role=desired.role, name=desired.name, exists=False, foreign=reads.config is FOREIGN)
    config = {str(k): str(v) for k, v in reads.config.items()}
    return LiveApp(
        role=desired.role, name=desired.name, exists=True, id=app["id"], web_url=app.get("web_url"),
        region=(app.get("region") or {}).get("name"),
        stack=(app.get("build_stack") or app.get("stack") or {}).get("name"),
        team=(app.get("team") or {}).get("name") if app.get("team") else None, config=config,
        addons=_addons(app, account, config),
        features={f["name"]: bool(f["enabled"]) for f in _listed(reads.features)},
        formation={f["type"]: LiveFormation(quantity=int(f["quantity"]), size=str(f["size"]).lower())
                   for f in _listed(reads.formation)},
        buildpacks=tuple(b["buildpack"]["name"] for b in sorted(_listed(reads.buildpacks), key=lambda b: b["ordinal"])),
        collaborators=tuple(sorted(c["user"]["email"] for c in _listed(reads.collaborators)
                                   if c.get("role") != "owner")),
        owner=(app.get("owner") or {}).get("email"),
        domains=domains.parse_live(reads.domains) if reads.domains is not None else None, acm=bool(app.get("acm")))


def _suffixes(addon: dict[str, Any], names: tuple[str, ...]) -> set[str]:
    """What follows the attachment name in the vars an add-on sets (DATABASE_URL -> URL). The add-on
    lists its vars under its primary attachment; when that one is on another app, assume URL."""
    suffixes = {var[len(name) + 1:] for var in addon.get("config_vars") or [] for name in names
                if var.startswith(name + "_")}
    return suffixes or {"URL"}


def _addons(app: dict[str, Any], account: Account, config: dict[str, str]) -> tuple[LiveAddon, ...]:
    here = [a for a in account.attachments if a["app"]["id"] == app["id"]]
    ids = {a["addon"]["id"] for a in here}
    result = []
    for addon in account.addons:
        owned_here = (addon.get("app") or {}).get("id") == app["id"]
        if addon["id"] not in ids and not owned_here:
            continue
        names = tuple(sorted(a["name"] for a in here if a["addon"]["id"] == addon["id"]))
        owned = tuple(sorted(f"{name}_{suffix}" for name in names for suffix in _suffixes(addon, names)
                             if f"{name}_{suffix}" in config))
        plan = addon.get("plan") or {}
        price = (plan.get("price") or {}).get("cents")
        result.append(LiveAddon(
            id=addon["id"], name=addon["name"], service=(addon.get("addon_service") or {}).get("name", ""),
            plan=plan.get("name", ""), state=addon.get("state", ""), attachments=names, config_vars=owned,
            price_cents=int(price) if price is not None else None, owned_here=owned_here))
    return tuple(sorted(result, key=lambda a: (a.attachments, a.name)))


async def fetch_app_config(client: HerokuClient, name: str) -> dict[str, str]:
    """The applier's narrow re-read: one app's config vars, nothing else."""
    found = await client.get(f"/apps/{_p(name)}/config-vars")
    if not isinstance(found, dict):
        raise HerokuAPIError("GET", f"/apps/{_p(name)}/config-vars", None, "unexpected_body", "expected an object")
    return {str(k): str(v) for k, v in found.items()}
