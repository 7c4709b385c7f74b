"""The article pane: a line-API scroll view over pre-wrapped lines.

Wrapping a story happens in a worker thread; the view only turns the lines on
screen into strips, so a 20,000-word article costs what a short one does to show.
With pictures on (``pictures``), each picture is a block of rows under its
placeholder's line, fetched and drawn in a worker once the story is shown.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from rich.segment import Segment
from textual import events, work
from textual.binding import Binding
from textual.content import Content
from textual.geometry import Size
from textual.message import Message
from textual.selection import Selection
from textual.strip import Strip
from textual.style import Style
from textual.worker import get_current_worker

from reader.app.article_render import STYLE_NAMES, RenderedArticle, render_in_stages
from reader.app.graphics import HalfCells, Painter
from reader.app.line_view import LineView
from reader.app.pictures import (
    Blocks,
    Pictures,
    find_spots,
    picture_size,
)
from reader.base.errors import FetchError, shown_url
from reader.base.models import Story

log = logging.getLogger("reader.app")
FIRST_PAINT_WAIT_S = 0.3
"""How long the rest of a long article waits for its first screen to be painted (a
render in the worker thread would hold the GIL against the paint)."""


def continues(shown: RenderedArticle, rendered: RenderedArticle) -> bool:
    """Whether ``rendered`` is the rest of the same render as ``shown`` (a first stage):
    its lines begin with the very lines shown, at the same width."""
    lines = shown.lines
    return (
        not shown.complete
        and shown.story_id == rendered.story_id
        and shown.width == rendered.width
        and len(rendered.lines) >= len(lines) > 0
        and rendered.lines[0] is lines[0]
        and rendered.lines[len(lines) - 1] is lines[-1]
    )


class ArticleView(LineView, can_focus=True):
    """Shows one story: title, metadata, then the body."""

    BINDINGS = [
        Binding("down,j", "scroll_down", "Down", show=False),
        Binding("up,k", "scroll_up", "Up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("home,g", "scroll_home", "Top", show=False),
        Binding("end,G", "scroll_end", "Bottom", show=False),
    ]

    COMPONENT_CLASSES = {f"article--{name}" for name in STYLE_NAMES}

    DEFAULT_CSS = """
    ArticleView { background: $surface; padding: 0 1; scrollbar-gutter: stable; }
    ArticleView > .article--title { text-style: bold; color: $accent; }
    ArticleView > .article--meta { color: $text-muted; }
    ArticleView > .article--heading { text-style: bold; color: $primary; }
    ArticleView > .article--link { text-style: underline; color: $secondary; }
    ArticleView > .article--quote { color: $text-muted; text-style: italic; }
    ArticleView > .article--code { background: $boost; color: $warning; }
    ArticleView > .article--rule { color: $primary-muted; }
    ArticleView > .article--note { color: $text-muted; }
    ArticleView > .article--match { color: $text; background: $warning 30%; text-style: bold; }
    ArticleView > .article--code-keyword { color: $accent; text-style: bold; }
    ArticleView > .article--code-string { color: $success; }
    ArticleView > .article--code-comment { color: $text-muted; text-style: italic; }
    ArticleView > .article--code-number { color: $secondary; }
    ArticleView > .article--code-name { color: $primary; }
    """

    class Rendered(Message):
        """A story is on screen (its lines are ready and a refresh is queued)."""

        def __init__(self, story_id: str) -> None:
            self.story_id = story_id
            super().__init__()

    def __init__(self, *, id: str | None = None, text_width: int = 0) -> None:
        super().__init__(id=id)
        self.text_width = text_width
        """The longest line in cells (config.toml's ``text_width``); 0: the pane's width."""
        self._rendered_theme: str | None = None
        self.story: Story | None = None
        self.rendered: RenderedArticle | None = None
        self._strips: dict[int, Strip] = {}
        self._placeholder: str | None = None
        self.pictures: Pictures | None = None
        """Set by the app when pictures are on."""
        self.pictures_shown = Blocks()
        """The pictures drawn, each under its placeholder's line."""
        self.painter: Painter = HalfCells()
        """How pictures are drawn (set by the app: half cells, or Kitty's protocol)."""

    @property
    def links(self) -> list[tuple[str, str]]:
        return self.rendered.links if self.rendered else []

    @property
    def plain_lines(self) -> list[str]:
        """The rendered lines as text (for tests and copying)."""
        return [line.plain for line in self.rendered.lines] if self.rendered else []

    def show_message(self, text: str) -> None:
        """Show a note instead of a story (an empty list, a failed load)."""
        self.story = None
        self.rendered = None
        self._placeholder = text
        self._clear_pictures()
        self._strips.clear()
        self.virtual_size = Size(self.size.width, 1)
        self.refresh()

    def show_story(self, story: Story, keep_scroll: bool = False) -> None:
        """Render ``story`` in a worker and show it when ready."""
        self.story = story
        self._wrap_story(story, self._content_width(), self._styles(), keep_scroll)

    def stop_rendering(self) -> None:
        """Another story is coming: the render under way stops at its next section, so
        that the rest of a long article never competes with opening the next one (the
        lines already shown stay)."""
        self.workers.cancel_group(self, "article-render")

    def _content_width(self) -> int:
        width = max(self.scrollable_content_region.width, 20)
        return min(width, max(self.text_width, 20)) if self.text_width else width

    def _styles(self) -> dict[str, Style]:
        return {
            name: self.get_visual_style(f"article--{name}", partial=True) for name in STYLE_NAMES
        }

    # A description of our own: without one, @work builds it from the arguments' reprs
    # (a whole story, a whole rendered article: tens of ms on the UI thread).
    @work(
        thread=True,
        exclusive=True,
        group="article-render",
        exit_on_error=False,
        description="rendering the article",
    )
    def _wrap_story(
        self, story: Story, width: int, styles: dict[str, Style], keep_scroll: bool
    ) -> None:
        worker = get_current_worker()
        screen_lines = max(self.size.height, 24) + 8
        stages = render_in_stages(
            story, width, styles, screen_lines, cancelled=lambda: worker.is_cancelled
        )
        for rendered in stages:
            if worker.is_cancelled:
                return
            painted = threading.Event()
            self.app.call_from_thread(self._show_rendered, rendered, keep_scroll, painted.set)
            keep_scroll = True  # the rest arrives under what is already shown
            if not rendered.complete:  # the rest waits for the first screen to be painted
                painted.wait(FIRST_PAINT_WAIT_S)

    def _show_rendered(
        self, rendered: RenderedArticle, keep_scroll: bool, painted: Callable[[], None]
    ) -> None:
        self.call_after_refresh(painted)
        if self.story is None or rendered.story_id != self.story.id:
            return
        previous = self.rendered
        first = previous is None or previous.story_id != rendered.story_id
        if first or previous is None or previous.width != rendered.width:
            self._clear_pictures()  # a theme's re-wrap keeps them till redrawn
        self.rendered = rendered
        self._placeholder = None
        if keep_scroll and previous is not None and continues(previous, rendered):
            # The rest of the story under the lines shown: those stay as painted, only
            # rows that were past the end are drawn (and the scrollbar, by the layout).
            self._size_to_content()
            start = max(len(previous.lines), self.scroll_offset.y)
            end = self.scroll_offset.y + self.size.height
            if start < end:
                self.refresh_lines(start, end - start)
        else:
            self._strips.clear()
            self._size_to_content()
            if not keep_scroll:
                self.scroll_to(0, 0, animate=False, immediate=True)
            self.refresh()
        if first or not keep_scroll:
            self.post_message(self.Rendered(rendered.story_id))
        if rendered.complete and self.pictures is not None:
            background = self.styles.background.rgb
            self._load_pictures(self.pictures, rendered, self.story.url, background)

    def _clear_pictures(self) -> None:
        self.painter.forget()
        self.pictures_shown = Blocks()

    def _size_to_content(self) -> None:
        rendered = self.rendered
        if rendered is not None:
            rows = len(rendered.lines) + rendered.estimate
            self.virtual_size = Size(rendered.width, rows + self.picture_rows)

    @property
    def picture_rows(self) -> int:
        """Rows the pictures on show take."""
        return self.pictures_shown.rows

    def line_at(self, row: int) -> int:
        """The line of ``rendered.lines`` that row ``row`` of the view shows (for a
        picture's row, the line of its placeholder)."""
        return self.pictures_shown.locate(row)[0]

    def row_of(self, line: int) -> int:
        """The row of the view that shows line ``line`` (pictures above push it down)."""
        return self.pictures_shown.row_of(line)

    @work(
        thread=True,
        exclusive=True,
        group="pictures",
        exit_on_error=False,
        description="the article's pictures",
    )
    def _load_pictures(
        self,
        pictures: Pictures,
        rendered: RenderedArticle,
        base: str | None,
        background: tuple[int, int, int],
    ) -> None:
        """Fetch, decode and draw the story's pictures, from the top; one that can't
        be had keeps its placeholder (and is logged)."""
        spots = find_spots(rendered.lines, rendered.links, base)
        if not spots:
            return
        story_id, width = rendered.story_id, rendered.width
        worker = get_current_worker()
        pictures.begin()
        for spot in spots:
            if worker.is_cancelled:
                return
            try:
                picture = pictures.picture_unless(spot.url, lambda: worker.is_cancelled)
            except FetchError as exc:
                log.info("picture %d %s: %s", spot.number, shown_url(spot.url), exc)
                continue
            if picture is None:  # another story, or the app is closing
                return
            size = picture_size(picture.width, picture.height, width)
            if size is None:
                continue
            rows = self.painter.strips(picture, *size, background)
            self.app.call_from_thread(self._add_picture, story_id, width, spot.line, rows)

    def _add_picture(self, story_id: str, width: int, line: int, rows: list[Strip]) -> None:
        rendered = self.rendered
        if rendered is None or rendered.story_id != story_id or rendered.width != width:
            return
        top = self.line_at(self.scroll_offset.y)
        grown = self.pictures_shown.put(line, rows)
        self._strips.clear()
        self._size_to_content()
        if line < top and grown:  # added above what is on screen: keep the text in place
            self.scroll_to(0, self.scroll_offset.y + grown, animate=False, immediate=True)
        self.refresh()

    def notify_style_update(self) -> None:
        self._strips.clear()
        super().notify_style_update()
        # Span styles are baked into the wrapped lines: a new theme needs a new render.
        if self.is_mounted and self.app.theme != self._rendered_theme:
            self._rendered_theme = self.app.theme
            if self.story is not None:
                self.show_story(self.story, keep_scroll=True)

    def render_line(self, y: int) -> Strip:
        index = self.scroll_offset.y + y
        width = self.scrollable_content_region.width
        base = self.base_style()
        if self.rendered is None:
            if y == 0 and self._placeholder:
                line = Content.styled(self._placeholder, self._styles()["note"])
                return Strip(line.render_segments(self.visual_style)).extend_cell_length(
                    width, base
                )
            return Strip.blank(width, base)
        row = index
        strip = self._strips.get(row)
        if strip is None and self.pictures_shown:  # pictures shift the lines under them
            index, picture = self.pictures_shown.locate(row)
            if picture is not None:
                strip = picture.extend_cell_length(width, base).crop(0, width)
                self._strips[row] = strip
        if strip is None:
            if index >= len(self.rendered.lines):
                return Strip.blank(width, base)
            line = self.rendered.lines[index]
            selection = self.text_selection
            span = selection.get_span(index) if selection is not None else None
            if span is not None:
                start, end = span
                selected = Style.from_styles(self.screen.get_component_styles("screen--selection"))
                line = line.stylize(selected, start, None if end == -1 else end)
            segments = line.render_segments(self.visual_style) or [Segment("", base)]
            strip = Strip(segments).extend_cell_length(width, base).crop(0, width)
            # Offsets tell the screen which character is under the mouse (selection).
            strip = strip.apply_offsets(0, index)
            self._strips[row] = strip
        return strip

    def get_selection(self, selection: Selection) -> tuple[str, str] | None:
        """The article's text under ``selection`` (Textual's copy asks for it)."""
        if self.rendered is None:
            return None
        return selection.extract("\n".join(self.plain_lines)), "\n"

    def selection_updated(self, selection: Selection | None) -> None:
        self._strips.clear()
        self.refresh()

    def on_resize(self, event: events.Resize) -> None:
        if self.story is not None and (
            self.rendered is None or self.rendered.width != self._content_width()
        ):
            self.show_story(self.story, keep_scroll=True)
