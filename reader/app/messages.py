"""Messages between the app's parts that are not one widget's own."""

from __future__ import annotations

from textual.dom import DOMNode
from textual.message import Message
from textual.worker import Worker, WorkerState

from reader.base.models import Story


class StoriesChanged(Message):
    """Stored stories changed: the reading screen brings its panes up to date.

    ``stories``: stories whose marks (read, bookmarked) changed, as now stored.
    ``listing``: the list's rows may have changed (every story marked read, a
    bookmark in the bookmarks view): the list and the story shown are read again.
    ``new``: stories were added or updated (an ingest, a refresh): the cache-wide
    ranking is out of date too. The counts are read again in every case.
    """

    def __init__(
        self, stories: tuple[Story, ...] = (), *, listing: bool = False, new: bool = False
    ) -> None:
        self.stories = stories
        self.listing = listing or new
        self.new = new
        super().__init__()


class RefreshProgress(Message):
    """A feed refresh (running on the jobs thread) finished ``done`` of ``total`` feeds."""

    def __init__(self, done: int, total: int) -> None:
        self.done = done
        self.total = total
        super().__init__()


class PassesOnFailures:
    """For a screen or widget that starts workers: their failures go to the app.

    Textual sends a worker's state changes only to the node that started it (they
    do not bubble), so a failure is posted on to the app, whose
    ``on_worker_state_changed`` is the one place that reports it.
    """

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:
            assert isinstance(self, DOMNode)
            self.app.post_message(event)
