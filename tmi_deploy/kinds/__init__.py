"""The Heroku resource kinds tmi-deploy manages, in plan order: the one list planner, applier, live
reads, renderers and import loop over. Adding a kind: a module with a ``KIND`` (see kinds/base.py), one
line here, its desired shape in config/models.py, its sandbox routes, schema and tests."""

from __future__ import annotations

from tmi_deploy.kinds import addons, app, buildpacks, collaborators, config, features, formation
from tmi_deploy.kinds.base import ResourceKind
from tmi_deploy.plan.model import Change

REGISTRY: tuple[ResourceKind, ...] = (
    app.KIND, addons.KIND, config.KIND, features.KIND, formation.KIND, buildpacks.KIND, collaborators.KIND,
)
BY_NAME: dict[str, ResourceKind] = {kind.name: kind for kind in REGISTRY}
KIND_ORDER: dict[str, int] = {kind.name: index for index, kind in enumerate(REGISTRY)}
ROLE_ORDER: dict[str, int] = {"server": 0, "client": 1}


def change_order(change: Change) -> tuple[int, int, str, str]:
    """Plans list changes per app (server first), by kind in registry order, then by key."""
    return ROLE_ORDER[change.role], KIND_ORDER[change.kind], change.key, change.action
