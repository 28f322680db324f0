"""The shape tmi-deploy relies on in each Platform API answer it reads, checked before anyone indexes it.

A proxy answering HTML, a wrong --api-url, or an API change must become one HerokuAPIError naming the
request, never a KeyError deep in the planner. Only the fields the code reads are required; anything
else may come and go (extra fields are allowed everywhere). Messages name the field, never its value.
Field lists follow the Platform API reference (docs/input-limits.md).
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError


class Loose(BaseModel):
    model_config = ConfigDict(extra="allow")


class Named(Loose):
    name: str


class Identified(Loose):
    id: str


class App(Loose):
    id: str
    name: str
    web_url: str | None  # required key (apply reads it after creating an app), null allowed
    region: Named | None = None
    stack: Named | None = None
    build_stack: Named | None = None
    team: Named | None = None


class Cents(Loose):
    cents: int | None = None


class PlanRef(Loose):
    name: str
    price: Cents | None = None


class Addon(Loose):
    id: str
    name: str
    state: str
    plan: PlanRef
    addon_service: Named | None = None
    app: Identified | None = None
    config_vars: list[str] | None = None


class Attachment(Loose):
    name: str
    addon: Identified
    app: Identified


class Feature(Loose):
    name: str
    enabled: bool


class FormationEntry(Loose):
    type: str
    quantity: int
    size: str


class BuildpackInstallation(Loose):
    ordinal: int
    buildpack: Named


class User(Loose):
    email: str


class Collaborator(Loose):
    user: User
    role: str | None = None


class Release(Loose):
    version: int


class DynoSize(Loose):
    name: str
    cost: Cents | None = None


class Plan(Loose):
    name: str
    price: Cents


_SEGMENT = "[^/]+"
_SHAPES: list[tuple[re.Pattern[str], TypeAdapter[Any]]] = [
    (re.compile(pattern.replace("{}", _SEGMENT)), TypeAdapter(shape)) for pattern, shape in [
        ("/apps", list[App]),
        ("/addons", list[Addon]),
        ("/addon-attachments", list[Attachment]),
        ("/apps/{}", App),
        ("/apps/{}/config-vars", dict[str, str]),
        ("/apps/{}/addons", list[Addon]),
        ("/apps/{}/addons/{}", Addon),
        ("/apps/{}/addon-attachments", list[Attachment]),
        ("/apps/{}/features", list[Feature]),
        ("/apps/{}/formation", list[FormationEntry]),
        ("/apps/{}/buildpack-installations", list[BuildpackInstallation]),
        ("/apps/{}/collaborators", list[Collaborator]),
        ("/apps/{}/releases", list[Release]),
        ("/dyno-sizes", list[DynoSize]),
        ("/plans/{}", Plan),
        ("/addon-services/{}/plans", list[Named]),
    ]
]


def shape_problem(method: str, path: str, body: Any) -> str | None:
    """Why ``body`` is not what a read of ``path`` must answer, or None. Writes need only be JSON."""
    if method != "GET":
        return None
    route = path.split("?", 1)[0]
    for pattern, adapter in _SHAPES:
        if pattern.fullmatch(route):
            try:
                adapter.validate_python(body)
            except ValidationError as exc:
                first = exc.errors(include_input=False, include_url=False)[0]
                where = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in first["loc"])
                return f"{where.lstrip('.') or 'the body'}: {first['msg']}"
            return None
    return None
