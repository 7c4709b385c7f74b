"""Snapshots of the app's screens and states (pytest-textual-snapshot), by behaviour.

Update after an intended change of look: ``pytest tests/test_snapshots.py --snapshot-update``.
"""

from __future__ import annotations

import sqlite3

import pytest
from textual.pilot import Pilot

from reader.app.app import ReaderApp
from reader.app.screens import HelpScreen, PickScreen
from reader.base.paths import Paths
from reader.store import Store, StoryFilter

from app_helpers import showing, stories, wait_for, wait_ready, wait_settled

SECOND = "“We Ran on Heart”: Underdog Rowers From Linmouth Take Regatta Silver"


async def _ready(pilot: Pilot) -> None:
    await wait_ready(pilot)
    await wait_settled(pilot)
    pilot.app.clear_notifications()
    await pilot.pause()


async def _settled(pilot: Pilot) -> None:
    """No notices, and nothing left to draw."""
    pilot.app.clear_notifications()
    await pilot.pause()


def _app(pilot: Pilot) -> ReaderApp:
    assert isinstance(pilot.app, ReaderApp)
    return pilot.app


# -- layout: all four panes, the narrow screen and its swap ------------------------------


def test_main_screen_160x48(snap_compare, paths: Paths) -> None:
    assert snap_compare(ReaderApp(paths), terminal_size=(160, 48), run_before=_ready)


def test_main_screen_80x24(snap_compare, paths: Paths) -> None:
    assert snap_compare(ReaderApp(paths), terminal_size=(80, 24), run_before=_ready)


def test_narrow_screen_shows_related_and_ranking_after_l(snap_compare, paths: Paths) -> None:
    async def lists(pilot: Pilot) -> None:
        await _ready(pilot)
        await pilot.press("l")
        await wait_for(pilot, lambda: _app(pilot).reading.side.related.region.width > 0)
        await _settled(pilot)

    assert snap_compare(ReaderApp(paths), terminal_size=(80, 24), run_before=lists)


# -- what the list shows: a search's results, a site picked, bookmarks --------------------


def test_search_results(snap_compare, paths: Paths) -> None:
    async def searched(pilot: Pilot) -> None:
        app = _app(pilot)
        await _ready(pilot)
        await pilot.press("slash", *"harbour", "enter")
        await wait_for(pilot, lambda: stories(app).query_state.search == "harbour")
        await wait_for(pilot, lambda: "Search: harbour" in str(stories(app).border_title))
        await _settled(pilot)

    assert snap_compare(ReaderApp(paths), terminal_size=(160, 48), run_before=searched)


def test_site_picker(snap_compare, paths: Paths) -> None:
    async def picking(pilot: Pilot) -> None:
        await _ready(pilot)
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, PickScreen))
        await _settled(pilot)

    assert snap_compare(ReaderApp(paths), terminal_size=(100, 40), run_before=picking)


def test_bookmarks_view(snap_compare, paths: Paths) -> None:
    async def bookmarked(pilot: Pilot) -> None:
        app = _app(pilot)
        await _ready(pilot)
        await pilot.press("n")
        await wait_for(pilot, lambda: showing(app, SECOND))
        await pilot.press("b")
        await wait_for(
            pilot, lambda: app.reading.story is not None and app.reading.story.bookmarked
        )
        await pilot.press("B")
        await wait_for(pilot, lambda: stories(app).query_state.filter.bookmarked)
        await wait_for(pilot, lambda: "Bookmarks (1)" in str(stories(app).border_title))
        await _settled(pilot)

    assert snap_compare(ReaderApp(paths), terminal_size=(160, 48), run_before=bookmarked)


# -- notices: a failed worker ---------------------------------------------------------------


def test_error_notice(snap_compare, paths: Paths, monkeypatch: pytest.MonkeyPatch) -> None:
    def locked(*args: object, **kwargs: object) -> None:
        raise sqlite3.OperationalError("database is locked")

    async def failed(pilot: Pilot) -> None:
        app = _app(pilot)
        await _ready(pilot)
        monkeypatch.setattr(Store, "set_read", locked)
        await pilot.press("u")
        await wait_for(pilot, lambda: bool(app._notifications))
        await pilot.pause(0.5)  # the toast has arrived

    assert snap_compare(ReaderApp(paths), terminal_size=(120, 30), run_before=failed)


# -- help --------------------------------------------------------------------------------


def test_help_screen(snap_compare, paths: Paths) -> None:
    async def help_open(pilot: Pilot) -> None:
        await _ready(pilot)
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, HelpScreen))

    assert snap_compare(ReaderApp(paths), terminal_size=(100, 40), run_before=help_open)


# -- the article: a table and a highlighted code block -------------------------------------


def test_article_with_a_table_and_code(snap_compare, paths: Paths) -> None:
    from reader.ingest.htmlpage import parse_html

    from conftest import FIXTURES

    url = "https://quay-times.example/tech/2025/tide-tables.html"
    html = (FIXTURES / "html" / "fidelity-tables.html").read_text(encoding="utf-8")
    with Store(paths) as store:
        store.save_pages([(url, "tables", parse_html(html, url))])

    assert snap_compare(ReaderApp(paths), terminal_size=(160, 48), run_before=_ready)


# -- the feed list: groups, counts, a failed refresh, saved searches -----------------------


def test_feed_list(snap_compare, paths: Paths, tmp_path) -> None:  # noqa: ANN001 - a fixture
    from reader.app.feed_list import FeedListScreen
    from reader.feeds.refresh import refresh

    from conftest import FIXTURES

    rss = (FIXTURES / "feeds" / "harbour.rss").read_bytes()
    paths.ensure()
    paths.config_file.write_text(
        '[[query]]\ntitle = "Night markets"\nquery = "night market"\n\n'
        '[[query]]\ntitle = "Unread news"\nquery = "tag:news is:unread"\n'
    )
    with Store(paths) as store:
        for name, title, tags in [
            ("alpha", "Alpha News", ["news"]),
            ("beta", "Beta [bold]x[/] Daily", ["news", "local"]),
            ("gamma", "Gamma Weekly", []),
        ]:
            path = tmp_path / f"{name}.rss"
            path.write_bytes(
                rss.replace(b"harbour.example", f"{name}.example".encode()).replace(
                    b"Harbour &amp; Quay News", title.encode(), 1
                )
            )
            store.add_feed(str(path), tags=tags)
        refresh(store, store.list_feeds())
        store.add_feed("https://down.example/feed", "Down Feed")
        store.record_error("https://down.example/feed", "HTTP 503")
        beta = str(tmp_path / "beta.rss")  # its newest story read (the feeds refresh at once:
        store.set_read(store.list_stories(StoryFilter(feed=beta))[0].id, True)  # any order)

    async def feeds(pilot: Pilot) -> None:
        await wait_ready(pilot)
        await pilot.press("F")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, FeedListScreen))
        screen = pilot.app.screen
        assert isinstance(screen, FeedListScreen)
        await wait_for(pilot, lambda: screen.loaded and screen.rows.rows[-1].total is not None)
        await _settled(pilot)

    assert snap_compare(ReaderApp(paths), terminal_size=(100, 30), run_before=feeds)


# -- the article: inline code, a code block, an image, CJK text; reading mode -------------

MIXED_BODY = """\
The harbour office prints its tables with `tide --today`; the script is short:

```python
for day in tides:
    print(day.date, day.high_water)  # metres above chart datum
```

![The quay at high water](https://quay.example/quay.png)

横浜港の潮位表は毎朝更新されます。「満潮」と「干潮」の時刻は、港湾事務所のウェブサイトで\
確認できます。観測所のデータ（速報値）は十分ごとに公開され、船舶の入出港に利用されています。\
ちょっとした変化も、すぐに分かります！

港口的潮汐表每天早上更新，“高潮”和“低潮”的时间可以在网站上查看。观测站的数据（速报值）\
每十分钟公布一次。
"""


def _mixed_story(paths: Paths) -> None:
    """An undated story (so the newest, shown first) with every kind of body part."""
    from reader.base.models import Page

    page = Page(title="Tide tables, in code and in Japanese", site="Quay Times", body=MIXED_BODY)
    with Store(paths) as store:
        store.save_pages([("https://quay-times.example/tides-ja.html", "mixed", page)])


def test_article_with_inline_code_a_code_block_an_image_and_cjk(snap_compare, paths: Paths) -> None:
    _mixed_story(paths)
    assert snap_compare(ReaderApp(paths), terminal_size=(160, 48), run_before=_ready)


def test_reading_mode_120x40(snap_compare, paths: Paths) -> None:
    _mixed_story(paths)

    async def wide(pilot: Pilot) -> None:
        app = _app(pilot)
        await _ready(pilot)
        await pilot.press("z")
        await wait_for(pilot, lambda: app.reading.article.region.width == 120)
        await wait_for(pilot, lambda: app.reading.article.rendered.width > 100)
        await _settled(pilot)

    assert snap_compare(ReaderApp(paths), terminal_size=(120, 40), run_before=wide)
