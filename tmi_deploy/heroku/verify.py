"""Post-deploy check: poll the server's public GET / until status.code is ok (docs/tmi-config.md).

The URL comes from the apply (the declared custom domain, or the web_url Heroku gave the app): no
extra read of live state. The build the server reports is compared with the declared tmi_version.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import httpx

from tmi_deploy.errors import TmiDeployError


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


async def verify_server(base_url: str, tmi_version: str, *, progress: Callable[[str], None], attempts: int = 30,
                        interval: float = 5.0, transport: httpx.AsyncBaseTransport | None = None) -> str:
    url = _origin(base_url) + "/"
    last: Any = "no answer"
    async with httpx.AsyncClient(transport=transport, timeout=10, headers={"Accept": "application/json"}) as http:
        for attempt in range(1, attempts + 1):
            try:
                response = await http.get(url)
                body = response.json()
                last = body.get("status", {}) if isinstance(body, dict) else body
                if isinstance(body, dict) and isinstance(body.get("status"), dict) \
                        and body["status"].get("code") == "ok":
                    return _built(url, body, tmi_version)
            except (httpx.HTTPError, ValueError) as exc:
                last = exc.__class__.__name__
            progress(f"verify: {url} not ok yet ({attempt}/{attempts}): {str(last)[:200]}")
            await asyncio.sleep(interval)
    raise TmiDeployError(f"verify: {url} did not report status ok after {attempts} tries; last answer: "
                         f"{str(last)[:200]}")


def _built(url: str, body: dict[str, Any], tmi_version: str) -> str:
    service = body.get("service") if isinstance(body.get("service"), dict) else {}
    build = str((service or {}).get("build", "unknown"))[:120]
    if not build.startswith(tmi_version):
        return f"verify: {url} is ok, but it runs build {build}, not the declared TMI {tmi_version}"
    return f"verify: {url} is ok, build {build} (declared TMI {tmi_version})"
