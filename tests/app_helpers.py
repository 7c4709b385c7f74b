"""Helpers for driving the app with Pilot."""

from __future__ import annotations

import time
from collections.abc import Callable

from textual.pilot import Pilot

from reader.app.app import ReaderApp
from reader.app.article import ArticleView
from reader.app.story_list import StoryList


async def wait_for(pilot: Pilot, condition: Callable[[], bool], timeout: float = 10.0) -> None:
    """Let the app run until ``condition()`` holds (workers finish asynchronously)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the app")
        await pilot.pause(0.02)
    await pilot.pause()


def article(app: ReaderApp) -> ArticleView:
    return app.reading.article


def stories(app: ReaderApp) -> StoryList:
    return app.reading.stories


def showing(app: ReaderApp, title: str) -> bool:
    """True when the article pane shows ``title``'s story, rendered."""
    view = article(app)
    story = app.reading.story
    return (
        story is not None
        and story.title == title
        and view.rendered is not None
        and view.rendered.story_id == story.id
    )


async def wait_ready(pilot: Pilot) -> None:
    """Wait for the first story to be shown after startup."""
    app = pilot.app
    assert isinstance(app, ReaderApp)
    await wait_for(
        pilot,
        lambda: (
            app.reading.story is not None
            and article(app).rendered is not None
            and stories(app).count > 0
            and bool(app.reading.counts_line)
        ),
    )


SETTLING_WORK = ("index", "similar", "cache-ranking", "counts", "reload-marks", "list-page")
"""Workers whose results change what the panes show after the first story."""


async def wait_settled(pilot: Pilot) -> None:
    """Wait until the background work that fills the panes after start-up is done (the
    stories indexed and analysed, similar stories and the ranking found)."""
    app = pilot.app
    await wait_for(
        pilot,
        lambda: (
            not any(worker.group in SETTLING_WORK and worker.is_running for worker in app.workers)
        ),
    )
    await pilot.pause()
