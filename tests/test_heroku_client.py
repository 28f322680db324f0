"""The Platform API client: auth, headers, pagination, retries, rate-limit budget, error mapping."""

from __future__ import annotations

import asyncio
import random
import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import client_for, make_sandbox
from tmi_deploy import __version__
from tmi_deploy.errors import CredentialsError, HerokuAPIError, InvalidInput, UncertainWrite
from tmi_deploy.heroku.client import HerokuClient, check_token, find_token
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


# ---- answers that are not what the API promises (issue 12 item 7) -------------------------------

CANARY = "postgres://u:canary-5d1e@db.example.com/d"
HTML = f"<!DOCTYPE html><html><body><h1>Sign in</h1><!-- {CANARY} --></body></html>"


def _answer(response: httpx.Response) -> Any:
    return httpx.MockTransport(lambda request: response)


async def _get(transport: httpx.AsyncBaseTransport, path: str = "/apps/tmi-a") -> Any:
    async with HerokuClient("https://api.example", "t", transport, backoff=0.001, retries=1) as client:
        return await client.get(path)


@pytest.mark.parametrize("response, status, reason", [
    (httpx.Response(200, text=HTML, headers={"Content-Type": "text/html"}), 200, "not JSON (an HTML page?"),
    (httpx.Response(200, content=b""), 200, "the answer is empty"),
    (httpx.Response(302, headers={"Location": f"https://login.example/?next={CANARY}"}), 302, "redirect"),
    (httpx.Response(301, text=HTML), 301, "redirect"),
    (httpx.Response(200, json=["not", "an", "app", CANARY]), 200, "the body: Input should be a valid dictionary"),
    (httpx.Response(200, json={"name": "tmi-a", "secret": CANARY}), 200, "id: Field required"),
    (httpx.Response(200, json={"id": 7}), 200, "id: Input should be a valid string"),
    (httpx.Response(502, text=HTML), 502, "Bad Gateway"),
    (httpx.Response(404, text=HTML), 404, "Not Found"),
], ids=["html", "empty", "302", "301", "list-for-object", "missing-id", "id-not-text", "html-502", "html-404"])
def test_unexpected_answers_are_one_line_naming_the_request(response: httpx.Response, status: int,
                                                             reason: str) -> None:
    with pytest.raises(HerokuAPIError) as caught:
        asyncio.run(_get(_answer(response)))
    text = str(caught.value)
    assert text.startswith(f"GET /apps/tmi-a failed: {status} ") and reason in text
    assert "\n" not in text and "canary" not in text and "<" not in text


@pytest.mark.parametrize("path, body, where", [
    ("/apps/a/config-vars", {"TMI_A": 5}, "TMI_A: Input should be a valid string"),
    ("/apps/a/features", [{"name": "x"}], "[0].enabled: Field required"),
    ("/apps/a/formation", [{"type": "web", "quantity": "many", "size": "basic"}], "[0].quantity"),
    ("/apps/a/buildpack-installations", [{"ordinal": 0, "buildpack": "heroku/go"}], "[0].buildpack"),
    ("/apps/a/collaborators", [{"user": None}], "[0].user"),
    ("/apps/a/addon-attachments", [{"name": "DATABASE", "addon": {}, "app": {"id": "x"}}], "[0].addon.id"),
    ("/apps/a/addons", [{"id": "x", "name": "y", "state": "provisioned"}], "[0].plan: Field required"),
    ("/apps/a/releases", [{"version": None}], "[0].version"),
    ("/dyno-sizes", {"name": "basic"}, "the body: Input should be a valid list"),
    ("/plans/heroku-postgresql:essential-0", {"name": "p"}, "price: Field required"),
    ("/apps", [{"id": "a1"}], "[0].name: Field required"),
    ("/addons", [{"id": "x", "name": "y", "state": "created", "plan": None}], "[0].plan"),
    ("/addon-attachments", [{"name": "DATABASE", "addon": {"id": "x"}}], "[0].app: Field required"),
])
def test_every_read_is_shape_checked_before_use(path: str, body: Any, where: str) -> None:
    async def go() -> None:
        async with HerokuClient("https://api.example", "t", _answer(httpx.Response(200, json=body))) as client:
            await (client.list(path) if isinstance(body, list) or path == "/dyno-sizes" else client.get(path))

    with pytest.raises(HerokuAPIError, match=re.escape(where)) as caught:
        asyncio.run(go())
    assert "unexpected_body" in str(caught.value)


def test_fetch_live_turns_a_wrong_answer_into_one_error_not_a_key_error() -> None:
    from tmi_deploy.config.loader import load_environment
    from tmi_deploy.heroku.reads import fetch_live

    env = load_environment(Path(__file__).parent.parent / "environments", "staging")

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/formation"):
            return httpx.Response(200, json=[{"type": "web"}])  # a proxy that trims fields
        if request.url.path.startswith("/apps/") and request.url.path.count("/") == 2:
            return httpx.Response(200, json={"id": "a1", "name": "x", "web_url": "https://x.herokuapp.com/"})
        if request.url.path.startswith("/plans/"):
            return httpx.Response(200, json={"name": "p", "price": {"cents": 500}})
        if request.url.path.endswith("/config-vars"):
            return httpx.Response(200, json={})
        return httpx.Response(200, json=[])

    async def go() -> None:
        async with HerokuClient("https://api.example", "t", httpx.MockTransport(handler)) as client:
            await fetch_live(client, env)

    with pytest.raises(HerokuAPIError, match=r"GET /apps/tmi-\w+-staging/formation failed: 200 unexpected_body"):
        asyncio.run(go())


def test_heroku_messages_are_kept_to_one_printable_line() -> None:
    body = {"id": "rate_limit\n", "message": "Your account reached the API rate limit\nPlease wait\x1b[2J a few minutes"}

    async def go() -> None:
        async with HerokuClient("https://api.example", "t", _answer(httpx.Response(403, json=body))) as client:
            await client.get("/account")

    with pytest.raises(HerokuAPIError) as caught:
        asyncio.run(go())
    assert str(caught.value) == ("GET /account failed: 403 rate_limit: Your account reached the API rate limit "
                                 "Please wait [2J a few minutes")


def test_writes_need_json_but_no_particular_shape() -> None:
    async def go(response: httpx.Response) -> Any:
        async with HerokuClient("https://api.example", "t", _answer(response)) as client:
            return await client.patch("/apps/a/config-vars", {"A": "1"})

    assert asyncio.run(go(httpx.Response(200, json={"A": "1"}))) == {"A": "1"}
    with pytest.raises(HerokuAPIError, match="PATCH /apps/a/config-vars failed: 200 unexpected_body: the answer is "
                                             "not JSON"):
        asyncio.run(go(httpx.Response(200, text=HTML)))


@pytest.mark.parametrize("url, message", [
    ("http://[::1", "is not a valid URL"), ("ftp://api.heroku.com", "must be an http(s) URL"),
    ("https://user:pw@api.heroku.com", "must not carry credentials"), ("api.heroku.com", "must be an http(s) URL"),
])
def test_api_url_is_checked_when_the_client_is_made(url: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=re.escape(message)) as caught:
        HerokuClient(url, "t")
    assert "pw" not in str(caught.value)


@pytest.mark.parametrize("token", ["tökén", "tok en", "tok\nen", "tok\x00", ""])
def test_tokens_an_http_header_cannot_carry_are_refused_by_source(token: str) -> None:
    with pytest.raises(CredentialsError, match="from HEROKU_API_KEY has characters") as caught:
        check_token(token, "HEROKU_API_KEY")
    assert token not in str(caught.value) or not token
