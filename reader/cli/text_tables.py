"""The pipe tables of a story's Markdown drawn as text tables, for ``reader show``.

The same layout as the article pane's (``reader.base.table_layout``), on plain
strings measured in terminal cells. A cell's inline Markdown is shown as text:
emphasis and code marks go, a link shows its text with a number, and the numbered
addresses follow the table, as newsboat lists a page's links.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from reader.base.table_layout import TextOps, draw_table

_ROW = re.compile(r"^\|.*\|$")
_RULE = re.compile(r"^\|(?:\s*:?-{3,}:?\s*\|)+$")
_QUOTE = re.compile(r"^(?:> ?)+")
_INLINE = re.compile(
    r"(?P<code>`+)(?P<code_text>.+?)(?P=code)"
    r"|!\[(?P<alt>(?:[^\[\]\\]|\\.)*)\]\((?P<src>[^()\s]*)\)"
    r"|\[(?P<text>(?:[^\[\]\\]|\\.)*)\]\((?P<href>(?:[^()\s]|\([^()\s]*\))*)\)"
    r"|\\(?P<escaped>.)"
    r"|\*\*|\*"
)


def cells_width(text: str) -> int:
    """Terminal cells ``text`` takes: wide East Asian characters two, combining none."""
    total = 0
    for char in text:
        if unicodedata.combining(char):
            continue
        total += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return total


def _split_long(word: str, width: int) -> list[str]:
    pieces, piece = [], ""
    for char in word:
        if piece and cells_width(piece + char) > width:
            pieces.append(piece)
            piece = ""
        piece += char
    return [*pieces, piece] if piece else pieces


def wrap(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` cells, broken at spaces (a longer word
    is cut)."""
    width = max(width, 1)
    lines: list[str] = []
    line = ""
    for word in text.split():
        for piece in _split_long(word, width) if cells_width(word) > width else [word]:
            candidate = f"{line} {piece}" if line else piece
            if cells_width(candidate) <= width:
                line = candidate
            else:
                lines.append(line)
                line = piece
    lines.append(line)
    return lines


def _pad(text: str, width: int, right: bool) -> str:
    room = max(width - cells_width(text), 0)
    return " " * room + text if right else text + " " * room


_OPS: TextOps[str] = TextOps(
    plain=lambda text: text,
    length=cells_width,
    wrap=wrap,
    pad=_pad,
    border=lambda text: text,
    join=lambda parts: "".join(parts),
)


def cell_text(markdown: str, links: list[str]) -> str:
    """A cell's inline Markdown as text; link addresses are appended to ``links``."""

    def piece(match: re.Match[str]) -> str:
        if match.group("code") is not None:
            return match.group("code_text").replace("\\|", "|").strip()
        if match.group("src") is not None:
            alt = cell_text(match.group("alt"), links)
            return f"[image: {alt}]" if alt else "[image]"
        if match.group("href") is not None:
            text = cell_text(match.group("text"), links)
            links.append(match.group("href"))
            return f"{text}[{len(links)}]"
        if match.group("escaped") is not None:
            return match.group("escaped")
        return ""  # an emphasis mark

    return _INLINE.sub(piece, markdown).strip()


def _cells(row: str) -> list[str]:
    """A pipe table row's cells (``\\|`` stays in its cell)."""
    inner = row.strip()[1:-1]
    cells, cell, i = [], "", 0
    while i < len(inner):
        char = inner[i]
        if char == "\\" and i + 1 < len(inner):
            cell += inner[i : i + 2]
            i += 2
            continue
        if char == "|":
            cells.append(cell.strip())
            cell = ""
        else:
            cell += char
        i += 1
    cells.append(cell.strip())
    return cells


def _draw(lines: Sequence[str], width: int) -> list[str] | None:
    """A pipe table's lines drawn, or None when they are not a table."""
    if len(lines) < 2 or not _RULE.match(lines[1]) or not all(_ROW.match(x) for x in lines):
        return None
    links: list[str] = []
    header = [cell_text(cell, links) for cell in _cells(lines[0])]
    rows = [[cell_text(cell, links) for cell in _cells(line)] for line in lines[2:]]
    count = max(len(header), *(len(row) for row in rows)) if rows else len(header)
    rows = [row + [""] * (count - len(row)) for row in rows]
    drawn = draw_table(header if any(header) else None, rows, width, _OPS)
    drawn += [f"[{i}]: {href}" for i, href in enumerate(links, 1)]
    return drawn


def draw_tables(markdown: str, width: int) -> str:
    """``markdown`` with each pipe table (in a quote too) drawn in ``width`` cells."""
    if "|" not in markdown:
        return markdown
    blocks = markdown.split("\n\n")
    for index, block in enumerate(blocks):
        if not block.lstrip("> ").startswith("|"):
            continue
        lines = block.split("\n")
        quote = _QUOTE.match(lines[0])
        prefix = quote.group(0) if quote else ""
        stripped = [line[len(prefix) :] if line.startswith(prefix) else line for line in lines]
        drawn = _draw([line.strip() for line in stripped], max(width - len(prefix), 20))
        if drawn is not None:
            blocks[index] = "\n".join((prefix + line).rstrip() for line in drawn)
    return "\n\n".join(blocks)
