"""Rules for custom domains and Automated Certificate Management (ACM): what Heroku allows and how it refuses
the rest. Sources and wording for each rule: docs/heroku-rules.md ("Domains and ACM").

A custom domain starts `pending` and becomes `succeeded` once Heroku has prepared its DNS target (the
`cname` the operator points DNS at); with ACM on, its certificate goes `pending`, then `cert issued`.
Both take `provisioning_seconds` (the same clock as add-on provisioning), so clients meet the waits.
"""

from __future__ import annotations

import time
from typing import Any

from tmi_deploy.catalog.platform import DOMAINS_PER_APP, hostname_problem
from tmi_deploy.sandbox.errors import SandboxError, invalid, not_found
from tmi_deploy.sandbox.platform_base import PlatformBase
from tmi_deploy.sandbox.store import now

# Hostnames served by apps of other Heroku accounts: a domain is unique across all of Heroku.
FOREIGN_DOMAINS = ("www.salesforce.com", "tmi.example.org", "taken.example.com")
NOUNS = ("willow", "harbor", "meadow", "summit", "canyon", "glacier", "prairie", "lagoon")


class DomainRules(PlatformBase):
    def custom_domains(self, app: dict[str, Any]) -> list[dict[str, Any]]:
        return app.setdefault("domains", [])  # type: ignore[no-any-return]

    def find_domain(self, app: dict[str, Any], ident: str) -> dict[str, Any]:
        for domain in self.custom_domains(app):
            if ident in (domain["id"], domain["hostname"]):
                return domain
        raise not_found("domain", "Couldn't find that domain.")

    def add_domain(self, app: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
        hostname = body.get("hostname")
        problem = hostname_problem(hostname)
        if problem is not None:
            raise invalid(problem)
        hostname = str(hostname)
        self._check_free(app, hostname)
        self._sni_endpoint(body.get("sni_endpoint"))
        if len(self.custom_domains(app)) >= DOMAINS_PER_APP:
            raise invalid(f"An app can have at most {DOMAINS_PER_APP} custom domains.")
        stamp = now()
        domain = {"id": self.new_id("domain"), "hostname": hostname, "created_at": stamp, "updated_at": stamp,
                  "cname": f"{self.adjective()}-{NOUNS[self.state['counter'] % len(NOUNS)]}-"
                           f"{self.token('dns', 24)}.herokudns.com",
                  "ready_at": time.time() + float(self.state.get("provisioning_seconds", 0)), "acm_ready_at": None}
        self.custom_domains(app).append(domain)
        if app.get("acm"):
            self._start_certificate(domain)
        return domain

    def _check_free(self, app: dict[str, Any], hostname: str) -> None:
        if any(d["hostname"] == hostname for d in self.custom_domains(app)):
            raise invalid(f"Domain {hostname} is already added to this app.")
        others = (d for a in self.state["apps"].values() if a is not app for d in a.get("domains", []))
        if hostname in FOREIGN_DOMAINS or any(d["hostname"] == hostname for d in others):
            raise invalid(f"{hostname} is currently in use by another app.")

    def _sni_endpoint(self, ident: Any) -> None:
        """The sandbox holds no uploaded certificates: only `null` (no SNI endpoint) names one that exists."""
        if ident is not None:
            raise not_found("sni_endpoint", "Couldn't find that SNI endpoint.")

    def update_domain(self, app: dict[str, Any], domain: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
        self._sni_endpoint(body.get("sni_endpoint"))
        domain["updated_at"] = now()
        return domain

    def remove_domain(self, app: dict[str, Any], domain: dict[str, Any]) -> dict[str, Any]:
        self.custom_domains(app).remove(domain)
        return domain

    # ---- ACM --------------------------------------------------------------------------------------
    def enable_acm(self, app: dict[str, Any]) -> dict[str, Any]:
        eco = [f["type"] for f in app["formation"].values() if self.sizes[f["size"].lower()]["name"] == "Eco"]
        if eco:
            raise SandboxError(422, "invalid_params", "Automated Certificate Management is not available on Eco dynos "
                               f"({', '.join(sorted(eco))}); scale to Basic or above first.")
        if not app.get("acm"):
            app["acm"] = True
            for domain in self.custom_domains(app):
                self._start_certificate(domain)
        return app

    def refresh_acm(self, app: dict[str, Any]) -> dict[str, Any]:
        if not app.get("acm"):
            raise invalid("Automated Certificate Management is not enabled for this app.")
        for domain in self.custom_domains(app):
            self._start_certificate(domain)
        return app

    def disable_acm(self, app: dict[str, Any]) -> dict[str, Any]:
        app["acm"] = False
        for domain in self.custom_domains(app):
            domain["acm_ready_at"] = None
        return app

    def _start_certificate(self, domain: dict[str, Any]) -> None:
        domain["acm_ready_at"] = time.time() + float(self.state.get("provisioning_seconds", 0))


def domain_status(app: dict[str, Any], domain: dict[str, Any]) -> tuple[str, str | None, str | None]:
    """(status, acm_status, acm_status_reason) of a custom domain now."""
    moment = time.time()
    status = "succeeded" if domain["ready_at"] <= moment else "pending"
    if not app.get("acm") or domain.get("acm_ready_at") is None:
        return status, None, None
    if domain["hostname"].startswith("*."):
        return status, "failed", "Automated Certificate Management does not issue certificates for wildcard domains."
    return status, ("cert issued" if domain["acm_ready_at"] <= moment and status == "succeeded" else "pending"), None
