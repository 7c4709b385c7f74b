"""The store's base: the connection, the write transaction and the SQL helpers.

``StoreBase`` opens the story cache with the user's data attached, and gives the
domain parts of the store (``stories``, ``search``, ``rankings``, ``feeds``, ``marks``)
what they share: one write transaction (``_write``), the columns of a story row in a
listing, the ``WHERE`` of a ``StoryFilter``, and rows turned into ``Story`` values
with their headline lists resolved. ``store_boundary`` wraps the public methods of
the composed ``Store`` so that the SQLite errors a user can act on come out as the
``StoreError`` that says so.
"""

from __future__ import annotations

import functools
import inspect
import json
import logging
import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple, Self, TypeVar

from reader.base.clean import title_key
from reader.base.errors import BodyDamaged
from reader.base.links import strip_tracking
from reader.base.models import LIST_KINDS, Headline, Story
from reader.base.paths import Paths
from reader.base.similarity import narrow
from reader.store import packing
from reader.store.health import diagnose
from reader.store.rows import StoryRow
from reader.store.schema import (
    CACHE_MIGRATIONS,
    INSTANT_CACHE_MIGRATIONS,
    USER_MIGRATIONS,
    Upgrading,
    migrate,
    write_transaction,
)

_log = logging.getLogger(__name__)

BUSY_TIMEOUT_S = 120.0
"""How long a second reader process waits for the other to finish writing."""

CHUNK = 500
"""Values in one ``IN (...)`` list: within SQLite's oldest limit on parameters (999)."""

# Many rows a statement: sqlite3 lets other threads run during every statement, and
# with other threads busy, getting the interpreter back can take a switch interval
# (5 ms) each time: more than the insert itself. So a batch goes in with as few
# statements as SQLite's limit on parameters allows (999 on the oldest builds).
_MAX_ROWS_PER_INSERT = 1000
# Ranking entries too (four values each), and for a second reason: an INSERT into
# ranking_entries fires a trigger, so SQLite journaled the pages each statement changed,
# and a statement of one entry journaled them once per entry (eight entries a text page:
# half the cost of storing the page), a statement of thousands once. Now a batch's
# inserts of stories, entries and queue rows are OR ROLLBACK: a failure undoes the whole
# batch (as write_transaction would), so SQLite keeps no statement journal for them at
# all (a cold refresh of 10,000 items wrote 32 temporary files, 15 MB, of them).
_MAX_ENTRIES_PER_INSERT = 8000


CACHE_MIB = 64
"""SQLite's page cache a database, by default: index inserts stay in memory, and marking
1,000,000 stories read (and its undo record) took 1.5x as long with SQLite's default
2 MB (bench/bench_undo.py)."""

READING_CACHE_MIB = 4
"""The page cache of a connection that reads a page of rows at a time (the app's): a
page's index entries and rows, and the tops of the indexes, fit in it. With 64 MB, the
walks of a million stories (counts, the first pages, the side panes) filled each of
the app's connections' caches: 265 MiB after bench/bench_scale.py's browsing at
1,000,000 stories, 75 MiB with this; the OS keeps the file's pages cached anyway."""


RARE_TAG = 5000
"""A tag with fewer stories is paged from the feed index (``StoreBase._rare_tag``): a
page then costs its stories' lookups and a sort, against a walk of the date index that
looks up about ``limit`` times the cache's size over the tag's rows."""


@dataclass(frozen=True)
class StoryFilter:
    """Which stories a listing shows."""

    bookmarked: bool = False
    unread: bool = False
    site: str | None = None
    tag: str | None = None
    """Only stories from feeds with this tag."""
    feed: str | None = None
    """Only stories from the feed with this URL."""
    grouped: bool = False
    """One row per story however many sites carry it: the group's fullest copy
    (``reader.store.analysis``) stands for its copies. A site's or tag's listing shows
    its own stories, copies or not."""


class ListKey(NamedTuple):
    """A row's place in a listing, which is newest first: its sort key, then the tie
    break (the story's rowid; a bookmark's story id, for the bookmarks list)."""

    sort_key: str
    tie: int | str


class ListedPage(NamedTuple):
    """Consecutive rows of a listing, in list order, each story with its ``ListKey``."""

    stories: list[Story]
    keys: list[ListKey]


def _connect(path: str, writable: bool = True) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None, uri=True)
    # The cache's migration 9 calls it.
    conn.create_function("strip_tracking", 1, strip_tracking, deterministic=True)
    # And migration 16 narrow_signature.
    conn.create_function("narrow_signature", 1, narrow, deterministic=True)
    # The cache's views and triggers call pack and unpack (migration 14); a build of
    # SQLite that distrusts a schema's functions by default must trust our own.
    packing.register(conn)
    conn.execute("PRAGMA trusted_schema = ON")
    if writable:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
    return conn


def _uri(path: Path, writable: bool) -> str:
    """``path`` as an SQLite URI: read-only where its folder cannot be written.

    With no ``-wal`` file beside it (a cleanly closed database) nothing can be
    pending, and ``immutable`` lets SQLite read without creating the ``-shm`` file
    that a read-only folder cannot hold.
    """
    uri = path.resolve().as_uri()
    if writable:
        return uri
    wal = path.with_name(path.name + "-wal")
    return f"{uri}?mode=ro" if wal.exists() else f"{uri}?mode=ro&immutable=1"


LISTED = "s.story_group IS NULL OR s.story_group = s.rowid"
"""The stories a grouped listing shows (``stories_by_date`` answers it alone)."""

_NOT_HIDDEN = "(s.feed_url IS NULL OR s.feed_url NOT IN (SELECT url FROM user.feeds WHERE hidden))"
"""Not from a hidden feed (the default list leaves their stories out)."""

LISTED_UNREAD = "u.story_group IS NULL OR u.story_group = u.story_rowid"
"""``LISTED`` for a row of the unread mirror (``unread u``), which answers it alone."""

# What keeps the cache's mirror of the unread stories (``unread``, cache migration 17)
# exact on a connection that writes: a read mark made deletes its story's row, one
# removed puts it back, a story stored is unread unless its id has a read mark (a story
# the cache lost and stored again stays read). TEMP triggers, the only ones that may read
# the attached user data, made on every connection after ATTACH; the cache's own
# triggers follow a story deleted, or its sort key or group changed. Marking every story
# read, and undoing a mark of many, drop theirs for the statement and do its work in one
# (``MarkStore._trigger_dropped``): a trigger a row made them 3-7x slower at 200,000.
UNREAD_READ_TRIGGER = """
CREATE TEMP TRIGGER unread_read AFTER INSERT ON user.read_marks BEGIN
    DELETE FROM unread WHERE (sort_key, story_rowid) IN
        (SELECT sort_key, rowid FROM main.stories WHERE id = new.story_id);
END
"""
UNREAD_UNREAD_TRIGGER = """
CREATE TEMP TRIGGER unread_unread AFTER DELETE ON user.read_marks BEGIN
    INSERT OR IGNORE INTO unread (sort_key, story_rowid, story_group)
    SELECT sort_key, rowid, story_group FROM main.stories WHERE id = old.story_id;
END
"""
UNREAD_STORY_TRIGGER = """
CREATE TEMP TRIGGER unread_story_insert AFTER INSERT ON main.stories
WHEN NOT EXISTS (SELECT 1 FROM user.read_marks r WHERE r.story_id = new.id) BEGIN
    INSERT OR IGNORE INTO unread (sort_key, story_rowid, story_group)
    VALUES (new.sort_key, new.rowid, new.story_group);
END
"""
# Columns of a story row in listings; bookmarks stand in when the cache lost the story.
LIST_COLUMNS = """
    {id} AS id, coalesce(s.title, b.title) AS title, coalesce(s.site, b.site) AS site,
    coalesce(s.section, b.section) AS section, coalesce(s.published, b.published) AS published,
    coalesce(s.author, b.author) AS author, coalesce(s.reactions, b.reactions) AS reactions,
    coalesce(s.url, b.url) AS url, coalesce(s.canonical_url, b.canonical_url) AS canonical_url,
    coalesce(s.source, b.source) AS source,
    coalesce(s.lists, b.lists) AS lists, b.story_id IS NOT NULL OR (s.story_group = s.rowid
        AND EXISTS (SELECT 1 FROM stories g JOIN user.bookmarks gb ON gb.story_id = g.id
        WHERE g.story_group = s.rowid)) AS bookmarked,
    EXISTS (SELECT 1 FROM user.read_marks r WHERE r.story_id = {id}) AS read,
    CASE WHEN s.story_group = s.rowid THEN (SELECT count(DISTINCT coalesce(g.site, g.rowid))
        FROM stories g WHERE g.story_group = s.rowid) ELSE 1 END AS sources
"""
BODY_COLUMN = """, coalesce(s.body, b.body) AS body,
    CASE WHEN s.rowid IS NULL THEN b.body_html ELSE s.body_html END AS body_html,
    coalesce(s.url, s.feed_url, b.url) AS body_base"""


class StoreBase:
    """The cache and the user's data, opened together (the user data is attached)."""

    def __init__(
        self,
        paths: Paths,
        *,
        without_cache: bool = False,
        cache_mib: int = CACHE_MIB,
        upgrading: Upgrading | None = None,
    ) -> None:
        """Open ``paths``' databases; raises a ``StoreError`` that says what is wrong.

        ``without_cache``: an empty story cache in memory stands in for the file (a
        damaged cache must not hide the bookmarks, which keep their own copies).
        In a read-only home the databases open read-only: reading works.
        ``cache_mib``: SQLite's page cache for each of the two databases, at most (the
        app's reading connections keep it small: ``READING_CACHE_MIB``).
        ``upgrading``: told before migrations rewrite a story cache an older reader made.
        """
        paths.ensure()
        self.paths = paths
        try:
            self._open(paths, without_cache, cache_mib, upgrading)
        except sqlite3.DatabaseError as exc:
            raise (diagnose(paths, exc) or exc) from exc

    def _open(
        self, paths: Paths, without_cache: bool, cache_mib: int, upgrading: Upgrading | None
    ) -> None:
        writable = os.access(paths.cache_dir, os.W_OK) and os.access(paths.data_dir, os.W_OK)
        self.writable = writable
        """False in a read-only home: the databases are open read-only."""
        if writable:
            user = _connect(str(paths.user_db))
            try:
                migrate(user, "user data", USER_MIGRATIONS)
            finally:
                user.close()
        cache = ":memory:" if without_cache else _uri(paths.cache_db, writable)
        self._conn = _connect(cache, writable or without_cache)
        self._conn.execute(f"PRAGMA cache_size = {-1024 * cache_mib}")
        migrate(self._conn, "story cache", CACHE_MIGRATIONS, upgrading, INSTANT_CACHE_MIGRATIONS)
        self._conn.execute("ATTACH DATABASE ? AS user", (_uri(paths.user_db, writable),))
        self._conn.execute(f"PRAGMA user.cache_size = {-1024 * cache_mib}")
        if writable:
            # synchronous is a schema's own setting: ATTACH gives the user data FULL,
            # an fsync at every commit touching it (a refresh records its feeds' ETags
            # at every batch: 8 ms each). In WAL mode NORMAL is as safe against a
            # crash of the program, and a power cut can take back only the last
            # commits, never corrupt the file: the cache's own setting.
            self._conn.execute("PRAGMA user.synchronous = NORMAL")
        self._mirrored = (
            self._conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'unread_mirror'")
        ).fetchone() is not None
        """Whether the cache has the unread mirror (migration 17): not when a caller made it
        with an older list of migrations (the tests' caches of older readers)."""
        self._filled_seen = False
        """The mirror was seen filled on this connection (it stays filled: asked once)."""
        if writable and not without_cache and self._mirrored:
            for trigger in (UNREAD_READ_TRIGGER, UNREAD_UNREAD_TRIGGER, UNREAD_STORY_TRIGGER):
                self._conn.execute(trigger)
            self._fill_unread()
        self._conn.row_factory = sqlite3.Row
        parameters = self._conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        self._rows_per_insert = max(
            1, min(_MAX_ROWS_PER_INSERT, parameters // (len(StoryRow._fields) + 1))
        )
        self._entries_per_insert = max(1, min(_MAX_ENTRIES_PER_INSERT, parameters // 4))

    def _fill_unread(self) -> None:
        """Fill the mirror of the unread stories from the read marks, once (a cache that
        migration 17 made or upgraded; at 1,000,000 stories a few seconds, after the
        upgrade notice). Another process may have filled it while we waited."""
        if self._unread_filled():
            return
        with self._write():
            if self._unread_filled():
                return
            self._conn.execute("DELETE FROM unread")
            self._conn.execute(
                "INSERT INTO unread (sort_key, story_rowid, story_group)"
                " SELECT s.sort_key, s.rowid, s.story_group FROM stories s"
                " WHERE NOT EXISTS (SELECT 1 FROM user.read_marks r WHERE r.story_id = s.id)"
            )
            self._conn.execute("UPDATE unread_mirror SET filled = 1")

    def _unread_filled(self) -> bool:
        """Whether the mirror of the unread stories is filled (a read-only home whose
        cache was upgraded but never opened writable has it empty)."""
        if self._filled_seen or not self._mirrored:
            return self._filled_seen
        row = self._conn.execute("SELECT filled FROM unread_mirror").fetchone()
        self._filled_seen = bool(row and row[0])
        return self._filled_seen

    def _counts_by(self, column: str, unread: bool = True) -> dict[str, tuple[int, int]]:
        """Each value of ``column`` (``site`` or ``feed_url``) with its numbers of
        cached and unread stories (without ``unread``, 0), for the site picker and the
        feed list. Both are passes over the column's stories, made as cheap as each
        index allows (a read-mark lookup for every story, as before, took 2.9 s for
        the sites at 1,000,000 stories):

        - the totals: a walk of the column's index alone;
        - the unread stories of each feed: the totals less the read ones, found by a
          walk of the feed index, which holds the story ids, beside the read marks
          (0.19 s there);
        - of each site: the mirror of the unread stories, each joined to its story by
          rowid (0.7 s there, two thirds unread; the site index holds no id, so the
          read marks would cost a row each). Until the mirror is filled, as a feed's.
        """
        conn = self._conn
        totals: dict[str, int] = dict(
            conn.execute(
                f"SELECT {column}, count(*) FROM stories WHERE {column} IS NOT NULL"
                f" GROUP BY {column}"
            ).fetchall()
        )
        if not totals or not unread:
            return {value: (n, 0) for value, n in totals.items()}
        if column != "feed_url" and self._unread_filled():
            unread_by: dict[str, int] = dict(
                conn.execute(
                    f"SELECT s.{column}, count(*) FROM unread u"
                    f" JOIN stories s ON s.rowid = u.story_rowid"
                    f" WHERE s.{column} IS NOT NULL GROUP BY s.{column}"
                ).fetchall()
            )
        else:
            read = dict(
                conn.execute(
                    f"SELECT s.{column}, count(*) FROM user.read_marks r"
                    f" JOIN stories s ON s.id = r.story_id"
                    f" WHERE s.{column} IS NOT NULL GROUP BY s.{column}"
                ).fetchall()
            )
            unread_by = {value: n - read.get(value, 0) for value, n in totals.items()}
        return {value: (n, unread_by.get(value, 0)) for value, n in totals.items()}

    def limit_cache(self, mib: int) -> None:
        """Hold at most ``mib`` MiB of each database's pages in memory from now on (a
        refresh appends: 8 MiB stores as fast as the default 64, bench_feeds.py; a
        listing reads each page once, and every read mark's)."""
        for schema in ("main", "user"):
            self._conn.execute(f"PRAGMA {schema}.cache_size = -{max(1, int(mib)) * 1024}")

    def checkpoint_every(self, mib: int) -> None:
        """Copy the write-ahead log into the story cache once it holds ``mib`` MiB, not
        SQLite's 4, from now on. A long ingest writes the same index pages again batch
        after batch (a story's id and title fall anywhere in their indexes), and one
        checkpoint copies a page once however often it was written: 10,000 text pages
        into a cache of 1,000,000 stories stored in 1.5 s instead of 2.4 (what the log
        holds at the end is copied when the last connection closes the cache)."""
        page = self._conn.execute("PRAGMA page_size").fetchone()[0]
        self._conn.execute(f"PRAGMA wal_autocheckpoint = {max(1, int(mib) * (1 << 20) // page)}")

    def close(self) -> None:
        self._conn.close()

    def _write(self) -> AbstractContextManager[None]:
        """One write transaction (``schema.write_transaction``)."""
        return write_transaction(self._conn)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- SQL helpers ---------------------------------------------------------------------

    def _pend_new_stories(self, top: int) -> int:
        """Queue the stories stored after rowid ``top`` for the full-text index
        (``index_pending``) and the analysis (``analyse_pending``); returns how many."""
        queued = 0
        for pending in ("fts_pending", "analysis_pending"):
            queued = self._conn.execute(
                f"INSERT OR ROLLBACK INTO {pending} (story_rowid)"
                " SELECT rowid FROM stories WHERE rowid > ?",
                (top,),
            ).rowcount
        return queued

    def _where(
        self,
        flt: StoryFilter,
        idcol: str,
        sitecol: str,
        params: list[Any],
        by_date: bool = False,
    ) -> str:
        """The ``WHERE`` of ``flt`` (may be empty). ``by_date``: a page in date order,
        where a common tag's stories are found by walking the date index (the feed
        index would gather and sort every story of the tag's feeds for each page), a
        rare tag's from the feed index (``_rare_tag``)."""
        where: list[str] = []
        if (
            not (flt.bookmarked or flt.site or flt.tag or flt.feed) and self._hidden_feeds()
        ):  # hidden feeds' stories stay out of the default list
            where.append(_NOT_HIDDEN)
        if flt.grouped and not (flt.bookmarked or flt.site or flt.tag or flt.feed):  # all its own
            where.append(f"({LISTED})")
        if flt.unread:
            where.append(f"NOT EXISTS (SELECT 1 FROM user.read_marks r WHERE r.story_id = {idcol})")
        if flt.site is not None:
            where.append(f"{sitecol} = ?")
            params.append(flt.site)
        if flt.tag is not None:
            walk = by_date and not self._rare_tag(flt.tag)
            where.append(
                f"{'+' if walk else ''}s.feed_url IN (SELECT f.url FROM user.feeds f,"
                " json_each(f.tags) t WHERE t.value = ?)"
            )
            params.append(flt.tag)
        if flt.feed is not None:
            where.append("s.feed_url = ?")
            params.append(flt.feed)
        return f" WHERE {' AND '.join(where)}" if where else ""

    def _walk(
        self, flt: StoryFilter, params: list[Any], by_date: bool = False
    ) -> tuple[str, str, str, str]:
        """The ``FROM`` and ``WHERE`` of the stories ``flt`` selects (not bookmarks), and
        the columns of their listing key (sort key, rowid): in the unread list (no site,
        tag or feed), the mirror of the unread stories (``unread u``) once it is filled,
        so that a page costs its rows however many read stories lie around them, the
        story row joined only to leave hidden feeds out; otherwise ``stories s``."""
        if flt.unread and not (flt.bookmarked or flt.site or flt.tag or flt.feed):
            if self._unread_filled():
                where: list[str] = []
                source = "FROM unread u"
                if self._hidden_feeds():
                    source += " CROSS JOIN stories s ON s.rowid = u.story_rowid"
                    where.append(_NOT_HIDDEN)
                if flt.grouped:
                    where.append(f"({LISTED_UNREAD})")
                clause = f" WHERE {' AND '.join(where)}" if where else ""
                return source, clause, "u.sort_key", "u.story_rowid"
        where_s = self._where(flt, "s.id", "s.site", params, by_date)
        return "FROM stories s", where_s, "s.sort_key", "s.rowid"

    def _hidden_feeds(self) -> bool:
        found = self._conn.execute("SELECT 1 FROM user.feeds WHERE hidden LIMIT 1").fetchone()
        return found is not None

    def _rare_tag(self, tag: str) -> bool:
        """Whether fewer than ``RARE_TAG`` stories come from ``tag``'s feeds (counted in
        the feed index, at most that many entries): a page of them is then gathered
        from that index and sorted, not found by walking the date index, which looks up
        each row it passes (2.3 s a page for 300 stories among 1,000,000)."""
        row = self._conn.execute(
            "SELECT count(*) FROM (SELECT 1 FROM stories s WHERE s.feed_url IN"
            " (SELECT f.url FROM user.feeds f, json_each(f.tags) t WHERE t.value = ?)"
            " LIMIT ?)",
            (tag, RARE_TAG),
        ).fetchone()
        return bool(row[0] < RARE_TAG)

    def _selected(self, flt: StoryFilter, params: list[Any]) -> tuple[str, str, str]:
        """The id column, the ``FROM`` and the ``WHERE`` (may be empty) of the stories
        ``flt`` selects; bookmarks stand in for stories the cache lost."""
        if flt.bookmarked:
            where = self._where(flt, "b.story_id", "coalesce(s.site, b.site)", params)
            source = "FROM user.bookmarks b LEFT JOIN stories s ON s.id = b.story_id"
            return "b.story_id", source, where
        return "s.id", "FROM stories s", self._where(flt, "s.id", "s.site", params)

    def _attach_lists(self, stories: list[Story], rows: list[sqlite3.Row]) -> None:
        """Fill in each story's headline lists, resolving them to cached stories.

        A headline resolves by URL first, then by its folded title (the newest
        story with that title wins), so links work whatever the ingest order.
        """
        parsed = [json.loads(self._lists_text(row) or "{}") for row in rows]
        urls = {url for lists in parsed for kind in lists for _, url in lists[kind] if url}
        keys = {title_key(title) for lists in parsed for kind in lists for title, _ in lists[kind]}
        by_url = self._ids_where("canonical_url", urls) | self._ids_where("url", urls)
        by_key = self._ids_where("title_key", keys)
        for story, lists in zip(stories, parsed, strict=True):
            for kind in LIST_KINDS:
                setattr(
                    story,
                    kind,
                    [
                        Headline(title, url, by_url.get(url) or by_key.get(title_key(title)))
                        for title, url in lists.get(kind, [])
                    ],
                )

    @staticmethod
    def _lists_text(row: sqlite3.Row) -> str | None:
        """A row's headline lists as JSON; damaged ones read as none (logged), so that
        the story and the rows listed with it still show."""
        try:
            return packing.unpack(row["lists"])
        except BodyDamaged as exc:
            _log.warning("story %s: its headline lists are left out: %s", row["id"], exc)
            return None

    def _ids_where(self, column: str, values: set[str]) -> dict[str, str]:
        """Map each value of ``column`` (url or title_key) to the newest story with it."""
        found: dict[str, str] = {}
        items = list(values)
        for start in range(0, len(items), CHUNK):
            chunk = items[start : start + CHUNK]
            rows = self._conn.execute(
                f"SELECT {column}, id FROM stories WHERE {column} IN"
                f" ({','.join('?' * len(chunk))}) ORDER BY sort_key",
                chunk,
            )
            found.update({row[0]: row[1] for row in rows})  # the newest comes last and wins
        return found


def _section(text: str | None) -> list[str]:
    """A story's section path from its JSON; most stories have none (``[]``), which is
    not parsed: a listing of 1,000,000 rows spent a sixth of its time in json.loads."""
    if not text or text == "[]":
        return []
    section: list[str] = json.loads(text)
    return section


def row_story(row: sqlite3.Row) -> Story:
    """A story row as a ``Story``; a feed item keeps its HTML (``story_markdown`` makes
    the Markdown when it is shown, so the store does no conversion)."""
    with_body = "body" in row.keys()
    try:
        html = packing.unpack(row["body_html"]) if with_body else None
        body = packing.unpack(row["body"], html) if with_body else None
    except BodyDamaged as exc:  # said with the story it is
        raise BodyDamaged(f"story {row['id']}: {exc}") from None
    return Story(
        id=row["id"],
        title=row["title"],
        source=row["source"],
        site=row["site"],
        section=_section(row["section"]),
        published=row["published"],
        author=row["author"],
        reactions=row["reactions"],
        url=row["url"],
        canonical_url=row["canonical_url"],
        body=body,
        bookmarked=bool(row["bookmarked"]),
        read=bool(row["read"]),
        body_html=html,
        body_base=row["body_base"] if with_body else None,
        sources=row["sources"] or 1,
    )


T = TypeVar("T")


def store_boundary(cls: type[T]) -> type[T]:
    """Wrap every public method of ``cls`` so that an SQLite error ``diagnose`` knows (a
    damaged file, a read-only home, a full disk) comes out as its ``StoreError``, which
    names the file and what to do; any other error passes unchanged. The one place
    where the store's SQLite errors are turned into reader's."""
    for name in dir(cls):
        method = getattr(cls, name)
        if not name.startswith("_") and inspect.isfunction(method):
            setattr(cls, name, _diagnosing(method))
    return cls


def _diagnosing(method: Callable[..., Any]) -> Callable[..., Any]:
    if inspect.isgeneratorfunction(method):

        @functools.wraps(method)
        def stream(self: StoreBase, *args: Any, **kwargs: Any) -> Iterator[Any]:
            try:
                yield from method(self, *args, **kwargs)
            except sqlite3.DatabaseError as exc:
                known = diagnose(self.paths, exc)
                if known is None:
                    raise
                raise known from exc

        return stream

    @functools.wraps(method)
    def call(self: StoreBase, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except sqlite3.DatabaseError as exc:
            known = diagnose(self.paths, exc)
            if known is None:
                raise
            raise known from exc

    return call
