"""Reading a request body: JSON or nothing, bounded in size and depth, so no input can crash a handler."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request

from tmi_deploy.sandbox.errors import SandboxError, bad_request

MAX_BODY_BYTES = 1_000_000  # far above the largest legal body (32 kB of config vars, JSON-escaped)
MAX_DEPTH = 32  # Heroku's request schemas nest four levels at most
INVALID_JSON = "Invalid JSON in request body."


def depth_of(value: Any) -> int:
    """How deeply containers nest in `value`, without recursion (a deep document cannot exhaust the stack)."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, level)
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, level + 1) for child in children)
    return deepest


async def read_json(request: Request) -> Any:
    if request.method in ("GET", "HEAD"):
        return {}
    raw = b""
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > MAX_BODY_BYTES:
            raise SandboxError(413, "request_entity_too_large", "Request body too large.")
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise bad_request(INVALID_JSON) from None
    if depth_of(body) > MAX_DEPTH:
        raise bad_request("Request body is nested too deeply.")
    return body
