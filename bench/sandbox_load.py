"""Load test: GET requests per second against the sandbox served on loopback.

    python bench/sandbox_load.py [--seconds 5] [--connections 16]

The sandbox runs in its own process (as `tmi-deploy sandbox serve` does). The load comes from wrk
when it is installed (Debian package `wrk`): a Python client saturates a core of its own before the
sandbox does, so the Python generator (the fallback) measures the client as much as the server.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import shutil
import statistics
import subprocess
import time

import httpx

from tmi_deploy.sandbox.serve import sandbox_process

HEADERS = {"Accept": "application/vnd.heroku+json; version=3", "Authorization": "Bearer bench"}
PATHS = ["/apps/tmi-bench", "/apps/tmi-bench/config-vars", "/apps/tmi-bench/features", "/account"]


async def worker(client: httpx.AsyncClient, deadline: float, latencies: list[float], index: int) -> int:
    done = 0
    while time.perf_counter() < deadline:
        start = time.perf_counter()
        response = await client.get(PATHS[(index + done) % len(PATHS)])
        latencies.append(time.perf_counter() - start)
        if response.status_code != 200:
            raise RuntimeError(f"unexpected {response.status_code}: {response.text[:200]}")
        done += 1
    return done


async def load(url: str, seconds: float, connections: int) -> tuple[int, list[float]]:
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(base_url=url, headers=HEADERS, limits=limits) as client:
        await client.patch("/__sandbox/settings", json={"ratelimit_capacity": 10_000_000})
        await client.post("/apps", json={"name": "tmi-bench"})
        await client.patch("/apps/tmi-bench/config-vars", json={f"VAR_{i}": "x" * 40 for i in range(30)})
        latencies: list[float] = []
        deadline = time.perf_counter() + seconds
        counts = await asyncio.gather(*(worker(client, deadline, latencies, i) for i in range(connections)))
        return sum(counts), latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    with sandbox_process() as url:
        if shutil.which("wrk"):
            asyncio.run(load(url, 0.01, 1))  # seed the app
            output = subprocess.run(["wrk", "-t1", f"-c{args.connections}", f"-d{args.seconds:.0f}s",
                                     "-H", f"Accept: {HEADERS['Accept']}", "-H", f"Authorization: {HEADERS['Authorization']}",
                                     f"{url}/apps/tmi-bench/config-vars"], capture_output=True, text=True, check=True).stdout
            rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
            latency = re.search(r"Latency\s+(\S+)", output).group(1)  # type: ignore[union-attr]
            print(f"sandbox GET load (wrk, {args.connections} connections, {args.seconds:.0f}s): "
                  f"{rate:,.0f} requests/s, mean latency {latency}")
            return
        total, latencies = asyncio.run(load(url, args.seconds, args.connections))
    latencies.sort()
    p50 = statistics.median(latencies) * 1000
    p99 = latencies[int(len(latencies) * 0.99) - 1] * 1000
    print(f"sandbox GET load (python client; wrk gives the server's own figure): {total} requests in "
          f"{args.seconds:.1f}s over {args.connections} connections "
          f"= {total / args.seconds:,.0f} requests/s (p50 {p50:.2f} ms, p99 {p99:.2f} ms)")


if __name__ == "__main__":
    main()
