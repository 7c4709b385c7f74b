"""Search filters (site:, tag:, is:, before:, after:, negation) and snippets (issue 12).

The parser is pure (``reader.store.query.parse_query``); the store applies what it
reads; the command line prints a snippet under each result.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.app.app import ReaderApp
from reader.base.models import Page, Snippet
from reader.base.paths import Paths, resolve_paths
from reader.store import Store, story_id
from reader.store.query import Filters, match_all, parse_date_bound, parse_query
from reader.store.search import parse_snippet

from app_helpers import stories, wait_for, wait_ready
from conftest import run_reader

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


# -- the parser -------------------------------------------------------------------------


def test_filters_come_out_of_the_words() -> None:
    parsed = parse_query("harbour site:BBC tag:News is:unread bonds", NOW)
    assert match_all(parsed.text) == '"harbour" "bonds"'
    assert parsed.filters == Filters(sites=("bbc",), tags=("news",), read=False)


def test_a_query_of_filters_alone_has_no_words() -> None:
    parsed = parse_query("is:bookmarked", NOW)
    assert match_all(parsed.text) is None and parsed.filters == Filters(bookmarked=True)
    assert not Filters() and Filters(read=True)


def test_negation_and_several_of_a_kind() -> None:
    parsed = parse_query("-site:bbc site:quay site:times -tag:sport -is:read -is:bookmarked")
    assert parsed.filters == Filters(
        sites=("quay", "times"),
        not_sites=("bbc",),
        not_tags=("sport",),
        read=False,
        bookmarked=False,
    )
    assert parse_query("is:read is:unread").filters.contradictory
    assert parse_query("-before:2026-01-01").filters == Filters(after="2026-01-01")
    assert parse_query("-after:2026-01-01").filters == Filters(before="2026-01-01")


def test_dates_absolute_and_relative() -> None:
    parsed = parse_query("before:2026-11-30 after:2026-11 after:2026-11-02", NOW)
    assert parsed.filters == Filters(before="2026-11-30", after="2026-11-02")  # the tighter
    assert parse_date_bound("7d", NOW) == "2026-11-24T12:00:00"
    assert parse_date_bound("24H", NOW) == "2026-11-30T12:00:00"
    assert parse_date_bound("2w", NOW) == "2026-11-17T12:00:00"
    assert parse_date_bound("2026", NOW) == "2026"
    for bad in ("2026-13-01", "2026-02-30", "soon", "7y", "99999w", "-1d", "20261130", ""):
        assert parse_date_bound(bad, NOW) is None, bad


def test_a_quoted_value_and_filters_inside_quotes() -> None:
    parsed = parse_query('site:"BBC  News" "tag:sport is:read" x', NOW)
    assert parsed.filters == Filters(sites=("bbc news",))
    assert match_all(parsed.text) == '"tag sport is read" "x"'  # a phrase, not filters


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("foo:bar", '"foo bar"'),  # an unknown key is words
        ("is:green", '"is green"'),
        ("before:soon", '"before soon"'),
        ("site:", '"site"'),  # no value: the word
        ('site:""', '"site"'),
        ('site:a"b', '"site a" "b"'),  # the quote is punctuation
        ("x-site:bbc", '"x site bbc"'),  # a filter starts a piece
        ("site:bbc:", None),  # the value is "bbc:", a filter all the same
        ("-", None),
        (":", None),
        ("-site:", '"site"'),
    ],
)
def test_what_is_no_filter_stays_words(text: str, words: str | None) -> None:
    parsed = parse_query(text, NOW)
    assert match_all(parsed.text) == words
    if words is not None:
        assert not parsed.filters


_FILTERISH = st.lists(
    st.sampled_from(
        [
            "site:",
            "-site:",
            "tag:",
            "is:",
            "unread",
            "before:",
            "after:",
            "7d",
            "2026-11-30",
            '"',
            "-",
            ":",
            " ",
            "*",
            "bbc",
            "(",
            "AND",
            "東",
            "\x1b[2J",
        ]
    )
).map("".join)


@settings(max_examples=300, deadline=None)
@given(text=st.one_of(st.text(), _FILTERISH))
def test_any_text_parses(text: str) -> None:
    parsed = parse_query(text, NOW)
    match_all(parsed.text)
    assert isinstance(parsed.filters, Filters)


# -- the store --------------------------------------------------------------------------

PAGES = {
    "bbc:1": Page(
        title="Harbour bonds rise",
        body="The harbour bonds rose sharply on Monday as traders bought them.",
        site="BBC News",
        url="https://www.bbc.co.uk/news/1",
        published="2026-11-20T09:00:00+00:00",
        feed_url="https://www.bbc.co.uk/news/rss.xml",
    ),
    "quay:1": Page(
        title="Tram fares frozen",
        body="Tram fares near the harbour froze for a year.",
        site="Quay Times",
        url="https://quay.example/trams",
        published="2026-11-29T09:00:00+00:00",
        feed_url="https://quay.example/feed",
    ),
    "quay:2": Page(
        title="Rowers win silver",
        body="The rowers of the harbour club won silver.",
        site="Quay Times",
        published="2026-11-30T18:00:00+00:00",
        feed_url="https://quay.example/sport",
    ),
}


@pytest.fixture
def filled(store: Store) -> Store:
    store.save_pages([(src, src, page) for src, page in PAGES.items()])
    store.add_feed("https://www.bbc.co.uk/news/rss.xml")
    store.add_feed("https://quay.example/feed", tags=["Local"])
    store.add_feed("https://quay.example/sport", tags=["sport", "local"])
    store.set_read(story_id("quay:1"))
    store.set_bookmark(story_id("bbc:1"))
    return store


def _titles(store: Store, query: str) -> list[str]:
    return [story.title for story in store.search(query, now=NOW)]


def test_site_matches_the_name_or_the_feed_host_in_any_case(filled: Store) -> None:
    assert _titles(filled, "harbour site:bbc") == ["Harbour bonds rise"]
    assert _titles(filled, "site:BBC.co.uk") == ["Harbour bonds rise"]
    assert _titles(filled, "harbour site:quay") == ["Rowers win silver", "Tram fares frozen"]
    assert len(_titles(filled, "harbour site:quay site:bbc")) == 3  # any of them
    assert _titles(filled, "harbour -site:quay") == ["Harbour bonds rise"]
    assert _titles(filled, "site:nowhere") == []


def test_tag_and_marks(filled: Store) -> None:
    assert _titles(filled, "tag:local") == ["Rowers win silver", "Tram fares frozen"]
    assert _titles(filled, "tag:SPORT harbour") == ["Rowers win silver"]
    assert _titles(filled, "-tag:sport harbour") != []
    assert "Rowers win silver" not in _titles(filled, "-tag:sport harbour")
    assert "Harbour bonds rise" in _titles(filled, "-tag:sport harbour")  # untagged feed
    assert _titles(filled, "is:read") == ["Tram fares frozen"]
    assert _titles(filled, "is:unread") == ["Rowers win silver", "Harbour bonds rise"]
    assert _titles(filled, "is:bookmarked") == ["Harbour bonds rise"]
    assert _titles(filled, "-is:bookmarked harbour") == ["Rowers win silver", "Tram fares frozen"]
    assert _titles(filled, "is:read is:unread") == []
    assert _titles(filled, "harbour is:read is:unread") == []


def test_dates(filled: Store) -> None:
    assert _titles(filled, "before:2026-11-29") == ["Harbour bonds rise"]
    assert _titles(filled, "after:2026-11-29 harbour") == ["Rowers win silver", "Tram fares frozen"]
    assert _titles(filled, "after:24h") == ["Rowers win silver"]
    assert _titles(filled, "after:2026-11-21 before:2026-11-30") == ["Tram fares frozen"]


def test_filters_alone_list_newest_first_and_words_rank(filled: Store) -> None:
    assert _titles(filled, "site:quay") == ["Rowers win silver", "Tram fares frozen"]
    assert _titles(filled, "foo:bar") == []  # words, which no story holds
    assert _titles(filled, "site:") == []


def test_a_bookmark_whose_story_left_the_cache_is_found_by_is_bookmarked(
    filled: Store,
) -> None:
    filled._conn.execute("DELETE FROM stories WHERE source = 'bbc:1'")
    assert _titles(filled, "is:bookmarked") == ["Harbour bonds rise"]
    assert _titles(filled, "is:bookmarked site:bbc") == ["Harbour bonds rise"]
    assert filled.snippets("is:bookmarked", [story_id("bbc:1")]) == {}


def test_a_snippet_shows_the_match(filled: Store) -> None:
    ids = [s.id for s in filled.search("bonds sharp*")]
    snippet = filled.snippets("bonds sharp* site:bbc", ids)[ids[0]]
    assert [snippet.text[a:b] for a, b in snippet.matches] == ["bonds", "sharply"]
    assert filled.snippets("site:quay", [story_id("quay:1")]) == {
        story_id("quay:1"): Snippet("Tram fares near the harbour froze for a year.")
    }


def test_a_snippet_holds_no_control_characters(store: Store) -> None:
    body = "Start \x1b]0;owned\x07 the harbour\x1b[2J bonds \x02 here\x9b31m."
    store.save_pages([("x:1", "x", Page(title="Odd", body=body))])
    store.set_bookmark(story_id("x:1"))  # a bookmark without a site
    assert store.search("site:odd") == [] and len(store.search("-site:odd")) == 1
    snippet = store.snippets("harbour", [story_id("x:1")])[story_id("x:1")]
    assert snippet.text.isprintable() and "harbour" in snippet.text
    marked = parse_snippet("a \x02har\x1b[31mbour\x03 \x02\x03 b\n\tc \x02x")
    assert marked == Snippet("a harbour b c x", ((2, 9), (14, 15)))


def test_the_command_line_filters_and_prints_snippets(home: Path, tmp_path: Path) -> None:
    with Store(resolve_paths(home)) as store:
        store.save_pages([(src, src, page) for src, page in PAGES.items()])
        store.set_bookmark(story_id("quay:2"))
    found = run_reader(home, "search", "harbour", "site:quay", "is:bookmarked")
    assert found.returncode == 0, found.stderr
    row, snippet = found.stdout.splitlines()
    assert row.endswith("Rowers win silver")
    assert snippet == "    The rowers of the harbour club won silver."
    as_json = json.loads(run_reader(home, "search", "--json", "-site:quay").stdout)
    assert as_json == json.loads(run_reader(home, "search", "--json", "--", "-site:quay").stdout)
    for wrong in (["search"], ["search", "--jsno", "x"], ["list", "-site:quay"]):
        refused = run_reader(home, *wrong)
        assert refused.returncode == 2 and refused.stdout == "", wrong
    assert [(s["title"], s["snippet"]) for s in as_json] == [
        ("Harbour bonds rise", "The harbour bonds rose sharply on Monday as traders bought them.")
    ]


def test_a_common_word_ranks_its_newest_matches(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    import reader.store.search as search_module

    pages = [("old", "Harbour harbour harbour", "harbour harbour harbour")] + [
        (f"new{n}", f"Harbour note {n}", "the harbour" + " and more" * n) for n in range(4)
    ]
    store.save_pages([(src, src, Page(title=t, body=b)) for src, t, b in pages])
    assert store.search("harbour", limit=2)[0].title == "Harbour harbour harbour"
    monkeypatch.setattr(search_module, "RANK_WINDOW", 2)
    found = [s.title for s in store.search("harbour", limit=2)]
    assert found == ["Harbour note 2", "Harbour note 3"]  # the two stored last, by bm25
    assert store.search("harbour", limit=2, any_words=True)[0].title == "Harbour harbour harbour"


async def test_the_app_search_takes_filters(paths: Paths) -> None:
    with Store(paths) as store:
        store.save_pages([(src, src, page) for src, page in PAGES.items()])
        store.set_bookmark(story_id("quay:1"))
    app = ReaderApp(paths)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_ready(pilot)
        await pilot.press("slash", *"is:bookmarked", "enter")
        await wait_for(pilot, lambda: stories(app).query_state.search == "is:bookmarked")
        await wait_for(pilot, lambda: stories(app).count == 1)
        first = stories(app).story_at(0)
        assert first is not None and first.title == "Tram fares frozen"
        typed = 'harbour -site:"quay" site: :'
        await pilot.press("slash", *typed, "enter")
        await wait_for(pilot, lambda: stories(app).query_state.search == typed)
        await wait_for(pilot, lambda: "(0)" in str(stories(app).border_title))
        assert app.is_running


def test_a_phrase_of_common_words_lists_newest_first(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    import reader.store.search as search_module

    bodies = {"best": "of a kind, of a sort, of a piece", "middle": "one of a kind", "last": ""}
    bodies["last"] = "a tale of a ferry " + "and more words " * 20
    store.save_pages([(src, src, Page(title=src, body=body)) for src, body in bodies.items()])
    assert [s.title for s in store.search('"of a"')][0] == "best"  # ranked
    monkeypatch.setattr(search_module, "COMMON_PHRASE_DOCS", 3)  # "of", "a": in all 3
    assert [s.title for s in store.search('"of a"')] == ["last", "middle", "best"]
    assert [s.title for s in store.search('"a tale"')] == ["last"]  # "tale" is rare: ranked
    assert [s.title for s in store.search('"of a" kind')] == ["middle", "best"]


def test_a_site_or_tag_of_more_stories_than_the_matches_is_tested_on_their_rows(
    filled: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    queries = [
        "harbour site:quay",
        "rowers site:quay",
        "harbour -site:quay",
        "tag:local harbour",
        "-tag:sport harbour",
        "harbour site:bbc is:unread",
        "rowers tag:sport after:2026-11-30",
    ]
    found = {query: _titles(filled, query) for query in queries}
    assert found["rowers site:quay"] == ["Rowers win silver"]
    assert found["harbour -site:quay"] == ["Harbour bonds rise"]
    asked: list[tuple[int, bool]] = []
    many = Store._many_stories

    def recording(self: Store, sites: list[str], urls: list[str], most: int) -> bool:
        asked.append((most, many(self, sites, urls, most)))
        return asked[-1][1]

    monkeypatch.setattr(Store, "_many_stories", recording)
    assert _titles(filled, "rowers site:quay") == ["Rowers win silver"]
    assert asked == [(1, True)]  # one match read, two stories on the site: its row
    assert _titles(filled, "harbour tag:sport") == ["Rowers win silver"]
    assert asked[-1] == (3, False)  # three matches, the tag's one story: a set
    for forced in (True, False):  # either way, the same stories in the same order
        monkeypatch.setattr(Store, "_many_stories", lambda *args, forced=forced: forced)
        assert {query: _titles(filled, query) for query in queries} == found


def test_fewer_bookmarks_than_the_matches_are_a_set_of_rowids(filled: Store) -> None:
    statements: list[str] = []
    filled._conn.set_trace_callback(statements.append)

    def found(query: str) -> tuple[list[str], bool]:
        statements.clear()
        titles = _titles(filled, query)
        return titles, any("JOIN stories m ON m.id = k.story_id" in s for s in statements)

    assert found("harbour is:bookmarked") == (["Harbour bonds rise"], True)  # 1 of 3
    assert found("-is:bookmarked harbour") == (["Rowers win silver", "Tram fares frozen"], True)
    filled.set_bookmark(story_id("quay:1"))
    assert found("rowers is:bookmarked") == ([], False)  # 2 bookmarks, 1 match: looked up
    assert found("rowers -is:bookmarked") == (["Rowers win silver"], False)
    assert found("harbour -is:bookmarked") == (["Rowers win silver"], True)
    assert found("tram is:bookmarked site:quay") == (["Tram fares frozen"], False)
