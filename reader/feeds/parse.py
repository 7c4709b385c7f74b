"""A feed document into pages: one per item.

fastfeedparser reads well-formed feeds; feedparser, the reference parser for RSS
0.9x/1.0/2.0 and Atom 0.3/1.0, reads everything else (wrong encodings, relative
links, HTML in titles). Its HTML sanitizer is off: an item keeps its HTML (control
characters stripped) and a plain-text rendering for search; html2text turns the
HTML into Markdown when the story is read (``reader.ingest.fragments``), so nothing
from the feed reaches the terminal as markup. JSON Feed, which feedparser does not
read, is handled here.
"""

from __future__ import annotations

import calendar
import hashlib
import html
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

from reader.ingest.clean import clean_line, clean_text
from reader.ingest.dates import parse_date
from reader.ingest.decode import looks_like_html
from reader.ingest.fragments import html_to_text
from reader.ingest.pipeline import content_hash
from reader.models import Page
from reader.store.store import StoryRow, prepare

_TAGS = re.compile(r"<[^>]+>")
_FEEDPARSER_ONLY = re.compile(rb"purl\.org/atom/ns#")
_XML_ENCODING = re.compile(rb"""encoding\s*=\s*["']([A-Za-z0-9._-]+)""")


class FeedError(ValueError):
    """The document is not a feed; the message says why."""


@dataclass
class ParsedFeed:
    title: str | None
    pages: list[tuple[str, Page]] = field(default_factory=list)
    """``(identity, page)``: the item's link, or the feed URL plus its id."""
    rows: list[StoryRow] = field(default_factory=list)
    """The pages as story rows, made where they were parsed (off the storing process)."""

    def prepare_rows(self) -> None:
        """Make the story rows; each row's hash is of what was parsed from its item, so an
        unchanged item can be left alone."""
        self.rows = [
            prepare(
                key,
                content_hash(
                    "\x00".join(
                        (p.title, p.body_html or p.body, p.url or "", p.published or "",
                         p.author or "", p.site or "", ",".join(p.section))
                    ).encode()
                ),
                p,
            )
            for key, p in self.pages
        ]  # fmt: skip

    alternate: str | None = None
    """For an HTML page: the feed it announces with ``<link rel="alternate">``."""


def _plain(text: str | None) -> str:
    """A title that may hold HTML, as one clean line of text."""
    return clean_line(html.unescape(_TAGS.sub("", text or "")))


def _base(feed_url: str, site: object) -> str:
    """What relative links resolve against: the feed's URL, or for a local feed file the
    site it names (its channel link)."""
    if feed_url.startswith(("http://", "https://")) or not isinstance(site, str):
        return feed_url
    return urljoin(feed_url, site)


def _absolute(base: str, link: str | None) -> str | None:
    """``link`` resolved against ``base`` (urljoin is slow: most links are absolute)."""
    if not link:
        return None
    if link.startswith(("https://", "http://")) and "/." not in link:
        return link
    return urljoin(base, link)


def _identity(feed_url: str, link: str | None, guid: str | None, title: str) -> str:
    if link:
        return link
    key = guid or hashlib.sha256(title.encode()).hexdigest()[:16]
    return f"{feed_url}#{key}"


def parse_feed(data: bytes, feed_url: str) -> ParsedFeed:
    """Parse a feed document fetched from ``feed_url``."""
    head = data[:512].lstrip()
    if head.startswith(b"{"):
        return _parse_json_feed(data, feed_url)
    fast = _parse_fast(data, feed_url)
    if fast is not None:
        return fast
    import feedparser

    parsed = feedparser.parse(
        data,
        sanitize_html=False,
        resolve_relative_uris=True,
        response_headers={"content-location": feed_url},
    )
    version = parsed.get("version", "")
    if not version and not parsed.entries:
        alternate = _alternate(parsed, data, feed_url)
        if alternate:
            return ParsedFeed(None, alternate=alternate)
        if looks_like_html(data):
            raise FeedError("not a feed: an HTML page that announces no feed")
        reason = parsed.get("bozo_exception")
        detail = f": {str(reason).splitlines()[0][:120]}" if reason else ""
        raise FeedError(f"not a feed{detail}")
    feed = parsed.feed
    title = _plain(feed.get("title")) or None
    result = ParsedFeed(title)
    base = _base(feed_url, feed.get("link"))
    for entry in parsed.entries:
        page = _entry_page(entry, feed_url, base, title)
        if page is not None:
            result.pages.append(page)
    return result


def _parse_fast(data: bytes, feed_url: str) -> ParsedFeed | None:
    """fastfeedparser (lxml, about 100x faster) for well-formed feeds; None hands the
    document to feedparser, which copes with everything else."""
    head = data[:4096]
    if _FEEDPARSER_ONLY.search(head) or b"media:title" in data or b'mode="base64"' in data:
        # Atom 0.3 (base64 and escaped modes, naked markup) is feedparser's; and
        # fastfeedparser lets a Media RSS title override the item's own title.
        # (bench/bench_feed_corpus.py found these in feedparser's test documents.)
        return None
    declared = _XML_ENCODING.search(data[:200])
    if declared is None or declared.group(1).lower().replace(b"_", b"-") in (b"utf-8", b"utf8"):
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:  # a lying declaration: feedparser works out the real one
            return None
    try:
        import fastfeedparser

        parsed = fastfeedparser.parse(data)
    except Exception:  # malformed, odd or not a feed: feedparser decides
        return None
    entries = parsed.get("entries") or []
    if not entries or not any(e.get("title") or e.get("link") for e in entries):
        return None
    title = _plain(parsed.get("feed", {}).get("title")) or None
    result = ParsedFeed(title)
    base = _base(feed_url, parsed.get("feed", {}).get("link"))
    for entry in entries:
        page = _entry_page(entry, feed_url, base, title)
        if page is not None:
            result.pages.append(page)
    return result


def _alternate(parsed: Any, data: bytes, feed_url: str) -> str | None:
    """The feed an HTML page announces (``<link rel="alternate" type="...xml">``)."""
    text = data[:200_000].decode("utf-8", "replace")
    for match in re.finditer(r"<link\b[^>]*>", text, re.IGNORECASE):
        tag = match.group(0)
        if not re.search(r"rel\s*=\s*[\"']?alternate", tag, re.IGNORECASE):
            continue
        if not re.search(r"(rss|atom|feed)\+(xml|json)|application/json", tag, re.IGNORECASE):
            continue
        href = re.search(r"href\s*=\s*[\"']([^\"']+)", tag, re.IGNORECASE)
        if href:
            return urljoin(feed_url, html.unescape(href.group(1)))
    return None


def _when(entry: Any) -> str | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if value:
            try:
                return datetime.fromtimestamp(calendar.timegm(value), UTC).isoformat()
            except (OverflowError, ValueError):
                continue
    for key in ("published", "updated"):
        if entry.get(key):
            return parse_date(entry[key])
    return None


def _entry_page(
    entry: Any, feed_url: str, base: str, feed_title: str | None
) -> tuple[str, Page] | None:
    """An item as a page; None for an item with no title, text or link."""
    link = _absolute(base, entry.get("link"))
    content = ""
    if entry.get("content"):
        content = "\n".join(part.get("value", "") for part in entry["content"])
    content = clean_text(content or entry.get("summary") or entry.get("description") or "")
    body = html_to_text(content) if content else ""
    title = _plain(entry.get("title")) or clean_line(body.split("\n", 1)[0])[:120]
    if not title and not body and not link:
        return None
    title = title or clean_line(link or "")
    author = _plain(entry.get("author")) or None
    if author and author.endswith(")") and "@" in author.split("(")[0]:  # "mail (Name)"
        author = author.rsplit("(", 1)[1].rstrip(")").strip() or author
    tags = [_plain(t.get("term")) for t in entry.get("tags", []) if t.get("term")]
    page = Page(
        title=title or "(untitled item)",
        body=body,
        body_html=content or None,
        site=feed_title,
        section=[t for t in tags if t][:5],
        published=_when(entry),
        author=author,
        url=link,
        canonical_url=link,
        feed_url=feed_url,
    )
    return _identity(feed_url, link, entry.get("id"), title), page


def _parse_json_feed(data: bytes, feed_url: str) -> ParsedFeed:
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise FeedError(f"not a feed: invalid JSON ({exc})") from None
    if not isinstance(document, dict) or "jsonfeed.org" not in str(document.get("version", "")):
        raise FeedError("not a feed: JSON without a JSON Feed version")
    title = _plain(document.get("title")) or None
    result = ParsedFeed(title)
    base = _base(feed_url, document.get("home_page_url"))
    for item in document.get("items", []):
        if not isinstance(item, dict):
            continue
        link = item.get("url") or item.get("external_url")
        link = _absolute(base, link) if isinstance(link, str) else None
        content = None
        if isinstance(item.get("content_html"), str):
            content = clean_text(item["content_html"])
            body = html_to_text(content)
        else:
            body = clean_text(str(item.get("content_text") or item.get("summary") or "")).strip()
        item_title = _plain(item.get("title")) or clean_line(body.split("\n", 1)[0])[:120]
        if not item_title and not body:
            continue
        author = item.get("author") or (item.get("authors") or [{}])[0]
        name = author.get("name") if isinstance(author, dict) else None
        tags = [clean_line(str(t)) for t in item.get("tags", []) if t][:5]
        date = item.get("date_published") or item.get("date_modified")
        page = Page(
            title=item_title or "(untitled item)",
            body=body,
            body_html=content or None,
            site=title,
            section=tags,
            published=parse_date(date) if isinstance(date, str) else None,
            author=clean_line(name) if isinstance(name, str) else None,
            url=link,
            canonical_url=link,
            feed_url=feed_url,
        )
        guid = item.get("id")
        result.pages.append(
            (_identity(feed_url, link, str(guid) if guid else None, item_title), page)
        )
    return result
