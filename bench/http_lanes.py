"""Client CPU for many concurrent GETs: one shared httpx pool against HerokuClient's one-connection lanes.

    python bench/http_lanes.py [--requests 712] [--latency-ms 50] [--repeat 3]

Serves the sandbox in its own process and sends --requests GETs of /account, 48 at a time (the client's
concurrency), first through one httpx.AsyncClient with its default pool (what HerokuClient used before),
then through HerokuClient (a lane of one connection per concurrent request). Prints the median CPU time of
this process (user + system) and wall time per strategy. httpcore scans every connection of a pool on each
request event, so one pool of 48 connections costs more CPU per request than 48 pools of one.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tmi_deploy.heroku.client import ACCEPT, HerokuClient  # noqa: E402
from tmi_deploy.sandbox.serve import sandbox_process  # noqa: E402

CONCURRENCY = 48
TOKEN = "bench"


async def shared_pool(url: str, count: int) -> None:
    gate = asyncio.Semaphore(CONCURRENCY)
    async with httpx.AsyncClient(base_url=url, headers={"Accept": ACCEPT, "Authorization": f"Bearer {TOKEN}"}) as http:
        async def one() -> None:
            async with gate:
                (await http.get("/account")).raise_for_status()

        await asyncio.gather(*(one() for _ in range(count)))


async def lanes(url: str, count: int) -> None:
    async with HerokuClient(url, TOKEN, concurrency=CONCURRENCY) as client:
        await asyncio.gather(*(client.get("/account") for _ in range(count)))


def measure(run: Callable[[str, int], Awaitable[None]], url: str, count: int, repeat: int) -> tuple[float, float]:
    cpu, wall = [], []
    for _ in range(repeat):
        started_cpu, started = time.process_time(), time.perf_counter()
        asyncio.run(run(url, count))  # type: ignore[arg-type]
        cpu.append(time.process_time() - started_cpu)
        wall.append(time.perf_counter() - started)
    return statistics.median(cpu), statistics.median(wall)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=712, help="GETs per run (712: a 100-environment plan)")
    parser.add_argument("--latency-ms", type=float, default=50.0, help="added to every API response")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with sandbox_process("--latency-ms", str(args.latency_ms)) as url:
        print(f"{args.requests} GETs, {CONCURRENCY} at a time, {args.latency_ms:g} ms per response; "
              f"median of {args.repeat}")
        for label, run in (("one shared pool (httpx default)", shared_pool), ("HerokuClient lanes", lanes)):
            cpu, wall = measure(run, url, args.requests, args.repeat)
            print(f"  {label:34} cpu {cpu:5.2f} s   wall {wall:5.2f} s   cpu/request {cpu / args.requests * 1000:.2f} ms")


if __name__ == "__main__":
    main()
