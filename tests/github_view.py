"""The markdown plan as a reviewer sees it on GitHub: rendered like GitHub (CommonMark + GFM with
markdown-it-py, GitHub's stylesheet ``github-markdown-css``) at a comment body's width, laid out by a
real headless Chromium, and measured there.

Used by tests/test_render_browser.py and bench/plan_screenshots.py. Needs Debian's ``chromium`` and
the npm package ``github-markdown-css`` (both installed by .ci/run); ``missing()`` says what is absent.
"""

from __future__ import annotations

import base64
import html
import json
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from markdown_it import MarkdownIt

ROOT = Path(__file__).resolve().parent.parent
STYLESHEET = ROOT / ".ci" / "web" / "node_modules" / "github-markdown-css" / "github-markdown-light.css"
COMMENT_WIDTH = 860  # px: the body of a pull-request comment in GitHub's web page
GFM = MarkdownIt("commonmark").enable(["table", "strikethrough"])  # commonmark keeps HTML (<details>) on

# Runs in the page after layout: every table cell and every text run, and whether it lies inside the
# comment body (a cell or text beyond its right edge is behind a horizontal scrollbar).
MEASURE = r"""
const measure = article => {
  const body = article.getBoundingClientRect();
  const inside = r => r.width === 0 || (r.left >= body.left - 0.5 && r.right <= body.right + 0.5);
  const cells = [...article.querySelectorAll('td, th')].map(c => inside(c.getBoundingClientRect()));
  const visible = [], hidden = [];
  const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const range = document.createRange(); range.selectNodeContents(node);
    (([...range.getClientRects()]).every(inside) ? visible : hidden).push(node.textContent);
  }
  return {cells, visible, hidden, height: Math.ceil(body.height)};
};
const result = JSON.stringify([...document.querySelectorAll('.markdown-body')].map(measure));
document.body.setAttribute('data-result', btoa(unescape(encodeURIComponent(result))));
"""


@dataclass(frozen=True)
class View:
    cells: int  # table cells in the comment
    cells_outside: int  # of which lie (partly) beyond the body's width
    visible_text: str  # every text run entirely inside the body, joined
    hidden_text: list[str]  # text runs (partly) outside it
    height: int  # px, for a screenshot of the whole comment


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def missing() -> str | None:
    """Why the browser view cannot be made here, or None."""
    if chromium() is None:
        return "no chromium on PATH (Debian: apt-get install chromium; .ci/run installs it)"
    if not STYLESHEET.exists():
        return f"no GitHub stylesheet at {STYLESHEET.relative_to(ROOT)} (.ci/run: npm install github-markdown-css)"
    return None


def page(markdowns: list[str], script: bool = True) -> str:
    """A GitHub-like page: each comment body is an 860 px ``.markdown-body`` with GitHub's stylesheet."""
    measure = f"<script>{MEASURE}</script>" if script else ""
    bodies = "".join(f"<article class='markdown-body'>{GFM.render(markdown)}</article>" for markdown in markdowns)
    return (f"<!doctype html><html><head><meta charset='utf-8'><style>{STYLESHEET.read_text()}\n"
            f"body {{ margin: 16px; background: #fff; }} .markdown-body {{ width: {COMMENT_WIDTH}px; "
            f"margin-bottom: 48px; }}</style></head><body>{bodies}{measure}</body></html>")


def _run(args: list[str], document: str) -> subprocess.CompletedProcess[str]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "plan.html"
        path.write_text(document)
        command = [str(chromium()), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                   f"--user-data-dir={folder}/profile", *args, path.as_uri()]
        return subprocess.run(command, capture_output=True, text=True, timeout=120, check=True, cwd=folder)


def views(markdowns: list[str]) -> list[View]:
    """Lay each comment out in Chromium (one browser run for all) and measure it."""
    dumped = _run(["--dump-dom"], page(markdowns)).stdout
    found = re.search(r'data-result="([^"]+)"', dumped)
    assert found, "the measuring script did not run in Chromium"
    return [View(cells=len(r["cells"]), cells_outside=r["cells"].count(False), visible_text="\n".join(r["visible"]),
                 hidden_text=r["hidden"], height=r["height"])
            for r in json.loads(base64.b64decode(html.unescape(found.group(1))).decode())]


def view(markdown: str) -> View:
    return views([markdown])[0]


def screenshot(markdown: str, target: Path) -> View:
    """A PNG of the whole comment as GitHub would show it (for a person to look at)."""
    measured = view(markdown)
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "shot.png"
        _run([f"--screenshot={out}", f"--window-size={COMMENT_WIDTH + 32},{measured.height + 32}"],
             page([markdown], script=False))
        shutil.copyfile(out, target)
    return measured
