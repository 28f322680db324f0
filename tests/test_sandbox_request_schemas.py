"""The sandbox's request schemas are the hyper-schema's, and bodies they refuse get Heroku's 422.

Run `python -m tests.test_sandbox_request_schemas --write` to regenerate the shipped subset.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import httpx
import pytest

from tests.conftest import ROOT, SCHEMA_PATH, make_sandbox, raw
from tmi_deploy.sandbox import Sandbox
from tmi_deploy.sandbox.request_schema import link_key, problems

SHIPPED = ROOT / "tmi_deploy" / "sandbox" / "request-schemas.json"
KEPT = ("type", "enum", "pattern", "properties", "patternProperties", "additionalProperties", "required", "items",
        "anyOf")
NAME_OR_ID = {"type": ["object"], "properties": {"name": {"type": ["string"]}, "id": {"type": ["string"]}}}


def resolve(node: Any, root: dict[str, Any], depth: int = 0) -> Any:
    """Inline every $ref and keep only the keywords the validator reads."""
    assert depth < 20, "reference cycle"
    if isinstance(node, list):
        return [resolve(item, root, depth + 1) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        target: Any = root
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part]
        return resolve(target, root, depth + 1)
    kept = {k: v for k, v in node.items() if k in KEPT}
    for key in ("properties", "patternProperties"):
        if key in kept:
            kept[key] = {name: resolve(sub, root, depth + 1) for name, sub in kept[key].items()}
    for key in ("items", "anyOf"):
        if key in kept:
            kept[key] = resolve(kept[key], root, depth + 1)
    return kept


def widen(key: str, schema: dict[str, Any]) -> dict[str, Any]:
    """What the real Heroku CLI (and tmi-deploy) send beyond the schema, which Heroku accepts (docs/heroku-rules.md)."""
    props = schema.get("properties", {})
    if key in ("PATCH /apps/{}/formation", "PATCH /apps/{}/formation/{}"):
        update = props["updates"]["items"] if "updates" in props else schema
        # `size` is the deprecated name of dyno_size; the CLI sends quantities as text, "+1" included.
        update["properties"]["size"] = {"type": ["string"]}
        update["properties"]["quantity"] = {"anyOf": [{"type": ["integer"]},
                                                      {"type": ["string"], "pattern": r"^[+-]?\d{1,6}$"}]}
    for name in ("plan", "addon", "app"):
        if name in props and "anyOf" in props[name] and key != "POST /actions/addons/resolve":
            props[name] = {"anyOf": [*props[name]["anyOf"], NAME_OR_ID]}  # the CLI sends {"name": ...}
    if key == "POST /apps/{}/addons":
        props["config"]["patternProperties"] = {r"^\w+$": {"type": ["string", "boolean"]}}  # bare flags: true
    if key == "PATCH /apps/{}/addons/{}":
        schema.pop("required", None)  # addons:rename sends only the name
    return schema


def route_keys(box: Sandbox) -> set[str]:
    keys: set[str] = set()
    for route in box.asgi.routes:
        for sub in getattr(route, "routes", [route]):
            method, _, template = str(sub.name).partition(" ")
            keys.add(link_key(method, template))
    return keys


def build_subset(schema: dict[str, Any], served: set[str]) -> dict[str, list[dict[str, Any]]]:
    subset: dict[str, list[dict[str, Any]]] = {}
    for body in schema["definitions"].values():
        for link in body.get("links", []):
            key = f"{link['method']} {re.sub(r'{[^}]*}', '{}', unquote(link['href']))}"
            if "schema" in link and key in served:
                subset.setdefault(key, []).append(widen(key, resolve(link["schema"], schema)))
    return dict(sorted(subset.items()))


def expected_text() -> str:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return json.dumps(build_subset(schema, route_keys(make_sandbox())), indent=1, sort_keys=True) + "\n"


def test_shipped_request_schemas_are_generated_from_the_hyper_schema() -> None:
    assert SHIPPED.read_text(encoding="utf-8") == expected_text(), "run: python -m tests.test_sandbox_request_schemas --write"


@pytest.fixture
def http() -> httpx.Client:
    client = raw(make_sandbox())
    assert client.post("/apps", json={"name": "tmi-body"}).status_code == 201
    return client


@pytest.mark.parametrize(("method", "path", "body", "message"), [
    ("POST", "/apps", {"name": 5}, "name must be string"),
    ("POST", "/apps", {"feature_flags": 5}, "feature_flags must be array"),
    ("POST", "/apps", {"name": "tmi-x\n"}, "name is invalid"),
    ("PATCH", "/apps/tmi-body", {"maintenance": "yes"}, "maintenance must be boolean"),
    ("PATCH", "/apps/tmi-body/config-vars", {"A": 1}, "A must be string or null"),
    ("PATCH", "/apps/tmi-body/config-vars", {"bad-key": "x"}, "Invalid name: bad-key."),
    ("PATCH", "/apps/tmi-body/config-vars", ["A"], "body must be object"),
    ("POST", "/apps/tmi-body/addons", {"plan": 5}, "plan must be"),
    ("POST", "/apps/tmi-body/addons", {"plan": "heroku-postgresql:essential-0", "attachment": {"name": 7}},
     "attachment.name must be string"),
    ("POST", "/apps/tmi-body/addons", {}, "Require params: plan."),
    ("PATCH", "/apps/tmi-body/formation", {"updates": [{"type": "web", "bogus": 1}]}, "Unknown params: updates[0].bogus."),
    ("PATCH", "/apps/tmi-body/formation", {"updates": [{"type": "web", "quantity": "lots"}]}, "quantity"),
    ("PATCH", "/apps/tmi-body/features/preboot", {"enabled": "true"}, "enabled must be boolean"),
    ("PUT", "/apps/tmi-body/buildpack-installations", {"updates": [{"buildpack": ["x"]}]}, "buildpack must be string"),
    ("POST", "/apps/tmi-body/collaborators", {"user": 5}, "user must be"),
])
def test_bodies_the_schema_refuses_get_422(http: httpx.Client, method: str, path: str, body: Any, message: str) -> None:
    response = http.request(method, path, json=body)
    assert response.status_code == 422, response.text
    assert response.json()["id"] == "invalid_params" and message in response.json()["message"]


def test_what_the_cli_sends_beyond_the_schema_is_accepted() -> None:
    schemas = json.loads(SHIPPED.read_text(encoding="utf-8"))
    formation = schemas["PATCH /apps/{}/formation"][0]
    assert problems({"updates": [{"type": "web", "quantity": "+1", "size": "standard-1x"}]}, formation) == []
    addon = schemas["POST /apps/{}/addons"][0]
    assert problems({"plan": {"name": "heroku-postgresql:essential-0"}, "config": {"fork": True}}, addon) == []
    assert problems({"plan": {"name": 5}}, addon) != []


if __name__ == "__main__" and "--write" in sys.argv:
    Path(SHIPPED).write_text(expected_text(), encoding="utf-8")
