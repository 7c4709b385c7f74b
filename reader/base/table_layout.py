"""Tables drawn in a terminal's width, with box characters, for any kind of text.

One algorithm for the article pane (Textual ``Content``) and ``reader show``
(plain ``str``): the caller says how to measure, wrap and pad its text
(``TextOps``). A table that fits is drawn at its natural widths; a wider one
shares the room among its columns in proportion to what each is missing, never
below a column's minimum, and wraps cells inside their columns (rows that wrap get
a rule between them, as w3m draws). A table whose columns cannot all get their
minimum is drawn as records instead: each row as ``header: value`` lines.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")

MIN_COLUMN = 6
"""The narrowest a column of longer text is made (a shorter word keeps its width)."""
WORD_COLUMN = 14
"""A column is not squeezed below its longest word, up to this many cells."""
_NUMBER = re.compile(r"[-+−]?[$€£¥]?\d[\d,.\s]*%?|[-—–]")


@dataclass(frozen=True)
class TextOps(Generic[T]):
    """How to handle the caller's kind of text."""

    plain: Callable[[T], str]
    length: Callable[[T], int]
    """Cells the text takes on screen."""
    wrap: Callable[[T, int], list[T]]
    """The text in lines of at most ``width`` cells (at least one line)."""
    pad: Callable[[T, int, bool], T]
    """The text padded to ``width`` cells, on the left when the flag says so."""
    border: Callable[[str], T]
    """Border characters as text (the app styles them)."""
    join: Callable[[Sequence[T]], T]


def overhead(columns: int) -> int:
    """Cells that borders and padding take in a table of ``columns`` columns."""
    return 3 * columns + 1


def column_widths(natural: Sequence[int], minimum: Sequence[int], room: int) -> list[int] | None:
    """Column widths that fit ``room`` cells: the natural ones when they fit, else the
    room shared out over the minimums; None when not even the minimums fit."""
    if sum(natural) <= room:
        return list(natural)
    if sum(minimum) > room:
        return None
    widths = list(minimum)
    wants = [max(n - m, 0) for n, m in zip(natural, minimum, strict=True)]
    extra, total = room - sum(minimum), sum(wants)
    if total:
        widths = [w + extra * want // total for w, want in zip(widths, wants, strict=True)]
    left = room - sum(widths)
    for i in sorted(range(len(widths)), key=lambda i: widths[i] - natural[i])[: max(left, 0)]:
        widths[i] += 1
    return widths


def _longest_word(text: str) -> int:
    return max((len(word) for word in text.split()), default=0)


def _numeric(column: Sequence[str]) -> bool:
    values = [value.strip() for value in column if value.strip()]
    return bool(values) and all(_NUMBER.fullmatch(value) for value in values)


def draw_table(
    header: Sequence[T] | None, rows: Sequence[Sequence[T]], width: int, ops: TextOps[T]
) -> list[T]:
    """The table as lines of at most ``width`` cells (see the module's doc).

    ``header`` is None for a table without one; every row has as many cells as the
    widest (``reader.base.tables.normalise`` sees to it).
    """
    count = max([len(header or ()), *(len(row) for row in rows)], default=0)
    if not count:
        return []
    empty = ops.border("")
    grid = [list(row) + [empty] * (count - len(row)) for row in rows]
    head = list(header) + [empty] * (count - len(header)) if header else None
    everything = ([head] if head else []) + grid
    natural = [max(ops.length(line[i]) for line in everything) for i in range(count)]
    minimum = [
        min(n, max(MIN_COLUMN, min(WORD_COLUMN, max(_longest_word(ops.plain(r[i])) for r in grid))))
        if grid
        else n
        for i, n in enumerate(natural)
    ]
    widths = column_widths(natural, minimum, width - overhead(count))
    if widths is None:
        return draw_records(head, grid, width, ops)
    right = [_numeric([ops.plain(row[i]) for row in grid]) for i in range(count)]

    def rule(left: str, middle: str, end: str, line: str = "─") -> T:
        return ops.border(left + middle.join(line * (w + 2) for w in widths) + end)

    def row_lines(row: Sequence[T], align: bool) -> list[T]:
        cells = [
            ops.wrap(cell, w) if ops.length(cell) else [empty]
            for cell, w in zip(row, widths, strict=True)
        ]
        height = max(len(lines) for lines in cells)
        out = []
        bar, inner = ops.border("│ "), ops.border(" │ ")
        for k in range(height):
            parts: list[T] = [bar]
            for i, lines in enumerate(cells):
                if i:
                    parts.append(inner)
                piece = lines[k] if k < len(lines) else empty
                parts.append(ops.pad(piece, widths[i], align and right[i]))
            parts.append(ops.border(" │"))
            out.append(ops.join(parts))
        return out

    body = [row_lines(row, True) for row in grid]
    ruled = any(len(lines) > 1 for lines in body)
    lines = [rule("┌", "┬", "┐")]
    if head:
        lines += row_lines(head, False)
        lines.append(rule("╞", "╪", "╡", "═") if grid else rule("└", "┴", "┘"))
    for index, row in enumerate(body):
        if index and ruled:
            lines.append(rule("├", "┼", "┤"))
        lines += row
    if grid:
        lines.append(rule("└", "┴", "┘"))
    return lines


def draw_records(
    header: Sequence[T] | None, rows: Sequence[Sequence[T]], width: int, ops: TextOps[T]
) -> list[T]:
    """A table too wide for ``width`` as records: a row's cells one a line (after their
    column's header), a rule between rows."""
    lines: list[T] = []
    for index, row in enumerate(rows):
        if index:
            lines.append(ops.border("╌" * min(width, 24)))
        for i, cell in enumerate(row):
            if not ops.length(cell):
                continue
            name = header[i] if header and i < len(header) else None
            if name is not None and ops.length(name):
                cell = ops.join([name, ops.border(": "), cell])
            lines += ops.wrap(cell, width)
    if header and not rows:
        names = [h for h in header if ops.length(h)]
        parts = [
            part for i, h in enumerate(names) for part in ([ops.border(" · ")] if i else []) + [h]
        ]
        lines += ops.wrap(ops.join(parts), width)
    return lines
