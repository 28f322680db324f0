"""`extends` chains and the overlay merge: mappings merge, lists and single values replace, null removes.

The chain is walked in a loop, not by recursion, and bounded (MAX_EXTENDS_DEPTH): a chain of a
thousand files is an error at the `extends` that goes one too far, never a RecursionError.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tmi_deploy.config.limits import MAX_EXTENDS_DEPTH
from tmi_deploy.config.paths import OUTSIDE_HINT, LoadContext
from tmi_deploy.config.yamlsrc import Document, KeyPath, Loc, read_yaml
from tmi_deploy.errors import Problem


def load_with_bases(ctx: LoadContext, path: Path) -> tuple[Document | None, list[Problem]]:
    """The file at ``path`` overlaid on every base it extends, or the problems that prevent it."""
    docs: list[Document] = []
    chain: list[Path] = []
    current: Path | None = path
    while current is not None:
        display = ctx.display(current)
        if not ctx.confined(current):  # a symlink in the folder must not make tmi-deploy read (and quote) any file
            return None, [Problem(display, 1, 1, "", "the file links outside the environments directory", OUTSIDE_HINT)]
        doc, problems = ctx.read_once(current, display, read_yaml)
        if doc is None or problems:
            return None, problems
        if not isinstance(doc.data, dict):
            return None, [Problem(display, 1, 1, "", "an environment file is a mapping (key: value)")]
        chain.append(current.resolve())
        docs.append(doc)
        current, problem = _base_of(ctx, doc, current, chain)
        if problem is not None:
            return None, [problem]
    merged = docs[-1]
    for top in reversed(docs[:-1]):
        merged = overlay(merged, top)
    return merged, []


def _base_of(ctx: LoadContext, doc: Document, path: Path, chain: list[Path]) -> tuple[Path | None, Problem | None]:
    """The file ``doc`` extends (None at the end of the chain), or why it may not be read."""
    base_name = doc.data.get("extends")
    if base_name is None:
        return None, None
    loc = doc.loc(("extends",))

    def refuse(message: str, hint: str = "") -> tuple[None, Problem]:
        return None, Problem(loc.file, loc.line, loc.column, "extends", message, hint)

    if not isinstance(base_name, str) or not base_name:
        return refuse("extends names one file", "e.g. extends: _base.yml")
    if len(chain) > MAX_EXTENDS_DEPTH:
        return refuse(f"extends chain is longer than {MAX_EXTENDS_DEPTH} files",
                      "extend one shared base; a base may extend another, but not without end")
    base_path = path.parent / base_name
    if not ctx.confined(base_path):
        return refuse("extends names a file outside the environments directory", OUTSIDE_HINT)
    if base_path.resolve() in chain:
        names = " -> ".join(ctx.display(p) for p in [*chain, base_path.resolve()])
        return refuse(f"circular extends: {names}")
    if not base_path.is_file():
        return refuse(f"base file '{base_name}' not found", "extends is a path relative to this file, e.g. _base.yml")
    return base_path, None


def overlay(base: Document, top: Document) -> Document:
    locs = dict(base.locs)
    data = _merge(base.data, top.data, (), locs, top.locs)
    data.pop("extends", None)
    return Document(data, locs, top.file)


def _replaces_whole(path: KeyPath) -> bool:
    """A config value or add-on spec is one value: an overlay replaces it, never merges into it."""
    return len(path) == 4 and path[0] == "apps" and path[2] in ("config", "addons")


def _merge(base: Any, top: Any, path: KeyPath, locs: dict[KeyPath, Loc], top_locs: dict[KeyPath, Loc]) -> Any:
    if isinstance(base, dict) and isinstance(top, dict) and not _replaces_whole(path):
        merged = dict(base)
        for key, value in top.items():
            child = (*path, key)
            if value is None and key in merged and path and path[-1] != "policy":
                # An explicit null in an overlay removes what the base declared.
                del merged[key]
                _drop_locs(child, locs)
                continue
            if key in merged:
                merged[key] = _merge(merged[key], value, child, locs, top_locs)
            else:
                merged[key] = value
                _copy_locs(child, locs, top_locs)
            locs[child] = top_locs.get(child, locs.get(child, Loc("", 1, 1)))
        return merged
    _drop_locs(path, locs)
    _copy_locs(path, locs, top_locs)
    return top


def _drop_locs(prefix: KeyPath, locs: dict[KeyPath, Loc]) -> None:
    for known in [k for k in locs if k[: len(prefix)] == prefix]:
        del locs[known]


def _copy_locs(prefix: KeyPath, locs: dict[KeyPath, Loc], source: dict[KeyPath, Loc]) -> None:
    for key, loc in source.items():
        if key[: len(prefix)] == prefix:
            locs[key] = loc
