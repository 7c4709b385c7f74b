"""The story list: a virtual list that pages rows from the store.

It never holds a widget per story nor the whole cache: it knows the count, and
fetches pages of rows around what is on screen from the store thread, at most
``MAX_CACHED_PAGES`` kept. Rows are addressed by position (for the scrollbar) and
fetched by key (keyset pages, ``Store.page_after``/``page_before``) from the nearest
row whose key is known, the top or the bottom (``plan_page``): ``g``, ``G``, PgDn
and PgUp skip nothing. For a jump of the scrollbar far from any fetched row, a long
list's signposts (the key of every ``SIGNPOST_EVERY``-th row, ``Store.signposts``)
are gathered in the background after it is shown, a slice at a time: a jump then
skips at most that many index entries (an unread list's cost a read-mark lookup each,
about 0.8 s for 100,000 without them).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style as RichStyle
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.strip import Strip

from reader.app.dates import short_date
from reader.app.line_view import CursorLines
from reader.app.store_thread import StoreThread
from reader.base.clean import clean_line
from reader.base.models import Story
from reader.store import ListedPage, ListKey, Store, StoryFilter

PAGE_SIZE = 100
MAX_CACHED_PAGES = 30
SEARCH_LIMIT = 500
SIGNPOST_EVERY = 250
"""Rows between two signposts: a jump skips at most this many index entries."""
SIGNPOSTS_A_CALL = 80
"""Signposts gathered a store call (20,000 index entries: a short call, so that the
background thread's other work waits little)."""
SIGNPOSTS_FROM = 4 * SIGNPOST_EVERY
"""A list shorter than this gets no signposts: its ends are near enough."""
SIGNPOSTS_WAIT_S = 1.0
"""How long after a list is shown its signposts start (the screen is painted first)."""
SIGNPOSTS_PAUSE_S = 0.05
"""A pause between two slices: the gathering leaves the CPU to the keys pressed."""
DATE_WITH_YEAR = 64
"""Rows at least this wide show the year (``2025-06-03``), narrower ones ``06/03``."""
SITE_ROOM = 40
"""Cells left for the title from which a row shows the site too (a third of them)."""


@dataclass(frozen=True)
class ListQuery:
    """What the list shows: a filtered listing, or the results of a search."""

    filter: StoryFilter = StoryFilter()
    search: str | None = None
    any_words: bool = False
    """A search for a headline: stories with any of its telling words, best first."""
    title: str | None = None
    """The list's name when it has one (a feed's, a saved search's): its label."""

    @property
    def label(self) -> str:
        if self.title is not None:
            return self.title
        if self.search is not None:
            return f"Search: {self.search}"
        if self.filter.bookmarked:
            return "Bookmarks"
        parts = ["Unread" if self.filter.unread else "All stories"]
        if self.filter.site:
            parts.append(self.filter.site)
        if self.filter.tag:
            parts.append(f"#{self.filter.tag}")
        return " · ".join(parts)


def _fetch_count(store: Store, query: ListQuery, grouped: bool) -> tuple[int, list[Story] | None]:
    if query.search is not None:
        results = store.search(
            query.search, limit=SEARCH_LIMIT, any_words=query.any_words, grouped=grouped
        )
        return len(results), results
    return store.count(replace(query.filter, grouped=grouped)), None


@dataclass(frozen=True)
class PageRequest:
    """How to fetch a page of a listing: ``limit`` rows from a known key (None: the
    top, or the bottom when ``backward``), past the ``skip`` rows nearest to it."""

    key: ListKey | None
    backward: bool
    limit: int
    skip: int


def _fetch_page(store: Store, query: ListQuery, request: PageRequest, grouped: bool) -> ListedPage:
    flt = replace(query.filter, grouped=grouped)
    if request.backward:
        return store.page_before(flt, request.key, request.limit, request.skip)
    return store.page_after(flt, request.key, request.limit, request.skip)


def _fetch_signposts(
    store: Store, query: ListQuery, after: ListKey | None, grouped: bool
) -> list[ListKey]:
    flt = replace(query.filter, grouped=grouped)
    return store.signposts(flt, after, SIGNPOST_EVERY, SIGNPOSTS_A_CALL)


def plan_page(start: int, end: int, count: int, keys: dict[int, ListKey]) -> PageRequest:
    """The cheapest way to fetch rows ``start`` to ``end`` (exclusive) of ``count``:
    from the nearest row whose key is known (``keys``: position -> key), the top or
    the bottom, so that the store skips as few index entries as it can. ``G`` is the
    bottom page, PgDn the rows after the last one fetched: nothing skipped."""
    best = PageRequest(None, False, end - start, start)  # from the top
    if count - end < best.skip:  # from the bottom
        best = PageRequest(None, True, end - start, count - end)
    for position, key in keys.items():
        if position < start and start - position - 1 < best.skip:
            best = PageRequest(key, False, end - start, start - position - 1)
        elif position >= end and position - end < best.skip:
            best = PageRequest(key, True, end - start, position - end)
    return best


class StoryList(CursorLines, can_focus=True):
    """Newest-first stories; Enter or a click opens one."""

    BINDINGS = [
        Binding("down,j", "cursor_down", "Down", show=False, id="cursor_down"),
        Binding("up,k", "cursor_up", "Up", show=False, id="cursor_up"),
        Binding("pagedown", "cursor_page_down", "Page down", show=False),
        Binding("pageup", "cursor_page_up", "Page up", show=False),
        Binding("home,g", "first", "First", show=False, id="first"),
        Binding("end,G", "last", "Last", show=False, id="last"),
        Binding("enter", "open", "Open", id="open"),
    ]

    COMPONENT_CLASSES = {
        "story-list--cursor",
        "story-list--unread",
        "story-list--read",
        "story-list--date",
        "story-list--undated",
        "story-list--site",
        "story-list--mark",
        "story-list--placeholder",
    }

    DEFAULT_CSS = """
    StoryList { background: $surface; }
    StoryList > .story-list--cursor { background: $block-cursor-blurred-background; }
    StoryList:focus > .story-list--cursor {
        background: $block-cursor-background; color: $block-cursor-foreground;
    }
    StoryList > .story-list--unread { text-style: bold; color: $foreground; }
    StoryList > .story-list--read { color: $foreground-muted; }
    StoryList > .story-list--date { color: $text-muted; }
    StoryList > .story-list--undated { color: $text-disabled; text-style: italic; }
    StoryList > .story-list--site { color: $secondary; }
    StoryList > .story-list--mark { color: $accent; text-style: bold; }
    StoryList > .story-list--placeholder { color: $text-disabled; }
    """

    class Opened(Message):
        """The user opened the story at ``index``."""

        def __init__(self, story: Story, index: int) -> None:
            self.story = story
            self.index = index
            super().__init__()

    class Loaded(Message):
        """A new query's count arrived (the list shows ``count`` rows)."""

        def __init__(self, count: int) -> None:
            self.count = count
            super().__init__()

    def __init__(
        self,
        store: StoreThread,
        *,
        background: StoreThread | None = None,
        grouped: bool = True,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.store = store
        self.background = background
        """Where the signposts are gathered (None: a list without them)."""
        self.grouped = grouped
        """One row per story however many sites carry it (``collapse_copies``)."""
        self.query_state = ListQuery()
        self.count = 0
        self._rows: dict[int, Story] = {}
        self._keys: dict[int, ListKey] = {}
        """Each cached row's place in the listing: where the next page starts."""
        self._pages: list[int] = []  # cached pages, oldest first
        self._signposts: dict[int, ListKey] = {}
        """Position -> key of every ``SIGNPOST_EVERY``-th row, gathered so far."""
        self._loading: set[int] = set()
        self._generation = 0
        self._open_when_loaded: int | None = None

    # -- data --------------------------------------------------------------------------

    def show(self, query: ListQuery, keep_cursor: bool = False) -> None:
        """Show ``query``'s stories (fetched in a worker)."""
        self.query_state = query
        self._generation += 1
        self.run_worker(
            self._load(query, self._generation, keep_cursor), group="list-load", exit_on_error=False
        )

    def search_result_ids(self) -> list[str] | None:
        """The ids of every story a search list shows (None for a listing)."""
        if self.query_state.search is None:
            return None
        return [story.id for story in self._rows.values()]

    def reload(self) -> None:
        """Fetch the same query again (after ingest or a change of marks)."""
        self.show(self.query_state, keep_cursor=True)

    async def _load(self, query: ListQuery, generation: int, keep_cursor: bool) -> None:
        count, results = await self.store.call(_fetch_count, query, self.grouped)
        first = None
        if results is None:
            top = PageRequest(None, False, PAGE_SIZE, 0)
            first = await self.store.call(_fetch_page, query, top, self.grouped)
        if generation != self._generation:
            return
        self.count = count
        self._rows.clear()
        self._keys.clear()
        self._pages.clear()
        self._loading.clear()
        self._signposts.clear()
        if results is not None:
            self._rows.update(enumerate(results))
        elif first is not None:
            self._remember_page(0, first)
        self.virtual_size = Size(self.size.width, count)
        self.cursor = min(self.cursor, max(count - 1, 0)) if keep_cursor else 0
        if not keep_cursor:
            self.scroll_to(y=0, animate=False)
        self.refresh()
        self.post_message(self.Loaded(count))
        if results is None and count >= SIGNPOSTS_FROM and self.background is not None:
            self.run_worker(
                self._gather_signposts(query, generation),
                group="list-signposts",
                exclusive=True,
                exit_on_error=False,
            )

    async def _gather_signposts(self, query: ListQuery, generation: int) -> None:
        """Gather the signposts of the list shown, a slice a call, until the list ends
        or another is shown."""
        assert self.background is not None
        await asyncio.sleep(SIGNPOSTS_WAIT_S)
        after: ListKey | None = None
        position = -1
        while generation == self._generation:
            keys = await self.background.call(_fetch_signposts, query, after, self.grouped)
            if generation != self._generation:
                return
            for key in keys:
                position += SIGNPOST_EVERY
                self._signposts[position] = key
            if len(keys) < SIGNPOSTS_A_CALL:
                return
            after = keys[-1]
            await asyncio.sleep(SIGNPOSTS_PAUSE_S)

    def _remember_page(self, page: int, listed: ListedPage) -> None:
        """Keep a page's rows and keys; past ``MAX_CACHED_PAGES`` the page fetched
        longest ago goes (memory stays bounded, however far the list is browsed)."""
        base = page * PAGE_SIZE
        for offset, (story, key) in enumerate(zip(listed.stories, listed.keys, strict=True)):
            self._rows[base + offset] = story
            self._keys[base + offset] = key
        self._pages.append(page)
        while len(self._pages) > MAX_CACHED_PAGES:
            old = self._pages.pop(0)
            for index in range(old * PAGE_SIZE, (old + 1) * PAGE_SIZE):
                self._rows.pop(index, None)
                self._keys.pop(index, None)

    def _page_edges(self) -> dict[int, ListKey]:
        """The keys of the first and last row of every cached page, and the signposts."""
        edges = dict(self._signposts)
        for page in self._pages:
            for index in (page * PAGE_SIZE, min((page + 1) * PAGE_SIZE, self.count) - 1):
                if (key := self._keys.get(index)) is not None:
                    edges[index] = key
        return edges

    def _request_page(self, page: int) -> None:
        if page in self._loading or self.query_state.search is not None:
            return
        start = page * PAGE_SIZE
        end = min(start + PAGE_SIZE, self.count)
        if start >= end:
            return
        self._loading.add(page)
        request = plan_page(start, end, self.count, self._page_edges())
        self.run_worker(
            self._fetch(page, request, self._generation), group="list-page", exit_on_error=False
        )

    async def _fetch(self, page: int, request: PageRequest, generation: int) -> None:
        listed = await self.store.call(_fetch_page, self.query_state, request, self.grouped)
        if generation != self._generation:
            return
        self._loading.discard(page)
        self._remember_page(page, listed)
        self.refresh()
        if self._open_when_loaded is not None and self._open_when_loaded in self._rows:
            index, self._open_when_loaded = self._open_when_loaded, None
            self.post_message(self.Opened(self._rows[index], index))

    def story_at(self, index: int) -> Story | None:
        """The cached row at ``index`` (None while it is being fetched)."""
        return self._rows.get(index)

    def update_story(self, story: Story) -> None:
        """Refresh the marks of a row that is on screen (after read/bookmark changes)."""
        for index, row in self._rows.items():
            if row.id == story.id:
                row.read, row.bookmarked = story.read, story.bookmarked
                self.refresh_line(index - self.scroll_offset.y)

    def index_of(self, story_id: str) -> int | None:
        for index, row in self._rows.items():
            if row.id == story_id:
                return index
        return None

    # -- rendering ---------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        index = self.scroll_offset.y + y
        width = self.size.width
        base = self.base_style()
        if index >= self.count:
            return Strip.blank(width, base)
        story = self._rows.get(index)
        if story is None:
            self._request_page(index // PAGE_SIZE)
            style = self.get_component_rich_style("story-list--placeholder")
            return Strip([Segment(" …", style)]).extend_cell_length(width, base)
        cursor = index == self.cursor
        row_style = self.get_component_rich_style("story-list--cursor") if cursor else None

        def styled(name: str) -> RichStyle:
            style = self.get_component_rich_style(name)
            return style + row_style if row_style is not None else style

        if width < 40:  # one mark: the title's weight already says read or unread
            marks = "★ " if story.bookmarked else ("● " if not story.read else "  ")
        else:
            marks = ("●" if not story.read else " ") + ("★" if story.bookmarked else " ") + " "
        segments = [Segment(marks, styled("story-list--mark"))]
        long = width >= DATE_WITH_YEAR
        date = short_date(story.published, with_year=long)
        if date:
            segments.append(
                Segment(date.ljust(10 if long else 5) + " ", styled("story-list--date"))
            )
        else:  # say so, rather than show when it was ingested as if it were its date
            undated = "undated    " if long else "  —   "
            segments.append(Segment(undated, styled("story-list--undated")))
        room = width - sum(segment.cell_length for segment in segments)
        title = clean_line(story.title)
        title_style = styled("story-list--read" if story.read else "story-list--unread")
        more = f"+{story.sources - 1}" if story.sources > 1 else ""  # other sites carry it
        site = clean_line(story.site or "") if room >= SITE_ROOM else ""
        tail = f"{site} {more}".strip()
        tail_width = min(cell_len(tail), max(room // 3, len(more)))
        if tail and room - tail_width > 3:  # the site (and copies) at the end, the title cut
            if cell_len(tail) > tail_width:  # cut the site, keep the copies
                site_room = tail_width - (len(more) + 1 if more else 0)
                site = set_cell_size(site, site_room - 1) + "…" if site_room > 1 else ""
                tail = f"{site} {more}".strip()
            title_room = room - tail_width - 1
            if cell_len(title) > title_room:
                title = set_cell_size(title, title_room - 1) + "…"
            segments.append(Segment(set_cell_size(title, title_room) + " ", title_style))
            segments.append(Segment(tail, styled("story-list--site")))
        else:
            segments.append(Segment(title, title_style))
        strip = Strip(segments).crop(0, width)
        fill = row_style + base if row_style is not None else base
        return strip.extend_cell_length(width, fill)

    @property
    def row_count(self) -> int:
        return self.count

    def watch_cursor(self, old: int, new: int) -> None:
        if new not in self._rows and 0 <= new < self.count:  # G, a jump: fetch now, not
            self._request_page(new // PAGE_SIZE)  # when the next frame finds it missing
        super().watch_cursor(old, new)

    # -- keys and mouse ----------------------------------------------------------------

    def action_open(self) -> None:
        self.open_index(self.cursor)

    def open_index(self, index: int) -> bool:
        """Move to ``index`` and open it (via ``Opened``); False when there is no such row."""
        if not 0 <= index < self.count:
            return False
        story = self.select(index)
        if story is not None:
            self.post_message(self.Opened(story, index))
        return True

    def select(self, index: int) -> Story | None:
        """Move the cursor to ``index``; its story if fetched, else it opens on arrival."""
        self.cursor = index
        story = self._rows.get(index)
        if story is None:  # not fetched yet: open it when its page arrives
            self._open_when_loaded = index
            self._request_page(index // PAGE_SIZE)
        return story

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:  # the border or a scrollbar
            return
        index = self.scroll_offset.y + offset.y
        if 0 <= index < self.count:
            self.open_index(index)
