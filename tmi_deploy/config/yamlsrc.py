"""Safe YAML with positions: every value keeps the file:line:column it was written at.

Scalars stay text exactly as written (``no``, ``0o17`` and ``3.10`` are strings, never booleans or
numbers); only an explicit null becomes ``None``. Duplicate keys are errors, and alias expansion is
bounded so a "billion laughs" file fails fast instead of eating memory.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tmi_deploy.errors import Problem

# Generous for hand-written files, far below what an alias bomb expands to.
MAX_NODES = 20_000
MAX_DEPTH = 50

KeyPath = tuple[str | int, ...]


@dataclass(frozen=True)
class Loc:
    file: str
    line: int
    column: int


@dataclass(frozen=True)
class Document:
    data: Any
    locs: dict[KeyPath, Loc]
    file: str

    def loc(self, path: KeyPath) -> Loc:
        """The position of ``path`` or of its nearest ancestor that has one."""
        for end in range(len(path), -1, -1):
            found = self.locs.get(path[:end])
            if found is not None:
                return found
        return Loc(self.file, 1, 1)


class _Abort(Exception):
    pass


class _Converter:
    def __init__(self, file: str) -> None:
        self.file = file
        self.locs: dict[KeyPath, Loc] = {}
        self.problems: list[Problem] = []
        self.count = 0

    def mark(self, node: yaml.Node) -> Loc:
        return Loc(self.file, node.start_mark.line + 1, node.start_mark.column + 1)

    def fail(self, node: yaml.Node, path: KeyPath, message: str, hint: str = "") -> None:
        loc = self.mark(node)
        self.problems.append(Problem(loc.file, loc.line, loc.column, dotted(path), message, hint))

    def convert(self, node: yaml.Node, path: KeyPath) -> Any:
        self.count += 1
        if self.count > MAX_NODES or len(path) > MAX_DEPTH:
            self.fail(node, path, f"document expands to more than {MAX_NODES} values (alias bomb?)",
                      "remove the aliases; environments use 'extends' to share values")
            raise _Abort
        self.locs[path] = self.mark(node)
        if isinstance(node, yaml.ScalarNode):
            if node.tag == "tag:yaml.org,2002:null":
                return None
            return node.value
        if isinstance(node, yaml.SequenceNode):
            return [self.convert(item, (*path, i)) for i, item in enumerate(node.value)]
        if isinstance(node, yaml.MappingNode):
            result: dict[str, Any] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    self.fail(key_node, path, "mapping keys must be plain text")
                    continue
                key = key_node.value
                if key == "<<":
                    self.fail(key_node, path, "YAML merge keys ('<<') are not supported",
                              "put shared values in the base file and use 'extends'")
                    continue
                if key in result:
                    first = self.locs[(*path, key)]
                    self.fail(key_node, (*path, key),
                              f"duplicate key '{key}' (first defined at line {first.line})",
                              "keep one of the two entries")
                    continue
                self.locs[(*path, key)] = self.mark(key_node)
                result[key] = self.convert(value_node, (*path, key))
                self.locs[(*path, key)] = self.mark(key_node)
            return result
        self.fail(node, path, "unsupported YAML node")  # pragma: no cover - yaml has three kinds
        return None


def dotted(path: KeyPath) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def parse_yaml(text: str, file: str) -> tuple[Document | None, list[Problem]]:
    """Parse one YAML document; never raises for bad input, returns problems instead."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        reason = exc.problem or exc.context or "invalid YAML"
        return None, [Problem(file, line, col, "", f"invalid YAML: {reason}")]
    except yaml.YAMLError as exc:
        return None, [Problem(file, 1, 1, "", f"invalid YAML: {exc}")]
    if node is None:
        return Document({}, {}, file), []
    converter = _Converter(file)
    try:
        data = converter.convert(node, ())
    except _Abort:
        return None, converter.problems
    except RecursionError:
        return None, [Problem(file, 1, 1, "", "document nests too deeply (recursive alias?)")]
    return Document(data, converter.locs, file), converter.problems


def read_yaml(path: Path, display: str) -> tuple[Document | None, list[Problem]]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, [Problem(display, 1, 1, "", "file not found")]
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Problem(display, 1, 1, "", f"cannot read file: {exc.__class__.__name__}")]
    return parse_yaml(text, display)
