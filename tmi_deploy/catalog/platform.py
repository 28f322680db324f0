"""Heroku's own limits that an environment file can break before any request (sources: docs/heroku-limits.md)."""

from __future__ import annotations

import re
from typing import Any

from tmi_deploy.config.limits import APP_NAME

# Common Runtime dyno sizes (Dev Center "Dyno Types"); Private-*/Shield-* run only in Private Spaces.
COMMON_RUNTIME_SIZES = ("eco", "basic", "standard-1x", "standard-2x", "performance-m", "performance-l",
                        "performance-l-ram", "performance-xl", "performance-2xl")
RETIRED_SIZES = {"free": "eco", "hobby": "basic"}
# Sizes that bar every other size from the app: an app on Eco runs only Eco, one on Basic only Basic.
EXCLUSIVE_SIZES = ("eco", "basic")
ONE_PER_TYPE_SIZES = ("eco", "basic")  # Eco and Basic: one dyno per process type
MAX_ECO_PER_APP = 2
MAX_PERFORMANCE_PER_TYPE = 10  # Performance dynos per process type, unless raised on request
MAX_DYNOS_PER_APP = 100  # across all process types, unless raised on request
# All config var keys and values of one app together (Dev Center "Limits").
MAX_CONFIG_BYTES = 32 * 1024

# Custom domains (Dev Center "Custom Domain Names for Apps", "Automated Certificate Management"; docs/domains.md).
DOMAINS_PER_APP = 1000
DOMAIN_LABEL = re.compile(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")
HEROKU_ZONES = ("herokuapp.com", "herokudns.com", "herokussl.com", "heroku.com")
ACM_REFUSED_SIZES = ("eco",)  # ACM needs paid dynos: Basic and above

# The Platform API's app name pattern (hyper-schema, app/definitions/name), applied with fullmatch:
# `$` would also accept a trailing newline.
APP_NAME_RULE = ("3 to 30 characters: lowercase letters, digits and dashes, starting with a letter and "
                 "ending with a letter or digit")


def is_performance(size: str) -> bool:
    return size.startswith("performance-")


def app_name_problem(name: str) -> str | None:
    """Why Heroku would refuse ``name`` as an app name, or None."""
    if APP_NAME.fullmatch(name):
        return None
    if len(name) > 30:
        return f"is {len(name)} characters long; Heroku allows at most 30"
    if len(name) < 3:
        return "is shorter than the 3 characters Heroku requires"
    return "is not a name Heroku accepts"


def base64_length(raw_bytes: int) -> int:
    return 4 * ((raw_bytes + 2) // 3)


def hostname_problem(hostname: Any) -> str | None:
    """Why `hostname` is not a hostname Heroku accepts (None: it is one)."""
    if not isinstance(hostname, str) or not hostname:
        return "Hostname must be a non-empty text."
    if len(hostname) > 253:
        return "Hostname must be at most 253 characters."
    if hostname != hostname.lower():
        return f"Hostname {hostname} must be lowercase."
    labels = hostname.split(".")
    if len(labels) < 2:
        return f"Hostname {hostname} must have a domain and a top-level domain (such as www.example.com)."
    if labels[0] == "*":
        labels = labels[1:]
    if not all(DOMAIN_LABEL.fullmatch(label) for label in labels) or len(labels) < 2:
        return (f"Hostname {hostname} is invalid: labels of letters, digits and inner hyphens (at most 63 each), "
                "separated by dots; a wildcard only as the whole first label (*.example.com).")
    if labels[-1].isdigit():
        return f"Hostname {hostname} is an IP address; give a domain name."
    if any(hostname == zone or hostname.endswith("." + zone) for zone in HEROKU_ZONES):
        return f"Hostname {hostname} is in a Heroku domain; only your own domains can be added."
    return None
