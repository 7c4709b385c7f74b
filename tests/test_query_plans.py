"""The store reads its big tables by index: no work of a reading session walks them.

A statement that scans the stories, their ranking entries or the analysis tables
costs seconds at 1,000,000 stories however small the cache it was tested on (top
stories once read every ranking entry so: 5 s there, cache migration 20). This runs
the store's public work on a small cache with SQLite's trace on, and asks SQLite's
planner (``EXPLAIN QUERY PLAN``; the plans do not depend on the rows, as reader runs
no ``ANALYZE``) how each statement reads: a scan of a big table must stop early (a
``LIMIT`` walked in an index's order) or be one of the few whose job is the whole
table, listed below with why. (A walk of a whole index from ``IS NOT NULL`` reads as a
search in the plan, and passes: the site and feed counts are such walks, by design.)
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator

import pytest

from reader.base.models import Headline, Page
from reader.base.paths import Paths
from reader.store import Store, StoryFilter, story_id

BIG = (
    "stories", "ranking_entries", "ranking_scores", "unread", "related_postings",
    "copy_bands", "copy_signatures", "narrow_signatures", "term_documents", "read_marks",
    "hidden_stories",
)  # fmt: skip
"""Tables with a row (or several) a story: what a million stories make big."""

WHOLE_BY_DESIGN = {
    r"^SELECT \(SELECT count\(\*\) FROM (stories|unread)\)": "the one count of the list",
    r"^SELECT count\(\*\) FROM \(SELECT \? FROM stories": "a count that stops at a limit",
    r"^SELECT NOT EXISTS \(SELECT \? FROM stories\)": "stops at the first row",
    r"FROM unread u JOIN stories s ON s\.rowid = u\.story_rowid WHERE s\.site": (
        "the site picker's unread counts: one pass over the unread stories, each joined"
        " by rowid (0.7 s at 1,000,000 stories, two thirds unread; 2.9 s before)"
    ),
    r"FROM ranking_scores ORDER BY score DESC LIMIT": (
        "the cache-wide ranking: one row a headline named in ranking lists (a portal's"
        " lists repeat from page to page), and an index by score would move at every"
        " entry stored"
    ),
}
"""Statements that read a whole big table, each for a reason (matched on the SQL)."""


def _normal(sql: str) -> str:
    """``sql`` as traced (values inlined) with its values as parameters again."""
    sql = re.sub(r"'(?:[^']|'')*'", "?", " ".join(sql.split()))
    sql = re.sub(r"\b[xX]\?", "?", sql)  # a BLOB, X'...'
    sql = re.sub(r"(?<![\w.])-?\d+(?:\.\d+)?(?:e-?\d+)?(?!\w)", "?", sql)
    return re.sub(r"\bIN \(\?(?:\s*,\s*\?)+\)", "IN (?)", sql, flags=re.I)


def _pages() -> Iterator[tuple[str, str, Page]]:
    for n in range(40):
        heads = [Headline(f"Quay story {(n + k) % 40}") for k in range(5)]
        yield (
            f"/pages/{n}.txt",
            f"page-{n}",
            Page(
                title=f"Quay story {n}",
                body=f"The harbour council met on day {n}. Ferries and trams.",
                site=f"Site {n % 4}",
                published=f"2025-01-{1 + n % 28:02d}T10:00:00+00:00",
                reactions=n,
                related=heads[:3],
                ranking=heads,
            ),
        )
    for n in range(40):
        yield (
            f"https://feed.example/{n}",
            f"item-{n}",
            Page(
                title=f"Feed item {n} on the harbour",
                body=f"Item {n}: the ferry runs late.",
                body_html=f"<p>Item {n}: the ferry runs late.</p>",
                url=f"https://feed.example/{n}",
                feed_url="https://feed.example/rss",
                published=f"2025-02-{1 + n % 28:02d}T10:00:00+00:00",
            ),
        )


def _reading_session(store: Store) -> None:
    """What the app and the commands do with a cache, through the public functions."""
    store.add_feed("https://feed.example/rss", tags=["news"])
    store.save_pages(list(_pages()))
    store.index_pending()
    store.analyse_pending()
    one, other = story_id("/pages/3.txt"), story_id("https://feed.example/5")
    for flt in (
        StoryFilter(),
        StoryFilter(unread=True),
        StoryFilter(site="Site 1"),
        StoryFilter(tag="news"),
        StoryFilter(feed="https://feed.example/rss"),
        StoryFilter(grouped=True),
        StoryFilter(unread=True, grouped=True),
    ):
        first = store.page_after(flt, limit=10)
        store.page_after(flt, first.keys[-1], limit=10)
        last = store.page_before(flt, limit=10)
        store.page_before(flt, last.keys[0], limit=10, skip=2)
        store.signposts(flt, every=5)
        store.count(flt)
    store.is_empty()
    store.list_stories(limit=5)
    list(store.iter_stories())
    store.counts(grouped=True)
    store.sites()
    store.tags()
    store.get(one)
    store.resolve_id(one[:6])
    for query in ("harbour", "ferry late", "harb*", '"the ferry"', "site:Site is:unread quay"):
        found = store.search(query, limit=10)
        store.snippets(query, [s.id for s in found])
        store.query_counts(query)
    store.related(one)
    store.similar(one)
    store.copies(one)
    store.top_stories()
    store.cache_wide_ranking()
    store.most_covered()
    store.set_read(one, undoable=True)
    store.undo_last_mark()
    store.set_bookmark(other, undoable=True)
    store.page_after(StoryFilter(bookmarked=True), limit=10)
    store.mark_all_read(StoryFilter(site="Site 2"))
    store.list_feeds()
    store.feed_unread()
    store.save_pages([(s, f"{d}-again", p) for s, d, p in list(_pages())[::7]])  # updates
    store.trim_feed("https://feed.example/rss", keep=30)
    store.set_bookmark(other, on=False)


@pytest.fixture
def statements(paths: Paths) -> Iterator[tuple[Store, set[str]]]:
    seen: set[str] = set()
    with Store(paths) as store:
        store._conn.set_trace_callback(seen.add)
        _reading_session(store)
        store._conn.set_trace_callback(None)
        yield store, seen


def _scans(conn: sqlite3.Connection, sql: str) -> list[str]:
    """The plan's full reads of big tables: each scan of one, unless the statement has
    a ``LIMIT`` and nothing sorts that scan's rows first (beside it in the plan, a temp
    B-tree: the rows come in an index's order, and the walk stops at the limit)."""
    plan = conn.execute(f"EXPLAIN QUERY PLAN {sql}", [None] * sql.count("?")).fetchall()
    sorted_under = {parent for _, parent, _, step in plan if "TEMP B-TREE" in step}
    # The plan names a table by its alias where it has one (``FROM stories s``).
    names = set(BIG) | {
        alias
        for table, alias in re.findall(r"(?=\b(?:\w+\.)?(\w+)\s+(?:AS\s+)?(\w+)\b)", sql)
        if table in BIG and alias.upper() not in _KEYWORDS
    }
    return [
        step
        for _, parent, _, step in plan
        if any(re.match(rf"SCAN (\w+\.)?{name}\b(?! VIRTUAL)", step) for name in names)
        and (" LIMIT " not in sql or parent in sorted_under)
    ]


_KEYWORDS = frozenset(
    "AS ON USING WHERE JOIN LEFT INNER CROSS GROUP ORDER LIMIT SET INDEXED NOT UNION"
    " SELECT VALUES WITH AND OR".split()
)


def test_a_reading_session_reads_no_big_table_whole(
    statements: tuple[Store, set[str]],
) -> None:
    store, seen = statements
    reads = {
        _normal(sql)
        for sql in seen
        if re.match(r"\s*(SELECT|WITH|UPDATE|DELETE|INSERT\b.*\bSELECT\b)", sql, re.I | re.S)
        and "'main'." not in sql  # FTS5's own statements on its shadow tables
    }
    assert len(reads) > 60  # the session ran the store's reads, not a few of them
    found, allowed = {}, set()
    for sql in reads:
        by_design = [pattern for pattern in WHOLE_BY_DESIGN if re.search(pattern, sql)]
        allowed.update(by_design)
        scans = _scans(store._conn, sql)
        if scans and not by_design:
            found[sql] = scans
    assert not found, "\n".join(f"{sql}\n    {scans}" for sql, scans in found.items())
    assert allowed == set(WHOLE_BY_DESIGN)  # each reason still has its statement


def test_the_check_finds_a_statement_that_reads_a_table_whole(
    statements: tuple[Store, set[str]],
) -> None:
    store, _ = statements
    # How top stories summed the ranking entries before cache migration 20.
    before = (
        "SELECT title_key, sum(? / (position + ?)), count(DISTINCT story_rowid)"
        " FROM ranking_entries WHERE title_key IN (?) GROUP BY title_key"
    )
    assert _scans(store._conn, before) == ["SCAN ranking_entries"]
    walked = "SELECT id FROM stories ORDER BY sort_key DESC LIMIT ?"  # in the index's order
    assert _scans(store._conn, walked) == []
    sorted_whole = "SELECT id FROM stories ORDER BY length(title) LIMIT ?"
    assert _scans(store._conn, sorted_whole) == ["SCAN stories"]
