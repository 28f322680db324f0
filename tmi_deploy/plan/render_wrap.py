"""Fitting the text plan to a terminal's width (pure: the CLI passes the width in).

A line is a sequence of pieces. Prose breaks between words; a value is one piece, moved whole to the
next line when it does not fit, and cut only when it is longer than a whole line (nothing else can
show it). Continuation lines are indented under the text they continue, so they cannot read as a new
change. Widths count characters: every string here has been made printable by plan/escape.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

MIN_TEXT = 20  # a continuation keeps at least this many columns, however deep its indent
Paint = Callable[[str, str], str]  # (colour name or "", text) -> text


@dataclass(frozen=True)
class Piece:
    text: str
    sep: str = " "  # written before the piece unless it starts a line
    atomic: bool = False  # a value: never split between words
    paint: str = ""


def words(text: str, sep: str = " ", paint: str = "") -> list[Piece]:
    """Prose as pieces that may break at each space (runs of spaces are kept as one piece's separator)."""
    pieces: list[Piece] = []
    pending = sep
    for word in text.split(" "):
        if word:
            pieces.append(Piece(word, pending, paint=paint))
            pending = " "
        else:
            pending += " "
    return pieces


def _no_paint(_name: str, text: str) -> str:
    return text


def wrap(pieces: list[Piece], width: int, indent: str, hang: str, paint: Paint = _no_paint) -> list[str]:
    """The pieces after ``indent``, broken into lines of at most ``width`` characters; continuation
    lines start with ``hang``."""
    hang = hang[: max(0, width - MIN_TEXT)]
    lines: list[str] = []
    line, column, fresh = indent, len(indent), True
    for piece in pieces:
        if not fresh and column + len(piece.sep) + len(piece.text) > width:
            lines.append(line.rstrip(" "))  # a padded label ends where the line breaks
            line, column, fresh = hang, len(hang), True
        if fresh and column + len(piece.text) > width:
            room = max(width - column, MIN_TEXT)
            chunks = [piece.text[i:i + room] for i in range(0, len(piece.text), room)]
            for chunk in chunks[:-1]:
                lines.append(line + paint(piece.paint, chunk))
                line, column = hang, len(hang)
            line, column, fresh = line + paint(piece.paint, chunks[-1]), column + len(chunks[-1]), False
            continue
        text = piece.text if fresh else piece.sep + piece.text
        line, column, fresh = line + (paint(piece.paint, text) if piece.paint else text), column + len(text), False
    lines.append(line)
    return lines


def fit(line: str, width: int, hang: int = 4) -> list[str]:
    """A line of prose (a blocker, a warning, a summary): unchanged when it fits, else broken between
    words with continuation lines indented ``hang`` columns past the line's own indent."""
    if len(line) <= width:
        return [line]
    body = line.lstrip(" ")
    indent = line[: len(line) - len(body)]
    return wrap(words(body, sep=""), width, indent, indent + " " * hang)
