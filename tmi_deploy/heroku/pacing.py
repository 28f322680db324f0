"""Heroku's request budget as the client sees it, and pacing within it.

Heroku gives each account a bucket of 4,500 requests refilled at about 75 a minute (Dev Center,
"Platform API Reference: Rate Limits"), reported in every answer's RateLimit-Remaining. While the
budget (minus the requests already in flight) is above a floor, requests go at once. Below it the
client sends one request per refilled token and says so, instead of failing or provoking 429s; a 429
that still happens (another client of the same account) empties the budget and the request waits.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

REFILL_PER_SECOND = 75 / 60


class Budget:
    def __init__(self, *, floor: int = 20, refill_per_second: float = REFILL_PER_SECOND,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], Awaitable[None]],
                 notify: Callable[[str], None] = lambda message: None) -> None:
        self.floor = floor
        self.interval = 1 / refill_per_second
        self.clock = clock
        self.sleep = sleep
        self.notify = notify
        self.remaining: int | None = None
        self.in_flight = 0
        self.waited = 0.0
        self._next_slot = 0.0
        self._told = False

    def observe(self, header: str | None) -> None:
        if header is not None and header.strip().lstrip("-").isdigit():
            self.remaining = int(header)

    def exhausted(self) -> None:
        """A 429: whatever we believed, nothing is left right now."""
        self.remaining = 0

    async def acquire(self) -> None:
        if self.remaining is not None and self.remaining - self.in_flight <= self.floor:
            await self._paced()
        self.in_flight += 1

    def release(self) -> None:
        self.in_flight -= 1

    async def _paced(self) -> None:
        now = self.clock()
        slot = max(now, self._next_slot)
        self._next_slot = slot + self.interval
        if not self._told:
            self._told = True
            self.notify(f"Heroku API budget is low ({self.remaining} requests left, refilled at "
                        f"{60 / self.interval:.0f} a minute): pacing requests at one every {self.interval:.1f}s")
        if slot > now:
            self.waited += slot - now
            await self.sleep(slot - now)
