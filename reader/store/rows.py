"""A page as the columns of its story row: the pure half of storing a story.

``prepare`` makes the row (ids, folded titles, cleaned links, the lists as JSON)
without a database, so a worker process can make rows while the main process stores
(``Store.save_rows``). The content hash, which tells an unchanged page from a changed
one, is made here too.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import NamedTuple

from reader.base.clean import clean_link, title_key
from reader.base.links import strip_tracking
from reader.base.models import Page

PARSER_VERSION = b"reader-parsers-10"
"""Part of every content hash: bump it when parsing changes, so the same pages
ingested again are parsed again instead of skipped as unchanged."""


class StoryRow(NamedTuple):
    """A page as the columns of its story row: made by ``prepare``, stored by
    ``Store.save_rows``. Plain data, so a worker process can make it."""

    url: str | None
    canonical_url: str | None
    feed_url: str | None
    title: str
    title_key: str
    site: str | None
    section: str
    published: str | None
    author: str | None
    reactions: int | None
    body: str | bytes
    """The text (Markdown, or a feed item's plain text), or once ``packing.packed``
    has run (where the row was made: a worker process) the text as stored."""
    body_html: str | bytes | None
    lists: str | bytes
    """The headline lists as JSON (``_dump_lists``), or once ``packing.packed`` has run,
    as stored."""
    sort_key: str | None
    """When the page was published, else when it first came; None in an update keeps
    the stored one (an undated story keeps its place in the list)."""
    content_hash: str
    id: str
    source: str
    ranking: tuple[tuple[str, str], ...]
    """The page's ranking list as ``(title, title_key)``: not a column."""


def content_hash(data: bytes) -> str:
    """The hash stored with a story, to skip a page whose bytes have not changed."""
    return hashlib.blake2b(PARSER_VERSION + data, digest_size=16).hexdigest()


def story_id(source: str) -> str:
    """The stable id of the story from ``source``: it survives deleting the cache.

    ``source`` is the one ``prepare`` cleaned. (A story stored before sources lost
    their tracking parameters keeps the id of its old source: schema migration 9.)
    """
    return hashlib.sha256(source.encode("utf-8", "surrogatepass")).hexdigest()[:12]


def timestamp() -> str:
    """The time now, as stored (UTC, ISO 8601, to the second)."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def prepare(source: str, content_hash: str, page: Page) -> StoryRow:
    """The story row for ``page`` from ``source`` (pure: no database needed).

    Links are cleaned here, where pages from files, from the web and from feeds all
    pass: a control character in a link never reaches a terminal or the clipboard.
    The source loses its tracking parameters (``strip_tracking``) before it becomes
    the story's id, so the same article linked with ``?utm_source=...`` is one story.
    """
    source = strip_tracking(clean_link(source))
    return StoryRow(
        _link(page.url),
        _link(page.canonical_url),
        page.feed_url,
        page.title,
        title_key(page.title),
        page.site,
        json.dumps(page.section, ensure_ascii=False) if page.section else "[]",
        page.published,
        page.author,
        page.reactions,
        page.body,
        page.body_html,
        _dump_lists(page),
        page.published or timestamp(),
        content_hash,
        story_id(source),
        source,
        tuple((h.title, title_key(h.title)) for h in page.ranking),
    )


def _link(url: str | None) -> str | None:
    return (clean_link(url) or None) if url else None


def _dump_lists(page: Page) -> str:
    """A page's headline lists as compact JSON: ``{kind: [[title, url], ...]}``."""
    if not (page.related or page.ranking or page.recommended):
        return "{}"
    lists = {kind: [[h.title, _link(h.url)] for h in hs] for kind, hs in page.lists().items() if hs}
    return json.dumps(lists, ensure_ascii=False, separators=(",", ":"))
