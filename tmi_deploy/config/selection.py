"""Which environments a run plans: those a change touched (directly or through a partial they extend),
and one shard of them for a CI matrix. Pure: file contents and the list of changed paths are passed in.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterable

MAX_CHAIN = 64  # deeper than any real chain; a cycle or a runaway chain stops here (the loader reports it)


SECRET_FILE = re.compile(r"secret_file:\s*['\"]?([^'\"\s,}]+)")


def _normal(path: str) -> str:
    """How the loader reads a relative path: `./_base.yml` and `_base.yml` are one file."""
    return posixpath.normpath(path.replace("\\", "/"))


def extends_of(text: str) -> str | None:
    """The file an environment file extends, read without the full loader (a top-level `extends:` line)."""
    for line in text.splitlines():
        if line.startswith("extends:"):
            value = line.split(":", 1)[1].split("#", 1)[0].strip().strip("'\"")
            return _normal(value) if value else None
    return None


def secret_files_of(text: str) -> set[str]:
    return {_normal(path) for path in SECRET_FILE.findall(text)}


def chain(name: str, read: Callable[[str], str | None]) -> list[str]:
    """File names an environment is made of, itself first (``read`` gives a file's text, or None)."""
    files = [f"{name}.yml"]
    while len(files) < MAX_CHAIN:
        text = read(files[-1])
        parent = extends_of(text) if text is not None else None
        if parent is None or parent in files:
            break
        files.append(parent)
    return files


def parse_name_status(output: str) -> set[str]:
    """Paths in `git diff --name-status -M` output; a rename counts under its old and its new name."""
    paths: set[str] = set()
    for line in output.splitlines():
        parts = line.split("\t")
        if len(parts) >= 2:
            paths.update(part for part in parts[1:] if part)
    return paths


def affected(names: Iterable[str], read: Callable[[str], str | None], changed: set[str],
             folder: str) -> list[str]:
    """Environments whose own file or any file they extend is among ``changed`` (paths from the repository
    root; ``folder`` is the environments folder's path from there)."""
    prefix = folder.rstrip("/") + "/" if folder not in ("", ".") else ""
    return sorted(name for name in names if any(prefix + file in changed for file in files_of(name, read)))


def files_of(name: str, read: Callable[[str], str | None]) -> set[str]:
    """Every file under the environments folder an environment is made of: its chain and its secret files."""
    files = chain(name, read)
    return set(files) | {path for file in files for path in secret_files_of(read(file) or "")}


def shard(names: Iterable[str], index: int, count: int) -> list[str]:
    """Shard ``index`` (1-based) of ``count``: every environment in exactly one shard, stable by name."""
    if count < 1 or not 1 <= index <= count:
        raise ValueError(f"shard {index}/{count}: use I/N with 1 <= I <= N")
    return sorted(names)[index - 1::count]


def parse_shard(text: str) -> tuple[int, int]:
    index, sep, count = text.partition("/")
    if not sep or not index.strip().isdigit() or not count.strip().isdigit():
        raise ValueError(f"--shard takes I/N, e.g. 1/4 (got '{text}')")
    return int(index), int(count)


