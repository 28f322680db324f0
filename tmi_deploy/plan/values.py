"""Desired config values: literal, secret, generated or derived from live state. Pure; I/O is injected.

Which sources exist, and which are secret by declaration, is config/sources.py; here is how each resolves
(``RESOLVERS``), what a resolver is given (``Inputs``, ``Context``) and the one entry point the planner and
the applier share.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

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
from tmi_deploy.plan.urls import app_url, origin_of, url_part, with_sslmode

__all__ = ["Inputs", "Resolved", "resolve"]


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
    impossible: bool = False  # not knowable at apply either: apply would stop (a pre-flight error)


@dataclass(frozen=True)
class Context:
    """What a source may read while resolving: the var's live value, the live state, the inputs."""

    name: str
    current: str | None  # the var's live value on its app, if any
    live: Live
    live_app: LiveApp | None
    env: Environment
    inputs: Inputs


def _literal(source: str | LiteralValue, ctx: Context) -> Resolved:
    return Resolved(source if isinstance(source, str) else source.value)


def _secret_env(source: SecretEnv, ctx: Context) -> Resolved:
    value = ctx.inputs.environ.get(source.secret_env)
    return Resolved(value) if value is not None else Resolved(None, f"${source.secret_env} is not set",
                                                                impossible=True)


def _secret_file(source: SecretFile, ctx: Context) -> Resolved:
    path = Path(source.secret_file)
    value = ctx.inputs.read_file(path if path.is_absolute() else Path(ctx.env.base_dir) / path)
    return Resolved(value, "" if value is not None else f"cannot read {source.secret_file}", impossible=value is None)


def _generate(source: Generate, ctx: Context) -> Resolved:
    if ctx.current is not None:
        return Resolved(ctx.current)
    if ctx.inputs.generate is None:
        return Resolved(None, f"generated at apply ({source.bytes} random bytes, {source.generate})")
    return Resolved(ctx.inputs.generate(source))


def _prompt(source: Prompt, ctx: Context) -> Resolved:
    if ctx.current is not None:
        return Resolved(ctx.current)
    answer = ctx.inputs.prompt(ctx.name, source.prompt) if ctx.inputs.prompt is not None else None
    if answer is not None:
        return Resolved(answer)
    if ctx.inputs.applying and not ctx.inputs.interactive:
        return Resolved(None, "declared {prompt: ...}; run apply in a terminal to enter it", impossible=True)
    return Resolved(None, f"asked at apply: {source.prompt}")


def _from_addon(source: FromAddon, ctx: Context) -> Resolved:
    url = ctx.live_app.config.get(f"{source.addon}_URL") if ctx.live_app is not None else None
    if url is None:
        return Resolved(None, f"from add-on {source.addon} once provisioned")
    if source.part == "url" and source.sslmode:
        return Resolved(with_sslmode(url, source.sslmode))
    return Resolved(url_part(url, source.part))


def _from_app(source: FromApp, ctx: Context) -> Resolved:
    other = ctx.env.apps.get(source.app)
    base = app_url(other, ctx.live.apps.get(source.app)) if other is not None else None
    if base is None:
        return Resolved(None, f"from the {source.app} app's URL once it exists")
    if source.part == "origin":
        return Resolved(origin_of(base) + source.suffix)
    if source.part == "host":
        return Resolved((urlsplit(base).hostname or "") + source.suffix)
    return Resolved(base.rstrip("/") + source.suffix)


RESOLVERS: dict[type, Callable[[Any, Context], Resolved]] = {
    str: _literal, LiteralValue: _literal, SecretEnv: _secret_env, SecretFile: _secret_file, Prompt: _prompt,
    Generate: _generate, FromAddon: _from_addon, FromApp: _from_app,
}


def resolve(spec: VarSpec, app: AppDesired, env: Environment, live: Live, inputs: Inputs) -> Resolved:
    live_app = live.apps.get(app.role)
    current = live_app.config.get(spec.name) if live_app is not None and live_app.exists else None
    context = Context(name=spec.name, current=current, live=live, live_app=live_app, env=env, inputs=inputs)
    return RESOLVERS[type(spec.source)](spec.source, context)
