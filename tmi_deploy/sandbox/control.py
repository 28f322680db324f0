"""The sandbox's own control plane under /__sandbox (not Heroku): stats, state, reset, settings, a code
push, a credential rotation. It needs the same token as the API (checked by the protocol middleware)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from tmi_deploy.sandbox import views
from tmi_deploy.sandbox.errors import invalid
from tmi_deploy.sandbox.faults import FaultInjector, FaultSpec
from tmi_deploy.sandbox.platform_apps import APP_NAME
from tmi_deploy.sandbox.routes_api import Call, Op
from tmi_deploy.sandbox.store import empty_state

if TYPE_CHECKING:
    from tmi_deploy.sandbox.app import Sandbox

SETTINGS = ("provisioning_seconds", "tokens", "ratelimit_capacity", "teams")


def _number(body: dict[str, Any], key: str, low: float, high: float) -> float:
    value = body[key]
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or not low <= value <= high:
        raise invalid(f"{key} must be a number from {low:g} to {high:g}")
    return float(value)


def _tokens(value: Any) -> list[str]:
    # An empty list would mean "any token": the control plane may narrow access, never open it.
    if not isinstance(value, list) or not value or not all(isinstance(t, str) and t.strip() for t in value):
        raise invalid("tokens must be a non-empty list of non-empty strings")
    return list(value)


def _teams(value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(t, str) and APP_NAME.fullmatch(t) for t in value):
        raise invalid("teams must be a list of team names (lowercase letters, digits and dashes)")
    return list(value)


def _faults(body: dict[str, Any]) -> FaultSpec:
    seed = body.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int) or not isinstance(body["faults"], str):
        raise invalid("faults must be a text such as 429=0.05,500=0.02 and seed an integer")
    try:
        return FaultSpec.parse(body["faults"], seed)
    except ValueError as exc:
        raise invalid(f"faults: {exc}") from None


def _settings(box: Sandbox, body: dict[str, Any]) -> dict[str, Any]:
    updates: dict[str, Any] = {}
    if "provisioning_seconds" in body:
        updates["provisioning_seconds"] = _number(body, "provisioning_seconds", 0, 86_400)
    if "ratelimit_capacity" in body:
        updates["ratelimit_capacity"] = int(_number(body, "ratelimit_capacity", 1, 1e9))
    if "tokens" in body:
        updates["tokens"] = _tokens(body["tokens"])
    if "teams" in body:
        updates["teams"] = _teams(body["teams"])
    latency = _number(body, "latency_ms", 0, 60_000) if "latency_ms" in body else None
    spec = _faults(body) if "faults" in body else None
    box.state.update(updates)  # validated all first: a refused request changes nothing
    if latency is not None:
        box.settings.latency_ms = latency
    if spec is not None:
        box.settings.faults = spec
        box.faults = FaultInjector(spec)
    box.limiter.buckets.clear()
    return {k: box.state.get(k) for k in SETTINGS}


def _reset(box: Sandbox) -> dict[str, Any]:
    fresh = empty_state(box.settings.seed, box.default_provisioning_seconds())
    box.state.clear()
    box.state.update(fresh)
    box.limiter.buckets.clear()
    return {"reset": True}


def _reset_stats(box: Sandbox) -> dict[str, Any]:
    box.state["stats"] = {"requests": {}, "releases": {}}
    return box.stats()


def _deploy(c: Call) -> Any:
    process_types = c.obj().get("process_types") or {"web": "bin/server"}
    if not isinstance(process_types, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in process_types.items()):
        raise invalid("process_types must map process type names to commands")
    return views.release(c.p, c.app, c.p.deploy(c.app, process_types))


def _rotate(c: Call) -> Any:
    addon = c.p.find_addon(c.params["addon"])
    c.p.rotate_credentials(addon)
    return views.addon(c.p, addon)


def control_ops(box: Sandbox) -> list[Op]:
    return [
        ("GET", "/stats", lambda c: box.stats()),
        ("POST", "/stats/reset", lambda c: _reset_stats(box)),
        ("GET", "/state", lambda c: box.state),
        ("POST", "/reset", lambda c: _reset(box)),
        ("PATCH", "/settings", lambda c: _settings(box, c.obj())),
        ("POST", "/apps/{app}/deploy", _deploy),
        ("POST", "/addons/{addon}/rotate", _rotate),
    ]
