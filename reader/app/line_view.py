"""Bases for the app's line-API scroll views (story list, feed list, article,
headlines): ``LineView`` caches its base style; ``CursorLines`` adds a cursor row."""

from __future__ import annotations

from rich.style import Style as RichStyle
from textual import events
from textual.geometry import Region, Size
from textual.reactive import reactive
from textual.scroll_view import ScrollView

from reader.app.messages import PassesOnFailures


class LineView(PassesOnFailures, ScrollView):
    """A ``ScrollView`` that renders line by line and caches its base style.

    ``rich_style`` walks the DOM on every call; a view that draws dozens of lines
    per frame asks for it once per style change instead.
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._cached_base: RichStyle | None = None

    def base_style(self) -> RichStyle:
        """The widget's own (rich) style, cached until its styles change."""
        if self._cached_base is None:
            self._cached_base = self.rich_style
        return self._cached_base

    def notify_style_update(self) -> None:
        self._cached_base = None
        super().notify_style_update()


class CursorLines(LineView):
    """A ``LineView`` of ``row_count`` rows, one of them the cursor's: moved a row, a
    page, to either end; kept in view; the two rows it left and reached repainted."""

    cursor: reactive[int] = reactive(0, always_update=True, repaint=False)

    @property
    def row_count(self) -> int:
        """How many rows the view has."""
        raise NotImplementedError

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(event.size.width, self.row_count)

    def watch_cursor(self, old: int, new: int) -> None:
        self.refresh_line(old - self.scroll_offset.y)
        self.refresh_line(new - self.scroll_offset.y)
        if self.size.height:
            row = Region(0, new, self.size.width, 1)
            self.scroll_to_region(row, animate=False, force=True, immediate=True)

    def action_cursor_down(self) -> None:
        if self.cursor < self.row_count - 1:
            self.cursor += 1

    def action_cursor_up(self) -> None:
        if self.cursor > 0:
            self.cursor -= 1

    def action_cursor_page_down(self) -> None:
        self.cursor = min(self.row_count - 1, self.cursor + max(self.size.height - 1, 1))

    def action_cursor_page_up(self) -> None:
        self.cursor = max(0, self.cursor - max(self.size.height - 1, 1))

    def action_first(self) -> None:
        self.cursor = 0

    def action_last(self) -> None:
        self.cursor = max(self.row_count - 1, 0)
