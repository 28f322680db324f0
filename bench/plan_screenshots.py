"""How the markdown plan looks in a GitHub comment: a PNG per plan, and what lies out of view.

    python bench/plan_screenshots.py [--out DIR] [--before REV]

Renders the four plans of tests/review_plans.py (a new environment, a busy change with long names and
URLs, a deployment-guide-era migration, a plan apply refuses) like GitHub (markdown-it-py with GFM
tables, GitHub's stylesheet, an 860 px comment body), lays them out in headless Chromium and writes
DIR/NAME.png (default: a new temporary folder). Prints per plan: table cells, cells beyond the
comment's width, text runs behind a horizontal scrollbar, characters. ``--before REV`` also renders
with plan/render.py as it was at git revision REV (e.g. main) and writes DIR/NAME-before.png, for the
before and after picture. Needs chromium and github-markdown-css (bash .ci/run installs both).
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.github_view import missing, screenshot  # noqa: E402
from tests.review_plans import PLANS  # noqa: E402
from tmi_deploy.plan.model import Plan  # noqa: E402
from tmi_deploy.plan.render import render_markdown  # noqa: E402

Renderer = Callable[[Plan], str]


def renderer_at(revision: str, folder: Path) -> Renderer:
    """render_markdown from plan/render.py at ``revision``, loaded beside today's other modules."""
    source = subprocess.run(["git", "-C", str(ROOT), "show", f"{revision}:tmi_deploy/plan/render.py"],
                            capture_output=True, text=True, check=True).stdout
    path = folder / f"render_{revision.replace('/', '_')}.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    render: Renderer = module.render_markdown
    return render


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--before", default=None, help="a git revision whose renderer to compare with")
    args = parser.parse_args()
    if (reason := missing()) is not None:
        print(f"cannot lay out plans: {reason}", file=sys.stderr)
        return 1
    out = args.out or Path(tempfile.mkdtemp(prefix="tmi-deploy-plans-"))
    out.mkdir(parents=True, exist_ok=True)
    renderers: dict[str, Renderer] = {"": render_markdown}
    if args.before:
        renderers["-before"] = renderer_at(args.before, out)
    print(f"{'plan':<24} {'cells':>6} {'out of view':>11} {'hidden text':>11} {'chars':>7}  png")
    for name, make in sorted(PLANS.items()):
        result = make()
        for suffix, render in renderers.items():
            markdown = render(result)
            target = out / f"{name}{suffix}.png"
            seen = screenshot(markdown, target)
            print(f"{name + suffix:<24} {seen.cells:>6} {seen.cells_outside:>11} {len(seen.hidden_text):>11} "
                  f"{len(markdown):>7}  {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
