"""Persistence of the emulated platform: one JSON state file, written atomically under a file lock.

Several processes may use one state file at once (two `--sandbox` applies, or `sandbox serve` and
`sandbox deploy`). Each request is a read-modify-write under an exclusive `fcntl.flock` on a lock file
beside the state, so no process overwrites what another wrote in between. The write itself goes to a
temporary file that replaces the state with `os.replace`: a crash leaves the old or the new state,
never half of one.
"""

from __future__ import annotations

import fcntl
import json
import os
import secrets
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tmi_deploy.errors import TmiDeployError

# How long `sandbox serve` keeps a new Postgres or Key-Value Store add-on in `provisioning`.
# Heroku takes from seconds to minutes; a few seconds keeps a manual run realistic and short.
DEFAULT_PROVISIONING_SECONDS = 3.0
REQUIRED_KEYS = ("seed", "counter", "account", "apps", "addons", "attachments", "stats")


class StateFileError(TmiDeployError):
    """The sandbox state file cannot be used (one line: which file, why, what to do)."""


def empty_state(seed: int = 0, provisioning_seconds: float = DEFAULT_PROVISIONING_SECONDS) -> dict[str, Any]:
    return {
        "seed": seed, "counter": 0,
        "account": {"id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"sandbox:account:{seed}")),
                    "email": "operator@example.com", "name": "Sandbox Operator"},
        "tokens": [],  # empty: any non-empty token is accepted
        "apps": {}, "addons": {}, "attachments": {},
        "provisioning_seconds": provisioning_seconds,
        "stats": {"requests": {}, "releases": {}},
    }


def _unusable(path: Path, why: str) -> StateFileError:
    return StateFileError(f"sandbox state {path}: {why}; run `tmi-deploy sandbox reset --state {path}` to start over")


def check_path(path: Path) -> None:
    if path.name in ("", ".", "..") or path.is_dir():
        raise StateFileError(f"sandbox state {path}: is a directory; give a file path such as sandbox.json")


def load_state(path: Path | None, seed: int = 0) -> dict[str, Any]:
    """The state in `path` (a fresh one when the file does not exist); a broken file is a StateFileError."""
    if path is None:
        return empty_state(seed)
    check_path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return empty_state(seed)
    except OSError as exc:
        raise StateFileError(f"sandbox state {path}: cannot read it ({exc.strerror})") from None
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise _unusable(path, "not JSON (empty, truncated or binary)") from None
    if not isinstance(data, dict) or any(key not in data for key in REQUIRED_KEYS):
        raise _unusable(path, "not a sandbox state")
    return data


def save_state(path: Path, state: dict[str, Any]) -> None:
    """Atomic: write a temp file beside the target, fsync, rename. A crash leaves old or new, never half."""
    check_path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    except OSError as exc:
        raise StateFileError(f"sandbox state {path}: cannot write it ({exc.strerror})") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(state, handle, sort_keys=True)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """Exclusive lock on `<state>.lock` (not the state itself: os.replace swaps that file's inode)."""
    check_path(path)
    lock_path = path.with_name(path.name + ".lock")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = lock_path.open("a")
    except OSError as exc:
        raise StateFileError(f"sandbox state {path}: cannot lock it ({exc.strerror})") from None
    with handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


@contextmanager
def transaction(path: Path, seed: int = 0) -> Iterator[dict[str, Any]]:
    """Read-modify-write of the state file under its lock; the state is saved when the block ends."""
    with file_lock(path):
        state = load_state(path, seed)
        yield state
        save_state(path, state)


class StateFile:
    """The state file as one process sees it: reloaded only when another process changed it."""

    def __init__(self, path: Path) -> None:
        check_path(path)
        self.path = path
        self._seen: tuple[int, int, int] | None = None

    def _signature(self) -> tuple[int, int, int] | None:
        try:
            info = self.path.stat()
        except FileNotFoundError:
            return None
        return info.st_ino, info.st_mtime_ns, info.st_size

    def refresh(self, state: dict[str, Any], seed: int) -> None:
        """Make `state` (in place: callers hold the dict) what the file holds, if it changed on disk."""
        signature = self._signature()
        if signature is None or signature == self._seen:
            return
        fresh = load_state(self.path, seed)
        state.clear()
        state.update(fresh)
        self._seen = signature

    def write(self, state: dict[str, Any]) -> None:
        save_state(self.path, state)
        self._seen = self._signature()


def sandbox_plan_key(state_path: Path) -> bytes:
    """This sandbox's random key for plan-file fingerprints, created on first use and kept in its state.

    A constant key would let anyone holding a plan file test a guessed secret offline; a key per
    sandbox (forgotten by `sandbox reset`) gives plan files made against it the same protection a
    Heroku token gives real ones.
    """
    with transaction(state_path) as state:
        key = state.get("plan_key")
        if not isinstance(key, str) or len(key) != 64 or any(c not in "0123456789abcdef" for c in key):
            key = state["plan_key"] = secrets.token_hex(32)
    return bytes.fromhex(key)


def now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
