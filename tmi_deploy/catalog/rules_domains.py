"""Rules Heroku enforces on custom domains, checked offline: hostname syntax, one app per hostname, ACM
only on paid dynos, and `url:` agreeing with `domains:` (sources: docs/domains.md, docs/heroku-rules.md)."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

from tmi_deploy.catalog.platform import ACM_REFUSED_SIZES, DOMAINS_PER_APP, hostname_problem
from tmi_deploy.catalog.rule import Version, finding
from tmi_deploy.config.models import Environment
from tmi_deploy.errors import Problem


def escaped(text: str) -> str:
    """Text from the file as a message may quote it: every non-ASCII or control character escaped (a
    right-to-left override too, which checks.shown lets through), bounded. Hostnames and URLs are not secret."""
    return text.encode("unicode_escape").decode("ascii")[:400]


def rule_domain_hostname(env: Environment, version: Version) -> Iterator[Problem]:
    seen: dict[str, str] = {}
    for app in env.apps.values():
        if app.domains is None:
            continue
        where = app.domains.origin
        if len(app.domains.hostnames) > DOMAINS_PER_APP:
            yield finding(None, app, "DOMAIN", f"{len(app.domains.hostnames)} custom domains; Heroku allows "
                          f"{DOMAINS_PER_APP} per app", "serve fewer hostnames from this app", origin=where)
        for hostname in app.domains.hostnames:
            why = hostname_problem(hostname)
            if why is not None:
                yield finding(None, app, "DOMAIN", escaped(why), "write a hostname such as tmi.example.com "
                              "(lowercase; a wildcard only as *.example.com)", origin=where)
            elif hostname in seen:
                yield finding(None, app, "DOMAIN", f"domain {hostname} is declared for {seen[hostname]} and "
                              f"{app.name}; Heroku serves a hostname from one app only",
                              "keep it on one app", origin=where)
            seen.setdefault(hostname, app.name)


def rule_acm_dynos(env: Environment, version: Version) -> Iterator[Problem]:
    for app in env.apps.values():
        if app.domains is None or not app.domains.acm:
            continue
        refused = sorted(p for p, entry in app.formation.items() if entry.size in ACM_REFUSED_SIZES)
        if refused:
            yield finding(None, app, "ACM-DYNO", f"domains.acm is on but formation.{refused[0]} runs "
                          f"{app.formation[refused[0]].size} dynos; Heroku's certificates need Basic dynos or above",
                          "use basic (or larger) dynos, or set acm: false and upload a certificate yourself",
                          origin=app.domains.origin)


def rule_domain_url(env: Environment, version: Version) -> Iterator[Problem]:
    """With domains declared, `url:` must name one of them: otherwise derived origins point where the app is not served."""
    for app in env.apps.values():
        if app.domains is None or app.url is None:
            continue
        host = urlsplit(app.url).hostname or ""
        if host not in app.domains.hostnames and not any(
                h.startswith("*.") and host.endswith(h[1:]) for h in app.domains.hostnames):
            yield finding(None, app, "DOMAIN-URL", f"url {escaped(app.url)} is not served by {app.name}: its host "
                          f"{escaped(host)} is not among domains.hostnames", "add the host to domains.hostnames, or "
                          "drop url: (it defaults to the first domain)", origin=app.domains.origin)
