"""Escaping for each output format. Every string that comes from a file or from live state goes
through one of these before it reaches a terminal or a pull-request comment. Pure.

Why each rule: docs/rendering.md (CommonMark line endings and HTML blocks, GFM table pipes, code spans).
"""

from __future__ import annotations

import html
import json
import re

# C0 and C1 controls (ESC starts ANSI sequences; CR and LF end CommonMark lines), DEL, Unicode line
# and paragraph separators, bidirectional overrides that reorder what a reader sees, and the BOM.
UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
# Characters that open inline markup or a table cell boundary anywhere in a line (< > & become entities) ...
_INLINE_ACTIVE = re.compile(r"([\\`*_\[\]|~])")
# ... and the ones that open a block (heading, list, quote, setext underline) at the start of one.
_BLOCK_START = re.compile(r"^([#+=>-]|\d+(?=[.)]))")
ESCAPED_NOTE = " (escaped)"


def _code_point(match: re.Match[str]) -> str:
    char = match.group(0)
    return f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"


def visible(text: str) -> str:
    """One line of inert text: every unsafe character written as its escape (for labels, not values)."""
    return UNSAFE.sub(_code_point, text)


def quoted(text: str) -> str:
    """A value as an exact, reversible double-quoted literal (JSON string syntax, nothing unsafe left)."""
    return UNSAFE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", json.dumps(text, ensure_ascii=False))


def needs_escaped_form(text: str) -> bool:
    """Values a code span cannot show exactly: unsafe characters, empty, or edge whitespace."""
    return not text or bool(UNSAFE.search(text)) or text != text.strip()


def md_text(text: str, line_start: bool = False) -> str:
    """Plain markdown text: no markup, HTML, entity or table cell boundary can come from ``text``.

    ``line_start``: the text begins a line (a list item's content), where ``#``, ``-`` or ``1.`` open blocks.
    """
    inline = _INLINE_ACTIVE.sub(r"\\\1", html.escape(visible(text), quote=False))
    if not line_start:
        return inline
    return _BLOCK_START.sub(lambda m: m.group(0) + "\\" if m.group(0)[0].isdigit() else "\\" + m.group(0), inline)


def md_code(text: str, table: bool = True) -> str:
    """``text`` as a code span that renders to exactly ``text`` (in a GFM table cell unless ``table=False``).

    The fence is longer than any backtick run inside; a space pads a value starting or ending with a
    backtick (CommonMark strips one). In a table, pipes are escaped: the table unescapes them before the
    code span is read (outside a table the backslash would show). Values a code span cannot carry are
    shown as a quoted literal, marked escaped.
    """
    if needs_escaped_form(text):
        return md_code(quoted(text), table) + md_text(ESCAPED_NOTE)
    longest = max((len(run) for run in re.findall("`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text.replace('|', chr(92) + '|') if table else text}{pad}{fence}"


def html_text(text: str) -> str:
    """Text inside an HTML block (the <details> summaries)."""
    return html.escape(visible(text), quote=True)
