"""Safe YAML with positions: every value keeps the file:line:column it was written at.

Scalars stay text exactly as written (``no``, ``0o17`` and ``3.10`` are strings, never booleans or
numbers); only an explicit null becomes ``None``. Duplicate keys are errors. Hostile files fail with a
position instead of a traceback: alias expansion is bounded (a "billion laughs" file fails fast),
nesting is bounded while composing (PyYAML's composer recurses once per level, so a few hundred
nested brackets would exhaust Python's stack), file size is bounded, and NUL is refused (a process
environment cannot hold it).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tmi_deploy.errors import Problem

# Generous for hand-written files, far below what an alias bomb expands to.
MAX_NODES = 20_000
# An environment file nests about 6 levels (apps.server.config.VAR.field); 50 is generous.
MAX_DEPTH = 50
# The shipped environment files are a few kB; a megabyte is no hand-written declaration.
MAX_FILE_BYTES = 1024 * 1024

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


class _TooDeep(Exception):
    def __init__(self, mark: yaml.Mark) -> None:
        super().__init__("too deep")
        self.mark = mark


class _BoundedLoader(yaml.SafeLoader):
    """SafeLoader whose composer refuses nesting beyond MAX_DEPTH before Python's stack runs out."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _TooDeep(self.peek_event().start_mark)  # type: ignore[no-untyped-call]
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _too_deep(file: str, line: int, column: int, path: KeyPath = ()) -> Problem:
    where = dotted(path[:6]) + (" ..." if len(path) > 6 else "")
    return Problem(file, line, column, where, f"values nest more than {MAX_DEPTH} levels deep",
                   "an environment file nests a few levels (apps.server.config.NAME); flatten the value")


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
        if self.count > MAX_NODES:
            self.fail(node, path[:6], f"document expands to more than {MAX_NODES} values (alias bomb?)",
                      "remove the aliases; environments use 'extends' to share values")
            raise _Abort
        if len(path) > MAX_DEPTH:  # aliases can nest deeper than the text does
            loc = self.mark(node)
            self.problems.append(_too_deep(loc.file, loc.line, loc.column, path))
            raise _Abort
        self.locs[path] = self.mark(node)
        if isinstance(node, yaml.ScalarNode):
            if node.tag == "tag:yaml.org,2002:null":
                return None
            if "\0" in node.value:
                self.fail(node, path, "NUL character in a value", "remove it; Heroku config vars cannot hold NUL")
                return ""
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
                if "\0" in key:
                    self.fail(key_node, path, "NUL character in a key", "remove it")
                    continue
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
        node = _BoundedLoader(text).get_single_node()
    except _TooDeep as exc:
        return None, [_too_deep(file, exc.mark.line + 1, exc.mark.column + 1)]
    except yaml.reader.ReaderError as exc:
        line, column = _line_column(text, exc.position)
        return None, [Problem(file, line, column, "", f"invalid YAML: character {_codepoint(exc.character)} is not allowed",
                              "remove control characters; write them escaped in a double-quoted string")]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        reason = exc.problem or exc.context or "invalid YAML"
        return None, [Problem(file, line, col, "", f"invalid YAML: {reason}")]
    except yaml.YAMLError as exc:
        return None, [Problem(file, 1, 1, "", f"invalid YAML: {exc.__class__.__name__}")]
    if node is None:
        return Document({}, {}, file), []
    converter = _Converter(file)
    try:
        data = converter.convert(node, ())
    except _Abort:
        return None, converter.problems
    return Document(data, converter.locs, file), converter.problems


def _codepoint(character: str | int) -> str:
    return f"U+{character if isinstance(character, int) else ord(character):04X}"


def _line_column(text: str, position: int) -> tuple[int, int]:
    before = text[:position]
    return before.count("\n") + 1, position - (before.rfind("\n") + 1) + 1


def read_yaml(path: Path, display: str) -> tuple[Document | None, list[Problem]]:
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        return None, [Problem(display, 1, 1, "", "file not found")]
    except OSError as exc:
        return None, [Problem(display, 1, 1, "", f"cannot read file: {exc.strerror or exc.__class__.__name__}")]
    if len(raw) > MAX_FILE_BYTES:
        return None, [Problem(display, 1, 1, "", f"file is larger than {MAX_FILE_BYTES // 1024} KiB",
                              "an environment file is a short declaration; split it or remove the bulk")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[:exc.start].decode("utf-8", "replace")
        line, column = _line_column(before, len(before))
        return None, [Problem(display, line, column, "", "file is not UTF-8 text", "save it as UTF-8")]
    return parse_yaml(text, display)
