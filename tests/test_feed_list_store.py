"""What the feed list reads: saved searches in config.toml, per-feed counts, a query's
counts, renames that a refresh keeps, tags replaced, a feed's own stories."""

from __future__ import annotations

from pathlib import Path

import pytest

from reader.base.config import SavedQuery, load_config
from reader.base.errors import FeedNotFound
from reader.base.models import Page
from reader.base.paths import Paths
from reader.feeds.refresh import refresh
from reader.store import Store, StoryFilter

from conftest import FIXTURES

RSS = (FIXTURES / "feeds" / "harbour.rss").read_bytes()


# -- [[query]] in config.toml --------------------------------------------------------------


def test_saved_queries_are_read_in_order(tmp_path: Path) -> None:
    config_file = tmp_path / "config.toml"
    config_file.write_text(
        'theme = "terminal"\n\n[[query]]\ntitle = "Unread Linux"\n'
        'query = "linux tag:linux is:unread"\n\n[[query]]\ntitle = " Ferries "\n'
        'query = "ferry"\n'
    )
    config = load_config(config_file)
    assert config.queries == (
        SavedQuery("Unread Linux", "linux tag:linux is:unread"),
        SavedQuery("Ferries", "ferry"),
    )
    assert config.problems == [] and config.theme == "terminal"


def test_bad_saved_queries_are_problems_and_the_good_ones_stay(tmp_path: Path) -> None:
    config_file = tmp_path / "config.toml"
    config_file.write_text(
        '[[query]]\ntitle = "Good"\nquery = "harbour"\n\n'
        '[[query]]\ntitle = ""\nquery = "x"\n\n'
        '[[query]]\ntitle = "No query"\n\n'
        '[[query]]\ntitle = "Good"\nquery = "again"\n\n'
        '[[query]]\ntitle = 3\nquery = "x"\n'
    )
    config = load_config(config_file)
    assert config.queries == (SavedQuery("Good", "harbour"),)
    assert config.problems == [
        f"{config_file}: [[query]] 2: 'title' must be a non-empty string",
        f"{config_file}: [[query]] 3 (No query): 'query' must be a non-empty string",
        f"{config_file}: [[query]] 4: the title 'Good' is used already",
        f"{config_file}: [[query]] 5: 'title' must be a non-empty string",
    ]


def test_query_that_is_not_a_list_of_tables(tmp_path: Path) -> None:
    config_file = tmp_path / "config.toml"
    config_file.write_text('query = "linux"\n')
    config = load_config(config_file)
    assert config.queries == ()
    assert config.problems == [
        f"{config_file}: 'query' must be [[query]] tables with a title and a query"
    ]


# -- counts ---------------------------------------------------------------------------------


def _feed_rows(store: Store, feed_url: str, titles: list[str]) -> None:
    pages = [
        (f"{feed_url}#{n}", f"h{n}", Page(title=t, body=f"{t} body", site="S", feed_url=feed_url))
        for n, t in enumerate(titles)
    ]
    store.save_pages(pages)


def test_list_feeds_counts_each_feeds_stories_and_unread(store: Store) -> None:
    store.add_feed("https://a.example/feed", "Alpha", tags=["news"])
    store.add_feed("https://b.example/feed", "Beta")
    store.add_feed("https://c.example/feed", "Gamma")
    _feed_rows(store, "https://a.example/feed", ["a one", "a two", "a three"])
    _feed_rows(store, "https://b.example/feed", ["b one"])
    _feed_rows(store, "https://gone.example/feed", ["not subscribed"])
    first = store.list_stories(StoryFilter(feed="https://a.example/feed"))[0]
    store.set_read(first.id, True)
    counts = {f.title: (f.unread, f.stories) for f in store.list_feeds()}
    assert counts == {"Alpha": (2, 3), "Beta": (1, 1), "Gamma": (0, 0)}
    quick = {f.title: (f.unread, f.stories) for f in store.list_feeds(with_unread=False)}
    assert quick == {"Alpha": (0, 3), "Beta": (0, 1), "Gamma": (0, 0)}
    bare = store.list_feeds(counts=False)  # what a refresh asks for: no story is read
    assert [(f.title, f.tags, f.unread, f.stories) for f in bare] == [
        ("Alpha", ["news"], 0, 0), ("Beta", [], 0, 0), ("Gamma", [], 0, 0),
    ]  # fmt: skip
    assert store.feed_unread() == {
        "https://a.example/feed": 2, "https://b.example/feed": 1, "https://c.example/feed": 0,
    }  # fmt: skip
    one = store.get_feed("https://a.example/feed")
    assert (one.unread, one.stories, one.tags) == (2, 3, ["news"])
    assert store.get_feed(str(one.id)).url == "https://a.example/feed"
    with pytest.raises(FeedNotFound):
        store.get_feed("https://nowhere.example/")


def test_a_feeds_own_stories(store: Store) -> None:
    _feed_rows(store, "https://a.example/feed", ["a one", "a two"])
    _feed_rows(store, "https://b.example/feed", ["b one"])
    flt = StoryFilter(feed="https://a.example/feed")
    assert store.count(flt) == 2
    assert {s.title for s in store.list_stories(flt)} == {"a one", "a two"}


def test_query_counts_are_what_the_search_finds(store: Store) -> None:
    store.add_feed("https://a.example/feed", "Alpha", tags=["linux"])
    store.add_feed("https://b.example/feed", "Beta")
    _feed_rows(store, "https://a.example/feed", ["linux kernel", "linux desktop", "gardening"])
    _feed_rows(store, "https://b.example/feed", ["linux elsewhere", "cooking"])
    kernel = store.search("kernel")[0]
    store.set_read(kernel.id, True)
    store.set_bookmark(kernel.id, True)
    for query, expected in {
        "linux": (2, 3),
        "linux tag:linux": (1, 2),
        "linux tag:linux is:unread": (1, 1),
        "tag:linux": (2, 3),
        "is:unread": (4, 4),
        "is:bookmarked": (0, 1),
        "-tag:linux": (2, 2),
        "nothing-matches-this": (0, 0),
        "": (0, 0),
    }.items():
        assert store.query_counts(query) == expected, query
        total = len(store.search(query, limit=100))
        assert total == expected[1], query


# -- rename and retag ----------------------------------------------------------------------


def test_a_rename_survives_refreshes_and_can_be_undone(paths: Paths, tmp_path: Path) -> None:
    feed_file = tmp_path / "harbour.rss"
    feed_file.write_bytes(RSS)
    with Store(paths) as store:
        feed = store.add_feed(str(feed_file))
        refresh(store, [feed])
        assert store.get_feed(feed.url).title == "Harbour & Quay News"
        assert store.rename_feed(feed.url, "  My   harbour ").title == "My harbour"
        refresh(store, [store.get_feed(feed.url)])
        assert store.get_feed(feed.url).title == "My harbour"  # the user's title stays
        store.rename_feed(feed.url, "")
        refresh(store, [store.get_feed(feed.url)])
        assert store.get_feed(feed.url).title == "Harbour & Quay News"


def test_retag_replaces_the_tags(store: Store) -> None:
    store.add_feed("https://a.example/feed", tags=["old", "keep"])
    feed = store.set_feed_tags("https://a.example/feed", ["keep", " new ", "", "keep"])
    assert feed.tags == ["keep", "new"]
    assert store.set_feed_tags(str(feed.id), []).tags == []


def test_a_hidden_feed_is_in_its_own_group_of_the_feed_list(store: Store) -> None:
    # newsboat's "!": out of its tags' groups and the default list, still managed here.
    from reader.app.feed_list import HIDDEN, build_rows
    from reader.store.feeds import ImportedFeed

    store.import_feeds(
        [
            ImportedFeed("https://a.example/feed", "Shown", ("news",), False, None, None),
            ImportedFeed("https://b.example/feed", "Secret", ("news",), True, None, None),
        ]
    )
    feeds = store.list_feeds()
    assert {feed.title: feed.hidden for feed in feeds} == {"Shown": False, "Secret": True}
    rows = [(row.kind, row.label) for row in build_rows(feeds, (), {})]
    assert rows == [
        ("heading", "news"),
        ("feed", "Shown"),
        ("heading", HIDDEN),
        ("feed", "Secret"),
    ]
