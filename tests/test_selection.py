"""Only what changed: a changed partial selects every environment that extends it (however deep), a
renamed file counts under both names, and shards cover every environment exactly once."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tmi_deploy.config.selection import affected, chain, parse_name_status, shard

FILES = {
    "_base.yml": "tmi_version: 1.8.22\n",
    "_eu.yml": "extends: _base.yml  # EU defaults\n",
    "prod-eu.yml": "extends: '_eu.yml'\n",
    "staging.yml": "extends: _base.yml\n",
    "solo.yml": "tmi_version: 1.8.22\n",
    "loop.yml": "extends: loop.yml\n",
}
NAMES = ["loop", "prod-eu", "solo", "staging"]


def test_chain_follows_extends_and_stops_on_a_cycle() -> None:
    assert chain("prod-eu", FILES.get) == ["prod-eu.yml", "_eu.yml", "_base.yml"]
    assert chain("loop", FILES.get) == ["loop.yml"]
    assert chain("missing", FILES.get) == ["missing.yml"]


@pytest.mark.parametrize(("changed", "expected"), [
    ({"environments/_base.yml"}, ["prod-eu", "staging"]),
    ({"environments/_eu.yml"}, ["prod-eu"]),
    ({"environments/solo.yml", "README.md"}, ["solo"]),
    ({"tmi_deploy/cli/app.py"}, []),
])
def test_a_changed_partial_selects_its_extenders(changed: set[str], expected: list[str]) -> None:
    assert affected(NAMES, FILES.get, changed, "environments") == expected


def test_a_renamed_file_counts_under_both_names(tmp_path: Path) -> None:
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True, text=True).stdout

    git("init", "-q")
    (tmp_path / "environments").mkdir()
    (tmp_path / "environments" / "_old.yml").write_text("tmi_version: 1.8.22\n" + "x: 1\n" * 20)
    git("add", ".")
    git("-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-qm", "base")
    git("mv", "environments/_old.yml", "environments/_new.yml")
    changed = parse_name_status(git("diff", "--name-status", "-M", "HEAD", "--cached"))
    assert changed == {"environments/_old.yml", "environments/_new.yml"}
    files: dict[str, Any] = {"a.yml": "extends: _new.yml\n", "_new.yml": ""}
    assert affected(["a"], files.get, changed, "environments") == ["a"]


def test_shards_cover_every_environment_exactly_once() -> None:
    names = [f"env{i:03d}" for i in range(101)]
    shards = [shard(names, i, 4) for i in range(1, 5)]
    assert sorted(n for part in shards for n in part) == sorted(names)
    assert max(map(len, shards)) - min(map(len, shards)) <= 1
    with pytest.raises(ValueError, match="1 <= I <= N"):
        shard(names, 5, 4)


def test_plan_changed_since_plans_only_what_changed(cli: Any, tmp_path: Path) -> None:
    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)

    git("init", "-q")
    git("add", ".")
    git("-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-qm", "base")
    nothing = cli("--sandbox", "plan", "--changed-since", "HEAD")
    assert nothing.exit_code == 0 and "No environment to plan (nothing changed since HEAD)" in nothing.output
    staging = tmp_path / "environments" / "staging.yml"
    staging.write_text(staging.read_text() + "\n")
    one = cli("--sandbox", "plan", "--changed-since", "HEAD", "--format", "json")
    assert one.exit_code == 0, one.output
    assert [e["environment"] for e in json.loads(one.stdout)["environments"]] == ["staging"]
    base = tmp_path / "environments" / "_base.yml"
    base.write_text(base.read_text() + "\n")
    both = cli("--sandbox", "plan", "--changed-since", "HEAD", "--shard", "2/2", "--format", "json")
    assert [e["environment"] for e in json.loads(both.stdout)["environments"]] == ["staging"]
    bad = cli("--sandbox", "plan", "--changed-since", "no-such-ref")
    assert bad.exit_code == 1 and "git diff --name-status failed" in bad.output and "Traceback" not in bad.output


def test_a_ref_that_looks_like_an_option_is_refused(cli: Any, tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    target = tmp_path / "written-by-git"
    result = cli("--sandbox", "plan", "--changed-since", f"--output={target}")
    assert result.exit_code == 1 and "not an option" in result.output
    assert not target.exists()


def test_extends_written_with_a_dot_and_secret_files_count() -> None:
    files = {"a.yml": "extends: ./_base.yml\napps:\n  server:\n    config:\n      K: {secret_file: 'secrets/k'}\n",
             "_base.yml": ""}
    assert affected(["a"], files.get, {"environments/_base.yml"}, "environments") == ["a"]
    assert affected(["a"], files.get, {"environments/secrets/k"}, "environments") == ["a"]
