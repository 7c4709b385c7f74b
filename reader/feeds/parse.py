"""A feed document into pages: one per item.

fastfeedparser reads well-formed feeds; feedparser, the reference parser for RSS
0.9x/1.0/2.0 and Atom 0.3/1.0, reads everything else: wrong encodings, relative
links, HTML in titles, and every document that is not well-formed XML or that
fastfeedparser did not read to the end (it recovers silently, losing items or
mangling their text). Its HTML sanitizer is off: an item keeps its HTML (control
characters stripped) and a plain-text rendering for search; html2text turns the
HTML into Markdown when the story is read (``reader.base.fragments``), so nothing
from the feed reaches the terminal as markup. JSON Feed, which feedparser does not
read, is handled here.
"""

from __future__ import annotations

import calendar
import hashlib
import html
import json
import logging
import pyexpat
import re
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

from reader.base import lead_image
from reader.base.clean import clean_line, clean_text
from reader.base.dates import parse_date
from reader.base.errors import NotAFeed
from reader.base.fragments import html_to_text
from reader.base.links import strip_tracking
from reader.base.models import Page
from reader.ingest.decode import looks_like_html
from reader.store.rows import StoryRow, content_hash, prepare

_log = logging.getLogger(__name__)
_TAGS = re.compile(r"<[^>]+>")
_FEEDPARSER_ONLY = re.compile(rb"purl\.org/atom/ns#")
_UNREAD_DATE = "\x00unread:"
"""Marks a date fastfeedparser's fast formats did not read (see ``_fast_parser``)."""
_UNREAD_COUNT = [0]
"""How many dates have been so marked in this process."""
_NATIVE = threading.local()
"""``read``: whether fastfeedparser's native reader read this thread's last document
(it reads only well-formed UTF-8 XML; anything else goes to its lxml path)."""
_FIRST_TAG = re.compile(rb"<([A-Za-z_][\w.:-]*)")  # the root's start tag, after the prolog
_ROOT_END = re.compile(rb"\s*>(?:\s+|<!--.*?-->|<\?.*?\?>)*", re.DOTALL)


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
    ignored: list[int | None] | None = None
    """Per row, the index of the first ``[[ignore]]`` rule it matches (None for none), when
    the rules went with the feed to its parser (``refresh.parse_safely``)."""


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
    """``link`` cleaned of control characters (C0, C1, DEL, bidi overrides) and resolved
    against ``base`` (urljoin is slow: most links are absolute)."""
    link = clean_line(link) if link else None
    if not link:
        return None
    if link.startswith(("https://", "http://")) and "/." not in link:
        return link
    return urljoin(base, link)


def _identity(feed_url: str, link: str | None, guid: str | None, title: str) -> str:
    if link:
        return strip_tracking(link)
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
            raise NotAFeed("not a feed: an HTML page that announces no feed")
        reason = parsed.get("bozo_exception")
        detail = f": {str(reason).splitlines()[0][:120]}" if reason else ""
        raise NotAFeed(f"not a feed{detail}")
    feed = parsed.feed
    title = _plain(feed.get("title")) or None
    result = ParsedFeed(title)
    base = _base(feed_url, feed.get("link"))
    for entry in parsed.entries:
        page = item_page(entry, feed_url, base, title)
        if page is not None:
            result.pages.append(page)
    return result


def _parse_fast(data: bytes, feed_url: str) -> ParsedFeed | None:
    """fastfeedparser (about 100x faster) for a well-formed feed it reads completely;
    None hands the document to feedparser, which copes with everything else."""
    head = data[:4096]
    if _FEEDPARSER_ONLY.search(head) or b"media:title" in data or b'mode="base64"' in data:
        # Atom 0.3 (base64 and escaped modes, naked markup) is feedparser's; and
        # fastfeedparser lets a Media RSS title override the item's own title.
        # (bench/bench_feed_corpus.py found these in feedparser's test documents.)
        return None
    unread_before = _UNREAD_COUNT[0]
    _NATIVE.read = False
    try:
        parsed = _fast_parser().parse(data)
    except Exception as exc:  # odd or not a feed: feedparser decides (logged)
        _log.debug("%s: the fast parser gave up: %r", feed_url, exc)
        return None
    entries = parsed.get("entries") or []
    if not entries or not any(e.get("title") or e.get("link") for e in entries):
        return None
    if not (_NATIVE.read and _nothing_after_root(data)):
        # Its lxml path recovers from any error without a word, dropping items or
        # mangling text: only a well-formed document with no item lost is taken.
        items = _items_if_well_formed(data)
        if items is None or len(entries) < items:
            return None
    title = _plain(parsed.get("feed", {}).get("title")) or None
    result = ParsedFeed(title)
    base = _base(feed_url, parsed.get("feed", {}).get("link"))
    marked = _UNREAD_COUNT[0] != unread_before  # (another thread's marks only cost a look)
    for entry in entries:
        if marked:
            _unmark_dates(entry)
        page = item_page(entry, feed_url, base, title)
        if page is not None:
            result.pages.append(page)
    return result


def _nothing_after_root(data: bytes) -> bool:
    """Whether only whitespace, comments and processing instructions follow the end tag
    of the root element (fastfeedparser's native reader ignores what does; feedparser
    reads an item there). False when unsure."""
    start = _FIRST_TAG.search(data, 0, 65536)
    if start is None:
        return False
    end = data.rfind(b"</" + start.group(1))
    return end >= 0 and _ROOT_END.fullmatch(data, end + 2 + len(start.group(1))) is not None


class _Entities(Exception):
    """The document declares entities."""


def _refuse_entities(*args: object) -> None:
    raise _Entities


def _items_if_well_formed(data: bytes) -> int | None:
    """How many items (RSS) or entries (Atom) ``data`` has, or None when it is not
    well-formed XML. expat checks it as feedparser's own strict mode does, in one pass
    that builds no tree (control characters, a bare ``&``, an unclosed tag, a cut-off
    end, invalid UTF-8 and a lying declaration all fail); a declared entity (a bomb,
    perhaps) is left to feedparser. The count is of real elements, not of text that
    looks like one in a CDATA section or a comment."""
    found = [0]

    def start(name: str, attrs: object) -> None:
        if name.endswith(("item", "entry")) and name.rpartition(":")[2] in ("item", "entry"):
            found[0] += 1

    parser = pyexpat.ParserCreate()
    parser.StartElementHandler = start
    parser.EntityDeclHandler = _refuse_entities
    try:
        parser.Parse(data, True)
    except (pyexpat.ExpatError, _Entities, LookupError):  # LookupError: unknown encoding
        return None
    except ValueError as exc:  # expat reads no multi-byte encoding (Shift_JIS, GB2312)
        if "multi-byte" not in str(exc):
            return None
        return _items_by_libxml2(data)
    return found[0]


def _items_by_libxml2(data: bytes) -> int | None:
    """``_items_if_well_formed`` for the encodings expat cannot read (libxml2 can, as
    fastfeedparser does)."""
    from lxml import etree

    strict = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    try:
        root = etree.fromstring(data, strict)
    except etree.XMLSyntaxError:
        return None
    if root.getroottree().docinfo.internalDTD is not None:  # entities, perhaps
        return None
    return sum(1 for _ in root.iter("{*}item", "{*}entry"))


class _Unread(Exception):
    """A date fastfeedparser's fast formats did not read."""


def _refuse_date(value: str) -> None:
    raise _Unread


def _fast_parser() -> Any:
    """fastfeedparser, telling ``_NATIVE`` which reader read the document, and with its
    date parsing bounded to its fast formats (RFC 822, ISO 8601). Any other value comes
    back marked with ``_UNREAD_DATE``, unparsed: its fallback (dateutil, then
    dateparser) took about 1 ms a value, and it tries an undated item's guid as a date
    (a 100k-item undated feed took minutes; guid "1234" became the year 1234, where
    feedparser dates an item only by its date elements). ``_unmark_dates`` drops a
    guid's mark and leaves other values to ``parse_date``, as the feedparser path does
    with the dates feedparser cannot read."""
    import fastfeedparser
    import fastfeedparser.main as ffp

    native = getattr(ffp, "_parse_with_core", None)
    if callable(native) and not getattr(native, "_reader_hook", False):

        def traced(*args: Any, **kwargs: Any) -> Any:
            result = native(*args, **kwargs)
            _NATIVE.read = result is not None  # None: handed on to the lxml path
            return result

        traced._reader_hook = True  # type: ignore[attr-defined]
        ffp._parse_with_core = traced
    original = getattr(ffp, "_parse_date", None)
    if callable(original) and not getattr(original, "_reader_hook", False):
        if hasattr(ffp, "_slow_dateutil_parse"):
            ffp._slow_dateutil_parse = _refuse_date  # the first slow fallback; stop there

        def hooked(value: str) -> str | None:
            try:
                parsed: str | None = original(value)
                return parsed
            except _Unread:
                _UNREAD_COUNT[0] += 1
                return _UNREAD_DATE + value

        hooked._reader_hook = True  # type: ignore[attr-defined]
        ffp._parse_date = hooked
    return fastfeedparser


def _unmark_dates(entry: Any) -> None:
    """Undo ``_fast_parser``'s marks: a guid tried as a date goes, other values stay
    raw for ``_when``."""
    for key in ("published", "updated"):
        value = entry.get(key)
        if isinstance(value, str) and value.startswith(_UNREAD_DATE):
            raw = value[len(_UNREAD_DATE) :].strip()
            if not raw or raw == entry.get("id"):  # fastfeedparser's guess from the guid
                del entry[key]
            else:
                entry[key] = raw


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


def item_page(
    entry: Any, feed_url: str, base: str, feed_title: str | None
) -> tuple[str, Page] | None:
    """An item as a page; None for an item with no title, text or link."""
    link = _absolute(base, entry.get("link"))
    content = ""
    if entry.get("content"):
        content = "\n".join(part.get("value", "") for part in entry["content"])
    content = clean_text(content or entry.get("summary") or entry.get("description") or "")
    content = lead_image.in_html(content, *lead_image.from_feed_item(entry, link or base))
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
        canonical_url=None,  # a feed declares none: the link is the url, stored once
        feed_url=feed_url,
    )
    return _identity(feed_url, link, entry.get("id"), title), page


def _parse_json_feed(data: bytes, feed_url: str) -> ParsedFeed:
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise NotAFeed(f"not a feed: invalid JSON ({exc})") from None
    if not isinstance(document, dict) or "jsonfeed.org" not in str(document.get("version", "")):
        raise NotAFeed("not a feed: JSON without a JSON Feed version")
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
            picture = item.get("image") or item.get("banner_image")
            content = lead_image.in_html(
                clean_text(item["content_html"]), lead_image.picture_url(picture, link or base)
            )
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
            canonical_url=None,
            feed_url=feed_url,
        )
        guid = item.get("id")
        result.pages.append(
            (_identity(feed_url, link, str(guid) if guid else None, item_title), page)
        )
    return result
