"""Shared fixtures: sandboxes in-process and on loopback, clients, CLI runs, schema validation of
every sandbox response the suite provokes."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import httpx
import jsonschema
import pytest
from typer.testing import CliRunner

from tmi_deploy.cli.app import app as cli_app
from tmi_deploy.heroku.client import HerokuClient
from tmi_deploy.sandbox import Sandbox, SandboxSettings
from tmi_deploy.sandbox.serve import serving
from tmi_deploy.sandbox.store import empty_state, save_state

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_PATH = Path(__file__).parent / "fixtures" / "heroku-schema.json"


# ---- response schema validation ----------------------------------------------------------------

class ResponseChecker:
    """Validates sandbox responses against the targetSchema of their link in Heroku's hyper-schema."""

    def __init__(self, schema: dict[str, Any]) -> None:
        definitions = schema["definitions"]
        # The schema's one broken ref: formation's dyno_size identity points at #/definitions/dyno_size.
        definitions.setdefault("dyno_size", definitions["dyno-size"])
        self.schema = schema
        self.links: list[tuple[str, re.Pattern[str], dict[str, Any]]] = []
        for resource, body in definitions.items():
            for link in body.get("links", []):
                template = re.sub(r"\{\([^)]*\)\}", "{}", unquote(link["href"]))
                pattern = re.compile("^" + re.escape(template).replace(r"\{\}", "[^/]+") + "$")
                target = link.get("targetSchema") or (
                    {"type": ["array"], "items": {"$ref": f"#/definitions/{resource}"}}
                    if link.get("rel") == "instances" else {"$ref": f"#/definitions/{resource}"})
                self.links.append((link["method"], pattern, target))
        self.errors: list[str] = []
        self.checked = 0
        self._validators: dict[int, jsonschema.Draft4Validator] = {}

    def check(self, method: str, path: str, status: int, body: Any) -> None:
        if status == 304 or path.startswith(("/__sandbox", "/client/")):  # /client/: the Data API, not this schema
            return
        if status >= 400:
            if not (isinstance(body, dict) and isinstance(body.get("id"), str) and isinstance(body.get("message"), str)):
                self.errors.append(f"{method} {path} {status}: error body is not {{id, message}}: {body!r}")
            elif "sandbox bug" in body["message"]:
                self.errors.append(f"{method} {path} {status}: the sandbox crashed (see the log)")
            return
        for index, (link_method, pattern, target) in enumerate(self.links):
            if link_method == method and pattern.match(path):
                validator = self._validators.get(index)
                if validator is None:
                    validator = jsonschema.Draft4Validator({**target, "definitions": self.schema["definitions"]})
                    self._validators[index] = validator
                problems = sorted(validator.iter_errors(body), key=lambda e: list(e.path))
                self.checked += 1
                if problems:
                    first = problems[0]
                    self.errors.append(f"{method} {path} {status}: {'/'.join(map(str, first.path))}: {first.message[:200]}")
                return
        self.errors.append(f"{method} {path}: no link in schema.json")


_checker: ResponseChecker | None = None


def _load_checker() -> ResponseChecker:
    global _checker
    if _checker is None:
        _checker = ResponseChecker(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))
    return _checker


class CheckedSandbox(Sandbox):
    """A sandbox whose every Heroku API response is validated against the official schema."""

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        status = 0
        chunks: list[bytes] = []

        async def capture(message: Any) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        await super().__call__(scope, receive, capture)
        raw = b"".join(chunks)
        path = scope["path"].rstrip("/") or "/"
        body = json.loads(raw) if raw else None
        if any(name == b"accept-inclusion" for name, _ in scope["headers"]):
            body = _without_inclusions(body)
        _load_checker().check(scope["method"].upper(), path, status, body)


def _without_inclusions(body: Any) -> Any:
    """`Accept-Inclusion: addon:plan,config_vars` adds fields the hyper-schema does not list (the CLI asks for
    them); the rest of the answer must still match the schema."""
    for item in body if isinstance(body, list) else [body]:
        if isinstance(item, dict) and isinstance(item.get("addon"), dict):
            item["addon"].pop("plan", None)
            item["addon"].pop("config_vars", None)
    return body


@pytest.fixture(autouse=True)
def _schema_clean() -> Iterator[None]:
    checker = _load_checker()
    before = len(checker.errors)
    yield
    new = checker.errors[before:]
    assert not new, "sandbox responses that do not match schema.json:\n" + "\n".join(new[:20])


# ---- sandboxes and clients ---------------------------------------------------------------------

# Add-ons provision asynchronously, as on Heroku, but briefly: the waiting paths run, the suite stays fast.
TEST_PROVISIONING_SECONDS = 0.05


def make_sandbox(**settings: Any) -> CheckedSandbox:
    settings.setdefault("provisioning_seconds", TEST_PROVISIONING_SECONDS)
    return CheckedSandbox(SandboxSettings(**settings))


@pytest.fixture
def sandbox() -> CheckedSandbox:
    return make_sandbox()


def client_for(sandbox: Sandbox, **kw: Any) -> HerokuClient:
    kw.setdefault("backoff", 0.001)
    return HerokuClient("http://sandbox.test", "test-token", httpx.ASGITransport(app=sandbox), **kw)


@pytest.fixture
def served() -> Iterator[tuple[CheckedSandbox, str]]:
    box = make_sandbox()
    with serving(box) as url:
        yield box, url


HEADERS = {"Accept": "application/vnd.heroku+json; version=3", "Authorization": "Bearer test-token"}


def raw(sandbox: Sandbox) -> httpx.Client:
    """A synchronous raw HTTP client to the in-process sandbox, for protocol tests."""
    return httpx.Client(transport=_SyncASGI(sandbox), base_url="http://sandbox.test", headers=HEADERS)


class _SyncASGI(httpx.BaseTransport):
    def __init__(self, app: Sandbox) -> None:
        self.app = app

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        import asyncio

        async def go() -> httpx.Response:
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app), base_url="http://sandbox.test") as c:
                response = await c.request(request.method, str(request.url), headers=request.headers,
                                           content=request.read())
                await response.aread()
                return response

        response = asyncio.run(go())
        return httpx.Response(response.status_code, headers=response.headers, content=response.content)


# ---- CLI ---------------------------------------------------------------------------------------

@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    """Run tmi-deploy in tmp_path (a copy of the shipped environments) with a clean environment."""
    import shutil

    shutil.copytree(ROOT / "environments", tmp_path / "environments")
    shutil.copy(ROOT / "app.json", tmp_path / "app.json")
    monkeypatch.chdir(tmp_path)
    for key in list(os.environ):
        if key.startswith(("HEROKU_", "TMI_")) or key == "NO_COLOR":
            monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("COLUMNS", "1000")  # no plan line wraps here; test_render_layout sets its own widths
    save_state(tmp_path / ".tmi-deploy" / "sandbox.json", empty_state(provisioning_seconds=TEST_PROVISIONING_SECONDS))
    runner = CliRunner()

    def run(*args: str, env: dict[str, str] | None = None, input: str | None = None) -> Any:
        return runner.invoke(cli_app, list(args), env=env, input=input, catch_exceptions=False,
                             terminal_width=200)

    return run
