"""The Platform API client: auth, headers, pagination, retries, rate-limit budget, error mapping."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import client_for, make_sandbox
from tmi_deploy import __version__
from tmi_deploy.errors import CredentialsError, HerokuAPIError, UncertainWrite
from tmi_deploy.heroku import HerokuClient, find_token
from tmi_deploy.sandbox.faults import FaultSpec


def test_token_from_environment_then_netrc(tmp_path: Path) -> None:
    assert find_token({"HEROKU_API_KEY": " abc "}, tmp_path) == "abc"
    (tmp_path / ".netrc").write_text("machine api.heroku.com\n  login me@example.com\n  password from-netrc\n")
    (tmp_path / ".netrc").chmod(0o600)
    assert find_token({}, tmp_path) == "from-netrc"
    with pytest.raises(CredentialsError, match="HEROKU_API_KEY"):
        find_token({}, tmp_path / "nowhere")


def test_headers_sent() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={}, headers={"RateLimit-Remaining": "4000"})

    async def go() -> None:
        async with HerokuClient("https://api.example", "sekrit", httpx.MockTransport(handler)) as client:
            await client.get("/account")

    asyncio.run(go())
    request = seen[0]
    assert request.headers["Accept"] == "application/vnd.heroku+json; version=3"
    assert request.headers["Authorization"] == "Bearer sekrit"
    assert request.headers["User-Agent"].startswith(f"tmi-deploy/{__version__}")


def test_401_is_clear_and_never_shows_the_token() -> None:
    box = make_sandbox()
    box.state["tokens"] = ["right"]

    async def go() -> None:
        client = HerokuClient("http://sandbox.test", "wrong-token-value", httpx.ASGITransport(app=box))
        async with client:
            await client.get("/account")

    with pytest.raises(HerokuAPIError) as caught:
        asyncio.run(go())
    assert caught.value.status == 401 and "rejected" in str(caught.value)
    assert "wrong-token-value" not in str(caught.value)


def test_pagination_follows_next_range() -> None:
    box = make_sandbox()
    for i in range(1205):  # Heroku allows 100 apps per account or team: spread them over teams
        box.platform.create_app({"name": f"tmi-app-{i:04d}"}, team=f"team-{i // 100}")

    async def go() -> tuple[list[Any], int]:
        async with client_for(box) as client:
            apps = await client.list("/apps", range_field="name")
            return apps, client.requests

    apps, requests = asyncio.run(go())
    assert len(apps) == 1205 and len({a["name"] for a in apps}) == 1205
    assert requests == 2  # 1000 + 205


def test_reads_retry_through_429_and_5xx() -> None:
    box = make_sandbox(faults=FaultSpec.parse("429=0.3,500=0.2,503=0.2", seed=3))
    box.platform.create_app({"name": "tmi-retry"})
    sleeps: list[float] = []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    async def go() -> int:
        async with client_for(box, retries=20, sleep=sleep, rng=random.Random(1)) as client:
            for _ in range(20):
                assert (await client.get("/apps/tmi-retry"))["name"] == "tmi-retry"
            return client.requests

    requests = asyncio.run(go())
    assert requests > 20 and sleeps  # some answers were faults, each retried after a backoff
    assert all(0 < s <= 20 for s in sleeps)


def test_backoff_grows_exponentially_with_jitter() -> None:
    client = HerokuClient("http://x", "t", httpx.MockTransport(lambda r: httpx.Response(200)), backoff=1.0,
                          max_backoff=8.0, rng=random.Random(0))
    delays = [client._delay(n) for n in range(1, 6)]
    assert 0.5 <= delays[0] <= 1 and 1 <= delays[1] <= 2 and 2 <= delays[2] <= 4 and 4 <= delays[3] <= 8
    assert delays[4] <= 8


def test_post_is_not_retried_on_5xx() -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return httpx.Response(503, json={"id": "service_unavailable", "message": "down"})

    async def go() -> None:
        async with HerokuClient("http://x", "t", httpx.MockTransport(handler), backoff=0.001) as client:
            await client.post("/apps/a/addons", {"plan": "x"})

    with pytest.raises(UncertainWrite):
        asyncio.run(go())
    assert calls == 1


def test_post_is_retried_on_429() -> None:
    answers = [httpx.Response(429, json={"id": "rate_limit", "message": "slow"}), httpx.Response(201, json={"ok": 1})]

    async def go() -> Any:
        async with HerokuClient("http://x", "t", httpx.MockTransport(lambda r: answers.pop(0)), backoff=0.001) as client:
            return await client.post("/apps", {"name": "a"})

    assert asyncio.run(go()) == {"ok": 1}


def test_timeouts_on_writes_are_uncertain() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    async def go() -> None:
        async with HerokuClient("http://x", "t", httpx.MockTransport(handler), backoff=0.001) as client:
            await client.post("/apps", {"name": "a"})

    with pytest.raises(UncertainWrite, match="may have happened"):
        asyncio.run(go())


def test_errors_carry_method_path_status_and_heroku_id_never_the_body() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(422, json={"id": "invalid_params", "message": "Name is already taken",
                                         "secret_stuff": "DATABASE_URL=postgres://u:p@h/d"})

    async def go() -> None:
        async with HerokuClient("http://x", "t", httpx.MockTransport(handler)) as client:
            await client.patch("/apps/a", {"name": "b"})

    with pytest.raises(HerokuAPIError) as caught:
        asyncio.run(go())
    text = str(caught.value)
    assert text == "PATCH /apps/a failed: 422 invalid_params: Name is already taken"
    assert "postgres://" not in text
