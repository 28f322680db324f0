"""The JSON Schema of environment files, from the models (editors validate against it)."""

from __future__ import annotations

from typing import Any

from tmi_deploy.config.models import EnvironmentFile

SCHEMA_ID = "https://github.com/tmi-deploy/tmi-deploy/environments/schema.json"


def environment_schema() -> dict[str, Any]:
    schema = EnvironmentFile.model_json_schema(by_alias=True, mode="validation")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, **schema}
