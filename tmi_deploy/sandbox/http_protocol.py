"""Heroku's protocol around every API request, as ASGI middleware: the version=3 Accept header, auth,
the per-account rate limit, Request-Id, injected faults and latency; plus a last-resort JSON 500."""

from __future__ import annotations

import asyncio
import base64
import binascii
import logging
import time
import uuid
from typing import TYPE_CHECKING

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tmi_deploy.sandbox.errors import SandboxError
from tmi_deploy.sandbox.faults import Fault
from tmi_deploy.sandbox.http_responses import json_response

if TYPE_CHECKING:
    from tmi_deploy.sandbox.app import Sandbox

RATE_CAPACITY = 4500
RATE_REFILL_PER_SECOND = 75 / 60
ACCEPT_PREFIX = "application/vnd.heroku+json"
LOG_STREAMS = "/__sandbox/log-streams/"
PUBLIC_READS = ("/addon-services", "/plans", "/regions", "/stacks", "/dyno-sizes")
MISSING_VERSION = SandboxError(400, "missing_version", "Please specify a version along with Heroku's API MIME type. "
                               "For example, `Accept: application/vnd.heroku+json; version=3`.")
UNAUTHORIZED = SandboxError(401, "unauthorized", "Invalid credentials provided.")
RATE_LIMITED = SandboxError(429, "rate_limit", "Your account reached the API rate limit\n"
                            "Please wait a few minutes before making new requests")
INJECTED = {"429": SandboxError(429, "rate_limit", "Your account reached the API rate limit"),
            "500": SandboxError(500, "internal_server_error", "Internal server error."),
            "503": SandboxError(503, "service_unavailable", "API is temporarily unavailable.")}
CRASH = SandboxError(500, "internal_server_error", "Internal server error (a sandbox bug; see its log).")
log = logging.getLogger("tmi_deploy.sandbox")


class InjectedReset(ConnectionResetError):
    """Raised mid-response to emulate a dropped connection."""


def bearer_token(headers: Headers) -> str:
    header = headers.get("authorization", "")
    if header.startswith("Bearer "):
        return header[7:].strip()
    if header.startswith("Basic "):
        try:
            return base64.b64decode(header[6:], validate=True).decode().split(":", 1)[-1]
        except (ValueError, binascii.Error, UnicodeDecodeError):
            return ""
    return ""


def accepts_v3(headers: Headers) -> bool:
    for part in headers.get("accept", "").split(","):
        media, _, params = part.partition(";")
        versions = [p.strip() for p in params.split(";")]
        if media.strip() == ACCEPT_PREFIX and any(v == "version=3" or v.startswith("version=3.") for v in versions):
            return True
    return False


class RateLimiter:
    """Token bucket per account (all of an account's tokens share it): 4,500 requests, refilled at 75 a minute."""

    def __init__(self) -> None:
        self.buckets: dict[str, tuple[float, float]] = {}

    def spend(self, account: str, capacity: float) -> float:
        moment = time.monotonic()
        level, stamp = self.buckets.get(account, (capacity, moment))
        level = min(capacity, level + (moment - stamp) * RATE_REFILL_PER_SECOND) - 1
        self.buckets[account] = (max(level, -1.0), moment)
        return level


async def send_error(send: Send, err: SandboxError, headers: dict[str, str] | None = None) -> None:
    response = json_response(err.status, err.body(), headers)
    await send({"type": "http.response.start", "status": response.status_code, "headers": response.raw_headers})
    await send({"type": "http.response.body", "body": bytes(response.body)})


class CrashGuard:
    """Outermost: whatever goes wrong inside answers Heroku's JSON 500, never a traceback page."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking)
        except (InjectedReset, asyncio.CancelledError):
            raise
        except Exception:
            log.exception("sandbox: unhandled error in %s %s", scope.get("method"), scope.get("path"))
            if not started:
                await send_error(send, CRASH)


class Protocol:
    """Heroku's request protocol; the control plane (/__sandbox) only needs the token."""

    def __init__(self, app: ASGIApp, sandbox: Sandbox) -> None:
        self.app = app
        self.sandbox = sandbox

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        scope["path"] = scope["path"].rstrip("/") or "/"
        headers = Headers(scope=scope)
        if scope["path"].startswith(LOG_STREAMS):  # the session id in the URL is the credential, as on Logplex
            await self.app(scope, receive, send)
            return
        if scope["path"].startswith("/__sandbox"):
            if self.sandbox.account_for(bearer_token(headers)) is None:
                await send_error(send, UNAUTHORIZED)
                return
            await self.app(scope, receive, send)
            return
        self.sandbox.in_flight += 1  # how many API requests overlap: do a client's reads really go together?
        stats = self.sandbox.state["stats"]
        stats["max_in_flight"] = max(stats.get("max_in_flight", 0), self.sandbox.in_flight)
        try:
            await self._api(scope, receive, send, headers)
        finally:
            self.sandbox.in_flight -= 1

    def _refusal(self, scope: Scope, headers: Headers, base: dict[str, str]) -> SandboxError | None:
        account = self.sandbox.account_for(bearer_token(headers))
        remaining = self.sandbox.limiter.spend(account or f"anonymous:{scope.get('client')}",
                                               float(self.sandbox.state.get("ratelimit_capacity", RATE_CAPACITY)))
        base["RateLimit-Remaining"] = str(max(int(remaining), 0))
        scope.setdefault("state", {})["ratelimit_remaining"] = max(int(remaining), 0)  # for GET /account/rate-limits
        if not accepts_v3(headers):
            return MISSING_VERSION
        public = scope["method"] == "GET" and scope["path"].startswith(PUBLIC_READS)
        if not public and account is None:
            return UNAUTHORIZED
        if remaining < 0:
            return RATE_LIMITED
        return None

    async def _api(self, scope: Scope, receive: Receive, send: Send, headers: Headers) -> None:
        ids = [i.strip() for i in headers.get("request-id", "").split(",") if i.strip()][-7:]
        base = {"Request-Id": ",".join([*ids, str(uuid.uuid4())]), "RateLimit-Multiplier": "1",
                "Cache-Control": "private, no-cache"}
        refusal = self._refusal(scope, headers, base)
        if refusal is not None:
            await send_error(send, refusal, base)
            return
        fault = self.sandbox.draw_fault()
        if fault is not None and fault.kind in INJECTED:
            await send_error(send, INJECTED[fault.kind], base)
            return
        if fault is not None and not fault.after:
            await self._break(fault, send)
        if self.sandbox.settings.latency_ms:
            await asyncio.sleep(self.sandbox.settings.latency_ms / 1000)
        await self.app(scope, receive, self._stamped(send, base, fault))
        if fault is not None:
            await self._break(fault, send)

    def _stamped(self, send: Send, base: dict[str, str], fault: Fault | None) -> Send:
        async def stamped(message: Message) -> None:
            if fault is not None:
                return  # the change happens, the answer is lost
            if message["type"] == "http.response.start":
                target = MutableHeaders(scope=message)
                for key, value in base.items():
                    target[key] = value
            await send(message)

        return stamped

    async def _break(self, fault: Fault, send: Send) -> None:
        if fault.kind == "hang":
            await asyncio.sleep(self.sandbox.settings.faults.hang_seconds)
        await send({"type": "http.response.start", "status": 503, "headers": [(b"content-length", b"100000")]})
        raise InjectedReset("sandbox injected a connection reset")

