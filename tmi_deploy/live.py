"""Live state of an environment's apps, read over the Platform API in one concurrent round trip."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import quote

from tmi_deploy.config.models import Environment, Role
from tmi_deploy.errors import HerokuAPIError
from tmi_deploy.heroku import HerokuClient
from tmi_deploy.plan.state import Live, LiveAddon, LiveApp, LiveFormation


def _p(name: str) -> str:
    return quote(name, safe="")


async def _maybe(call: Any) -> Any:
    """A read that answers 404 for an app that does not exist yet (403: someone else's app)."""
    try:
        return await call
    except HerokuAPIError as exc:
        if exc.status in (403, 404):
            return None
        raise


async def _app_record(call: Any) -> Any:
    """The app itself: None when free, FOREIGN when the name belongs to an account we cannot see."""
    try:
        return await call
    except HerokuAPIError as exc:
        if exc.status == 404:
            return None
        if exc.status == 403:
            return FOREIGN
        raise


FOREIGN: dict[str, Any] = {"foreign": True}


async def fetch_live(client: HerokuClient, env: Environment) -> Live:
    """Every read of one plan starts together: depth is one round trip (plus pagination)."""
    plans = sorted({addon.plan for app in env.apps.values() for addon in app.addons.values()})
    app_reads = [_fetch_app_parts(client, role, app.name) for role, app in env.apps.items()]
    plan_reads = [_maybe(client.get(f"/plans/{_p(plan)}")) for plan in plans]
    results = await asyncio.gather(client.list("/dyno-sizes"), asyncio.gather(*plan_reads), *app_reads)
    sizes, plan_objs, *apps = results
    prices = {p["name"]: int(p["price"]["cents"]) for p in plan_objs if p}
    for app in apps:
        for addon in app.addons:
            if addon.price_cents is not None:
                prices.setdefault(addon.plan, addon.price_cents)
    costs = {s["name"].lower(): int((s.get("cost") or {}).get("cents") or 0) for s in sizes}
    unknown = [plan for plan, found in zip(plans, plan_objs, strict=True) if not found]
    return Live(apps={app.role: app for app in apps}, plan_prices=prices, dyno_costs=costs,
                unknown_plans=await _real_plans_of(client, unknown))


async def _real_plans_of(client: HerokuClient, unknown: list[str]) -> dict[str, tuple[str, ...]]:
    """Only when a declared plan does not exist: the service's real plans, for the did-you-mean."""
    services = sorted({plan.split(":", 1)[0] for plan in unknown})
    listed = await asyncio.gather(*(_maybe(client.list(f"/addon-services/{_p(s)}/plans")) for s in services))
    names = {service: tuple(sorted(p["name"] for p in found or [])) for service, found in zip(services, listed,
                                                                                              strict=True)}
    return {plan: names[plan.split(":", 1)[0]] for plan in unknown}


async def fetch_app_config(client: HerokuClient, name: str) -> dict[str, str]:
    """The applier's narrow re-read: one app's config vars, nothing else."""
    return dict(await client.get(f"/apps/{_p(name)}/config-vars"))


async def fetch_web_url(client: HerokuClient, name: str) -> str | None:
    """The applier's narrow re-read of an app it created: its public URL."""
    app = await client.get(f"/apps/{_p(name)}")
    return app.get("web_url") if isinstance(app, dict) else None


async def _fetch_app_parts(client: HerokuClient, role: Role, name: str) -> LiveApp:
    base = f"/apps/{_p(name)}"
    reads = await asyncio.gather(
        _app_record(client.get(base)),
        _maybe(client.get(f"{base}/config-vars")),
        _maybe(client.list(f"{base}/addons", headers={"Accept-Expansion": "plan"})),
        _maybe(client.list(f"{base}/addon-attachments")),
        _maybe(client.list(f"{base}/features")),
        _maybe(client.list(f"{base}/formation")),
        _maybe(client.list(f"{base}/buildpack-installations", range_field="ordinal")),
        _maybe(client.list(f"{base}/collaborators")),
        _maybe(client.request("GET", f"{base}/releases", headers={"Range": "version ..; max=1, order=desc"})),
    )
    app, config, addons, attachments, features, formation, buildpacks, collaborators, releases = reads
    if app is None or app is FOREIGN:
        return LiveApp(role=role, name=name, exists=False, foreign=app is FOREIGN)
    return LiveApp(
        role=role, name=name, exists=True, id=app["id"], web_url=app.get("web_url"),
        region=(app.get("region") or {}).get("name"), stack=(app.get("build_stack") or app.get("stack") or {}).get("name"),
        team=(app.get("team") or {}).get("name") if app.get("team") else None,
        config=dict(config or {}),
        addons=_addons(app, addons or [], attachments or [], config or {}),
        features={f["name"]: bool(f["enabled"]) for f in features or []},
        formation={f["type"]: LiveFormation(quantity=int(f["quantity"]), size=str(f["size"]).lower())
                   for f in formation or []},
        buildpacks=tuple(b["buildpack"]["name"] for b in sorted(buildpacks or [], key=lambda b: b["ordinal"])),
        collaborators=tuple(sorted(c["user"]["email"] for c in collaborators or [] if c.get("role") != "owner")),
        owner=(app.get("owner") or {}).get("email"),
        release_version=_latest_version(releases),
    )


def _latest_version(response: Any) -> int | None:
    if response is None:
        return None
    body = response.json()
    return int(body[0]["version"]) if body else None


def _suffixes(addon: dict[str, Any], names: tuple[str, ...]) -> set[str]:
    """What follows the attachment name in the vars an add-on sets (DATABASE_URL -> URL). The add-on
    lists its vars under its primary attachment; when that one is on another app, assume URL."""
    suffixes = {var[len(name) + 1:] for var in addon.get("config_vars") or [] for name in names
                if var.startswith(name + "_")}
    return suffixes or {"URL"}


def _addons(app: dict[str, Any], addons: list[dict[str, Any]], attachments: list[dict[str, Any]],
            config: dict[str, str]) -> tuple[LiveAddon, ...]:
    result = []
    for addon in addons:
        names = tuple(sorted(a["name"] for a in attachments
                             if a["addon"]["id"] == addon["id"] and a["app"]["id"] == app["id"]))
        owned = tuple(sorted(f"{name}_{suffix}" for name in names for suffix in _suffixes(addon, names)
                             if f"{name}_{suffix}" in config))
        plan = addon.get("plan") or {}
        price = (plan.get("price") or {}).get("cents")
        result.append(LiveAddon(
            id=addon["id"], name=addon["name"], service=(addon.get("addon_service") or {}).get("name", ""),
            plan=plan.get("name", ""), state=addon.get("state", ""), attachments=names, config_vars=owned,
            price_cents=int(price) if price is not None else None,
            owned_here=(addon.get("app") or {}).get("id") == app["id"]))
    return tuple(sorted(result, key=lambda a: (a.attachments, a.name)))
