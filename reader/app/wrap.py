"""Wrapping ``Content`` to a width, for the article and its tables."""

from __future__ import annotations

from rich.cells import get_character_cell_size
from textual.content import Content

from reader.base.line_break import break_offsets, has_cjk


def wrap_content(content: Content, width: int) -> list[Content]:
    """``content`` wrapped to ``width`` cells: after spaces, as Textual wraps, and for
    CJK text by Unicode's rules (between ideographs, never before closing punctuation
    nor after opening punctuation: ``reader.base.line_break``)."""
    if not has_cjk(content.plain):
        return content.wrap(width)
    lines: list[Content] = []
    for line in content.split("\n", allow_blank=True):
        pieces = line.divide(break_offsets(line.plain, width, get_character_cell_size))
        lines.extend(piece.rstrip() for piece in pieces)
    return lines
