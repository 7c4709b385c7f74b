"""Stories: storing pages as stories, listing, counting and getting them."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import Any, Literal

from reader.base.errors import StoryNotFound
from reader.base.models import Copy, Page, Story
from reader.store.base import (
    BODY_COLUMN,
    CHUNK,
    LIST_COLUMNS,
    ListedPage,
    ListKey,
    StoreBase,
    StoryFilter,
    row_story,
)
from reader.store.packing import stored_values
from reader.store.rows import StoryRow, prepare, timestamp

Outcome = Literal["ingested", "updated", "unchanged"]

STREAM_PAGE = 500
"""Rows a page when stories are streamed (``iter_stories``)."""

_ROW_COLUMNS = ", ".join(StoryRow._fields[:-1])


@functools.lru_cache(maxsize=8)
def _insert_rows(count: int) -> str:
    """An INSERT of ``count`` story rows."""
    one = f"({', '.join('?' * (len(StoryRow._fields) + 1))})"
    return (
        f"INSERT OR ROLLBACK INTO stories ({_ROW_COLUMNS}, ingested_at, updated_at)"
        f" VALUES {', '.join([one] * count)}"
    )


@functools.lru_cache(maxsize=8)
def _insert_entries(count: int) -> str:
    """An INSERT of ``count`` ranking entries."""
    return (
        "INSERT OR ROLLBACK INTO ranking_entries (story_rowid, position, title, title_key)"
        f" VALUES {', '.join(['(?, ?, ?, ?)'] * count)}"
    )


def _once_each(ranking: Sequence[tuple[str, str]]) -> Iterator[tuple[int, str, str]]:
    """A page's ranking list as ``(position, title, title_key)`` entries, a headline
    that it names twice once (at its first place): ``ranking_scores.lists`` counts the
    lists that name a headline by their entries."""
    seen: set[str] = set()
    for n, (title, key) in enumerate(ranking):
        if key not in seen:
            seen.add(key)
            yield n, title, key


# An update keeps the feed a story came from when the new version names none, and
# an undated story keeps its place in the list (its sort key is when it first came).
_KEEP_UNLESS_GIVEN = ("feed_url", "sort_key")
# The id is not rewritten: a story stored before its source lost its tracking
# parameters (schema migration 9) keeps the id its marks hang on.
_UPDATED = StoryRow._fields[:-3]
_UPDATE_ROW = (
    f"UPDATE stories SET ({', '.join(_UPDATED)}, updated_at) = ("
    + ", ".join(f"coalesce(?, {f})" if f in _KEEP_UNLESS_GIVEN else "?" for f in _UPDATED)
    + ", ?) WHERE rowid = ?"
)


class StoryStore(StoreBase):
    """Storing pages as stories, and reading them back."""

    # -- writing stories ---------------------------------------------------------------

    def known_hashes(self, sources: Sequence[str]) -> dict[str, str]:
        """The content hash stored for each of ``sources`` that is already cached."""
        found: dict[str, str] = {}
        for start in range(0, len(sources), CHUNK):
            chunk = list(sources[start : start + CHUNK])
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
        now = timestamp()
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
                    [value for row in chunk for value in (*stored_values(row), now, now)],
                )
            self._pend_new_stories(top)
            rowids = {source: rowid for source, (rowid, _) in stored.items()}
            for source, row in latest.items():
                if source in stored:
                    rowid = rowids[source]
                    undated = row._replace(sort_key=None) if row.published is None else row
                    conn.execute(_UPDATE_ROW, (*stored_values(undated)[:-2], now, rowid))
                    conn.execute("DELETE FROM ranking_entries WHERE story_rowid = ?", (rowid,))
                    sid = conn.execute("SELECT id FROM stories WHERE rowid = ?", (rowid,))
                    self._refresh_bookmark_copy(sid.fetchone()[0])
            # The new stories' rowids in one read (they are the rows after ``top``), and
            # the batch's ranking entries in as few statements as the parameters allow.
            if any(row.ranking for row in fresh):
                rowids.update(
                    conn.execute("SELECT source, rowid FROM stories WHERE rowid > ?", (top,))
                )
            values = [
                value
                for source, row in latest.items()
                for n, title, key in _once_each(row.ranking)
                for value in (rowids[source], n, title, key)
            ]
            step = self._entries_per_insert * 4
            for start in range(0, len(values), step):
                some = values[start : start + step]
                conn.execute(_insert_entries(len(some) // 4), some)
        return outcomes

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
            " site, section, published, author, reactions, url, canonical_url, source,"
            " unpack(body, body_html), unpack(body_html), unpack(lists), sort_key FROM stories"
            " WHERE id = :id)"
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
        self,
        flt: StoryFilter,
        with_body: bool,
        limit: int | None = None,
        skip: int = 0,
        key: ListKey | None = None,
        reverse: bool = False,
    ) -> tuple[str, list[Any]]:
        """SQL and parameters for the stories ``flt`` selects that come after ``key``
        in list order (newest first; None: from the top), skipping ``skip``.

        ``reverse`` walks the other way: the rows before ``key`` (None: from the
        bottom), nearest first, so oldest first. The rows come with their key
        (``list_sort``, ``list_tie``). Rows are picked by a lean walk of the date (or
        site) index from the key, rowids only, so a page costs what it holds plus what
        it skips, however deep in the list; columns are computed for that page alone.
        """
        params: list[Any] = []
        body = BODY_COLUMN if with_body else ""
        order = "ASC" if reverse else "DESC"
        beyond = ">" if reverse else "<"
        if flt.bookmarked:  # the page picked first, its columns computed after
            sort = "coalesce(s.sort_key, b.sort_key)"
            where = self._where(flt, "b.story_id", "coalesce(s.site, b.site)", params)
            if key is not None:
                where += f"{' AND' if where else ' WHERE'} ({sort}, b.story_id) {beyond} (?, ?)"
                params += [key.sort_key, str(key.tie)]
            params += [-1 if limit is None else limit, skip]
            sql = (
                f"SELECT {LIST_COLUMNS.format(id='b.story_id')}{body},"
                " page.list_sort, b.story_id AS list_tie"
                f" FROM (SELECT b.story_id AS sid, {sort} AS list_sort"
                f" FROM user.bookmarks b LEFT JOIN stories s ON s.id = b.story_id{where}"
                f" ORDER BY list_sort {order}, b.story_id {order} LIMIT ? OFFSET ?) page"
                " JOIN user.bookmarks b ON b.story_id = page.sid"
                " LEFT JOIN stories s ON s.id = b.story_id"
                f" ORDER BY page.list_sort {order}, b.story_id {order}"
            )
            return sql, params
        source, where, sort, tie = self._walk(flt, params, by_date=True)
        if key is not None:
            where += f"{' AND' if where else ' WHERE'} ({sort}, {tie}) {beyond} (?, ?)"
            params += [key.sort_key, key.tie]
        params += [-1 if limit is None else limit, skip]
        sql = (
            f"SELECT {LIST_COLUMNS.format(id='s.id')}{body},"
            " s.sort_key AS list_sort, s.rowid AS list_tie"
            f" FROM (SELECT {tie} AS r {source}"
            f"{where} ORDER BY {sort} {order}, {tie} {order} LIMIT ? OFFSET ?) page"
            " JOIN stories s ON s.rowid = page.r"
            " LEFT JOIN user.bookmarks b ON b.story_id = s.id"
            f" ORDER BY s.sort_key {order}, s.rowid {order}"
        )
        return sql, params

    def count(self, flt: StoryFilter = StoryFilter()) -> int:
        """How many stories ``flt`` selects.

        Every story, grouped or not, is SQLite's fast count (less, grouped, the copies
        that are not their group's head: a walk of the small group index), never a
        pass over the date index.
        """
        plain = replace(flt, grouped=False, unread=False) == StoryFilter()
        if plain and not self._hidden_feeds():
            if flt.unread:  # as for the status line
                return self._unread_count(flt.grouped)
            return self._listed_count(flt.grouped)
        params: list[Any] = []
        if flt.bookmarked:
            _, source, where = self._selected(flt, params)
        else:  # no WHERE: SQLite's fast count
            source, where, _, _ = self._walk(flt, params)
        count: int = self._conn.execute(f"SELECT count(*) {source}{where}", params).fetchone()[0]
        return count

    def page_after(
        self,
        flt: StoryFilter = StoryFilter(),
        after: ListKey | None = None,
        limit: int = 100,
        skip: int = 0,
    ) -> ListedPage:
        """The ``limit`` stories that come after ``after`` in the listing (None: from
        the top), past the ``skip`` nearest; without bodies or headline lists.

        Costs the rows it returns plus the index entries it skips: a keyset page,
        never an offset from the top of the list.
        """
        return self._page(flt, after, limit, skip, reverse=False)

    def page_before(
        self,
        flt: StoryFilter = StoryFilter(),
        before: ListKey | None = None,
        limit: int = 100,
        skip: int = 0,
    ) -> ListedPage:
        """The ``limit`` stories that come just before ``before`` in the listing (None:
        the last ones, so ``G`` costs a page), past the ``skip`` nearest to it; in list
        order (newest first), like ``page_after``."""
        page = self._page(flt, before, limit, skip, reverse=True)
        return ListedPage(page.stories[::-1], page.keys[::-1])

    def _page(
        self, flt: StoryFilter, key: ListKey | None, limit: int, skip: int, reverse: bool
    ) -> ListedPage:
        sql, params = self._select(flt, False, max(limit, 0), max(skip, 0), key, reverse)
        rows = self._conn.execute(sql, params).fetchall()
        return ListedPage(
            [row_story(row) for row in rows],
            [ListKey(row["list_sort"], row["list_tie"]) for row in rows],
        )

    def signposts(
        self,
        flt: StoryFilter = StoryFilter(),
        after: ListKey | None = None,
        every: int = 1000,
        count: int = 20,
    ) -> list[ListKey]:
        """The keys of every ``every``-th story after ``after`` in the listing (None:
        from the top), at most ``count``: the first is the ``every``-th row after it.

        A walk of the index entries, keys only, computed in SQLite (the app samples a
        long list in the background with it, so that a jump of the scrollbar to any
        place starts from a key at most ``every`` rows away). The bookmarks list has
        none (it is short).
        """
        if flt.bookmarked or every < 1 or count < 1:
            return []
        params: list[Any] = []
        source, where, sort, tie = self._walk(flt, params, by_date=True)
        if after is not None:
            where += f"{' AND' if where else ' WHERE'} ({sort}, {tie}) < (?, ?)"
            params += [after.sort_key, after.tie]
        params += [every * count, every]
        rows = self._conn.execute(
            "SELECT k, r FROM (SELECT k, r, row_number() OVER () AS n FROM"
            f" (SELECT {sort} AS k, {tie} AS r {source}{where}"
            f" ORDER BY {sort} DESC, {tie} DESC LIMIT ?)) WHERE n % ? = 0 ORDER BY n",
            params,
        ).fetchall()
        return [ListKey(row[0], row[1]) for row in rows]

    def list_stories(
        self,
        flt: StoryFilter = StoryFilter(),
        offset: int = 0,
        limit: int | None = None,
        with_body: bool = False,
    ) -> list[Story]:
        """Stories newest first, without headline lists (``offset`` walks the index:
        for a deep page use ``page_after``)."""
        return list(self.iter_stories(flt, offset, limit, with_body=with_body))

    def iter_stories(
        self,
        flt: StoryFilter = StoryFilter(),
        offset: int = 0,
        limit: int | None = None,
        with_body: bool = True,
        with_lists: bool = False,
    ) -> Iterator[Story]:
        """Stream stories newest first, a keyset page at a time: the first comes at
        once and memory stays flat however many there are (for ``reader list`` and
        export)."""
        key: ListKey | None = None
        skip = offset
        left = limit
        while left is None or left > 0:
            size = STREAM_PAGE if left is None else min(STREAM_PAGE, left)
            sql, params = self._select(flt, with_body, size, skip, key)
            rows = self._conn.execute(sql, params).fetchall()
            if not rows:
                return
            stories = [row_story(row) for row in rows]
            if with_lists:
                self._attach_lists(stories, rows)
            yield from stories
            if len(rows) < size:
                return
            key, skip = ListKey(rows[-1]["list_sort"], rows[-1]["list_tie"]), 0
            left = None if left is None else left - len(rows)

    def get(self, id_or_prefix: str) -> Story:
        """The story with this id (or unique id prefix), with body and resolved lists."""
        sid = self.resolve_id(id_or_prefix)
        row = self._conn.execute(
            f"SELECT {LIST_COLUMNS.format(id=':id')}{BODY_COLUMN}"
            " FROM (SELECT :id AS id) k LEFT JOIN stories s ON s.id = k.id"
            " LEFT JOIN user.bookmarks b ON b.story_id = k.id",
            {"id": sid},
        ).fetchone()
        story = row_story(row)
        self._attach_lists([story], [row])
        story.also_on = self._also_on(sid)
        if story.also_on and not story.bookmarked:  # a story is bookmarked as a whole
            story.bookmarked = bool(
                self._conn.execute(
                    "SELECT EXISTS (SELECT 1 FROM user.bookmarks"
                    " WHERE story_id IN (SELECT value FROM json_each(?)))",
                    (json.dumps([copy.id for copy in story.also_on]),),
                ).fetchone()[0]
            )
        sites = {copy.site or copy.id for copy in story.also_on}
        story.sources = len(sites | {story.site or story.id})
        return story

    def _also_on(self, sid: str) -> list[Copy]:
        """The other stories of ``sid``'s group of copies, the group's head first, then
        the fullest."""
        rows = self._conn.execute(
            "SELECT g.id, g.title, g.site, g.url FROM stories s"
            " JOIN stories g ON g.story_group = s.story_group AND g.rowid != s.rowid"
            " WHERE s.id = ? AND s.story_group IS NOT NULL"
            " ORDER BY g.rowid = g.story_group DESC, g.text_length DESC, g.rowid",
            (sid,),
        ).fetchall()
        return [Copy(*row) for row in rows]

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
        found: str = rows[0][0]
        return found

    def _listed_count(self, grouped: bool) -> int:
        """Every story, or with ``grouped`` every story a grouped listing shows."""
        row = self._conn.execute(
            "SELECT (SELECT count(*) FROM stories)"
            + (
                " - (SELECT count(*) FROM stories INDEXED BY stories_by_group"
                " WHERE story_group IS NOT NULL AND story_group != rowid)"
                if grouped
                else ""
            )
        ).fetchone()
        count: int = row[0]
        return count

    def counts(self, grouped: bool = False, stories: int | None = None) -> dict[str, int]:
        """Totals for the status line: stories, unread, bookmarked; ``grouped``, each
        story counted once however many sites carry it (what a grouped listing shows).
        ``stories``: what ``count(StoryFilter(grouped=grouped))`` gave, so that they are
        not counted twice (counted again when hidden feeds make the two differ).

        Unread is SQLite's fast count of the mirror of the unread stories (less,
        grouped, the copies in it that are not their group's head: a walk of its small
        index of them); until the mirror is filled, the total less the read marks of
        cached stories. Neither is a pass over every story.
        """
        if stories is None or self._hidden_feeds():
            stories = self._listed_count(grouped)
        bookmarked: int = self._conn.execute("SELECT count(*) FROM user.bookmarks").fetchone()[0]
        unread = self._unread_count(grouped, stories)
        return {"stories": stories, "unread": unread, "bookmarked": bookmarked}

    def _unread_count(self, grouped: bool, stories: int | None = None) -> int:
        """Unread stories, of every one (``stories``: their count, if known) or of what
        a grouped listing shows."""
        if self._unread_filled():
            row = self._conn.execute(
                "SELECT (SELECT count(*) FROM unread)"
                + (
                    " - (SELECT count(*) FROM unread INDEXED BY unread_copies"
                    " WHERE story_group IS NOT NULL AND story_group != story_rowid)"
                    if grouped
                    else ""
                )
            ).fetchone()
            count: int = row[0]
            return count
        if stories is None:
            stories = self._listed_count(grouped)
        row = self._conn.execute(
            "SELECT count(*) FROM user.read_marks r"
            " WHERE EXISTS (SELECT 1 FROM stories s WHERE s.id = r.story_id)"
        ).fetchone()
        unread: int = stories - row[0] + (self._read_copies() if grouped else 0)
        return unread

    def _read_copies(self) -> int:
        """Read marks of copies a grouped listing leaves out (not their group's head)."""
        row = self._conn.execute(
            "SELECT count(*) FROM stories s INDEXED BY stories_by_group"
            " JOIN user.read_marks r ON r.story_id = s.id"
            " WHERE s.story_group IS NOT NULL AND s.story_group != s.rowid"
        ).fetchone()
        count: int = row[0]
        return count

    def grouped_counts(self) -> dict[str, int]:
        """``counts(grouped=True)``."""
        return self.counts(grouped=True)

    def sites(self, unread: bool = True) -> list[tuple[str, int, int]]:
        """Each site with its numbers of cached and unread stories (without ``unread``,
        0: the site index alone is read), most first."""
        counts = self._counts_by("site", unread)
        return sorted(
            ((site, n, unread_n) for site, (n, unread_n) in counts.items()),
            key=lambda entry: (-entry[1], entry[0]),
        )

    def tags(self) -> list[tuple[str, int, int]]:
        """Each feed tag with its numbers of cached and unread stories, by name (a
        story counts once for each tag of its feed)."""
        counts = self._counts_by("feed_url")
        found: dict[str, list[int]] = {}
        for url, tags in self._conn.execute("SELECT url, tags FROM user.feeds"):
            n, unread = counts.get(url, (0, 0))
            for tag in dict.fromkeys(json.loads(tags or "[]")):
                entry = found.setdefault(tag, [0, 0])
                entry[0] += n
                entry[1] += unread
        return [(tag, n, unread) for tag, (n, unread) in sorted(found.items())]
