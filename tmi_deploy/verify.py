"""Post-deploy check: poll the server's public GET / until status.code is ok (docs/tmi-config.md)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx

from tmi_deploy.config.models import Environment
from tmi_deploy.errors import TmiDeployError
from tmi_deploy.heroku import HerokuClient
from tmi_deploy.live import fetch_live
from tmi_deploy.plan.values import app_url, origin_of


async def verify_server(env: Environment, client: HerokuClient, *, progress: Callable[[str], None],
                        attempts: int = 30, interval: float = 5.0,
                        transport: httpx.AsyncBaseTransport | None = None) -> str:
    async with client:
        live = await fetch_live(client, env)
    server = env.apps["server"]
    base = app_url(server, live.apps.get("server"))
    if base is None:
        raise TmiDeployError("verify: the server app has no URL yet")
    url = origin_of(base) + "/"
    last: Any = "no answer"
    async with httpx.AsyncClient(transport=transport, timeout=10, headers={"Accept": "application/json"}) as http:
        for attempt in range(1, attempts + 1):
            try:
                response = await http.get(url)
                body = response.json()
                last = body.get("status", {}) if isinstance(body, dict) else body
                if isinstance(body, dict) and body.get("status", {}).get("code") == "ok":
                    build = body.get("service", {}).get("build", "unknown")
                    return f"verify: {url} is ok, build {build}"
            except (httpx.HTTPError, ValueError) as exc:
                last = exc.__class__.__name__
            progress(f"verify: {url} not ok yet ({attempt}/{attempts}): {last}")
            await asyncio.sleep(interval)
    raise TmiDeployError(f"verify: {url} did not report status ok after {attempts} tries; last answer: {last}")
