"""Log sessions (`heroku logs`): POST /apps/{app}/log-sessions answers a `logplex_url`; reading that URL
streams the app's recent lines as server-sent events, as Logplex does. The lines are the app's releases
(`app[api]`) and one router line per running web dyno (`heroku[router]`), in Heroku's log format.

The session id in the URL is the capability (Logplex's URLs carry no other credential), so the stream
needs no token; a session is good for LOG_SESSION_SECONDS and unknown ids are a JSON 404.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from tmi_deploy.sandbox.errors import SandboxError, invalid, not_found
from tmi_deploy.sandbox.http_responses import error_response
from tmi_deploy.sandbox.platform_base import PlatformBase
from tmi_deploy.sandbox.store import now

if TYPE_CHECKING:
    from tmi_deploy.sandbox.app import Sandbox

STREAM_PATH = "/__sandbox/log-streams/{session}"
MAX_LINES = 1500  # Logplex keeps at most 1,500 lines per app (Dev Center "Logging", "Log history limits")
LOG_SESSION_SECONDS = 300
KEPT_SESSIONS = 50
TAIL_SECONDS = 3600


def stamp(text: str) -> str:
    """`2024-01-01T00:00:00Z` -> `2024-01-01T00:00:00.000000+00:00`, the timestamp Heroku's log lines carry."""
    return text.rstrip("Z") + ".000000+00:00"


class LogRules(PlatformBase):
    def create_log_session(self, app: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
        lines = body.get("lines", 100)
        if isinstance(lines, bool) or not isinstance(lines, int) or lines < 1:
            raise invalid("lines must be a positive integer.")
        for key in ("dyno", "dyno_name", "type", "source"):
            if body.get(key) is not None and not isinstance(body[key], str):
                raise invalid(f"{key} must be a string.")
        sessions: dict[str, Any] = self.state.setdefault("log_sessions", {})
        session = {"id": self.new_id("log-session"), "app_id": app["id"], "lines": min(lines, MAX_LINES),
                   "dyno": body.get("dyno_name") or body.get("dyno") or body.get("type"), "source": body.get("source"),
                   "tail": bool(body.get("tail")), "created_at": now(), "expires": time.time() + LOG_SESSION_SECONDS}
        sessions[session["id"]] = session
        for old in sorted(sessions, key=lambda k: sessions[k]["expires"])[:-KEPT_SESSIONS]:
            del sessions[old]
        return session

    def log_session(self, ident: str) -> dict[str, Any]:
        session = self.state.get("log_sessions", {}).get(ident)
        if session is None or session["expires"] < time.time() or session["app_id"] not in self.state["apps"]:
            raise not_found("log_session", "Couldn't find that log session.")
        return session  # type: ignore[no-any-return]

    def log_lines(self, session: dict[str, Any]) -> list[str]:
        app = self.state["apps"][session["app_id"]]
        entries = [(r["created_at"], "app", "api", f"{r['description']} by user {self.owner['email']}")
                   for r in app["releases"]]
        entries += [(r["created_at"], "app", "api", f"Release v{r['version']} created by user {self.owner['email']}")
                    for r in app["releases"]]
        entries += self._router_entries(app)
        kept = [e for e in entries if _matches(e, session)]
        kept.sort(key=lambda e: e[0])  # stable: a release's description stays before its "Release vN" line
        return [f"{stamp(at)} {source}[{dyno}]: {text}" for at, source, dyno, text in kept[-session["lines"]:]]

    def _router_entries(self, app: dict[str, Any]) -> list[tuple[str, str, str, str]]:
        web = app["formation"].get("web")
        if app["slug"] is None or web is None:
            return []
        host = f"{app['name']}-{app['suffix']}.herokuapp.com"
        entries = []
        for index in range(1, web["quantity"] + 1):
            request_id = uuid.uuid5(uuid.NAMESPACE_URL, f"{app['id']}:request:{index}")
            entries.append((app["released_at"], "heroku", "router",
                            f'at=info method=GET path="/" host={host} request_id={request_id} fwd="203.0.113.7" '
                            f"dyno=web.{index} connect=0ms service=4ms status=200 bytes=1024 protocol=https"))
        return entries


def _matches(entry: tuple[str, str, str, str], session: dict[str, Any]) -> bool:
    _at, source, dyno, text = entry
    if session["source"] and session["source"] != source:
        return False
    wanted = session["dyno"]
    if not wanted:
        return True
    shown = text.split("dyno=", 1)[1].split(" ", 1)[0] if dyno == "router" else dyno
    return wanted in (dyno, shown) or shown.startswith(wanted + ".")


def session_view(request_base: str, session: dict[str, Any]) -> dict[str, Any]:
    return {"created_at": session["created_at"], "id": session["id"], "updated_at": session["created_at"],
            "logplex_url": request_base.rstrip("/") + STREAM_PATH.replace("{session}", session["id"])}


def stream_endpoint(box: Sandbox) -> Callable[[Request], Any]:
    """The Logplex side: GET the session URL, get `text/event-stream` of the lines (and, with tail, stay open)."""

    async def endpoint(request: Request) -> Response:
        try:
            with box.transaction(False):
                session = box.platform.log_session(request.path_params["session"])
                lines = box.platform.log_lines(session)
        except SandboxError as err:
            return error_response(err)
        return StreamingResponse(_events(request, lines, session["tail"]), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache"})

    return endpoint


async def _events(request: Request, lines: list[str], tail: bool) -> AsyncIterator[bytes]:
    for number, line in enumerate(lines, 1):
        yield f"id: {number}\ndata: {line}\n\n".encode()
    deadline = time.monotonic() + TAIL_SECONDS
    while tail and time.monotonic() < deadline and not await request.is_disconnected():
        yield b": keep-alive\n\n"
        await asyncio.sleep(1)
