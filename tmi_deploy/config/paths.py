"""Where environment files live, how their paths are shown, and which paths they may name.

Positions are shown relative to the project root (the environments directory's parent), so the same
file reads the same from any working directory. Paths written in a file (``extends``,
``secret_file``) must stay inside the environments directory: a pull request that writes
``{secret_file: /etc/passwd}`` would otherwise upload that file. ``allow_outside_paths`` (the CLI's
``--allow-outside-paths``) lifts the rule for those who keep secrets elsewhere on purpose.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class LoadContext:
    env_dir: Path
    project_root: Path
    allow_outside_paths: bool = False
    # Parsed files of this load, by resolved path: a partial extended by 100 environments is parsed once.
    parsed: dict[Path, Any] = field(default_factory=dict, compare=False, repr=False)

    def read_once(self, path: Path, shown: str, read: Any) -> Any:
        """``read(path, shown)`` the first time; later a deep copy (callers merge into what they get)."""
        key = path.resolve()
        if key not in self.parsed:
            self.parsed[key] = read(path, shown)
        return _copy_document(self.parsed[key])

    @staticmethod
    def create(env_dir: Path, project_root: Path | None = None, allow_outside_paths: bool = False) -> LoadContext:
        root = project_root if project_root is not None else env_dir.resolve().parent
        return LoadContext(env_dir=env_dir, project_root=root, allow_outside_paths=allow_outside_paths)

    def display(self, path: Path) -> str:
        return display_path(path, self.project_root)

    def confined(self, path: Path) -> bool:
        """Whether ``path`` (symlinks followed) is inside the environments directory, or may be anyway."""
        return self.allow_outside_paths or is_inside(path, self.env_dir)


def _copy_document(found: Any) -> Any:
    """A copy of ``read``'s answer whose mappings and lists are new (YAML scalars are immutable): five
    times cheaper than copy.deepcopy, which a partial extended by 100 environments paid 100 times."""
    doc, problems = found
    if doc is None:
        return found
    return type(doc)(_copy_tree(doc.data), dict(doc.locs), doc.file), problems


def _copy_tree(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _copy_tree(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copy_tree(item) for item in value]
    return value


def is_inside(path: Path, folder: Path) -> bool:
    return path.resolve().is_relative_to(folder.resolve())


def display_path(path: Path, project_root: Path) -> str:
    """``path`` relative to the project root, whatever the current directory; absolute if outside it."""
    absolute = path if path.is_absolute() else Path.cwd() / path
    try:
        return absolute.resolve().relative_to(project_root.resolve()).as_posix()
    except ValueError:
        return absolute.resolve().as_posix()


OUTSIDE_HINT = "keep it inside the environments directory, or pass --allow-outside-paths if you mean it"
