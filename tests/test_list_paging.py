"""The story list pages by key (issue 16): G, g, PgDn and PgUp on a few thousand
stories show the right rows; ``reader list`` streams its output."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from reader.app import story_list
from reader.app.app import ReaderApp
from reader.app.story_list import PAGE_SIZE, SIGNPOST_EVERY, StoryList, plan_page
from reader.base.models import Page
from reader.base.paths import Paths, resolve_paths
from reader.store import Store, StoryFilter
from reader.store.rows import content_hash, prepare
from reader.store.stories import STREAM_PAGE

from app_helpers import stories, wait_for, wait_ready

SIZE = 3_000
START = datetime(2025, 1, 1, tzinfo=UTC)


def _fill(paths: Paths, size: int = SIZE) -> list[str]:
    """``size`` stories, three to a minute (ties in the sort key); their titles in list
    order."""
    rows = []
    for n in range(size):
        published = (START + timedelta(minutes=n // 3)).isoformat()
        page = Page(f"Story number {n}", f"Body {n}.", site="Paging", published=published)
        source = f"https://paging.example/{n}"
        rows.append(prepare(source, content_hash(source.encode()), page))
    with Store(paths) as store:
        for start in range(0, size, 1000):
            store.save_rows(rows[start : start + 1000])
        return [story.title for story in store.page_after(StoryFilter(), None, size).stories]


def _shown(story_list: StoryList, index: int) -> str | None:
    """The title of the row at ``index`` if the list holds it and draws it on screen."""
    story = story_list.story_at(index)
    top = story_list.scroll_offset.y
    if story is None or not top <= index < top + story_list.size.height:
        return None
    line = story_list.render_line(index - top).text
    return story.title if story.title in line else None


async def test_g_and_G_and_pages_show_the_right_rows(paths: Paths) -> None:
    titles = _fill(paths)
    app = ReaderApp(paths)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_ready(pilot)
        listed = stories(app)
        assert listed.count == SIZE

        await pilot.press("G")
        await wait_for(pilot, lambda: _shown(listed, SIZE - 1) == titles[-1])
        assert listed.cursor == SIZE - 1
        assert titles[-1] == "Story number 0"  # the oldest, at the bottom
        assert len(listed._rows) <= 2 * PAGE_SIZE  # the bottom page, not the list

        for _ in range(5):  # into the page above: fetched from the key below it
            await pilot.press("pageup")
        at = listed.cursor
        assert at < SIZE // PAGE_SIZE * PAGE_SIZE - PAGE_SIZE // 2
        await wait_for(pilot, lambda: _shown(listed, at) == titles[at])
        _assert_screen(listed, titles)

        await pilot.press("g")
        await wait_for(pilot, lambda: _shown(listed, 0) == titles[0])
        assert listed.cursor == 0

        for _ in range(5):
            await pilot.press("pagedown")
        at = listed.cursor
        assert at > PAGE_SIZE  # past the first page: fetched from the key before it
        await wait_for(pilot, lambda: _shown(listed, at) == titles[at])
        _assert_screen(listed, titles)

        listed.cursor = SIZE // 2  # a jump far from any fetched row (the scrollbar's)
        await wait_for(pilot, lambda: _shown(listed, SIZE // 2) == titles[SIZE // 2])
        await wait_for(pilot, lambda: _shown(listed, listed.scroll_offset.y) is not None)
        _assert_screen(listed, titles)


async def test_a_jump_starts_from_the_nearest_signpost(
    paths: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once a long list's signposts are gathered, a jump to any place skips fewer than
    ``SIGNPOST_EVERY`` index entries, and shows the rows that are there."""
    monkeypatch.setattr(story_list, "SIGNPOSTS_WAIT_S", 0.0)
    titles = _fill(paths)
    app = ReaderApp(paths)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_ready(pilot)
        listed = stories(app)
        await wait_for(pilot, lambda: len(listed._signposts) == SIZE // SIGNPOST_EVERY)
        assert sorted(listed._signposts) == list(range(SIGNPOST_EVERY - 1, SIZE, SIGNPOST_EVERY))
        for target in (SIZE // 2 + 17, SIZE // 3, SIZE - 3 * PAGE_SIZE // 2):
            page = target // PAGE_SIZE
            start, end = page * PAGE_SIZE, min(page * PAGE_SIZE + PAGE_SIZE, SIZE)
            request = plan_page(start, end, SIZE, listed._page_edges())
            assert request.key is not None and request.skip < SIGNPOST_EVERY
            listed.cursor = target
            await wait_for(pilot, lambda t=target: _shown(listed, t) == titles[t])
            _assert_screen(listed, titles)


def _assert_screen(listed: StoryList, titles: list[str]) -> None:
    """Every row on screen that is fetched is the story at that place in the list."""
    top = listed.scroll_offset.y
    shown = [listed.story_at(i) for i in range(top, top + listed.size.height)]
    assert [s.title for s in shown if s] == [
        titles[top + n] for n, s in enumerate(shown) if s and top + n < len(titles)
    ]
    assert sum(s is not None for s in shown) > 10


def test_reader_list_streams_its_rows(tmp_path: Path) -> None:
    """The listing is a generator all the way: its first story comes from one page of
    the index, read before any other (``reader list`` prints it at once); the command
    prints every row, and ``--json`` the same list as a JSON array."""
    home = tmp_path / "home"
    titles = _fill(resolve_paths(home), 20_000)
    with Store(resolve_paths(home)) as store:
        statements: list[str] = []
        store._conn.set_trace_callback(statements.append)
        listing = store.iter_stories(StoryFilter(), with_body=False)
        assert next(listing).title == titles[0]
        pages = [s for s in statements if "FROM stories" in s]  # not the hidden feeds' probe
        assert len(pages) == 1 and f"LIMIT {STREAM_PAGE}" in pages[0], statements
        assert sum(1 for _ in listing) == 20_000 - 1
    command = [sys.executable, "-m", "reader", "--home", str(home), "list"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as process:
        assert process.stdout is not None
        first = process.stdout.readline()
        rest = process.stdout.readlines()
    assert process.returncode == 0
    assert titles[0] in first and len(rest) == 20_000 - 1
    assert titles[-1] in rest[-1]

    out = subprocess.run([*command, "--json"], capture_output=True, text=True, check=True)
    listed = json.loads(out.stdout)
    assert [story["title"] for story in listed] == titles
    empty = tmp_path / "empty"
    with Store(resolve_paths(empty)):
        pass
    none = subprocess.run(
        [sys.executable, "-m", "reader", "--home", str(empty), "list", "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(none.stdout) == []
