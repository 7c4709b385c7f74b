"""What opening a story costs the UI thread: the article's workers, a staged render's
rest, the side panes' lists (bench/bench_app.py measures the time itself)."""

from __future__ import annotations

import asyncio

import pytest
from textual.app import App, ComposeResult
from textual.style import Style

from reader.app import side
from reader.app.app import ReaderApp
from reader.app.article import ArticleView, continues
from reader.app.article_render import STYLE_NAMES, render_in_stages
from reader.app.headlines import HeadlineList
from reader.base.models import Headline, Page, Story
from reader.base.paths import Paths
from reader.store import Store, story_id

from app_helpers import article, showing, stories, wait_for, wait_ready, wait_settled

STYLES = {name: Style() for name in STYLE_NAMES}
PARAGRAPH = "A paragraph with *emphasis* and a [link](https://a.example/{n}) number {n}."


def long_story(story_id: str = "long", paragraphs: int = 3_000) -> Story:
    body = "\n\n".join(PARAGRAPH.format(n=n) for n in range(paragraphs))
    return Story(id=story_id, title="Long", source="test", body=body)


class ArticleApp(App[None]):
    def compose(self) -> ComposeResult:
        yield ArticleView(id="article")


class HeadlinesApp(App[None]):
    def compose(self) -> ComposeResult:
        yield HeadlineList(id="ranking")


def test_the_rest_of_a_render_continues_its_first_stage_only() -> None:
    story = long_story(paragraphs=600)
    first, rest = render_in_stages(story, 60, STYLES, 40)
    again, _ = render_in_stages(story, 60, STYLES, 40)  # another render: other lines
    assert continues(first, rest)
    assert not continues(again, rest)
    assert not continues(rest, rest)  # a complete render has no rest
    (wider, _) = render_in_stages(story, 70, STYLES, 40)
    assert not continues(wider, rest)


async def test_the_render_worker_is_not_described_by_the_story() -> None:
    """@work describes a worker by its arguments' reprs unless told otherwise: for a
    story, its whole body, on the UI thread."""
    app = ArticleApp()
    async with app.run_test(size=(100, 30)) as pilot:
        view = app.query_one(ArticleView)
        view.show_story(long_story())
        descriptions = [w.description for w in app.workers if w.group == "article-render"]
        assert descriptions == ["rendering the article"]
        await wait_for(pilot, lambda: view.rendered is not None and view.rendered.complete)


async def test_stopping_the_render_keeps_the_first_screen_and_showing_again_ends_it() -> None:
    app = ArticleApp()
    async with app.run_test(size=(100, 30)) as pilot:
        view = app.query_one(ArticleView)
        story = long_story(paragraphs=1_000)  # its whole render: well under a second
        view.show_story(story)
        while view.rendered is None:  # (not wait_for: it lets the app run on after)
            await asyncio.sleep(0.001)
        assert not view.rendered.complete
        view.stop_rendering()  # the first screen is shown; the rest is under way
        await pilot.pause(2.5)
        assert view.rendered is not None and not view.rendered.complete
        assert view.plain_lines[0] == "Long"
        view.show_story(story, keep_scroll=True)
        await wait_for(pilot, lambda: view.rendered is not None and view.rendered.complete)
        assert view.plain_lines[-1].endswith("number 999.")


async def test_the_rest_of_an_article_leaves_the_lines_on_screen_as_painted() -> None:
    app = ArticleApp()
    async with app.run_test(size=(100, 30)) as pilot:
        view = app.query_one(ArticleView)
        view.show_story(long_story())
        while view.rendered is None:
            await asyncio.sleep(0.001)
        assert not view.rendered.complete  # the first stage, painted in the next frame
        await pilot.pause()
        painted = [view.render_line(y) for y in range(view.size.height)]
        await wait_for(pilot, lambda: view.rendered is not None and view.rendered.complete)
        # the same strips, not drawn again, and the scrollbar sized to the whole story
        assert all(view.render_line(y) is painted[y] for y in range(view.size.height))
        assert view.virtual_size.height == len(view.rendered.lines)


async def test_the_same_headlines_again_keep_the_cursor_and_new_ones_reset_it() -> None:
    app = HeadlinesApp()
    async with app.run_test(size=(60, 20)) as pilot:
        ranking = app.query_one(HeadlineList)
        top = [Headline(f"Story {n}", None, f"id{n}") for n in range(5)]
        ranking.set_sections([(None, top)], empty="")
        ranking.cursor = 3
        ranking.set_sections([(None, list(top))], empty="")  # another story, same ranking
        await pilot.pause()
        assert ranking.cursor == 3
        ranking.set_sections([(None, top[:4])], empty="")
        await pilot.pause()
        assert ranking.cursor == 0
        assert [h.title for h in ranking.headlines] == ["Story 0", "Story 1", "Story 2", "Story 3"]


async def test_stories_opened_in_a_row_end_with_the_last_ones_side_panes_and_marks(
    paths: Paths,
) -> None:
    """Each n stops the side panes' search for the story it leaves; the story it stays
    on gets its similar stories all the same, and every story opened is marked read."""
    app = ReaderApp(paths)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_ready(pilot)
        await pilot.press("n", "n", "n")
        await wait_for(
            pilot, lambda: stories(app).cursor == 3 and article(app).rendered is not None
        )
        await wait_settled(pilot)
        reading = app.reading
        assert reading.story is not None and reading.side.story is not None
        assert reading.side.story.id == reading.story.id == stories(app).story_at(3).id
        with Store(paths) as store:
            similar = store.similar(reading.story.id)
        shown = {h.article_id for h in reading.side.related.headlines}
        assert similar and {h.article_id for h in similar} <= shown
        await wait_for(pilot, lambda: reading.counts_line.startswith("14 stories · 11 unread"))
        assert stories(app).story_at(3).read


async def test_a_story_that_is_gone_leaves_the_one_shown(
    paths: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(side, "SIMILAR_REST_S", 1.5)  # still waiting when n is pressed
    app = ReaderApp(paths)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_ready(pilot)
        with Store(paths) as store:  # a story with no lists of its own: only similar ones
            page = Page(title="Why the Brackenford tram line matters", body="Text.")
            store.save_pages([("plain", "h", page)])
        app.reading.open_story(story_id("plain"))
        await wait_for(pilot, lambda: showing(app, page.title))
        shown = app.reading.story
        app.reading.open_story("no-such-story")  # the similar search is still waiting
        notes = app._notifications
        await wait_for(pilot, lambda: any("no longer" in str(n.message) for n in notes))
        await wait_settled(pilot)
        assert shown is not None and app.reading.story is shown and showing(app, page.title)
        assert article(app).rendered is not None and article(app).rendered.complete
        with Store(paths) as store:  # the search called off for the next story ran again
            similar = store.similar(shown.id)
        shown_ids = {h.article_id for h in app.reading.side.related.headlines}
        assert similar and {h.article_id for h in similar} <= shown_ids
