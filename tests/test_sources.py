"""The value-source registry covers exactly the kinds an environment file can declare."""

from __future__ import annotations

import typing

from tmi_deploy.config.models import ValueSource
from tmi_deploy.config.sources import SOURCES
from tmi_deploy.plan.values import RESOLVERS


def test_registry_and_model_name_the_same_kinds() -> None:
    union = typing.get_args(typing.get_args(ValueSource)[0])
    declared = {typing.get_args(member)[0] for member in union}
    assert {kind.model for kind in SOURCES} == declared
    tags = {typing.get_args(member)[1].tag for member in union}
    assert {kind.key for kind in SOURCES} == tags


def test_every_declared_source_has_a_resolver() -> None:
    assert set(RESOLVERS) == {kind.model for kind in SOURCES}
