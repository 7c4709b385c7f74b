"""One sync: subscriptions and new entries down, then the marks both ways.

1. The server's subscriptions become feeds here, their folders tags (a feed sync
   added goes when the server drops it; its stories stay).
2. New entries (after the cursor of the last sync, at most ``max_items``) become
   stories on the path feed items take (``reader.feeds.parse``): cleaned, an item's
   link its identity, a page ingested earlier never replaced by a summary.
3. The marks. For each entry and each of its two marks (read; starred, which is a
   bookmark here) there are three values: the last sync's (the snapshot in
   ``SyncState``), this side's now and the server's now. A side whose value differs
   from the snapshot changed it since the last sync:

   * only one side changed: its change is the later one, and wins;
   * both changed: they made the same change (a mark has two values), and agree;
   * an entry new to sync has no snapshot: a mark set on either side stays set (a
     story read here before the server brought it stays read, and the server hears).

   Neither side says when a mark changed (reader keeps no time for an unread or an
   unbookmark, Google Reader's timestamps are when an entry arrived, Fever has none),
   so a mark changed and changed back on one side between two syncs counts as
   unchanged there, and the other side's change wins.

Local changes are applied through the store's public methods; pushes go in batches,
and the snapshot moves after each batch the server took, so a sync cut short (the
server went away) pushes the rest next time, and nothing twice.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from reader.base.models import Page
from reader.feeds.parse import ParsedFeed, item_page
from reader.feeds.refresh import store_feeds
from reader.store import Store, StoryFilter
from reader.sync.config import SyncSettings
from reader.sync.items import Entry, Server, Subscription
from reader.sync.state import FeedRecord, Item, SyncState

STORE_BATCH = 1000
"""Entries stored a transaction."""
STATE_FILE = "sync.sqlite3"

log = logging.getLogger("reader.sync")

Progress = Callable[[str], None]


@dataclass
class SyncReport:
    """What a sync moved, for ``reader sync`` to print (no credentials in it)."""

    server: str
    service: str
    feeds_added: int = 0
    feeds_removed: int = 0
    stories: int = 0
    """New stories pulled (entries already stored are not counted)."""
    entries: int = 0
    """Entries the server sent."""
    read_pulled: int = 0
    stars_pulled: int = 0
    read_pushed: int = 0
    stars_pushed: int = 0
    complete: bool = True
    """False when the pull stopped at ``max_items``: the next sync goes on."""
    requests: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        """``pulled 120 stories, 14 read marks; pushed 3 read marks, 1 star``."""
        pulled = []
        if self.feeds_added:
            pulled.append(_count(self.feeds_added, "feed"))
        pulled.append(_count(self.stories, "story", "stories"))
        if self.read_pulled:
            pulled.append(_count(self.read_pulled, "read mark"))
        if self.stars_pulled:
            pulled.append(_count(self.stars_pulled, "star"))
        pushed = []
        if self.read_pushed:
            pushed.append(_count(self.read_pushed, "read mark"))
        if self.stars_pushed:
            pushed.append(_count(self.stars_pushed, "star"))
        line = f"pulled {', '.join(pulled)}; pushed {', '.join(pushed) or 'nothing'}"
        if self.feeds_removed:
            line += f"; {_count(self.feeds_removed, 'feed')} gone from the server"
        if not self.complete:
            line += " (more entries wait: sync again)"
        return line

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["seconds"] = round(self.seconds, 3)
        return data


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def make_server(settings: SyncSettings) -> Server:
    """The client for ``settings.service``."""
    if settings.service == "fever":
        from reader.sync.fever import FeverClient

        return FeverClient(settings)
    from reader.sync.greader import GReaderClient

    return GReaderClient(settings)


def open_state(store: Store, settings: SyncSettings) -> SyncState:
    return SyncState(store.paths.data_dir / STATE_FILE, settings.account)


def server_feed_urls(store: Store, settings: SyncSettings) -> set[str]:
    """The feeds the server's subscriptions brought, as the last sync found them: a
    refresh leaves them to sync, and fetches only the others (local files, feeds the
    server does not have)."""
    with open_state(store, settings) as state:
        return {record.url for record in state.feeds().values()}


def sync_due(store: Store, settings: SyncSettings, minutes: int) -> bool:
    """Whether ``minutes`` have passed since the last sync (or there was none)."""
    with open_state(store, settings) as state:
        last = state.get("last_sync")
    if last is None:
        return True
    try:
        elapsed = datetime.now(UTC) - datetime.fromisoformat(last)
    except ValueError:
        return True
    return elapsed.total_seconds() >= minutes * 60


def sync(
    store: Store,
    settings: SyncSettings,
    server: Server | None = None,
    progress: Progress | None = None,
) -> SyncReport:
    """Sync ``store`` with the server ``settings`` name; raises a ``SyncError`` saying why
    it could not (what was done before the failure stays done)."""
    started = time.monotonic()
    server = server or make_server(settings)
    report = SyncReport(server.host, settings.service)
    say = progress or (lambda _: None)
    try:
        with open_state(store, settings) as state:
            say("logging in")
            server.login()
            say("subscriptions")
            feeds = _subscriptions(store, state, server.subscriptions(), report)
            say("new entries")
            pull = server.pull(state.get("cursor"), settings.max_items)
            report.entries, report.complete = len(pull.entries), pull.complete
            report.stories += _store_entries(store, state, pull.entries, feeds, settings)
            with state.transaction():
                state.set("cursor", pull.cursor)
            say("marks")
            unread, starred = server.unread_ids(), server.starred_ids()
            here, cached = local_marks(store)
            missing = _missing(state, cached, unread, starred, settings.max_items)
            if missing:
                say("starred and unread entries not here")
                fetched = server.entries(missing)
                report.entries += len(fetched)
                report.stories += _store_entries(store, state, fetched, feeds, settings)
                here, _ = local_marks(store)
            _marks(store, state, server, here, unread, starred, feeds, report)
            with state.transaction():
                state.set("last_sync", datetime.now(UTC).isoformat(timespec="seconds"))
            store.record_refreshes([(f.url, f.title, None, None) for f in feeds.values()])
    finally:
        report.requests = server.requests
        report.seconds = time.monotonic() - started
        server.close()
    return report


# -- subscriptions ---------------------------------------------------------------------------


def _subscriptions(
    store: Store, state: SyncState, subscriptions: list[Subscription], report: SyncReport
) -> dict[str, Subscription]:
    """Bring reader's feeds in line with the server's; returns them by server id."""
    local = {feed.url: feed for feed in store.list_feeds(counts=False)}
    known = state.feeds()
    by_id = {sub.id: sub for sub in subscriptions}
    with state.transaction():
        for sub in subscriptions:
            before = known.get(sub.id)
            if sub.url not in local:
                store.add_feed(sub.url, sub.title, tags=sub.folders)
                ours = True
                report.feeds_added += 1
            else:
                ours = before.ours if before is not None and before.url == sub.url else False
                gone = [t for t in (before.folders if before else ()) if t not in sub.folders]
                new = [t for t in sub.folders if t not in local[sub.url].tags]
                if gone or new:
                    store.tag_feed(sub.url, add=new, remove=gone)
            state.set_feed(FeedRecord(sub.id, sub.url, sub.folders, ours))
        for feed_id, before in known.items():
            if feed_id in by_id:
                continue
            still_named = any(sub.url == before.url for sub in subscriptions)
            if before.ours and before.url in local and not still_named:
                store.remove_feed(before.url)  # its stories stay, as `feed remove` leaves them
                report.feeds_removed += 1
            state.drop_feed(feed_id)
    return by_id


# -- entries ---------------------------------------------------------------------------------


def entry_page(entry: Entry, feed_url: str, feed_title: str | None) -> tuple[str, Page] | None:
    """An entry as a feed item's page, made by the feed parser's own code: the same
    cleaning, the same identity (its link), the same HTML kept for reading."""
    item: dict[str, Any] = {"link": entry.url, "title": entry.title, "id": entry.id}
    if entry.html:
        item["content"] = [{"value": entry.html}]
    if entry.author:
        item["author"] = entry.author
    if entry.published:
        item["published"] = entry.published
    return item_page(item, feed_url, feed_url, feed_title)


def _store_entries(
    store: Store,
    state: SyncState,
    entries: Sequence[Entry],
    feeds: dict[str, Subscription],
    settings: SyncSettings,
) -> int:
    """Store entries as stories and remember which story each became; returns how many
    stories are new."""
    new = 0
    for start in range(0, len(entries), STORE_BATCH):
        batch = entries[start : start + STORE_BATCH]
        by_feed: dict[str, ParsedFeed] = {}
        owners: dict[str, list[Entry]] = {}
        for entry in batch:
            sub = feeds.get(entry.feed_id)
            feed_url = sub.url if sub else f"{settings.url}#{entry.feed_id}"
            made = entry_page(entry, feed_url, sub.title if sub else None)
            if made is None:
                continue
            parsed = by_feed.setdefault(feed_url, ParsedFeed(sub.title if sub else None))
            parsed.pages.append(made)
            owners.setdefault(feed_url, []).append(entry)
        parsed_feeds = list(by_feed.values())
        links: list[tuple[str, str, str]] = []
        for feed_url, parsed in by_feed.items():
            parsed.prepare_rows()
            links += [
                (entry.id, row.id, entry.feed_id)
                for entry, row in zip(owners[feed_url], parsed.rows, strict=True)
            ]
        added, _ = store_feeds(store, parsed_feeds)
        new += added
        with state.transaction():
            state.add_items(links)
    return new


# -- marks -----------------------------------------------------------------------------------


def local_marks(store: Store) -> tuple[dict[str, tuple[bool, bool]], set[str]]:
    """``story id -> (read, bookmarked)`` for every cached story and every bookmark, and
    the ids of the cached ones (a bookmark outlives its story in the cache)."""
    marks = {
        story.id: (story.read, story.bookmarked)
        for story in store.iter_stories(StoryFilter(), with_body=False)
    }
    cached = set(marks)
    for story in store.iter_stories(StoryFilter(bookmarked=True), with_body=False):
        marks.setdefault(story.id, (story.read, True))
    return marks, cached


def _missing(
    state: SyncState, cached: set[str], unread: set[str], starred: set[str], limit: int
) -> list[str]:
    """Entries to fetch by id: unread and starred ones sync never saw (older than its
    first pull, or skipped by a server whose pages are not in id order: Coldsweat's are
    not), and unread or starred ones whose stories left the cache (deleted, say)."""
    items = state.items()
    wanted = {i for i in starred | unread if i not in items}
    wanted |= {
        i for i, item in items.items()
        if item.story_id not in cached and (i in starred or i in unread)
    }  # fmt: skip
    return sorted(wanted, key=lambda i: (len(i), i), reverse=True)[:limit]


def _decide(snapshot: bool | None, here: bool, there: bool) -> bool:
    """The agreed value of one mark (see the module's docstring)."""
    if snapshot is None:
        return here or there
    if here != snapshot and there == snapshot:
        return here
    return there  # the server changed (or both did, alike), or neither did


def _marks(
    store: Store,
    state: SyncState,
    server: Server,
    here: dict[str, tuple[bool, bool]],
    unread: set[str],
    starred: set[str],
    feeds: dict[str, Subscription],
    report: SyncReport,
) -> None:
    """Settle every entry's marks: apply the server's changes here, push ours there.

    Entries of feeds the server no longer lists are left alone: the server may have
    deleted them with the subscription, and their absence from its unread list does
    not mean they were read."""
    read_here: dict[str, bool] = {}  # story id -> the value to set here
    star_here: dict[str, bool] = {}
    push: dict[tuple[str, bool], list[str]] = {}  # (mark, value) -> entry ids
    agreed: list[tuple[str, bool, bool]] = []
    for item in state.items().values():
        if item.story_id not in here or item.feed_id not in feeds:
            continue  # the story left the cache, or the feed the server: the snapshot waits
        local_read, local_star = here[item.story_id]
        local_read = read_here.get(item.story_id, local_read)
        local_star = star_here.get(item.story_id, local_star)
        server_read, server_star = item.item_id not in unread, item.item_id in starred
        read = _decide(item.read, local_read, server_read)
        star = _decide(item.starred, local_star, server_star)
        if read != local_read:
            read_here[item.story_id] = read
        if star != local_star:
            star_here[item.story_id] = star
        if read != server_read:
            push.setdefault(("read", read), []).append(item.item_id)
        if star != server_star:
            push.setdefault(("starred", star), []).append(item.item_id)
        agreed.append(_agreed(item, read, star, server_read, server_star))
    _apply_here(store, read_here, star_here, report)
    with state.transaction():  # what the server already has, and what was applied here
        state.settle(agreed)
    for (mark, value), ids in push.items():
        for start in range(0, len(ids), 250):
            chunk = ids[start : start + 250]
            if mark == "read":
                server.mark(chunk, read=value)
                report.read_pushed += len(chunk)
            else:
                server.mark(chunk, starred=value)
                report.stars_pushed += len(chunk)
            with state.transaction():
                state.settle_one(mark, chunk, value)


def _agreed(
    item: Item, read: bool, star: bool, server_read: bool, server_star: bool
) -> tuple[str, bool, bool]:
    """The snapshot to record before pushing: a mark still to push keeps its old value
    (or the server's, for a new entry), so that a push that fails is tried again."""
    snap_read = read if read == server_read else _before(item.read, server_read)
    snap_star = star if star == server_star else _before(item.starred, server_star)
    return item.item_id, snap_read, snap_star


def _before(snapshot: bool | None, server: bool) -> bool:
    return server if snapshot is None else snapshot


def _apply_here(
    store: Store, read: dict[str, bool], star: dict[str, bool], report: SyncReport
) -> None:
    """Set marks here through the store's public methods."""
    to_read = [sid for sid, value in read.items() if value]
    if to_read:
        store.mark_all_read(ids=to_read)
    for sid, value in read.items():
        if not value:
            store.set_read(sid, False)
    for sid, value in star.items():
        store.set_bookmark(sid, value)
    report.read_pulled += len(read)
    report.stars_pulled += len(star)
