"""Search takes any text: the query builder, the store, the command line and the app.

Issue 10 (defect 4) and issue 12: words with punctuation (``covid-19``, ``U.S.``) were
passed to FTS5 as phrases, which the detail=column index refused, and the app crashed.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import reader.store.search as store_module
from reader.app.app import ReaderApp
from reader.app.headlines import HeadlineList
from reader.base.models import Headline, Page, Story
from reader.base.paths import Paths, resolve_paths
from reader.store import Store, packing, story_id
from reader.store.query import MAX_TERMS, match_all, match_any, terms, tokens
from reader.store.schema import CACHE_MIGRATIONS, migrate

from app_helpers import stories, wait_for, wait_ready
from conftest import run_reader

HOSTILE_WORDS = {
    # what the user types: the tokens the index holds for it
    "covid-19": ("covid", "19"),
    "didn't": ("didn", "t"),
    "U.S.": ("U", "S"),
    "e-mail": ("e", "mail"),
    "c1_csi": ("c1", "csi"),
    "Wi-Fi": ("Wi", "Fi"),
    "don't": ("don", "t"),
    "AT&T": ("AT", "T"),
}

STORIES = {
    "Covid-19 cases fall in the harbour wards": "Health officials said covid-19 admissions fell.",
    "U.S. sanctions hit ferry operator": "The U.S. Treasury named the ferry firm on Monday.",
    "Council says it didn't see the e-mail": "The council didn't open the e-mail, minutes show.",
    "Free Wi-Fi on every tram by spring": "Wi-Fi comes to the trams; AT&T won the contract.",
    "Rowers don't fear the rain": '"We don\'t mind," said the cox. Log c1_csi shows it.',
    "Café owners cheer the new market": "Straße und Café: 東京 タワー news, naïve ¼ 😀.",
}


def _page(title: str, body: str) -> Page:
    return Page(title=title, body=body, site="Test Site", published="2025-03-01")


def _save(store: Store, items: dict[str, str]) -> None:
    pages = [("test:" + title, title + body, _page(title, body)) for title, body in items.items()]
    store.save_pages(pages)


@pytest.fixture
def filled(store: Store) -> Store:
    _save(store, STORIES)
    return store


def _titles(found: list[Story]) -> list[str]:
    return [story.title for story in found]


def _integrity(paths: Paths, against_content: bool) -> None:
    """FTS5's own check of the index (raises if it is damaged); with ``against_content``
    it also compares the index with every row of ``stories``."""
    with sqlite3.connect(paths.cache_db) as conn:
        packing.register(conn)  # the index reads the text through them (migration 14)
        conn.execute(
            "INSERT INTO stories_fts (stories_fts, rank) VALUES ('integrity-check', ?)",
            (1 if against_content else 0,),
        )
    conn.close()


# -- the query builder -----------------------------------------------------------------


@pytest.mark.parametrize("word", sorted(HOSTILE_WORDS))
def test_a_word_with_punctuation_is_a_phrase_of_its_tokens(word: str) -> None:
    expected = HOSTILE_WORDS[word]
    assert tuple(tokens(word)) == expected
    assert match_all(word) == '"' + " ".join(expected) + '"'
    assert match_any(word) == '"' + " ".join(expected) + '"'


def test_every_word_is_required_and_quoted() -> None:
    assert match_all("U.S. sanctions") == '"U S" "sanctions"'
    assert match_all("harbour   bonds\tRally") == '"harbour" "bonds" "Rally"'


def test_fts5_syntax_is_read_as_words() -> None:
    assert match_all("ferry AND tram OR NOT bus") == '"ferry" "AND" "tram" "OR" "NOT" "bus"'
    assert match_all("NEAR(ferry tram, 3)") == '"NEAR ferry" "tram" "3"'
    assert match_all("title:harbour") == '"title harbour"'
    assert match_all("^harbour -bonds +x") == '"harbour" "bonds" "x"'
    assert match_all("(harbour") == '"harbour"'


def test_quotes_make_phrases_and_an_unbalanced_one_is_ignored() -> None:
    assert match_all('"harbour bonds" rally') == '"harbour bonds" "rally"'
    assert match_all('say "cheese') == '"say" "cheese"'
    assert match_all('a""b') == '"a" "b"'
    assert match_all('"""') is None
    assert match_all('""') is None
    assert match_all('""*') is None and match_all('"!"*') is None


def test_a_trailing_star_is_a_prefix_of_two_characters_or_more() -> None:
    assert match_all("gov*") == '"gov"*'
    assert match_all("gov**") == '"gov"*'
    assert match_all('"harbour bo"*') == '"harbour bo"*'
    assert match_all("covid-19*") == '"covid 19"*'
    assert match_all("t*") == '"t"'  # too short: the word itself
    assert match_all("gov-*") == '"gov"'  # the star follows no word
    assert match_all("*gov") == '"gov"'
    assert match_all("*") is None


def test_text_without_words_is_no_query() -> None:
    for text in ("", "   ", "!!!", "*", "(", ")", "-", '"', "^", ":", "😀", "— … ‘’", "\u0301"):
        assert match_all(text) is None, text
        assert match_any(text) is None, text


def test_letters_of_any_script_are_words() -> None:
    assert tokens("東京 タワー naïve Straße ¼") == ["東京", "タワー", "naïve", "Straße", "¼"]
    assert tokens("x😀y") == ["x", "y"]


def test_repeated_terms_count_once_and_a_long_text_is_cut() -> None:
    assert match_all("ferry Ferry FERRY tram") == '"ferry" "tram"'
    many = " ".join(f"word{n}" for n in range(100))
    assert len(terms(many)) == MAX_TERMS


def test_a_headline_looks_for_any_of_its_telling_words() -> None:
    assert match_any("U.S. sanctions hit the ferry operator") == (
        '"U S" OR "sanctions" OR "hit" OR "ferry" OR "operator"'
    )
    assert match_any('"Miracle" rescue at sea*') == '"Miracle" OR "rescue" OR "sea"'
    assert match_any("It is what it is") == '"It" OR "is" OR "what"'  # nothing telling: all


@given(st.text(alphabet=st.sampled_from("ab Zé1_-'.,\"*&:^()東😀\t\u00ad")))
def test_tokens_split_text_as_the_index_does(text: str) -> None:
    with sqlite3.connect(":memory:") as conn:
        conn.execute(
            "CREATE VIRTUAL TABLE t USING fts5 (x, tokenize='unicode61 remove_diacritics 2')"
        )
        conn.execute("CREATE VIRTUAL TABLE v USING fts5vocab (t, instance)")
        conn.execute("INSERT INTO t (x) VALUES (?)", (text,))
        indexed = [row[0] for row in conn.execute("SELECT term FROM v ORDER BY offset")]
    conn.close()
    assert [token.lower().replace("é", "e") for token in tokens(text)] == indexed


# -- the store --------------------------------------------------------------------------


@pytest.mark.parametrize("word", sorted(HOSTILE_WORDS))
def test_each_word_finds_the_story_with_it(filled: Store, word: str) -> None:
    found = _titles(filled.search(word))
    assert found, word
    assert all(word.lower() in (title + STORIES[title]).lower() for title in found), found


def test_searches_people_type(filled: Store) -> None:
    assert _titles(filled.search("U.S. sanctions")) == ["U.S. sanctions hit ferry operator"]
    assert _titles(filled.search('"harbour wards"')) == ["Covid-19 cases fall in the harbour wards"]
    assert filled.search('"wards harbour"') == []  # a phrase keeps its order
    assert _titles(filled.search("sanc*")) == ["U.S. sanctions hit ferry operator"]
    assert _titles(filled.search("cafe strasse")) == []  # ß is not folded to ss
    assert _titles(filled.search("cafe straße")) == ["Café owners cheer the new market"]
    assert _titles(filled.search("東京")) == ["Café owners cheer the new market"]
    assert filled.search("ferry AND bus") == []  # AND is a word here, and so is bus
    assert filled.search("😀") == [] and filled.search("") == [] and filled.search('"') == []


def test_a_headline_search_finds_its_story_when_a_word_differs(filled: Store) -> None:
    headline = "U.S. sanctions hit ferry company"  # the cached story says "operator"
    assert filled.search(headline) == []  # every word: no
    found = _titles(filled.search(headline, any_words=True))
    assert found[0] == "U.S. sanctions hit ferry operator"


def test_similar_takes_any_title(store: Store) -> None:
    _save(store, {'c1_csi "log" didn\'t U.S. (AND': "x", "A log of U.S. ferries": "y"})
    similar = store.similar(story_id('test:c1_csi "log" didn\'t U.S. (AND'))
    assert [h.title for h in similar] == ["A log of U.S. ferries"]


@pytest.fixture(scope="module")
def shared_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """One store with a few stories for the property test (searching changes nothing)."""
    with Store(resolve_paths(tmp_path_factory.mktemp("home"))) as opened:
        _save(opened, STORIES)
        yield opened


_QUERY_TEXT = st.one_of(
    st.text(),
    st.text(alphabet=st.sampled_from(list("abc 19 \"*^:()-+.,_&'ANDORNOTNEAR{}[]\\"))),
    st.lists(st.sampled_from([*HOSTILE_WORDS, "AND", "OR", "NOT", "NEAR(", '"', "*", "^"])).map(
        " ".join
    ),
    st.lists(st.sampled_from(['"', "*", "a", "bc", "-", " ", "!", "東"])).map("".join),
    st.lists(  # filters mixed with punctuation, quotes, lone - and :
        st.sampled_from(
            ["site:", "-site:", "tag:", "is:", "unread", "before:", "after:", "7d", "2026-11"]
            + ["Test", "cafe", '"', "-", ":", " ", "*", "(", "AND", "foo:bar", 'site:"t']
        )
    ).map("".join),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_QUERY_TEXT)
def test_any_text_is_a_search_that_never_raises(shared_store: Store, text: str) -> None:
    shared_store.search(text)
    shared_store.search(text, any_words=True)


# -- the index: detail=full (migration 8) and the deferred indexing ---------------------


def test_an_old_cache_gets_the_positional_index_and_finds_everything(paths: Paths) -> None:
    paths.ensure()
    old = sqlite3.connect(paths.cache_db, isolation_level=None)
    migrate(old, "story cache", CACHE_MIGRATIONS[:7])  # detail=column, as before 8
    for n, (title, body) in enumerate(STORIES.items()):
        old.execute(
            "INSERT INTO stories (id, source, title, title_key, body, sort_key, content_hash,"
            " ingested_at, updated_at) VALUES (?, ?, ?, ?, ?, '2025', 'h', 'now', 'now')",
            (story_id(f"old:{n}"), f"old:{n}", title, title.lower(), body),
        )
    old.execute(
        "INSERT INTO stories_fts (rowid, title, body) SELECT rowid, title, body FROM stories"
    )
    old.execute("UPDATE stories SET body = 'Ferry timetable' WHERE source = 'old:5'")
    old.execute(  # and one that waits for the index, as a refresh leaves it
        "INSERT INTO stories (id, source, title, title_key, body, sort_key, content_hash,"
        " ingested_at, updated_at) VALUES (?, 'old:p', 'Tram e-mail', 'tram e mail', '',"
        " '2025', 'h', 'now', 'now')",
        (story_id("old:p"),),
    )
    old.execute("INSERT INTO fts_pending (story_rowid) SELECT max(rowid) FROM stories")
    old.close()

    with Store(paths) as store:
        with sqlite3.connect(paths.cache_db) as conn:
            packing.register(conn)  # the triggers unpack the bodies (migration 14)
            sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'stories_fts'")
            assert "detail=full" in sql.fetchone()[0]
            # every story waits for the new index, and edits meanwhile are kept
            conn.execute("UPDATE stories SET title = 'Tram fares frozen' WHERE source = 'old:1'")
            conn.execute("DELETE FROM stories WHERE source = 'old:2'")
        conn.close()
        _integrity(paths, against_content=False)
        assert _titles(store.search("covid-19")) == ["Covid-19 cases fall in the harbour wards"]
        assert _titles(store.search("tram fares")) == ["Tram fares frozen"]
        assert store.search("sanctions") == []
        assert _titles(store.search("e-mail")) == ["Tram e-mail"]
        assert _titles(store.search("ferry timetable")) == ["Café owners cheer the new market"]
        _integrity(paths, against_content=True)


def test_a_long_backlog_is_indexed_in_chunks(
    store: Store, paths: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_module, "INDEX_CHUNK", 2)
    monkeypatch.setattr(store_module, "_INDEX_PAUSE_S", 0.0)
    _save(store, STORIES)
    assert store.index_pending() == len(STORIES)
    assert store.index_pending() == 0
    _integrity(paths, against_content=True)
    assert len(store.search("the", any_words=True)) == len(STORIES)
    _save(store, {"Covid-19 cases fall in the harbour wards": "Now the e-mail is public."})
    assert _titles(store.search("e-mail public")) == ["Covid-19 cases fall in the harbour wards"]
    _integrity(paths, against_content=True)


# -- the command line and the app -------------------------------------------------------


def test_the_command_line_searches_for_words_with_punctuation(home: Path, tmp_path: Path) -> None:
    page = tmp_path / "wifi.txt"
    page.write_text(
        "Current:Home > LocalFree Wi-Fi on every tram by spring -Quay Times\n"
        "Free Wi-Fi on every tram by spring\nDate:2025-03-01\n"
        "Trams get Wi-Fi from the U.S. firm AT&T.\n",
        encoding="utf-8",
    )
    assert run_reader(home, "ingest", str(page)).returncode == 0
    for query in ("Wi-Fi", "U.S.", "AT&T", "wi-fi tram*"):
        found = run_reader(home, "search", query)
        assert found.returncode == 0, found.stderr
        assert "Free Wi-Fi on every tram by spring" in found.stdout, query
    for query in ('"', "*", "NEAR(", "e-mail"):
        nothing = run_reader(home, "search", query)
        assert (nothing.returncode, nothing.stdout, nothing.stderr) == (0, "", ""), query


async def test_the_app_searches_for_u_s_sanctions(paths: Paths) -> None:
    with Store(paths) as store:
        _save(store, STORIES)
    app = ReaderApp(paths)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_ready(pilot)
        await pilot.press("slash", *"U.S. sanctions", "enter")
        await wait_for(pilot, lambda: stories(app).query_state.search == "U.S. sanctions")
        await wait_for(pilot, lambda: stories(app).count == 1)
        first = stories(app).story_at(0)
        assert first is not None and first.title == "U.S. sanctions hit ferry operator"
        await pilot.press("slash", *"didn't AND (", "enter")
        await wait_for(pilot, lambda: stories(app).query_state.search == "didn't AND (")
        await wait_for(pilot, lambda: "(0)" in str(stories(app).border_title))
        assert app.is_running


async def test_following_a_headline_finds_its_story_by_any_words(paths: Paths) -> None:
    with Store(paths) as store:
        _save(store, STORIES)
    app = ReaderApp(paths)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_ready(pilot)
        headline = Headline("U.S. sanctions hit ferry company", None, None)  # not cached
        app.reading.on_headline_list_followed(HeadlineList.Followed(headline))
        await wait_for(pilot, lambda: stories(app).query_state.any_words)
        await wait_for(pilot, lambda: stories(app).count >= 1)
        first = stories(app).story_at(0)
        assert first is not None and first.title == "U.S. sanctions hit ferry operator"
