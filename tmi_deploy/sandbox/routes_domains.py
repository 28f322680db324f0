"""Endpoints for custom domains, ACM and SNI endpoints under /apps/{app}, with their response views
(the hyper-schema's `domain` and `sni-endpoint`; ACM answers with the app)."""

from __future__ import annotations

from typing import Any

from tmi_deploy.sandbox import views
from tmi_deploy.sandbox.errors import SandboxError, invalid, not_found
from tmi_deploy.sandbox.http_responses import Listing, Reply
from tmi_deploy.sandbox.platform import Platform
from tmi_deploy.sandbox.platform_domains import domain_status
from tmi_deploy.sandbox.routes_api import Call, Op


def custom_domain(on: dict[str, Any], item: dict[str, Any]) -> dict[str, Any]:
    status, acm_status, reason = domain_status(on, item)
    return {"acm_status": acm_status, "acm_status_reason": reason, "app": views.ref(on), "cname": item["cname"],
            "created_at": item["created_at"], "hostname": item["hostname"], "id": item["id"], "kind": "custom",
            "updated_at": item["updated_at"], "status": status, "sni_endpoint": None}


def all_domains(p: Platform, on: dict[str, Any]) -> list[dict[str, Any]]:
    return [views.domain(on), *(custom_domain(on, d) for d in p.custom_domains(on))]


def _one_domain(c: Call) -> dict[str, Any]:
    for shown in all_domains(c.p, c.app):
        if c.params["domain"] in (shown["id"], shown["hostname"]):
            return shown
    raise not_found("domain", "Couldn't find that domain.")


def _delete_domain(c: Call) -> Any:
    if _one_domain(c)["kind"] == "heroku":
        raise invalid("The app's own herokuapp.com domain cannot be removed.")
    domain = c.p.find_domain(c.app, c.params["domain"])
    shown = custom_domain(c.app, domain)
    c.p.remove_domain(c.app, domain)
    return shown


def _update_domain(c: Call) -> Any:
    if _one_domain(c)["kind"] == "heroku":
        raise invalid("The app's own herokuapp.com domain has no SNI endpoint to change.")
    domain = c.p.find_domain(c.app, c.params["domain"])
    return custom_domain(c.app, c.p.update_domain(c.app, domain, c.obj()))


def _acm_refresh(c: Call) -> Any:
    if c.obj().get("acm_refresh") is not True:
        raise invalid("Require params: acm_refresh.")
    return views.app(c.p, c.p.refresh_acm(c.app))


def _no_sni_endpoint(c: Call) -> Any:
    raise SandboxError(404, "not_found", "Couldn't find that SNI endpoint.", "sni_endpoint")


def domain_ops() -> list[Op]:
    """Under /apps/{app}."""
    return [
        ("GET", "/domains", lambda c: Listing(all_domains(c.p, c.app), "hostname", ("hostname", "id"))),
        ("POST", "/domains", lambda c: Reply(201, custom_domain(c.app, c.p.add_domain(c.app, c.obj())))),
        ("GET", "/domains/{domain}", _one_domain),
        ("PATCH", "/domains/{domain}", _update_domain),
        ("DELETE", "/domains/{domain}", _delete_domain),
        ("POST", "/acm", lambda c: views.app(c.p, c.p.enable_acm(c.app))),
        ("PATCH", "/acm", _acm_refresh),
        ("DELETE", "/acm", lambda c: views.app(c.p, c.p.disable_acm(c.app))),
        # The sandbox holds no uploaded certificates (ACM's are not listed here either).
        ("GET", "/sni-endpoints", lambda c: Listing([], "id", ("id", "name"))),
        ("GET", "/sni-endpoints/{sni}", _no_sni_endpoint),
    ]
