"""Rules Heroku enforces on every app, checked offline: dyno sizes and counts, app names, config size."""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from tmi_deploy.catalog.checks import literal
from tmi_deploy.catalog.platform import (
    APP_NAME_RULE,
    COMMON_RUNTIME_SIZES,
    EXCLUSIVE_SIZES,
    MAX_CONFIG_BYTES,
    MAX_DYNOS_PER_APP,
    MAX_ECO_PER_APP,
    MAX_PERFORMANCE_PER_TYPE,
    ONE_PER_TYPE_SIZES,
    RETIRED_SIZES,
    app_name_problem,
    base64_length,
    is_performance,
)
from tmi_deploy.catalog.rule import Version, finding
from tmi_deploy.config.models import AppDesired, Environment, Generate, Origin, VarSpec
from tmi_deploy.errors import Problem


def rule_dyno_size(env: Environment, version: Version) -> Iterator[Problem]:
    for app in env.apps.values():
        for ptype, entry in sorted(app.formation.items()):
            if entry.size in COMMON_RUNTIME_SIZES:
                continue
            near = RETIRED_SIZES.get(entry.size)
            close = [near] if near else difflib.get_close_matches(entry.size, COMMON_RUNTIME_SIZES, n=3)
            hint = f"use {' or '.join(close)}" if close else f"use one of {', '.join(COMMON_RUNTIME_SIZES)}"
            why = "was retired by Heroku" if near else "is not a Common Runtime dyno size"
            yield finding(None, app, "DYNO-SIZE", f"formation.{ptype}: size '{entry.size}' {why}", hint,
                          origin=app.origin_of(f"formation.{ptype}"))


def rule_dyno_quantity(env: Environment, version: Version) -> Iterator[Problem]:
    for app in env.apps.values():
        for ptype, entry in sorted(app.formation.items()):
            where = app.origin_of(f"formation.{ptype}")
            if entry.size in ONE_PER_TYPE_SIZES and entry.quantity > 1:
                yield finding(None, app, "DYNO-QUANTITY", f"formation.{ptype}: {entry.quantity} {entry.size} "
                              f"dynos; Heroku runs one {entry.size} dyno per process type",
                              f"set quantity: 1, or use standard-1x to run {entry.quantity}", origin=where)
            if is_performance(entry.size) and entry.quantity > MAX_PERFORMANCE_PER_TYPE:
                yield finding(None, app, "DYNO-QUANTITY", f"formation.{ptype}: {entry.quantity} Performance dynos; "
                              f"Heroku allows {MAX_PERFORMANCE_PER_TYPE} per process type",
                              f"set quantity: {MAX_PERFORMANCE_PER_TYPE} or less, or ask Heroku to raise the limit",
                              origin=where)
        yield from _app_totals(app)


def _app_totals(app: AppDesired) -> Iterator[Problem]:
    total = sum(entry.quantity for entry in app.formation.values())
    eco = sum(entry.quantity for entry in app.formation.values() if entry.size == "eco")
    if total > MAX_DYNOS_PER_APP:
        yield finding(None, app, "DYNO-QUANTITY", f"{total} dynos in {app.name}; Heroku runs at most "
                      f"{MAX_DYNOS_PER_APP} per app", "lower the quantities, or ask Heroku to raise the limit",
                      origin=_first_formation(app))
    if eco > MAX_ECO_PER_APP:
        yield finding(None, app, "DYNO-QUANTITY", f"{eco} eco dynos in {app.name}; Heroku runs at most "
                      f"{MAX_ECO_PER_APP} per app", "use basic or standard-1x dynos",
                      origin=_first_formation(app))


def _first_formation(app: AppDesired) -> Origin | None:
    ptype = min(app.formation, default=None)
    return app.origin_of(f"formation.{ptype}") if ptype is not None else None


def rule_dyno_mix(env: Environment, version: Version) -> Iterator[Problem]:
    for app in env.apps.values():
        sizes = {entry.size for entry in app.formation.values()}
        exclusive = sorted(sizes & set(EXCLUSIVE_SIZES))
        if not exclusive or len(sizes) == 1:
            continue
        alone = exclusive[0]
        others = sorted(sizes - {alone})
        ptype = next(p for p, entry in sorted(app.formation.items()) if entry.size in others)
        yield finding(None, app, "DYNO-MIX", f"formation mixes {alone} with {', '.join(others)}; an app on "
                      f"{alone} dynos runs only {alone} dynos", "use one size for every process type, or "
                      "standard/performance sizes only", origin=app.origin_of(f"formation.{ptype}"))


def rule_app_name(env: Environment, version: Version) -> Iterator[Problem]:
    for app in env.apps.values():
        why = app_name_problem(app.name)
        if why:
            yield finding(None, app, "APP-NAME", f"app name {app.name!r} {why}", f"use {APP_NAME_RULE}")


def rule_config_size(env: Environment, version: Version) -> Iterator[Problem]:
    """Known bytes only: derived values (add-on URLs, app URLs) are not known offline and not counted."""
    for app in env.apps.values():
        sizes = {name: len(name.encode()) + _known_bytes(spec) for name, spec in app.config.items()}
        total = sum(sizes.values())
        if total <= MAX_CONFIG_BYTES:
            continue
        largest = max(sizes, key=lambda name: sizes[name])
        yield finding(app.config[largest], app, "CONFIG-SIZE", f"config vars of {app.name} take at least "
                      f"{total:,} bytes; Heroku caps an app's keys and values at {MAX_CONFIG_BYTES:,}",
                      f"shrink the largest ({largest}, {sizes[largest]:,} bytes) or keep it out of config vars")


def _known_bytes(spec: VarSpec) -> int:
    value = literal(spec)
    if value is not None:
        return len(value.encode())
    if isinstance(spec.source, Generate):
        size = spec.source.bytes
        return base64_length(size) if spec.source.generate == "base64" else 2 * size
    return 0
