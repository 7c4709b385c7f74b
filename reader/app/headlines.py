"""The related and ranking panes: short lists of headlines that open stories.

A headline that resolves to a cached story opens it; one that doesn't is shown
dim, and choosing it searches the cache for its words. Titles are page text: they
become ``Content`` (never parsed as markup). A line-API widget, so replacing the
headlines repaints the pane without a layout pass.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.segment import Segment
from textual import events
from textual.binding import Binding
from textual.content import Content
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.strip import Strip

from reader.app.line_view import LineView
from reader.base.clean import clean_line
from reader.base.models import Headline


@dataclass
class _Entry:
    text: str
    headline: Headline | None  # None for a section heading or the "empty" note
    first_line: int = field(default=0, compare=False)  # where it is wrapped to
    lines: int = field(default=1, compare=False)


class HeadlineList(LineView, can_focus=True):
    """Headlines under optional section headings; Enter or a click follows one."""

    BINDINGS = [
        Binding("down,j", "cursor_down", "Down", show=False),
        Binding("up,k", "cursor_up", "Up", show=False),
        Binding("home,g", "first", "First", show=False),
        Binding("end,G", "last", "Last", show=False),
        Binding("enter", "follow", "Open", id="follow"),
    ]

    COMPONENT_CLASSES = {
        "headline-list--cursor",
        "headline-list--heading",
        "headline-list--unresolved",
        "headline-list--note",
    }

    DEFAULT_CSS = """
    HeadlineList { background: $surface; padding: 0 1; scrollbar-gutter: stable; }
    HeadlineList > .headline-list--cursor { background: $block-cursor-blurred-background; }
    HeadlineList:focus > .headline-list--cursor {
        background: $block-cursor-background; color: $block-cursor-foreground;
    }
    HeadlineList > .headline-list--heading { color: $primary; text-style: bold; }
    HeadlineList > .headline-list--unresolved { color: $text-muted; text-style: italic; }
    HeadlineList > .headline-list--note { color: $text-muted; text-style: italic; }
    """

    cursor: reactive[int | None] = reactive(None, repaint=False)
    """Index (into the selectable headlines) of the highlighted one."""

    class Followed(Message):
        """The user chose a headline."""

        def __init__(self, headline: Headline) -> None:
            self.headline = headline
            super().__init__()

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._entries: list[_Entry] = []
        self._selectable: list[int] = []  # entry indexes of headlines
        self._lines: list[tuple[int, Content]] = []  # (entry index, wrapped line)
        self._width = 0

    @property
    def headlines(self) -> list[Headline]:
        return [self._entries[i].headline for i in self._selectable]  # type: ignore[misc]

    def set_sections(self, sections: list[tuple[str | None, list[Headline]]], empty: str) -> None:
        """Show ``(heading, headlines)`` sections; ``empty`` when there are none."""
        entries: list[_Entry] = []
        for heading, headlines in sections:
            if not headlines:
                continue
            if heading:
                entries.append(_Entry(heading, None))
            entries += [_Entry(clean_line(h.title), h) for h in headlines]
        if not entries:
            entries.append(_Entry(empty, None))
        if entries == self._entries:  # the same lines (the ranking of every page): no
            return  # re-wrap, no layout, and the cursor stays where it is
        self._entries = entries
        self._selectable = [i for i, e in enumerate(entries) if e.headline is not None]
        self._wrap()
        self.cursor = 0 if self._selectable else None
        self.scroll_to(0, 0, animate=False, immediate=True)

    def _wrap(self) -> None:
        width = max(self.scrollable_content_region.width, 10)
        self._width = width
        self._lines = []
        for index, entry in enumerate(self._entries):
            entry.first_line = len(self._lines)
            wrapped = Content(entry.text).wrap(width - 2) or [Content("")]
            if entry.headline is None:
                leads = ["", ""]
            else:  # • opens a cached story, ○ searches for one that isn't cached
                leads = ["• " if entry.headline.article_id else "○ ", "  "]
            self._lines += [
                (index, Content(leads[n > 0] + line.plain)) for n, line in enumerate(wrapped)
            ]
            entry.lines = len(wrapped)
        self.virtual_size = Size(width, len(self._lines))
        self.refresh()

    def on_resize(self, event: events.Resize) -> None:
        if self.scrollable_content_region.width != self._width and self._entries:
            self._wrap()

    def render_line(self, y: int) -> Strip:
        index = self.scroll_offset.y + y
        width = self.scrollable_content_region.width
        base = self.base_style()
        if index >= len(self._lines):
            return Strip.blank(width, base)
        entry_index, line = self._lines[index]
        entry = self._entries[entry_index]
        if entry.headline is None:
            name = "heading" if self._selectable else "note"
            style = self.get_component_rich_style(f"headline-list--{name}")
        elif entry.headline.article_id is None:
            style = self.get_component_rich_style("headline-list--unresolved")
        else:
            style = base
        fill = base
        if self.cursor is not None and self._selectable[self.cursor] == entry_index:
            cursor_style = self.get_component_rich_style("headline-list--cursor")
            style, fill = style + cursor_style, base + cursor_style
        strip = Strip([Segment(line.plain, style)])
        return strip.extend_cell_length(width, fill).crop(0, width)

    def watch_cursor(self, old: int | None, new: int | None) -> None:
        self.refresh()
        if new is not None and self._selectable and self.size.height:
            entry = self._entries[self._selectable[new]]
            region = Region(0, entry.first_line, self._width, entry.lines)
            self.scroll_to_region(region, animate=False, force=True, immediate=True)

    def action_cursor_down(self) -> None:
        if self.cursor is not None and self.cursor < len(self._selectable) - 1:
            self.cursor += 1

    def action_cursor_up(self) -> None:
        if self.cursor is not None and self.cursor > 0:
            self.cursor -= 1

    def action_first(self) -> None:
        if self._selectable:
            self.cursor = 0

    def action_last(self) -> None:
        if self._selectable:
            self.cursor = len(self._selectable) - 1

    @property
    def highlighted(self) -> Headline | None:
        """The headline under the cursor, if any."""
        if self.cursor is None or not 0 <= self.cursor < len(self._selectable):
            return None
        return self._entries[self._selectable[self.cursor]].headline

    def action_follow(self) -> None:
        if self.cursor is not None:
            headline = self._entries[self._selectable[self.cursor]].headline
            assert headline is not None
            self.post_message(self.Followed(headline))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        line = self.scroll_offset.y + offset.y
        if 0 <= line < len(self._lines):
            entry_index = self._lines[line][0]
            if entry_index in self._selectable:
                self.cursor = self._selectable.index(entry_index)
                self.action_follow()
