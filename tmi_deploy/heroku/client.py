"""Heroku Platform API client over an injected httpx transport.

Reads retry with exponential backoff and jitter on 5xx, timeouts and dropped connections. Writes that
are not idempotent (add-on create, a config PATCH) are never retried blindly: after an unclear outcome
the caller re-reads. The rate-limit budget (RateLimit-Remaining) paces requests when it runs low
(tmi_deploy.heroku.pacing) and a 429 waits for the refill instead of failing; only a budget that does not
refill within ``max_wait`` seconds is an error. Tokens and response bodies never reach messages.

Answers are checked before anyone reads them: a redirect, an empty or non-JSON body (an HTML page from a
proxy or a wrong --api-url) or a body without the fields tmi-deploy reads (api_shapes) is one
HerokuAPIError naming method, path and status. Redirects are not followed: they could carry the token
to another host.
"""

from __future__ import annotations

import asyncio
import functools
import netrc
import random
import ssl
import time
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any

import httpx

from tmi_deploy import DEFAULT_API_URL, __version__
from tmi_deploy.errors import (
    CredentialsError,
    HerokuAPIError,
    InvalidInput,
    RateLimitExhausted,
    TokenRejected,
    UncertainWrite,
)
from tmi_deploy.heroku.pacing import Budget
from tmi_deploy.heroku.shapes import shape_problem

ACCEPT = "application/vnd.heroku+json; version=3"
USER_AGENT = f"tmi-deploy/{__version__} (+https://github.com/ericfitz/tmi) httpx/{httpx.__version__}"
RETRY_STATUSES = {429, 500, 502, 503, 504}


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    """One verified TLS context per process: loading the CA bundle costs ~50 ms per client otherwise."""
    return httpx.create_ssl_context()


def check_api_url(url: str, source: str = "--api-url (or HEROKU_API_URL)") -> str:
    """The API base URL, or an error that names where it came from (never the URL: it may hold a password)."""
    try:
        parsed = httpx.URL(url)
        host = parsed.host
    except (httpx.InvalidURL, ValueError, TypeError):
        raise InvalidInput(f"{source} is not a valid URL; expected e.g. {DEFAULT_API_URL}") from None
    if parsed.scheme not in ("http", "https") or not host:
        raise InvalidInput(f"{source} must be an http(s) URL with a host, e.g. {DEFAULT_API_URL}")
    if parsed.userinfo:
        raise InvalidInput(f"{source} must not carry credentials; the token comes from HEROKU_API_KEY or ~/.netrc")
    return url


def check_token(token: str, source: str) -> str:
    """A token an HTTP header can carry (printable ASCII, no spaces), or an error naming its source."""
    if not token or any(not 33 <= ord(char) <= 126 for char in token):
        raise CredentialsError(f"the Heroku token from {source} has characters an HTTP header cannot carry "
                               "(non-ASCII, spaces or control characters); copy it again")
    return token


def find_token(environ: Mapping[str, str], home: Path) -> str:
    """HEROKU_API_KEY, else the api.heroku.com entry of ~/.netrc (as `heroku login` writes it)."""
    token = environ.get("HEROKU_API_KEY", "").strip()
    if token:
        return check_token(token, "HEROKU_API_KEY")
    path = Path(environ.get("NETRC", "")) if environ.get("NETRC") else home / ".netrc"
    if path.is_file():
        try:
            entry = netrc.netrc(str(path)).authenticators("api.heroku.com")
        except (netrc.NetrcParseError, OSError, UnicodeDecodeError) as exc:
            raise CredentialsError(f"cannot read {path}: {exc.__class__.__name__}") from None
        if entry and entry[2]:
            return check_token(entry[2], f"{path} (machine api.heroku.com)")
    raise CredentialsError("no Heroku credentials: set HEROKU_API_KEY, or run `heroku login` (it writes "
                           "~/.netrc); use --sandbox to try tmi-deploy without an account")


class HerokuClient:
    def __init__(self, base_url: str, token: str, transport: httpx.AsyncBaseTransport | None = None, *,
                 timeout: float = 30.0, retries: int = 5, backoff: float = 0.5, max_backoff: float = 20.0,
                 budget_floor: int = 20, concurrency: int = 48, max_wait: float = 900.0,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep, rng: random.Random | None = None,
                 clock: Callable[[], float] = time.monotonic, notify: Callable[[str], None] = lambda _: None) -> None:
        check_api_url(base_url)
        check_token(token, "the client's configuration")
        # One-connection lanes instead of one shared pool: httpcore scans every connection of its pool on
        # each request event, which cost most of a 100-environment plan's CPU (bench/http_lanes.py).
        self._new_lane = functools.partial(
            httpx.AsyncClient, base_url=base_url.rstrip("/"), transport=transport, timeout=timeout,
            verify=_ssl_context(), limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
            headers={"Accept": ACCEPT, "User-Agent": USER_AGENT, "Authorization": f"Bearer {token}"})
        self._idle: list[httpx.AsyncClient] = []
        self._lanes: list[httpx.AsyncClient] = []
        self.retries = retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.budget = Budget(floor=budget_floor, clock=clock, sleep=sleep, notify=notify)
        self.max_wait = max_wait
        self.requests = 0
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._gate = asyncio.Semaphore(concurrency)

    async def __aenter__(self) -> HerokuClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        lanes, self._lanes, self._idle = self._lanes, [], []
        await asyncio.gather(*(lane.aclose() for lane in lanes))

    def _lane(self) -> httpx.AsyncClient:
        """An idle lane, or a new one: the gate bounds how many are in use, so at most ``concurrency`` exist."""
        if self._idle:
            return self._idle.pop()
        lane = self._new_lane()
        self._lanes.append(lane)
        return lane

    # ---- public calls ---------------------------------------------------------------------------
    async def get(self, path: str, headers: dict[str, str] | None = None) -> Any:
        return _json(await self.request("GET", path, headers=headers))

    async def get_or_none(self, path: str) -> Any:
        try:
            return await self.get(path)
        except HerokuAPIError as exc:
            if exc.status == 404:
                return None
            raise

    async def list(self, path: str, range_field: str = "id", headers: dict[str, str] | None = None) -> list[Any]:
        """All pages of a list, following Next-Range until the last page."""
        items: list[Any] = []
        next_range: str | None = f"{range_field} ..; max=1000"
        while next_range is not None:
            response = await self.request("GET", path, headers={**(headers or {}), "Range": next_range})
            page = _json(response)
            if not isinstance(page, list):
                raise HerokuAPIError("GET", path, response.status_code, "unexpected_body", "expected a list")
            items.extend(page)
            next_range = response.headers.get("Next-Range") if response.status_code == 206 else None
        return items

    async def patch(self, path: str, body: Any, *, idempotent: bool = True) -> Any:
        """``idempotent=False`` for a PATCH that makes a release (config vars): never retried blindly."""
        return _json(await self.request("PATCH", path, json=body, idempotent=idempotent))

    async def put(self, path: str, body: Any) -> Any:
        return _json(await self.request("PUT", path, json=body))

    async def post(self, path: str, body: Any, *, idempotent: bool = False) -> Any:
        return _json(await self.request("POST", path, json=body, idempotent=idempotent))

    async def delete(self, path: str) -> Any:
        return _json(await self.request("DELETE", path))

    # ---- the one place requests are made --------------------------------------------------------
    async def request(self, method: str, path: str, *, json: Any = None, headers: dict[str, str] | None = None,
                      idempotent: bool | None = None) -> httpx.Response:
        retry_ok = method != "POST" if idempotent is None else idempotent
        attempt = 0
        while True:
            response = await self._send(method, path, json, headers, retry_ok, attempt)
            if response is not None:
                if response.status_code < 400:
                    return _checked(method, path, response)
                if response.status_code == 429:
                    await self._wait_for_budget(method, path, response)
                    continue  # a refused request changed nothing: waiting is not an attempt
                if response.status_code >= 500 and not retry_ok:
                    raise self._error(method, path, response, UncertainWrite)
                if response.status_code not in RETRY_STATUSES or attempt >= self.retries:
                    raise self._error(method, path, response)
            attempt += 1
            await self._sleep(self._delay(attempt))

    @property
    def remaining(self) -> int | None:
        return self.budget.remaining

    async def _send(self, method: str, path: str, json: Any, headers: dict[str, str] | None, retry_ok: bool,
                    attempt: int) -> httpx.Response | None:
        """One request; None after a network failure that may be retried."""
        await self.budget.acquire()
        try:
            async with self._gate:
                self.requests += 1
                lane = self._lane()
                try:
                    response = await lane.request(method, path, json=json, headers=headers)
                finally:
                    self._idle.append(lane)
        except (httpx.TimeoutException, httpx.TransportError) as exc:
            reason = "timed out" if isinstance(exc, httpx.TimeoutException) else "connection failed"
            if not retry_ok:
                raise UncertainWrite(method, path, None, "uncertain", f"{reason}; the write may have happened") \
                    from None
            if attempt >= self.retries:
                raise HerokuAPIError(method, path, None, "network", f"{reason} after {attempt + 1} attempts") \
                    from None
            return None
        finally:
            self.budget.release()
        self.budget.observe(response.headers.get("RateLimit-Remaining"))
        return response

    async def _wait_for_budget(self, method: str, path: str, response: httpx.Response) -> None:
        if self.budget.waited >= self.max_wait:
            raise self._error(method, path, response, RateLimitExhausted)
        self.budget.exhausted()

    def _delay(self, attempt: int) -> float:
        """Exponential backoff with full jitter."""
        ceiling = min(self.max_backoff, self.backoff * 2 ** (attempt - 1))
        return self._rng.uniform(ceiling / 2, ceiling)

    @staticmethod
    def _error(method: str, path: str, response: httpx.Response,
               kind: type[HerokuAPIError] = HerokuAPIError) -> HerokuAPIError:
        error_id, message = "unknown", response.reason_phrase
        try:
            body = response.json()
            if isinstance(body, dict):
                error_id = _one_line(str(body.get("id", error_id)))[:80]
                message = _one_line(str(body.get("message", message)))[:300]
        except (ValueError, RecursionError):
            pass  # not Heroku's {id, message}: the status line says enough, the body may hold anything
        if response.status_code == 401:
            return TokenRejected(method, path, 401, error_id,
                                           "the Heroku token was rejected; check HEROKU_API_KEY or run `heroku login`")
        return kind(method, path, response.status_code, error_id, message)


def _one_line(text: str) -> str:
    """Heroku's own messages may hold newlines; a message to the user is one line of printable text."""
    return " ".join("".join(char if char.isprintable() else " " for char in text).split())


def _checked(method: str, path: str, response: httpx.Response) -> httpx.Response:
    """A successful answer that is JSON of the shape tmi-deploy reads, or a HerokuAPIError naming the request."""
    status = response.status_code
    if status == 304:
        return response  # Not Modified: the caller asked with an ETag and keeps its copy
    if 300 <= status < 400:
        raise HerokuAPIError(method, path, status, "redirect", "the API answered with a redirect, which "
                             "tmi-deploy does not follow (it could carry the token elsewhere); check --api-url")
    body = _json(response, method, path)
    problem = shape_problem(method, path, body)
    if problem is not None:
        raise HerokuAPIError(method, path, status, "unexpected_body",
                             f"the answer lacks what tmi-deploy reads ({problem}); check --api-url")
    return response


def _json(response: httpx.Response, method: str = "", path: str = "") -> Any:
    method = method or response.request.method
    path = path or response.request.url.path
    if not response.content:
        raise HerokuAPIError(method, path, response.status_code, "unexpected_body", "the answer is empty")
    try:
        return response.json()
    except (ValueError, RecursionError):
        raise HerokuAPIError(method, path, response.status_code, "unexpected_body",
                             "the answer is not JSON (an HTML page? check --api-url)") from None
