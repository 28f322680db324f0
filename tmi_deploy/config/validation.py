"""Schema validation of a merged environment document: pydantic errors become Problems at file:line:col."""

from __future__ import annotations

import difflib
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from tmi_deploy.config.models import (
    AddonSpec,
    AppFile,
    EnvironmentFile,
    FormationSpec,
    FromAddon,
    FromApp,
    Generate,
    LiteralValue,
    PolicyFile,
    Prompt,
    SecretEnv,
    SecretFile,
)
from tmi_deploy.config.yamlsrc import Document, KeyPath, dotted
from tmi_deploy.errors import Problem

_VALUE_TAGS = {"literal", "value", "secret_env", "secret_file", "prompt", "generate", "addon", "app"}
_BY_TAG: dict[str, type[BaseModel]] = {"value": LiteralValue, "secret_env": SecretEnv, "secret_file": SecretFile,
                                       "prompt": Prompt, "generate": Generate, "addon": FromAddon, "app": FromApp}
_SHAPES: list[tuple[tuple[str, ...], type[BaseModel]]] = [
    ((), EnvironmentFile), (("policy",), PolicyFile), (("apps", "*"), AppFile),
    (("apps", "*", "formation", "*"), FormationSpec), (("apps", "*", "addons", "*"), AddonSpec),
]


def validate_document(doc: Document) -> tuple[EnvironmentFile | None, list[Problem]]:
    try:
        return EnvironmentFile.model_validate(doc.data), []
    except ValidationError as exc:
        problems = []
        seen: set[tuple[KeyPath, str]] = set()
        for error in exc.errors(include_input=False):
            path, tags = _data_path(tuple(error["loc"]), doc.data)
            message, hint = _explain(error, path, tags)
            if (path, message) in seen:
                continue
            seen.add((path, message))
            loc = doc.loc(path)
            problems.append(Problem(loc.file, loc.line, loc.column, dotted(path), message, hint))
        return None, problems


def _explain(error: ErrorDetails, path: KeyPath, tags: KeyPath) -> tuple[str, str]:
    """The message and hint for one pydantic error (never the offending value: it may be a secret)."""
    kind = error["type"]
    if kind == "extra_forbidden":
        field = str(path[-1])
        model = _model_at(path[:-1] + tuple(t for t in tags if t != "[key]")) or _model_at(path[:-1])
        if model is None:
            return f"unknown field '{field}'", ""
        close = difflib.get_close_matches(field, _field_names(model), n=1)
        hint = f"did you mean '{close[0]}'?" if close else f"allowed here: {', '.join(_field_names(model))}"
        return f"unknown field '{field}'", hint
    if kind == "missing":
        return f"missing required field '{tags[-1] if tags else path[-1]}'", ""
    if "[key]" in tags:
        return f"'{path[-1]}' is not allowed here: {error['msg']}", ""
    return str(error["msg"]), ""


def _model_at(path: KeyPath) -> type[BaseModel] | None:
    """Which model describes the mapping at ``path`` (for did-you-mean suggestions)."""
    for shape, model in _SHAPES:
        if len(shape) == len(path) and all(s in ("*", p) for s, p in zip(shape, path, strict=True)):
            return model
    if len(path) >= 4 and path[0] == "apps" and path[2] == "config":
        return _BY_TAG.get(str(path[-1]))
    return None


def _data_path(loc: tuple[Any, ...], data: Any) -> tuple[KeyPath, KeyPath]:
    """Split a pydantic error location into the path inside the data and the union tags around it."""
    path: list[str | int] = []
    tags: list[str | int] = []
    node = data
    if len(loc) >= 5 and loc[0] == "apps" and loc[2] == "config" and loc[4] in _VALUE_TAGS:
        # A tagged union's tag sits between the var name and the field; it may also be a data key.
        tags.append(loc[4])
        loc = loc[:4] + loc[5:]
    for part in loc:
        if (isinstance(node, dict) and part in node) or (isinstance(node, list) and isinstance(part, int)
                                                         and part < len(node)):
            path.append(part)
            node = node[part]
        else:
            tags.append(part)
    return tuple(path), tuple(tags)


def _field_names(model: type[BaseModel]) -> list[str]:
    return [field.alias or name for name, field in model.model_fields.items()]
