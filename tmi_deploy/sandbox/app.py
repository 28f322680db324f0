"""The sandbox's HTTP face: Heroku's protocol (Accept, auth, rate limit, ranges, ETag, errors) around
the Platform rules in state.py, as an ASGI app usable in-process or served on loopback."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import re
import secrets
import time
import uuid
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from tmi_deploy.sandbox import catalog
from tmi_deploy.sandbox.faults import FaultInjector, FaultSpec
from tmi_deploy.sandbox.state import Platform, SandboxError, empty_state, invalid, load_state, save_state

ACCEPT = re.compile(r"application/vnd\.heroku\+json;\s*version=3(\.[\w-]+)?")
RATE_CAPACITY = 4500
RATE_REFILL_PER_SECOND = 75 / 60
DEFAULT_PAGE = 200
MAX_PAGE = 1000


class InjectedReset(ConnectionResetError):
    """Raised mid-response to emulate a dropped connection."""


@dataclass
class Listing:
    items: list[dict[str, Any]]
    default_field: str = "id"
    fields: tuple[str, ...] = ("id", "name")


@dataclass
class Reply:
    status: int
    payload: Any
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[["Call"], "Reply | Listing | Any"]


@dataclass
class Call:
    method: str
    params: dict[str, str]
    body: Any
    headers: dict[str, str]


@dataclass
class SandboxSettings:
    latency_ms: float = 0.0
    faults: FaultSpec = field(default_factory=FaultSpec)
    state_path: Path | None = None
    seed: int = 0


class Sandbox:
    """An emulated Heroku Platform API. Call it as an ASGI app."""

    def __init__(self, settings: SandboxSettings | None = None, state: dict[str, Any] | None = None) -> None:
        self.settings = settings or SandboxSettings()
        self.state = state if state is not None else load_state(self.settings.state_path, self.settings.seed)
        self.platform = Platform(self.state)
        self.faults = FaultInjector(self.settings.faults)
        self.etag_key = secrets.token_bytes(16)  # ETags are keyed: never an unkeyed hash of config values
        self.buckets: dict[str, tuple[float, float]] = {}
        self.in_flight = 0
        self.routes: list[tuple[str, re.Pattern[str], str, Handler]] = []
        self._register()

    # ---- ASGI ------------------------------------------------------------------------------------
    async def __call__(self, scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return
        request = Request(scope, receive)
        response, fault = await self.handle(request)
        if fault == "reset":
            await send({"type": "http.response.start", "status": response.status_code,
                        "headers": [(b"content-length", b"100000")]})
            raise InjectedReset("sandbox injected a connection reset")
        await response(scope, receive, send)

    async def handle(self, request: Request) -> tuple[Response, str | None]:
        if request.url.path.startswith("/__sandbox"):
            return await self._handle(request)
        # How many API requests overlap: shows whether a client really issues its reads together.
        self.in_flight += 1
        stats = self.state["stats"]
        stats["max_in_flight"] = max(stats.get("max_in_flight", 0), self.in_flight)
        try:
            return await self._handle(request)
        finally:
            self.in_flight -= 1

    async def _handle(self, request: Request) -> tuple[Response, str | None]:
        path = request.url.path.rstrip("/") or "/"
        method = request.method.upper()
        self.platform.tick()
        if path.startswith("/__sandbox"):
            return await self._control(request, method, path), None
        request_ids = [*filter(None, (request.headers.get("request-id") or "").split(",")), str(uuid.uuid4())]
        token_key = self._auth_key(request)
        remaining = self._spend(token_key or "anonymous")
        base_headers = {"Request-Id": ",".join(request_ids[-8:]), "RateLimit-Remaining": str(int(remaining)),
                        "RateLimit-Multiplier": "1", "Cache-Control": "private, no-cache"}

        def error(err: SandboxError) -> tuple[Response, None]:
            return self._json(err.status, err.body(), base_headers), None

        if not ACCEPT.search(request.headers.get("accept", "")):
            return error(SandboxError(400, "missing_version", "Please specify a version along with Heroku's API "
                                      "MIME type. For example, `Accept: application/vnd.heroku+json; version=3`."))
        public = method == "GET" and path.startswith(("/addon-services", "/plans", "/regions", "/stacks",
                                                      "/dyno-sizes"))
        if not public and token_key is None:
            return error(SandboxError(401, "unauthorized", "Invalid credentials provided."))
        if remaining < 0:
            base_headers["RateLimit-Remaining"] = "0"
            return error(SandboxError(429, "rate_limit", "Your account reached the API rate limit\n"
                                      "Please wait a few minutes before making new requests"))
        fault = self.faults.draw()
        if fault:
            label = fault.kind + (" after the change" if fault.after else "")
            faults = self.state["stats"].setdefault("faults", {})
            faults[label] = faults.get(label, 0) + 1
        if fault and fault.kind in ("429", "500", "503"):
            ids = {"429": ("rate_limit", "Your account reached the API rate limit"),
                   "500": ("internal_server_error", "Internal server error."),
                   "503": ("service_unavailable", "API is temporarily unavailable.")}[fault.kind]
            return error(SandboxError(int(fault.kind), *ids))
        if fault and not fault.after:
            await self._break(fault.kind)
            return self._json(503, {"id": "service_unavailable", "message": "interrupted"}, base_headers), "reset"
        if self.settings.latency_ms:
            await asyncio.sleep(self.settings.latency_ms / 1000)
        response = await self._dispatch(request, method, path, base_headers)
        if fault and fault.after:
            await self._break(fault.kind)
            return response, "reset"
        return response, None

    async def _break(self, kind: str) -> None:
        if kind == "hang":
            await asyncio.sleep(self.settings.faults.hang_seconds)

    async def _dispatch(self, request: Request, method: str, path: str, headers: dict[str, str]) -> Response:
        handler, params, template = self._route(method, path)
        self._count(method, template, params)
        if handler is None:
            status = 405 if params.get("_path_known") else 404
            return self._json(status, {"id": "not_found", "message": "Not found."}, headers)
        try:
            body = await self._body(request)
            result = handler(Call(method, params, body, {k.lower(): v for k, v in request.headers.items()}))
        except SandboxError as err:
            return self._json(err.status, err.body(), headers)
        if method != "GET" and self.settings.state_path is not None:
            save_state(self.settings.state_path, self.state)
        if isinstance(result, Listing):
            try:
                return self._list(request, result, headers)
            except SandboxError as err:
                return self._json(err.status, err.body(), headers)
        reply = result if isinstance(result, Reply) else Reply(200, result)
        return self._json(reply.status, reply.payload, {**headers, **reply.headers}, request if method == "GET" else None)

    async def _body(self, request: Request) -> Any:
        raw = await request.body()
        if not raw.strip():
            return {}
        try:
            return json.loads(raw)
        except ValueError as exc:
            raise SandboxError(400, "bad_request", "Invalid JSON in request body.") from exc

    # ---- protocol helpers ------------------------------------------------------------------------
    def _auth_key(self, request: Request) -> str | None:
        header = request.headers.get("authorization", "")
        token = ""
        if header.startswith("Bearer "):
            token = header[7:].strip()
        elif header.startswith("Basic "):
            try:
                token = base64.b64decode(header[6:]).decode().split(":", 1)[-1]
            except (ValueError, UnicodeDecodeError):
                token = ""
        allowed = self.state.get("tokens") or []
        if not token or (allowed and token not in allowed):
            return None
        return hashlib.sha256(b"bucket:" + token.encode()).hexdigest()[:16]

    def _spend(self, key: str) -> float:
        """Token bucket per account: 4,500 requests, refilled at 75 a minute. Returns what is left."""
        capacity = float(self.state.get("ratelimit_capacity", RATE_CAPACITY))
        level, stamp = self.buckets.get(key, (capacity, time.monotonic()))
        moment = time.monotonic()
        level = min(capacity, level + (moment - stamp) * RATE_REFILL_PER_SECOND)
        level -= 1
        self.buckets[key] = (max(level, -1.0), moment)
        return level

    def _json(self, status: int, payload: Any, headers: dict[str, str], request: Request | None = None) -> Response:
        body = json.dumps(payload, separators=(",", ":")).encode()
        out = {**headers}
        if request is not None and status == 200:
            etag = '"' + hmac.new(self.etag_key, body, hashlib.sha256).hexdigest()[:32] + '"'
            out["ETag"] = etag
            if request.headers.get("if-none-match") == etag:
                return Response(status_code=304, headers=out)
        return Response(content=body, status_code=status, headers=out, media_type="application/json")

    def _list(self, request: Request, listing: Listing, headers: dict[str, str]) -> Response:
        field_name, start, inclusive, limit, order = self._parse_range(request.headers.get("range"), listing)
        def sort_key(item: dict[str, Any]) -> Any:
            return item.get(field_name)
        items = sorted(listing.items, key=sort_key, reverse=(order == "desc"))
        if start is not None:
            bound: Any = int(start) if items and isinstance(items[0].get(field_name), int) else start
            if order == "desc":
                items = [i for i in items if i.get(field_name) < bound or (inclusive and i.get(field_name) == bound)]
            else:
                items = [i for i in items if i.get(field_name) > bound or (inclusive and i.get(field_name) == bound)]
        page = items[:limit]
        out = {**headers, "Accept-Ranges": ", ".join(listing.fields)}
        status = 200
        if page:
            out["Content-Range"] = f"{field_name} {page[0].get(field_name)}..{page[-1].get(field_name)}"
        if len(items) > limit:
            status = 206
            order_text = f", order={order}" if order == "desc" else ""
            out["Next-Range"] = f"{field_name} ]{page[-1].get(field_name)}..; max={limit}{order_text}"
        return self._json(status, page, out, request if status == 200 else None)

    def _parse_range(self, header: str | None, listing: Listing) -> tuple[str, str | None, bool, int, str]:
        if header is None or not header.strip():
            return listing.default_field, None, True, DEFAULT_PAGE, "asc"
        match = re.match(r"^\s*(\w+)\s+([\]\[]?)([^.]*)\.\.([^;]*)(?:;(.*))?$", header)
        if not match or match.group(1) not in listing.fields:
            raise SandboxError(400, "bad_request", "Invalid `Range` header. Please use format like "
                               "`id ..; max=10, order=desc`.")
        field_name, bracket, start, _end, options = match.groups()
        limit, order = DEFAULT_PAGE, "asc"
        options = (options or "").strip().rstrip(";")
        if ";" in options:
            raise SandboxError(400, "bad_request", "Invalid `Range` header. Please use format like "
                               "`id ..; max=10, order=desc`.")
        for option in filter(None, (o.strip() for o in options.split(","))):
            key, _, value = option.partition("=")
            if key == "max" and value.isdigit():
                limit = min(max(int(value), 1), MAX_PAGE)
            elif key == "order" and value in ("asc", "desc"):
                order = value
            else:
                raise SandboxError(400, "bad_request", "Invalid `Range` header. Please use format like "
                                   "`id ..; max=10, order=desc`.")
        start = start.strip() or None
        return field_name, start, bracket != "]", limit, order

    def _count(self, method: str, template: str, params: dict[str, str]) -> None:
        app_ident = params.get("app")
        app_name = "-"
        if app_ident is not None:
            try:
                app_name = self.platform.find_app(app_ident)["name"]
            except SandboxError:
                app_name = app_ident
        key = f"{method} {template}"
        by_app = self.state["stats"]["requests"].setdefault(key, {})
        by_app[app_name] = by_app.get(app_name, 0) + 1

    # ---- routing ---------------------------------------------------------------------------------
    def route(self, method: str, template: str, handler: Handler) -> None:
        pattern = re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template) + "$")
        self.routes.append((method, pattern, template, handler))

    def _route(self, method: str, path: str) -> tuple[Handler | None, dict[str, str], str]:
        known = False
        for route_method, pattern, template, handler in self.routes:
            match = pattern.match(path)
            if match:
                known = True
                if route_method == method:
                    return handler, dict(match.groupdict()), template
        return None, {"_path_known": "1"} if known else {}, "(unknown)"

    def _register(self) -> None:
        p = self.platform
        r = self.route
        r("GET", "/account", lambda c: {**self._account()})
        r("GET", "/account/rate-limits", lambda c: {"remaining": RATE_CAPACITY})
        r("GET", "/apps", lambda c: Listing([p.app_json(a) for a in self.state["apps"].values()], "id",
                                            ("id", "name", "updated_at")))
        r("POST", "/apps", lambda c: Reply(201, p.app_json(p.create_app(self._obj(c)))))
        r("POST", "/teams/apps", lambda c: Reply(201, p.app_json(p.create_app(self._obj(c), team=str(
            self._obj(c).get("team") or "team")))))
        r("GET", "/apps/{app}", lambda c: p.app_json(p.find_app(c.params["app"])))
        r("PATCH", "/apps/{app}", lambda c: p.app_json(p.update_app(p.find_app(c.params["app"]), self._obj(c))))
        r("DELETE", "/apps/{app}", lambda c: p.app_json(p.delete_app(p.find_app(c.params["app"]))))
        r("GET", "/apps/{app}/config-vars", lambda c: dict(sorted(p.find_app(c.params["app"])["config"].items())))
        r("PATCH", "/apps/{app}/config-vars", lambda c: p.patch_config(p.find_app(c.params["app"]), c.body))
        r("GET", "/apps/{app}/releases", self._releases)
        r("POST", "/apps/{app}/releases", lambda c: Reply(201, p.release_json(
            p.find_app(c.params["app"]), p.rollback(p.find_app(c.params["app"]), self._obj(c)))))
        r("GET", "/apps/{app}/releases/{release}", lambda c: p.release_json(
            p.find_app(c.params["app"]), p.find_release(p.find_app(c.params["app"]), c.params["release"])))
        r("GET", "/apps/{app}/releases/{release}/config-vars", lambda c: p.find_release(
            p.find_app(c.params["app"]), c.params["release"])["config"])
        r("GET", "/addon-services", lambda c: Listing(list(p.services.values())))
        r("GET", "/addon-services/{service}", lambda c: self._one(list(p.services.values()), c.params["service"],
                                                                  "addon_service", "add-on service"))
        r("GET", "/addon-services/{service}/plans", lambda c: Listing(
            [pl for pl in p.plans.values() if c.params["service"] in (pl["addon_service"]["name"],
                                                                      pl["addon_service"]["id"])]))
        r("GET", "/addon-services/{service}/plans/{plan}", lambda c: self._plan(c.params["service"], c.params["plan"]))
        r("GET", "/plans/{plan}", lambda c: self._plan(None, c.params["plan"]))
        r("GET", "/addons", lambda c: Listing([p.addon_json(a, self._expand(c)) for a in self.state["addons"].values()]))
        r("GET", "/addons/{addon}", lambda c: p.addon_json(p.find_addon(c.params["addon"]), self._expand(c)))
        r("GET", "/apps/{app}/addons", lambda c: Listing([
            p.addon_json(a, self._expand(c)) for a in self._addons_on(p.find_app(c.params["app"]))]))
        r("POST", "/apps/{app}/addons", lambda c: Reply(201, p.addon_json(
            p.create_addon(p.find_app(c.params["app"]), self._obj(c)), self._expand(c))))
        r("GET", "/apps/{app}/addons/{addon}", lambda c: p.addon_json(
            p.find_addon(c.params["addon"], p.find_app(c.params["app"])), self._expand(c)))
        r("PATCH", "/apps/{app}/addons/{addon}", lambda c: p.addon_json(p.update_addon(
            p.find_app(c.params["app"]), p.find_addon(c.params["addon"], p.find_app(c.params["app"])),
            self._obj(c)), self._expand(c)))
        r("DELETE", "/apps/{app}/addons/{addon}", self._delete_addon)
        r("POST", "/actions/addons/resolve", self._resolve_addon)
        r("GET", "/addon-attachments", lambda c: Listing([p.attachment_json(a) for a in self.state["attachments"].values()]))
        r("GET", "/addon-attachments/{attachment}", lambda c: p.attachment_json(self._attachment(c.params["attachment"])))
        r("GET", "/apps/{app}/addon-attachments", lambda c: Listing([
            p.attachment_json(a) for a in self.state["attachments"].values()
            if a["app_id"] == p.find_app(c.params["app"])["id"]]))
        r("GET", "/apps/{app}/addon-attachments/{attachment}", lambda c: p.attachment_json(
            self._attachment(c.params["attachment"], p.find_app(c.params["app"]))))
        r("GET", "/addons/{addon}/addon-attachments", lambda c: Listing([
            p.attachment_json(a) for a in self.state["attachments"].values()
            if a["addon_id"] == p.find_addon(c.params["addon"])["id"]]))
        r("GET", "/apps/{app}/features", lambda c: Listing([
            p.feature_json(p.find_app(c.params["app"]), f) for f in p.features]))
        r("GET", "/apps/{app}/features/{feature}", lambda c: p.feature_json(p.find_app(c.params["app"]),
                                                                            c.params["feature"]))
        r("PATCH", "/apps/{app}/features/{feature}", lambda c: p.set_feature(
            p.find_app(c.params["app"]), c.params["feature"], self._obj(c).get("enabled")))
        r("GET", "/apps/{app}/formation", lambda c: Listing([
            p.formation_json(p.find_app(c.params["app"]), f) for f in p.find_app(c.params["app"])["formation"].values()],
            "type", ("id", "type")))
        r("PATCH", "/apps/{app}/formation", self._batch_formation)
        r("GET", "/apps/{app}/formation/{ptype}", lambda c: p.formation_json(
            p.find_app(c.params["app"]), p.find_formation(p.find_app(c.params["app"]), c.params["ptype"])))
        r("PATCH", "/apps/{app}/formation/{ptype}", lambda c: p.formation_json(
            p.find_app(c.params["app"]), p.update_formation(p.find_app(c.params["app"]), self._obj(c), c.params["ptype"])))
        r("GET", "/dyno-sizes", lambda c: Listing(list(p.sizes.values())))
        r("GET", "/dyno-sizes/{size}", lambda c: self._one(list(p.sizes.values()), c.params["size"], "dyno_size",
                                                          "dyno size", case_insensitive=True))
        r("GET", "/apps/{app}/buildpack-installations", lambda c: Listing(
            list(p.find_app(c.params["app"])["buildpacks"]), "ordinal", ("ordinal",)))
        r("PUT", "/apps/{app}/buildpack-installations", lambda c: p.set_buildpacks(p.find_app(c.params["app"]), c.body))
        r("GET", "/apps/{app}/collaborators", lambda c: Listing([
            p.collaborator_json(p.find_app(c.params["app"]), x) for x in p.collaborators(p.find_app(c.params["app"]))]))
        r("POST", "/apps/{app}/collaborators", lambda c: Reply(201, p.collaborator_json(
            p.find_app(c.params["app"]), p.add_collaborator(p.find_app(c.params["app"]), self._obj(c)))))
        r("GET", "/apps/{app}/collaborators/{collab}", lambda c: p.collaborator_json(
            p.find_app(c.params["app"]), p.find_collaborator(p.find_app(c.params["app"]), c.params["collab"])))
        r("DELETE", "/apps/{app}/collaborators/{collab}", self._delete_collaborator)
        r("GET", "/apps/{app}/domains", self._domains)
        r("GET", "/apps/{app}/dynos", lambda c: Listing([], "name") if p.find_app(c.params["app"]) is not None else None)
        r("GET", "/regions", lambda c: Listing(catalog.regions()))
        r("GET", "/regions/{region}", lambda c: self._one(catalog.regions(), c.params["region"], "region", "region"))
        r("GET", "/stacks", lambda c: Listing(catalog.stacks()))
        r("GET", "/stacks/{stack}", lambda c: self._one(catalog.stacks(), c.params["stack"], "stack", "stack"))

    # ---- handlers that need more than one line ----------------------------------------------------
    def _account(self) -> dict[str, Any]:
        account = self.state["account"]
        return {"allow_tracking": True, "beta": False, "created_at": catalog.STATIC_TIME, "email": account["email"],
                "federated": False, "id": account["id"], "identity_provider": None, "last_login": catalog.STATIC_TIME,
                "name": account["name"], "sms_number": None, "suspended_at": None, "delinquent_at": None,
                "two_factor_authentication": False, "updated_at": catalog.STATIC_TIME, "verified": True,
                "country_of_residence": "United States", "default_organization": None, "default_team": None}

    @staticmethod
    def _obj(call: Call) -> dict[str, Any]:
        if not isinstance(call.body, dict):
            raise invalid("Request body must be a JSON object.")
        return call.body

    @staticmethod
    def _expand(call: Call) -> bool:
        return "plan" in call.headers.get("accept-expansion", "")

    @staticmethod
    def _one(items: list[dict[str, Any]], ident: str, resource: str, human: str,
             case_insensitive: bool = False) -> dict[str, Any]:
        for item in items:
            if ident in (item["id"], item["name"]) or (case_insensitive and ident.lower() == item["name"].lower()):
                return item
        raise SandboxError(404, "not_found", f"Couldn't find that {human}.", resource)

    def _plan(self, service: str | None, ident: str) -> dict[str, Any]:
        for plan in self.platform.plans.values():
            short = plan["name"].split(":", 1)[1]
            names = (plan["id"], plan["name"]) if service is None else (plan["id"], plan["name"], short)
            if ident in names and (service is None or service in (plan["addon_service"]["name"],
                                                                  plan["addon_service"]["id"])):
                return plan
        raise SandboxError(404, "not_found", "Couldn't find that plan.", "plan")

    def _addons_on(self, app: dict[str, Any]) -> list[dict[str, Any]]:
        attached = {a["addon_id"] for a in self.state["attachments"].values() if a["app_id"] == app["id"]}
        return [a for a in self.state["addons"].values() if a["app_id"] == app["id"] or a["id"] in attached]

    def _attachment(self, ident: str, app: dict[str, Any] | None = None) -> dict[str, Any]:
        for att in self.state["attachments"].values():
            if ident == att["id"] or (app is not None and att["app_id"] == app["id"] and att["name"] == ident):
                return att  # type: ignore[no-any-return]
        raise SandboxError(404, "not_found", "Couldn't find that attachment.", "addon_attachment")

    def _delete_addon(self, call: Call) -> Any:
        app = self.platform.find_app(call.params["app"])
        addon = self.platform.find_addon(call.params["addon"], app)
        return self.platform.addon_json(self.platform.delete_addon(addon), self._expand(call)) | {
            "state": "deprovisioned"}

    def _resolve_addon(self, call: Call) -> Any:
        body = self._obj(call)
        ident = body.get("addon")
        app_ident = body.get("app")
        app = self.platform.find_app(app_ident) if isinstance(app_ident, str) else None
        matches = [a for a in (self._addons_on(app) if app else self.state["addons"].values())
                   if ident in (a["id"], a["name"])]
        if app is not None and not matches:
            matches = [self.state["addons"][att["addon_id"]] for att in self.state["attachments"].values()
                       if att["app_id"] == app["id"] and att["name"] == ident]
        if not matches:
            raise SandboxError(404, "not_found", "Couldn't find that add-on.", "add_on")
        return [self.platform.addon_json(a, self._expand(call)) for a in matches]

    def _releases(self, call: Call) -> Listing:
        app = self.platform.find_app(call.params["app"])
        return Listing([self.platform.release_json(app, r) for r in app["releases"]], "version", ("id", "version"))

    def _batch_formation(self, call: Call) -> Any:
        app = self.platform.find_app(call.params["app"])
        updates = self._obj(call).get("updates")
        if not isinstance(updates, list):
            raise invalid("Require params: updates.")
        for update in updates:  # validate all first: the batch is all or nothing
            self.platform.find_formation(app, str(update.get("type", "")) if isinstance(update, dict) else "")
        changed = [self.platform.update_formation(app, update) for update in updates]
        return [self.platform.formation_json(app, item) for item in changed]

    def _delete_collaborator(self, call: Call) -> Any:
        app = self.platform.find_app(call.params["app"])
        collab = self.platform.find_collaborator(app, call.params["collab"])
        app["collaborators"].remove(collab)
        return self.platform.collaborator_json(app, collab)

    def _domains(self, call: Call) -> Listing:
        app = self.platform.find_app(call.params["app"])
        host = f"{app['name']}-{app['suffix']}.herokuapp.com"
        return Listing([{"acm_status": None, "acm_status_reason": None, "app": {"id": app["id"], "name": app["name"]},
                         "cname": None, "created_at": app["created_at"], "hostname": host,
                         "id": catalog._uuid_for("domain", host), "kind": "heroku", "updated_at": app["created_at"],
                         "status": "none", "sni_endpoint": None}], "hostname", ("hostname", "id"))

    # ---- control plane (not Heroku) ---------------------------------------------------------------
    async def _control(self, request: Request, method: str, path: str) -> Response:
        body = await self._body(request) if method != "GET" else {}
        try:
            result = self._control_result(method, path, body if isinstance(body, dict) else {})
        except SandboxError as err:
            return self._json(err.status, err.body(), {})
        if method != "GET" and self.settings.state_path is not None:
            save_state(self.settings.state_path, self.state)
        return self._json(200, result, {})

    def _control_result(self, method: str, path: str, body: dict[str, Any]) -> Any:
        p = self.platform
        if (method, path) == ("GET", "/__sandbox/stats"):
            return self.state["stats"]
        if (method, path) == ("POST", "/__sandbox/stats/reset"):
            self.state["stats"] = {"requests": {}, "releases": {}}
            return self.state["stats"]
        if (method, path) == ("GET", "/__sandbox/state"):
            return self.state
        if (method, path) == ("POST", "/__sandbox/reset"):
            fresh = empty_state(self.settings.seed)
            self.state.clear()
            self.state.update(fresh)
            self.buckets.clear()
            return {"reset": True}
        if (method, path) == ("PATCH", "/__sandbox/settings"):
            for key in ("provisioning_seconds", "tokens", "ratelimit_capacity"):
                if key in body:
                    self.state[key] = body[key]
            if "latency_ms" in body:
                self.settings.latency_ms = float(body["latency_ms"])
            if "faults" in body:
                self.settings.faults = FaultSpec.parse(body["faults"], int(body.get("seed", 0)))
                self.faults = FaultInjector(self.settings.faults)
            self.buckets.clear()
            return {k: self.state.get(k) for k in ("provisioning_seconds", "tokens", "ratelimit_capacity")}
        match = re.match(r"^/__sandbox/apps/([^/]+)/deploy$", path)
        if match and method == "POST":
            app = p.find_app(match.group(1))
            return p.release_json(app, p.deploy(app, body.get("process_types") or {"web": "bin/server"}))
        match = re.match(r"^/__sandbox/addons/([^/]+)/rotate$", path)
        if match and method == "POST":
            addon = p.find_addon(match.group(1))
            p.rotate_credentials(addon)
            return p.addon_json(addon)
        raise SandboxError(404, "not_found", "Not a sandbox control path.")


def create_app(settings: SandboxSettings | None = None, state: dict[str, Any] | None = None) -> Sandbox:
    return Sandbox(settings, state)
