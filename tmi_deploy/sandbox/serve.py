"""Serve the sandbox on loopback with uvicorn, in this process or in a background thread."""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

from tmi_deploy.sandbox.app import Sandbox


class _QuietResets(logging.Filter):
    """Injected connection resets are the point of a fault run, not errors worth a traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "InjectedReset" not in (record.getMessage() + str(record.exc_info and record.exc_info[1].__class__))


def _config(sandbox: Sandbox, host: str, port: int, log_level: str) -> uvicorn.Config:
    logging.getLogger("uvicorn.error").addFilter(_QuietResets())
    return uvicorn.Config(sandbox, host=host, port=port, log_level=log_level, access_log=False,
                          lifespan="off", timeout_graceful_shutdown=1)


def serve_forever(sandbox: Sandbox, host: str = "127.0.0.1", port: int = 5000) -> None:
    uvicorn.Server(_config(sandbox, host, port, "warning")).run()


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(sandbox: Sandbox, host: str = "127.0.0.1", port: int | None = None) -> Iterator[str]:
    """Run the sandbox on loopback in a thread; yields its base URL."""
    port = port or free_port(host)
    server = uvicorn.Server(_config(sandbox, host, port, "critical"))
    thread = threading.Thread(target=server.run, name="sandbox", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("sandbox did not start")
        time.sleep(0.01)
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def sandbox_process(*serve_args: str, host: str = "127.0.0.1") -> Iterator[str]:
    """Run `tmi-deploy sandbox serve` in its own process (no GIL shared with a client); yields its URL."""
    import subprocess
    import sys

    import httpx

    port = free_port(host)
    process = subprocess.Popen([sys.executable, "-m", "tmi_deploy", "sandbox", "serve", "--host", host,
                                "--port", str(port), *serve_args],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://{host}:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(url + "/__sandbox/stats", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("sandbox process did not start") from None
                time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
