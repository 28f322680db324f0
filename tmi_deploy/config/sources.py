"""The value sources an environment file can declare, one registry: for each, whether its declaration
alone makes the value secret, and how app.json shows it. How each resolves to a value is the planner's
(plan/values.py, ``RESOLVERS``); a test checks that both, and the model's union, name the same sources.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

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

# Add-on URL parts that are (half of) a credential; host, port and database are reviewable.
SECRET_ADDON_PARTS = frozenset({"url", "user", "password"})


@dataclass(frozen=True)
class SourceKind:
    key: str  # the mapping key in a config value ("literal" for plain text)
    model: type
    declared_secret: Callable[[Any], bool]
    app_json: Callable[[Any], dict[str, Any]]


def _operator_secret(source: Any) -> dict[str, Any]:
    return {"description": "secret supplied by the operator", "required": True}


SOURCES: tuple[SourceKind, ...] = (
    SourceKind("literal", str, lambda s: False, lambda s: {"required": False, "value": s}),
    SourceKind("value", LiteralValue, lambda s: s.sensitive is True, lambda s: {"required": False, "value": s.value}),
    SourceKind("secret_env", SecretEnv, lambda s: True, _operator_secret),
    SourceKind("secret_file", SecretFile, lambda s: True, _operator_secret),
    SourceKind("prompt", Prompt, lambda s: True, _operator_secret),
    SourceKind("generate", Generate, lambda s: True,
               lambda s: {"description": f"random {s.bytes} bytes ({s.generate})", "generator": "secret"}),
    SourceKind("addon", FromAddon, lambda s: s.part in SECRET_ADDON_PARTS,
               lambda s: {"description": f"derived by tmi-deploy: {s.part} of {s.addon}_URL"
                                         + (f" with sslmode={s.sslmode}" if s.sslmode else ""), "required": True}),
    SourceKind("app", FromApp, lambda s: False,
               lambda s: {"description": f"derived by tmi-deploy: {s.app} app {s.part}{s.suffix}", "required": True}),
)
_BY_MODEL = {kind.model: kind for kind in SOURCES}


def kind_of(source: Source) -> SourceKind:
    return _BY_MODEL[type(source)]
