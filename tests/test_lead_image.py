"""A story's lead picture: a page's ``og:image`` (or JSON-LD image), a feed item's
``media:content``/thumbnail/enclosure or a JSON Feed ``image``, put above the body
as a numbered picture unless the body shows it already."""

from __future__ import annotations

import json

from reader.base.fragments import html_to_markdown
from reader.base.lead_image import from_feed_item, in_html, in_markdown
from reader.feeds.parse import parse_feed
from reader.ingest.htmlpage import parse_html

BODY = "<p>" + "The harbour bonds sold out within the hour, traders said. " * 6 + "</p>"


def page(head: str, body: str = BODY) -> str:
    return (
        f"<html><head><title>Harbour bonds sell out</title>{head}</head>"
        f"<body><article><h1>Harbour bonds sell out</h1>{body}"
        f"<p>{'Buyers came from every port along the coast. ' * 6}</p></article></body></html>"
    )


def test_a_pages_og_image_leads_its_body() -> None:
    head = (
        '<meta property="og:image" content="/pics/bonds.jpg?w=1200">'
        '<meta property="og:image:alt" content="Traders at the quay">'
    )
    parsed = parse_html(page(head), "https://news.example/markets/bonds")
    first = parsed.body.split("\n\n", 1)[0]
    assert first == "![Traders at the quay](https://news.example/pics/bonds.jpg?w=1200)"
    assert "harbour bonds sold out" in parsed.body


def test_a_lead_picture_the_body_shows_is_not_shown_twice() -> None:
    head = '<meta property="og:image" content="https://cdn.example/bonds.jpg?crop=1">'
    shown = '<p><img src="https://cdn.example/bonds.jpg?w=600" alt="The quay"></p>'
    parsed = parse_html(page(head, shown + BODY), "https://news.example/bonds")
    assert parsed.body.count("cdn.example/bonds.jpg") == 1


def test_json_ld_image_and_no_unsafe_addresses() -> None:
    ld = {"@type": "NewsArticle", "headline": "Harbour bonds", "image": [{"url": "/ld.png"}]}
    head = f'<script type="application/ld+json">{json.dumps(ld)}</script>'
    parsed = parse_html(page(head), "https://news.example/a")
    assert parsed.body.startswith("![](https://news.example/ld.png)")
    for bad in ("javascript:alert(1)", "file:///etc/passwd", "data:image/png;base64,AAAA"):
        head = f'<meta property="og:image" content="{bad}">'
        assert "![" not in parse_html(page(head), "https://news.example/a").body


def test_alt_text_cannot_break_the_markdown() -> None:
    body = in_markdown("Text.", "https://a.example/x (1).jpg", "a ] b [ c\x1b[2J")
    assert body.startswith("![a \\] b \\[ c")
    assert "(https://a.example/x%20%281%29.jpg)" in body
    assert "\x1b" not in body
    assert in_markdown("", "https://a.example/x.jpg") == ""  # no body: nothing to lead
    assert in_html("<p>x</p>", None) == "<p>x</p>"


RSS = """<?xml version="1.0"?>
<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel>
<title>Harbour News</title><link>https://news.example/</link>
<item><title>With media content</title><link>https://news.example/1</link>
<description>&lt;p&gt;The bonds sold out.&lt;/p&gt;</description>
<media:content url="https://news.example/big.jpg" medium="image" type="image/jpeg"/></item>
<item><title>With an enclosure</title><link>https://news.example/2</link>
<description>&lt;p&gt;The quay was busy.&lt;/p&gt;</description>
<enclosure url="/e.png" type="image/png" length="10"/></item>
<item><title>With a podcast</title><link>https://news.example/3</link>
<description>&lt;p&gt;Listen.&lt;/p&gt;</description>
<enclosure url="https://news.example/a.mp3" type="audio/mpeg" length="10"/></item>
<item><title>Shown already</title><link>https://news.example/4</link>
<description>&lt;p&gt;&lt;img src="https://news.example/big4.jpg"&gt; Look.&lt;/p&gt;</description>
<media:content url="https://news.example/big4.jpg?w=90" medium="image"/></item>
</channel></rss>"""


def test_a_feed_items_picture_leads_its_text() -> None:
    items = {
        page.title: page for _, page in parse_feed(RSS.encode(), "https://news.example/rss").pages
    }
    markdown = {
        title: html_to_markdown(item.body_html or "", item.url) for title, item in items.items()
    }
    assert markdown["With media content"].startswith("![](https://news.example/big.jpg)")
    assert markdown["With an enclosure"].startswith("![](https://news.example/e.png)")
    assert "![" not in markdown["With a podcast"]
    assert markdown["Shown already"].count("big4.jpg") == 1
    assert items["With media content"].body == "The bonds sold out."  # the index's text


def test_feedparsers_thumbnails_and_a_json_feeds_image() -> None:
    entry = {"media_thumbnail": [{"url": "https://a.example/t.jpg"}], "title": "x"}
    assert from_feed_item(entry, None) == ("https://a.example/t.jpg", None)
    document = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "Harbour",
        "home_page_url": "https://news.example/",
        "items": [
            {"id": "1", "url": "https://news.example/1", "title": "Bonds",
             "content_html": "<p>Sold out.</p>", "image": "/lead.jpg"},
        ],
    }  # fmt: skip
    ((_, item),) = parse_feed(json.dumps(document).encode(), "https://news.example/feed.json").pages
    assert html_to_markdown(item.body_html or "", item.url).startswith(
        "![](https://news.example/lead.jpg)"
    )
