"""The store work of the feed list, run on the app's store threads (see store_calls.py).

Adding a feed fetches it (to find the feed a page announces), so it runs on the jobs
thread with the refreshes; the rest are quick reads and writes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from reader.base.config import FeedSettings
from reader.base.errors import FeedError, FetchError
from reader.base.models import Feed
from reader.store import Store


@dataclass(frozen=True)
class Added:
    """What adding a feed did: the feed (None when it could not be added), a one-line
    reason when it failed (to subscribe or its first refresh)."""

    feed: Feed | None
    problem: str | None = None


def add_feed(store: Store, url: str, settings: Callable[[str], FeedSettings]) -> Added:
    """Subscribe to ``url`` (or the feed the page at ``url`` announces) and refresh it,
    as ``reader feed add`` does. A URL that gives no feed is a problem, nothing stored."""
    from reader.feeds import refresh

    try:
        found = refresh.discover(url)
    except (FetchError, FeedError) as exc:
        return Added(None, f"{url}: {exc}")
    feed = store.add_feed(found)
    report = refresh.refresh(store, [feed], settings=settings)
    problem = f"{found}: {report.failures[0][1]}" if report.failures else None
    return Added(store.get_feed(found), problem)


def refresh_feed(
    store: Store, url: str, settings: Callable[[str], FeedSettings]
) -> tuple[Feed, str]:
    """Refresh the one feed at ``url``: the feed afterwards (with its error, if it
    failed) and the refresh's summary line."""
    from reader.feeds import refresh

    report = refresh.refresh(store, [store.get_feed(url)], settings=settings)
    return store.get_feed(url), report.summary()
