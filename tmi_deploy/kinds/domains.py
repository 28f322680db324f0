"""Custom domains and Heroku's Automated Certificate Management (ACM), per app.

Desired: `domains: {hostnames: [...], acm: true}` (config.models.DomainsDesired; absent: the app's domains
are not tmi-deploy's, nothing is read or changed). Read: one `GET /apps/{app}/domains` per app that declares
domains; whether ACM is on comes with the account-wide app list (no extra request). Compared: a change per
hostname to add or remove, one to switch ACM; a declared domain whose DNS target or certificate is not ready
yet is noted with the target to set; ACM on live Eco dynos is a plan-time blocker. Applied: domains are added
early (the DNS target is printed as soon as Heroku gives it), ACM is switched on after formation (it needs
paid dynos), domains are removed with the other destroys. Rules and sources: docs/domains.md.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from pydantic import BaseModel, ConfigDict

from tmi_deploy.apply.context import ApplyContext, Step
from tmi_deploy.catalog.platform import ACM_REFUSED_SIZES
from tmi_deploy.config.models import AppDesired
from tmi_deploy.errors import HerokuAPIError, UncertainWrite
from tmi_deploy.heroku.paths import app_path
from tmi_deploy.kinds.base import ADDON_DESTROYS, DOMAINS, FORMATION, AppRead, Found, Kind, PlanContext, listed
from tmi_deploy.plan.escape import visible
from tmi_deploy.plan.model import Change
from tmi_deploy.plan.state import LiveApp

ACM_KEY = "ACM"  # the change that switches certificate management (a hostname always holds a dot)
ACM_ON = FORMATION + 5  # after formation: Heroku refuses ACM while the app runs Eco dynos
DOMAIN_REMOVALS = ADDON_DESTROYS - 5
TARGET_LATER = "DNS target known after apply"


class LiveDomain(BaseModel):
    model_config = ConfigDict(frozen=True)

    hostname: str
    cname: str | None  # the DNS target the operator points the hostname at
    status: str  # pending, succeeded, ...
    acm_status: str | None = None


class LiveDomains(BaseModel):
    """An app's custom domains as read (LiveApp.resources["domain"] holds this one object)."""

    model_config = ConfigDict(frozen=True)

    acm: bool
    domains: tuple[LiveDomain, ...]


def live_domains(app: LiveApp) -> LiveDomains | None:
    """What was read for ``app`` (None: not read, the app declares no domains)."""
    found = app.resources.get("domain", ())
    return found[0] if found and isinstance(found[0], LiveDomains) else None


class DomainKind(Kind):
    name = "domain"

    def reads(self, app: AppDesired, everything: bool) -> tuple[AppRead, ...]:
        return (AppRead("domains", range_field="hostname"),) if everything or app.domains is not None else ()

    def parse(self, found: Found) -> dict[str, Any]:
        if not found.answers:
            return {}
        custom = (LiveDomain(hostname=str(d["hostname"]), cname=d.get("cname"), status=str(d.get("status") or ""),
                             acm_status=d.get("acm_status"))
                  for d in listed(found.answers[0]) if d.get("kind") == "custom")
        state = LiveDomains(acm=bool(found.app.get("acm")), domains=tuple(sorted(custom, key=lambda d: d.hostname)))
        return {"resources": {self.name: (state,)}}

    def plan(self, ctx: PlanContext) -> list[Change]:
        app = ctx.app
        if app.domains is None:
            return []
        live = live_domains(ctx.live_app) or LiveDomains(acm=False, domains=())
        have = {d.hostname: d for d in live.domains}
        origin, acm = str(app.domains.origin), "on" if app.domains.acm else "off"
        result = [Change(role=app.role, app=app.name, kind=self.name, action="create", key=hostname, new=TARGET_LATER,
                         after_apply=True, detail=f"ACM {acm}", origin=origin)
                  for hostname in app.domains.hostnames if hostname not in have]
        result += [Change(role=app.role, app=app.name, kind=self.name, action="delete", key=hostname,
                          old=f"DNS target {have[hostname].cname or '(none)'}", origin=origin)
                   for hostname in sorted(have) if hostname not in app.domains.hostnames]
        if app.domains.acm != live.acm:
            result.append(Change(role=app.role, app=app.name, kind=self.name, action="update", key=ACM_KEY,
                                 old="on" if live.acm else "off", new=acm, origin=origin))
        _note_not_ready(ctx, live)
        _acm_on_eco(ctx, live)
        return result

    def steps(self, ctx: ApplyContext) -> list[Step]:
        changes = ctx.changes(self.name)
        return ([Step(DOMAINS, f"add domain {c.key} to {c.app}", partial(_add, ctx, c))
                 for c in changes if c.action == "create"]
                + [Step(ACM_ON if c.new == "on" else DOMAIN_REMOVALS, f"turn ACM {c.new} on {c.app}",
                        partial(_acm, ctx, c)) for c in changes if c.action == "update"]
                + [Step(DOMAIN_REMOVALS, f"remove domain {c.key} from {c.app}", partial(_remove, ctx, c))
                   for c in changes if c.action == "delete"])

    def describe(self, change: Change) -> str | None:
        if change.key == ACM_KEY:
            return f"ACM (Automated Certificate Management): {visible(change.old or 'off')} -> {visible(change.new or '')}"
        if change.action == "create":
            return f"domain {visible(change.key)} ({TARGET_LATER})"
        return f"domain {visible(change.key)} (was {visible(change.old or '')})"

    def export(self, app: LiveApp) -> dict[str, Any]:
        live = live_domains(app)
        if live is None or not live.domains:
            return {}
        return {"domains": {"hostnames": [d.hostname for d in live.domains], "acm": live.acm}}


def _note_not_ready(ctx: PlanContext, live: LiveDomains) -> None:
    """A declared domain that exists but does not serve yet: say where DNS must point and what ACM says."""
    declared = ctx.app.domains.hostnames if ctx.app.domains else ()
    for domain in live.domains:
        certificate = domain.acm_status if live.acm else None
        if domain.hostname in declared and (domain.status not in ("succeeded", "none")
                                            or certificate not in (None, "cert issued")):
            ctx.notes.warn(f"{ctx.app.name}: domain {domain.hostname} is {domain.status or 'unknown'}"
                           f"{f', certificate {certificate}' if certificate else ''}; point its DNS (CNAME, or "
                           f"ALIAS/ANAME at the apex) at {domain.cname or '(no target yet)'}")


def _acm_on_eco(ctx: PlanContext, live: LiveDomains) -> None:
    """Heroku refuses ACM on Eco. With formation declared, lint ACM-DYNO says so; otherwise the live formation."""
    app = ctx.app
    if app.domains is None or not app.domains.acm or live.acm or app.formation:
        return
    eco = sorted(t for t, f in ctx.live_app.formation.items() if f.size in ACM_REFUSED_SIZES)
    if eco:
        ctx.notes.error(app.name, f"domains.acm needs Basic dynos or above, but {', '.join(eco)} runs Eco dynos; "
                        "declare formation with basic (or larger) dynos, or set acm: false", str(app.domains.origin))


async def _add(ctx: ApplyContext, change: Change) -> None:
    path = app_path(change.app, "domains")
    body = {"hostname": change.key, "sni_endpoint": None}
    try:
        made = await ctx.client.post(path, body)
    except (UncertainWrite, HerokuAPIError) as exc:
        # The answer may be lost after Heroku added it (or an earlier run added it): look before adding again.
        if not isinstance(exc, UncertainWrite) and exc.status != 422:
            raise
        made = next((d for d in await ctx.client.list(path, range_field="hostname") if d.get("hostname") == change.key),
                    None)
        if made is None and isinstance(exc, UncertainWrite):
            made = await ctx.client.post(path, body)
        elif made is None:
            raise
    target = made.get("cname") if isinstance(made, dict) else None
    ctx.options.progress(f"{change.app}: point DNS for {change.key} at {target or '(no target given)'} "
                         "(CNAME; ALIAS/ANAME at the apex)")


async def _acm(ctx: ApplyContext, change: Change) -> None:
    if change.new == "on":
        await ctx.client.post(app_path(change.app, "acm"), {})
    else:
        await ctx.client.delete(app_path(change.app, "acm"))


async def _remove(ctx: ApplyContext, change: Change) -> None:
    try:
        await ctx.client.delete(app_path(change.app, "domains", change.key))
    except HerokuAPIError as exc:
        if exc.status != 404:  # already gone: the goal is reached
            raise


KIND = DomainKind()
