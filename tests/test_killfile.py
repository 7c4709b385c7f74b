"""The killfile: ``[[ignore]]`` rules in config.toml, applied when feeds are refreshed."""

from __future__ import annotations

import json
import logging
import re
import time
from pathlib import Path

import pytest
from http_server import send, serve

from reader.base.config import MATCH_LIMIT, load_config
from reader.base.errors import Failed
from reader.base.paths import Paths
from reader.feeds.refresh import parse_safely, refresh
from reader.store import Store
from reader.store.base import StoryFilter

from conftest import run_reader


def _rss(*items: tuple[str, str, str], site: str = "site") -> bytes:
    """A feed of ``(title, author, text)`` items, each with its own link on ``site``."""
    entries = "".join(
        f"<item><title>{title}</title><link>http://{site}.test/{n}</link>"
        f"<author>{author}</author><description>{text}</description></item>"
        for n, (title, author, text) in enumerate(items)
    )
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Quay</title>'
        f"<link>http://site.test/</link>{entries}</channel></rss>"
    ).encode()


ITEMS = (
    ("Harbour bonds rally", "Ann", "Bonds rallied at the harbour."),
    ("SPONSORED: buy a boat", "Ann", "A boat for every harbour."),
    ("Tide tables for December", "Spammy Bot", "Tides at the harbour."),
    ("Ferry timetable changes", "Ann", "Ferries leave the harbour later."),
)
RULES = '[[ignore]]\ntitle = "(?i)sponsored"\n\n[[ignore]]\nauthor = "^Spammy"\naction = "drop"\n'


def _write_config(paths: Paths, text: str) -> None:
    paths.config_file.parent.mkdir(parents=True, exist_ok=True)
    paths.config_file.write_text(text)


def _refresh(store: Store, paths: Paths) -> tuple[int, int, int]:
    """Refresh every feed with the config's settings: (new, hidden, dropped)."""
    config = load_config(paths.config_file)
    assert config.problems == []
    report = refresh(store, store.list_feeds(), settings=config.feed_settings)
    assert report.failures == []
    return report.new, report.hidden, report.dropped


def _titles(store: Store, flt: StoryFilter = StoryFilter()) -> set[str]:
    return {story.title for story in store.list_stories(flt)}


def test_rules_are_read_and_bad_ones_named_never_raised(tmp_path: Path) -> None:
    config_file = tmp_path / "config.toml"
    config_file.write_text(
        RULES
        + '\n[[ignore]]\ntitle = "(unclosed"\n'
        + '\n[[ignore]]\nfeed = "tag:tech"\ntitle = "x"\naction = "vanish"\n'
        + '\n[[ignore]]\nfeed = "tag:tech"\n'
        + '\n[[ignore]]\nheadline = "x"\n'
        + '\n[[ignore]]\nfeed = "tag:tech"\nlink = "/ads/"\ncontent = "(?i)casino"\n'
    )
    config = load_config(config_file)
    assert [(r.number, r.feed, r.action) for r in config.ignore] == [
        (1, "*", "hide"), (2, "*", "drop"), (7, "tag:tech", "hide"),
    ]  # fmt: skip
    assert len(config.problems) == 4
    bad_regex, bad_action, empty, unknown = config.problems
    assert "[[ignore]] 3: title '(unclosed' is not a regex (missing )" in bad_regex
    assert 'action must be "hide" or "drop"' in bad_action and "[[ignore]] 4" in bad_action
    assert "give at least one of title, author, link, content, tag" in empty
    assert "unknown key headline" in unknown
    # Every field given must match; the tag rule is for the feeds with that tag only.
    tech = config.ignore[2]
    assert tech.applies_to("http://a.test/feed", ["tech"])
    assert not tech.applies_to("http://a.test/feed", ["news"])
    assert tech.matches({"link": "http://a.test/ads/1", "content": "Casino night"})
    assert not tech.matches({"link": "http://a.test/ads/1", "content": "Harbour news"})
    # A regex sees the first MATCH_LIMIT characters of a field, however long it is.
    far = load_config(config_file).ignore[0]
    assert far.matches({"title": "x" * (MATCH_LIMIT - 9) + "sponsored"})
    assert not far.matches({"title": "x" * MATCH_LIMIT + "sponsored"})


def test_a_toml_value_that_is_not_a_list_of_tables(tmp_path: Path) -> None:
    config_file = tmp_path / "config.toml"
    config_file.write_text('ignore = "sponsored"\n')
    config = load_config(config_file)
    assert config.ignore == [] and "'ignore' must be [[ignore]] tables" in config.problems[0]


def test_hide_keeps_stories_out_of_lists_counts_and_search_and_drop_never_stores(
    paths: Paths, store: Store
) -> None:
    _write_config(paths, RULES)
    with serve({"/feed.xml": send(200, _rss(*ITEMS), "application/rss+xml")}) as base:
        store.add_feed(f"{base}/feed.xml")
        assert _refresh(store, paths) == (2, 1, 1)
        assert _titles(store) == {"Harbour bonds rally", "Ferry timetable changes"}
        assert store.count() == 2 and store.counts()["stories"] == 2
        assert store.hidden_count() == 1
        assert {s.title for s in store.search("harbour")} == _titles(store)
        assert store.search("boat") == []
        # The hidden one is stored (once), the dropped one is not: a refresh that sees
        # them again hides nothing new and stores nothing.
        assert _refresh(store, paths) == (0, 0, 1)
        assert store.hidden_count() == 1
        # Without its rule, a hidden story comes back; the dropped one comes as new.
        _write_config(paths, RULES.split("\n\n")[1])
        assert _refresh(store, paths)[:2] == (1, 0)
        assert "SPONSORED: buy a boat" in _titles(store)
        _write_config(paths, "")
        assert _refresh(store, paths) == (1, 0, 0)
        assert len(_titles(store)) == 4 and store.hidden_count() == 0


def test_a_story_hidden_after_it_was_stored_leaves_the_list(paths: Paths, store: Store) -> None:
    with serve({"/feed.xml": send(200, _rss(*ITEMS), "application/rss+xml")}) as base:
        store.add_feed(f"{base}/feed.xml")
        assert _refresh(store, paths) == (4, 0, 0)
        _write_config(paths, '[[ignore]]\ncontent = "(?i)ferries"\n')
        assert _refresh(store, paths) == (0, 1, 0)
        assert "Ferry timetable changes" not in _titles(store) and store.count() == 3


def test_a_story_hidden_and_gone_from_its_feed_comes_back_when_its_rule_goes(
    paths: Paths, store: Store
) -> None:
    documents = {"/feed.xml": _rss(*ITEMS)}

    def route(handler):  # noqa: ANN001, ANN202 - a route
        send(200, documents["/feed.xml"], "application/rss+xml")(handler)

    _write_config(paths, RULES)
    with serve({"/feed.xml": route}) as base:
        store.add_feed(f"{base}/feed.xml")
        _refresh(store, paths)
        documents["/feed.xml"] = _rss(ITEMS[0])  # the feed no longer carries it
        _write_config(paths, "")
        _refresh(store, paths)
        assert "SPONSORED: buy a boat" in _titles(store) and store.hidden_count() == 0


def test_rules_apply_to_their_feed_or_tag_only(paths: Paths, store: Store) -> None:
    routes = {f"/{n}.xml": send(200, _rss(*ITEMS, site=n), "application/rss+xml") for n in "abc"}
    with serve(routes) as base:  # type: ignore[arg-type]
        a, b, c = (f"{base}/{name}.xml" for name in "abc")
        store.add_feed(a)
        store.add_feed(b, tags=["boats"])
        store.add_feed(c, tags=["news"])
        _write_config(
            paths,
            f'[[ignore]]\nfeed = "{a}"\ntitle = "^Harbour"\naction = "drop"\n\n'
            '[[ignore]]\nfeed = "tag:boats"\ntitle = "^Tide"\n\n'
            '[[ignore]]\ntag = "^ne"\ntitle = "^Ferry"\n',
        )
        assert _refresh(store, paths) == (9, 2, 1)
    kept = {
        name: {s.title for s in store.list_stories() if s.url and f"//{name}.test/" in s.url}
        for name in "abc"
    }
    everything = {title for title, _, _ in ITEMS}
    assert kept["a"] == everything - {"Harbour bonds rally"}
    assert kept["b"] == everything - {"Tide tables for December"}
    assert kept["c"] == everything - {"Ferry timetable changes"}
    assert (store.hidden_count(a), store.hidden_count(b), store.hidden_count(c)) == (0, 1, 1)


def test_refresh_counts_ignored_stories_and_names_a_bad_rule(home: Path) -> None:
    with serve({"/feed.xml": send(200, _rss(*ITEMS), "application/rss+xml")}) as base:
        (home / "config").mkdir(parents=True)
        (home / "config" / "config.toml").write_text(
            RULES + '\n[[ignore]]\ntitle = "[z-a]"\naction = "drop"\n'
        )
        assert run_reader(home, "feed", "add", f"{base}/feed.xml").returncode == 0
        result = run_reader(home, "refresh", f"{base}/feed.xml", "--json")
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout)["ignored"] == {"hidden": 0, "dropped": 1}
        problem = result.stderr.strip()
        assert problem.count("\n") == 0
        assert re.search(r"\[\[ignore\]\] 3: title '\[z-a\]' is not a regex \(bad .*range", problem)
        text = run_reader(home, "refresh", f"{base}/feed.xml")
        assert "ignored 0 hidden and 1 dropped" in text.stdout
    listed = json.loads(run_reader(home, "list", "--json").stdout)
    assert {s["title"] for s in listed} == {"Harbour bonds rally", "Ferry timetable changes"}


def test_a_pattern_that_backtracks_without_end_is_stopped_and_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    config_file = tmp_path / "config.toml"
    config_file.write_text('[[ignore]]\ntitle = "(a|aa)+$"\n')
    (rule,) = load_config(config_file).ignore
    started = time.perf_counter()
    with caplog.at_level(logging.WARNING, logger="reader.base.config"):
        assert not rule.matches({"title": "a" * 60 + "b"})  # years, without the timeout
    assert time.perf_counter() - started < 5
    assert "[[ignore]] 1: title '(a|aa)+$' took too long" in caplog.text
    assert rule.matches({"title": "aaaa"})


def test_the_parser_tries_the_rules_where_it_parses(paths: Paths, store: Store) -> None:
    config_file = paths.config_file
    _write_config(paths, RULES)
    rules = load_config(config_file).ignore
    parsed = parse_safely(_rss(*ITEMS), "http://site.test/feed", False, rules, ())
    assert not isinstance(parsed, Failed)
    assert parsed.ignored == [None, 0, 1, None]
    # Four feeds and more are parsed in worker processes: the same stories come through.
    routes = {f"/{n}.xml": send(200, _rss(*ITEMS, site=n), "application/rss+xml") for n in "abcde"}
    with serve(routes) as base:  # type: ignore[arg-type]
        for name in "abcde":
            store.add_feed(f"{base}/{name}.xml")
        assert _refresh(store, paths) == (10, 5, 5)
    assert {s.title for s in store.list_stories()} == {"Harbour bonds rally",
                                                        "Ferry timetable changes"}  # fmt: skip
    assert store.hidden_count() == 5


def test_an_ignored_item_is_never_fetched_in_full(paths: Paths, store: Store) -> None:
    asked: list[str] = []
    page = (
        b"<html><body><article><p>" + b"The whole article. " * 40 + b"</p></article></body></html>"
    )

    def page_route(handler):  # noqa: ANN001, ANN202 - a route
        asked.append(handler.path)
        send(200, page)(handler)

    routes: dict[str, object] = {"/a": page_route, "/b": page_route}
    with serve(routes) as base:  # type: ignore[arg-type]
        feed = (
            '<?xml version="1.0"?><rss version="2.0"><channel><title>Q</title>'
            f"<item><title>Kept</title><link>{base}/a</link><description>a</description></item>"
            f"<item><title>Sponsored</title><link>{base}/b</link><description>b</description>"
            "</item></channel></rss>"
        ).encode()
        routes["/feed.xml"] = send(200, feed, "application/rss+xml")
        store.add_feed(f"{base}/feed.xml")
        _write_config(paths, RULES + "\n[feeds]\nfetch_full_page = true\n")
        assert _refresh(store, paths) == (1, 1, 0)
    assert asked == ["/a"]
    assert [s.title for s in store.list_stories()] == ["Kept"]


def test_hidden_stories_keep_to_max_stories_and_go_with_their_feed(
    paths: Paths, store: Store
) -> None:
    _write_config(paths, '[[ignore]]\ncontent = "harbour"\n\n[feeds]\nmax_stories = 2\n')
    with serve({"/feed.xml": send(200, _rss(*ITEMS), "application/rss+xml")}) as base:
        store.add_feed(f"{base}/feed.xml")
        assert _refresh(store, paths) == (0, 4, 0)
        assert store.hidden_count() == 2
        store.remove_feed(f"{base}/feed.xml")
    assert store.hidden_count() == 0
