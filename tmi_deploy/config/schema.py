"""The JSON Schema of environment files, from the models (editors validate against it)."""

from __future__ import annotations

from typing import Any

from tmi_deploy.config.models import EnvironmentFile

SCHEMA_ID = "https://github.com/tmi-deploy/tmi-deploy/environments/schema.json"


SCALAR = {"type": ["string", "number", "integer", "boolean"]}


def environment_schema() -> dict[str, Any]:
    schema = EnvironmentFile.model_json_schema(by_alias=True, mode="validation")
    _scalars_as_text(schema)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, **schema}


def _scalars_as_text(node: Any) -> None:
    """tmi-deploy reads config values as the text written (`false`, `5`), but editors parse YAML into
    booleans and numbers: the schema must accept any scalar where the loader keeps text."""
    if isinstance(node, dict):
        one_of = node.get("oneOf")
        if isinstance(one_of, list) and {"$ref": "#/$defs/LiteralValue"} in one_of:
            node["oneOf"] = [SCALAR if member == {"type": "string"} else member for member in one_of]
        literal = node.get("$defs", {}).get("LiteralValue")
        if literal is not None:
            literal["properties"]["value"] = {**SCALAR, "description": literal["properties"]["value"].get(
                "description", "")}
        for value in node.values():
            _scalars_as_text(value)
    elif isinstance(node, list):
        for item in node:
            _scalars_as_text(item)


def plan_schema() -> dict[str, Any]:
    """The JSON plan (`plan --format json`, `--out`): the Plan model plus checksum, summary, has_changes."""
    from tmi_deploy.plan.model import Plan

    schema = Plan.model_json_schema(mode="serialization")
    schema["properties"].update({
        "checksum": {"type": "string", "description": "sha256 over the changes; apply --plan compares it"},
        "has_changes": {"type": "boolean"},
        "summary": {"type": "object", "description": "change counts by action",
                    "properties": {k: {"type": "integer"} for k in ("create", "update", "delete", "replace")}},
    })
    schema["required"] = sorted({*schema.get("required", []), "checksum", "format_version", "summary"})
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID.replace(
        "environments/schema.json", "plan.schema.json"), **schema}
