"""The feed list in the app, driven with Pilot: groups and counts, Enter shows a feed's
(a tag's, a saved search's) stories, add/remove/rename/retag, refreshing one feed
served from 127.0.0.1, the error of a failed refresh, titles shown literally."""

from __future__ import annotations

from pathlib import Path

from http_server import send, serve
from textual.pilot import Pilot
from textual.widgets import Input, Static

from reader.app.app import ReaderApp
from reader.app.feed_list import FeedListScreen, FeedRows
from reader.app.screens import Confirm, PromptScreen
from reader.base.paths import Paths
from reader.feeds.refresh import refresh
from reader.store import Store

from app_helpers import stories, wait_for, wait_ready
from conftest import FIXTURES

RSS = (FIXTURES / "feeds" / "harbour.rss").read_bytes()


def _feed_file(tmp_path: Path, name: str, title: str) -> Path:
    """A copy of the harbour feed with its own title and items (by their links)."""
    path = tmp_path / f"{name}.rss"
    body = RSS.replace(b"harbour.example", f"{name}.example".encode())
    path.write_bytes(body.replace(b"Harbour &amp; Quay News", title.encode(), 1))
    return path


def _home_with_feeds(paths: Paths, tmp_path: Path) -> tuple[str, str]:
    """Two refreshed feeds: one tagged ``news``, one untagged; and a saved search."""
    paths.ensure()
    paths.config_file.write_text('[[query]]\ntitle = "Night markets"\nquery = "night market"\n')
    tagged = str(_feed_file(tmp_path, "alpha", "Alpha News"))
    plain = str(_feed_file(tmp_path, "beta", "Beta [bold]x[/] Daily"))
    with Store(paths) as store:
        store.add_feed(tagged, tags=["news"])
        store.add_feed(plain)
        refresh(store, store.list_feeds())
    return tagged, plain


async def _open_feeds(pilot: Pilot) -> FeedListScreen:
    await wait_ready(pilot)
    await pilot.press("F")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, FeedListScreen))
    screen = pilot.app.screen
    assert isinstance(screen, FeedListScreen)
    await wait_for(pilot, lambda: screen.loaded)
    return screen


def _lines(rows: FeedRows) -> list[str]:
    return [rows.render_line(y).text.rstrip() for y in range(len(rows.rows))]


def _detail(screen: FeedListScreen) -> str:
    return str(screen.query_one("#feed-detail", Static).render())


def _counts(rows: FeedRows) -> tuple[int | None, int | None] | None:
    """(unread, all) of the highlighted row."""
    row = rows.highlighted
    return None if row is None else (row.unread, row.total)


async def _to_row(pilot: Pilot, rows: FeedRows, label: str) -> None:
    index = next(i for i, row in enumerate(rows.rows) if row.label == label)
    rows.cursor = index
    await pilot.pause()


async def test_groups_counts_and_enter_shows_a_feeds_stories(paths: Paths, tmp_path: Path) -> None:
    tagged, _ = _home_with_feeds(paths, tmp_path)
    app = ReaderApp(paths)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _open_feeds(pilot)
        rows = screen.rows
        await wait_for(pilot, lambda: rows.rows[-1].total is not None)  # the query's counts
        lines = _lines(rows)
        assert [line.split()[0] for line in lines] == [
            "news", "Alpha", "Untagged", "Beta", "Queries", "Night",
        ]  # fmt: skip
        assert lines[0].endswith("3/3") and lines[1].endswith("3/3")
        assert lines[-1].endswith("2/2")  # "night market" in alpha's and beta's items
        assert "2 feeds" in screen.summary
        await _to_row(pilot, rows, "Alpha News")
        assert tagged in _detail(screen) and "tags: news" in _detail(screen)
        await pilot.press("enter")
        await wait_for(pilot, lambda: not isinstance(app.screen, FeedListScreen))
        listing = stories(app)
        await wait_for(pilot, lambda: listing.query_state.filter.feed == tagged)
        await wait_for(pilot, lambda: "Alpha News (3)" in str(listing.border_title))
        assert {listing.story_at(i).site for i in range(3)} == {"Alpha News"}  # type: ignore[union-attr]

        # The saved search: its stories in the list, named by its title.
        await pilot.press("F")
        screen = await _open_feeds(pilot)
        await _to_row(pilot, screen.rows, "Night markets")
        assert "night market" in _detail(screen)
        await pilot.press("enter")
        await wait_for(pilot, lambda: listing.query_state.search == "night market")
        await wait_for(pilot, lambda: "Night markets (2)" in str(listing.border_title))

        # A tag's heading: the tag's stories; Escape comes back without changing the list.
        await pilot.press("F")
        screen = await _open_feeds(pilot)
        await _to_row(pilot, screen.rows, "news")
        await pilot.press("enter")
        await wait_for(pilot, lambda: listing.query_state.filter.tag == "news")
        await pilot.press("F")
        await _open_feeds(pilot)
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, FeedListScreen))
        assert listing.query_state.filter.tag == "news"


async def test_markup_in_a_feed_title_is_shown_literally(paths: Paths, tmp_path: Path) -> None:
    _, plain = _home_with_feeds(paths, tmp_path)
    with Store(paths) as store:
        store.record_error(plain, "[red]HTTP 500[/] from [link=x]server[/]")
    app = ReaderApp(paths)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _open_feeds(pilot)
        lines = _lines(screen.rows)
        beta = next(line for line in lines if "Beta" in line)
        assert "Beta [bold]x[/] Daily" in beta
        assert beta.lstrip().startswith("! ")  # the mark of a failed refresh
        await _to_row(pilot, screen.rows, "Beta [bold]x[/] Daily")
        detail = _detail(screen)
        assert "last refresh failed" in detail
        assert "[red]HTTP 500[/] from [link=x]server[/]" in detail
        assert "1 failed at the last refresh" in screen.summary


async def test_add_rename_retag_remove(paths: Paths, tmp_path: Path) -> None:
    _home_with_feeds(paths, tmp_path)
    served = RSS.replace(b"Harbour &amp; Quay News", b"Served Feed")
    with serve({"/feed.xml": send(200, served, "application/rss+xml")}) as base:
        url = f"{base}/feed.xml"
        app = ReaderApp(paths)
        async with app.run_test(size=(100, 30)) as pilot:
            screen = await _open_feeds(pilot)
            rows = screen.rows
            await pilot.press("a")
            await wait_for(pilot, lambda: isinstance(app.screen, PromptScreen))
            await pilot.press(*url, "enter")
            await wait_for(pilot, lambda: any(r.label == "Served Feed" for r in rows.rows))
            assert rows.highlighted is not None and rows.highlighted.label == "Served Feed"
            await wait_for(pilot, lambda: _counts(rows) == (3, 3))

            # A bad address: a one-line warning, nothing added.
            await pilot.press("a")
            await wait_for(pilot, lambda: isinstance(app.screen, PromptScreen))
            await pilot.press(*f"{base}/missing", "enter")
            await wait_for(pilot, lambda: any("404" in str(n.message) for n in app._notifications))
            assert len(screen.feeds) == 3

            # Rename: kept over the feed's own title at the next refresh.
            await _to_row(pilot, rows, "Served Feed")
            await pilot.press("e")
            await wait_for(pilot, lambda: isinstance(app.screen, PromptScreen))
            app.screen.query_one(Input).value = "My [i]own[/] name"
            await pilot.press("enter")
            await wait_for(pilot, lambda: any(r.label == "My [i]own[/] name" for r in rows.rows))
            await pilot.press("r")
            await wait_for(pilot, lambda: any("My [i]own[/] name: refreshed" in str(n.message)
                                              for n in app._notifications))  # fmt: skip
            await wait_for(pilot, lambda: not screen.activity)
            with Store(paths) as store:
                assert store.get_feed(url).title == "My [i]own[/] name"

            # Retag: the feed moves to its new tags' groups.
            await _to_row(pilot, rows, "My [i]own[/] name")
            await pilot.press("t")
            await wait_for(pilot, lambda: isinstance(app.screen, PromptScreen))
            app.screen.query_one(Input).value = "news, zz-local"
            await pilot.press("enter")
            await wait_for(pilot, lambda: any(r.label == "zz-local" for r in rows.rows))
            groups = [r.tag for r in rows.rows if r.label == "My [i]own[/] name"]
            assert groups == ["news", "zz-local"]

            # Remove, after a yes.
            await _to_row(pilot, rows, "My [i]own[/] name")
            await pilot.press("d")
            await wait_for(pilot, lambda: isinstance(app.screen, Confirm))
            await pilot.press("n")  # no: nothing happens
            await pilot.pause()
            assert any(r.label == "My [i]own[/] name" for r in rows.rows)
            await pilot.press("d")
            await wait_for(pilot, lambda: isinstance(app.screen, Confirm))
            await pilot.press("y")
            await wait_for(pilot, lambda: len(screen.feeds) == 2)
            assert not any(r.label == "zz-local" for r in rows.rows)
            with Store(paths) as store:
                assert url not in {f.url for f in store.list_feeds()}


async def test_refresh_one_feed_and_its_error(paths: Paths, tmp_path: Path) -> None:
    _home_with_feeds(paths, tmp_path)
    routes = {"/feed.xml": send(200, RSS, "application/rss+xml")}
    with serve(routes) as base:
        url = f"{base}/feed.xml"
        with Store(paths) as store:
            store.add_feed(url, "Served")  # subscribed, never refreshed
        app = ReaderApp(paths)
        async with app.run_test(size=(100, 30)) as pilot:
            screen = await _open_feeds(pilot)
            rows = screen.rows
            await _to_row(pilot, rows, "Served")
            assert "not refreshed yet" in _detail(screen)
            assert rows.highlighted is not None and rows.highlighted.total == 0
            await pilot.press("r")
            await wait_for(pilot, lambda: rows.highlighted is not None
                           and rows.highlighted.total == 3)  # fmt: skip
            assert "last refreshed" in _detail(screen)
            await wait_for(pilot, lambda: stories(app).count == 9)  # the list has them too

            routes["/feed.xml"] = send(500, b"down for maintenance")
            await pilot.press("r")
            await wait_for(pilot, lambda: rows.highlighted is not None
                           and rows.highlighted.feed is not None
                           and rows.highlighted.feed.last_error is not None)  # fmt: skip
            assert "last refresh failed" in _detail(screen) and "500" in _detail(screen)
            assert rows.render_line(rows.cursor).text.lstrip().startswith("! ")
            assert any("500" in str(n.message) for n in app._notifications)
            assert rows.highlighted.total == 3  # what was stored stays

            routes["/feed.xml"] = send(200, RSS, "application/rss+xml")
            await pilot.press("r")
            await wait_for(pilot, lambda: rows.highlighted is not None
                           and rows.highlighted.feed is not None
                           and rows.highlighted.feed.last_error is None)  # fmt: skip
            assert "last refreshed" in _detail(screen)


async def test_a_thousand_feeds(paths: Paths) -> None:
    paths.ensure()
    with Store(paths) as store:
        for n in range(1000):
            store.add_feed(f"https://feed{n:04d}.example/rss", f"Feed {n:04d}",
                           tags=[f"tag{n % 20:02d}"])  # fmt: skip
    app = ReaderApp(paths)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _open_feeds(pilot)
        rows = screen.rows
        assert len(rows.rows) == 1020  # 20 headings, 1,000 feeds
        assert "1000 feeds" in screen.summary
        await pilot.press("end")
        assert rows.highlighted is not None and rows.highlighted.label == "Feed 0999"
        assert rows.render_line(rows.size.height - 1).text.strip().startswith("Feed 0999")


async def test_the_palette_opens_the_feed_list(paths: Paths, tmp_path: Path) -> None:
    _home_with_feeds(paths, tmp_path)
    app = ReaderApp(paths)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_ready(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause(0.2)
        await pilot.press(*"Show feeds")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, FeedListScreen))


async def test_remove_with_sync_tells_the_server_and_says_when_it_cannot(
    paths: Paths, tmp_path: Path
) -> None:
    # [sync] names a "Google Reader server" on 127.0.0.1 that refuses every call (404, and
    # 501 for a POST): the feed goes here, and a warning says the server did not follow.
    tagged, _ = _home_with_feeds(paths, tmp_path)
    with serve({}) as base:
        config = paths.config_file.read_text()
        paths.config_file.write_text(
            f'[sync]\nservice = "greader"\nurl = "{base}/api/greader.php"\nuser = "alice"\n'
            f'password_file = "{tmp_path / "pw"}"\n\n' + config
        )
        (tmp_path / "pw").write_text("secret\n")
        app = ReaderApp(paths)
        async with app.run_test(size=(100, 30)) as pilot:
            screen = await _open_feeds(pilot)
            rows = screen.rows
            await _to_row(pilot, rows, "Alpha News")
            await pilot.press("d")
            await wait_for(pilot, lambda: isinstance(app.screen, Confirm))
            await pilot.press("y")
            await wait_for(pilot, lambda: len(screen.feeds) == 1)
            await wait_for(
                pilot,
                lambda: any("unsubscribed here only" in str(n.message) for n in app._notifications),
            )
            assert "secret" not in " ".join(str(n.message) for n in app._notifications)
        with Store(paths) as store:
            assert tagged not in {f.url for f in store.list_feeds()}
