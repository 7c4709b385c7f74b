"""Feeds: subscriptions (in the user database) and what their refreshes found."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from itertools import islice
from typing import NamedTuple

from reader.base.errors import FeedNotFound
from reader.base.models import Feed
from reader.store.base import CHUNK, StoreBase
from reader.store.packing import stored_values
from reader.store.rows import StoryRow, timestamp

_COLUMNS = StoryRow._fields[:-1]  # the ranking is not a column (a feed item has none)
_INSERT_NEW = (
    f"INSERT INTO stories ({', '.join(_COLUMNS)}, ingested_at, updated_at)"
    f" VALUES ({', '.join('?' * (len(_COLUMNS) + 2))}) ON CONFLICT (source) DO NOTHING"
)


class ImportedFeed(NamedTuple):
    """A subscription brought from another reader: ``title`` is the user's own name for
    it (kept over the feed's), the validators make its first refresh conditional;
    ``feed_title`` is the feed's own title as the other reader last saw it (shown until
    the first refresh, which brings the feed's current one)."""

    url: str
    title: str | None
    tags: tuple[str, ...]
    hidden: bool
    etag: str | None
    last_modified: str | None
    feed_title: str | None = None


class ImportedItem(NamedTuple):
    """An item brought from another reader: its story row (made by ``rows.prepare``;
    None for an item not stored), the story ids its marks go on, and its marks."""

    row: StoryRow | None
    ids: tuple[str, ...]
    read: bool
    bookmarked: bool


class ImportCounts(NamedTuple):
    """What ``import_feeds`` added: read marks, bookmarks and stories that are new, and
    how many of the items' stories were stored already."""

    read_marks: int
    bookmarks: int
    stories: int
    stored_already: int = 0


_ITEMS_PER_BATCH = 1000


class FeedStore(StoreBase):
    """Subscriptions, their tags and refresh records, and their stories' upkeep."""

    def page_stories(self, sources: Sequence[str]) -> set[str]:
        """Which of ``sources`` are stories ingested as pages (not from a feed)."""
        found: set[str] = set()
        for start in range(0, len(sources), CHUNK):
            chunk = list(sources[start : start + CHUNK])
            rows = self._conn.execute(
                f"SELECT source FROM stories WHERE feed_url IS NULL AND source IN"
                f" ({','.join('?' * len(chunk))})",
                chunk,
            )
            found.update(row[0] for row in rows)
        return found

    def add_feed(self, url: str, title: str | None = None, tags: Sequence[str] = ()) -> Feed:
        """Subscribe to ``url``; already subscribed, it gains ``tags``. Returns the feed."""
        self._conn.execute(
            "INSERT INTO user.feeds (url, title, added_at, tags) VALUES (?, ?, ?, '[]')"
            " ON CONFLICT (url) DO UPDATE SET title = coalesce(feeds.title, excluded.title)",
            (url, title, timestamp()),
        )
        return self.tag_feed(url, add=tags) if tags else self.get_feed(url)

    def tag_feed(self, url_or_id: str, add: Sequence[str] = (), remove: Sequence[str] = ()) -> Feed:
        """Add and remove tags of a subscription; returns it."""
        feed = self.get_feed(url_or_id)
        tags = [t for t in dict.fromkeys([*feed.tags, *add]) if t not in set(remove)]
        self._conn.execute(
            "UPDATE user.feeds SET tags = ? WHERE id = ?", (json.dumps(tags), feed.id)
        )
        return self.get_feed(feed.url)

    def import_feeds(
        self, feeds: Sequence[ImportedFeed], items: Iterable[ImportedItem] = ()
    ) -> ImportCounts:
        """Subscribe to ``feeds``, store the stories of ``items`` whose source is not
        stored yet, mark read the ids of read items (stories stored or still to come)
        and bookmark those of bookmarked items that are stored, in one transaction.

        ``items`` is read a batch at a time (an iterator keeps memory bounded). A story
        already stored (by a refresh, a page, an earlier import) is left as it is:
        importing again adds nothing twice. Returns what is new."""
        now = timestamp()
        conn = self._conn
        with self._write():
            for feed in feeds:
                conn.execute(
                    "INSERT INTO user.feeds (url, title, added_at, tags, title_override,"
                    " hidden, etag, last_modified) VALUES (?, ?, ?, '[]', ?, ?, ?, ?)"
                    " ON CONFLICT (url) DO UPDATE SET"
                    " title = coalesce(excluded.title_override, feeds.title, excluded.title),"
                    " title_override = coalesce(excluded.title_override, feeds.title_override),"
                    " hidden = excluded.hidden,"
                    " etag = coalesce(feeds.etag, excluded.etag),"
                    " last_modified = coalesce(feeds.last_modified, excluded.last_modified)",
                    (feed.url, feed.title or feed.feed_title, now, feed.title, int(feed.hidden),
                     feed.etag, feed.last_modified),
                )  # fmt: skip
                row = conn.execute("SELECT tags FROM user.feeds WHERE url = ?", (feed.url,))
                tags = [*json.loads(row.fetchone()[0] or "[]"), *feed.tags]
                conn.execute(
                    "UPDATE user.feeds SET tags = ? WHERE url = ?",
                    (json.dumps(list(dict.fromkeys(tags))), feed.url),
                )
            top = conn.execute("SELECT coalesce(max(rowid), 0) FROM stories").fetchone()[0]
            read_ids: list[str] = []
            bookmark_ids: list[str] = []
            offered = 0
            batches = iter(items)
            while batch := list(islice(batches, _ITEMS_PER_BATCH)):
                made = [item.row for item in batch if item.row is not None]
                rows = [(*stored_values(row), now, now) for row in made]
                offered += len(rows)
                conn.executemany(_INSERT_NEW, rows)
                for item in batch:
                    if item.read:
                        read_ids += item.ids
                    if item.bookmarked:
                        bookmark_ids += item.ids
            stories = self._pend_new_stories(top)
            marked = conn.execute(
                "INSERT INTO user.read_marks (story_id, read_at)"
                " SELECT value, ? FROM json_each(?) WHERE true"
                " ON CONFLICT (story_id) DO NOTHING",
                (now, json.dumps(read_ids)),
            ).rowcount
            bookmarked = conn.execute(
                "INSERT INTO user.bookmarks (story_id, bookmarked_at, title, site, section,"
                " published, author, reactions, url, canonical_url, source, body,"
                " body_html, lists, sort_key) SELECT id, ?, title, site, section,"
                " published, author, reactions, url, canonical_url, source,"
                " unpack(body, body_html), unpack(body_html), unpack(lists), sort_key FROM stories"
                " WHERE id IN (SELECT value FROM json_each(?))"
                " ON CONFLICT (story_id) DO NOTHING",
                (now, json.dumps(bookmark_ids)),
            ).rowcount
        return ImportCounts(marked, bookmarked, stories, offered - stories)

    def list_feeds(self, with_unread: bool = True, counts: bool = True) -> list[Feed]:
        """Every subscription, with its story and unread counts.

        The story counts are one walk of the feed index, which holds every feed's story
        ids; the unread counts are those less the read marks found beside that walk
        (``_counts_by``: 0.19 s at 1,000,000 stories, where a read-mark lookup for every
        story took 0.22 s). Without ``with_unread`` each ``unread`` is 0 and only the
        index is read (``feed_unread`` gives the unread counts). Without
        ``counts`` both are 0 and no story is read: what a refresh or a sync needs, at
        any size of the cache (the counts took 7 ms at 10,000 stories, and grow with
        them)."""
        return self._feeds("", (), with_unread, counts)

    def feed_unread(self) -> dict[str, int]:
        """Each subscription's number of unread stories, by URL."""
        return {feed.url: feed.unread for feed in self._feeds("", (), True)}

    def _feeds(
        self, where: str, params: Sequence[object], with_unread: bool = True, counts: bool = True
    ) -> list[Feed]:
        """The subscriptions ``where`` selects (all: ``""``), by title. The counts of
        one feed are read from its stories; those of every feed from the feed index
        in one walk (``_counts_by``)."""
        one = bool(where) and counts
        unread = (
            "(SELECT count(*) FROM stories s WHERE s.feed_url = f.url AND NOT EXISTS"
            " (SELECT 1 FROM user.read_marks r WHERE r.story_id = s.id))"
            if one and with_unread
            else "0"
        )
        stories = "(SELECT count(*) FROM stories s WHERE s.feed_url = f.url)" if one else "0"
        rows = self._conn.execute(
            f"SELECT f.*, {stories} AS n, {unread} AS unread FROM user.feeds f{where}"
            " ORDER BY lower(coalesce(f.title, f.url)), f.id",
            params,
        ).fetchall()
        feeds = [_feed(row) for row in rows]
        if one or not counts or not feeds:
            return feeds
        numbers = self._counts_by("feed_url", with_unread)
        for feed in feeds:
            feed.stories, feed.unread = numbers.get(feed.url, (0, 0))
        return feeds

    def get_feed(self, url_or_id: str) -> Feed:
        """The subscription with this URL or numeric id."""
        key = url_or_id.strip()
        ident = int(key) if key.isdigit() else -1
        found = self._feeds(" WHERE f.url = ? OR f.id = ?", (url_or_id, ident))
        for feed in found:  # a URL first: a feed whose URL is a number is named by it
            if feed.url == url_or_id:
                return feed
        if found:
            return found[0]
        raise FeedNotFound(f"no feed {url_or_id!r}; see 'reader feed list'")

    def rename_feed(self, url_or_id: str, title: str | None) -> Feed:
        """Give a subscription the user's own title, which a refresh keeps over the
        feed's (as a ``~Title`` from newsboat is kept); None or blank: the feed's own
        title comes back at the next refresh. Returns the feed."""
        feed = self.get_feed(url_or_id)
        title = " ".join((title or "").split()) or None
        self._conn.execute(
            "UPDATE user.feeds SET title_override = ?, title = coalesce(?, title) WHERE id = ?",
            (title, title, feed.id),
        )
        return self.get_feed(feed.url)

    def set_feed_tags(self, url_or_id: str, tags: Sequence[str]) -> Feed:
        """Replace a subscription's tags with ``tags`` (blank ones dropped, each once)."""
        feed = self.get_feed(url_or_id)
        kept = list(dict.fromkeys(t.strip() for t in tags if t.strip()))
        self._conn.execute(
            "UPDATE user.feeds SET tags = ? WHERE id = ?", (json.dumps(kept), feed.id)
        )
        return self.get_feed(feed.url)

    def remove_feed(self, url_or_id: str, purge: bool = False) -> tuple[Feed, int]:
        """Unsubscribe; with ``purge`` also delete its stories. Returns how many went."""
        feed = self.get_feed(url_or_id)
        conn = self._conn
        with self._write():
            conn.execute("DELETE FROM user.feeds WHERE id = ?", (feed.id,))
            # Its hidden stories are never shown, and only its refresh brings them back.
            conn.execute("DELETE FROM hidden_stories WHERE feed_url = ?", (feed.url,))
            purged = 0
            if purge:
                purged = conn.execute(
                    "DELETE FROM stories WHERE feed_url = ?", (feed.url,)
                ).rowcount
        return feed, purged

    def trim_feed(self, feed_url: str, keep: int) -> int:
        """Delete the feed's oldest stories beyond ``keep`` (bookmarked ones stay)."""
        return self._conn.execute(
            "DELETE FROM stories WHERE feed_url = :url AND rowid NOT IN"
            " (SELECT rowid FROM stories WHERE feed_url = :url"
            "  ORDER BY sort_key DESC, rowid DESC LIMIT :keep)"
            " AND id NOT IN (SELECT story_id FROM user.bookmarks)",
            {"url": feed_url, "keep": keep},
        ).rowcount

    def record_refreshes(
        self, feeds: Sequence[tuple[str, str | None, str | None, str | None]]
    ) -> None:
        """Record many successful refreshes ``(url, title, etag, last_modified)`` at once."""
        if not feeds:
            return
        now = timestamp()
        conn = self._conn
        with self._write():
            conn.executemany(
                "UPDATE user.feeds SET last_refresh = ?, last_error = NULL,"
                " title = coalesce(title_override, ?, title), etag = ?, last_modified = ?"
                " WHERE url = ?",
                [(now, title, etag, modified, url) for url, title, etag, modified in feeds],
            )

    def record_error(self, url: str, error: str) -> None:
        """Remember that refreshing the feed at ``url`` failed, and why."""
        self._conn.execute(
            "UPDATE user.feeds SET last_refresh = ?, last_error = ? WHERE url = ?",
            (timestamp(), error, url),
        )


def _feed(row: sqlite3.Row) -> Feed:
    return Feed(
        id=row["id"],
        url=row["url"],
        title=row["title"],
        tags=json.loads(row["tags"] or "[]"),
        etag=row["etag"],
        last_modified=row["last_modified"],
        last_refresh=row["last_refresh"],
        last_error=row["last_error"],
        stories=row["n"],
        unread=row["unread"],
        hidden=bool(row["hidden"]),
    )
