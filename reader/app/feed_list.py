"""The feed list: feeds grouped by tag with unread/all counts, then the saved searches.

Newsboat's first screen. One line-API view draws the rows (a tag's heading, its feeds,
the untagged feeds, the saved searches), so 1,000 feeds cost 1,000 small values, not
1,000 widgets. The highlighted row's details (the feed's address, tags and the error
of its last refresh) show below it. Enter shows the row's stories in the reading
screen: the screen is dismissed with the ``ListQuery`` to show.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar, Literal

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style as RichStyle
from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.geometry import Size
from textual.message import Message
from textual.message_pump import MessagePump
from textual.reactive import var
from textual.screen import Screen
from textual.strip import Strip
from textual.widgets import Input, Static

from reader.app import feed_calls
from reader.app.bars import KeyBar, TitleBar
from reader.app.dates import long_date
from reader.app.keys import FEED_LIST_BINDINGS
from reader.app.line_view import CursorLines
from reader.app.messages import PassesOnFailures, StoriesChanged
from reader.app.screens import Confirm, PromptScreen
from reader.app.store_thread import StoreThread
from reader.app.story_list import ListQuery
from reader.base.clean import clean_line, clean_link
from reader.base.config import FeedSettings, SavedQuery
from reader.base.models import Feed
from reader.store import Store, StoryFilter

log = logging.getLogger("reader.app")

UNTAGGED = "Untagged"
HIDDEN = "Hidden"
QUERIES = "Queries"
COUNTS_WIDTH = 13
"""Room for ``unread/all`` at the end of a row (``12345/123456``)."""


@dataclass(frozen=True)
class FeedRow:
    """One line of the feed list: a group's heading, a feed, or a saved search."""

    kind: Literal["heading", "feed", "query"]
    label: str
    """What the line shows (cleaned: one line, no control characters)."""
    unread: int | None = None
    total: int | None = None
    """The counts; None while they are being counted."""
    feed: Feed | None = None
    query: SavedQuery | None = None
    tag: str | None = None
    """A tag's heading: the tag (None for the untagged and the queries' headings)."""

    @property
    def key(self) -> tuple[str, str]:
        """What the row stands for, to find it again after the list is read again."""
        if self.feed is not None:
            return feed_key(self.feed)
        return (self.kind, self.label)


def feed_key(feed: Feed) -> tuple[str, str]:
    """The key of a feed's rows (under each of its tags: the first found is the one)."""
    return ("feed", feed.url)


def feed_label(feed: Feed) -> str:
    """A feed's name on one line: its title, or its address without one."""
    return clean_line(feed.title or "") or clean_link(feed.url)


def build_rows(
    feeds: Sequence[Feed],
    queries: Sequence[SavedQuery],
    counts: Mapping[str, tuple[int, int]],
    unread: Mapping[str, int] | None = None,
) -> list[FeedRow]:
    """The feed list's rows: each tag (by name, any case) with its feeds, the untagged
    feeds, the hidden ones (newsboat's ``!``: in no other group), then the saved
    searches with their ``counts`` (title -> (unread, all)).

    ``unread`` (URL -> unread stories), when given, is what the feeds' unread counts
    are (a feed missing from it: not counted yet, None); otherwise each feed's own.
    A feed with two tags is under both. A heading counts its feeds' stories."""

    def unread_of(feed: Feed) -> int | None:
        return feed.unread if unread is None else unread.get(feed.url)

    by_tag: dict[str, list[Feed]] = {}
    untagged: list[Feed] = []
    hidden: list[Feed] = []
    for feed in feeds:
        if feed.hidden:
            hidden.append(feed)
            continue
        for tag in dict.fromkeys(feed.tags):
            by_tag.setdefault(tag, []).append(feed)
        if not feed.tags:
            untagged.append(feed)
    groups: list[tuple[str, str | None, list[Feed]]] = [
        (tag, tag, by_tag[tag]) for tag in sorted(by_tag, key=lambda t: (t.casefold(), t))
    ]
    if untagged:
        groups.append((UNTAGGED, None, untagged))
    if hidden:
        groups.append((HIDDEN, None, hidden))
    rows: list[FeedRow] = []
    for name, group_tag, members in groups:
        known = [unread_of(feed) for feed in members]
        heading_unread = None if None in known else sum(n or 0 for n in known)
        total = sum(feed.stories for feed in members)
        label = clean_line(name)
        rows.append(FeedRow("heading", label, heading_unread, total, tag=group_tag))
        rows += [
            FeedRow("feed", feed_label(feed), n, feed.stories, feed=feed, tag=group_tag)
            for feed, n in zip(members, known, strict=True)
        ]
    if queries:
        rows.append(FeedRow("heading", QUERIES))
        for query in queries:
            unread_total = counts.get(query.title)
            rows.append(
                FeedRow(
                    "query",
                    clean_line(query.title),
                    unread_total[0] if unread_total else None,
                    unread_total[1] if unread_total else None,
                    query=query,
                )
            )
    return rows


def row_query(row: FeedRow) -> ListQuery | None:
    """What the reading screen's list shows for ``row`` (None: nothing to show)."""
    if row.feed is not None:
        return ListQuery(StoryFilter(feed=row.feed.url), title=row.label)
    if row.query is not None:
        return ListQuery(search=row.query.query, title=row.label)
    if row.kind == "heading" and row.tag is not None:
        return ListQuery(StoryFilter(tag=row.tag))
    return None


class FeedRows(CursorLines, can_focus=True):
    """The rows of the feed list, drawn a line at a time."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down,j", "cursor_down", "Down", show=False),
        Binding("up,k", "cursor_up", "Up", show=False),
        Binding("pagedown", "cursor_page_down", "Page down", show=False),
        Binding("pageup", "cursor_page_up", "Page up", show=False),
        Binding("home,g", "first", "First", show=False),
        Binding("end,G", "last", "Last", show=False),
        Binding("enter", "open", "Open", id="feeds_open"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "feed-rows--cursor",
        "feed-rows--heading",
        "feed-rows--unread",
        "feed-rows--read",
        "feed-rows--counts",
        "feed-rows--error",
    }

    DEFAULT_CSS = """
    FeedRows { background: $surface; }
    FeedRows > .feed-rows--cursor { background: $block-cursor-blurred-background; }
    FeedRows:focus > .feed-rows--cursor {
        background: $block-cursor-background; color: $block-cursor-foreground;
    }
    FeedRows > .feed-rows--heading { text-style: bold; color: $accent; }
    FeedRows > .feed-rows--unread { text-style: bold; color: $foreground; }
    FeedRows > .feed-rows--read { color: $foreground-muted; }
    FeedRows > .feed-rows--counts { color: $text-muted; }
    FeedRows > .feed-rows--error { color: $error; text-style: bold; }
    """

    class Highlighted(Message):
        """The cursor moved to ``row`` (None: the list is empty)."""

        def __init__(self, row: FeedRow | None) -> None:
            self.row = row
            super().__init__()

    class Opened(Message):
        """Enter or a click on ``row``."""

        def __init__(self, row: FeedRow) -> None:
            self.row = row
            super().__init__()

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows: list[FeedRow] = []

    def set_rows(self, rows: list[FeedRow], keep: tuple[str, str] | None = None) -> None:
        """Show ``rows``; the cursor goes to the row whose key is ``keep`` if there is
        one (the same feed after a reload), else stays where it was (within the rows)."""
        self.rows = rows
        self.virtual_size = Size(self.size.width, len(rows))
        index = next((i for i, row in enumerate(rows) if row.key == keep), None)
        if index is None:
            index = min(self.cursor, max(len(rows) - 1, 0))
        self.cursor = index
        self.refresh()

    @property
    def highlighted(self) -> FeedRow | None:
        """The row under the cursor."""
        return self.rows[self.cursor] if 0 <= self.cursor < len(self.rows) else None

    def render_line(self, y: int) -> Strip:
        index = self.scroll_offset.y + y
        width = self.size.width
        base = self.base_style()
        if index >= len(self.rows):
            return Strip.blank(width, base)
        row = self.rows[index]
        cursor = None
        if index == self.cursor:
            cursor = self.get_component_rich_style("feed-rows--cursor")

        def styled(name: str) -> RichStyle:
            style = self.get_component_rich_style(name)
            return style + cursor if cursor is not None else style

        if row.total is not None:
            counts = f"{'…' if row.unread is None else row.unread}/{row.total}"
        else:  # a saved search still being counted; the saved searches' heading
            counts = "" if row.kind == "heading" else "…"
        counts = counts.rjust(COUNTS_WIDTH)
        if row.kind == "heading":
            lead, style = " ", styled("feed-rows--heading")
        else:
            lead = "   "
            style = styled("feed-rows--unread" if row.unread else "feed-rows--read")
        failed = row.feed is not None and row.feed.last_error is not None
        mark = Segment("! " if failed else "  ", styled("feed-rows--error"))
        room = max(width - len(lead) - 2 - COUNTS_WIDTH - 1, 1)
        label = row.label
        if cell_len(label) > room:
            label = Strip([Segment(label)]).crop(0, room - 1).text + "…"
        label = label + " " * max(room - cell_len(label), 0)
        segments = [
            Segment(lead, style),
            mark,
            Segment(label + " ", style),
            Segment(counts, styled("feed-rows--counts")),
        ]
        strip = Strip(segments).crop(0, width)
        fill = cursor + base if cursor is not None else base
        return strip.extend_cell_length(width, fill)

    @property
    def row_count(self) -> int:
        return len(self.rows)

    def watch_cursor(self, old: int, new: int) -> None:
        super().watch_cursor(old, new)
        self.post_message(self.Highlighted(self.highlighted))

    def action_open(self) -> None:
        if self.highlighted is not None:
            self.post_message(self.Opened(self.highlighted))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        index = self.scroll_offset.y + offset.y
        if 0 <= index < len(self.rows):
            self.cursor = index
            self.post_message(self.Opened(self.rows[index]))


class TextPrompt(PromptScreen):
    """A prompt whose answer may be empty (``""``: clear it); Escape gives None."""

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.prevent_default()  # not PromptScreen's handler too (it answers None)
        self.dismiss(event.value.strip())


def row_detail(row: FeedRow | None) -> str | list[tuple[str, str]]:
    """The lines under the list for ``row``: (text, style) pieces, or one plain line."""
    if row is None:
        return "No feeds yet: press a to add one."
    if row.feed is not None:
        feed = row.feed
        pieces = [(clean_link(feed.url), "$text-muted")]
        if feed.tags:
            pieces.append(("  · tags: " + clean_line(", ".join(feed.tags)), "$text-muted"))
        if feed.last_error is not None:
            refreshed = long_date(feed.last_refresh)
            pieces.append((f"\nlast refresh failed {refreshed}: ", "bold $error"))
            pieces.append((clean_line(feed.last_error), "$error"))
        elif feed.last_refresh:
            pieces.append((f"\nlast refreshed {long_date(feed.last_refresh)}", ""))
        else:
            pieces.append(("\nnot refreshed yet (r refreshes it)", ""))
        return pieces
    if row.query is not None:
        return [("saved search: ", "$text-muted"), (clean_line(row.query.query), "")]
    if row.tag is not None:
        return f"Enter: every story tagged {row.label}"
    return ""


class FeedListScreen(PassesOnFailures, Screen[ListQuery | None]):
    """Feeds by tag with their counts, the saved searches; act on the highlighted feed."""

    BINDINGS: ClassVar[list[BindingType]] = list(FEED_LIST_BINDINGS)

    summary: var[str] = var("")
    """``12 feeds · 1 failed``, in the title bar."""
    activity: var[str] = var("")

    def __init__(
        self,
        store: StoreThread,
        background: StoreThread,
        jobs: StoreThread,
        *,
        queries: Sequence[SavedQuery],
        settings: Callable[[str], FeedSettings],
        changed: MessagePump,
    ) -> None:
        super().__init__()
        self.store = store
        self.background = background
        self.jobs = jobs
        self.queries = tuple(queries)
        self.settings = settings
        self.changed = changed
        """Told (``StoriesChanged``) when a refresh or a removal changes the stories."""
        self.feeds: list[Feed] = []
        self.counts: dict[str, tuple[int, int]] = {}
        self.rows = FeedRows(id="feed-rows")
        self.unread: dict[str, int] = {}
        """Each feed's unread stories (by URL), as last counted."""
        self.shown = False
        """The feeds have been listed (their unread counts may be on their way)."""
        self.loaded = False
        """The feeds and their counts have been read once (the saved searches' counts
        may be on their way): tests and benches wait for it."""

    def compose(self) -> ComposeResult:
        yield TitleBar(id="feeds-title-bar").data_bind(
            status=FeedListScreen.summary, activity=FeedListScreen.activity
        )
        yield self.rows
        yield Static(id="feed-detail")
        yield KeyBar(id="feeds-key-bar")

    def on_mount(self) -> None:
        self.rows.border_title = Content("Feeds")
        self.rows.focus()
        self.reload()

    # -- reading the list ----------------------------------------------------------------

    def reload(self, keep: tuple[str, str] | None = None) -> None:
        """Read the feeds (and then the saved searches' counts) again."""
        self._load(keep)

    @work(exclusive=True, group="feed-list", exit_on_error=False)
    async def _load(self, keep: tuple[str, str] | None) -> None:
        current = self.rows.highlighted
        keep = keep or (current.key if current is not None else None)
        # What the reader waits for, on the reader's thread: the feeds and their story
        # counts (the feed index alone) first; the unread counts (a read-mark lookup a
        # story) fill in next, the last ones known shown meanwhile.
        self.feeds = await self.store.call(Store.list_feeds, False)
        self._show(keep)
        self.shown = True
        self.unread = await self.store.call(Store.feed_unread)
        self._show(None)
        self.loaded = True
        for query in self.queries:  # slower, and they fill in as they come
            self.counts[query.title] = await self.background.call(Store.query_counts, query.query)
            self._show(None)

    def _show(self, keep: tuple[str, str] | None) -> None:
        rows = build_rows(self.feeds, self.queries, self.counts, self.unread)
        current = self.rows.highlighted
        self.rows.set_rows(rows, keep or (current.key if current is not None else None))
        failed = sum(feed.last_error is not None for feed in self.feeds)
        parts = [f"{len(self.feeds)} feed{'' if len(self.feeds) == 1 else 's'}"]
        if failed:
            parts.append(f"{failed} failed at the last refresh")
        self.summary = " · ".join(parts)
        self.rows.border_title = Content(f"Feeds ({len(self.feeds)})")
        self._detail(self.rows.highlighted)

    def on_feed_rows_highlighted(self, event: FeedRows.Highlighted) -> None:
        self._detail(event.row)

    def _detail(self, row: FeedRow | None) -> None:
        detail = row_detail(row)
        shown = Content(detail) if isinstance(detail, str) else Content.assemble(*detail)
        self.query_one("#feed-detail", Static).update(shown)

    # -- opening -------------------------------------------------------------------------

    def on_feed_rows_opened(self, event: FeedRows.Opened) -> None:
        query = row_query(event.row)
        if query is None:
            self.notify("Highlight a feed, a tag or a saved search.", timeout=2)
            return
        self.dismiss(query)

    def action_close_feeds(self) -> None:
        self.dismiss(None)

    # -- actions on the highlighted feed ---------------------------------------------------

    def _highlighted_feed(self) -> Feed | None:
        row = self.rows.highlighted
        if row is None or row.feed is None:
            self.notify("Highlight a feed first.", timeout=2)
            return None
        return row.feed

    def action_add_feed(self) -> None:
        def done(url: str | None) -> None:
            if url:
                self._add(url)

        prompt = PromptScreen("Add a feed: its address, or a page that names one", "https://")
        self.app.push_screen(prompt, done)

    @work(group="feed-add", exit_on_error=False)
    async def _add(self, url: str) -> None:
        self.activity = f"adding {clean_link(url)}"
        try:
            added = await self.jobs.call(feed_calls.add_feed, url, self.settings)
        finally:
            self.activity = ""
        if added.problem is not None:
            self.notify(added.problem, severity="warning", markup=False, timeout=8)
        if added.feed is not None:
            if added.problem is None:
                name, count = feed_label(added.feed), added.feed.stories
                self.notify(f"Added {name}: {count} stories", markup=False, timeout=4)
            self.changed.post_message(StoriesChanged(new=True))
            self.reload(feed_key(added.feed))

    def action_remove_feed(self) -> None:
        feed = self._highlighted_feed()
        if feed is None:
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._remove(feed)

        question = f"Unsubscribe from this feed? Its {feed.stories} stories stay in the cache."
        self.app.push_screen(Confirm(question, feed_label(feed), "Remove"), answered)

    @work(group="feed-change", exit_on_error=False)
    async def _remove(self, feed: Feed) -> None:
        problem = await self.jobs.call(feed_calls.remove_feed, feed.url)
        self.notify(f"Removed {feed_label(feed)}.", markup=False, timeout=3)
        if problem is not None:
            self.notify(problem, severity="warning", markup=False, timeout=8)
        self.changed.post_message(StoriesChanged(listing=True))
        self.reload()

    def action_rename_feed(self) -> None:
        feed = self._highlighted_feed()
        if feed is None:
            return

        def done(title: str | None) -> None:
            if title is not None:
                self._rename(feed, title)

        prompt = TextPrompt(
            "Rename the feed (kept over the feed's own title; empty: the feed's own)",
            "a title",
            clean_line(feed.title or ""),
        )
        self.app.push_screen(prompt, done)

    @work(group="feed-change", exit_on_error=False)
    async def _rename(self, feed: Feed, title: str) -> None:
        await self.store.call(Store.rename_feed, feed.url, title or None)
        self.notify("Renamed." if title else "The feed's own title returns at its next refresh.",
                    timeout=3)  # fmt: skip
        self.reload()

    def action_retag_feed(self) -> None:
        feed = self._highlighted_feed()
        if feed is None:
            return

        def done(tags: str | None) -> None:
            if tags is not None:
                self._retag(feed, [tag.strip() for tag in tags.split(",")])

        prompt = TextPrompt("Tags, comma-separated (empty: none)", "news, linux",
                            ", ".join(feed.tags))  # fmt: skip
        self.app.push_screen(prompt, done)

    @work(group="feed-change", exit_on_error=False)
    async def _retag(self, feed: Feed, tags: list[str]) -> None:
        changed = await self.store.call(Store.set_feed_tags, feed.url, tags)
        self.notify(f"Tags: {', '.join(changed.tags) or 'none'}", markup=False, timeout=3)
        self.reload(feed_key(changed))

    def action_refresh_feed(self) -> None:
        feed = self._highlighted_feed()
        if feed is not None:
            self._refresh(feed)

    @work(group="feed-refresh", exit_on_error=False)
    async def _refresh(self, feed: Feed) -> None:
        name = feed_label(feed)
        self.activity = f"refreshing {name}"
        try:
            fresh, summary = await self.jobs.call(feed_calls.refresh_feed, feed.url, self.settings)
        finally:
            self.activity = ""
        if fresh.last_error is not None:
            self.notify(f"{name}: {fresh.last_error}", severity="warning", markup=False)
        else:
            self.notify(f"{name}: {summary}", markup=False, timeout=4)
        self.changed.post_message(StoriesChanged(new=True))
        self.reload()
