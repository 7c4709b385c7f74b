"""Tables and code blocks: HTML tables normalised to pipe tables, drawn in the pane's
width; code blocks of a known language highlighted."""

from __future__ import annotations

import json
import os
from pathlib import Path

import lxml.html
import pytest
from textual.content import Content, Span
from textual.style import Style

from reader.app.article_render import STYLE_NAMES, Block, markdown_blocks, wrap_blocks
from reader.app.code_highlight import highlight
from reader.app.table_render import TableData, table_lines
from reader.base.code_blocks import code_language
from reader.base.table_layout import column_widths
from reader.base.tables import is_data_table, is_layout_table, normalise, table_markdown
from reader.cli.text_tables import cells_width, draw_tables
from reader.ingest.htmlpage import parse_html

from conftest import FIXTURES, run_reader

URL = "https://quay-times.example/tech/2025/tide-tables.html"


def _table(html: str) -> lxml.html.HtmlElement:
    return lxml.html.fragment_fromstring(html)


def _styles() -> dict[str, Style]:
    styles = {name: Style() for name in STYLE_NAMES}
    styles["code"] = Style(underline=True)
    styles["code-keyword"] = Style(bold=True)
    styles["code-comment"] = Style(italic=True)
    styles["code-string"] = Style(strike=True)
    return styles


# -- normalising: spans, captions, uneven rows, pipes, markup ------------------------------


def test_colspan_leaves_blanks_and_rowspan_repeats() -> None:
    table = normalise(
        _table(
            "<table><tr><th>Day</th><th colspan=2>Tide</th></tr>"
            "<tr><td rowspan=2>Mon</td><td>06:12</td><td>4.1</td></tr>"
            "<tr><td>18:40</td><td>4.3</td></tr></table>"
        )
    )
    assert table.header == ["Day", "Tide", ""]
    assert table.rows == [["Mon", "06:12", "4.1"], ["Mon", "18:40", "4.3"]]


def test_uneven_rows_are_padded_to_the_widest_and_empty_ones_go() -> None:
    table = normalise(
        _table("<table><tr><td>a</td></tr><tr></tr><tr><td>b</td><td>c</td><td>d</td></tr></table>")
    )
    assert table.header == []
    assert table.rows == [["a", "", ""], ["b", "c", "d"]]


def test_caption_becomes_a_paragraph_before_the_table() -> None:
    markdown = table_markdown(
        _table(
            "<table><caption>High <i>water</i></caption><tr><th>a</th><th>b</th></tr>"
            "<tr><td>1</td><td>2</td></tr></table>"
        )  # fmt: skip
    )
    assert markdown == "*High *water**\n\n| a | b |\n| --- | --- |\n| 1 | 2 |"


def test_pipes_and_markdown_in_cells_are_escaped() -> None:
    markdown = table_markdown(
        _table(
            "<table><tr><td>a | b</td><td>*not em* [x]</td></tr>"
            "<tr><td><code>x|y</code></td><td>&amp;copy;</td></tr></table>"
        )
    )
    lines = markdown.split("\n")
    assert lines[2] == r"| a \| b | \*not em\* \[x\] |"
    assert lines[3] == r"| `x\|y` | \&copy; |"
    blocks = markdown_blocks(markdown, _styles(), [])
    (block,) = blocks
    assert block.table is not None
    assert [c.plain for c in block.table.rows[0]] == ["a | b", "*not em* [x]"]
    assert [c.plain for c in block.table.rows[1]] == ["x|y", "&copy;"]


def test_nested_markup_is_flattened_to_one_line() -> None:
    cell = (
        "<td><p>First <b>bold <a href='/l'>link</a></b></p><ul><li>one</li><li>two</li></ul>"
        "<script>alert(1)</script>line<br>break</td>"
    )
    table = normalise(
        _table(f"<table><tr>{cell}<td>x</td></tr><tr><td>y</td><td>z</td></tr></table>"),
        "https://a.example/p/",
    )
    assert table.rows[0][0] == "First **bold [link](https://a.example/l)** one two line break"


def test_hostile_spans_are_bounded() -> None:
    table = normalise(
        _table(
            "<table><tr><td colspan=65534 rowspan=0>a</td><td>b</td></tr>"
            "<tr><td>c</td></tr></table>"
        )  # fmt: skip
    )
    assert table.width <= 60
    assert table.rows[1][0] == "a"  # rowspan=0 spans to the end


def test_layout_and_data_tables() -> None:
    assert is_layout_table(
        _table("<table><tr><td><img src=x></td></tr><tr><td>cap</td></tr></table>")
    )
    assert is_layout_table(
        _table(
            "<table role=presentation><tr><td>a</td><td>b</td></tr>"
            "<tr><td>c</td><td>d</td></tr></table>"
        )
    )
    assert is_layout_table(
        _table("<table><tr><td><h2>x</h2></td><td>b</td></tr><tr><td>c</td><td>d</td></tr></table>")
    )
    small = _table("<table><tr><td>a</td><td>b</td></tr><tr><td>c</td><td>d</td></tr></table>")
    assert not is_layout_table(small) and not is_data_table(small)
    assert is_data_table(
        _table("<table><tr><th>a</th><th>b</th></tr><tr><td>c</td><td>d</td></tr></table>")
    )


# -- a saved page: the table survives extraction whole --------------------------------------


@pytest.fixture(scope="module")
def body() -> str:
    html = (FIXTURES / "html" / "fidelity-tables.html").read_text(encoding="utf-8")
    return parse_html(html, URL).body or ""


def test_a_page_table_becomes_a_well_formed_pipe_table(body: str) -> None:
    assert "*High water at Linmouth quay*" in body
    table = body.split("*High water at Linmouth quay*\n\n")[1].split("\n\n")[0].split("\n")
    assert table[:3] == [
        "| Day | High water |   |",
        "| --- | --- | --- |",
        "| Monday | 06:12 | 4.1 m |",
    ]
    assert table[3] == r"| Monday | 18:40 | **4.3 m** (spring \| neap) |"
    assert len({line.count(" | ") for line in table}) == 1  # as many cells in every row
    assert "(https://quay-times.example/tides/wednesday)" in table[5]


def test_a_layout_table_stays_paragraphs(body: str) -> None:
    assert "\n\nThe quay at low water, last spring.\n\n" in body
    assert sum(1 for line in body.split("\n") if line.startswith("| --- |")) == 1


def test_a_code_block_keeps_its_language(body: str) -> None:
    assert '```python\n# read the tide file\nfor line in open("tides.txt"):' in body


@pytest.mark.parametrize(
    ("html", "language"),
    [
        ('<pre><code class="language-python">x</code></pre>', "python"),
        ('<pre class="prettyprint lang-js">x</pre>', "js"),
        ('<div class="highlight highlight-source-rust"><pre>x</pre></div>', "rust"),
        ('<pre class="brush: php; gutter: false">x</pre>', "php"),
        ('<pre class="sourceCode haskell"><code>x</code></pre>', "haskell"),
        ('<pre><code data-lang="go">x</code></pre>', "go"),
        ('<pre><code class="language-plaintext">x</code></pre>', None),
        ("<pre>x</pre>", None),
    ],
)
def test_code_language_from_the_classes_highlighters_write(html: str, language: str | None) -> None:
    tree = lxml.html.fragment_fromstring(html, create_parent="div")
    assert code_language(tree.find(".//pre")) == language


# -- drawing ----------------------------------------------------------------------------------


def _data() -> TableData:
    return TableData(
        header=[Content("Day"), Content("Time"), Content("Height")],
        rows=[
            [Content("Monday"), Content("06:12"), Content("4.1")],
            [Content("Tuesday"), Content("07:01"), Content("12.25")],
        ],
    )


def test_a_table_that_fits_is_drawn_with_boxes_and_numbers_to_the_right() -> None:
    lines = [line.plain for line in table_lines(_data(), 60, Style(), Style(bold=True))]
    assert lines == [
        "┌─────────┬───────┬────────┐",
        "│ Day     │ Time  │ Height │",
        "╞═════════╪═══════╪════════╡",
        "│ Monday  │ 06:12 │    4.1 │",
        "│ Tuesday │ 07:01 │  12.25 │",
        "└─────────┴───────┴────────┘",
    ]


def test_a_wide_table_wraps_cells_within_columns() -> None:
    long = "the ferry waits at the outer quay for the tide to turn"
    data = TableData(
        header=[Content("Day"), Content("Note")],
        rows=[[Content("Monday"), Content(long)], [Content("Tuesday"), Content("calm")]],
    )
    lines = [line.plain for line in table_lines(data, 30, Style(), Style())]
    assert all(len(line) <= 30 for line in lines)
    assert lines[3].startswith("│ Monday  │ the ferry")
    assert "├" in "".join(lines)  # rows that wrap get a rule between them
    assert " ".join(" ".join(line.strip("│ ").split()) for line in lines[3:-3]).count("tide") == 1


def test_a_table_too_wide_for_its_columns_becomes_records() -> None:
    data = TableData(
        header=[Content(f"column {i}") for i in range(8)],
        rows=[[Content(f"value{i}") for i in range(8)]],
    )
    lines = [line.plain for line in table_lines(data, 30, Style(), Style())]
    assert lines[:2] == ["column 0: value0", "column 1: value1"]


def test_column_widths_share_the_room_by_what_each_misses() -> None:
    assert column_widths([5, 10], [5, 6], 20) == [5, 10]
    assert column_widths([10, 30], [6, 6], 20) == [7, 13]
    assert column_widths([10, 30], [12, 12], 20) is None


def test_cells_keep_links_numbered_and_never_read_markup() -> None:
    markdown = "| a | b |\n| --- | --- |\n| [quay](https://q.example/) | [bold]x[/bold] |"
    links: list[tuple[str, str]] = []
    blocks = markdown_blocks(markdown, _styles(), links)
    assert links == [("quay", "https://q.example/")]
    lines = [line.plain for line in wrap_blocks(blocks, 40, _styles())]
    assert "│ quay[1] │ [bold]x[/bold] │" in lines


def test_a_table_in_a_quote_keeps_the_quote_bar() -> None:
    blocks = markdown_blocks("> | a | b |\n> | --- | --- |\n> | 1 | 2 |", _styles(), [])
    lines = [line.plain for line in wrap_blocks(blocks, 40, _styles())]
    assert lines[0].startswith("▌ ┌")


# -- code --------------------------------------------------------------------------------------


def test_a_fenced_block_of_a_known_language_is_highlighted() -> None:
    styles = _styles()
    (block,) = markdown_blocks('```python\n# note\nif x: print("hi")\n```', styles, [])
    assert block.language == "python"  # highlighted when wrapped: only what is shown first
    lines = wrap_blocks([block], 40, styles)
    styled = {line.plain[s.start : s.end]: s.style for line in lines for s in line.spans}
    assert styled["# note"] == styles["code-comment"]
    assert styled["if"] == styles["code-keyword"]
    assert styled['"hi"'] == styles["code-string"]
    code = highlight('if x: print("hi")', "python", styles)
    assert code.spans[0] == Span(0, len(code.plain), styles["code"])  # the block's own style


def test_an_unknown_language_or_none_shows_plain_code() -> None:
    styles = _styles()
    for source in ("```no-such-language\nx = 1\n```", "    x = 1"):
        lines = wrap_blocks(markdown_blocks(source, styles, []), 40, styles)
        assert [(s.start, s.end, s.style) for s in lines[0].spans] == [(0, 5, styles["code"])]


def test_highlighting_keeps_the_text_exactly() -> None:
    code = "\tdef f():\n  return '\x1b'  \n\n"
    assert highlight(code, "python", _styles()).plain == code


def test_a_table_block_reports_its_text_for_search_and_measure() -> None:
    block = Block(Content(_data().plain()), table=_data())
    assert "Tuesday 07:01 12.25" in block.content.plain


# -- reader show ---------------------------------------------------------------------------


def test_show_draws_pipe_tables_as_text_tables() -> None:
    markdown = (
        "Before.\n\n| Day | Height |\n| --- | --- |\n| [Mon](https://q.example/m) | **4.1** \\| m |"
        "\n\nAfter."
    )
    assert draw_tables(markdown, 80).split("\n\n") == [
        "Before.",
        "┌────────┬─────────┐\n"
        "│ Day    │ Height  │\n"
        "╞════════╪═════════╡\n"
        "│ Mon[1] │ 4.1 | m │\n"
        "└────────┴─────────┘\n"
        "[1]: https://q.example/m",
        "After.",
    ]


def test_show_text_tables_fit_the_width_and_count_wide_characters() -> None:
    markdown = "| 港 | note |\n| --- | --- |\n| 潮汐表 | " + "word " * 30 + "|"
    lines = draw_tables(markdown, 40).split("\n")
    assert all(cells_width(line) <= 40 for line in lines)
    assert lines[3].startswith("│ 潮汐表 │ word")


def test_reader_show_prints_the_table(home: Path) -> None:
    page = FIXTURES / "html" / "fidelity-tables.html"
    assert run_reader(home, "ingest", str(page)).returncode == 0
    (story,) = json.loads(run_reader(home, "list", "--json").stdout)
    out = run_reader(home, "show", story["id"], env={**os.environ, "COLUMNS": "80"}).stdout
    assert "│ Monday       │ 18:40      │ 4.3 m (spring | neap) │" in out
    assert "[1]: https://quay-times.example/tides/wednesday" in out


def test_a_table_trafilatura_dropped_between_kept_passages_comes_back() -> None:
    from lxml import etree

    from reader.ingest.body import _marked_tables, _stash_tables

    before = "The release history tells a slightly different story:"
    after = "It seems clear that the project keeps a brisk release cadence."
    elsewhere = "A sidebar table sits far from the article and is left out."
    page = lxml.html.fromstring(
        f"<html><body><div><p>{before}</p><table><tr><th>Release</th><th>Date</th></tr>"
        f"<tr><td>4.2.3</td><td>April</td></tr></table><p>{after}</p></div>"
        f"<aside><p>{elsewhere}</p><table><tr><th>Ad</th><th>Price</th></tr>"
        "<tr><td>x</td><td>y</td></tr></table></aside></body></html>"
    )
    stashed = _stash_tables(page, None)
    assert len(stashed) == 2
    kept = etree.fromstring(f"<div><p>{before}</p><p>{after}</p></div>")  # what it kept
    tables = _marked_tables(kept, stashed)
    assert [el.text for el in kept] == [before, "\ue0060\ue007", after]
    assert tables == ["| Release | Date |\n| --- | --- |\n| 4.2.3 | April |"]


# -- feed items: the HTML kept with the item becomes Markdown when read --------------------


def test_a_feed_items_table_is_a_pipe_table_and_a_layout_one_its_cells() -> None:
    from reader.base.fragments import html_to_markdown

    markdown = html_to_markdown(
        "<p>Tides:</p><table><caption>High water</caption><tr><th>Day</th>"
        "<th colspan=2>Tide</th></tr><tr><td>Mon</td><td>06:12</td><td>4 | m</td></tr></table>"
        "<table><tr><td><img src='/a.jpg' alt='quay'></td></tr><tr><td>The quay.</td></tr></table>",
        "https://q.example/feed/",
    )
    assert markdown.split("\n\n") == [
        "Tides:",
        "*High water*",
        "| Day | Tide |   |\n| --- | --- | --- |\n| Mon | 06:12 | 4 \\| m |",
        "![quay](https://q.example/a.jpg)",
        "The quay.",
    ]


def test_a_feed_items_code_blocks_keep_their_languages_and_bounds() -> None:
    from reader.base.fragments import html_to_markdown

    markdown = html_to_markdown(
        '<pre><code class="language-python">def f(x):\n    return x\n</code></pre>'
        '<div class="highlight-source-rust"><pre>fn main() {}</pre></div>'
        "<pre>plain\n  text</pre><p>and <code class='language-js'>inline()</code> too.</p>"
    )
    assert markdown.split("\n\n") == [
        "```python\ndef f(x):\n    return x\n```",
        "```rust\nfn main() {}\n```",
        "    plain\n      text",
        "and `inline()` too.",
    ]
