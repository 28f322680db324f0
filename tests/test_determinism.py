"""Plans render to the same bytes in every process.

Two renders inside one process agree even when the code iterates a set or a dict built from one:
str hashes, and so set order, are fixed for the life of a process. Only separate interpreters with
different PYTHONHASHSEED values expose hash-order iteration, so each process here plans the same
scenarios against its own sandbox (ids and credentials come from a seeded counter) and prints every
rendering; the test compares the bytes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.conftest import ROOT

# Runs in each child: scenarios that together produce every change kind, action, warning and app
# summary the planner knows, rendered in every format.
CHILD = """
import json, sys
from tests.conftest import make_sandbox
from tests.harness import apply, deploy, load, plan
from tmi_deploy.plan.model import Plan
from tmi_deploy.plan.render import render_json, render_markdown, render_text

SECRETS = {"SCN_GITHUB_SECRET": "gh-secret-value-1", "SCN_DATABASE_URL": "postgres://u:p@h:5432/d?sslmode=require"}
fresh = make_sandbox()
applied = make_sandbox()
apply(applied, load("main"), SECRETS)
deploy(applied, "tmi-scn-server", "tmi-scn-client")
apply(applied, load("main"), SECRETS)
server = applied.platform.find_app("tmi-scn-server")
applied.platform.patch_config(server, {"LEGACY_VAR": "old", "POSTGRES_PASSWORD": "pw", "ZED": "z", "ALPHA": "a"})
plans = {"new": plan(fresh, load("main"), SECRETS)}
for name in ("updates", "prune", "replace"):
    plans[name] = plan(applied, load(name), SECRETS)
plans["together"] = Plan(environments=tuple(e for p in plans.values() for e in p.environments))
out = {}
for name, result in plans.items():
    out[name + ".txt"] = render_text(result)
    out[name + ".ansi"] = render_text(result, color=True)
    out[name + ".md"] = render_markdown(result, "`plan.json`")
    out[name + ".json"] = render_json(result)
json.dump(out, sys.stdout)
"""

HASH_SEEDS = ("1", "2", "3")  # three orders of every str set: two could coincide for a small set


def renders_with_hash_seed(seed: str) -> dict[str, str]:
    environ = {**os.environ, "PYTHONHASHSEED": seed}
    result = subprocess.run([sys.executable, "-c", CHILD], cwd=ROOT, env=environ, capture_output=True, text=True,
                            timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    renders: dict[str, str] = json.loads(result.stdout)
    return renders


def test_plans_render_byte_identical_across_processes_and_hash_seeds() -> None:
    first, *others = (renders_with_hash_seed(seed) for seed in HASH_SEEDS)
    assert len(first) == 5 * 4
    assert all(first[f"{name}.json"].count('"action"') >= 3 for name in ("new", "updates", "prune", "replace"))
    for seed, other in zip(HASH_SEEDS[1:], others, strict=True):
        differing = [name for name in first if first[name] != other[name]]
        assert not differing, f"PYTHONHASHSEED={HASH_SEEDS[0]} and ={seed} render {differing} differently"
