"""The sandbox as an ASGI app: Starlette routes (Route/Mount with path parameters) to the handlers in
routes_api.py and control.py, wrapped in Heroku's protocol (http_protocol.py). Usable in-process
(httpx.ASGITransport) or served on loopback (serve.py).

Each request's handler runs synchronously inside one state transaction: with a state file, under the
file's lock, the state is refreshed from disk if another process changed it, add-ons whose
provisioning time has come finish, the handler runs, and the state is written back.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.types import Receive, Scope, Send

from tmi_deploy.sandbox import logs, routes_cli
from tmi_deploy.sandbox.control import control_ops
from tmi_deploy.sandbox.errors import SandboxError
from tmi_deploy.sandbox.faults import Fault, FaultInjector, FaultSpec
from tmi_deploy.sandbox.http_protocol import CrashGuard, Protocol, RateLimiter
from tmi_deploy.sandbox.http_responses import Listing, Reply, error_response, json_response, list_response, with_etag
from tmi_deploy.sandbox.platform import Platform
from tmi_deploy.sandbox.request_body import read_json
from tmi_deploy.sandbox.request_schema import validate
from tmi_deploy.sandbox.routes_access import access_ops, app_log_ops
from tmi_deploy.sandbox.routes_api import Call, Handler, account_ops, addon_ops, app_addon_ops, app_dyno_ops, catalog_ops
from tmi_deploy.sandbox.routes_domains import domain_ops
from tmi_deploy.sandbox.store import StateFile, file_lock, load_state


@dataclass
class SandboxSettings:
    latency_ms: float = 0.0
    faults: FaultSpec = field(default_factory=FaultSpec)
    state_path: Path | None = None
    seed: int = 0
    provisioning_seconds: float | None = None  # None: what the state holds (a new state: the default)


class Sandbox:
    """An emulated Heroku Platform API. Call it as an ASGI app."""

    def __init__(self, settings: SandboxSettings | None = None, state: dict[str, Any] | None = None) -> None:
        self.settings = settings or SandboxSettings()
        path = self.settings.state_path
        self.file = StateFile(path) if path is not None else None
        self.state = state if state is not None else load_state(path, self.settings.seed)
        if self.settings.provisioning_seconds is not None:
            self.state["provisioning_seconds"] = self.settings.provisioning_seconds
        self.platform = Platform(self.state)
        self.faults = FaultInjector(self.settings.faults)
        self.etag_key = secrets.token_bytes(16)
        self.limiter = RateLimiter()
        self.in_flight = 0
        self.asgi = Starlette(routes=self._routes(), middleware=[Middleware(CrashGuard), Middleware(Protocol, sandbox=self)],
                              exception_handlers={HTTPException: self._no_route})
        self.asgi.router.redirect_slashes = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.asgi(scope, receive, send)

    # ---- what the protocol middleware asks ----------------------------------------------------------
    def account_for(self, token: str) -> str | None:
        """The account a token belongs to (the rate limit is per account), None when it is refused."""
        allowed = self.state.get("tokens") or []
        if not token or not (token.isascii() and token.isprintable()) or (allowed and token not in allowed):
            return None
        return str(self.state["account"]["id"])

    def draw_fault(self) -> Fault | None:
        fault = self.faults.draw()
        if fault is not None:
            label = fault.kind + (" after the change" if fault.after else "")
            counts = self.state["stats"].setdefault("faults", {})
            counts[label] = counts.get(label, 0) + 1
        return fault

    def stats(self) -> dict[str, Any]:
        return dict(self.state["stats"])

    def default_provisioning_seconds(self) -> float:
        configured = self.settings.provisioning_seconds
        return configured if configured is not None else float(load_state(None)["provisioning_seconds"])

    # ---- routing --------------------------------------------------------------------------------
    def _routes(self) -> list[BaseRoute]:
        top = [*catalog_ops(), *account_ops(), *addon_ops(), *access_ops(), *routes_cli.top_ops()]
        under_app = [*app_addon_ops(), *app_dyno_ops(), *domain_ops(), *app_log_ops(), *routes_cli.app_ops()]
        return [
            Route(logs.STREAM_PATH, logs.stream_endpoint(self), methods=["GET"]),
            *(self._route(method, path, "", fn) for method, path, fn in top),
            Mount("/apps/{app}", routes=[self._route(m, path, "/apps/{app}", fn) for m, path, fn in under_app]),
            Mount("/__sandbox", routes=[self._route(m, path, "/__sandbox", fn) for m, path, fn in control_ops(self)]),
        ]

    def _route(self, method: str, path: str, prefix: str, handler: Handler) -> Route:
        template = prefix + path

        async def endpoint(request: Request) -> Response:
            try:
                body = await read_json(request)
                validate(method, template, body)
            except SandboxError as err:
                return error_response(err)
            with self.transaction(method != "GET"):
                if not template.startswith("/__sandbox"):
                    self._count(method, template, request.path_params)
                remaining = request.scope.get("state", {}).get("ratelimit_remaining", 4500)
                call = Call(self.platform, dict(request.path_params), body, request.headers, remaining)
                return self._answer(request, handler, call)

        return Route(path, endpoint, methods=[method], name=f"{method} {template}")

    def _answer(self, request: Request, handler: Handler, call: Call) -> Response:
        try:
            result = handler(call)
            if isinstance(result, Listing):
                return with_etag(request, list_response(request, result), self.etag_key)
        except SandboxError as err:
            return error_response(err)
        reply = result if isinstance(result, Reply) else Reply(200, result)
        return with_etag(request, json_response(reply.status, reply.payload, reply.headers), self.etag_key)

    async def _no_route(self, request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        if not request.url.path.startswith("/__sandbox"):
            with self.transaction(False):
                self._count(request.method, "(unknown)", {})
        return json_response(405 if status == 405 else 404, {"id": "not_found", "message": "Not found."})

    def _count(self, method: str, template: str, params: Any) -> None:
        app_name = "-"
        if "app" in params:
            try:
                app_name = self.platform.find_app(params["app"])["name"]
            except SandboxError:
                app_name = params["app"]
        by_app = self.state["stats"]["requests"].setdefault(f"{method} {template}", {})
        by_app[app_name] = by_app.get(app_name, 0) + 1

    # ---- state ----------------------------------------------------------------------------------
    @contextlib.contextmanager
    def transaction(self, writes: bool) -> Iterator[None]:
        """Refresh, tick, run, save: under the state file's lock when there is a file."""
        if self.file is None:
            self.platform.tick()
            yield
            return
        with file_lock(self.file.path):
            self.file.refresh(self.state, self.settings.seed)
            counter = self.state["counter"]
            self.platform.tick()
            yield
            if writes or self.state["counter"] != counter:
                self.file.write(self.state)


def create_app(settings: SandboxSettings | None = None, state: dict[str, Any] | None = None) -> Sandbox:
    return Sandbox(settings, state)

