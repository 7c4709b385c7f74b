"""Article extraction from HTML pages: what a reader sees of a saved page."""

from __future__ import annotations

import random
import re

import pytest

from reader.base.errors import PageError
from reader.ingest.extract import Extracted, extract_article

from conftest import FIXTURES

HTML = FIXTURES / "html"
NEWS_URL = "https://www.saltmarsh-gazette.example/news/2025/03/14/lighthouse-library"


def _page(name: str) -> str:
    return (HTML / f"extract-{name}.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def news() -> Extracted:
    return extract_article(_page("news"), NEWS_URL)


def test_news_page_metadata(news: Extracted) -> None:
    assert news.title == "Lighthouse cottage reopens as village library"
    assert news.site == "The Saltmarsh Gazette"
    assert news.author == "Marta Quill"
    assert news.published == "2025-03-14T08:30:00+00:00"
    assert news.canonical_url == NEWS_URL
    assert news.description == (
        "The keepers' cottage at Gull Point has become a library run by volunteers."
    )


def test_news_page_body_is_the_article(news: Extracted) -> None:
    paragraphs = news.body.split("\n\n")
    assert paragraphs[0].startswith("The keepers' cottage at Gull Point, empty since")
    assert paragraphs[-1].endswith("so that they can be copied and returned.")
    for sentence in (
        "More than two hundred people queued along the sea wall",
        "Instead we had half the county here.",
        "are now on display in a glass case",
    ):
        assert sentence in news.body
    # the headline is shown apart from the body, not repeated at its top
    assert not news.body.startswith("#")
    assert news.body.count("Lighthouse cottage reopens") == 0


@pytest.mark.parametrize(
    "boilerplate",
    [
        "cookies",  # cookie banner
        "Accept all",
        "Crosswords and puzzles",  # navigation
        "Share on Facebook",  # share buttons
        "Copy link",
        "Email this article",
        "Related stories",  # related list
        "Ferry timetable changes for spring",
        "Most read",  # most-read list
        "Harbour crane gets a new coat of paint",
        "Leave a comment",  # comment form
        "Post comment",
        "Join the discussion",
        "Privacy policy",  # footer
        "Contact the newsroom",
        "dataLayer",  # script and style
        "color: #333",
    ],
)
def test_news_page_body_has_no_boilerplate(news: Extracted, boilerplate: str) -> None:
    assert boilerplate not in news.body


def test_news_page_body_is_markdown(news: Extracted) -> None:
    body = news.body
    assert "\n\n## A second life for the keepers' cottage\n\n" in body
    assert "- Tuesday mornings, with a story hour for under-fives\n" in body
    assert "**Ruth Amberley**, who chairs" in body
    assert "*book-a-brick*" in body
    # links come out absolute, resolved against the page's address
    assert (
        "[trust's earlier announcement]"
        "(https://www.saltmarsh-gazette.example/news/2023/09/02/book-a-brick)"
    ) in body
    # one paragraph a line, no hard wrapping, no raw HTML
    assert "automated in 1987, reopened on Saturday" in body
    assert not re.search(r"</?[a-z]+[ >]", body)
    assert "\n\n\n" not in body
    assert not re.search(r"[ \t]$", body, re.MULTILINE)


def test_article_only_in_json_ld() -> None:
    page = extract_article(_page("jsonld-only"), "https://coastline-daily.example/x")
    assert page.title == "Tide mill grinds its first flour in a century"
    assert page.author == "Isla Fenwick, Tom Harrow"
    assert page.published == "2025-02-02"
    assert page.site == "Coastline Daily"
    paragraphs = page.body.split("\n\n")
    assert len(paragraphs) == 4
    assert paragraphs[0].startswith("The tide mill at Brackwater ground its first sack")
    assert paragraphs[-1].endswith("timed to the tide tables.")
    assert "JavaScript" not in page.body
    assert "Loading" not in page.body


def test_not_found_page_has_no_article() -> None:
    page = extract_article(_page("404"), "https://www.saltmarsh-gazette.example/nope")
    assert page.body == ""
    assert page.site == "The Saltmarsh Gazette"


def test_truncated_page_keeps_what_arrived() -> None:
    page = extract_article(_page("truncated"))
    assert page.title == "Allotment society wins battle over water meters"
    assert page.site == "Fenland Echo"
    assert page.author == "Priya Lowden"
    assert page.body.startswith("Plot holders at the Marsh Lane allotments")
    assert '"Common sense has won the day."' in page.body
    assert page.body.endswith("comes up for ren")
    assert "Gardening" not in page.body


def test_site_suffix_is_cut_from_the_title() -> None:
    page = extract_article(_page("title-suffix"), "https://coastline-daily.example/buses")
    assert page.title == "Night buses return to the coast road"
    # the name the suffix gave is the best guess at the site when nothing declares one
    assert page.site == "Coastline Daily"
    assert page.published == "2025-01-20T18:05:00+00:00"
    # the dateline is metadata, not a paragraph of the article
    assert page.body.startswith("Late-night buses will run along the coast road")
    assert "Published" not in page.body
    assert page.canonical_url is None


def test_dates_inside_sentences_keep_their_text() -> None:
    html = (
        "<html><body><article>"
        + "<p>The council meets on <time datetime='2025-05-06'>Tuesday 6 May</time> to vote"
        " on the harbour plan, which has been argued over for years.</p>"
        * 6
        + "</article></body></html>"
    )
    page = extract_article(html)
    assert "The council meets on Tuesday 6 May to vote on the harbour plan" in page.body
    assert page.published == "2025-05-06"


@pytest.mark.parametrize(
    ("title", "meta", "expected"),
    [
        ("Harbour ferry returns | Tide Times", "Tide Times", "Harbour ferry returns"),
        ("Tide Times | Harbour ferry returns", "Tide Times", "Harbour ferry returns"),
        ("Harbour ferry returns - Local - Tide Times", "Tide Times", "Harbour ferry returns"),
        # a separator inside the headline itself stays
        ("Ferry - the return of a lifeline | Tide Times", "Tide Times", None),
        ("Harbour ferry returns", "Tide Times", None),
    ],
)
def test_title_suffix_variants(title: str, meta: str, expected: str | None) -> None:
    h1 = expected or title.split(" | ")[0]
    html = (
        f'<html><head><title>{title}</title><meta property="og:site_name" content="{meta}">'
        f"</head><body><h1>{h1}</h1><p>{'Words about the ferry. ' * 30}</p></body></html>"
    )
    assert extract_article(html).title == (expected or h1)


def test_strings_are_free_of_control_characters() -> None:
    html = (
        "<html><head><title>Bad\x1b[2J title\x07</title>"
        '<meta name="author" content="Ann\x1b]0;pwned\x07 Lee"></head>'
        "<body><article><h1>x</h1>"
        + "<p>Text with an escape \x1b[31mred\x1b[0m and a bell\x07 in it, " * 20
        + "</p></article></body></html>"
    )
    page = extract_article(html)
    for value in (page.title, page.author, page.body):
        assert value is not None
        assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", value)
    assert page.title == "Bad title"
    assert page.author == "Ann Lee"
    assert "escape red and a bell in it" in page.body


def test_literal_angle_brackets_do_not_become_html() -> None:
    html = (
        "<html><body><article>"
        + "<p>Type &lt;b&gt;bold&lt;/b&gt; to make text bold in the old editor, they said.</p>" * 8
        + "</article></body></html>"
    )
    body = extract_article(html).body
    assert "\\<b>bold\\</b>" in body
    assert "<b>" not in body.replace("\\<b>", "")


@pytest.mark.parametrize(
    "html",
    [
        "",
        "   \n\t ",
        "not html at all",
        "<html>",
        "<html><body></body></html>",
        "<p>a lone paragraph</p>",
        '<?xml version="1.0" encoding="utf-8"?><html><body><p>x</p></body></html>',
        "<html><body>\x00\x01\x02<p>nul bytes</p>\ud800</body></html>",
        "<html><head><script type='application/ld+json'>{bad json</script></head></html>",
        '<html><head><script type=\'application/ld+json\'>[1, "x", null, {"@type": 3}]'
        "</script></head><body><p>x</p></body></html>",
        '<html><head><link rel="canonical" href="http://[bad"><base href="http://[x">'
        '</head><body><a href="http://[y">z</a></body></html>',
        "<" * 5000,
        "<div>" * 200 + "deep" + "</div>" * 200,
    ],
    ids=lambda html: repr(html[:30]),
)
def test_bad_html_never_raises(html: str) -> None:
    page = extract_article(html, "https://example.org/page")
    assert isinstance(page, Extracted)
    assert isinstance(page.body, str)


def test_nesting_beyond_the_parser_is_a_page_error_not_an_empty_article() -> None:
    # libxml2 stops at 256 levels and drops what is below: that must not pass for
    # an article without a body.
    with pytest.raises(PageError, match="too deeply"):
        extract_article("<div>" * 3000 + "deep" + "</div>" * 3000, "https://example.org/page")


def test_mangled_tag_names_keep_the_article() -> None:
    html = (
        "<html><body><article>"
        + "<p>Words of a story that was saved badly, with its code below.</p>"
        '<pre><span,class="k">def</span,class="k"> f(x): return {x: 1}</pre>'
        * 5
        + "</article></body></html>"
    )
    body = extract_article(html).body
    assert "Words of a story that was saved badly" in body
    assert "def f(x): return {x: 1}" in body


def test_binary_garbage_never_raises() -> None:
    rng = random.Random(7)
    for _ in range(20):
        data = bytes(rng.randrange(256) for _ in range(4000))
        page = extract_article(data.decode("latin-1"))
        assert isinstance(page.body, str)
        assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", page.body)
