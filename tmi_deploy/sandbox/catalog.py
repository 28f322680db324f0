"""Seed data of the emulated platform: regions, stacks, dyno sizes, add-on services and plans, features.

Every figure and its source is listed in docs/heroku-rules.md ("Catalogue").
"""

from __future__ import annotations

import uuid
from typing import Any

STATIC_TIME = "2024-01-01T00:00:00Z"

# The Common Runtime regions (Private Space regions need a space, which the sandbox does not emulate).
REGIONS = [
    {"name": "us", "description": "United States", "country": "United States", "locale": "Virginia",
     "id": "59accabd-516d-4f0e-83e6-6e3757701145", "provider": {"name": "amazon-web-services", "region": "us-east-1"}},
    {"name": "eu", "description": "Europe", "country": "Ireland", "locale": "Dublin",
     "id": "ed30241c-ed8c-4bb6-9714-61953675d0b4", "provider": {"name": "amazon-web-services", "region": "eu-west-1"}},
]

STACKS = [
    {"name": "heroku-22", "id": "74cfe988-7527-4ca4-9cd2-5e4ec1c6a4f1", "state": "public", "default": False},
    {"name": "heroku-24", "id": "ae20c7f6-f2bd-4e0b-8c56-5e3e8fa1b3d1", "state": "public", "default": True},
    {"name": "container", "id": "bb5b0ed6-1d0e-4a05-8a0d-9a2e7d1d2b77", "state": "public", "default": False},
]

# Common Runtime dyno sizes: name, tier, compute, memory GB, dedicated, cents/month, dyno units.
# Eco's $5 buys the account one pool of 1,000 dyno hours shared by all Eco dynos: it is not per dyno.
DYNO_SIZES: list[tuple[str, str, int, float, bool, int, float]] = [
    ("Eco", "eco", 1, 0.5, False, 500, 0.0),
    ("Basic", "basic", 1, 0.5, False, 700, 0.28),
    ("Standard-1X", "standard", 1, 0.5, False, 2500, 1.0),
    ("Standard-2X", "standard", 4, 1.0, False, 5000, 2.0),
    ("Performance-M", "performance", 12, 2.5, True, 25000, 8.0),
    ("Performance-L", "performance", 50, 14.0, True, 50000, 16.0),
    ("Performance-L-RAM", "performance", 24, 30.0, True, 50000, 16.0),
    ("Performance-XL", "performance", 50, 62.0, True, 75000, 24.0),
    ("Performance-2XL", "performance", 100, 126.0, True, 150000, 48.0),
]
ECO_POOL_HOURS = 1000
ASYNC_SERVICES = ("heroku-postgresql", "heroku-redis")  # provisioned in the background, the var set later
# A second database of these services is attached as <PREFIX>_<COLOR> (HEROKU_POSTGRESQL_AMBER_URL ...).
COLORED_SERVICES = {"heroku-postgresql": "HEROKU_POSTGRESQL", "heroku-redis": "HEROKU_REDIS"}
ATTACHMENT_COLORS = ("AMBER", "AQUA", "BLACK", "BLUE", "BRONZE", "BROWN", "CHARCOAL", "COBALT", "COPPER", "CRIMSON",
                     "CYAN", "GOLD", "GRAY", "GREEN", "IVORY", "JADE", "LAVENDER", "MAROON", "MAUVE", "NAVY", "OLIVE",
                     "ONYX", "ORANGE", "PINK", "PUCE", "PURPLE", "RED", "ROSE", "SILVER", "TEAL", "WHITE", "YELLOW")

# service, human name, default attachment, [(plan, human, cents/month, default)]
SERVICES: list[tuple[str, str, str, list[tuple[str, str, int, bool]]]] = [
    ("heroku-postgresql", "Heroku Postgres", "DATABASE", [
        ("essential-0", "Essential 0", 500, True), ("essential-1", "Essential 1", 900, False),
        ("essential-2", "Essential 2", 2000, False),
        ("standard-0", "Standard 0", 5000, False), ("standard-2", "Standard 2", 20000, False),
        ("standard-3", "Standard 3", 40000, False), ("standard-4", "Standard 4", 75000, False),
        ("premium-0", "Premium 0", 20000, False), ("premium-2", "Premium 2", 35000, False),
        ("premium-3", "Premium 3", 75000, False), ("premium-4", "Premium 4", 120000, False),
    ]),
    ("heroku-redis", "Heroku Key-Value Store", "REDIS", [
        ("mini", "Mini", 300, True), ("premium-0", "Premium 0", 1500, False),
        ("premium-1", "Premium 1", 3000, False), ("premium-2", "Premium 2", 6000, False),
    ]),
    ("rediscloud", "Redis Cloud", "REDISCLOUD", [
        ("30", "30 MB", 0, True), ("100", "100 MB", 1000, False),
    ]),
    ("papertrail", "Papertrail", "PAPERTRAIL", [("choklad", "Choklad", 0, True)]),
]

FEATURES: list[tuple[str, str, str, str]] = [
    ("http-session-affinity", "Enable session affinity for all requests", "general",
     "https://devcenter.heroku.com/articles/session-affinity"),
    ("preboot", "Provide seamless web dyno deploys", "general",
     "https://devcenter.heroku.com/articles/preboot"),
    ("runtime-dyno-metadata", "Enable dyno metadata such as HEROKU_SLUG_COMMIT", "beta",
     "https://devcenter.heroku.com/articles/dyno-metadata"),
    ("log-runtime-metrics", "Emit dyno resource usage information into app logs", "beta",
     "https://devcenter.heroku.com/articles/log-runtime-metrics"),
    ("http-end-to-end-continue", "Forward 100-continue to the dyno", "general",
     "https://devcenter.heroku.com/articles/http-routing"),
]


def uuid_for(kind: str, name: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"sandbox:{kind}:{name}"))


def tier_of(size_name: str) -> str:
    return next(tier for name, tier, *_rest in DYNO_SIZES if name.lower() == size_name.lower())


def dyno_sizes() -> list[dict[str, Any]]:
    return [
        {"id": uuid_for("dyno-size", name), "name": name, "compute": compute, "memory": memory,
         "dedicated": dedicated, "precise_dyno_units": units, "private_space_only": False, "architecture": "amd64",
         # billed: "account" = one flat plan for all such dynos of the account (Eco), "dyno" = per dyno.
         "cost": {"cents": cents, "unit": "month", "billed": "account" if tier == "eco" else "dyno",
                  **({"pool_dyno_hours": ECO_POOL_HOURS} if tier == "eco" else {})},
         "generation": {"id": uuid_for("gen", "cedar"), "name": "cedar"}}
        for name, tier, compute, memory, dedicated, cents, units in DYNO_SIZES
    ]


def services() -> list[dict[str, Any]]:
    return [
        {"id": uuid_for("service", name), "name": name, "human_name": human, "cli_plugin_name": None,
         "state": "ga", "supports_multiple_installations": True, "supports_sharing": True,
         "created_at": STATIC_TIME, "updated_at": STATIC_TIME,
         "supported_generations": [{"id": uuid_for("gen", "cedar"), "name": "cedar"}]}
        for name, human, _attachment, _plans in SERVICES
    ]


def plans() -> list[dict[str, Any]]:
    result = []
    for service, service_human, _attachment, service_plans in SERVICES:
        for plan, human, cents, default in service_plans:
            result.append({
                "id": uuid_for("plan", f"{service}:{plan}"), "name": f"{service}:{plan}",
                "human_name": human, "description": f"{service_human} {human}", "default": default,
                "price": {"cents": cents, "contract": False, "unit": "month", "metered": False},
                "state": "public", "visible": True, "compliance": None,
                "installable_inside_private_network": False, "installable_outside_private_network": True,
                "space_default": False, "created_at": STATIC_TIME, "updated_at": STATIC_TIME,
                "addon_service": {"id": uuid_for("service", service), "name": service},
            })
    return result


def default_attachment(service: str) -> str:
    for name, _human, attachment, _plans in SERVICES:
        if name == service:
            return attachment
    return service.upper().replace("-", "_")


def regions() -> list[dict[str, Any]]:
    return [{**r, "created_at": STATIC_TIME, "updated_at": STATIC_TIME, "private_capable": False} for r in REGIONS]


def stacks() -> list[dict[str, Any]]:
    return [{**s, "created_at": STATIC_TIME, "updated_at": STATIC_TIME} for s in STACKS]
