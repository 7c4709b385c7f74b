"""Saved pages as the article pane shows them: code, paragraphs and links as the page had them."""

from __future__ import annotations

import pytest
from textual.style import Style

from reader.app.article_render import STYLE_NAMES, Block, markdown_blocks
from reader.ingest.htmlpage import parse_html

from conftest import FIXTURES

URL = "https://quay-times.example/tech/2025/tide-script.html"
CODE = Style(underline=True)


@pytest.fixture(scope="module")
def body() -> str:
    html = (FIXTURES / "html" / "fidelity-code.html").read_text(encoding="utf-8")
    return parse_html(html, URL).body or ""


def _blocks(markdown: str) -> list[Block]:
    styles = {name: Style(bold=True) for name in STYLE_NAMES}
    styles["code"] = CODE
    return markdown_blocks(markdown, styles, [])


def test_inline_code_stays_in_its_sentence(body: str) -> None:
    assert "Check for `tides.txt`, `tides.csv` or `tides.json` in the download folder" in body
    sentence = next(b for b in _blocks(body) if "Check for" in b.content.plain)
    assert "tides.txt, tides.csv or tides.json in the download" in sentence.content.plain
    coded = [sentence.content.plain[s.start : s.end] for s in sentence.content.spans]
    assert coded == ["tides.txt", "tides.csv", "tides.json"]


def test_a_pre_block_is_a_code_block_not_a_quote(body: str) -> None:
    block = next(b for b in _blocks(body) if "for line in" in b.content.plain)
    assert not block.first_prefix.plain.strip()  # no "▌ " quote bar
    assert block.content.plain.splitlines() == [
        'for line in open("tides.txt"):',
        "    when, height = line.split()",
        "    print(when, float(height))",  # a link in code keeps its text only
    ]
    assert [(s.start, s.end, s.style) for s in block.content.spans] == [
        (0, len(block.content.plain), CODE)
    ]


def test_paragraphs_in_a_layout_table_keep_their_breaks(body: str) -> None:
    paragraphs = body.split("\n\n")
    assert any(p.endswith("from the network at all.") for p in paragraphs)
    assert any(p.startswith("The first version was written") for p in paragraphs)
    assert "all.The first" not in body


def test_links_are_absolute_and_keep_their_spaces(body: str) -> None:
    assert "the [harbour office](https://quay-times.example/harbour/office) explains" in body
    links: list[tuple[str, str]] = []
    styles = {name: Style() for name in STYLE_NAMES}
    blocks = markdown_blocks(body, styles, links)
    assert ("harbour office", "https://quay-times.example/harbour/office") in links
    assert any(
        "the harbour office[" in b.content.plain and "] explains" in b.content.plain for b in blocks
    )


def test_a_saved_file_resolves_links_against_its_canonical_address() -> None:
    html = (FIXTURES / "html" / "fidelity-code.html").read_text(encoding="utf-8")
    body = parse_html(html).body or ""  # no address: read from a file
    assert "[harbour office](https://quay-times.example/harbour/office)" in body


def test_an_image_is_a_placeholder_with_its_number_and_listed(body: str) -> None:
    assert (
        "[![A heron on the quay](https://quay-times.example/photos/heron-small.jpg)]"
        "(https://quay-times.example/photos/heron.jpg) watches" in body
    )
    links: list[tuple[str, str]] = []
    blocks = markdown_blocks(body, {name: Style() for name in STYLE_NAMES}, links)
    line = next(b.content.plain for b in blocks if "heron" in b.content.plain)
    number = (
        links.index(
            ("image: A heron on the quay", "https://quay-times.example/photos/heron-small.jpg")
        )
        + 1
    )
    assert f"heron [image {number}: A heron on the quay][{number + 1}] watches" in line
    assert links[number][1] == "https://quay-times.example/photos/heron.jpg"


def test_images_without_a_picture_to_show() -> None:
    links: list[tuple[str, str]] = []
    styles = {name: Style() for name in STYLE_NAMES}
    (block,) = markdown_blocks("A ![](https://x.example/a.png) and ![only alt]() b", styles, links)
    assert block.content.plain == "A [image 1] and [image: only alt] b"
    assert links == [("image", "https://x.example/a.png")]


def test_a_link_inside_emphasis_keeps_the_space_before_it() -> None:
    # html2text strips the first text of an emphasis: "**you're[testing](...)**".
    filler = "<p>" + "The tide tables are printed each week by the harbour office. " * 12 + "</p>"
    html = (
        "<html><head><title>Tide tests</title></head><body><article><h1>Tide tests</h1>"
        "<p><strong>So finally you're <a href='/testing'>testing your code</a>? Great!</strong>"
        " More text follows here.</p>"
        f"{filler}<p><em>Photos by <a href='/cm'>cmgirl</a></em></p>{filler}"
        "</article></body></html>"
    )
    body = parse_html(html, URL).body or ""
    assert "**So finally you're [testing your code](https://quay-times.example/testing)?" in body
    assert "*Photos by [cmgirl](https://quay-times.example/cm)*" in body
    assert "\ue00a" not in body


def test_a_feed_item_becomes_markdown_as_a_page_does() -> None:
    # One path (base.html_markdown): a feed item's HTML, converted when it is read,
    # gets the page's fixes: spaces kept, script links and tracking pixels gone.
    from reader.base.fragments import html_to_markdown

    item = (
        "<p><strong>So finally you're <a href='/testing'>testing your code</a>? Great!</strong>"
        " Read <a href='javascript:alert(1)'>this</a>.</p>"
        "<p>Mashable <a href='https://m.example/'>reports </a>it.</p>"
        "<p><img src='/heron.jpg' alt='A heron on the quay'>"
        "<img src='https://feeds.example/pixel.gif' width='1' height='1'></p>"
    )
    markdown = html_to_markdown(item, URL)
    page = parse_html(
        "<html><head><title>Tide tests</title></head><body><article><h1>Tide tests</h1>"
        + item
        + "<p>"
        + "The tide tables are printed each week by the harbour office. " * 12
        + "</p></article></body></html>",
        URL,
    ).body
    assert page is not None
    for expected in (
        "**So finally you're [testing your code](https://quay-times.example/testing)?",
        "Read this.",
        "[reports](https://m.example/) it.",
        "![A heron on the quay](https://quay-times.example/heron.jpg)",
    ):
        assert expected in markdown
        assert expected in page
    assert "pixel" not in markdown and "javascript" not in markdown and "\ue00a" not in markdown
