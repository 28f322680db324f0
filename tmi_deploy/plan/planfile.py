"""Reading a reviewed plan file (`plan --out`) before any request is made."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tmi_deploy.errors import TmiDeployError


def read_plan_file(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise TmiDeployError(f"plan file {path} not found") from None
    except (OSError, ValueError):
        raise TmiDeployError(f"plan file {path} is not a tmi-deploy JSON plan") from None
    if not isinstance(data, dict) or not isinstance(data.get("environments"), list):
        raise TmiDeployError(f"plan file {path} is not a tmi-deploy JSON plan")
    return data
