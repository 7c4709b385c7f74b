"""Hostile and broken feeds: no item feedparser can read is lost, no title carries an
escape fragment, no link a control character, and an undated feed is not slow."""

from __future__ import annotations

import importlib.util
import json
import unicodedata
from pathlib import Path

import feedparser
import pytest
from http_server import send, serve

from reader.feeds import parse as feed_parse
from reader.feeds.parse import parse_feed

from conftest import run_reader

FEED_URL = "http://hostile.example/feed.xml"
HEAD = (
    '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
    "<title>Hostile</title><link>http://hostile.example/</link>"
)
TAIL = "</channel></rss>"
UNSAFE = {chr(c) for c in [*range(0x20), *range(0x7F, 0xA0), *range(0x202A, 0x202F)]} | {
    chr(c) for c in range(0x2066, 0x206A)
}


def item(n: int, title: str | None = None, description: str | None = None) -> str:
    return (
        f"<item><title>{title if title is not None else f'Story {n}'}</title>"
        f"<link>http://hostile.example/{n}</link><guid>http://hostile.example/{n}</guid>"
        f"<description>{description if description is not None else f'Body {n}.'}"
        "</description></item>"
    )


def feed(*items: str) -> bytes:
    return (HEAD + "".join(items) + TAIL).encode()


def feedparser_titles(document: bytes) -> list[str]:
    """The items' titles as feedparser alone reads them (the reference)."""
    entries = feedparser.parse(document, sanitize_html=False).entries
    return [feed_parse._plain(e.get("title")) for e in entries]


ESCAPED_TITLE = "<![CDATA[Roses are \x1b[0;31mred\x1b[0m, violets are ]]>"
ESC_FEED = (
    HEAD
    + item(0)
    + item(1, ESCAPED_TITLE)
    + item(2)
    # A link with C1 controls (CSI, ST, OSC), DEL and a right-to-left override in it.
    + "<item><title>Story 3</title><link>http://hostile.example/3\u009b\u009c\u009d\x7f\u202e"
    "x</link><description>Body 3.</description></item>" + TAIL
).encode()


def test_escape_bytes_in_a_cdata_title_lose_no_item_and_leave_no_fragment(home: Path) -> None:
    with serve({"/feed.xml": send(200, ESC_FEED, "application/rss+xml")}) as base:
        added = run_reader(home, "feed", "add", f"{base}/feed.xml")
    assert added.returncode == 0, added.stderr
    assert "4 stories" in added.stdout
    stories = json.loads(run_reader(home, "list", "--json").stdout)
    titles = sorted(s["title"] for s in stories)
    assert len(titles) == 4 and titles[:1] == ["Roses are red, violets are"]
    for title in titles:
        assert not any(junk in title for junk in ("[0;31m", "[0m", "]>", "\x1b")), title
    for story in stories:  # (feedparser turns C1 controls into the cp1252 characters)
        assert not UNSAFE & set(story["url"]), repr(story["url"])
    paths = sorted(s["url"].removeprefix("http://hostile.example/") for s in stories)
    assert [path[:1] for path in paths] == ["0", "1", "2", "3"]


CUT = feed(*(item(n) for n in range(5)))
TRUNCATED = CUT[: CUT.index(b"<link>http://hostile.example/4") + 20]  # inside item 5's link


def test_a_feed_cut_off_inside_an_item_keeps_every_item_and_no_broken_link() -> None:
    pages = [page for _, page in parse_feed(TRUNCATED, FEED_URL).pages]
    assert [p.title for p in pages] == [f"Story {n}" for n in range(5)]
    assert [p.title for p in pages] == feedparser_titles(TRUNCATED)
    for n, page in enumerate(pages):  # the cut link is dropped, not stored as "http://ho"
        assert page.url in (None, f"http://hostile.example/{n}")


UNCLOSED = {
    "an unclosed <b> in the description": item(1, description="<b>Body 1."),
    "an unclosed </item>": item(1).removesuffix("</item>"),
    "a bare ampersand": item(1, title="Fish & chips"),
}


@pytest.mark.parametrize("case", UNCLOSED)
def test_an_ill_formed_second_item_of_five_loses_nothing(case: str) -> None:
    document = feed(item(0), UNCLOSED[case], *(item(n) for n in range(2, 5)))
    titles = [page.title for _, page in parse_feed(document, FEED_URL).pages]
    assert len(titles) == 5
    assert titles == feedparser_titles(document)


def test_an_item_after_the_root_element_is_read() -> None:
    document = feed(item(0), item(1)) + item(2).encode()
    titles = [page.title for _, page in parse_feed(document, FEED_URL).pages]
    assert titles == feedparser_titles(document) == ["Story 0", "Story 1", "Story 2"]


def test_an_undated_feed_is_read_fast_and_never_dated_by_its_guid(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # fastfeedparser tried each undated item's guid as a date with dateutil, then
    # dateparser (about 1 ms each: minutes for 100k items), and dated guid "1234" 1234.
    slow: list[str] = []

    def record(value: str, *args: object, **kwargs: object) -> None:
        slow.append(value)
        raise ValueError(value)

    import dateutil.parser

    monkeypatch.setattr(dateutil.parser, "parse", record)
    if importlib.util.find_spec("dateparser") is not None:
        import dateparser

        monkeypatch.setattr(dateparser, "parse", record)

    def not_feedparser(*args: object, **kwargs: object) -> None:
        pytest.fail("a well-formed feed was handed to feedparser")

    monkeypatch.setattr(feedparser, "parse", not_feedparser)
    items = "".join(
        f"<item><title>Undated {n}</title><link>http://undated.example/{n}</link>"
        f'<guid isPermaLink="false">{1000 + n if n % 2 else f"story-{n}"}</guid>'
        f"<description>Body {n}.</description></item>"
        for n in range(10_000)
    )
    document = f'<rss version="2.0"><channel><title>Undated</title>{items}</channel></rss>'
    pages = [page for _, page in parse_feed(document.encode(), FEED_URL).pages]
    assert len(pages) == 10_000
    assert [p.published for p in pages if p.published] == []
    assert slow == []


def test_a_date_element_the_fast_formats_do_not_read_still_dates_its_item() -> None:
    document = feed(
        item(0).replace("</item>", "<pubDate>June 1, 2025</pubDate></item>"),
        item(1).replace("</item>", "<pubDate>Sun, 01 Jun 2025 10:00:00 +0200</pubDate></item>"),
    )
    dates = [p.published or "" for _, p in parse_feed(document, FEED_URL).pages]
    assert dates[0].startswith("2025-06-01") and dates[1] == "2025-06-01T08:00:00+00:00"


HOSTILE_LINK = "http://hostile.example/a\u009b\u009c\u009d\x7f\u202a\u202e\u2066\u2069\x01b"


@pytest.mark.parametrize("reader", ["fast", "feedparser", "json"])
def test_item_links_are_cleaned_of_control_characters(reader: str) -> None:
    if reader == "json":
        document = json.dumps(
            {
                "version": "https://jsonfeed.org/version/1.1",
                "title": "J",
                "items": [{"id": "1", "title": "One", "url": HOSTILE_LINK}],
            }
        ).encode()
    else:
        escaped = HOSTILE_LINK.replace("\x01", "")  # XML 1.0 allows no C0 control at all
        document = feed(
            f"<item><title>One</title><link>{escaped}</link></item>",
            "<item><title>Fish & chips</title></item>" if reader == "feedparser" else "",
        )
    ((key, page), *_) = parse_feed(document, FEED_URL).pages
    assert page.canonical_url is None  # a feed declares none: the link is stored once
    for text in (key, page.url):
        assert text and text.startswith("http://hostile.example/a")
        assert not UNSAFE & set(text), repr(text)
        assert not any(unicodedata.category(c) in ("Cc", "Cf") for c in text), repr(text)
