"""Plan files on disk: read a reviewed plan (`apply --plan`) and write one (`plan --out`), with one-line errors.

A plan file comes from a pull request's artifacts or a colleague, so it is input like any other: its
size, JSON and shape are checked before any API request, and a malformed file is one line naming the
file and the first field that is wrong (never a value). Only the fields the stale check reads are
required; everything else passes through untouched, so the plan format can grow.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from tmi_deploy.errors import InvalidInput

# A plan of two apps with every change kind is a few dozen kB; a file this large is not one of ours.
MAX_PLAN_BYTES = 16 * 1024 * 1024
HOW_TO_MAKE = "create it with `tmi-deploy plan ENV --format json --out FILE`"


class _Loose(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True)


class _Change(_Loose):
    app: str
    kind: str
    key: str
    action: str


class _Environment(_Loose):
    environment: str
    changes: list[_Change]


class _PlanFile(_Loose):
    format_version: int
    environments: list[_Environment]
    checksum: str | None = None


def read_plan_file(path: Path) -> dict[str, Any]:
    """The saved plan as a dict whose shape the stale check can rely on, or InvalidInput in one line."""
    shown = _shown(path)
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_PLAN_BYTES + 1)
    except FileNotFoundError:
        raise InvalidInput(f"plan file {shown} not found; {HOW_TO_MAKE}") from None
    except OSError as exc:
        raise InvalidInput(f"plan file {shown} cannot be read: {exc.strerror or exc.__class__.__name__}") from None
    if len(raw) > MAX_PLAN_BYTES:
        raise InvalidInput(f"plan file {shown} is larger than {MAX_PLAN_BYTES // (1024 * 1024)} MiB; "
                           "it is not a tmi-deploy plan")
    try:
        data = json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError):
        raise InvalidInput(f"plan file {shown} is not JSON; {HOW_TO_MAKE}") from None
    try:
        _PlanFile.model_validate(data)
    except ValidationError as exc:
        first = exc.errors(include_input=False, include_url=False)[0]
        where = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in first["loc"]).lstrip(".")
        raise InvalidInput(f"plan file {shown} is not a tmi-deploy JSON plan ({where or 'top level'}: "
                           f"{first['msg']}); {HOW_TO_MAKE}") from None
    assert isinstance(data, dict)  # the model above accepts only an object
    return data


def check_output_path(path: Path | None) -> None:
    """Refuse an --out target that cannot be written (a directory, a read-only place) before any work."""
    if path is None:
        return
    shown = _shown(path)
    if path.is_dir():
        raise InvalidInput(f"--out {shown} is a directory; name a file, e.g. plan.json")
    if path.exists() and not os.access(path, os.W_OK):
        raise InvalidInput(f"--out {shown} is not writable")
    parent = path.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir() or not os.access(parent, os.W_OK | os.X_OK):
        raise InvalidInput(f"--out {shown}: cannot create a file in {_shown(parent)}")


def write_plan_file(path: Path, text: str) -> None:
    """Write a plan file, creating its folder; any OS refusal is one line."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InvalidInput(f"cannot write plan file {_shown(path)}: {exc.strerror or exc.__class__.__name__}") \
            from None


def _shown(path: Path) -> str:
    text = str(path)
    return text if text.isprintable() else text.encode("unicode_escape").decode("ascii")
