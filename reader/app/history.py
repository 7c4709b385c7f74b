"""The stories you came through, for Backspace: back (and forward) like a browser."""

from __future__ import annotations

from collections import deque

MAX_HISTORY = 256
"""Stories remembered; the oldest are forgotten first."""


class History:
    """Story ids visited in order, and where in them the reader is now.

    ``visit`` records a story opened by moving on (a link, the list); ``back`` and
    ``forward`` step through what was recorded without recording anything.
    """

    def __init__(self, maxlen: int = MAX_HISTORY) -> None:
        self._visited: deque[str] = deque(maxlen=maxlen)
        self._current = -1

    @property
    def current(self) -> str | None:
        """The id of the story being read, if any was visited."""
        return self._visited[self._current] if self._current >= 0 else None

    @property
    def behind(self) -> list[str]:
        """The ids ``back`` would step through, oldest first."""
        return list(self._visited)[: max(self._current, 0)]

    @property
    def ahead(self) -> list[str]:
        """The ids ``forward`` would step through, nearest first."""
        return list(self._visited)[self._current + 1 :]

    def visit(self, story_id: str) -> None:
        """Record ``story_id`` as the story now read; what lay ahead is dropped."""
        if story_id == self.current:
            return
        while len(self._visited) > self._current + 1:
            self._visited.pop()
        self._visited.append(story_id)  # a full deque forgets its oldest
        self._current = len(self._visited) - 1

    def back(self) -> str | None:
        """Step back: the story to show, or None when there is nothing behind."""
        if self._current <= 0:
            return None
        self._current -= 1
        return self._visited[self._current]

    def forward(self) -> str | None:
        """Step forward again: the story to show, or None at the newest."""
        if self._current + 1 >= len(self._visited):
            return None
        self._current += 1
        return self._visited[self._current]
