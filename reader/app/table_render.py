"""Tables of the article, drawn with box characters in the pane's width.

``TableData`` holds a Markdown table's cells as ``Content`` (links, code and emphasis
styled like the rest of the article, never parsed as markup); ``table_lines`` draws
it with ``reader.base.table_layout``, wrapping cells inside their columns, or as
records when the pane is too narrow for its columns.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from textual.content import Content
from textual.style import Style

from reader.app.wrap import wrap_content
from reader.base.table_layout import TextOps, draw_table


@dataclass
class TableData:
    """A table's cells: the header row (None when the table has none) and the rows."""

    header: list[Content] | None = None
    rows: list[list[Content]] = field(default_factory=list)

    def plain(self) -> str:
        """The table's text, a row a line (for searching and measuring)."""
        rows = ([self.header] if self.header else []) + self.rows
        return "\n".join(" ".join(cell.plain for cell in row) for row in rows)


def _wrap(content: Content, width: int) -> list[Content]:
    return wrap_content(content, max(width, 1)) or [Content("")]


def _pad(content: Content, width: int, right: bool) -> Content:
    room = width - content.cell_length
    if room <= 0:
        return content
    return content.pad_left(room) if right else content.pad_right(room)


def _ops(border: Style) -> TextOps[Content]:
    return TextOps(
        plain=lambda content: content.plain,
        length=lambda content: content.cell_length,
        wrap=_wrap,
        pad=_pad,
        border=lambda text: Content.styled(text, border),
        join=lambda parts: Content("").join(parts),
    )


def table_lines(table: TableData, width: int, border: Style, heading: Style) -> list[Content]:
    """``table`` drawn in ``width`` cells: ``border`` styles the lines, ``heading`` the
    header row."""
    header: Sequence[Content] | None = None
    if table.header and any(cell.plain.strip() for cell in table.header):
        header = [cell.stylize(heading) for cell in table.header]
    return draw_table(header, table.rows, width, _ops(border))
