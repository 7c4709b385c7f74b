"""Snapshots of the main screens (pytest-textual-snapshot).

Update after an intended change of look: ``pytest tests/test_snapshots.py --snapshot-update``.
"""

from __future__ import annotations

from textual.pilot import Pilot

from reader.app.app import ReaderApp
from reader.app.screens import HelpScreen
from reader.base.paths import Paths

from app_helpers import showing, stories, wait_for, wait_ready

SECOND = "“We Ran on Heart”: Underdog Rowers From Linmouth Take Regatta Silver"


async def _ready(pilot: Pilot) -> None:
    await wait_ready(pilot)
    pilot.app.clear_notifications()
    await pilot.pause()


def test_main_screen_160x48(snap_compare, paths: Paths) -> None:
    assert snap_compare(ReaderApp(paths), terminal_size=(160, 48), run_before=_ready)


def test_main_screen_80x24(snap_compare, paths: Paths) -> None:
    assert snap_compare(ReaderApp(paths), terminal_size=(80, 24), run_before=_ready)


def test_bookmarks_view(snap_compare, paths: Paths) -> None:
    async def bookmarked(pilot: Pilot) -> None:
        app = pilot.app
        assert isinstance(app, ReaderApp)
        await _ready(pilot)
        await pilot.press("n")
        await wait_for(pilot, lambda: showing(app, SECOND))
        await pilot.press("b")
        await wait_for(pilot, lambda: app.story is not None and app.story.bookmarked)
        await pilot.press("B")
        await wait_for(pilot, lambda: stories(app).query_state.filter.bookmarked)
        await wait_for(pilot, lambda: "Bookmarks (1)" in str(stories(app).border_title))
        app.clear_notifications()
        await pilot.pause()

    assert snap_compare(ReaderApp(paths), terminal_size=(160, 48), run_before=bookmarked)


def test_help_screen(snap_compare, paths: Paths) -> None:
    async def help_open(pilot: Pilot) -> None:
        await _ready(pilot)
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, HelpScreen))

    assert snap_compare(ReaderApp(paths), terminal_size=(100, 40), run_before=help_open)
