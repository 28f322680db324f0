"""Seed data of the emulated platform: regions, stacks, dyno sizes, add-on services and plans, features.

Prices follow the deployment guide ($/month); dyno costs follow Heroku's published list.
"""

from __future__ import annotations

from typing import Any

REGIONS = [
    {"name": "us", "description": "United States", "country": "United States", "locale": "Virginia",
     "id": "59accabd-516d-4f0e-83e6-6e3757701145", "provider": {"name": "amazon-web-services", "region": "us-east-1"}},
    {"name": "eu", "description": "Europe", "country": "Ireland", "locale": "Dublin",
     "id": "ed30241c-ed8c-4bb6-9714-61953675d0b4", "provider": {"name": "amazon-web-services", "region": "eu-west-1"}},
]

STACKS = [
    {"name": "heroku-22", "id": "74cfe988-7527-4ca4-9cd2-5e4ec1c6a4f1", "state": "beta", "default": False},
    {"name": "heroku-24", "id": "ae20c7f6-f2bd-4e0b-8c56-5e3e8fa1b3d1", "state": "public", "default": True},
    {"name": "container", "id": "bb5b0ed6-1d0e-4a05-8a0d-9a2e7d1d2b77", "state": "public", "default": False},
]

# name, compute, memory GB, dedicated, cost cents/month, dyno units
DYNO_SIZES: list[tuple[str, int, float, bool, int, float]] = [
    ("Eco", 1, 0.5, False, 500, 0.0),
    ("Basic", 1, 0.5, False, 700, 0.28),
    ("Standard-1X", 1, 0.5, False, 2500, 1.0),
    ("Standard-2X", 4, 1.0, False, 5000, 2.0),
    ("Performance-M", 12, 2.5, True, 25000, 8.0),
    ("Performance-L", 50, 14.0, True, 50000, 16.0),
]

# service, human name, default attachment, var suffixes, [(plan, human, cents, default)]
SERVICES: list[tuple[str, str, str, list[tuple[str, str, int, bool]]]] = [
    ("heroku-postgresql", "Heroku Postgres", "DATABASE", [
        ("essential-0", "Essential 0", 500, True),
        ("essential-1", "Essential 1", 900, False),
        ("essential-2", "Essential 2", 2000, False),
        ("standard-0", "Standard 0", 5000, False),
        ("standard-2", "Standard 2", 20000, False),
    ]),
    ("heroku-redis", "Heroku Key-Value Store", "REDIS", [
        ("mini", "Mini", 300, True),
        ("premium-0", "Premium 0", 1500, False),
        ("premium-2", "Premium 2", 6000, False),
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

STATIC_TIME = "2024-01-01T00:00:00Z"


def uuid_for(kind: str, name: str) -> str:
    import uuid

    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"sandbox:{kind}:{name}"))


def dyno_sizes() -> list[dict[str, Any]]:
    return [
        {"id": uuid_for("dyno-size", name), "name": name, "compute": compute, "memory": memory,
         "dedicated": dedicated, "cost": {"cents": cents, "unit": "month"}, "precise_dyno_units": units,
         "private_space_only": False, "architecture": "amd64", "generation": {"id": uuid_for("gen", "cedar"),
                                                                              "name": "cedar"}}
        for name, compute, memory, dedicated, cents, units in DYNO_SIZES
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
    for service, _human, _attachment, service_plans in SERVICES:
        for plan, human, cents, default in service_plans:
            result.append({
                "id": uuid_for("plan", f"{service}:{plan}"), "name": f"{service}:{plan}",
                "human_name": human, "description": f"{_human} {human}", "default": default,
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
