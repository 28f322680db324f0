"""One apply per environment at a time on one machine; a dead holder never leaves the lock stale."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tmi_deploy.apply.lock import EnvironmentLocked, environment_lock


def test_second_apply_of_the_same_environment_is_refused(cli: Any, tmp_path: Path) -> None:
    with environment_lock(tmp_path / ".tmi-deploy" / "locks", "staging"):
        refused = cli("--sandbox", "apply", "staging", "--yes")
        other = cli("--sandbox", "apply", "production", "--yes")
    assert refused.exit_code == 1 and "another apply of staging is running (pid " in refused.output
    assert "Traceback" not in refused.output
    assert other.exit_code == 0, other.output  # another environment is not held up
    assert cli("--sandbox", "apply", "staging", "--yes").exit_code == 0


def test_lock_dies_with_its_process(tmp_path: Path) -> None:
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; from pathlib import Path; from tmi_deploy.apply.lock import environment_lock\n"
        f"with environment_lock(Path({str(tmp_path)!r}), 'staging'):\n"
        "    print('held', flush=True); time.sleep(60)")], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(EnvironmentLocked), environment_lock(tmp_path, "staging"):
            pass
    finally:
        holder.kill()
        holder.wait()
        if holder.stdout is not None:
            holder.stdout.close()
    with environment_lock(tmp_path, "staging"):
        pass
