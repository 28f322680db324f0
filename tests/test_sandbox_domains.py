"""Custom domains and ACM in the sandbox, as Heroku serves and refuses them (docs/heroku-rules.md,
"Domains and ACM"): hostname syntax, one app per hostname across Heroku, the DNS target, the asynchronous
status and certificate, ACM only on paid dynos."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from tests.conftest import make_sandbox, raw


@pytest.fixture
def box_http() -> tuple[Any, httpx.Client]:
    box = make_sandbox(provisioning_seconds=0)
    http = raw(box)
    for name in ("tmi-dom-a", "tmi-dom-b"):
        assert http.post("/apps", json={"name": name}).status_code == 201
    return box, http


def add(http: httpx.Client, hostname: Any, app: str = "tmi-dom-a") -> httpx.Response:
    return http.post(f"/apps/{app}/domains", json={"hostname": hostname, "sni_endpoint": None})


def test_a_custom_domain_gets_a_dns_target_and_is_listed_after_the_heroku_domain(box_http: Any) -> None:
    _box, http = box_http
    created = add(http, "tmi.example.com")
    assert created.status_code == 201
    domain = created.json()
    assert domain["kind"] == "custom" and domain["cname"].endswith(".herokudns.com") and domain["acm_status"] is None
    listed = http.get("/apps/tmi-dom-a/domains").json()
    assert [d["kind"] for d in listed] == ["heroku", "custom"] and listed[0]["cname"] is None
    assert http.get(f"/apps/tmi-dom-a/domains/{domain['id']}").json()["hostname"] == "tmi.example.com"
    assert http.get("/apps/tmi-dom-a/domains/tmi.example.com").json()["id"] == domain["id"]


@pytest.mark.parametrize(("hostname", "message"), [
    ("TMI.example.com", "lowercase"),
    ("example", "top-level domain"),
    ("bad_label.example.com", "is invalid"),
    ("-lead.example.com", "is invalid"),
    ("a..example.com", "is invalid"),
    ("www.*.example.com", "is invalid"),
    ("*", "top-level domain"),
    ("*.com", "is invalid"),
    ("x" * 64 + ".example.com", "is invalid"),
    ("a." * 127 + "com", "at most 253"),
    ("10.0.0.1", "IP address"),
    ("tmi.herokuapp.com", "Heroku domain"),
    ("x.herokudns.com", "Heroku domain"),
    ("tmi.example.com\n", "is invalid"),
    ("", "non-empty"),
])
def test_hostnames_heroku_refuses(box_http: Any, hostname: str, message: str) -> None:
    _box, http = box_http
    response = add(http, hostname)
    assert response.status_code == 422 and response.json()["id"] == "invalid_params", response.text
    assert message in response.json()["message"]


def test_a_hostname_serves_one_app_across_heroku(box_http: Any) -> None:
    _box, http = box_http
    assert add(http, "tmi.example.com").status_code == 201
    again = add(http, "tmi.example.com")
    assert again.status_code == 422 and "already added to this app" in again.json()["message"]
    other = add(http, "tmi.example.com", app="tmi-dom-b")
    assert other.status_code == 422 and "currently in use by another app" in other.json()["message"]
    foreign = add(http, "taken.example.com", app="tmi-dom-b")  # held by another Heroku account
    assert foreign.status_code == 422 and "currently in use by another app" in foreign.json()["message"]
    assert http.delete("/apps/tmi-dom-a/domains/tmi.example.com").status_code == 200
    assert add(http, "tmi.example.com", app="tmi-dom-b").status_code == 201  # free again once removed


def test_the_heroku_domain_stays_and_sni_endpoints_must_exist(box_http: Any) -> None:
    _box, http = box_http
    heroku_domain = http.get("/apps/tmi-dom-a/domains").json()[0]["hostname"]
    refused = http.delete(f"/apps/tmi-dom-a/domains/{heroku_domain}")
    assert refused.status_code == 422 and len(http.get("/apps/tmi-dom-a/domains").json()) == 1
    missing = http.post("/apps/tmi-dom-a/domains", json={"hostname": "a.example.com", "sni_endpoint": "cert-1"})
    assert missing.status_code == 404 and missing.json()["resource"] == "sni_endpoint"
    no_field = http.post("/apps/tmi-dom-a/domains", json={"hostname": "a.example.com"})
    assert no_field.status_code == 422 and "sni_endpoint" in no_field.json()["message"]  # required by the schema
    assert http.get("/apps/tmi-dom-a/sni-endpoints").json() == []
    assert http.get("/apps/tmi-dom-a/domains/nope.example.com").status_code == 404


def test_domain_and_certificate_become_ready_later() -> None:
    box = make_sandbox(provisioning_seconds=30)
    http = raw(box)
    http.post("/apps", json={"name": "tmi-dom-slow"})
    assert add(http, "slow.example.com", app="tmi-dom-slow").json()["status"] == "pending"
    assert http.post("/apps/tmi-dom-slow/acm", json={}).json()["acm"] is True
    shown = http.get("/apps/tmi-dom-slow/domains/slow.example.com").json()
    assert (shown["status"], shown["acm_status"]) == ("pending", "pending")
    app = next(iter(box.state["apps"].values()))
    app["domains"][0]["ready_at"] = app["domains"][0]["acm_ready_at"] = time.time() - 1  # Heroku finishes
    shown = http.get("/apps/tmi-dom-slow/domains/slow.example.com").json()
    assert (shown["status"], shown["acm_status"]) == ("succeeded", "cert issued")


def test_acm_needs_paid_dynos_and_skips_wildcards(box_http: Any) -> None:
    _box, http = box_http
    assert http.post("/__sandbox/apps/tmi-dom-a/deploy", json={}).status_code == 200
    assert http.patch("/apps/tmi-dom-a/formation/web", json={"size": "eco", "quantity": 1}).status_code == 200
    refused = http.post("/apps/tmi-dom-a/acm", json={})
    assert refused.status_code == 422 and "Eco" in refused.json()["message"]
    assert http.get("/apps/tmi-dom-a").json()["acm"] is False
    assert http.patch("/apps/tmi-dom-a/formation/web", json={"size": "basic"}).status_code == 200
    assert http.post("/apps/tmi-dom-a/acm", json={}).json()["acm"] is True
    add(http, "*.example.com")
    add(http, "www.example.com")
    by_host = {d["hostname"]: d for d in http.get("/apps/tmi-dom-a/domains").json()}
    assert by_host["www.example.com"]["acm_status"] == "cert issued"
    assert by_host["*.example.com"]["acm_status"] == "failed" and "wildcard" in by_host["*.example.com"]["acm_status_reason"]
    assert http.patch("/apps/tmi-dom-a/acm", json={"acm_refresh": True}).status_code == 200
    assert http.delete("/apps/tmi-dom-a/acm").json()["acm"] is False
    assert http.get("/apps/tmi-dom-a/domains/www.example.com").json()["acm_status"] is None
    not_on = http.patch("/apps/tmi-dom-a/acm", json={"acm_refresh": True})
    assert not_on.status_code == 422


def test_domains_go_with_their_app_and_do_not_release(box_http: Any) -> None:
    _box, http = box_http
    releases = len(http.get("/apps/tmi-dom-a/releases").json())
    add(http, "gone.example.com")
    assert len(http.get("/apps/tmi-dom-a/releases").json()) == releases
    assert http.delete("/apps/tmi-dom-a").status_code == 200
    assert add(http, "gone.example.com", app="tmi-dom-b").status_code == 201
