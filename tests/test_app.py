"""The reading app, driven with Pilot: every key, history, bookmarks, themes, safety."""

from __future__ import annotations

import json
import random
import webbrowser
from pathlib import Path

import pytest

from reader.app.app import ReaderApp
from reader.app.headlines import HeadlineList
from reader.app.screens import Confirm, ConfirmOpen, HelpScreen, PickScreen, PromptScreen
from reader.base.models import Page
from reader.base.paths import Paths
from reader.ingest.pipeline import ingest_items
from reader.store import Store, StoryFilter, story_id

from app_helpers import article, showing, stories, wait_for, wait_ready
from conftest import run_reader

NEWEST = "Early Heatwave Expected Across Fenwick Coast as Forecasters Issue Amber Warning"
SECOND = "“We Ran on Heart”: Underdog Rowers From Linmouth Take Regatta Silver"
THIRD = "Dunmore Rovers Clinch Title With Last-Minute Header in Rain-Soaked Final"


def make_app(paths: Paths) -> ReaderApp:
    return ReaderApp(paths)


async def test_empty_home_loads_the_demo_and_says_so(paths: Paths) -> None:
    app = make_app(paths)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_ready(pilot)
        assert app.startup.demo_loaded == 14
        assert any("demo stories" in str(n.message) for n in app._notifications)
        assert showing(app, NEWEST)
        assert app.reading.counts_line == "14 stories · 14 unread · 0 bookmarked"
        assert not app.reading.story.read  # showing the first story is not opening it


async def test_move_and_open_marks_read(paths: Paths) -> None:
    app = make_app(paths)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_ready(pilot)
        await pilot.press("j", "j", "k", "down")
        assert stories(app).cursor == 2
        await pilot.press("enter")
        await wait_for(pilot, lambda: showing(app, THIRD))
        assert app.reading.story.read
        await wait_for(pilot, lambda: app.reading.counts_line.startswith("14 stories · 13 unread"))
        await pilot.press("up")
        assert stories(app).cursor == 1


async def test_next_and_previous_story(paths: Paths) -> None:
    app = make_app(paths)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_ready(pilot)
        await pilot.press("n")
        await wait_for(pilot, lambda: showing(app, SECOND))
        await pilot.press("n")
        await wait_for(pilot, lambda: showing(app, THIRD))
        await pilot.press("p")
        await wait_for(pilot, lambda: showing(app, SECOND))
        assert stories(app).cursor == 1


async def test_space_pages_the_article_and_tab_moves_between_panes(paths: Paths) -> None:
    app = make_app(paths)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_ready(pilot)
        assert article(app).scroll_offset.y == 0
        await pilot.press("space")
        await pilot.pause()
        assert article(app).scroll_offset.y > 10
        assert app.focused is stories(app)
        order = []
        for _ in range(4):
            await pilot.press("tab")
            order.append(app.focused.id if app.focused else None)
        assert order == ["article", "related", "ranking", "stories"]
        await pilot.press("shift+tab")
        assert app.focused.id == "ranking"


async def test_related_headline_opens_its_story_and_backspace_goes_back(paths: Paths) -> None:
    app = make_app(paths)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_ready(pilot)
        related = app.reading.side.related
        first = related.headlines[0]
        assert first.article_id is not None
        related.focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: showing(app, first.title))
        assert app.reading.history.behind == [story_id("demo:06-fenwick-coast-heatwave.txt")]
        ranking = app.reading.side.ranking
        ranking.focus()
        target = ranking.headlines[0]
        await pilot.press("enter")
        await wait_for(pilot, lambda: showing(app, target.title))
        await pilot.press("backspace")
        await wait_for(pilot, lambda: showing(app, first.title))
        await pilot.press("backspace")
        await wait_for(pilot, lambda: showing(app, NEWEST))
        assert app.reading.history.behind == []


async def test_clicking_rows_and_headlines(paths: Paths) -> None:
    app = make_app(paths)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_ready(pilot)
        await pilot.click("#stories", offset=(10, 3))  # border row + third story
        await wait_for(pilot, lambda: showing(app, THIRD))
        related = app.reading.side.related
        target = related.headlines[0]
        await pilot.click("#related", offset=(5, 1))
        await wait_for(pilot, lambda: showing(app, target.title))


async def test_unresolved_headline_searches_the_cache(paths: Paths) -> None:
    app = make_app(paths)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_ready(pilot)
        await pilot.press("n", "n", "n")  # Veltrane Bank: lists one story not in the demo
        await wait_for(
            pilot, lambda: app.reading.story is not None and "Veltrane" in app.reading.story.title
        )
        related = app.reading.side.related
        missing = [h for h in related.headlines if h.article_id is None]
        ranking = app.reading.side.ranking
        missing += [h for h in ranking.headlines if h.article_id is None]
        assert missing, "the demo page lists one story that is not cached"
        app.reading.on_headline_list_followed(HeadlineList.Followed(missing[0]))
        await wait_for(pilot, lambda: stories(app).query_state.search == missing[0].title)


async def test_bookmark_round_trips_to_the_command_line(paths: Paths, home: Path) -> None:
    app = make_app(paths)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_ready(pilot)
        await pilot.press("n")
        await wait_for(pilot, lambda: showing(app, SECOND))
        await pilot.press("b")
        await wait_for(pilot, lambda: app.reading.story.bookmarked)
        await wait_for(pilot, lambda: "1 bookmarked" in app.reading.counts_line)
        assert any("★ bookmarked" in line for line in article(app).plain_lines)
        await pilot.press("B")
        await wait_for(pilot, lambda: stories(app).query_state.filter.bookmarked)
        await wait_for(pilot, lambda: stories(app).count == 1)
        assert str(stories(app).border_title).startswith("Bookmarks (1)")
        await pilot.press("B")
        await wait_for(pilot, lambda: stories(app).count == 14)
    listed = json.loads(run_reader(home, "list", "--bookmarked", "--json").stdout)
    assert [s["title"] for s in listed] == [SECOND]
    run_reader(home, "unbookmark", listed[0]["id"])
    app = make_app(paths)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_ready(pilot)
        await pilot.press("B")
        await wait_for(pilot, lambda: stories(app).query_state.filter.bookmarked)
        await wait_for(pilot, lambda: "Bookmarks (0)" in str(stories(app).border_title))


async def test_u_toggles_read_and_f_filters_unread(paths: Paths) -> None:
    app = make_app(paths)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_ready(pilot)
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.reading.story.read)
        await pilot.press("u")
        await wait_for(pilot, lambda: not app.reading.story.read)
        await pilot.press("u")
        await wait_for(pilot, lambda: app.reading.story.read)
        await pilot.press("f")
        await wait_for(pilot, lambda: stories(app).query_state.filter.unread)
        await wait_for(pilot, lambda: stories(app).count == 13)
        await pilot.press("escape")
        await wait_for(pilot, lambda: stories(app).count == 14)


async def test_search_lists_results_to_open(paths: Paths) -> None:
    app = make_app(paths)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_ready(pilot)
        await pilot.press("slash")
        assert isinstance(app.screen, PromptScreen)
        await pilot.press(*"sleeper train", "enter")
        await wait_for(pilot, lambda: stories(app).query_state.search == "sleeper train")
        await wait_for(pilot, lambda: stories(app).count >= 1)
        first = stories(app).story_at(0)
        assert first is not None and "Sleeper Train" in first.title
        await pilot.press("enter")
        await wait_for(pilot, lambda: showing(app, first.title))
        # The article says where the search matched, the words highlighted as spans.
        await wait_for(pilot, lambda: app.reading.story.snippet is not None)
        snippet = app.reading.story.snippet
        assert snippet is not None and snippet.matches
        await wait_for(
            pilot,
            lambda: any(line.startswith("match: ") for line in app.reading.article.plain_lines),
        )
        match_text = [snippet.text[a:b].lower() for a, b in snippet.matches]
        assert set(match_text) <= {"sleeper", "train", "trains"}


def _story_with_url(paths: Paths, title: str, body: str, url: str | None) -> None:
    with Store(paths) as store:
        store.save_pages([("test:" + title, "h", Page(title=title, body=body, url=url))])


async def test_open_url_asks_first_and_uses_webbrowser(
    paths: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []
    monkeypatch.setattr(webbrowser, "open", lambda url: opened.append(url) or True)
    _story_with_url(
        paths,
        "Linked story",
        "See [the report](https://example.org/report).",
        "https://example.org/a",
    )
    app = make_app(paths)
    copied: list[str] = []
    monkeypatch.setattr(app, "copy_to_clipboard", copied.append)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_ready(pilot)
        await pilot.press("o")
        assert isinstance(app.screen, ConfirmOpen)
        await pilot.press("n")
        assert opened == []
        await pilot.press("o", "y")
        await wait_for(pilot, lambda: opened == ["https://example.org/a"])
        await pilot.press("y")
        assert copied == ["https://example.org/a"]
        await pilot.press("L")
        assert isinstance(app.screen, PickScreen)
        await pilot.press("enter")
        assert isinstance(app.screen, ConfirmOpen)
        await pilot.press("y")
        await wait_for(pilot, lambda: opened[-1] == "https://example.org/report")


async def test_story_without_url_says_so(paths: Paths) -> None:
    app = make_app(paths)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_ready(pilot)
        await pilot.press("o")
        assert not isinstance(app.screen, ConfirmOpen)
        assert any("no web address" in str(n.message) for n in app._notifications)


async def test_theme_cycles_and_is_remembered(paths: Paths) -> None:
    app = make_app(paths)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_ready(pilot)
        assert app.theme == "reader-dark"
        await pilot.press("t")
        chosen = app.theme
        assert chosen != "reader-dark" and chosen in app.reader_theme_names
        await wait_for(pilot, lambda: paths.config_file.exists())
    assert f'theme = "{chosen}"' in paths.config_file.read_text()
    again = make_app(paths)
    async with again.run_test(size=(160, 48)) as pilot:
        await wait_ready(pilot)
        assert again.theme == chosen


async def test_at_least_four_shipped_themes_and_a_broken_user_theme(paths: Paths) -> None:
    paths.user_themes_dir.mkdir(parents=True)
    (paths.user_themes_dir / "mine.toml").write_text('name = "mine"\nprimary = "#336699"\n')
    (paths.user_themes_dir / "broken.toml").write_text('name = "broken"\nprimary = "nope"\n')
    app = make_app(paths)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_ready(pilot)
        assert len([n for n in app.reader_theme_names if n != "mine"]) >= 4
        assert "mine" in app.available_themes
        messages = [str(n.message) for n in app._notifications]
        assert any("broken.toml" in m and "not a colour" in m for m in messages)


async def test_help_lists_every_key_and_keys_can_be_rebound(paths: Paths) -> None:
    paths.ensure()
    paths.config_file.write_text('[keys]\nnext_story = "x"\n')
    app = make_app(paths)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_ready(pilot)
        await pilot.press("x")
        await wait_for(pilot, lambda: showing(app, SECOND))
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = "\n".join(f"{k} {t} {i}" for k, t, i in app.screen.rows)
        actions = "next_story previous_story toggle_bookmark bookmarks search toggle_read"
        for action in (actions + " open_url copy_url cycle_theme back quit help").split():
            assert action in text
        assert any(k == "x" and i == "next_story" for k, _, i in app.screen.rows)
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_command_palette_has_the_apps_commands(paths: Paths) -> None:
    app = make_app(paths)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_ready(pilot)
        await pilot.press("ctrl+p")
        await pilot.press(*"bookmarks")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_for(pilot, lambda: stories(app).query_state.filter.bookmarked)
        await pilot.press("ctrl+p")
        await pilot.press(*"filter by site harbour")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_for(pilot, lambda: stories(app).query_state.filter.site == "Harbour Ledger")
        await wait_for(pilot, lambda: stories(app).count == 4)


async def test_ranking_toggles_between_page_and_cache_wide(paths: Paths) -> None:
    app = make_app(paths)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_ready(pilot)
        ranking = app.reading.side.ranking
        own = [h.title for h in app.reading.story.ranking]
        # The side panes fill from a watcher, after the story is shown: wait for it.
        await wait_for(pilot, lambda: [h.title for h in ranking.headlines] == own)
        await pilot.press("R")
        await wait_for(pilot, lambda: bool(app.reading.side.cache_ranking))
        await wait_for(pilot, lambda: [h.title for h in ranking.headlines] != own)
        top = ranking.headlines[0]
        assert (
            app.reading.side.cache_ranking
            and top.title == app.reading.side.cache_ranking.headlines[0].title
            and top.article_id is not None
        )
        assert "across the cache" in str(ranking.border_title)


async def test_without_ranking_lists_top_stories_are_those_most_sources_carry(
    paths: Paths,
) -> None:
    with Store(paths) as store:  # feed items only: no page brought a ranking list
        store.save_pages(
            [
                (f"{site}/{n}", "h", Page(title=title, body="Text.", site=site))
                for n, (site, title) in enumerate(
                    [
                        ("Harbour Daily", "Ferry collision closes Brackenford harbour bridge"),
                        ("Quay Times", "Brackenford harbour bridge closed after ferry collision"),
                        ("River Post", "Ferry collision: Brackenford bridge stays closed"),
                        ("River Post", "Bakery wins regional bread prize"),
                    ]
                )
            ]
        )
    app = make_app(paths)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_ready(pilot)
        ranking = app.reading.side.ranking
        await wait_for(pilot, lambda: bool(ranking.headlines))
        assert [h.title for h in ranking.headlines][:2] == [
            "Ferry collision: Brackenford bridge stays closed · 3 sources",
            "Bakery wins regional bread prize",
        ]
        assert "across the cache" in str(ranking.border_title)
        ranking.focus()
        ranking.cursor = 0
        await pilot.press("w")  # why it ranks there
        await wait_for(pilot, lambda: bool(app._notifications))
        assert any("carried by 3 sources" in str(n.message) for n in app._notifications)


async def test_A_marks_every_story_in_the_list_read_after_asking(paths: Paths) -> None:
    app = make_app(paths)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_ready(pilot)
        await pilot.press("A")
        await wait_for(pilot, lambda: isinstance(app.screen, Confirm))
        await pilot.press("n")  # no: nothing changes
        await wait_for(pilot, lambda: not isinstance(app.screen, Confirm))
        with Store(paths) as store:
            assert store.count(StoryFilter(unread=True)) == 14
        await pilot.press("A")
        await wait_for(pilot, lambda: isinstance(app.screen, Confirm))
        await pilot.press("y")
        await wait_for(pilot, lambda: app.reading.counts_line.startswith("14 stories · 0 unread"))
        with Store(paths) as store:
            assert store.count(StoryFilter(unread=True)) == 0
        assert app.reading.story is not None and app.reading.story.read


async def test_s_picks_a_site_and_the_list_shows_its_stories(paths: Paths) -> None:
    app = make_app(paths)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_ready(pilot)
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, PickScreen))
        labels = [label for label, _ in app.screen.choices]
        assert labels[0] == "All stories" and len(labels) > 2
        site = app.screen.choices[1][1].removeprefix("site:")  # the demo has no tags
        with Store(paths) as store:
            n, unread = next((n, u) for name, n, u in store.sites() if name == site)
        # the unread counts come after the list: then its label says them
        await wait_for(pilot, lambda: app.screen.choices[1][0] == f"{site}  ({unread}/{n})")
        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: stories(app).query_state.filter.site == site)
        with Store(paths) as store:
            expected = store.count(StoryFilter(site=site))
        await wait_for(pilot, lambda: stories(app).count == expected)
        assert 0 < expected < 14


async def test_s_picks_a_feed_tag(paths: Paths, tmp_path: Path) -> None:
    from conftest import FIXTURES

    feed = tmp_path / "harbour.rss"
    feed.write_bytes((FIXTURES / "feeds" / "harbour.rss").read_bytes())
    with Store(paths) as store:
        store.add_feed(str(feed), tags=["port news"])
    app = make_app(paths)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_ready(pilot)
        app.action_refresh_feeds()
        await wait_for(pilot, lambda: stories(app).count == 17, timeout=20)
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, PickScreen))
        assert app.screen.choices[1] == ("#port news  (3/3)", "tag:port news")
        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: stories(app).count == 3)
        assert "#port news" in str(stories(app).border_title)


async def test_page_text_is_never_markup_or_escape_sequences(paths: Paths) -> None:
    raw = (
        "Current:Home > News[bold red]ALERT[/] -Site[@click=app.quit]\n"
        "[bold red]ALERT[/]\nDate:2030-01-01\n"
        "Click [@click=app.quit]here[/] or \x1b]52;c;aGk=\x07\x1b[2Jnothing.\n"
        "Related\n- [link=https://evil.example]bait[/link]\n"
    )
    with Store(paths) as store:
        ingest_items(store, [("evil", raw.encode())])
    app = make_app(paths)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_ready(pilot)
        assert app.reading.story.title == "[bold red]ALERT[/]"
        lines = article(app).plain_lines
        assert lines[0] == "[bold red]ALERT[/]"
        assert "Click [@click=app.quit]here[/] or nothing." in lines
        assert not any("\x1b" in line for line in lines)
        related = app.reading.side.related
        assert related.headlines[0].title == "[link=https://evil.example]bait[/link]"
        await pilot.click("#article", offset=(8, 5))
        await pilot.pause()
        assert app.is_running  # the [@click] in the page did nothing


async def test_narrow_screen_swaps_list_for_related_and_ranking(paths: Paths) -> None:
    app = make_app(paths)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_ready(pilot)
        side = app.reading.query_one("#side")
        assert not side.display or side.region.width == 0
        assert stories(app).region.width > 0 and article(app).region.width > 0
        await pilot.press("l")
        await pilot.pause()
        assert side.region.width > 0 and stories(app).region.width == 0
        await pilot.press("l")
        await pilot.pause()
        assert stories(app).region.width > 0


async def test_q_quits(paths: Paths) -> None:
    app = make_app(paths)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_ready(pilot)
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running


async def test_ingest_a_path_from_the_palette(paths: Paths) -> None:
    from conftest import PAGES

    app = make_app(paths)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_ready(pilot)
        await pilot.press("ctrl+p")
        await pilot.press(*"ingest a path")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, PromptScreen))
        app.screen.query_one("#prompt-input").value = str(PAGES)
        await pilot.press("enter")
        await wait_for(pilot, lambda: stories(app).count == 16, timeout=20)
        await wait_for(pilot, lambda: app.reading.counts_line.startswith("16 stories"))
        assert any("ingested 2" in str(n.message) for n in app._notifications)


async def test_ingesting_html_pages_in_the_app_uses_worker_processes(
    paths: Paths, tmp_path: Path
) -> None:
    words = "ferry timetable changes june pier harbour tide crew ticket route dock".split()
    for n in range(8):  # eight HTML pages or more are parsed by worker processes
        text = " ".join(random.Random(n).choices(words, k=200))  # eight stories, not copies
        (tmp_path / f"page-{n}.html").write_text(
            f"<html><head><title>Quay notice {n}</title></head><body><article>"
            f"<h1>Quay notice {n}</h1><p>{text}.</p></article></body></html>"
        )
    app = make_app(paths)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_ready(pilot)
        app.start_ingest(str(tmp_path))
        await wait_for(pilot, lambda: stories(app).count == 22, timeout=30)
        assert any("ingested 8" in str(n.message) for n in app._notifications)
        assert app.return_code is None


async def test_unreadable_cache_closes_with_a_message_and_keeps_the_file(paths: Paths) -> None:
    paths.ensure()
    paths.cache_db.write_bytes(b"not a database at all" * 50)
    app = make_app(paths)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: app.return_code is not None)
    assert app.return_code == 1
    assert paths.cache_db.read_bytes().startswith(b"not a database")


async def test_r_refreshes_feeds_and_the_list_updates(paths: Paths, tmp_path: Path) -> None:
    from conftest import FIXTURES

    rss = (FIXTURES / "feeds" / "harbour.rss").read_bytes()
    app = make_app(paths)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_ready(pilot)
        with Store(paths) as store:  # four feeds or more are parsed by worker processes
            for n in range(4):
                feed = tmp_path / f"harbour-{n}.rss"
                feed.write_bytes(rss.replace(b"harbour.example", b"harbour-%d.example" % n))
                store.add_feed(str(feed))
        await pilot.press("r")
        await wait_for(pilot, lambda: stories(app).count == 26, timeout=30)
        await wait_for(pilot, lambda: app.reading.counts_line.startswith("26 stories"))
        assert any("12 new" in str(n.message) for n in app._notifications)
        assert app.return_code is None


async def test_feeds_with_a_refresh_interval_refresh_themselves(
    paths: Paths, tmp_path: Path
) -> None:
    from conftest import FIXTURES

    paths.ensure()
    paths.config_file.write_text("[feeds]\nrefresh_interval = 30\n")
    rss = (FIXTURES / "feeds" / "harbour.rss").read_bytes()
    fresh, due = tmp_path / "fresh.rss", tmp_path / "due.rss"
    fresh.write_bytes(rss.replace(b"harbour.example", b"fresh.example"))
    due.write_bytes(rss.replace(b"harbour.example", b"due.example"))
    with Store(paths) as store:
        store.add_feed(str(fresh))
        store.add_feed(str(due))
        store.record_refreshes([(str(fresh), "Fresh", None, None)])  # refreshed just now
    app = make_app(paths)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_ready(pilot)
        app.refresh_due_feeds()  # what the app's one-minute timer calls
        await wait_for(pilot, lambda: stories(app).count == 17, timeout=20)  # 14 + due's 3
        await wait_for(pilot, lambda: not app.refreshing)
        with Store(paths) as store:
            counts = {f.url: f.stories for f in store.list_feeds()}
        assert counts == {str(fresh): 0, str(due): 3}


async def test_story_without_lists_shows_similar_stories(paths: Paths) -> None:
    app = make_app(paths)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_ready(pilot)
        with Store(paths) as store:
            store.save_pages(
                [("plain", "h", Page(title="Why the Brackenford tram line matters", body="Text."))]
            )
        app.reading.open_story(story_id("plain"))
        related = app.reading.side.related
        # Until the similar stories arrive the pane still shows the previous story's list.
        await wait_for(
            pilot, lambda: "similar" in str(related.border_title) and bool(related.headlines)
        )
        assert "Brackenford" in related.headlines[0].title
