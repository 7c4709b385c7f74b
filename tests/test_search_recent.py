"""The recent full-text index (cache migration 13, ``reader.store.search``): it holds the
newest ``RECENT_STORIES`` stories exactly as the main index does, follows updates and
deletions, lets the oldest go, and a query with enough matches among them is ranked
from it with the same results."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import reader.store.base as store_base
import reader.store.search as search
from reader.base.models import Page
from reader.base.paths import Paths
from reader.store import Store
from reader.store.schema import CACHE_MIGRATIONS

RECENT, SLACK, WINDOW = 40, 5, 10


@pytest.fixture
def small(monkeypatch: pytest.MonkeyPatch) -> None:
    """A recent index of ``RECENT`` stories, windows of ``WINDOW``."""
    monkeypatch.setattr(search, "RECENT_STORIES", RECENT)
    monkeypatch.setattr(search, "_RECENT_SLACK", SLACK)
    monkeypatch.setattr(search, "RANK_WINDOW", WINDOW)
    monkeypatch.setattr(search, "INDEX_CHUNK", 7)  # every chunked path, on few stories


@pytest.fixture
def store(paths: Paths, small: None) -> Iterator[Store]:
    with Store(paths) as store:
        yield store


def _save(store: Store, first: int, count: int, word: str = "tide") -> None:
    store.save_pages(
        [
            (
                f"https://quay.example/{n}",
                f"hash-{n}",
                Page(
                    title=f"Story {n}",
                    body=f"The {word} {' '.join([word] * (n % 5))} table number{n} is out.",
                    published=f"2026-11-{1 + n % 28:02d}T10:00:00+00:00",
                ),
            )
            for n in range(first, first + count)
        ]
    )


def _recent(store: Store) -> list[int]:
    conn = store._conn
    return [r for (r,) in conn.execute("SELECT story_rowid FROM recent_rows ORDER BY 1")]


def _newest(store: Store, count: int) -> list[int]:
    conn = store._conn
    rows = conn.execute("SELECT rowid FROM stories ORDER BY rowid DESC LIMIT ?", (count,))
    return sorted(r for (r,) in rows)


def _recent_matches(store: Store, query: str) -> set[int]:
    sql = "SELECT rowid FROM recent_fts WHERE recent_fts MATCH ?"
    return {r for (r,) in store._conn.execute(sql, (query,))}


def test_it_holds_the_newest_stories_and_lets_the_oldest_go(store: Store) -> None:
    _save(store, 0, 25)
    store.index_pending()
    assert _recent(store) == []  # fewer stories than it holds: the main index ranks
    assert len(store.search("tide", limit=WINDOW)) == WINDOW
    _save(store, 25, 40)  # 65 stories: more than a chunk of new ones at once
    store.index_pending()
    held = _recent(store)
    assert held == _newest(store, RECENT)  # 65 > RECENT + SLACK: back to RECENT
    assert _recent_matches(store, "tide") == set(held)
    _save(store, 65, 3)  # within the slack: nothing goes
    store.index_pending()
    assert _recent(store) == _newest(store, RECENT + 3)


def test_a_cache_indexed_before_it_existed_is_filled_newest_first(
    store: Store, paths: Paths
) -> None:
    _save(store, 0, 60)
    store.index_pending()
    conn = store._conn
    conn.execute("INSERT INTO recent_fts (recent_fts) VALUES ('delete-all')")
    conn.execute("DELETE FROM recent_rows")  # as migration 13 leaves an indexed cache
    with Store(paths) as reopened:  # the next start: its first search fills it
        reopened.index_pending()
        assert _recent(reopened) == _newest(reopened, RECENT)
        assert _recent_matches(reopened, "tide") == set(_newest(reopened, RECENT))


def test_a_cache_it_would_hold_whole_keeps_it_empty(
    store: Store, paths: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    _save(store, 0, RECENT + SLACK)
    store.index_pending()
    assert _recent(store) == []  # it would hold every story: a second copy
    store._conn.execute("DELETE FROM stories WHERE rowid <= ?", (SLACK,))
    store._add_recent(SLACK + 1, RECENT + SLACK)  # as a cache indexed before this left it
    expected = _best(store, "tide")
    with Store(paths) as reopened:  # the next start's catch-up empties it
        reopened.index_pending()
        assert _recent(reopened) == [] and _recent_matches(reopened, "tide") == set()
        used = _from_recent(reopened, monkeypatch)
        assert [s.id for s in reopened.search("tide", limit=WINDOW)] == expected
        assert used == []
        _save(reopened, RECENT + SLACK, SLACK + 1)  # the cache outgrows it: it is filled
        reopened.index_pending()
        assert _recent(reopened) == _newest(reopened, RECENT)
        assert [s.id for s in reopened.search("tide", limit=WINDOW)] == _best(reopened, "tide")
        assert used == [True]
        reopened._conn.execute("DELETE FROM stories WHERE rowid <= ?", (2 * SLACK,))
    with Store(paths) as trimmed:  # a feed trimmed to RECENT + 1 stories: it is kept
        trimmed.index_pending()
        assert _recent(trimmed) == _newest(trimmed, RECENT)
        trimmed._conn.execute("DELETE FROM stories WHERE rowid = ?", (2 * SLACK + 1,))
    with Store(paths) as small:  # RECENT stories: it would hold them all
        small.index_pending()
        assert _recent(small) == [] and _recent_matches(small, "tide") == set()


def test_updates_and_deletions_keep_it_exact(store: Store) -> None:
    _save(store, 0, 50)
    store.index_pending()
    store.save_pages(
        [("https://quay.example/49", "changed", Page(title="Story 49", body="A heron flew."))]
    )
    store.index_pending()
    (rowid,) = store._conn.execute(
        "SELECT rowid FROM stories WHERE source = 'https://quay.example/49'"
    ).fetchone()
    assert _recent_matches(store, "heron") == {rowid}
    assert rowid not in _recent_matches(store, "tide")
    store._conn.execute("DELETE FROM stories WHERE rowid = ?", (rowid,))
    assert _recent_matches(store, "heron") == set()
    assert rowid not in _recent(store)


def _from_recent(store: Store, monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Records, search by search, whether the recent index ranked it."""
    used: list[bool] = []
    ranked = Store._ranked_recent

    def recording(self: Store, *args: object) -> list[int] | None:
        found = ranked(self, *args)  # type: ignore[arg-type]
        used.append(found is not None)
        return found

    monkeypatch.setattr(Store, "_ranked_recent", recording)
    return used


def _ranks_the_same_before_and_after_the_filling(
    store: Store, query: str, expected: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the recent index empty, ``query`` ranks ``expected`` from the whole index;
    the background catch-up fills the recent index, which then ranks the same."""
    used = _from_recent(store, monkeypatch)
    assert [s.id for s in store.search(query, limit=WINDOW)] == expected
    assert _recent(store) == [] and used == []  # it waited for no filling
    store.index_pending()  # the app's background catch-up fills it
    assert _recent(store) == _newest(store, RECENT)
    assert [s.id for s in store.search(query, limit=WINDOW)] == expected
    assert used == [True]


def test_a_common_word_ranks_the_same_from_either_index(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    _save(store, 0, 200)
    _save(store, 200, 5, word="heron")
    store.index_pending()
    used = _from_recent(store, monkeypatch)
    from_recent = [s.id for s in store.search("tide", limit=WINDOW)]
    assert len(store.search("heron", limit=WINDOW)) == 5
    assert used == [True, False]  # 5 matches: the whole index
    monkeypatch.setattr(Store, "_ranked_recent", lambda *args: None)
    from_all = [s.id for s in store.search("tide", limit=WINDOW)]
    assert from_recent == from_all and len(from_all) == WINDOW


def _empty_recent(store: Store) -> None:
    """As migration 13 leaves a cache indexed before it: the recent index empty."""
    store._conn.execute("INSERT INTO recent_fts (recent_fts) VALUES ('delete-all')")
    store._conn.execute("DELETE FROM recent_rows")


def _best(store: Store, query: str, limit: int = WINDOW) -> list[str]:
    """The whole index's ranking of ``query`` (the recent index left out)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Store, "_ranked_recent", lambda *args: None)
        return [s.id for s in store.search(query, limit=limit)]


def test_a_search_before_the_recent_index_is_filled_ranks_from_the_whole_one(
    store: Store, paths: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    _save(store, 0, 60)
    store.index_pending()
    expected = _best(store, "tide")
    _empty_recent(store)
    with Store(paths) as reopened:  # the first start after the upgrade
        _ranks_the_same_before_and_after_the_filling(reopened, "tide", expected, monkeypatch)


def test_a_search_while_it_is_half_filled_ranks_what_it_holds(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    _save(store, 0, 60)
    store.index_pending()
    _empty_recent(store)
    monkeypatch.setattr(search, "INDEX_CHUNK", 12)
    monkeypatch.setattr(search, "RECENT_STORIES", 12)  # one chunk of the filling
    store._fill_recent()
    monkeypatch.setattr(search, "RECENT_STORIES", RECENT)
    assert _recent(store) == _newest(store, 12)
    used = _from_recent(store, monkeypatch)
    found = [s.id for s in store.search("tide", limit=WINDOW)]
    assert used == [True]  # 12 newest stories, a window of matches: the newest ones
    assert found == _best(store, "tide")


def test_a_long_backlog_waits_for_the_background_and_a_short_one_is_indexed(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search, "SEARCH_INDEXES", 8)
    _save(store, 0, 50)
    store.index_pending()
    _save(store, 50, 9, word="heron")  # more than a search indexes: a migration's rebuild
    used = _from_recent(store, monkeypatch)
    assert store.search("heron", limit=WINDOW) == []  # not indexed yet
    assert store.search("tide", limit=WINDOW)  # ranked from the whole index meanwhile
    assert used == []  # the recent index misses the newest stories: not asked
    assert store.index_pending() == 9  # the app's background catch-up
    assert len(store.search("heron", limit=WINDOW)) == 9
    _save(store, 59, 3, word="egret")  # a refresh's worth: the search indexes it first
    assert len(store.search("egret", limit=WINDOW)) == 3
    assert _recent(store)[-3:] == _newest(store, 3)  # and the recent index has them


def test_a_filter_ranks_its_matches_among_the_recent_stories(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    _save(store, 0, 80)
    store.index_pending()
    used = _from_recent(store, monkeypatch)
    unread = store.search("tide is:unread", limit=3)
    assert used == [True] and len(unread) == 3  # 40 recent matches, fewer than a window
    ranked = store.search("tide", limit=200)  # whole index: every match ranked
    assert [s.id for s in unread] == [s.id for s in ranked if s.id in {u.id for u in unread}]
    rowids = dict(store._conn.execute("SELECT id, rowid FROM stories"))
    newest = set(_newest(store, RECENT))
    assert all(rowids[s.id] in newest for s in unread)
    store.mark_all_read(ids=[s.id for s in ranked[:-5]])
    found = store.search("tide is:unread", limit=WINDOW)  # 5 left: the whole index finds all
    assert used[-1] is False and {s.id for s in found} == {s.id for s in ranked[-5:]}


def test_a_filter_looks_back_through_the_newest_matches_of_its_words(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search, "FILTER_SCAN", 50)
    _save(store, 0, 80)  # rowids 1-80, the newest 40 in the recent index
    store.index_pending()
    ids = dict(store._conn.execute("SELECT rowid, id FROM stories"))
    unread = {1, 2, 3, 36, 37, 38}  # none recent; three among the newest 50 matches
    store.mark_all_read(ids=[sid for rowid, sid in ids.items() if rowid not in unread])
    found = {s.id for s in store.search("tide is:unread", limit=WINDOW)}
    assert found == {ids[36], ids[37], ids[38]}
    monkeypatch.setattr(search, "FILTER_SCAN", 80)
    assert {s.id for s in store.search("tide is:unread", limit=WINDOW)} == {
        ids[rowid] for rowid in unread
    }


def test_migration_15_remakes_it_with_prefixes_and_the_background_refills_it(
    paths: Paths, small: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    with monkeypatch.context() as patch:
        patch.setattr(store_base, "CACHE_MIGRATIONS", CACHE_MIGRATIONS[:14])  # no prefixes
        with Store(paths) as old:
            _save(old, 0, 60)
            old.index_pending()
            expected = _best(old, "tid*")
    with Store(paths) as reopened:
        (sql,) = reopened._conn.execute(
            "SELECT sql FROM sqlite_master WHERE name = 'recent_fts'"
        ).fetchone()
        assert "prefix='3 4'" in sql
        # refilled later, never by the migration itself
        _ranks_the_same_before_and_after_the_filling(reopened, "tid*", expected, monkeypatch)


def test_a_big_site_is_tested_row_by_row_with_the_same_listing(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.save_pages(
        [
            (
                f"https://{site}.example/{n}",
                f"hash-{site}-{n}",
                Page(title=f"Story {n}", body="Tide.", site=site.title(),
                     published=f"2026-11-{1 + n % 28:02d}T10:00:00+00:00"),
            )
            for n in range(20)
            for site in ("quay", "harbour")
        ]
    )  # fmt: skip
    queries = ("site:quay", "-site:quay", "site:nonesuch", "-site:nonesuch is:unread")
    as_sets = [[s.id for s in store.search(q)] for q in queries]
    monkeypatch.setattr(search, "ROW_TEST_OVER", 3)  # every site a big one
    assert [[s.id for s in store.search(q)] for q in queries] == as_sets
    assert [len(found) for found in as_sets] == [20, 20, 0, 40]


def test_a_phrase_listed_newest_first_takes_its_page_from_the_recent_index(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search, "COMMON_PHRASE_DOCS", 3)  # "the", "tide": in every story
    monkeypatch.setattr(search, "RANK_WINDOW", 100)  # more than the recent index holds
    _save(store, 0, 80)
    store.index_pending()
    used = _from_recent(store, monkeypatch)
    found = [s.id for s in store.search('"the tide"', limit=5)]
    assert used == [True]  # 40 recent matches: more than a page, though not a window
    ids = dict(store._conn.execute("SELECT rowid, id FROM stories"))
    assert (
        found
        == [ids[rowid] for rowid in sorted(ids, reverse=True)[:5]]
        == _best(store, '"the tide"', limit=5)
    )
    assert len(store.search('"the tide"', limit=60)) == 60  # more than it holds: the whole
    assert used[-1] is False


def test_a_ranked_phrase_looks_back_through_the_newest_stories_holding_its_word(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    _save(store, 0, 3, word="heron")  # the oldest stories: "heron" in fewer than a window
    _save(store, 3, 80)  # "tide table" in every one of these
    store.index_pending()
    monkeypatch.setattr(Store, "_ranked_recent", lambda *args: None)  # the whole index
    ids = dict(store._conn.execute("SELECT rowid, id FROM stories"))
    newest = {ids[rowid] for rowid in sorted(ids)[-WINDOW:]}
    found = store.search('"tide table"', limit=WINDOW)
    assert {s.id for s in found} == newest  # the newest WINDOW stories holding "tide"
    assert {s.id for s in store.search('"heron table"')} == {ids[1], ids[2], ids[3]}
    # A limit over the window: "tide" in more stories than it, they are still all read.
    assert len(store.search('"tide table"', limit=3 * WINDOW)) == 3 * WINDOW


def test_a_ranked_phrase_with_a_page_of_recent_matches_is_ranked_from_them(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search, "RANK_WINDOW", 100)  # more than the recent index holds
    _save(store, 0, 80)
    store.index_pending()
    used = _from_recent(store, monkeypatch)
    found = store.search('"tide table"', limit=5)
    rowids = dict(store._conn.execute("SELECT id, rowid FROM stories"))
    assert used == [True] and len(found) == 5  # 40 recent matches: a page, not a window
    assert all(rowids[s.id] in set(_newest(store, RECENT)) for s in found)
    scores = dict(
        store._conn.execute(
            "SELECT rowid, bm25(recent_fts, 5.0, 1.0) FROM recent_fts WHERE recent_fts MATCH ?",
            ('"tide table"',),
        )
    )
    assert [scores[rowids[s.id]] for s in found] == sorted(scores.values())[:5]  # the best
