"""`plan --changed-since REF --shard I/N`: the git and file reading behind tmi_deploy.config.selection."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tmi_deploy.config.selection import affected, parse_name_status, parse_shard, shard
from tmi_deploy.errors import TmiDeployError


def _git(folder: Path, *args: str) -> str:
    try:
        done = subprocess.run(["git", *args], cwd=folder, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise TmiDeployError(f"--changed-since needs git: {exc.__class__.__name__}") from None
    if done.returncode != 0:
        first = (done.stderr.strip().splitlines() or ["failed"])[0][:200]
        raise TmiDeployError(f"git {' '.join(args[:2])} failed: {first}")
    return done.stdout


def changed_paths(env_dir: Path, ref: str) -> tuple[set[str], str]:
    """Paths changed since ``ref`` (committed, staged, unstaged and untracked), and the environments
    folder's path from the repository root."""
    if ref.startswith("-") or not ref.strip() or any(ord(c) < 32 for c in ref):
        # git would read "--output=FILE" as an option: a ref is never one.
        raise TmiDeployError("--changed-since takes a git revision (a branch, tag or commit), not an option")
    folder = env_dir.resolve()
    root = Path(_git(folder, "rev-parse", "--show-toplevel").strip())
    paths = parse_name_status(_git(root, "diff", "--name-status", "-M", ref, "--"))
    paths |= set(_git(root, "ls-files", "--others", "--exclude-standard").splitlines())
    return paths, folder.relative_to(root).as_posix()


def select(env_dir: Path, names: list[str], changed_since: str | None, shard_spec: str | None) -> list[str]:
    def read(file: str) -> str | None:
        try:
            return (env_dir / file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None

    chosen = names or sorted(p.stem for p in env_dir.glob("*.yml") if not p.name.startswith("_"))
    if changed_since is not None:
        paths, folder = changed_paths(env_dir, changed_since)
        chosen = affected(chosen, read, paths, folder)
    if shard_spec is not None:
        try:
            chosen = shard(chosen, *parse_shard(shard_spec))
        except ValueError as exc:
            raise TmiDeployError(str(exc)) from None
    return chosen
