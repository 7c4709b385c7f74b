"""The store work the app hands to its store threads: small functions of a ``Store``.

Each runs on a ``StoreThread`` (``await thread.call(fn, ...)``), whose typing checks
the arguments against the function's signature. Imports that only some users need
(ingest, refresh, the demo) happen inside, on that thread.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from reader.base.config import FeedSettings
from reader.base.models import Feed, Headline, Story
from reader.store import Store

if TYPE_CHECKING:
    from reader.feeds.refresh import RefreshReport
    from reader.ingest.pipeline import IngestReport

RANKING_SIZE = 30


@dataclass(frozen=True)
class CacheRanking:
    """The top stories across the cache, and why each ranks where it does."""

    label: str
    headlines: list[Headline]
    why: dict[str, str] = field(default_factory=dict)
    """Story id -> why it ranks there (``w`` on the ranking pane)."""


def load_demo(store: Store) -> int:
    """Load the demo stories into an empty cache; how many were loaded."""
    if not store.is_empty():
        return 0
    from reader.demo import load_demo  # only a new user pays for importing ingest

    return load_demo(store).ingested


def open_story(store: Store, story_id: str, mark_read: bool) -> Story:
    """The story, marked read first when ``mark_read``."""
    if mark_read:
        return store.set_read(story_id, True)
    return store.get(story_id)


def cache_ranking(store: Store) -> CacheRanking:
    """Top stories across the cache (``Store.top_stories``): one entry per story, with
    the number of sources that carry it."""
    top = store.top_stories(RANKING_SIZE)
    headlines = [
        Headline(f"{t.title} · {t.sources} sources" if t.sources > 1 else t.title, None, t.id)
        for t in top
    ]
    return CacheRanking("across the cache", headlines, {t.id: t.why for t in top})


def catch_up(store: Store) -> int:
    """Index and analyse the stories stored since (search, related stories and copies
    need them); returns how many were analysed."""
    store.index_pending()
    return store.analyse_pending()


def counts_line(store: Store, stories: int | None = None) -> str:
    """``14 stories · 3 unread · 1 bookmarked`` (``stories``: the grouped list of every
    story counted them already, so they are not counted again)."""
    counts = store.counts(grouped=True, stories=stories)
    return (
        f"{counts['stories']} stories · {counts['unread']} unread · "
        f"{counts['bookmarked']} bookmarked"
    )


def feeds_to_refresh(
    store: Store, auto: bool, settings: Callable[[str], FeedSettings]
) -> list[Feed]:
    """Every feed; on the timer (``auto``), only those that ask for it and are due."""
    from reader.feeds.refresh import due

    feeds = store.list_feeds(counts=False)
    if auto:
        feeds = [f for f in due(feeds, settings) if settings(f.url).refresh_interval]
    return feeds


@dataclass(frozen=True)
class Synced:
    """What a sync before a refresh did (``[sync]`` in config.toml)."""

    line: str
    """Its summary or its error; empty when it was not due."""
    failed: bool
    changed: bool
    """Stories, marks or feeds came from the server: the panes reload."""
    server_feeds: frozenset[str]
    """The feeds sync brings: the refresh leaves them alone."""


def sync_if_set_up(store: Store, auto: bool, minutes: int | None) -> Synced | None:
    """With ``[sync]`` set up, sync with the server; on the timer (``auto``), only once
    ``minutes`` (``[feeds] refresh_interval``) have passed since the last sync. None
    without ``[sync]``."""
    from reader.sync.config import load_sync_settings
    from reader.sync.engine import server_feed_urls, sync, sync_due
    from reader.sync.errors import SyncError

    try:
        settings = load_sync_settings(store.paths.config_file)
        if settings is None:
            return None
        if auto and not (minutes and sync_due(store, settings, minutes)):
            return Synced("", False, False, frozenset(server_feed_urls(store, settings)))
        report = sync(store, settings)
    except SyncError as exc:
        feeds = frozenset(server_feed_urls(store, settings)) if settings else frozenset()
        return Synced(str(exc), True, False, feeds)
    moved = report.stories + report.read_pulled + report.stars_pulled + report.feeds_added
    return Synced(report.summary(), False, bool(moved + report.feeds_removed),
                  frozenset(server_feed_urls(store, settings)))  # fmt: skip


def refresh_feeds(
    store: Store,
    feeds: list[Feed],
    settings: Callable[[str], FeedSettings],
    progress: Callable[[int, int], None],
) -> RefreshReport:
    """Refresh ``feeds``; ``progress(done, total)`` is called on the store's thread."""
    from reader.feeds.refresh import refresh

    return refresh(store, feeds, progress, None, settings)


def ingest_path(store: Store, path: str) -> IngestReport:
    """Ingest a file, a folder (recursively) or a URL."""
    from reader.ingest.pipeline import ingest

    return ingest(store, [path])
