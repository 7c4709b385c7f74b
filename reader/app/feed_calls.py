"""The store work of the feed list, run on the app's store threads (see store_calls.py).

Adding a feed fetches it (to find the feed a page announces), and adding or removing
one tells the sync server when ``[sync]`` is set up, so those run on the jobs thread
with the refreshes; the rest are quick reads and writes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from reader.base.config import FeedSettings
from reader.base.errors import FeedError, FeedNotFound, FetchError
from reader.base.models import Feed
from reader.store import Store
from reader.sync.errors import SyncError

log = logging.getLogger("reader.app")


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
    problems = [f"{found}: {report.failures[0][1]}"] if report.failures else []
    if not refresh.is_local(found):
        problems += _on_server(store, found, True)
    return Added(store.get_feed(found), "; ".join(problems) or None)


def remove_feed(store: Store, url: str) -> str | None:
    """Unsubscribe from ``url`` here (its stories stay) and, with ``[sync]`` set up, on
    the server: the line saying what went wrong there, or None."""
    try:
        store.remove_feed(url)
    except FeedNotFound:  # removed already (by a sync, another window): shown gone
        log.info("feed %s was removed already", url)
    return "; ".join(_on_server(store, url, False)) or None


def _on_server(store: Store, url: str, add: bool) -> list[str]:
    """The server's subscriptions follow (``sync.subscriptions``): what to tell."""
    from reader.sync.subscriptions import follow_on_server

    try:
        done = follow_on_server(store, url, (), add)
    except SyncError as exc:  # the [sync] table cannot be read
        return [f"sync: {exc}"]
    return done.notes + ([done.problem] if done.problem else [])


def refresh_feed(
    store: Store, url: str, settings: Callable[[str], FeedSettings]
) -> tuple[Feed, str]:
    """Refresh the one feed at ``url``: the feed afterwards (with its error, if it
    failed) and the refresh's summary line."""
    from reader.feeds import refresh

    report = refresh.refresh(store, [store.get_feed(url)], settings=settings)
    return store.get_feed(url), report.summary()
