"""The story store: every read and write of the cache and the user's data.

The rest of reader (command line, app) talks to the databases only through
``Store``. A ``Store`` holds one SQLite connection, so it belongs to the thread
that opened it; the app opens one per worker thread.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sqlite3
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, NamedTuple

from reader.base.clean import clean_link, title_key
from reader.base.errors import FeedNotFound, StoryNotFound
from reader.base.models import LIST_KINDS, Feed, Headline, Page, Story
from reader.base.paths import Paths
from reader.store.health import diagnose
from reader.store.query import COMMON_WORDS, match_all, match_any
from reader.store.schema import CACHE_MIGRATIONS, USER_MIGRATIONS, migrate

BUSY_TIMEOUT_S = 120.0
"""How long a second reader process waits for the other to finish writing."""

INDEX_CHUNK = 10_000
"""Most stories ``Store.index_pending`` adds to the full-text index in one transaction."""

_INDEX_PAUSE_S = 0.12
"""Between two such transactions: longer than SQLite's longest wait (100 ms) between
two tries of a writer that found the database busy, so such a writer gets its turn."""

Outcome = Literal["ingested", "updated", "unchanged"]


_COMMON = COMMON_WORDS


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
    body: str
    body_html: str | None
    lists: str
    sort_key: str
    content_hash: str
    id: str
    source: str
    ranking: tuple[tuple[str, str], ...]
    """The page's ranking list as ``(title, title_key)``: not a column."""


_ROW_COLUMNS = ", ".join(StoryRow._fields[:-1])
# Many rows a statement: sqlite3 lets other threads run during every statement, and
# with other threads busy, getting the interpreter back can take a switch interval
# (5 ms) each time: more than the insert itself. So a batch goes in with as few
# statements as SQLite's limit on parameters allows (999 on the oldest builds).
_MAX_ROWS_PER_INSERT = 1000


@functools.lru_cache(maxsize=8)
def _insert_rows(count: int) -> str:
    """An INSERT of ``count`` story rows."""
    one = f"({', '.join('?' * (len(StoryRow._fields) + 1))})"
    return (
        f"INSERT INTO stories ({_ROW_COLUMNS}, ingested_at, updated_at)"
        f" VALUES {', '.join([one] * count)}"
    )


# An update keeps the feed a story came from when the new version names none, and
# an undated story keeps its place in the list (its sort key is when it first came).
_KEEP_UNLESS_GIVEN = ("feed_url", "sort_key")
_UPDATE_ROW = (
    f"UPDATE stories SET ({', '.join(StoryRow._fields[:-2])}, updated_at) = ("
    + ", ".join(
        f"coalesce(?, {f})" if f in _KEEP_UNLESS_GIVEN else "?" for f in StoryRow._fields[:-2]
    )
    + ", ?) WHERE rowid = ?"
)


def _link(url: str | None) -> str | None:
    return (clean_link(url) or None) if url else None


def prepare(source: str, content_hash: str, page: Page) -> StoryRow:
    """The story row for ``page`` from ``source`` (pure: no database needed).

    Links are cleaned here, where pages from files, from the web and from feeds all
    pass: a control character in a link never reaches a terminal or the clipboard.
    """
    source = clean_link(source)
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
        page.published or _now(),
        content_hash,
        story_id(source),
        source,
        tuple((h.title, title_key(h.title)) for h in page.ranking),
    )


@dataclass(frozen=True)
class StoryFilter:
    """Which stories a listing shows."""

    bookmarked: bool = False
    unread: bool = False
    site: str | None = None
    tag: str | None = None
    """Only stories from feeds with this tag."""


def story_id(source: str) -> str:
    """The stable id of the story from ``source``: it survives deleting the cache."""
    return hashlib.sha256(source.encode("utf-8", "surrogatepass")).hexdigest()[:12]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _connect(path: str, writable: bool = True) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None, uri=True)
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


# Columns of a story row in listings; bookmarks stand in when the cache lost the story.
_LIST_COLUMNS = """
    {id} AS id, coalesce(s.title, b.title) AS title, coalesce(s.site, b.site) AS site,
    coalesce(s.section, b.section) AS section, coalesce(s.published, b.published) AS published,
    coalesce(s.author, b.author) AS author, coalesce(s.reactions, b.reactions) AS reactions,
    coalesce(s.url, b.url) AS url, coalesce(s.canonical_url, b.canonical_url) AS canonical_url,
    coalesce(s.source, b.source) AS source,
    coalesce(s.lists, b.lists) AS lists, b.story_id IS NOT NULL AS bookmarked,
    EXISTS (SELECT 1 FROM user.read_marks r WHERE r.story_id = {id}) AS read
"""
_BODY_COLUMN = """, coalesce(s.body, b.body) AS body,
    CASE WHEN s.rowid IS NULL THEN b.body_html ELSE s.body_html END AS body_html,
    coalesce(s.url, s.feed_url, b.url) AS body_base"""


class Store:
    """The cache and the user's data, opened together (the user data is attached)."""

    def __init__(self, paths: Paths, *, without_cache: bool = False) -> None:
        """Open ``paths``' databases; raises a ``StoreError`` that says what is wrong.

        ``without_cache``: an empty story cache in memory stands in for the file (a
        damaged cache must not hide the bookmarks, which keep their own copies).
        In a read-only home the databases open read-only: reading works.
        """
        paths.ensure()
        self.paths = paths
        try:
            self._open(paths, without_cache)
        except sqlite3.DatabaseError as exc:
            raise (diagnose(paths, exc) or exc) from exc

    def _open(self, paths: Paths, without_cache: bool) -> None:
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
        self._conn.execute("PRAGMA cache_size = -65536")  # 64 MB: index inserts stay in memory
        migrate(self._conn, "story cache", CACHE_MIGRATIONS)
        self._conn.execute("ATTACH DATABASE ? AS user", (_uri(paths.user_db, writable),))
        self._conn.row_factory = sqlite3.Row
        parameters = self._conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        self._rows_per_insert = max(
            1, min(_MAX_ROWS_PER_INSERT, parameters // (len(StoryRow._fields) + 1))
        )

    def close(self) -> None:
        self._conn.close()

    @contextmanager
    def _write(self) -> Iterator[None]:
        """One write transaction: committed, or rolled back on any exception (Ctrl+C
        included; one that lands after the commit leaves nothing to roll back)."""
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield
            self._conn.execute("COMMIT")
        except BaseException:
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
            raise

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing stories ---------------------------------------------------------------

    def known_hashes(self, sources: Sequence[str]) -> dict[str, str]:
        """The content hash stored for each of ``sources`` that is already cached."""
        found: dict[str, str] = {}
        for start in range(0, len(sources), 500):
            chunk = list(sources[start : start + 500])
            marks = ",".join("?" * len(chunk))
            rows = self._conn.execute(
                f"SELECT source, content_hash FROM stories WHERE source IN ({marks})", chunk
            )
            found.update({row[0]: row[1] for row in rows})
        return found

    def save_pages(self, items: Sequence[tuple[str, str, Page]]) -> list[Outcome]:
        """Store parsed pages as ``(source, content_hash, page)``, all in one transaction.

        A page whose source is cached with the same hash is left alone; one with
        another hash updates its story in place, which keeps its bookmark and read
        mark (they hang on the story id, derived from the source).
        """
        return self.save_rows([prepare(source, digest, page) for source, digest, page in items])

    def save_rows(self, rows: Sequence[StoryRow]) -> list[Outcome]:
        """``save_pages`` for rows made by ``prepare`` (in worker processes, say).

        A source named twice in one batch is stored once, as its last version.
        New stories wait for the full-text index (``index_pending``).
        """
        outcomes: list[Outcome] = []
        latest: dict[str, StoryRow] = {}
        now = _now()
        conn = self._conn
        with self._write():
            stored = self._stored([row.source for row in rows])
            hashes = {source: digest for source, (_, digest) in stored.items()}
            for row in rows:
                before = hashes.get(row.source)
                if before == row.content_hash:
                    outcomes.append("unchanged")
                    continue
                outcomes.append("ingested" if before is None else "updated")
                hashes[row.source] = row.content_hash
                latest[row.source] = row
            top = conn.execute("SELECT coalesce(max(rowid), 0) FROM stories").fetchone()[0]
            fresh = [row for source, row in latest.items() if source not in stored]
            for start in range(0, len(fresh), self._rows_per_insert):
                chunk = fresh[start : start + self._rows_per_insert]
                conn.execute(
                    _insert_rows(len(chunk)),
                    [value for row in chunk for value in (*row[:-1], now, now)],
                )
            conn.execute(  # the full-text index takes them in later: index_pending
                "INSERT INTO fts_pending (story_rowid) SELECT rowid FROM stories WHERE rowid > ?",
                (top,),
            )
            for source, row in latest.items():
                if source in stored:
                    rowid = stored[source][0]
                    undated = row._replace(sort_key=None) if row.published is None else row
                    conn.execute(_UPDATE_ROW, (*undated[:-2], now, rowid))
                    conn.execute("DELETE FROM ranking_entries WHERE story_rowid = ?", (rowid,))
                    self._refresh_bookmark_copy(row.id)
                if row.ranking:
                    rowid = conn.execute(
                        "SELECT rowid FROM stories WHERE source = ?", (source,)
                    ).fetchone()[0]
                    conn.executemany(
                        "INSERT INTO ranking_entries (story_rowid, position, title, title_key)"
                        " VALUES (?, ?, ?, ?)",
                        [(rowid, n, title, key) for n, (title, key) in enumerate(row.ranking)],
                    )
        return outcomes

    def index_pending(self) -> int:
        """Add the stories stored since the index was last used to the full-text index;
        returns how many.

        A few thousand stories (a refresh's worth) go in one statement; a longer backlog
        (the index rebuilt by a migration, a first refresh of many feeds) goes in
        transactions of ``INDEX_CHUNK`` stories with a pause between them, so that the
        app's other connection can mark a story read meanwhile.
        """
        if not self.writable:  # a read-only home: search what is indexed already
            return 0
        conn = self._conn
        added = 0
        while conn.execute("SELECT EXISTS (SELECT 1 FROM fts_pending)").fetchone()[0]:
            if added:
                time.sleep(_INDEX_PAUSE_S)
            with self._write():
                last = conn.execute(
                    "SELECT story_rowid FROM fts_pending ORDER BY story_rowid LIMIT 1 OFFSET ?",
                    (INDEX_CHUNK - 1,),
                ).fetchone()
                upto = -1 if last is None else last[0]  # -1: all of them
                added += conn.execute(
                    "INSERT INTO stories_fts (rowid, title, body)"
                    " SELECT s.rowid, s.title, s.body FROM fts_pending p"
                    " JOIN stories s ON s.rowid = p.story_rowid"
                    " WHERE ?1 < 0 OR p.story_rowid <= ?1",
                    (upto,),
                ).rowcount
                conn.execute("DELETE FROM fts_pending WHERE ?1 < 0 OR story_rowid <= ?1", (upto,))
        return added

    def _stored(self, sources: Sequence[str]) -> dict[str, tuple[int, str]]:
        """``(rowid, content_hash)`` of each of ``sources`` that is cached."""
        rows = self._conn.execute(
            "SELECT source, rowid, content_hash FROM stories"
            " WHERE source IN (SELECT value FROM json_each(?))",
            (json.dumps(list(sources)),),
        )
        return {source: (rowid, digest) for source, rowid, digest in rows}

    def _refresh_bookmark_copy(self, sid: str) -> None:
        self._conn.execute(
            "UPDATE user.bookmarks SET (title, site, section, published, author, reactions,"
            " url, canonical_url, source, body, body_html, lists, sort_key) = (SELECT title,"
            " site, section, published, author, reactions, url, canonical_url, source, body,"
            " body_html, lists, sort_key FROM stories WHERE id = :id)"
            " WHERE story_id = :id",
            {"id": sid},
        )

    # -- reading stories ---------------------------------------------------------------

    def is_empty(self) -> bool:
        """True when the cache holds no story and there is no bookmark."""
        row = self._conn.execute(
            "SELECT NOT EXISTS (SELECT 1 FROM stories)"
            " AND NOT EXISTS (SELECT 1 FROM user.bookmarks)"
        ).fetchone()
        return bool(row[0])

    def _select(
        self, flt: StoryFilter, with_body: bool, limit: int | None = None, offset: int = 0
    ) -> tuple[str, list[Any]]:
        """SQL and parameters for one page of the stories ``flt`` selects, newest first.

        The page is chosen by a lean scan of the date index (rowids only); columns
        are computed for the rows of that page alone, so a deep offset stays cheap.
        """
        params: list[Any] = []
        body = _BODY_COLUMN if with_body else ""
        if flt.bookmarked:
            where = self._where(flt, "b.story_id", "coalesce(s.site, b.site)", params)
            sql = (
                f"SELECT {_LIST_COLUMNS.format(id='b.story_id')}{body}"
                f" FROM user.bookmarks b LEFT JOIN stories s ON s.id = b.story_id{where}"
                " ORDER BY coalesce(s.sort_key, b.sort_key) DESC, b.story_id DESC"
                " LIMIT ? OFFSET ?"
            )
        else:
            where = self._where(flt, "s.id", "s.site", params)
            sql = (
                f"SELECT {_LIST_COLUMNS.format(id='s.id')}{body}"
                " FROM (SELECT s.rowid AS r FROM stories s"
                f"{where} ORDER BY s.sort_key DESC, s.rowid DESC LIMIT ? OFFSET ?) page"
                " JOIN stories s ON s.rowid = page.r"
                " LEFT JOIN user.bookmarks b ON b.story_id = s.id"
                " ORDER BY s.sort_key DESC, s.rowid DESC"
            )
        params += [-1 if limit is None else limit, offset]
        return sql, params

    @staticmethod
    def _where(flt: StoryFilter, idcol: str, sitecol: str, params: list[Any]) -> str:
        where: list[str] = []
        if flt.unread:
            where.append(f"NOT EXISTS (SELECT 1 FROM user.read_marks r WHERE r.story_id = {idcol})")
        if flt.site is not None:
            where.append(f"{sitecol} = ?")
            params.append(flt.site)
        if flt.tag is not None:
            where.append(
                "s.feed_url IN (SELECT f.url FROM user.feeds f, json_each(f.tags) t"
                " WHERE t.value = ?)"
            )
            params.append(flt.tag)
        return f" WHERE {' AND '.join(where)}" if where else ""

    def count(self, flt: StoryFilter = StoryFilter()) -> int:
        """How many stories ``flt`` selects."""
        params: list[Any] = []
        _, source, where = self._selected(flt, params)  # no WHERE: SQLite's fast count
        return self._conn.execute(f"SELECT count(*) {source}{where}", params).fetchone()[0]

    def _selected(self, flt: StoryFilter, params: list[Any]) -> tuple[str, str, str]:
        """The id column, the ``FROM`` and the ``WHERE`` (may be empty) of the stories
        ``flt`` selects; bookmarks stand in for stories the cache lost."""
        if flt.bookmarked:
            where = self._where(flt, "b.story_id", "coalesce(s.site, b.site)", params)
            source = "FROM user.bookmarks b LEFT JOIN stories s ON s.id = b.story_id"
            return "b.story_id", source, where
        return "s.id", "FROM stories s", self._where(flt, "s.id", "s.site", params)

    def list_stories(
        self,
        flt: StoryFilter = StoryFilter(),
        offset: int = 0,
        limit: int | None = None,
        with_body: bool = False,
    ) -> list[Story]:
        """One page of stories, newest first, without headline lists."""
        return list(self.iter_stories(flt, offset, limit, with_body=with_body))

    def iter_stories(
        self,
        flt: StoryFilter = StoryFilter(),
        offset: int = 0,
        limit: int | None = None,
        with_body: bool = True,
        with_lists: bool = False,
    ) -> Iterator[Story]:
        """Stream stories newest first (for export: never all in memory at once)."""
        sql, params = self._select(flt, with_body, limit, offset)
        cursor = self._conn.cursor()
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(256):
            stories = [_story(row) for row in rows]
            if with_lists:
                self._attach_lists(stories, rows)
            yield from stories

    def get(self, id_or_prefix: str) -> Story:
        """The story with this id (or unique id prefix), with body and resolved lists."""
        sid = self.resolve_id(id_or_prefix)
        row = self._conn.execute(
            f"SELECT {_LIST_COLUMNS.format(id=':id')}{_BODY_COLUMN}"
            " FROM (SELECT :id AS id) k LEFT JOIN stories s ON s.id = k.id"
            " LEFT JOIN user.bookmarks b ON b.story_id = k.id",
            {"id": sid},
        ).fetchone()
        story = _story(row)
        self._attach_lists([story], [row])
        return story

    def _attach_lists(self, stories: list[Story], rows: list[sqlite3.Row]) -> None:
        """Fill in each story's headline lists, resolving them to cached stories.

        A headline resolves by URL first, then by its folded title (the newest
        story with that title wins), so links work whatever the ingest order.
        """
        parsed = [json.loads(row["lists"] or "{}") for row in rows]
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

    def _ids_where(self, column: str, values: set[str]) -> dict[str, str]:
        """Map each value of ``column`` (url or title_key) to the newest story with it."""
        found: dict[str, str] = {}
        items = list(values)
        for start in range(0, len(items), 500):
            chunk = items[start : start + 500]
            rows = self._conn.execute(
                f"SELECT {column}, id FROM stories WHERE {column} IN"
                f" ({','.join('?' * len(chunk))}) ORDER BY sort_key",
                chunk,
            )
            found.update({row[0]: row[1] for row in rows})  # the newest comes last and wins
        return found

    def resolve_id(self, id_or_prefix: str) -> str:
        """The full id for an id or a unique prefix of one (at least 4 characters)."""
        prefix = id_or_prefix.strip().lower()
        if len(prefix) < 4 or any(ch not in "0123456789abcdef" for ch in prefix):
            raise StoryNotFound(f"no story with id {id_or_prefix!r}")
        upper = prefix + "g"
        rows = self._conn.execute(
            "SELECT id FROM stories WHERE id >= ?1 AND id < ?2"
            " UNION SELECT story_id FROM user.bookmarks WHERE story_id >= ?1 AND story_id < ?2"
            " LIMIT 2",
            (prefix, upper),
        ).fetchall()
        if not rows:
            raise StoryNotFound(f"no story with id {id_or_prefix!r}")
        if len(rows) > 1:
            raise StoryNotFound(f"id {id_or_prefix!r} is ambiguous: give more characters")
        return rows[0][0]

    def search(
        self, query: str, limit: int = 200, with_lists: bool = False, any_words: bool = False
    ) -> list[Story]:
        """Stories whose title or body contain every word of ``query``, best first.

        Any text is a query (``reader.store.query`` says how it is read); one without
        words finds nothing. With ``any_words`` (a headline looking for its story) a
        story needs only one of its telling words, and those with more rank first.
        """
        match = match_any(query) if any_words else match_all(query)
        if match is None:
            return []
        self.index_pending()
        sql = (
            f"SELECT {_LIST_COLUMNS.format(id='s.id')} FROM stories_fts f"
            " JOIN stories s ON s.rowid = f.rowid"
            " LEFT JOIN user.bookmarks b ON b.story_id = s.id"
            " WHERE stories_fts MATCH ? ORDER BY bm25(stories_fts, 5.0, 1.0) LIMIT ?"
        )
        rows = self._conn.execute(sql, (match, limit)).fetchall()
        stories = [_story(row) for row in rows]
        if with_lists:
            self._attach_lists(stories, rows)
        return stories

    def cache_wide_ranking(self, limit: int = 30) -> list[Headline]:
        """Headlines ranked across every ingested ranking list.

        A headline scores ``1 / (position + 1)`` for each list it appears in (so
        being first in many lists wins; the scores are kept by triggers as pages
        come and go); ties go to the story with more reactions, then the newer one.
        Entries resolve to cached stories by folded title.
        """
        top = self._conn.execute(
            "SELECT title_key, title, score FROM ranking_scores ORDER BY score DESC LIMIT ?",
            (limit * 2,),
        ).fetchall()
        keys = [row[0] for row in top]
        stories: dict[str, tuple[str, int, str, str]] = {}
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            rows = self._conn.execute(
                "SELECT title_key, id, coalesce(reactions, -1), sort_key, title FROM stories"
                f" WHERE title_key IN ({','.join('?' * len(chunk))}) ORDER BY sort_key",
                chunk,
            )
            stories.update({row[0]: row[1:] for row in rows})  # the newest wins
        entries = [
            (round(score, 9), *stories.get(key, (None, -1, "", title))) for key, title, score in top
        ]
        entries.sort(key=lambda e: e[4])  # title, then the more important keys, stably
        entries.sort(key=lambda e: e[3], reverse=True)  # newer
        entries.sort(key=lambda e: (e[0], e[2]), reverse=True)  # score, reactions
        return [Headline(title, None, article_id) for _, article_id, _, _, title in entries][:limit]

    def most_covered(self, limit: int = 30, window: int = 1000) -> list[Headline]:
        """The stories most sources carry, among the newest ``window``: top stories for
        a cache whose pages bring no ranking lists (feeds, plain text).

        Two stories are the same story when their titles share at least two telling
        words and at least half of the shorter title's (a word in more than one title
        in ten tells nothing, and would make this quadratic). A story scores the
        number of distinct sites among it and its matches; each group is shown once,
        by its newest story, with its count of sources. Groups carried by one source
        only are left out.
        """
        rows = self._conn.execute(
            "SELECT s.id, s.title, s.title_key, s.site FROM (SELECT rowid AS r FROM stories"
            " ORDER BY sort_key DESC, rowid DESC LIMIT ?) page JOIN stories s ON s.rowid = page.r"
            " ORDER BY s.sort_key DESC, s.rowid DESC",
            (window,),
        ).fetchall()
        words = [{w for w in row[2].split() if len(w) >= 4 and w not in _COMMON} for row in rows]
        seen = Counter(w for ws in words for w in ws)
        telling = max(50, len(rows) // 10)
        words = [{w for w in ws if seen[w] <= telling} for ws in words]
        postings: dict[str, list[int]] = {}
        for i, ws in enumerate(words):
            for w in ws:
                postings.setdefault(w, []).append(i)
        groups: list[tuple[int, int, list[int]]] = []  # (-sources, index, members)
        for i, ws in enumerate(words):
            shared = Counter(j for w in ws for j in postings[w] if j != i)
            members = [
                j for j, n in shared.items() if n >= 2 and 2 * n >= min(len(ws), len(words[j]))
            ]
            sources = len({rows[k][3] or rows[k][0] for k in (i, *members)})
            if sources >= 2:
                groups.append((-sources, i, members))
        groups.sort()
        taken: set[int] = set()
        top: list[Headline] = []
        for minus_sources, i, members in groups:
            if i in taken:
                continue
            taken.update((i, *members))
            top.append(Headline(f"{rows[i][1]} ({-minus_sources} sources)", None, rows[i][0]))
            if len(top) == limit:
                break
        return top

    def counts(self) -> dict[str, int]:
        """Totals for the status line: stories, unread, bookmarked.

        Unread is the total less the read marks of cached stories, so it costs
        what the read marks do, not a pass over every story.
        """
        row = self._conn.execute(
            "SELECT (SELECT count(*) FROM stories),"
            " (SELECT count(*) FROM user.read_marks r"
            "  WHERE EXISTS (SELECT 1 FROM stories s WHERE s.id = r.story_id)),"
            " (SELECT count(*) FROM user.bookmarks)"
        ).fetchone()
        return {"stories": row[0], "unread": row[0] - row[1], "bookmarked": row[2]}

    def similar(self, story_id: str, limit: int = 10) -> list[Headline]:
        """Cached stories that share the most telling words of this story's title.

        For stories that carry no related list of their own (feed items, plain
        text): full-text search for any of the title's telling words, best first.
        """
        row = self._conn.execute("SELECT title FROM stories WHERE id = ?", (story_id,)).fetchone()
        if row is None:
            return []
        match = match_any(row[0])
        if match is None:
            return []
        self.index_pending()
        rows = self._conn.execute(
            "SELECT s.title, s.id FROM stories_fts f JOIN stories s ON s.rowid = f.rowid"
            " WHERE stories_fts MATCH ? AND s.id != ? ORDER BY bm25(stories_fts, 5.0, 1.0)"
            " LIMIT ?",
            (match, story_id, limit),
        )
        return [Headline(title, None, sid) for title, sid in rows]

    def sites(self) -> list[tuple[str, int, int]]:
        """Each site with its numbers of cached and unread stories, most first."""
        rows = self._conn.execute(
            "SELECT site, count(*) AS n, sum(NOT EXISTS (SELECT 1 FROM user.read_marks r"
            " WHERE r.story_id = s.id)) FROM stories s WHERE site IS NOT NULL"
            " GROUP BY site ORDER BY n DESC, site"
        )
        return [(row[0], row[1], row[2]) for row in rows]

    def tags(self) -> list[tuple[str, int, int]]:
        """Each feed tag with its numbers of cached and unread stories, by name."""
        rows = self._conn.execute(
            "SELECT t.value, count(s.rowid), coalesce(sum(s.rowid IS NOT NULL AND NOT EXISTS"
            " (SELECT 1 FROM user.read_marks r WHERE r.story_id = s.id)), 0)"
            " FROM user.feeds f, json_each(f.tags) t"
            " LEFT JOIN stories s ON s.feed_url = f.url GROUP BY t.value ORDER BY t.value"
        )
        return [(row[0], row[1], row[2]) for row in rows]

    # -- feeds ------------------------------------------------------------------------------

    def page_stories(self, sources: Sequence[str]) -> set[str]:
        """Which of ``sources`` are stories ingested as pages (not from a feed)."""
        found: set[str] = set()
        for start in range(0, len(sources), 500):
            chunk = list(sources[start : start + 500])
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
            (url, title, _now()),
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

    def list_feeds(self) -> list[Feed]:
        """Every subscription, with its story and unread counts."""
        rows = self._conn.execute(
            "SELECT f.*, (SELECT count(*) FROM stories s WHERE s.feed_url = f.url) AS n,"
            " (SELECT count(*) FROM stories s WHERE s.feed_url = f.url AND NOT EXISTS"
            "  (SELECT 1 FROM user.read_marks r WHERE r.story_id = s.id)) AS unread"
            " FROM user.feeds f ORDER BY lower(coalesce(f.title, f.url))"
        )
        return [_feed(row) for row in rows]

    def get_feed(self, url_or_id: str) -> Feed:
        """The subscription with this URL or numeric id."""
        for feed in self.list_feeds():
            if feed.url == url_or_id or str(feed.id) == url_or_id.strip():
                return feed
        raise FeedNotFound(f"no feed {url_or_id!r}; see 'reader feed list'")

    def remove_feed(self, url_or_id: str, purge: bool = False) -> tuple[Feed, int]:
        """Unsubscribe; with ``purge`` also delete its stories. Returns how many went."""
        feed = self.get_feed(url_or_id)
        conn = self._conn
        with self._write():
            conn.execute("DELETE FROM user.feeds WHERE id = ?", (feed.id,))
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
        now = _now()
        conn = self._conn
        with self._write():
            conn.executemany(
                "UPDATE user.feeds SET last_refresh = ?, last_error = NULL,"
                " title = coalesce(?, title), etag = ?, last_modified = ? WHERE url = ?",
                [(now, title, etag, modified, url) for url, title, etag, modified in feeds],
            )

    def record_error(self, url: str, error: str) -> None:
        """Remember that refreshing the feed at ``url`` failed, and why."""
        self._conn.execute(
            "UPDATE user.feeds SET last_refresh = ?, last_error = ? WHERE url = ?",
            (_now(), error, url),
        )

    # -- the user's marks --------------------------------------------------------------

    def set_bookmark(self, id_or_prefix: str, on: bool = True) -> Story:
        """Bookmark (with a copy of the story) or unbookmark; returns the story."""
        sid = self.resolve_id(id_or_prefix)
        conn = self._conn
        with self._write():
            if on:
                conn.execute(
                    "INSERT INTO user.bookmarks (story_id, bookmarked_at, title, site, section,"
                    " published, author, reactions, url, canonical_url, source, body,"
                    " body_html, lists, sort_key) SELECT id, ?, title, site, section,"
                    " published, author, reactions, url, canonical_url, source, body,"
                    " body_html, lists, sort_key FROM stories WHERE id = ?"
                    " ON CONFLICT (story_id) DO NOTHING",
                    (_now(), sid),
                )
            else:
                conn.execute("DELETE FROM user.bookmarks WHERE story_id = ?", (sid,))
        return self.get(sid)

    def mark_all_read(
        self, flt: StoryFilter = StoryFilter(), ids: Sequence[str] | None = None
    ) -> int:
        """Mark read every story ``flt`` selects, or the stories ``ids`` name (a search's
        results); returns how many were unread."""
        now = _now()
        if ids is not None:
            return self._conn.execute(
                "INSERT INTO user.read_marks (story_id, read_at)"
                " SELECT value, ? FROM json_each(?) WHERE true"
                " ON CONFLICT (story_id) DO NOTHING",
                (now, json.dumps(list(ids))),
            ).rowcount
        params: list[Any] = [now]
        column, source, where = self._selected(flt, params)
        return self._conn.execute(  # an upsert's SELECT needs a WHERE to parse
            f"INSERT INTO user.read_marks (story_id, read_at) SELECT {column}, ? {source}"
            f"{where or ' WHERE true'} ON CONFLICT (story_id) DO NOTHING",
            params,
        ).rowcount

    def set_read(self, id_or_prefix: str, read: bool = True) -> Story:
        """Mark a story read or unread; returns the story."""
        sid = self.resolve_id(id_or_prefix)
        if read:
            self._conn.execute(
                "INSERT INTO user.read_marks (story_id, read_at) VALUES (?, ?)"
                " ON CONFLICT (story_id) DO NOTHING",
                (sid, _now()),
            )
        else:
            self._conn.execute("DELETE FROM user.read_marks WHERE story_id = ?", (sid,))
        return self.get(sid)


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
    )


def _dump_lists(page: Page) -> str:
    """A page's headline lists as compact JSON: ``{kind: [[title, url], ...]}``."""
    if not (page.related or page.ranking or page.recommended):
        return "{}"
    lists = {kind: [[h.title, _link(h.url)] for h in hs] for kind, hs in page.lists().items() if hs}
    return json.dumps(lists, ensure_ascii=False, separators=(",", ":"))


def _story(row: sqlite3.Row) -> Story:
    """A story row as a ``Story``; a feed item keeps its HTML (``story_markdown`` makes
    the Markdown when it is shown, so the store does no conversion)."""
    with_body = "body" in row.keys()
    return Story(
        id=row["id"],
        title=row["title"],
        source=row["source"],
        site=row["site"],
        section=json.loads(row["section"]) if row["section"] else [],
        published=row["published"],
        author=row["author"],
        reactions=row["reactions"],
        url=row["url"],
        canonical_url=row["canonical_url"],
        body=row["body"] if with_body else None,
        bookmarked=bool(row["bookmarked"]),
        read=bool(row["read"]),
        body_html=row["body_html"] if with_body else None,
        body_base=row["body_base"] if with_body else None,
    )


__all__ = [
    "LIST_KINDS",
    "FeedNotFound",
    "Outcome",
    "Store",
    "StoryFilter",
    "StoryNotFound",
    "story_id",
]
