"""One writer per environment on this machine: an advisory lock held for the whole apply.

Two applies of one environment at once would both generate secrets and replace each other's (a
swapped encryption key makes data written under the first unreadable). On CI the workflow's
per-environment `concurrency` group is the guard across machines; this lock guards one machine.
The kernel releases the lock when the process dies, so a killed apply never leaves it stale.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tmi_deploy.errors import TmiDeployError


class EnvironmentLocked(TmiDeployError):
    pass


@contextmanager
def environment_lock(folder: Path, environment: str) -> Iterator[None]:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{environment}.lock"
    handle = path.open("a+", encoding="utf-8")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise EnvironmentLocked(f"another apply of {environment} is running ({holder}, lock {path}); "
                                    "wait for it to finish, then plan again") from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        yield
    finally:
        handle.close()
