"""Desired config values: literal, secret, generated or derived from live state. Pure; I/O is injected."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from tmi_deploy.config.models import (
    AppDesired,
    Environment,
    FromAddon,
    FromApp,
    Generate,
    LiteralValue,
    Prompt,
    SecretEnv,
    SecretFile,
    VarSpec,
)
from tmi_deploy.plan.state import Live, LiveApp


@dataclass(frozen=True, kw_only=True)
class Inputs:
    """Everything outside the declaration a value may come from, passed in by the shell (CLI, tests).

    The core never reads the disk, the environment or randomness itself: ``read_file`` reads a
    secret file the shell allowed, ``prompt`` and ``generate`` exist only while an apply resolves.
    """

    read_file: Callable[[Path], str | None]
    environ: Mapping[str, str] = field(default_factory=dict)
    fingerprint_key: bytes = b""
    applying: bool = False  # planning for an apply: what cannot be resolved then is a pre-flight error
    interactive: bool = False  # an apply at a terminal can ask {prompt: ...} values
    prompt: Callable[[str, str], str | None] | None = None  # (var name, question) -> value; apply only
    generate: Callable[[Generate], str] | None = None  # apply only

    def fingerprint(self, value: str) -> str:
        return hmac.new(self.fingerprint_key, value.encode(), hashlib.sha256).hexdigest()[:32]


@dataclass(frozen=True)
class Resolved:
    value: str | None  # None: not knowable now
    note: str = ""  # why not, for the plan reader
    keep_live: bool = False  # a value that, once set, is never replaced (generated, prompted)
    impossible: bool = False  # not knowable at apply either: apply would stop (a pre-flight error)


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def with_sslmode(url: str, mode: str) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "sslmode"]
    query.append(("sslmode", mode))
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), parts.fragment))


def url_part(url: str, part: str) -> str:
    parts = urlsplit(url)
    if part == "host":
        return parts.hostname or ""
    if part == "port":
        return str(parts.port or "")
    if part == "user":
        return parts.username or ""
    if part == "password":
        return parts.password or ""
    if part == "database":
        return parts.path.lstrip("/")
    return url


def app_url(app: AppDesired, live: LiveApp | None) -> str | None:
    if app.url:
        return app.url
    if live is None or not live.exists or not live.web_url:
        return None
    return live.web_url


def resolve(spec: VarSpec, app: AppDesired, env: Environment, live: Live, inputs: Inputs) -> Resolved:
    source = spec.source
    live_app = live.apps.get(app.role)
    current = live_app.config.get(spec.name) if live_app is not None and live_app.exists else None
    if isinstance(source, str):
        return Resolved(source)
    if isinstance(source, LiteralValue):
        return Resolved(source.value)
    if isinstance(source, SecretEnv):
        value = inputs.environ.get(source.secret_env)
        if value is None:
            return Resolved(None, f"${source.secret_env} is not set", impossible=True)
        return Resolved(value)
    if isinstance(source, SecretFile):
        path = Path(source.secret_file)
        value = inputs.read_file(path if path.is_absolute() else Path(env.base_dir) / path)
        return Resolved(value, "" if value is not None else f"cannot read {source.secret_file}",
                        impossible=value is None)
    if isinstance(source, Generate):
        if current is not None:
            return Resolved(current, keep_live=True)
        if inputs.generate is None:
            return Resolved(None, f"generated at apply ({source.bytes} random bytes, {source.generate})", True)
        return Resolved(inputs.generate(source), keep_live=True)
    if isinstance(source, Prompt):
        if current is not None:
            return Resolved(current, keep_live=True)
        answer = inputs.prompt(spec.name, source.prompt) if inputs.prompt is not None else None
        if answer is not None:
            return Resolved(answer, keep_live=True)
        if inputs.applying and not inputs.interactive:
            return Resolved(None, "declared {prompt: ...}; run apply in a terminal to enter it", True, True)
        return Resolved(None, f"asked at apply: {source.prompt}", True)
    if isinstance(source, FromAddon):
        url = live_app.config.get(f"{source.addon}_URL") if live_app is not None else None
        if url is None:
            return Resolved(None, f"from add-on {source.addon} once provisioned")
        if source.part == "url" and source.sslmode:
            return Resolved(with_sslmode(url, source.sslmode))
        return Resolved(url_part(url, source.part))
    if isinstance(source, FromApp):
        other = env.apps.get(source.app)
        base = app_url(other, live.apps.get(source.app)) if other is not None else None
        if base is None:
            return Resolved(None, f"from the {source.app} app's URL once it exists")
        if source.part == "origin":
            return Resolved(origin_of(base) + source.suffix)
        if source.part == "host":
            return Resolved((urlsplit(base).hostname or "") + source.suffix)
        return Resolved(base.rstrip("/") + source.suffix)
    raise TypeError(f"unknown value source {type(source).__name__}")  # pragma: no cover
