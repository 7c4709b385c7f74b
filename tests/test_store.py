"""The story store: idempotent ingest, marks that survive updates and cache loss, links."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from reader.base.errors import FeedError, FeedNotFound, ReaderError, StoryError
from reader.base.fragments import story_markdown
from reader.base.models import Page
from reader.base.paths import Paths, resolve_paths
from reader.ingest.pipeline import ingest, ingest_items
from reader.store import Store, StoryFilter, StoryNotFound, story_id
from reader.store.schema import CACHE_MIGRATIONS, USER_MIGRATIONS

from conftest import PAGES, undo_ranking_lists

BONDS = PAGES / "harbour-bonds.txt"
ROWERS = PAGES / "rowers.txt"


def page(
    title: str, body: str = "Some words.", related: str = "", date: str = "2025-01-01"
) -> bytes:
    text = f"Current:Home > News{title} -Test Site\n{title}\nDate:{date}\n{body}\n"
    if related:
        text += "Related\n" + "".join(f"- {h}\n" for h in related.split("|"))
    return text.encode()


def test_same_page_twice_is_one_story(store: Store) -> None:
    first = ingest(store, [str(BONDS)])
    second = ingest(store, [str(BONDS)])
    assert (first.ingested, second.unchanged, second.ingested) == (1, 1, 0)
    assert store.count() == 1


def test_changed_page_updates_in_place_and_keeps_marks(store: Store) -> None:
    ingest_items(store, [("src-a", page("Old title"))])
    sid = story_id("src-a")
    store.set_bookmark(sid)
    store.set_read(sid)
    report = ingest_items(store, [("src-a", page("New title", body="Changed."))])
    assert report.updated == 1
    story = store.get(sid)
    assert story.title == "New title" and story.body == "Changed."
    assert story.bookmarked and story.read
    assert store.count() == 1


def test_headlines_resolve_whatever_the_ingest_order(store: Store) -> None:
    # The bonds page lists "Rio Grande rowers win 'Cafe Cup' again" before that story exists.
    ingest(store, [str(BONDS)])
    bonds = store.get(story_id(str(BONDS.resolve())))
    assert bonds.related[0].article_id is None
    ingest(store, [str(ROWERS)])
    rowers_id = story_id(str(ROWERS.resolve()))
    bonds = store.get(bonds.id)
    assert bonds.related[0].title == "Rio Grande rowers win 'Cafe Cup' again"
    assert bonds.related[0].article_id == rowers_id
    assert [h.article_id for h in bonds.related[1:]] == [None] * 9
    # and the other way round: the rowers page links back to the bonds page
    assert store.get(rowers_id).related[0].article_id == bonds.id


def test_bookmark_survives_deleting_the_cache(paths: Paths) -> None:
    with Store(paths) as store:
        ingest(store, [str(BONDS)])
        sid = store.list_stories()[0].id
        store.set_bookmark(sid[:6])
        store.set_read(sid)
    shutil.rmtree(paths.cache_dir)
    with Store(paths) as store:
        assert store.count() == 0
        saved = store.list_stories(StoryFilter(bookmarked=True), with_body=True)
        assert [s.id for s in saved] == [sid]
        story = store.get(sid)
        assert story.title.startswith("Harbour City bonds rally")
        assert story.site == "Aspire Money Growth"
        assert story.body and story.body.startswith("Bonds issued")
        assert story.bookmarked and story.read
        # Re-ingesting gives the same id, so the bookmark and the story line up again.
        ingest(store, [str(BONDS)])
        assert store.count(StoryFilter(bookmarked=True)) == 1
        assert store.get(sid).related[0].title.startswith("Rio Grande")


def test_a_bookmark_keeps_the_canonical_url_and_a_feed_items_html(paths: Paths) -> None:
    from conftest import FIXTURES

    page = FIXTURES / "html" / "more-stories.html"
    item = Page(title="Tide gauge", body="Replaced.", body_html="<p>Replaced <em>at last</em>.</p>")
    with Store(paths) as store:
        ingest(store, [str(page)])
        store.save_pages([("https://harbour.example/tide", "h", item)])
        ids = {s.title: s.id for s in store.list_stories()}
        for sid in ids.values():
            store.set_bookmark(sid)
    shutil.rmtree(paths.cache_dir)
    with Store(paths) as store:
        ferry = store.get(ids["Night ferry returns to the Saltmere run"])
        assert ferry.canonical_url == "https://northwind.example/travel/night-ferry-returns"
        assert story_markdown(store.get(ids["Tide gauge"])) == "Replaced *at last*."


def test_unbookmark_removes_the_copy(store: Store) -> None:
    ingest(store, [str(BONDS)])
    sid = store.list_stories()[0].id
    store.set_bookmark(sid)
    store.set_bookmark(sid, False)
    assert store.count(StoryFilter(bookmarked=True)) == 0
    assert not store.get(sid).bookmarked


def test_filters_order_and_paging(store: Store) -> None:
    items = [(f"s{i}", page(f"Story {i}", date=f"2025-01-{i + 1:02d}")) for i in range(20)] + [
        ("other", page("Elsewhere", date="2024-06-01").replace(b"Test Site", b"Other Site"))
    ]
    ingest_items(store, items)
    newest = store.list_stories(limit=3)
    assert [s.title for s in newest] == ["Story 19", "Story 18", "Story 17"]
    assert [s.title for s in store.list_stories(offset=3, limit=2)] == ["Story 16", "Story 15"]
    store.set_read(story_id("s19"))
    assert store.count(StoryFilter(unread=True)) == 20
    assert store.list_stories(StoryFilter(unread=True), limit=1)[0].title == "Story 18"
    assert [s.title for s in store.list_stories(StoryFilter(site="Other Site"))] == ["Elsewhere"]
    assert store.sites() == [("Test Site", 20, 19), ("Other Site", 1, 1)]  # one read


def test_ids_accept_unique_prefixes_only(store: Store) -> None:
    ingest(store, [str(BONDS), str(ROWERS)])
    sid = store.list_stories()[0].id
    assert store.get(sid[:5]).id == sid
    with pytest.raises(StoryNotFound):
        store.get("abc")  # too short
    with pytest.raises(StoryNotFound):
        store.get("ffffffffffff" if not sid.startswith("ffff") else "000000000000")


def test_a_missing_feed_is_a_feed_error_not_a_story_error(store: Store) -> None:
    with pytest.raises(FeedNotFound, match="no feed '99'") as missing:
        store.get_feed("99")
    assert isinstance(missing.value, FeedError) and not isinstance(missing.value, StoryError)
    assert isinstance(missing.value, ReaderError)


def test_full_text_search_over_titles_and_bodies(store: Store) -> None:
    ingest(store, [str(BONDS), str(ROWERS)])
    assert [s.title for s in store.search("eastern quay")][0].startswith("Harbour City")
    assert [s.title for s in store.search("rio grande")] == [
        "Río Grande rowers win ‘Café Cup’ — again"
    ]
    assert store.search('"; DROP TABLE stories; --') == []


def test_the_search_index_follows_inserts_updates_and_deletes(store: Store) -> None:
    def page(title: str, body: str, day: str) -> Page:
        return Page(title=title, body=body, published=f"2025-06-{day}", feed_url="https://f/rss")

    # New stories wait for the index; one batch can name a source twice.
    store.save_pages(
        [
            ("a", "1", page("Ferry strike", "Crews walk out over pay.", "02")),
            ("b", "1", page("Tram works", "The tram line closes in June.", "03")),
            ("a", "2", page("Ferry strike ends", "Crews return after a pay deal.", "02")),
        ]
    )
    store.save_pages([("b", "2", page("Tram works delayed", "Closure moves to July.", "03"))])
    assert [s.title for s in store.search("deal")] == ["Ferry strike ends"]
    assert store.search("walk") == [] and store.search("june") == []
    assert [s.title for s in store.search("july")] == ["Tram works delayed"]
    # An indexed story updated, a pending one deleted.
    store.save_pages([("c", "1", page("Old tram news", "Trams were new once.", "01"))])
    store.save_pages([("a", "3", page("Ferry strike over", "Crews vote for the deal.", "02"))])
    assert store.trim_feed("https://f/rss", 2) == 1  # the oldest: the pending one
    assert store.search("once") == [] and store.search("return") == []
    assert [s.title for s in store.search("vote")] == ["Ferry strike over"]
    store._conn.execute("INSERT INTO stories_fts (stories_fts, rank) VALUES ('integrity-check', 1)")


def test_most_covered_stories_rank_by_how_many_sources_carry_them(store: Store) -> None:
    stories = [
        ("a1", "Harbour Daily", "Ferry collision closes Brackenford harbour bridge"),
        ("b1", "Quay Times", "Brackenford harbour bridge closed after ferry collision"),
        ("c1", "River Post", "Ferry collision: Brackenford bridge stays closed"),
        ("a2", "Harbour Daily", "Council approves new tram depot budget"),
        ("b2", "Quay Times", "Tram depot budget approved by council"),
        ("a3", "Harbour Daily", "Bakery wins regional bread prize"),
        ("a4", "Harbour Daily", "Bakery regional bread prize, again"),  # one source only
    ]
    store.save_pages(
        [(key, key, Page(title=title, body="Text.", site=site)) for key, site, title in stories]
    )
    top = store.most_covered()
    assert [(h.title, h.article_id) for h in top] == [
        ("Ferry collision: Brackenford bridge stays closed (3 sources)", story_id("c1")),
        ("Tram depot budget approved by council (2 sources)", story_id("b2")),
    ]


def test_mark_all_read_by_site_by_ids_and_everything(store: Store) -> None:
    store.save_pages(
        [
            (f"{site}/{n}", "h", Page(title=f"{site} story {n}", body="Text.", site=site))
            for site in ("Quay Times", "River Post")
            for n in range(3)
        ]
    )
    assert store.mark_all_read(StoryFilter(site="Quay Times")) == 3
    assert store.count(StoryFilter(unread=True)) == 3
    assert store.mark_all_read(ids=[story_id("River Post/0")]) == 1
    assert store.mark_all_read(StoryFilter(site="Quay Times")) == 0  # already read
    assert store.mark_all_read() == 2
    assert store.count(StoryFilter(unread=True)) == 0


def test_an_undated_story_keeps_its_place_when_it_changes(store: Store) -> None:
    store.save_pages([("undated", "1", Page(title="Notice board", body="First text."))])
    first = store._conn.execute("SELECT sort_key FROM stories").fetchone()[0]
    store._conn.execute("UPDATE stories SET sort_key = '2000-01-01T00:00:00+00:00'")
    store.save_pages([("undated", "2", Page(title="Notice board", body="Changed text."))])
    assert first > "2000"
    assert store._conn.execute("SELECT sort_key FROM stories").fetchone()[0].startswith("2000")
    dated = Page(title="Notice board", body="Dated now.", published="2025-06-01T10:00:00+00:00")
    store.save_pages([("undated", "3", dated)])
    assert [s.published for s in store.list_stories()] == ["2025-06-01T10:00:00+00:00"]
    assert store._conn.execute("SELECT sort_key FROM stories").fetchone()[0].startswith("2025")


def test_schema_versions_are_recorded(store: Store, paths: Paths) -> None:
    for path, migrations in ((paths.cache_db, CACHE_MIGRATIONS), (paths.user_db, USER_MIGRATIONS)):
        with sqlite3.connect(path) as conn:
            assert conn.execute("PRAGMA user_version").fetchone()[0] == len(migrations)
            assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_cache_wide_ranking_orders_by_positions_then_reactions(store: Store) -> None:
    def ranked(title: str, ranking: list[str], reactions: int = 0) -> bytes:
        lines = "".join(f"- {h}\n" for h in ranking)
        return (
            f"Current:Home > News{title} -Site\n{title}\nDate:2025-01-01\nBody.\n"
            f"veryGood! ({reactions})\nRanking\n{lines}"
        ).encode()

    ingest_items(
        store,
        [
            ("a", ranked("Alpha", ["Gamma", "Beta", "Delta"], reactions=5)),
            ("b", ranked("Beta", ["Gamma", "Alpha", "Beta"], reactions=50)),
            ("c", ranked("Gamma", ["Beta", "Gamma"])),
        ],
    )
    top = store.cache_wide_ranking(limit=10)
    # Gamma: 1 + 1 + 1/2 = 2.5; Beta: 1/2 + 1/3 + 1 = 1.83; Alpha 1/2; Delta 1/3
    assert [h.title for h in top] == ["Gamma", "Beta", "Alpha", "Delta"]
    assert [h.article_id for h in top] == [story_id("c"), story_id("b"), story_id("a"), None]
    assert store.counts() == {"stories": 3, "unread": 3, "bookmarked": 0}


def test_cache_wide_ranking_follows_updates_and_breaks_ties_by_reactions(store: Store) -> None:
    def ranked(title: str, ranking: list[str], reactions: int) -> bytes:
        lines = "".join(f"- {h}\n" for h in ranking)
        return (
            f"Current:Home > News{title} -Site\n{title}\nDate:2025-01-01\nBody.\n"
            f"veryGood! ({reactions})\nRanking\n{lines}"
        ).encode()

    ingest_items(store, [("a", ranked("Alpha", ["Beta"], 1)), ("b", ranked("Beta", ["Alpha"], 9))])
    # Alpha and Beta both score 1: Beta has more reactions.
    assert [h.title for h in store.cache_wide_ranking()] == ["Beta", "Alpha"]
    # Page a changes its ranking: Beta's point moves to Gamma (not cached).
    ingest_items(store, [("a", ranked("Alpha", ["Gamma", "Alpha"], 1))])
    top = store.cache_wide_ranking()
    assert [(h.title, h.article_id) for h in top] == [
        ("Alpha", story_id("a")),  # 1 (from b) + 1/2 (from a)
        ("Gamma", None),
    ]


def test_ranking_entries_split_over_statements_score_as_in_one(tmp_path: Path) -> None:
    """A batch's ranking entries go in as few statements as the parameters allow:
    split into statements of two entries, the scores and entries are the same."""

    def ranked(n: int) -> bytes:
        lines = "".join(f"- Story {(n * 7 + k) % 5}\n" for k in range(5))
        return f"Story {n}\nBody {n}.\nRanking\n{lines}".encode()

    items = [(f"p{n}", ranked(n)) for n in range(6)]
    found = []
    for per_statement in (None, 2):
        with Store(resolve_paths(tmp_path / f"home-{per_statement}")) as store:
            if per_statement is not None:
                store._entries_per_insert = per_statement
            ingest_items(store, items)
            found.append(
                (
                    store._conn.execute(
                        "SELECT title_key, score FROM ranking_scores ORDER BY title_key"
                    ).fetchall(),
                    store._conn.execute("SELECT count(*) FROM ranking_entries").fetchone()[0],
                )
            )
    assert found[0] == found[1] and found[0][1] == 30 and len(found[0][0]) == 5


def _ranked_page(title: str, ranking: list[str]) -> bytes:
    lines = "".join(f"- {h}\n" for h in ranking)
    head = f"Current:Home > News{title} -Site\n{title}\nDate:2025-01-01\n"
    return f"{head}Body.\nRanking\n{lines}".encode()


def _scores_match_entries(store: Store) -> None:
    """Each headline's kept score and list count are those its entries add up to."""
    kept = store._conn.execute(
        "SELECT title_key, round(score, 9), lists FROM ranking_scores ORDER BY title_key"
    ).fetchall()
    summed = store._conn.execute(
        "SELECT title_key, round(sum(1.0 / (position + 1)), 9), count(DISTINCT story_rowid)"
        " FROM ranking_entries GROUP BY title_key ORDER BY title_key"
    ).fetchall()
    assert [tuple(row) for row in kept] == [tuple(row) for row in summed]


def test_top_stories_count_the_ranking_lists_that_name_them(store: Store) -> None:
    def why(title: str) -> str:
        return next(t.why for t in store.top_stories(limit=20) if t.title == title)

    pages = {
        "a": _ranked_page("Alpha", ["Gamma", "Beta"]),
        "b": _ranked_page("Beta", ["Gamma", "Alpha", "Gamma"]),  # Gamma twice: one list
        "c": _ranked_page("Gamma", ["Beta", "Gamma"]),
    }
    ingest_items(store, list(pages.items()))
    assert "in 3 ranking lists" in why("Gamma")
    assert "in 2 ranking lists" in why("Beta")
    assert "in 1 ranking list " in why("Alpha") + " "
    _scores_match_entries(store)
    # Page c drops Beta and Gamma from its list; page a's list goes altogether.
    ingest_items(
        store,
        [("c", _ranked_page("Gamma", ["Alpha"])), ("a", _ranked_page("Alpha", []))],
    )
    assert "in 1 ranking list " in why("Gamma") + " "
    assert "ranking list" not in why("Beta")
    assert "in 2 ranking lists" in why("Alpha")
    _scores_match_entries(store)
    gone = store._conn.execute("SELECT count(*) FROM ranking_scores WHERE title_key = 'beta'")
    assert gone.fetchone()[0] == 0


def test_migration_20_counts_the_lists_of_a_cache_made_before(paths: Paths) -> None:
    """A cache made before ranking_scores kept its list counts gets them from its
    entries, and its triggers keep them from then on."""
    from reader.store import packing
    from reader.store.schema import migrate

    with Store(paths) as store:
        ingest_items(
            store,
            [
                ("a", _ranked_page("Alpha", ["Gamma", "Beta"])),
                ("b", _ranked_page("Beta", ["Gamma", "Alpha"])),
            ],
        )
    with sqlite3.connect(paths.cache_db, isolation_level=None) as conn:  # as schema 19 left it
        packing.register(conn)
        undo_ranking_lists(conn)
        conn.execute("PRAGMA user_version = 19")
        migrate(conn, "story cache", CACHE_MIGRATIONS)
    conn.close()
    with Store(paths) as store:

        def why(title: str) -> str:
            return next(t.why for t in store.top_stories() if t.title == title) + " "

        assert "in 1 ranking list " in why("Alpha")
        _scores_match_entries(store)
        ingest_items(store, [("c", _ranked_page("Gamma", ["Gamma"]))])
        assert "in 3 ranking lists" in why("Gamma")
        ingest_items(store, [("b", _ranked_page("Beta", []))])
        assert "in 2 ranking lists" in why("Gamma")
        assert "ranking list" not in why("Alpha")
        _scores_match_entries(store)


def test_an_ingest_lets_the_log_grow_and_closing_copies_it(paths: Paths) -> None:
    """``checkpoint_every``: the write-ahead log holds what was written since the last
    checkpoint, up to the size given (SQLite's default checkpoints at 4 MiB); closing
    the cache copies it in, and every story is there."""
    import base64
    import random

    rng = random.Random(5)
    pages = [
        (
            f"/big/{n}.txt",
            f"h{n}",
            Page(title=f"Big {n}", body=base64.b64encode(rng.randbytes(60_000)).decode()),
        )
        for n in range(200)
    ]  # about 12 MiB of bodies that zlib cannot shrink much
    wal = paths.cache_db.with_name(paths.cache_db.name + "-wal")
    with Store(paths) as store:
        store.checkpoint_every(64)
        page_size = store._conn.execute("PRAGMA page_size").fetchone()[0]
        assert (
            store._conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0]
            == (64 << 20) // page_size
        )
        for start in range(0, len(pages), 50):
            store.save_pages(pages[start : start + 50])
        assert wal.stat().st_size > 8 << 20  # not copied at 4 MiB
    assert not wal.exists() or wal.stat().st_size == 0
    with Store(paths) as store:
        assert store.counts()["stories"] == 200
        assert store.get(story_id("/big/7.txt")).body == pages[7][2].body


def test_similar_stories_share_title_words(store: Store) -> None:
    ingest(store, [str(BONDS), str(ROWERS)])
    ingest_items(store, [("c", page("Harbour bonds: what the audit means"))])
    similar = store.similar(story_id("c"))
    assert similar[0].title.startswith("Harbour City bonds rally")
    assert story_id("c") not in [h.article_id for h in similar]


def test_an_old_cache_is_migrated_with_its_stories(paths: Paths) -> None:
    import reader.store.schema as schema

    paths.ensure()
    conn = sqlite3.connect(paths.cache_db, isolation_level=None)
    schema.migrate(conn, "story cache", schema.CACHE_MIGRATIONS[:1])  # as the first release
    conn.execute(
        "INSERT INTO stories (id, source, title, title_key, body, sort_key, content_hash,"
        " ingested_at, updated_at) VALUES ('abcdef123456', 'old', 'Old harbour story',"
        " 'old harbour story', 'The quay wall.', '2025', 'h', 'now', 'now')"
    )
    conn.close()
    with Store(paths) as store:
        assert [s.title for s in store.search("quay")] == ["Old harbour story"]
        assert store.get("abcdef").title == "Old harbour story"
        ingest(store, [str(BONDS)])
        assert store.count() == 2
    with sqlite3.connect(paths.cache_db) as check:
        assert check.execute("PRAGMA user_version").fetchone()[0] == len(CACHE_MIGRATIONS)
