"""What a lint rule is: a pure check over a loaded Environment, the codes it reports, where it applies."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from tmi_deploy.config.models import AppDesired, Environment, Origin, VarSpec
from tmi_deploy.errors import Problem

Version = tuple[int, int, int]
Check = Callable[[Environment, Version], Iterator[Problem]]


@dataclass(frozen=True)
class Rule:
    check: Check
    codes: tuple[str, ...]
    # True when the rule judges values alone, so it also means something on a live app's config vars
    # (no sources, no add-on declarations, no public URLs there).
    live: bool


def finding(spec: VarSpec | None, app: AppDesired, code: str, message: str, hint: str,
            severity: str = "error", origin: Origin | None = None) -> Problem:
    """A finding at the var's position, else at ``origin`` (a formation entry, say), else at the app."""
    where = spec.origin if spec is not None else origin or app.origin
    path = f"apps.{app.role}.config.{spec.name}" if spec is not None else f"apps.{app.role}"
    return Problem(where.file, where.line, where.column, path, message, hint, severity, code)


def server(env: Environment) -> AppDesired | None:
    return env.apps.get("server")
