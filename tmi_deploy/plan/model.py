"""The plan: ordered, typed changes with old and new values, safe to print and to save.

A Change carries display text only. The real value a config change sets (``value``) is excluded from
serialization and repr, so no renderer or plan file can leak it; secrets are compared across runs
through ``fingerprint``, an HMAC keyed by the deployer's credentials.
"""

from __future__ import annotations

import hashlib
import json
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic.json_schema import SkipJsonSchema

from tmi_deploy.config.models import Role

PLAN_FORMAT_VERSION = 1

Action = Literal["create", "update", "delete", "replace", "rename"]
SYMBOLS: dict[str, str] = {"create": "+", "update": "~", "delete": "-", "replace": "-/+", "rename": "~>"}
KNOWN_AFTER_APPLY = "(known after apply)"
SENSITIVE = "(sensitive)"


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class FormationTarget(Frozen):
    quantity: int
    size: str


class AddonIdentity(Frozen):
    """The live add-on a change acts on: its id for the API, its globally unique name for people."""

    id: str
    name: str


class Change(Frozen):
    role: Role
    app: str
    kind: str = Field(description="the resource kind: one of tmi_deploy.kinds.REGISTRY (app, addon, config, ...)")
    action: Action
    key: str
    old: str | None = None  # display text; "(sensitive)" for secrets
    new: str | None = None
    sensitive: bool = False
    after_apply: bool = False  # the new value is resolved by the applier
    detail: str = ""  # e.g. ownership class, plan-change classification
    origin: str | None = None  # file:line of the declaration
    fingerprint: str = ""  # keyed HMAC of the new value, for saved-plan comparison
    # The real value to set: never serialized, never in repr, absent from the documented schema.
    value: SkipJsonSchema[str | None] = Field(default=None, exclude=True, repr=False)
    destructive: bool = False
    # Typed payloads the applier executes as they are (never parsed back from display text).
    formation: FormationTarget | None = None
    buildpacks: tuple[str, ...] | None = None
    addon: AddonIdentity | None = None  # the live add-on changed, replaced or destroyed
    renamed_from: str | None = None  # rename: the legacy var deleted in the same release

    @property
    def symbol(self) -> str:
        return SYMBOLS[self.action]

    @field_validator("kind")
    @classmethod
    def _registered(cls, kind: str) -> str:
        from tmi_deploy.kinds import BY_NAME  # the registry imports this module: look it up when used

        if kind not in BY_NAME:
            raise ValueError(f"unknown resource kind {kind!r}")
        return kind


BlockerKind = Literal["error", "refused", "consent"]


class Blocker(Frozen):
    """Something apply will stop on, found at plan time and shown where the reviewer reads.

    error: fix the declaration or the deployer's inputs (exit 1). refused: tmi-deploy never does this
    (a protected add-on, a migration it does not perform); ``procedure`` says what to do by hand (exit 3).
    consent: allowed once the exact ``consent`` token is listed under ``consent:`` in the environment
    file or given as ``--allow-destroy`` (exit 3 until then).
    """

    kind: BlockerKind
    app: str
    reason: str
    origin: str | None = None
    consent: str | None = None
    consented_by: str | None = None  # where the consent was given; None: not given
    procedure: tuple[str, ...] = ()
    aliases: tuple[str, ...] = Field(default=(), exclude=True, repr=False)  # short --allow-destroy names

    @property
    def blocking(self) -> bool:
        return self.kind != "consent" or self.consented_by is None


class AppSummary(Frozen):
    role: Role
    name: str
    exists: bool
    cost_before_cents: int
    cost_after_cents: int
    changes: int
    live_config_vars: int = 0  # undeclared-var deletes are judged against this (safety threshold)


class EnvironmentPlan(Frozen):
    environment: str
    tmi_version: str
    file: str
    apps: tuple[AppSummary, ...]
    changes: tuple[Change, ...]
    warnings: tuple[str, ...] = ()
    blockers: tuple[Blocker, ...] = ()
    eco_dynos: tuple[int, int] = (0, 0)  # before, after: the account's Eco plan is billed while any run

    @property
    def has_changes(self) -> bool:
        return bool(self.changes)

    @property
    def open_blockers(self) -> tuple[Blocker, ...]:
        return tuple(b for b in self.blockers if b.blocking)


class Plan(Frozen):
    format_version: int = PLAN_FORMAT_VERSION
    environments: tuple[EnvironmentPlan, ...]

    @property
    def has_changes(self) -> bool:
        return any(env.has_changes for env in self.environments)

    def comparable(self) -> list[dict[str, object]]:
        """What must be identical between a reviewed plan and the plan apply re-computes."""
        return [change.model_dump(mode="json", exclude={"origin"}) | {"environment": env.environment}
                for env in self.environments for change in env.changes]

    def checksum(self) -> str:
        canonical = json.dumps(self.comparable(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()
