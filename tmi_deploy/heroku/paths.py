"""Platform API paths: every name or id put into a path is quoted as one segment (no `/`, `?` or `#` can
change which resource a request reaches). The one home of that rule; no HTTP here, so pure code may use it."""

from __future__ import annotations

from urllib.parse import quote


def segment(name: str) -> str:
    return quote(name, safe="")


def app_path(app: str, *rest: str) -> str:
    """``/apps/{app}/{rest...}``, each part quoted."""
    return "/".join(("/apps", segment(app), *(segment(part) for part in rest)))
