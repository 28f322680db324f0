"""Heroku's own limits that an environment file can break before any request (sources: docs/heroku-limits.md)."""

from __future__ import annotations

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
