"""GitHub Actions expressions (`${{ ... }}` and `if:`), enough of them to run our workflows' jobs as GitHub
would: contexts, property and index access, literals, ! == != < > && || with GitHub's value-returning
semantics, and the functions our workflows call. Unknown syntax raises, so a workflow cannot silently use
an expression these tests do not understand."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

TOKEN = re.compile(r"\s*(?:(?P<num>\d+(?:\.\d+)?)|(?P<str>'(?:[^']|'')*')|(?P<op>==|!=|<=|>=|&&|\|\||[!<>().,\[\]])"
                   r"|(?P<id>[A-Za-z_][A-Za-z0-9_-]*))")
TEMPLATE = re.compile(r"\$\{\{(.*?)\}\}", re.S)


def tokens(text: str) -> list[tuple[str, str]]:
    found, pos = [], 0
    while pos < len(text):
        if not text[pos:].strip():
            break
        match = TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise ValueError(f"cannot read expression at {text[pos:]!r}")
        kind = match.lastgroup or ""
        found.append((kind, match.group(kind)))
        pos = match.end()
    return found


def truthy(value: Any) -> bool:
    return value not in (None, False, 0, "", -0.0)


def loose_equal(a: Any, b: Any) -> bool:
    if isinstance(a, str) and isinstance(b, str):
        return a.lower() == b.lower()
    if type(a) is type(b):
        return bool(a == b)
    return bool(number(a) == number(b))


def number(value: Any) -> float:
    if value is None or value is False:
        return 0.0
    if value is True:
        return 1.0
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip() or 0)
        except ValueError:
            return float("nan")
    return float("nan")


def apply_comparison(op: str, left: Any, right: Any) -> bool:
    if op in ("==", "!="):
        return loose_equal(left, right) == (op == "==")
    a, b = number(left), number(right)
    return {"<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b}[op]


class Evaluator:
    def __init__(self, contexts: dict[str, Any], functions: dict[str, Callable[..., Any]]) -> None:
        self.contexts, self.functions = contexts, functions

    def evaluate(self, text: str) -> Any:
        self.toks, self.pos = tokens(text), 0
        value = self.or_()
        if self.pos != len(self.toks):
            raise ValueError(f"unexpected {self.toks[self.pos][1]!r} in {text!r}")
        return value

    def peek(self) -> str | None:
        return self.toks[self.pos][1] if self.pos < len(self.toks) else None

    def take(self, expected: str | None = None) -> tuple[str, str]:
        tok = self.toks[self.pos]
        if expected is not None and tok[1] != expected:
            raise ValueError(f"expected {expected!r}, got {tok[1]!r}")
        self.pos += 1
        return tok

    def or_(self) -> Any:
        value = self.and_()
        while self.peek() == "||":
            self.take()
            right = self.and_()
            value = value if truthy(value) else right
        return value

    def and_(self) -> Any:
        value = self.compare()
        while self.peek() == "&&":
            self.take()
            right = self.compare()
            value = right if truthy(value) else value
        return value

    def compare(self) -> Any:
        value = self.unary()
        while self.peek() in ("==", "!=", "<", ">", "<=", ">="):
            op = self.take()[1]
            right = self.unary()
            value = apply_comparison(op, value, right)
        return value

    def unary(self) -> Any:
        if self.peek() == "!":
            self.take()
            return not truthy(self.unary())
        return self.postfix(self.primary())

    def primary(self) -> Any:
        kind, text = self.take()
        if kind == "num":
            return float(text) if "." in text else int(text)
        if kind == "str":
            return text[1:-1].replace("''", "'")
        if text == "(":
            value = self.or_()
            self.take(")")
            return value
        if kind != "id":
            raise ValueError(f"unexpected {text!r}")
        if text in ("true", "false", "null"):
            return {"true": True, "false": False, "null": None}[text]
        if self.peek() == "(":
            return self.call(text)
        if text not in self.contexts:
            raise ValueError(f"unknown context {text!r}")
        return self.contexts[text]

    def call(self, name: str) -> Any:
        self.take("(")
        args = []
        while self.peek() != ")":
            args.append(self.or_())
            if self.peek() == ",":
                self.take()
        self.take(")")
        if name.lower() not in self.functions:
            raise ValueError(f"unknown function {name!r}")
        return self.functions[name.lower()](*args)

    def postfix(self, value: Any) -> Any:
        while self.peek() in (".", "["):
            if self.take()[1] == ".":
                key: Any = self.take()[1]
            else:
                key = self.or_()
                self.take("]")
            value = value.get(key) if isinstance(value, dict) else None
        return value


def functions(status: Callable[[], str], root: Path) -> dict[str, Callable[..., Any]]:
    def hash_files(*patterns: str) -> str:
        files = sorted(p for pattern in patterns for p in root.glob(pattern) if p.is_file())
        return hashlib.sha256(b"".join(p.read_bytes() for p in files)).hexdigest() if files else ""

    return {
        "success": lambda: status() == "success", "failure": lambda: status() == "failure",
        "always": lambda: True, "cancelled": lambda: False, "hashfiles": hash_files,
        "fromjson": lambda text: json.loads(text), "tojson": lambda value: json.dumps(value),
        "format": lambda fmt, *args: re.sub(r"\{(\d+)\}", lambda m: str(args[int(m.group(1))]), fmt),
        "contains": lambda hay, needle: (needle in hay) if isinstance(hay, list)
        else str(needle).lower() in str(hay).lower(),
        "startswith": lambda text, prefix: str(text).lower().startswith(str(prefix).lower()),
    }


def as_string(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def interpolate(evaluator: Evaluator, text: Any) -> Any:
    """A workflow value: a string that is exactly one `${{ }}` keeps its type (fromJSON matrices)."""
    if not isinstance(text, str):
        return text
    whole = TEMPLATE.fullmatch(text.strip())
    if whole:
        return evaluator.evaluate(whole.group(1))
    return TEMPLATE.sub(lambda m: as_string(evaluator.evaluate(m.group(1))), text)


def condition(evaluator: Evaluator, text: Any) -> bool:
    """An `if:`: a bare expression, or one in `${{ }}`; with no status function, success() is implied."""
    if text is None:
        return truthy(evaluator.evaluate("success()"))
    if isinstance(text, bool):
        return text
    source = str(text).strip()
    whole = TEMPLATE.fullmatch(source)
    source = whole.group(1) if whole else source
    if not re.search(r"\b(success|failure|always|cancelled)\(", source):
        source = f"success() && ({source})"
    return truthy(evaluator.evaluate(source))
