"""Search: the full-text index, kept up lazily, and the queries over it.

New stories wait in ``fts_pending`` until the index is next used (``index_pending``),
which keeps a refresh of thousands of items fast; ``reader.store.query`` turns what
the user typed into a safe FTS5 query and its filters (``site:``, ``tag:``, ``is:``,
``before:``, ``after:``).

Ranking every match of a common word by bm25 costs time in proportion to the matches
(tens of thousands at 100,000 stories), so a search ranks at most ``RANK_WINDOW``
matches: the newest stored ones (FTS5 walks its matches newest first without sorting),
after the filters. A query matching fewer stories is ranked whole, as before; one
matching more finds the best of its recent matches, which is what a news reader
expects. Measured by ``bench/bench_search.py`` at 100,000 stories: common words about
3x faster than ranking every match. A headline search (``any_words``) ranks all. A
phrase of very common words is listed newest first (``COMMON_PHRASE_DOCS``).

bm25 counts every match of a word in the index it ranks from, so ranking even a
window from a million stories costs in proportion to the million (the word "the":
73-138 ms). A second index holds the newest ``RECENT_STORIES`` stories alone, once the
cache holds more (a smaller cache would be indexed twice over, and its searches rank
from the main index at the same cost); a query with a whole window of matches among
them is ranked from it (12 ms for "the", the same best 20), the rest from the whole
index, where they have few matches. A query with filters or a phrase is ranked from
it when its matches there fill a page. Otherwise, in the whole index, a query with
filters looks back through the newest ``FILTER_SCAN`` matches of its words, testing a
site or tag on their rows when it has more stories than that (making a set of a tag's
100,000 rowids took 50 ms); a ranked phrase looks back through the newest
``RANK_WINDOW`` stories holding its uncommon word (``_phrase_floor``: FTS5 reads its
words' positions in every story holding them all), so it ranks fewer, newer matches
than a window when it is in few of them; a phrase of very common words lists its
newest page of matches. A search never waits for a long backlog or the recent index's
filling (``index_pending``): the app's background catch-up does both.

Measured at 1,000,000 stories (bench/bench_search.py --cpu --no-full, CPU ms, median /
p95, load 3-4): common words 6.0 / 20.0, rare 3.3 / 4.3, prefixes 6.9 / 12.3, phrases
6.8 / 16.9 (11.2 / 26.5 before the phrase window and the recent page), words with
filters 4.3 / 13.0 (14.9 / 62.8 before the row tests), filters alone 2.1 / 7.5, no
match 0.1 / 0.2.
"""

from __future__ import annotations

import heapq
import json
import re
import sqlite3
import time
from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from reader.base.clean import clean_line, clean_text
from reader.base.models import Snippet, Story
from reader.store.base import LIST_COLUMNS, LISTED, StoreBase, row_story
from reader.store.query import Filters, Term, match_all, match_any, parse_query, terms

INDEX_CHUNK = 10_000
"""Most stories ``Store.index_pending`` adds to the full-text index in one transaction."""

_INDEX_PAUSE_S = 0.12
"""Between two such transactions: longer than SQLite's longest wait (100 ms) between
two tries of a writer that found the database busy, so such a writer gets its turn."""


RANK_WINDOW = 2000
"""Most matches a search ranks by bm25: the newest stored ones (see the module's
docstring). bm25 costs about 5 µs a match; 4,000 measured twice as slow."""

RECENT_STORIES = 50_000
"""How many of the newest stories the second full-text index (``recent_fts``) holds,
once the cache holds more than this and ``_RECENT_SLACK`` (until then it is empty: it
would be a second copy of the whole index, 35 MB at 10,000 BBC feed items).
bm25 reads every match of a word in the index it ranks from, to count them; ranking
the newest ``RANK_WINDOW`` matches from an index of the newest stories alone costs
what it does at 50,000 stories however big the cache grows. A query with fewer than
``RANK_WINDOW`` matches among them is ranked from the whole index, where it has few
matches enough to be cheap (or is a word common long ago only). Measured at
1,000,000 stories (bench/bench_search.py): "the" 138 ms from the whole index."""

SEARCH_INDEXES = INDEX_CHUNK
"""Most pending stories a search adds to the index before it runs (a refresh's worth, so
that what came in is found): a longer backlog, a migration's rebuild, is the app's
background work (``index_pending`` without a limit), and never holds a search up."""

_RECENT_SLACK = RECENT_STORIES // 10
"""Stories past ``RECENT_STORIES`` let into the recent index before the oldest go, so
that a refresh does not make it drop a few stories every time."""

FILTER_SCAN = 20_000
"""How many of the newest matches of its words a search with filters looks through in
the whole index, when the recent index holds too few of them passing its filters (a
page): a common word with a selective filter (``government tag:sport``) would walk
every match of the word, 290,000 at 1,000,000 stories, testing the filter on each.
A site or tag of more stories than the matches it reads is tested on their rows
(``_conditions``): making a set of a tag's 100,000 stories took 50 ms."""

ROW_TEST_OVER = 5_000
"""A site or tag with more stories than this is tested row by row in a listing of
filters alone (see ``_conditions``); a smaller one is a set of rowids."""

COMMON_PHRASE_DOCS = 30_000
"""A phrase whose every word is in this many stories (``"of a"``, ``"he said"``) lists
its matches newest first, unranked: bm25 counts the stories holding a phrase by
reading every one (70 ms for ``"of a"`` at 100,000 stories), and such a phrase says
little about relevance anyway; the newest page of them is all it reads (from the
recent index when that holds a page). A phrase with a rarer word is ranked (6 ms for
``"prime minister"``), from the newest ``RANK_WINDOW`` stories holding that word."""

SNIPPET_TOKENS = 14
"""About how many words a snippet holds."""

_MARK_ON, _MARK_OFF = "\x02", "\x03"  # around a match in FTS5's snippet(); removed after
_ELLIPSIS = "…"
_SPACES = re.compile(r"\s+")


def parse_snippet(marked: str) -> Snippet:
    """FTS5's ``snippet()`` output, matches between ``\\x02`` and ``\\x03``, as a
    ``Snippet``: each piece cleaned (``clean_text``, whitespace runs made one space),
    so no control character of the story's text is left, and the marks become offsets."""
    text = ""
    matches: list[tuple[int, int]] = []
    pieces = marked.replace(_MARK_OFF, _MARK_ON).split(_MARK_ON)
    for n, piece in enumerate(pieces):
        cleaned = _SPACES.sub(" ", clean_text(piece))
        if cleaned.startswith(" ") and (not text or text.endswith(" ")):
            cleaned = cleaned[1:]
        if n % 2 and cleaned.strip():
            start = len(text) + len(cleaned) - len(cleaned.lstrip())
            matches.append((start, start + len(cleaned.strip())))
        text += cleaned
    stripped = text.rstrip()
    return Snippet(stripped, tuple((a, min(b, len(stripped))) for a, b in matches))


_SITES = (
    "WITH RECURSIVE n(site) AS (SELECT min(site) FROM stories UNION ALL"
    " SELECT (SELECT min(site) FROM stories WHERE site > n.site) FROM n WHERE n.site IS NOT NULL)"
    " SELECT site FROM n WHERE site IS NOT NULL"
    " UNION SELECT site FROM user.bookmarks WHERE site IS NOT NULL"
)
"""Every site name of the cache and the bookmarks: one index seek per site."""


def _host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").casefold()
    except ValueError:
        return ""


def _more_than(conn: sqlite3.Connection, sql: str, params: tuple[Any, ...], most: int) -> bool:
    """Whether ``sql`` gives more than ``most`` rows (counted no further)."""
    (count,) = conn.execute(f"SELECT count(*) FROM ({sql} LIMIT ?)", (*params, most + 1)).fetchone()
    return bool(count > most)


class _Columns(NamedTuple):
    """SQL for a story's columns in a query that filters (see ``_conditions``)."""

    rowid: str | None
    """The cache's rowid; None when the story may be a bookmark the cache lost."""
    id: str
    site: str
    feed: str
    date: str


class _Where(NamedTuple):
    """What ``_conditions`` makes of a query's filters."""

    conditions: list[str]
    """SQL conditions to join with AND."""
    reads_row: bool
    """Whether one reads the story's row (``cols.id``, ``cols.site``, ``cols.feed``,
    ``cols.date``): a query over a full-text index must join the stories table for it."""


class SearchStore(StoreBase):
    """The full-text index and searching it."""

    _recent_kept = False
    """The recent index was brought up to date on this connection once already."""

    def index_pending(self, most: int | None = None) -> int:
        """Add the stories stored since the index was last used to the full-text index;
        returns how many.

        A few thousand stories (a refresh's worth) go in one statement; a longer backlog
        (the index rebuilt by a migration, a first refresh of many feeds) goes in
        transactions of ``INDEX_CHUNK`` stories with a pause between them, so that the
        app's other connection can mark a story read meanwhile. The recent index
        (``RECENT_STORIES``) takes the new stories too, and is filled back to its size
        once the cache outgrows it; in a smaller cache it is kept empty
        (``_recent_wanted``).

        ``most`` (what a search does first, ``SEARCH_INDEXES``): index the waiting
        stories only if at most this many wait, and leave a longer backlog (a
        migration's rebuild, a first refresh of many feeds), and the recent index's
        filling back, to a call without it (the app's background catch-up after its
        first screen and after a refresh, ``reader index``): a search meanwhile finds
        what is indexed, ranked from the whole index until the recent one holds the
        newest stories again.
        """
        if not self.writable:  # a read-only home: search what is indexed already
            return 0
        conn = self._conn
        added = 0
        if most is not None and _more_than(conn, "SELECT 1 FROM fts_pending", (), most):
            return 0
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
                    " SELECT s.rowid, s.title, unpack(s.body, s.body_html) FROM fts_pending p"
                    " JOIN stories s ON s.rowid = p.story_rowid"
                    " WHERE ?1 < 0 OR p.story_rowid <= ?1",
                    (upto,),
                ).rowcount
                conn.execute("DELETE FROM fts_pending WHERE ?1 < 0 OR story_rowid <= ?1", (upto,))
        if most is not None:
            self._recent_on_top(most)
        elif added or not self._recent_kept:
            if self._recent_wanted():
                self._recent_on_top(None)
                self._fill_recent()  # (a deletion leaves it one short until new stories come)
            else:
                self._empty_recent()
            self._recent_kept = True
        return added

    def _recent_wanted(self) -> bool:
        """Whether the recent index should hold stories: the cache holds more than
        ``RECENT_STORIES`` and ``_RECENT_SLACK`` (once filled, it is kept down to
        ``RECENT_STORIES``, so that a cache trimmed about that size is not emptied and
        filled again and again). A smaller cache would be held whole twice: its
        searches rank from the main index, which costs the same at that size."""
        held = self._recent_high() is not None
        most = RECENT_STORIES if held else RECENT_STORIES + _RECENT_SLACK
        return _more_than(self._conn, "SELECT 1 FROM stories", (), most)

    def _empty_recent(self) -> None:
        """Empty the recent index (a cache too small for it, ``_recent_wanted``): one
        statement, whatever it holds; the space is reused as stories come."""
        if self._recent_high() is None:
            return
        with self._write():
            self._conn.execute("INSERT INTO recent_fts (recent_fts) VALUES ('delete-all')")
            self._conn.execute("DELETE FROM recent_rows")

    def _recent_high(self) -> int | None:
        """The newest story the recent index holds (None: it is empty)."""
        (high,) = self._conn.execute("SELECT max(story_rowid) FROM recent_rows").fetchone()
        return None if high is None else int(high)

    def _recent_whole(self) -> bool:
        """Whether the recent index holds every story from its oldest on: then the
        newest matches of any query are its newest matches. It holds none until it is
        first filled, and misses the newest while a long backlog waits."""
        high = self._recent_high()
        return (
            high is not None
            and not self._conn.execute(
                "SELECT 1 FROM stories WHERE rowid > ? LIMIT 1", (high,)
            ).fetchone()
        )

    def _add_recent(self, low: int, high: int) -> None:
        """The stories with rowids from ``low`` to ``high`` into the recent index."""
        conn = self._conn
        conn.execute(
            "INSERT INTO recent_fts (rowid, title, body)"
            " SELECT rowid, title, unpack(body, body_html) FROM stories"
            " WHERE rowid BETWEEN ? AND ?",
            (low, high),
        )
        conn.execute(
            "INSERT INTO recent_rows (story_rowid) SELECT rowid FROM stories"
            " WHERE rowid BETWEEN ? AND ?",
            (low, high),
        )

    def _recent_on_top(self, most: int | None) -> None:
        """The stories newer than the recent index's newest into it, oldest first, in
        chunks with pauses (none if more than ``most`` of them wait); none while it is
        empty (its first filling, ``_fill_recent``, starts from the newest)."""
        conn = self._conn
        high = self._recent_high()
        newer = "SELECT 1 FROM stories WHERE rowid > ?"
        if high is None or (most is not None and _more_than(conn, newer, (high,), most)):
            return
        moved = 0
        while True:
            high = self._recent_high()
            if high is None:
                return
            rows = conn.execute(
                "SELECT rowid FROM stories WHERE rowid > ? ORDER BY rowid LIMIT ?",
                (high, INDEX_CHUNK),
            ).fetchall()
            if not rows:
                return
            if moved:
                time.sleep(_INDEX_PAUSE_S)
            with self._write():
                self._add_recent(rows[0][0], rows[-1][0])
            moved += len(rows)

    def _fill_recent(self) -> None:
        """Fill the recent index back to ``RECENT_STORIES`` with the stories older than
        its oldest, newest first, in chunks with pauses like the main index (after
        migration 13: the newest stories of the cache); and let the oldest go once it
        holds ``_RECENT_SLACK`` too many. Only ``recent_rows`` is walked, never the
        stories table (their rows are wide: counting back 50,000 of them took 100 ms).
        Searches meanwhile rank from it as soon as it holds a window of matches."""
        conn = self._conn
        first = True
        while True:
            (low, held) = conn.execute(
                "SELECT min(story_rowid), count(*) FROM recent_rows"
            ).fetchone()
            if held >= RECENT_STORIES:
                break
            rows = conn.execute(
                "SELECT rowid FROM stories WHERE rowid < ? ORDER BY rowid DESC LIMIT ?",
                (2**63 - 1 if low is None else low, min(INDEX_CHUNK, RECENT_STORIES - held)),
            ).fetchall()
            if not rows:
                break
            if not first:
                time.sleep(_INDEX_PAUSE_S)
            first = False
            with self._write():
                self._add_recent(rows[-1][0], rows[0][0])
        (held,) = conn.execute("SELECT count(*) FROM recent_rows").fetchone()
        if held > RECENT_STORIES + _RECENT_SLACK:
            (floor,) = conn.execute(
                "SELECT story_rowid FROM recent_rows ORDER BY story_rowid DESC LIMIT 1 OFFSET ?",
                (RECENT_STORIES - 1,),
            ).fetchone()
            with self._write():
                conn.execute(
                    "INSERT INTO recent_fts (recent_fts, rowid, title, body)"
                    " SELECT 'delete', s.rowid, s.title, unpack(s.body, s.body_html)"
                    " FROM recent_rows r"
                    " JOIN stories s ON s.rowid = r.story_rowid WHERE r.story_rowid < ?",
                    (floor,),
                )
                conn.execute("DELETE FROM recent_rows WHERE story_rowid < ?", (floor,))

    def _ranked_recent(
        self, sql: str, params: list[Any], limit: int, window: int, page_will_do: bool
    ) -> list[int] | None:
        """The best ``limit`` rowids of a query ranked from the recent index (``sql``,
        from ``search``, with its ``params``), best first; None when the whole index
        must rank it: the recent index holds fewer than a ``window`` of its matches
        (``RANK_WINDOW``; a page for a phrase listed newest first), so the newest
        matches are not all in it. With ``page_will_do`` (a query with filters or a
        phrase) a page of matches among the recent stories is enough: finding the rest
        in the whole index would walk the words' matches one by one, testing the filter,
        or read the positions of its words in every story holding them all, to count
        the phrase's matches for bm25."""
        found = self._conn.execute(sql, [*params, window]).fetchall()
        if len(found) < window and not (page_will_do and len(found) >= limit):
            return None
        ranked = heapq.nsmallest(limit, found, key=lambda row: row[1])  # ties: newest first
        return [rowid for rowid, _ in ranked]

    def _recent_low(self) -> int | None:
        """The oldest story the recent index holds (None: it is empty)."""
        (low,) = self._conn.execute("SELECT min(story_rowid) FROM recent_rows").fetchone()
        return None if low is None else int(low)

    def _newest_matches(self, match: str, most: int) -> tuple[int | None, int]:
        """The oldest of the newest ``most`` matches of ``match`` in the whole index
        (None: it has fewer), and how many of them there are (at most ``most``)."""
        count, low = self._conn.execute(
            "SELECT count(*), min(rowid) FROM (SELECT rowid FROM stories_fts"
            " WHERE stories_fts MATCH ? ORDER BY rowid DESC LIMIT ?)",
            (match, most),
        ).fetchone()
        return (int(low) if count >= most else None), int(count)

    def _scan_window(self, match: str) -> tuple[int | None, int]:
        """Where a filtered search looks no further back in the whole index (the oldest
        of the newest ``FILTER_SCAN`` matches of ``match``; None: it has fewer), and
        how many matches it looks through."""
        return self._newest_matches(match, FILTER_SCAN)

    def _many_stories(self, sites: list[str], urls: list[str], most: int) -> bool:
        """Whether more than ``most`` stories are on ``sites`` or ``urls`` (counted
        from their indexes no further)."""
        (count,) = self._conn.execute(
            "SELECT count(*) FROM (SELECT 1 FROM stories WHERE site IN"
            " (SELECT value FROM json_each(?)) UNION ALL SELECT 1 FROM stories"
            " WHERE feed_url IN (SELECT value FROM json_each(?)) LIMIT ?)",
            (json.dumps(sites), json.dumps(urls), most + 1),
        ).fetchone()
        return bool(count > most)

    def _conditions(
        self,
        filters: Filters,
        cols: _Columns,
        params: list[Any],
        floor: int | None = None,
        row_over: int | None = None,
        matches: int | None = None,
    ) -> _Where:
        """SQL conditions (to join with AND) for ``filters``; parameters go into ``params``.
        ``floor``: the query looks at stories from this rowid on (the sets are smaller).
        ``row_over``: a site or tag of more stories than this is tested on the story's
        row (``cols.site``, ``cols.feed``), not made a set: a set of 100,000 rowids
        took 150 ms at 1,000,000 stories (50 ms for a tag's 100,000), and a walk
        that stops at a page (a listing: ``ROW_TEST_OVER``) or reads at most so many
        matches (a search: their number) reads fewer rows than that. ``matches`` (a
        search over ``cols.rowid``, a full-text index): how many matches it reads at
        most; fewer bookmarks than that are a set of rowids, not looked up a match at
        a time by the story's id (2.5 us each).

        ``site:`` and ``tag:`` are resolved here to the site names and feeds they
        mean (a few rows: the distinct sites, the subscriptions), then matched by
        index; with ``cols.rowid`` the match is a set of rowids read from the indexes
        alone (``+`` keeps SQLite from driving the query by it: the date index or the
        full-text index stays in charge, and no story row is read to test it).
        """
        where: list[str] = []
        reads_row = False
        feeds = self._conn.execute("SELECT url, tags FROM user.feeds").fetchall()

        def matching(names: Sequence[str] = (), tags: Sequence[str] = ()) -> str:
            nonlocal reads_row
            sites = (
                [
                    site
                    for (site,) in self._conn.execute(_SITES)
                    if any(name in site.casefold() for name in names)
                ]
                if names
                else []
            )
            urls = [
                url
                for url, tagged in feeds
                if any(name in _host(url) for name in names)
                or any(tag == t.casefold() for t in json.loads(tagged or "[]") for tag in tags)
            ]
            if not sites and not urls:  # no such site or tag: nothing to look for
                return "0"
            params.extend([json.dumps(sites), json.dumps(urls)])
            test = (
                "{site} IN (SELECT value FROM json_each(?))"
                " OR {feed} IN (SELECT value FROM json_each(?))"
            )
            if cols.rowid is None or (
                row_over is not None and self._many_stories(sites, urls, row_over)
            ):
                reads_row = True
                return "coalesce(" + test.format(site=cols.site, feed=cols.feed) + ", 0)"
            # Two lookups, each by its covering index: one "site IN ... OR feed_url IN ..."
            # reads every story row it finds (SQLite's OR by two indexes), 24 ms at
            # 100,000 stories for a tag of 10,000.
            low = "" if floor is None else f" AND rowid >= {int(floor)}"
            return (
                f"+{cols.rowid} IN (SELECT rowid FROM stories WHERE site IN"
                f" (SELECT value FROM json_each(?)){low} UNION ALL SELECT rowid FROM stories"
                f" WHERE feed_url IN (SELECT value FROM json_each(?)){low})"
            )

        if filters.contradictory:
            where.append("0")
        if filters.sites:
            where.append(matching(names=filters.sites))
        if filters.not_sites:
            where.append(f"NOT {matching(names=filters.not_sites)}")
        if filters.tags:
            where.append(matching(tags=filters.tags))
        if filters.not_tags:
            where.append(f"NOT {matching(tags=filters.not_tags)}")
        if filters.read is not None:
            reads_row = True
            where.append(
                ("" if filters.read else "NOT ")
                + f"EXISTS (SELECT 1 FROM user.read_marks r WHERE r.story_id = {cols.id})"
            )
        if filters.bookmarked is not None:
            negation = "" if filters.bookmarked else "NOT "
            if matches is not None and not _more_than(
                self._conn, "SELECT 1 FROM user.bookmarks", (), matches
            ):  # fewer bookmarks than matches read: their rowids, by the id index
                where.append(
                    f"{negation}+{cols.rowid} IN (SELECT m.rowid FROM user.bookmarks k"
                    " JOIN stories m ON m.id = k.story_id)"
                )
            else:
                reads_row = True
                where.append(
                    negation
                    + f"EXISTS (SELECT 1 FROM user.bookmarks k WHERE k.story_id = {cols.id})"
                )
        if filters.before is not None:
            reads_row = True
            where.append(f"{cols.date} < ?")
            params.append(filters.before)
        if filters.after is not None:
            reads_row = True
            where.append(f"{cols.date} >= ?")
            params.append(filters.after)
        return _Where(where, reads_row)

    def search(
        self,
        query: str,
        limit: int = 200,
        with_lists: bool = False,
        any_words: bool = False,
        now: datetime | None = None,
        grouped: bool = False,
    ) -> list[Story]:
        """Stories whose title or body contain every word of ``query`` and pass its
        filters, best first; a query of filters alone lists the stories passing them,
        newest first.

        Any text is a query (``reader.store.query`` says how it is read); one without
        words or filters finds nothing. With ``any_words`` (a headline looking for its
        story) the text is all words, a story needs only one of its telling words, and
        those with more rank first. ``now``: what relative dates (``after:7d``) count
        back from. ``grouped``: a story's copies on other sites are one result, its
        group's fullest copy, where its best-matching copy ranked.
        """
        newest = False
        if any_words:
            filters, match = Filters(), match_any(query)
        else:
            parsed = parse_query(query, now)
            filters, match = parsed.filters, match_all(parsed.text)
        # A site's or tag's own stories are what is asked for, copies or not.
        grouped = grouped and not (filters.sites or filters.tags)
        if match is None:
            return self._filtered(filters, limit, with_lists, grouped) if filters else []
        self.index_pending(SEARCH_INDEXES)
        uncommon: list[Term | None] = []
        if not any_words:
            phrases = [term for term in terms(parsed.text) if len(term.tokens) > 1]
            uncommon = [self._uncommon_word(term) for term in phrases]
            newest = None in uncommon
        cols = _Columns("f.rowid", "s.id", "s.site", "s.feed_url", "s.sort_key")
        window = "" if any_words else " ORDER BY f.rowid DESC LIMIT ?"
        # A filtered search reads at most the newest FILTER_SCAN matches of its words:
        # a site or tag of more stories than it reads is tested on their rows.
        scan_floor, walked = self._scan_window(match) if window and filters else (None, None)

        def scored(index: str, floor: int | None) -> tuple[str, list[Any]]:
            """The matches in ``index`` (rowids only; from the story ``floor`` on) and
            their scores, the newest window of them, and its parameters: the columns
            of a row are computed for the page alone."""
            params: list[Any] = [match]
            where = self._conditions(filters, cols, params, floor, walked, walked)
            conditions = where.conditions
            if floor is not None:
                conditions.append("f.rowid >= ?")
                params.append(floor)
            sql = (
                "SELECT f.rowid AS r, "
                + ("-f.rowid" if newest else f"bm25({index}, 5.0, 1.0)")
                + f" AS score FROM {index} f"
                + (" JOIN stories s ON s.rowid = f.rowid" if where.reads_row else "")
                + f" WHERE {index} MATCH ?"
                + "".join(f" AND {condition}" for condition in conditions)
                + window
            )
            return sql, params

        # What is ranked: the newest RANK_WINDOW matches; of a phrase listed newest
        # first, the newest page of them is the page.
        ranked = limit if newest else max(RANK_WINDOW, limit)
        best = None
        if window and limit <= RANK_WINDOW and self._recent_whole():
            recent = scored("recent_fts", self._recent_low())
            best = self._ranked_recent(*recent, limit, ranked, bool(filters or uncommon))
        if best is not None:
            page = "(SELECT j.value AS r, j.key AS score FROM json_each(?) j)"
            params: list[Any] = [json.dumps(best)]
        else:
            floor = scan_floor
            if window and not filters and not newest and uncommon:
                floor = self._phrase_floor([w for w in uncommon if w is not None], ranked)
            sql, params = scored("stories_fts", floor)
            page = f"(SELECT r, score FROM ({sql}) ORDER BY score LIMIT ?)"
            params += [ranked, limit] if window else [limit]
        if grouped:  # each copy found stands for its group's fullest, ranked as the best
            page = (
                "(SELECT coalesce(m.story_group, m.rowid) AS r, min(p.score) AS score"
                f" FROM {page} p JOIN stories m ON m.rowid = p.r GROUP BY 1)"
            )
        sql = (
            f"SELECT {LIST_COLUMNS.format(id='s.id')} FROM {page} page"
            " JOIN stories s ON s.rowid = page.r"
            " LEFT JOIN user.bookmarks b ON b.story_id = s.id"
            " ORDER BY page.score"
        )
        rows = self._conn.execute(sql, params).fetchall()
        stories = [row_story(row) for row in rows]
        if with_lists:
            self._attach_lists(stories, rows)
        return stories

    def query_counts(self, query: str, now: datetime | None = None) -> tuple[int, int]:
        """``(unread, all)``: how many stories a search for ``query`` finds (a saved
        search's numbers in the feed list), each copy counted, none ranked.

        Counting needs no bm25, so it is not windowed like ``search``: the matches are
        read from the full-text index and each one's read mark looked up by its id.
        A query without words or filters finds nothing: ``(0, 0)``."""
        parsed = parse_query(query, now)
        filters, match = parsed.filters, match_all(parsed.text)
        params: list[Any] = []
        unread = "NOT EXISTS (SELECT 1 FROM user.read_marks r WHERE r.story_id = {id})"
        if match is None and not filters:
            return (0, 0)
        if match is None and filters.bookmarked:  # the bookmarks lead, as in the listing
            cols = _Columns(None, "b.story_id", "coalesce(s.site, b.site)", "s.feed_url",
                            "coalesce(s.sort_key, b.sort_key)")  # fmt: skip
            where = self._conditions(filters, cols, params).conditions
            source = "FROM user.bookmarks b LEFT JOIN stories s ON s.id = b.story_id"
            test = unread.format(id="b.story_id")
        elif match is None:
            cols = _Columns("s.rowid", "s.id", "s.site", "s.feed_url", "s.sort_key")
            where = self._conditions(filters, cols, params).conditions
            source, test = "FROM stories s", unread.format(id="s.id")
        else:
            self.index_pending(SEARCH_INDEXES)
            cols = _Columns("f.rowid", "s.id", "s.site", "s.feed_url", "s.sort_key")
            params.append(match)
            where = ["stories_fts MATCH ?", *self._conditions(filters, cols, params).conditions]
            source = "FROM stories_fts f JOIN stories s ON s.rowid = f.rowid"
            test = unread.format(id="s.id")
        sql = f"SELECT count(*), coalesce(sum({test}), 0) {source}" + (
            f" WHERE {' AND '.join(where)}" if where else ""
        )
        total, unread_count = self._conn.execute(sql, params).fetchone()
        return (int(unread_count), int(total))

    def _uncommon_word(self, phrase: Term) -> Term | None:
        """The first word of ``phrase`` in fewer than ``COMMON_PHRASE_DOCS`` stories
        (counted no further); None when each is in that many, and ranking the phrase
        would cost a scan of all its matches."""
        for token in phrase.tokens:
            word = Term((token,))
            (count,) = self._conn.execute(
                "SELECT count(*) FROM (SELECT 1 FROM stories_fts WHERE stories_fts MATCH ?"
                " LIMIT ?)",
                (word.fts(), COMMON_PHRASE_DOCS),
            ).fetchone()
            if count < COMMON_PHRASE_DOCS:
                return word
        return None

    def _phrase_floor(self, words: Sequence[Term], most: int) -> int | None:
        """The newest of the oldest of the newest ``most`` stories (a window) holding
        each of ``words`` (a ranked phrase's uncommon word each): the phrase's matches
        from there on are all that ranking it reads (None: each is in fewer stories).
        FTS5 reads the positions of a phrase's words in every story holding them all;
        looking back through its matches until a window of them would read a few times
        a window of stories holding its rarer word."""
        floors = [self._newest_matches(word.fts(), most)[0] for word in words]
        return max((floor for floor in floors if floor is not None), default=None)

    def _filtered(
        self, filters: Filters, limit: int, with_lists: bool, grouped: bool = False
    ) -> list[Story]:
        """The stories passing ``filters``, newest first (a search without words).

        With ``is:bookmarked`` the bookmarks lead, so a bookmark whose story left the
        cache is found too; otherwise a lean scan of the date index picks the page.
        """
        params: list[Any] = []
        if filters.bookmarked:
            cols = _Columns(
                None,
                "b.story_id",
                "coalesce(s.site, b.site)",
                "s.feed_url",
                "coalesce(s.sort_key, b.sort_key)",
            )
            where = self._conditions(filters, cols, params).conditions
            sql = (
                f"SELECT {LIST_COLUMNS.format(id='b.story_id')}"
                " FROM user.bookmarks b LEFT JOIN stories s ON s.id = b.story_id"
                + (f" WHERE {' AND '.join(where)}" if where else "")
                + " ORDER BY coalesce(s.sort_key, b.sort_key) DESC, b.story_id DESC LIMIT ?"
            )
        else:
            cols = _Columns("s.rowid", "s.id", "s.site", "s.feed_url", "s.sort_key")
            where = self._conditions(filters, cols, params, row_over=ROW_TEST_OVER).conditions
            if grouped:
                where.append(f"({LISTED})")
            sql = (
                f"SELECT {LIST_COLUMNS.format(id='s.id')}"
                " FROM (SELECT s.rowid AS r FROM stories s"
                + (f" WHERE {' AND '.join(where)}" if where else "")
                + " ORDER BY s.sort_key DESC, s.rowid DESC LIMIT ?) page"
                " JOIN stories s ON s.rowid = page.r"
                " LEFT JOIN user.bookmarks b ON b.story_id = s.id"
                " ORDER BY s.sort_key DESC, s.rowid DESC"
            )
        params.append(limit)
        rows = self._conn.execute(sql, params).fetchall()
        stories = [row_story(row) for row in rows]
        if with_lists:
            self._attach_lists(stories, rows)
        return stories

    def snippets(self, query: str, ids: Sequence[str]) -> dict[str, Snippet]:
        """A snippet of each story in ``ids`` around what ``query`` matches in its text
        (a query of filters alone: the text's first words); a story the cache lost
        (a bookmark's copy) has none."""
        match = match_all(parse_query(query).text)
        conn = self._conn
        rows = conn.execute(
            "SELECT s.id, s.rowid, unpack(s.body, s.body_html) FROM json_each(?) j"
            " JOIN stories s ON s.id = j.value",
            (json.dumps(list(ids)),),
        ).fetchall()
        marked: dict[int, str] = {}
        rowids = [
            rowid for _, rowid, body in rows if _MARK_ON not in body and _MARK_OFF not in body
        ]
        if match is not None and rowids:
            # One query for them all: a prefix is expanded once, not once a story.
            marked = dict(
                conn.execute(
                    "SELECT rowid, snippet(stories_fts, 1, ?, ?, ?, ?) FROM stories_fts"
                    " WHERE stories_fts MATCH ? AND rowid BETWEEN ? AND ?"
                    " AND +rowid IN (SELECT value FROM json_each(?))",
                    (
                        _MARK_ON,
                        _MARK_OFF,
                        _ELLIPSIS,
                        SNIPPET_TOKENS,
                        match,
                        min(rowids),
                        max(rowids),
                        json.dumps(rowids),
                    ),
                ).fetchall()
            )
        found: dict[str, Snippet] = {}
        for sid, rowid, body in rows:
            if _MARK_ON in marked.get(rowid, ""):
                found[sid] = parse_snippet(marked[rowid])
            else:  # nothing matched in the body (a title match, filters alone): its start
                words = clean_line(body or "").split()
                more = _ELLIPSIS if len(words) > SNIPPET_TOKENS else ""
                found[sid] = Snippet(" ".join(words[:SNIPPET_TOKENS]) + more)
        return found
