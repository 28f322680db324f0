"""Pacing within Heroku's per-account budget: a small bucket is spent at its refill rate, no 429 reaches
the caller, the wait is announced, and only a budget that never refills is an error. Time is virtual:
the fake API's bucket and the client's sleeps share one clock, so nothing here waits for real."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from tmi_deploy.errors import RateLimitExhausted
from tmi_deploy.heroku.client import HerokuClient

RATE = 75 / 60


class VirtualBucket:
    """Heroku's token bucket over a virtual clock: answers 429 when empty."""

    def __init__(self, capacity: int, refill: float = RATE) -> None:
        self.now = 0.0
        self.level = float(capacity)
        self.capacity = capacity
        self.refill = refill
        self.stamp = 0.0
        self.refused = 0
        self.served = 0

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.level = min(self.capacity, self.level + (self.now - self.stamp) * self.refill)
        self.stamp = self.now
        if self.level < 1:
            self.refused += 1
            return httpx.Response(429, json={"id": "rate_limit", "message": "Your account reached the API rate limit"},
                                  headers={"RateLimit-Remaining": "0"})
        self.level -= 1
        self.served += 1
        # An app as GET /apps/{app} answers it: the client checks the fields it reads (api_shapes).
        app = {"id": "app-id", "name": request.url.path.rsplit("/", 1)[-1], "web_url": None}
        return httpx.Response(200, json=app, headers={"RateLimit-Remaining": str(int(self.level))})

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        await asyncio.sleep(0)


def client(bucket: VirtualBucket, messages: list[str], **kw: Any) -> HerokuClient:
    return HerokuClient("http://x", "t", httpx.MockTransport(bucket.handler), sleep=bucket.sleep,
                        clock=lambda: bucket.now, notify=messages.append, backoff=0.001, **kw)


def test_a_small_budget_is_spent_at_the_refill_rate_and_no_429_reaches_the_caller() -> None:
    bucket = VirtualBucket(capacity=60)
    messages: list[str] = []

    async def go() -> None:
        async with client(bucket, messages, concurrency=8) as api:
            for batch in range(5):
                await asyncio.gather(*(api.get(f"/apps/{batch}-{n}") for n in range(40)))

    asyncio.run(go())
    assert bucket.served == 200
    # 60 at once, the other 140 as tokens refill: at least 140 / 1.25 s of virtual time, not much more.
    assert 140 / RATE <= bucket.now <= 1.3 * 140 / RATE
    assert bucket.refused <= 8  # only the requests already in flight when the floor was crossed
    assert len(messages) == 1 and "pacing requests at one every 0.8s" in messages[0]


def test_a_burst_that_meets_an_empty_bucket_waits_instead_of_failing() -> None:
    bucket = VirtualBucket(capacity=5)
    messages: list[str] = []

    async def go() -> None:
        async with client(bucket, messages) as api:
            await asyncio.gather(*(api.post(f"/apps/{n}/x", {}) for n in range(30)))

    asyncio.run(go())
    assert bucket.served == 30 and bucket.now >= 25 / RATE


def test_a_budget_that_never_refills_is_a_clear_error() -> None:
    bucket = VirtualBucket(capacity=0, refill=0.0)

    async def go() -> None:
        async with client(bucket, [], max_wait=60) as api:
            await api.get("/account")

    with pytest.raises(RateLimitExhausted, match="429 rate_limit: Your account reached the API rate limit"):
        asyncio.run(go())
    assert bucket.now >= 60
