"""Request bodies checked against each link's `schema` in Heroku's hyper-schema (types, enums, patterns,
required and additional properties), as Heroku does, before any rule runs.

`request-schemas.json` is the needed subset of the published hyper-schema with references inlined,
widened only where the real Heroku CLI sends what the schema does not describe and Heroku accepts it
(see docs/heroku-rules.md, "Request bodies"). tests/test_sandbox_request_schemas.py regenerates it
from tests/fixtures/heroku-schema.json and fails when it is stale.
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources
from typing import Any

from tmi_deploy.sandbox.errors import invalid

TYPES: dict[str, tuple[type, ...]] = {"object": (dict,), "array": (list,), "string": (str,), "boolean": (bool,),
                                      "null": (type(None),), "number": (int, float), "integer": (int,)}


@cache
def request_schemas() -> dict[str, list[dict[str, Any]]]:
    text = resources.files("tmi_deploy.sandbox").joinpath("request-schemas.json").read_text(encoding="utf-8")
    data: dict[str, list[dict[str, Any]]] = json.loads(text)
    return data


def link_key(method: str, template: str) -> str:
    """`PATCH /apps/{app}/config-vars` -> `PATCH /apps/{}/config-vars` (the hyper-schema's href, parameters blanked)."""
    return f"{method} {re.sub(r'{[^}]*}', '{}', template)}"


def ecma(pattern: str) -> str:
    """JSON Schema patterns are ECMA-262: a final `$` ends the text (Python's also matches before a final newline)."""
    return pattern[:-1] + r"\Z" if pattern.endswith("$") and not pattern.endswith("\\$") else pattern


def _type_ok(value: Any, types: list[str]) -> bool:
    for name in types:
        if isinstance(value, bool) and name in ("number", "integer"):
            continue
        if isinstance(value, TYPES.get(name, ())):
            return True
    return False


def problems(value: Any, schema: dict[str, Any], where: str = "") -> list[str]:
    """What is wrong with `value` under `schema` (empty: it conforms). Iterative enough: schemas are shallow."""
    found: list[str] = []
    if "anyOf" in schema:
        options = [problems(value, option, where) for option in schema["anyOf"]]
        if all(options):
            found.append(min(options, key=len)[0])
        return found
    types = schema.get("type")
    if types and not _type_ok(value, types if isinstance(types, list) else [types]):
        return [f"{where or 'body'} must be {' or '.join(types if isinstance(types, list) else [types])}"]
    if "enum" in schema and value not in schema["enum"]:
        found.append(f"{where or 'body'} must be one of {', '.join(map(str, schema['enum']))}")
    if isinstance(value, str) and "pattern" in schema and not re.search(ecma(schema["pattern"]), value, re.ASCII):
        found.append(f"{where or 'body'} is invalid")
    if isinstance(value, dict):
        found += _object_problems(value, schema, where)
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            found += problems(item, schema["items"], f"{where}[{index}]")
    return found


def _object_problems(value: dict[str, Any], schema: dict[str, Any], where: str) -> list[str]:
    found = [f"Require params: {key}." for key in schema.get("required", []) if key not in value]
    properties: dict[str, Any] = schema.get("properties", {})
    patterns: dict[str, Any] = schema.get("patternProperties", {})
    for key, item in value.items():
        path = f"{where}.{key}" if where else key
        if key in properties:
            found += problems(item, properties[key], path)
            continue
        matched = [sub for pattern, sub in patterns.items() if re.search(ecma(pattern), key, re.ASCII)]
        for sub in matched:
            found += problems(item, sub, path)
        if not matched and schema.get("additionalProperties") is False:
            found.append(f"Unknown params: {path}." if not patterns else f"Invalid name: {path}.")
    return found


def validate(method: str, template: str, body: Any) -> None:
    """Refuse a body that no request schema of this link accepts (422 invalid_params, Heroku's answer)."""
    schemas = request_schemas().get(link_key(method, template))
    if not schemas:
        return
    results = [problems(body, schema) for schema in schemas]
    if all(results):
        raise invalid(min(results, key=len)[0])
