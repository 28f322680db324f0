"""Heroku Platform API client over an injected httpx transport.

Reads retry with exponential backoff and jitter on 5xx, timeouts and dropped connections. Writes that
are not idempotent (add-on create, a config PATCH) are never retried blindly: after an unclear outcome
the caller re-reads. The rate-limit budget (RateLimit-Remaining) paces requests when it runs low
(tmi_deploy.pacing) and a 429 waits for the refill instead of failing; only a budget that does not
refill within ``max_wait`` seconds is an error. Tokens and response bodies never reach messages.
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

from tmi_deploy import __version__
from tmi_deploy.errors import CredentialsError, HerokuAPIError, RateLimitExhausted, TokenRejected, UncertainWrite
from tmi_deploy.pacing import Budget

ACCEPT = "application/vnd.heroku+json; version=3"
USER_AGENT = f"tmi-deploy/{__version__} (+https://github.com/ericfitz/tmi) httpx/{httpx.__version__}"
RETRY_STATUSES = {429, 500, 502, 503, 504}


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    """One verified TLS context per process: loading the CA bundle costs ~50 ms per client otherwise."""
    return httpx.create_ssl_context()


def find_token(environ: Mapping[str, str], home: Path) -> str:
    """HEROKU_API_KEY, else the api.heroku.com entry of ~/.netrc (as `heroku login` writes it)."""
    token = environ.get("HEROKU_API_KEY", "").strip()
    if token:
        return token
    path = Path(environ.get("NETRC", "")) if environ.get("NETRC") else home / ".netrc"
    if path.is_file():
        try:
            entry = netrc.netrc(str(path)).authenticators("api.heroku.com")
        except (netrc.NetrcParseError, OSError) as exc:
            raise CredentialsError(f"cannot read {path}: {exc.__class__.__name__}") from None
        if entry and entry[2]:
            return entry[2]
    raise CredentialsError("no Heroku credentials: set HEROKU_API_KEY, or run `heroku login` (it writes "
                           "~/.netrc); use --sandbox to try tmi-deploy without an account")


class HerokuClient:
    def __init__(self, base_url: str, token: str, transport: httpx.AsyncBaseTransport | None = None, *,
                 timeout: float = 30.0, retries: int = 5, backoff: float = 0.5, max_backoff: float = 20.0,
                 budget_floor: int = 20, concurrency: int = 48, max_wait: float = 900.0,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep, rng: random.Random | None = None,
                 clock: Callable[[], float] = time.monotonic, notify: Callable[[str], None] = lambda _: None) -> None:
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/"), transport=transport, timeout=timeout, verify=_ssl_context(),
            headers={"Accept": ACCEPT, "User-Agent": USER_AGENT, "Authorization": f"Bearer {token}"})
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
        await self._http.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    # ---- public calls ---------------------------------------------------------------------------
    async def get(self, path: str, headers: dict[str, str] | None = None) -> Any:
        return (await self.request("GET", path, headers=headers)).json()

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
            page = response.json()
            if not isinstance(page, list):
                raise HerokuAPIError("GET", path, response.status_code, "unexpected_body", "expected a list")
            items.extend(page)
            next_range = response.headers.get("Next-Range") if response.status_code == 206 else None
        return items

    async def patch(self, path: str, body: Any, *, idempotent: bool = True) -> Any:
        """``idempotent=False`` for a PATCH that makes a release (config vars): never retried blindly."""
        return (await self.request("PATCH", path, json=body, idempotent=idempotent)).json()

    async def put(self, path: str, body: Any) -> Any:
        return (await self.request("PUT", path, json=body)).json()

    async def post(self, path: str, body: Any, *, idempotent: bool = False) -> Any:
        return (await self.request("POST", path, json=body, idempotent=idempotent)).json()

    async def delete(self, path: str) -> Any:
        return (await self.request("DELETE", path)).json()

    # ---- the one place requests are made --------------------------------------------------------
    async def request(self, method: str, path: str, *, json: Any = None, headers: dict[str, str] | None = None,
                      idempotent: bool | None = None) -> httpx.Response:
        retry_ok = method != "POST" if idempotent is None else idempotent
        attempt = 0
        while True:
            response = await self._send(method, path, json, headers, retry_ok, attempt)
            if response is not None:
                if response.status_code < 400 or response.status_code == 304:
                    return response
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
                response = await self._http.request(method, path, json=json, headers=headers)
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
                error_id = str(body.get("id", error_id))[:80]
                message = str(body.get("message", message))[:300]
        except ValueError:
            pass
        if response.status_code == 401:
            return TokenRejected(method, path, 401, error_id,
                                           "the Heroku token was rejected; check HEROKU_API_KEY or run `heroku login`")
        return kind(method, path, response.status_code, error_id, message)

