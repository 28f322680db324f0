"""Desired config values: literal, secret, generated or derived from live state. Pure; I/O is injected.

How each kind of source resolves is in the registry (``plan.sources``); this module holds what the
resolver is given (``Inputs``) and the one entry point the planner and the applier share.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from tmi_deploy.config.models import AppDesired, Environment, Generate, VarSpec
from tmi_deploy.plan.sources import Context, Resolved, kind_of
from tmi_deploy.plan.state import Live

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


def resolve(spec: VarSpec, app: AppDesired, env: Environment, live: Live, inputs: Inputs) -> Resolved:
    live_app = live.apps.get(app.role)
    current = live_app.config.get(spec.name) if live_app is not None and live_app.exists else None
    context = Context(name=spec.name, current=current, live=live, live_app=live_app, env=env, inputs=inputs)
    return kind_of(spec.source).resolve(spec.source, context)
