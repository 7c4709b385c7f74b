"""Refresh feeds: fetch them concurrently with conditional GET, store what changed.

Fetching runs in threads (it waits on the network); parsing and storing run here,
as each feed arrives. A feed that fails is recorded with its reason and the rest
go on.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from reader.feeds.parse import FeedError, ParsedFeed, parse_feed
from reader.ingest.fetch import FetchedFeed, FetchError, feed_client, fetch_feed
from reader.ingest.pipeline import content_hash
from reader.models import Feed
from reader.store import Store

THREADS = 8


@dataclass
class RefreshReport:
    """What a refresh did."""

    feeds: int = 0
    new: int = 0
    updated: int = 0
    not_modified: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"refreshed {self.feeds} feeds: {self.new} new, {self.updated} updated stories, "
            f"{self.not_modified} not modified, {len(self.failures)} failed"
        )


def is_local(url: str) -> bool:
    return url.startswith("file://") or "://" not in url


def local_path(url: str) -> Path:
    """The file a local feed names (a path or a ``file://`` URL)."""
    if url.startswith("file://"):
        return Path(url2pathname(urlsplit(url).path))
    return Path(url).expanduser()


def read_feed(client: object | None, feed: Feed) -> FetchedFeed:
    """Fetch (or read, for a local file) one feed."""
    if is_local(feed.url):
        try:
            data = local_path(feed.url).read_bytes()
        except OSError as exc:
            raise FetchError(exc.strerror or str(exc)) from None
        return FetchedFeed(feed.url, data, None, None)
    return fetch_feed(client, feed.url, feed.etag, feed.last_modified)


def store_feed(store: Store, parsed: ParsedFeed) -> tuple[int, int]:
    """Store a parsed feed's items as stories; returns (new, updated).

    An item's hash is that of what was parsed from it, so an unchanged item in a
    changed feed is left alone (and keeps its place and marks).
    """
    pages = [(key, content_hash(repr(page).encode()), page) for key, page in parsed.pages]
    outcomes = store.save_pages(pages)
    return outcomes.count("ingested"), outcomes.count("updated")


def refresh(
    store: Store,
    feeds: Sequence[Feed],
    on_progress: Callable[[int, int], None] | None = None,
    on_failure: Callable[[str, str], None] | None = None,
) -> RefreshReport:
    """Refresh ``feeds``; report progress as (done, total) and each failure."""
    report = RefreshReport(feeds=len(feeds))
    if not feeds:
        return report
    client = feed_client(THREADS) if any(not is_local(f.url) for f in feeds) else None
    try:
        with ThreadPoolExecutor(min(THREADS, len(feeds))) as pool:
            futures = {pool.submit(read_feed, client, feed): feed for feed in feeds}
            for done, future in enumerate(as_completed(futures), 1):
                feed = futures[future]
                try:
                    fetched = future.result()
                    if fetched.data is None:
                        report.not_modified += 1
                        store.record_refresh(
                            feed.url, etag=fetched.etag, last_modified=fetched.last_modified
                        )
                    else:
                        parsed = parse_feed(fetched.data, feed.url)
                        if parsed.alternate and not parsed.pages:
                            raise FeedError(f"an HTML page; its feed is {parsed.alternate}")
                        new, updated = store_feed(store, parsed)
                        report.new += new
                        report.updated += updated
                        store.record_refresh(
                            feed.url,
                            title=parsed.title,
                            etag=fetched.etag,
                            last_modified=fetched.last_modified,
                        )
                except (FetchError, FeedError) as exc:
                    _fail(store, report, feed.url, str(exc), on_failure)
                except Exception as exc:  # a parser bug must not stop the other feeds
                    _fail(store, report, feed.url, f"{type(exc).__name__}: {exc}", on_failure)
                if on_progress is not None:
                    on_progress(done, len(feeds))
    finally:
        if client is not None:
            client.close()  # type: ignore[attr-defined]
    return report


def _fail(
    store: Store,
    report: RefreshReport,
    url: str,
    reason: str,
    on_failure: Callable[[str, str], None] | None,
) -> None:
    report.failures.append((url, reason))
    store.record_refresh(url, error=reason)
    if on_failure is not None:
        on_failure(url, reason)


def discover(url: str) -> str:
    """The feed URL to subscribe to for ``url``: itself, or the feed its page announces."""
    if is_local(url):
        path = local_path(url)
        if not path.is_file():
            raise FetchError("no such file")
        parse_feed(path.read_bytes(), str(path))  # raises FeedError when it isn't one
        return str(path.resolve())
    client = feed_client(1)
    try:
        fetched = fetch_feed(client, url)
    finally:
        client.close()  # type: ignore[attr-defined]
    assert fetched.data is not None
    parsed = parse_feed(fetched.data, fetched.url)
    if parsed.alternate and not parsed.pages:
        return parsed.alternate
    return url
