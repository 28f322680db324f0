"""The `domain` resource kind: an app's custom domains and Heroku's Automated Certificate Management.

Desired: `domains: {hostnames: [...], acm: true}` per app (config.models.DomainsDesired; absent: the app's
domains are not tmi-deploy's). Read: one `GET /apps/{app}/domains` per app that declares domains (the
app's `acm` flag comes with the account-wide app list, no extra request). Compared: a change per hostname
to add or remove, one for ACM on/off; existing domains whose DNS target or certificate is not ready are
noted with the target to set. Applied after formation (ACM needs paid dynos): add domains, switch ACM,
remove domains. Imported as `domains:` when an app has custom domains. Rules and sources: docs/domains.md.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from tmi_deploy.catalog.platform import ACM_REFUSED_SIZES
from tmi_deploy.config.models import AppDesired
from tmi_deploy.errors import HerokuAPIError, UncertainWrite
from tmi_deploy.plan.blockers import Notes
from tmi_deploy.plan.model import Change
from tmi_deploy.plan.state import LiveApp, LiveDomain

if TYPE_CHECKING:  # the planner imports this module; it must not load the HTTP client
    from tmi_deploy.heroku.client import HerokuClient

KIND = "domain"
ACM_KEY = "ACM"  # the change that switches certificate management; hostnames always contain a dot
TARGET_LATER = "DNS target known after apply"


def read_path(app_name: str) -> str:
    """What the live read GETs for an app that declares domains (a list, paginated by hostname)."""
    return f"/apps/{quote(app_name, safe='')}/domains"


def parse_live(listed: Any) -> tuple[LiveDomain, ...]:
    """The custom domains of a `GET /apps/{app}/domains` answer (the herokuapp.com one is Heroku's, not ours)."""
    if not isinstance(listed, list):
        return ()
    return tuple(sorted((LiveDomain(hostname=str(d["hostname"]), cname=d.get("cname"), status=str(d.get("status") or ""),
                                    acm_status=d.get("acm_status"))
                         for d in listed if isinstance(d, dict) and d.get("kind") == "custom"),
                        key=lambda d: d.hostname))


def compare(app: AppDesired, live: LiveApp, notes: Notes) -> list[Change]:
    """Desired domains and ACM against the live app: the changes, plus notes and blockers apply would meet."""
    if app.domains is None:
        return []
    origin = str(app.domains.origin)
    have = {d.hostname: d for d in live.domains or ()}
    acm = "on" if app.domains.acm else "off"
    result = [Change(role=app.role, app=app.name, kind=KIND, action="create", key=hostname, new=TARGET_LATER,
                     after_apply=True, detail=f"ACM {acm}", origin=origin)
              for hostname in app.domains.hostnames if hostname not in have]
    result += [Change(role=app.role, app=app.name, kind=KIND, action="delete", key=hostname,
                      old=f"DNS target {have[hostname].cname or '(none)'}", origin=origin)
               for hostname in sorted(have) if hostname not in app.domains.hostnames]
    if app.domains.acm != live.acm and (live.exists or app.domains.acm):
        result.append(Change(role=app.role, app=app.name, kind=KIND, action="update", key=ACM_KEY,
                             old="on" if live.acm else "off", new=acm, origin=origin,
                             detail="Automated Certificate Management"))
    _note_pending(app, live, notes)
    _acm_blocker(app, live, notes)
    return result


def _note_pending(app: AppDesired, live: LiveApp, notes: Notes) -> None:
    """A declared domain that exists but does not serve yet: say where DNS must point and what ACM says."""
    assert app.domains is not None
    for domain in live.domains or ():
        if domain.hostname not in app.domains.hostnames:
            continue
        certificate = domain.acm_status if live.acm else None
        if domain.status not in ("succeeded", "none") or certificate not in (None, "cert issued"):
            notes.warn(f"{app.name}: domain {domain.hostname} is {domain.status or 'unknown'}"
                       f"{f', certificate {certificate}' if certificate else ''}; point its DNS (CNAME, or "
                       f"ALIAS/ANAME at the apex) at {domain.cname or '(no target yet)'}")


def _acm_blocker(app: AppDesired, live: LiveApp, notes: Notes) -> None:
    """Heroku refuses ACM on Eco: with formation undeclared, the live formation decides (declared: lint ACM-DYNO)."""
    assert app.domains is not None
    if not app.domains.acm or live.acm or app.formation:
        return
    eco = sorted(t for t, f in live.formation.items() if f.size in ACM_REFUSED_SIZES)
    if eco:
        notes.error(app.name, f"domains.acm needs Basic dynos or above, but {', '.join(eco)} runs Eco dynos; "
                    "declare formation with basic (or larger) dynos, or set acm: false", str(app.domains.origin))


def import_section(live: LiveApp) -> dict[str, Any] | None:
    """The `domains:` an import writes for a live app (None: it has no custom domains)."""
    if not live.domains:
        return None
    return {"hostnames": [d.hostname for d in live.domains], "acm": live.acm}


# ---- apply ------------------------------------------------------------------------------------------
Step = tuple[str, Callable[[], Awaitable[None]]]


def apply_steps(client: HerokuClient, changes: list[Change], progress: Callable[[str], None]) -> list[Step]:
    """Add domains, switch ACM, then remove domains: a hostname moves between apps only after it is free."""
    ours = [c for c in changes if c.kind == KIND]
    steps: list[Step] = [(f"add domain {c.key} to {c.app}", partial(_add, client, c, progress))
                         for c in ours if c.action == "create"]
    steps += [(f"turn ACM {c.new} on {c.app}", partial(_acm, client, c)) for c in ours if c.action == "update"]
    return steps + [(f"remove domain {c.key} from {c.app}", partial(_remove, client, c))
                    for c in ours if c.action == "delete"]


async def _add(client: HerokuClient, change: Change, progress: Callable[[str], None]) -> None:
    path = f"/apps/{quote(change.app, safe='')}/domains"
    try:
        made = await client.post(path, {"hostname": change.key, "sni_endpoint": None})
    except (UncertainWrite, HerokuAPIError) as exc:
        # The answer may be lost after Heroku added it (or a previous run added it): look before adding again.
        if not isinstance(exc, UncertainWrite) and exc.status != 422:
            raise
        made = next((d for d in await client.list(path, range_field="hostname") if d.get("hostname") == change.key),
                    None)
        if made is None and isinstance(exc, UncertainWrite):
            made = await client.post(path, {"hostname": change.key, "sni_endpoint": None})
        elif made is None:
            raise
    target = made.get("cname") if isinstance(made, dict) else None
    progress(f"{change.app}: point DNS for {change.key} at {target or '(no target given)'} "
             "(CNAME; ALIAS/ANAME at the apex)")


async def _acm(client: HerokuClient, change: Change) -> None:
    if change.new == "on":
        await client.post(f"/apps/{quote(change.app, safe='')}/acm", {})
    else:
        await client.delete(f"/apps/{quote(change.app, safe='')}/acm")


async def _remove(client: HerokuClient, change: Change) -> None:
    try:
        await client.delete(f"/apps/{quote(change.app, safe='')}/domains/{quote(change.key, safe='')}")
    except HerokuAPIError as exc:
        if exc.status != 404:  # already gone: the goal is reached
            raise
