"""What opening a story costs the UI thread: the article's workers, a staged render's
rest, the side panes' lists (bench/bench_app.py measures the time itself)."""

from __future__ import annotations

import asyncio

from textual.app import App, ComposeResult
from textual.style import Style

from reader.app.article import ArticleView, continues
from reader.app.article_render import STYLE_NAMES, render_in_stages
from reader.app.headlines import HeadlineList
from reader.base.models import Headline, Story

from app_helpers import wait_for

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
