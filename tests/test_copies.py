"""One story however many sites carry it (issue 12): copies found, grouped, listed once,
read as a whole; top stories and why."""

from __future__ import annotations

import json
import random
import sqlite3
from array import array
from collections import Counter
from contextlib import closing
from pathlib import Path

import pytest

from reader.base import similarity
from reader.base.models import Page
from reader.base.paths import Paths
from reader.base.ranking import TopCandidate, top_stories
from reader.store import Store, StoryFilter, packing, story_id
from reader.store import base as store_base
from reader.store.query import STOPWORDS
from reader.store.rows import content_hash
from reader.store.schema import CACHE_MIGRATIONS

from conftest import run_reader

STORY = [
    "The harbour authority sold forty million in bonds on Tuesday to pay for repairs to"
    " the eastern quay wall, which partly collapsed during the storms of last winter.",
    "Investors bid for nearly three times the bonds on offer, the authority said, and the"
    " interest rate of four point two percent was lower than its advisers had expected.",
    "Work on the quay is due to start in the spring and to last eighteen months. Ferries"
    " will use the western berths while the eastern wall is rebuilt with steel piles.",
    "Local fishermen, who lost their moorings when the wall gave way, welcomed the sale"
    " but asked the authority to publish a timetable for their return to the quay.",
    "The city council, which guarantees part of the debt, voted in favour of the plan in"
    " January after a long debate about the cost of the repairs and who should bear it.",
]
OTHER = [
    "The rowing club won the river regatta for the third year running, beating the"
    " university crew by two lengths in a race held in strong winds and heavy rain.",
    "Thousands of people lined the banks of the river to watch the final, and the mayor"
    " presented the silver cup to the club captain after the prize giving on the pier.",
    "The club, founded a century ago by dock workers, now trains more than two hundred"
    " young rowers and plans to build a new boathouse with a grant from the lottery.",
]
BOILERPLATE = (
    "Sign up for our daily newsletter and get the top stories in your inbox every morning"
    " before breakfast, with offers from our partners."
)


def _page(title: str, paras: list[str], site: str) -> Page:
    return Page(title, "\n\n".join(paras), site=site)


def _save(store: Store, *items: tuple[str, Page]) -> None:
    store.save_pages([(src, content_hash(src.encode()), page) for src, page in items])


def _copies_of_the_story() -> list[tuple[str, Page]]:
    shuffled = STORY[:]
    random.Random(3).shuffle(shuffled)
    return [
        ("https://harbour.example/bonds", _page("Harbour bonds sold", STORY, "Harbour News")),
        # a farm: boilerplate around the text, a rewritten headline
        (
            "https://farm-a.example/1",
            _page("Report: bonds sold Harbour", [BOILERPLATE, *STORY, BOILERPLATE], "Farm A"),
        ),
        # paragraphs cut, and the rest reordered
        ("https://farm-b.example/2", _page("Harbour sells bonds", shuffled[:4], "Farm B")),
        # the headline replaced by the first sentence
        ("https://farm-c.example/3", _page(STORY[0][:80], STORY, "Farm C")),
    ]


def test_signatures_tell_copies_from_stories_on_the_same_subject() -> None:
    original = similarity.signature("Harbour bonds sold", "\n".join(STORY))
    cut = similarity.signature("Harbour sells bonds", "\n".join(STORY[1:4]))
    padded = similarity.signature("Report", "\n".join([BOILERPLATE, *STORY]))
    other = similarity.signature("Rowers win", "\n".join(OTHER))
    assert original and cut and padded and other
    assert similarity.resemblance(original, original) == 1.0
    assert similarity.resemblance(original, padded) >= similarity.COPY_RESEMBLANCE
    assert similarity.resemblance(original, cut) >= similarity.COPY_RESEMBLANCE
    assert similarity.resemblance(original, other) < 0.1
    assert len(original) == similarity.HASHES  # a byte a value
    wide = array("I", [value | 0xABCD00 for value in original]).tobytes()  # as before 16
    assert similarity.narrow(wide) == original == similarity.narrow(original)
    assert similarity.signature("Short", "A line of summary only.") is None


def test_the_fullest_copy_is_the_one_other_copies_confirm() -> None:
    copies = [
        "\n".join(STORY[:2]),  # cut
        "\n".join([BOILERPLATE * 3, *STORY]),  # padded
        "\n".join(STORY),  # whole
    ]
    # The padded copy is the longest, but its boilerplate is confirmed by no other copy.
    assert similarity.fullest(copies) == 2
    assert similarity.fullest(copies[::2]) == 1  # of two, the whole text over a cut one


def test_copies_are_one_story_listed_once_with_their_sources(store: Store) -> None:
    items = _copies_of_the_story()
    _save(store, *items, ("https://river.example/regatta", _page("Rowers win", OTHER, "River")))
    assert store.analyse_pending() == 5
    original = story_id(items[0][0])
    copies = {copy.id for copy in store.copies(original)}
    assert copies == {story_id(src) for src, _ in items[1:]}
    assert store.copies(story_id("https://river.example/regatta")) == []

    grouped = store.list_stories(StoryFilter(grouped=True))
    assert len(grouped) == 2 == store.count(StoryFilter(grouped=True))
    assert len(store.list_stories()) == 5  # every copy, ungrouped
    head = next(s for s in grouped if s.sources > 1)
    assert head.sources == 4
    assert head.id == story_id(items[0][0])  # a whole copy, the first stored of those

    shown = store.get(original)
    assert shown.sources == 4
    assert {c.site for c in shown.also_on} == {"Farm A", "Farm B", "Farm C"}
    assert shown.to_dict()["also_on"][0].keys() == {"id", "title", "site", "url"}
    assert store.grouped_counts()["stories"] == 2 and store.counts()["stories"] == 5


def test_a_copy_arriving_later_joins_and_is_read_with_its_story(store: Store) -> None:
    items = _copies_of_the_story()
    _save(store, *items[:2])
    store.analyse_pending()
    store.set_read(story_id(items[0][0]))
    assert store.get(story_id(items[1][0])).read  # a story is read as a whole
    _save(store, *items[2:])
    store.analyse_pending()
    for src, _ in items:
        assert store.get(story_id(src)).read, src
    store.set_read(story_id(items[3][0]), False)
    assert not any(store.get(story_id(src)).read for src, _ in items)
    assert store.grouped_counts()["unread"] == 1


def test_a_story_is_bookmarked_as_a_whole(store: Store) -> None:
    items = _copies_of_the_story()
    _save(store, *items)
    store.analyse_pending()
    head = store.list_stories(StoryFilter(grouped=True))[0]
    farm = story_id(items[2][0])
    assert farm != head.id
    store.set_bookmark(farm)  # opened from the "Also on" list
    assert store.get(head.id).bookmarked
    assert store.list_stories(StoryFilter(grouped=True))[0].bookmarked
    store.set_bookmark(head.id, False)  # unbookmarking the story removes it whole
    assert not store.get(farm).bookmarked
    assert store.list_stories(StoryFilter(bookmarked=True)) == []


TOLLS = (
    "https://harbour.example/tolls",
    _page(
        "Harbour tolls rise to pay for quay",
        [
            "The harbour authority will raise tolls for ferries and fishing boats to"
            " help pay the interest on the bonds it sold for the quay wall repairs.",
            "The council said the tolls would rise by a tenth in the spring, when work"
            " on the collapsed eastern quay is due to begin.",
        ],
        "Harbour News",
    ),
)


def test_copies_never_take_a_related_slot(store: Store) -> None:
    items = _copies_of_the_story()
    related = TOLLS
    _save(store, *items, related)
    found = [r.id for r in store.related(story_id(items[0][0]))]
    assert found[:1] == [story_id(related[0])]
    assert not {story_id(src) for src, _ in items} & set(found)


def test_removing_the_shown_copy_leaves_the_group_to_the_others(store: Store) -> None:
    feed = "https://farm-a.example/feed"
    items = _copies_of_the_story()
    pages = [(src, page) for src, page in items[:3]]
    pages[1][1].feed_url = feed
    _save(store, *pages)
    store.analyse_pending()
    farm = story_id(items[1][0])
    head = store.list_stories(StoryFilter(grouped=True))[0]
    store.add_feed(feed)
    store.remove_feed(feed, purge=True)  # takes its story (maybe the shown copy) with it
    left = store.list_stories(StoryFilter(grouped=True))
    assert len(left) == 1 and farm not in {s.id for s in left}
    assert left[0].sources == 2 or head.id != farm


def test_top_stories_weigh_sources_ranking_reactions_and_age() -> None:
    def candidate(name: str, sites: int = 1, ranked: float = 0.0, age: float = 0.0) -> TopCandidate:
        return TopCandidate(name, name, (name,), sites, ranked, int(ranked > 0), 0, age)

    top = top_stories(
        [
            candidate("alone"),
            candidate("widely carried", sites=4),
            candidate("old but carried", sites=4, age=24 * 7),
            candidate("first in a list", ranked=1.0),
        ],
        limit=3,
    )
    assert [t.id for t in top] == ["widely carried", "first in a list", "alone"]
    assert top[0].why.startswith("carried by 4 sources")
    assert "in 1 ranking list" in top[1].why
    assert top[0].to_dict().keys() == {"id", "title", "sources", "ids", "score", "why"}


def test_cli_lists_one_line_per_story_and_top_says_why(home: Path, tmp_path: Path) -> None:
    for n, (_, page) in enumerate(_copies_of_the_story()):
        (tmp_path / f"{n}.txt").write_text(f"{page.title}\n\n{page.body}\n", encoding="utf-8")
    (tmp_path / "river.txt").write_text("Rowers win\n\n" + "\n\n".join(OTHER), encoding="utf-8")
    assert run_reader(home, "ingest", str(tmp_path)).returncode == 0
    listed = json.loads(run_reader(home, "list", "--json").stdout)
    assert len(listed) == 2 and sorted(s["sources"] for s in listed) == [1, 4]
    assert len(json.loads(run_reader(home, "list", "--copies", "--json").stdout)) == 5
    result = run_reader(home, "top", "--json")
    assert result.returncode == 0, result.stderr
    top = json.loads(result.stdout)
    assert top[0]["sources"] == 4 and len(top[0]["ids"]) == 4
    assert top[0]["why"].startswith("carried by 4 sources")
    shown = json.loads(run_reader(home, "show", top[0]["id"], "--json").stdout)
    assert len(shown["also_on"]) == 3
    plain = run_reader(home, "top").stdout
    assert "carried by 4 sources" in plain
    (home / "config").mkdir(parents=True, exist_ok=True)
    (home / "config" / "config.toml").write_text("collapse_copies = false\n", encoding="utf-8")
    assert len(json.loads(run_reader(home, "list", "--json").stdout)) == 5


def test_reader_index_analyses_what_waits(home: Path, tmp_path: Path) -> None:
    for n, (_, page) in enumerate(_copies_of_the_story()):
        (tmp_path / f"{n}.txt").write_text(f"{page.title}\n\n{page.body}\n", encoding="utf-8")
    assert run_reader(home, "ingest", str(tmp_path)).returncode == 0
    result = run_reader(home, "index", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"indexed": 4, "analysed": 4}
    assert json.loads(run_reader(home, "index", "--json").stdout) == {"indexed": 0, "analysed": 0}
    listed = run_reader(home, "list")
    assert listed.stderr == "" and len(listed.stdout.splitlines()) == 1


def test_a_bounded_analysis_leaves_the_rest_waiting(store: Store) -> None:
    _save(store, *_copies_of_the_story())
    assert store.pending_analysis() == 4
    assert store.analyse_pending(limit=0) == 0 and store.pending_analysis() == 4
    assert store.analyse_pending(limit=1) == 4  # a chunk at least
    assert store.pending_analysis() == 0


def test_a_search_finds_a_story_once_however_many_copies_match(store: Store) -> None:
    items = _copies_of_the_story()
    _save(store, *items)
    store.analyse_pending()
    assert len(store.search("harbour bonds")) == 4  # every copy matches
    found = store.search("harbour bonds", grouped=True)
    assert [s.id for s in found] == [story_id(items[0][0])] and found[0].sources == 4
    assert len(store.search("is:unread", grouped=True)) == 1  # filters alone, too
    # A site's own stories, copies or not
    assert len(store.search("site:farm", grouped=True)) == 3
    assert len(store.list_stories(StoryFilter(site="Farm A", grouped=True))) == 1


def test_marking_search_results_read_marks_their_copies(store: Store) -> None:
    items = _copies_of_the_story()
    _save(store, *items)
    store.analyse_pending()
    found = store.search("harbour bonds", grouped=True)
    assert store.mark_all_read(ids=[s.id for s in found]) == 4
    assert all(store.get(story_id(src)).read for src, _ in items)


def _cache(store: Store) -> sqlite3.Connection:
    conn = sqlite3.connect(store.paths.cache_db)
    packing.register(conn)
    return conn


def test_a_storys_copies_are_ordered_by_their_stored_length(store: Store) -> None:
    items = _copies_of_the_story()
    _save(store, *items)
    store.analyse_pending()
    with closing(_cache(store)) as conn:
        lengths = dict(
            conn.execute(
                "SELECT id, text_length FROM stories WHERE story_group IS NOT NULL"
                " AND text_length = length(unpack(body, body_html))"
            ).fetchall()
        )
    assert set(lengths) == {story_id(src) for src, _ in items}  # every copy, exact
    farm = story_id(items[1][0])
    order = [copy.id for copy in store.get(farm).also_on]
    head = order[0]
    assert head == story_id(items[0][0])
    rest = [lengths[sid] for sid in order[1:]]
    assert rest == sorted(rest, reverse=True)


def test_deleting_or_updating_a_story_takes_or_redoes_its_analysis(store: Store) -> None:
    items = _copies_of_the_story()
    feed = "https://farm-a.example/feed"
    items[1][1].feed_url = feed
    _save(store, *items)
    assert store.analyse_pending() == 4
    with closing(_cache(store)) as conn:
        rowid = dict(conn.execute("SELECT id, rowid FROM stories").fetchall())
        farm_a, farm_b = rowid[story_id(items[1][0])], rowid[story_id(items[2][0])]
        assert conn.execute("SELECT count(*) FROM copy_signatures").fetchone()[0] == 4
    store.add_feed(feed)
    store.remove_feed(feed, purge=True)
    cut = _page("Harbour sells bonds", STORY[:3], "Farm B")
    store.save_pages([(items[2][0], "changed", cut)])
    with closing(_cache(store)) as conn:
        signed = {r for (r,) in conn.execute("SELECT story_rowid FROM copy_signatures")}
        assert farm_a not in signed and farm_b not in signed  # gone, and to be redone
        waiting = [r for (r,) in conn.execute("SELECT story_rowid FROM analysis_pending")]
        assert waiting == [farm_b]
        (length,) = conn.execute(
            "SELECT text_length FROM stories WHERE rowid = ?", (farm_b,)
        ).fetchone()
        assert length == len(cut.body)  # it stays in its group, its length follows
    assert store.analyse_pending() == 1
    with closing(_cache(store)) as conn:
        (stored,) = conn.execute(
            "SELECT signature FROM copy_signatures WHERE story_rowid = ?", (farm_b,)
        ).fetchone()
    assert stored == similarity.signature(cut.title, cut.body)
    assert {c.id for c in store.copies(story_id(items[0][0]))} == {
        story_id(items[2][0]),
        story_id(items[3][0]),
    }


@pytest.fixture
def schema_15(paths: Paths, monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, Page]]:
    """A cache as reader made it at cache migration 15: the story and two copies grouped,
    32-bit signatures, related postings and MinHash bands, nothing waiting; returns what
    it holds. (The analysis of then is written here by hand: today's writes neither.)"""
    items = _copies_of_the_story()[:3]
    items[0][1].feed_url = "https://harbour.example/feed"
    other = ("https://river.example/regatta", _page("Rowers win", OTHER, "River"))
    with monkeypatch.context() as patch:
        patch.setattr(store_base, "CACHE_MIGRATIONS", CACHE_MIGRATIONS[:15])
        with Store(paths) as store:
            _save(store, *items, other)
            store.index_pending()
    with closing(sqlite3.connect(paths.cache_db)) as conn, conn:
        packing.register(conn)
        rows = conn.execute("SELECT rowid, title, unpack(body, body_html) FROM stories").fetchall()
        documents: Counter[str] = Counter()
        for rowid, title, body in rows:
            counts = similarity.term_counts(title, body, STOPWORDS)
            documents.update(counts.keys())
            conn.executemany(
                "INSERT INTO related_postings (term, weight, story_rowid) VALUES (?, ?, ?)",
                [(term, 1000, rowid) for term in list(counts)[:10]],
            )
            conn.execute("INSERT INTO copy_bands VALUES (?, ?)", (rowid * 7, rowid))
            sig = similarity.signature(title, body)
            assert sig is not None
            wide = array("I", [value | (rowid + n) << 8 for n, value in enumerate(sig)])
            conn.execute("INSERT INTO copy_signatures VALUES (?, ?)", (rowid, wide.tobytes()))
        conn.executemany("INSERT INTO term_documents VALUES (?, ?)", documents.items())
        conn.execute("UPDATE analysis_totals SET value = ?", (len(rows),))
        conn.execute("DELETE FROM analysis_pending")
        conn.execute("UPDATE stories SET story_group = 1 WHERE rowid <= 3")
    return [*items, other]


def test_migration_16_keeps_the_groups_and_drops_what_is_derived(
    paths: Paths, schema_15: list[tuple[str, Page]]
) -> None:
    with Store(paths) as store:
        assert store.analyse_pending() == 0  # nothing analysed again
        head, farm_a, farm_b, _ = (story_id(src) for src, _ in schema_15)
        assert [c.id for c in store.copies(head)] == [farm_a, farm_b]  # the longer first
        assert [c.id for c in store.get(farm_b).also_on] == [head, farm_a]
        with closing(_cache(store)) as conn:
            assert conn.execute("PRAGMA user_version").fetchone()[0] == len(CACHE_MIGRATIONS)
            tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master")}
            assert not {"related_postings", "related_postings_by_story", "copy_bands"} & tables
            for title, body, sig, length, group in conn.execute(
                "SELECT title, unpack(s.body, s.body_html), c.signature, text_length, story_group"
                " FROM stories s JOIN copy_signatures c ON c.story_rowid = s.rowid"
            ):
                assert sig == similarity.signature(title, body)  # narrowed as made now
                assert length == (len(body) if group else None)
        # a copy arriving now joins the migrated group; related stories leave them out
        _save(store, _copies_of_the_story()[3])
        assert store.analyse_pending() == 1
        assert len(store.copies(head)) == 3
        _save(store, TOLLS)
        found = [r.id for r in store.related(head)]
        assert found[:1] == [story_id(TOLLS[0])]
        assert not {farm_a, farm_b} & set(found)
        assert [h.article_id for h in store.similar(head)] == [story_id(TOLLS[0])]
        store.add_feed("https://harbour.example/feed")
        store.remove_feed("https://harbour.example/feed", purge=True)  # the group's head
        assert store.get(farm_b).also_on[0].id == farm_a  # the longest is the head now
