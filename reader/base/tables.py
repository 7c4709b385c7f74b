"""HTML data tables as well-formed GFM pipe tables.

html2text writes a table with colspans, a caption or uneven rows as "pipe soup":
header and separator counts that differ, which no Markdown renderer takes for a
table. Here a table's cells are laid on a grid first (a colspan fills the cells it
covers with blanks, a rowspan repeats its cell in each row it covers, short rows are
padded to the widest), each cell flattened to one line of inline Markdown (links,
emphasis, code) with ``|`` escaped, and the grid written out as a pipe table that
markdown-it's table rule reads back exactly.

``is_data_table`` tells a data table from a table used for layout, after
Readability's rules. Works on lxml elements; imports nothing of reader but text
helpers, and nothing of Textual.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urljoin

if TYPE_CHECKING:
    from lxml import etree

MAX_SPAN = 100
"""The most columns or rows one cell may cover (a page may say colspan=65534)."""
MAX_COLUMNS = 60
MAX_ROWS = 5000
_MAX_DEPTH = 40  # of markup inside a cell followed; deeper, only the text is kept


@dataclass
class Table:
    """A table normalised to a grid: every row as wide as the widest.

    ``header`` is empty when the table has no header row; rows after the first of
    several header rows are in ``rows`` with their cells in bold.
    """

    caption: str = ""
    header: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)

    @property
    def width(self) -> int:
        """The number of columns."""
        return max([len(self.header), *(len(row) for row in self.rows)], default=0)


_SKIP = frozenset(("script", "style", "noscript", "template", "svg", "math", "button", "select"))
_BREAKS = frozenset(("br", "p", "div", "li", "ul", "ol", "dd", "dt", "dl", "blockquote",
                     "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table", "pre", "hr"))  # fmt: skip
_STRONG = frozenset(("b", "strong"))
_EMPHASIS = frozenset(("i", "em", "cite", "dfn", "var"))
_CODE = frozenset(("code", "kbd", "samp", "tt"))
_ESCAPE = re.compile(r"([\\`*_\[\]|&])")
_SPACE = re.compile(r"\s+")
_NO_LINK = ("javascript:", "data:", "vbscript:", "about:")


def escape(text: str) -> str:
    """Plain text as inline Markdown that shows as itself in a table cell.

    ``<`` is left for the caller's pass that escapes tag-like text
    (``ingest.body._escape_tags``) to see, so it is not escaped twice.
    """
    return _ESCAPE.sub(r"\\\1", text)


def _href(href: str | None, base: str | None) -> str | None:
    href = (href or "").strip()
    if not href or href.startswith("#") or href.lower().startswith(_NO_LINK):
        return None
    if base and "://" not in href[:12]:
        try:
            href = urljoin(base, href)
        except ValueError:
            return None
    for char, code in ((" ", "%20"), ("(", "%28"), (")", "%29"), ("|", "%7C")):
        href = href.replace(char, code)
    return href


def _code_span(text: str) -> str:
    text = text.replace("|", "\\|")  # markdown-it takes \| in a cell's code span as |
    run = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * (run + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _cell_parts(el: etree._Element, base: str | None, out: list[str], depth: int) -> None:
    """Append the inline Markdown of ``el``'s content (not its tail) to ``out``."""
    if depth > _MAX_DEPTH:
        out.append(escape("".join(el.itertext())))
        return
    if el.text:
        out.append(escape(el.text))
    for child in el:
        tag = child.tag if isinstance(child.tag, str) else ""
        tag = tag.lower()
        if tag and tag not in _SKIP:
            _element(child, tag, base, out, depth + 1)
        if child.tail:
            out.append(escape(child.tail))


def _element(el: etree._Element, tag: str, base: str | None, out: list[str], depth: int) -> None:
    if tag in _BREAKS:
        out.append(" ")
        _cell_parts(el, base, out, depth)
        out.append(" ")
        return
    if tag in _CODE:
        text = _SPACE.sub(" ", "".join(el.itertext())).strip()
        if text:
            out.append(_code_span(text))
        return
    inner: list[str] = []
    _cell_parts(el, base, inner, depth)
    text = _SPACE.sub(" ", "".join(inner)).strip()
    if not text:
        return
    if tag == "a" and (href := _href(el.get("href"), base)):
        out.append(f"[{text}]({href})")
    elif tag in _STRONG:
        out.append(f"**{text}**")
    elif tag in _EMPHASIS:
        out.append(f"*{text}*")
    else:
        out.append(text)


def cell_markdown(cell: etree._Element, base: str | None = None) -> str:
    """A cell's content as one line of inline Markdown; relative links resolve
    against ``base``."""
    parts: list[str] = []
    _cell_parts(cell, base, parts, 0)
    return _SPACE.sub(" ", "".join(parts)).strip()


def _tag(el: etree._Element) -> str:
    return el.tag.lower() if isinstance(el.tag, str) else ""


def _span(value: str | None, most: int) -> int:
    try:
        number = int((value or "1").strip())
    except ValueError:
        return 1
    if number <= 0:  # rowspan=0: to the end of the table
        return most
    return min(number, most, MAX_SPAN)


def _rows(table: etree._Element) -> list[tuple[etree._Element, bool]]:
    """The table's own rows (not a nested table's), each with whether it is in a
    ``<thead>``."""
    rows: list[tuple[etree._Element, bool]] = []
    for child in table:
        tag = _tag(child)
        if tag == "tr":
            rows.append((child, False))
        elif tag in ("thead", "tbody", "tfoot"):
            rows.extend((row, tag == "thead") for row in child if _tag(row) == "tr")
    return rows[:MAX_ROWS]


def _cells(row: etree._Element) -> list[etree._Element]:
    return [cell for cell in row if _tag(cell) in ("td", "th")]


def normalise(table: etree._Element, base: str | None = None) -> Table:
    """``table`` as a ``Table``: spans expanded, rows evened out, empty rows and
    columns dropped, the header taken from ``<thead>`` or leading rows of ``<th>``."""
    rows = _rows(table)
    grid: list[list[str | None]] = [[] for _ in rows]
    heads: list[bool] = []
    for r, (row, in_head) in enumerate(rows):
        cells = _cells(row)
        heads.append(in_head or (bool(cells) and all(_tag(c) == "th" for c in cells)))
        c = 0
        for cell in cells:
            line = grid[r]
            while c < len(line) and line[c] is not None:
                c += 1
            if c >= MAX_COLUMNS:
                break
            colspan = min(_span(cell.get("colspan"), MAX_COLUMNS), MAX_COLUMNS - c)
            rowspan = _span(cell.get("rowspan"), len(rows) - r)
            text = cell_markdown(cell, base)
            for dr in range(rowspan):
                target = grid[r + dr]
                if len(target) < c + colspan:
                    target.extend([None] * (c + colspan - len(target)))
                for dc in range(colspan):
                    target[c + dc] = text if dc == 0 else ""
            c += colspan
    width = max((len(line) for line in grid), default=0)
    filled = [[cell or "" for cell in line] + [""] * (width - len(line)) for line in grid]
    keep_columns = [i for i in range(width) if any(line[i] for line in filled)]
    kept = [
        ([line[i] for i in keep_columns], head)
        for line, head in zip(filled, heads, strict=True)
        if any(line)
    ]
    result = Table(caption=_caption(table, base))
    header_done = False
    for index, (texts, head) in enumerate(kept):
        if head and index == 0:
            result.header = texts
        elif head and not header_done:
            result.rows.append([f"**{text}**" if text else "" for text in texts])
        else:
            header_done = True
            result.rows.append(texts)
    return result


def _caption(table: etree._Element, base: str | None) -> str:
    for child in table:
        if _tag(child) == "caption":
            return cell_markdown(child, base)
    return ""


_BLOCKS_IN_CELLS = frozenset(("table", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre"))
_LONG_CELL = 400  # characters of a cell holding paragraphs that make it a page's column


def is_layout_table(table: etree._Element) -> bool:
    """Whether ``table`` lays out a page rather than holding data: marked
    ``role=presentation``, holding a table, headings or long paragraphs in a cell,
    or of one row or one column (an image with its caption)."""
    if (table.get("role") or "").lower() in ("presentation", "none"):
        return True
    if table.get("datatable") == "0":
        return True
    rows = _rows(table)
    widths = [sum(_span(c.get("colspan"), MAX_COLUMNS) for c in _cells(row)) for row, _ in rows]
    if len(rows) <= 1 or max(widths, default=0) <= 1:
        return True
    for row, _ in rows:
        for cell in _cells(row):
            if any(_tag(el) in _BLOCKS_IN_CELLS for el in cell.iterdescendants()):
                return True
            paragraphs = sum(1 for el in cell.iterdescendants() if _tag(el) == "p")
            if paragraphs >= 2 and len("".join(cell.itertext())) > _LONG_CELL:
                return True
    return False


def is_data_table(table: etree._Element) -> bool:
    """Whether the page marks ``table`` up as a data table, after Readability's rules:
    not a layout table (``is_layout_table``), and with a caption, ``<th>``,
    ``<thead>``, ``<tfoot>`` or ``<col>``, or of ten rows or more, or more than four
    columns, or more than ten cells.

    (Small tables that are neither are shown as tables too: a 2x2 grid reads better
    as one than as four lines.)
    """
    if is_layout_table(table):
        return False
    if table.get("summary") or any(
        _tag(el) in ("caption", "th", "thead", "tfoot", "col", "colgroup") for el in table.iter()
    ):
        return True
    rows = _rows(table)
    columns = max(
        (sum(_span(c.get("colspan"), MAX_COLUMNS) for c in _cells(row)) for row, _ in rows),
        default=0,
    )
    return len(rows) >= 10 or columns > 4 or len(rows) * columns > 10


def pipe_table(table: Table) -> str:
    """``table`` as GFM Markdown: the caption as an emphasised paragraph before it, an
    empty header row when it has none."""
    width = table.width
    if not width:
        return table.caption

    def line(cells: list[str]) -> str:
        cells = cells + [""] * (width - len(cells))
        return "| " + " | ".join(cell or " " for cell in cells) + " |"

    lines = [line(table.header), "|" + " --- |" * width]
    lines.extend(line(row) for row in table.rows)
    text = "\n".join(lines)
    return f"*{table.caption}*\n\n{text}" if table.caption else text


def table_markdown(table: etree._Element, base: str | None = None) -> str:
    """An HTML ``<table>`` as a GFM pipe table (see ``normalise``)."""
    return pipe_table(normalise(table, base))


# A table's place in HTML handed to html2text: a paragraph of its own holding this
# marker, which ``put_tables`` replaces with the table's Markdown afterwards.
_TABLE_MARK = re.compile("^([ \t>]*)\ue006(\\d+)\ue007[ \t]*$", re.MULTILINE)


def marker_text(index: int) -> str:
    """The text of the paragraph that stands for table ``index`` (see ``put_tables``)."""
    return f"\ue006{index}\ue007"


def put_tables(markdown: str, tables: list[str]) -> str:
    """html2text's Markdown with each table marker (a line of its own, in a quote too)
    replaced by its table; a stray marker goes."""
    if "\ue006" not in markdown:
        return markdown

    def table(match: re.Match[str]) -> str:
        index = int(match.group(2))
        if index >= len(tables):
            return ""
        quote = "> " * match.group(1).count(">")
        lines = tables[index].split("\n")
        return "\n" + "\n".join((quote + line).rstrip() for line in lines) + "\n"

    return _TABLE_MARK.sub(table, markdown).replace("\ue006", "").replace("\ue007", "")


def tables_out(root: etree._Element, base: str | None = None) -> list[str]:
    """Take the tables out of an HTML tree (in place) before html2text sees it: a layout
    table becomes its cells as blocks, a data table a marker paragraph; the data
    tables' Markdown, for ``put_tables``."""
    tables: list[str] = []
    for table in reversed(list(root.iter("table"))):  # innermost first
        parent = table.getparent()
        if parent is None:
            continue
        if is_layout_table(table):
            for el in table.iter("table", "thead", "tbody", "tfoot", "tr", "td", "th", "caption"):
                el.tag = "div"
            continue
        tables.append(table_markdown(table, base))
        marker = table.makeelement("p", {})
        marker.text = marker_text(len(tables) - 1)
        marker.tail = table.tail
        parent.replace(table, marker)
    return tables
