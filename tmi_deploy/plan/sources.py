"""The value sources, one registry: for each kind of config value, whether its declaration alone makes
it secret, how it resolves to a value (or why it cannot yet), and how app.json shows it.

Adding a kind means adding its model to ``config.models.ValueSource`` and one entry here; a test
checks both lists name the same kinds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tmi_deploy.config.models import (
    FromAddon,
    FromApp,
    Generate,
    LiteralValue,
    Prompt,
    SecretEnv,
    SecretFile,
    Source,
)
from tmi_deploy.plan.urls import app_url, origin_of, url_part, with_sslmode

# Add-on URL parts that are (half of) a credential; host, port and database are reviewable.
SECRET_ADDON_PARTS = frozenset({"url", "user", "password"})


@dataclass(frozen=True)
class Context:
    """What a source may read while resolving: the var's live value, the live state, the inputs."""

    name: str
    current: str | None  # the var's live value on its app, if any
    live: Any  # plan.state.Live
    live_app: Any  # plan.state.LiveApp | None
    env: Any  # config.models.Environment
    inputs: Any  # plan.values.Inputs


@dataclass(frozen=True)
class Resolved:
    value: str | None  # None: not knowable now
    note: str = ""  # why not, for the plan reader
    impossible: bool = False  # not knowable at apply either: apply would stop (a pre-flight error)


@dataclass(frozen=True)
class SourceKind:
    key: str  # the mapping key in a config value ("literal" for plain text)
    model: type
    declared_secret: Callable[[Any], bool]
    resolve: Callable[[Any, Context], Resolved]
    app_json: Callable[[Any], dict[str, Any]]


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


def _operator_secret(source: Any) -> dict[str, Any]:
    return {"description": "secret supplied by the operator", "required": True}


SOURCES: tuple[SourceKind, ...] = (
    SourceKind("literal", str, lambda s: False, _literal, lambda s: {"required": False, "value": s}),
    SourceKind("value", LiteralValue, lambda s: s.sensitive is True, _literal,
               lambda s: {"required": False, "value": s.value}),
    SourceKind("secret_env", SecretEnv, lambda s: True, _secret_env, _operator_secret),
    SourceKind("secret_file", SecretFile, lambda s: True, _secret_file, _operator_secret),
    SourceKind("prompt", Prompt, lambda s: True, _prompt, _operator_secret),
    SourceKind("generate", Generate, lambda s: True, _generate,
               lambda s: {"description": f"random {s.bytes} bytes ({s.generate})", "generator": "secret"}),
    SourceKind("addon", FromAddon, lambda s: s.part in SECRET_ADDON_PARTS, _from_addon,
               lambda s: {"description": f"derived by tmi-deploy: {s.part} of {s.addon}_URL"
                                         + (f" with sslmode={s.sslmode}" if s.sslmode else ""), "required": True}),
    SourceKind("app", FromApp, lambda s: False, _from_app,
               lambda s: {"description": f"derived by tmi-deploy: {s.app} app {s.part}{s.suffix}", "required": True}),
)
_BY_MODEL = {kind.model: kind for kind in SOURCES}


def kind_of(source: Source) -> SourceKind:
    return _BY_MODEL[type(source)]
