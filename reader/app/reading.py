"""The reading screen: the story list, the article, its related stories and the ranking.

The screen owns the reading state as reactives: the story shown (``story``), what
the list shows (``list_query``) and the ranking's scope (``ranking_wide``); their
watchers fill the panes. Work that changes stored stories, here or in the app
(marks, ingest, refresh), ends in one ``StoriesChanged`` message, whose handler
brings the panes and the counts up to date. Store calls run on the app's store
threads, from workers.
"""

from __future__ import annotations

import webbrowser
from collections.abc import Callable
from dataclasses import replace
from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.reactive import var
from textual.screen import Screen
from textual.timer import Timer

from reader.app import store_calls
from reader.app.article import ArticleView
from reader.app.bars import KeyBar, TitleBar
from reader.app.headlines import HeadlineList
from reader.app.history import History
from reader.app.keys import READING_BINDINGS
from reader.app.messages import PassesOnFailures, StoriesChanged
from reader.app.screens import Confirm, ConfirmOpen, PickScreen, PromptScreen
from reader.app.side import SidePanes
from reader.app.store_thread import StoreThread
from reader.app.story_list import PAGE_SIZE, ListQuery, StoryList
from reader.base.clean import clean_line, clean_link
from reader.base.config import Config, split_command
from reader.base.errors import CommandFailed
from reader.base.fragments import story_markdown
from reader.base.models import Story
from reader.plumbing import commands
from reader.store import Store, StoryFilter, StoryNotFound
from reader.store.marks import MarkUndone

SIDE_PANES_WAIT_S = 0.5
"""The longest the side panes wait for the article's first screen to be painted."""
EMPTY_LIST = {"Bookmarks": "No bookmarks yet: press b on a story to keep it."}
UNREAD_LOOKAHEAD = 2000
"""How many stories n/p (newsboat preset; N/P by default) look through for an unread one."""
DESCRIPTION_CHARS = 300
"""bookmark_command's description: the story's first words, up to this many characters."""


class ReadingScreen(PassesOnFailures, Screen[None]):
    """Read the cached news: list, article, related stories and ranking."""

    BINDINGS: ClassVar[list[BindingType]] = [*READING_BINDINGS]
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (120, "-wide")]

    story: var[Story | None] = var(None, always_update=True, init=False)
    """The story in the article pane (marks as stored)."""
    list_query: var[ListQuery] = var(ListQuery, always_update=True, init=False)
    """What the story list shows; setting it (even to the same query) loads the list."""
    ranking_wide: var[bool] = var(False, init=False)
    """Show the cache-wide ranking even when the story has a ranking of its own."""
    counts_line: var[str] = var("")
    """``14 stories · 3 unread · 1 bookmarked``, shown in the title bar."""
    activity: var[str] = var("")
    """Background work in progress (a feed refresh), shown in the title bar."""

    def __init__(
        self,
        store: StoreThread,
        background: StoreThread,
        *,
        grouped: bool = True,
        config: Config | None = None,
        text_width: int = 0,
    ) -> None:
        super().__init__()
        self.config = config if config is not None else Config()
        """For the programs stories are handed to: browser, bookmark_command, pipe_to."""
        self.store = store
        self.background = background
        """For slow aggregate queries, so that they never delay opening a story."""
        self.history = History()
        self._list_index: int | None = None
        self._counts_from_list = False
        """Where the story shown is in the list, when it was opened from there."""
        self.stories = StoryList(store, background=background, grouped=grouped, id="stories")
        self.article = ArticleView(id="article", text_width=text_width)
        self.side = SidePanes(background, id="side")
        self._side_story: Story | None = None
        """The story the side panes are to show once the article is painted."""
        self._side_timer: Timer | None = None
        self._marked_read: list[Story] = []
        """Stories opening marked read, announced (``StoriesChanged``) with the side
        panes: the list's marks and the counts never delay the article's paint."""

    def compose(self) -> ComposeResult:
        yield TitleBar(id="title-bar").data_bind(
            status=ReadingScreen.counts_line, activity=ReadingScreen.activity
        )
        with Horizontal(id="main"):
            yield self.stories
            yield self.article
            # the side panes follow ``story`` once the article is painted (watch_story)
            yield self.side.data_bind(ReadingScreen.ranking_wide)
        yield KeyBar(id="key-bar")

    def on_mount(self) -> None:
        self.stories.border_title = Content("Stories")
        self.article.border_title = Content("Article")
        self.article.show_message("Loading stories…")
        self.stories.focus()

    def start_reading(self, demo_loaded: int = 0) -> None:
        """The store is ready: list every story (``demo_loaded`` demo ones were added)."""
        if demo_loaded:
            self.stories.border_subtitle = Content(
                f"{demo_loaded} demo stories · reader ingest PATH adds yours"
            )
        self._counts_from_list = True  # the list counts every story: count once
        self.list_query = ListQuery()

    # -- watchers: the reading state fills the panes ------------------------------------

    def watch_story(self, old: Story | None, new: Story | None) -> None:
        if new is None:
            return
        same = old is not None and old.id == new.id
        self.article.show_story(new, keep_scroll=same)
        # Moving to another story, the side panes' lists (and the read mark's news) come
        # after the article's first screen is painted, so that they never delay it (or
        # after SIDE_PANES_WAIT_S); the first story of all fills them at once (the first
        # full screen has them).
        self._side_story = new
        if same or old is None:
            self._after_paint()
        else:
            if self._side_timer is not None:
                self._side_timer.stop()
            self._side_timer = self.set_timer(SIDE_PANES_WAIT_S, self._after_paint)

    def on_article_view_rendered(self, event: ArticleView.Rendered) -> None:
        pending = self._side_story
        if pending is not None and pending.id == event.story_id:
            self.call_after_refresh(self._after_paint)

    def _after_paint(self) -> None:
        """The article is painted: the side panes and the list's row follow it, the
        marks are announced."""
        story, self._side_story = self._side_story, None
        if story is not None:
            self.side.story = story
            self.stories.update_story(story)  # its row's marks, as stored
        if self._marked_read:
            marked, self._marked_read = tuple(self._marked_read), []
            self.post_message(StoriesChanged(marked))

    def watch_list_query(self, query: ListQuery) -> None:
        self.stories.show(query)

    @work(exclusive=True, group="counts", exit_on_error=False)
    async def _refresh_counts(self, stories: int | None = None) -> None:
        """Count again for the title bar (``stories``: counted already by the list)."""
        self.counts_line = await self.background.call(store_calls.counts_line, stories)

    # -- stories changed ---------------------------------------------------------------

    def on_stories_changed(self, event: StoriesChanged) -> None:
        """Bring the panes up to date with what is stored."""
        for story in event.stories:
            self._apply_marks(story)
        if event.new:
            self.side.cache_ranking = None
        if event.listing:
            self.stories.reload()
            if self.story is not None:
                self._reload_marks(self.story.id)
        self._refresh_counts()

    def _apply_marks(self, story: Story) -> None:
        self.stories.update_story(story)
        current = self.story
        if current is not None and current.id == story.id:
            if (current.read, current.bookmarked) != (story.read, story.bookmarked):
                self.story = replace(current, read=story.read, bookmarked=story.bookmarked)

    @work(exclusive=True, group="reload-marks", exit_on_error=False)
    async def _reload_marks(self, story_id: str) -> None:
        try:
            story = await self.store.call(Store.get, story_id)
        except StoryNotFound:  # gone with a purged feed: the article stays as it was
            return
        self._apply_marks(story)

    # -- opening stories ---------------------------------------------------------------

    def on_story_list_loaded(self, event: StoryList.Loaded) -> None:
        query = self.stories.query_state
        if self._counts_from_list:  # startup: the title bar takes the list's count
            self._counts_from_list = False
            same = query == ListQuery() and self.stories.grouped
            self._refresh_counts(event.count if same else None)
        self.stories.border_title = Content(f"{query.label} ({event.count})")
        if event.count == 0:
            empty = EMPTY_LIST.get(query.label, "No stories here.")
            if query.search is not None:
                empty = "Nothing matches those words."
            if self.story is None:
                self.article.show_message(empty)
            self.notify(empty, markup=False, timeout=4)
        elif self.story is None:
            first = self.stories.story_at(0)
            if first is not None:  # show the newest story, without marking it read
                self.open_story(first.id, mark_read=False, index=0)

    def on_story_list_opened(self, event: StoryList.Opened) -> None:
        self.open_story(event.story.id, index=event.index)

    def on_headline_list_followed(self, event: HeadlineList.Followed) -> None:
        headline = event.headline
        if headline.article_id:
            self.open_story(headline.article_id)
        else:
            self.notify(
                f"Not in your cache; searching for: {headline.title}", markup=False, timeout=4
            )
            self.list_query = ListQuery(search=headline.title, any_words=True)

    def open_story(
        self, story_id: str, *, mark_read: bool = True, index: int | None = None
    ) -> None:
        """Open a story (in a worker) and remember it in the history."""
        self._list_index = index
        self._load_story(story_id, mark_read, remember=True)

    @work(exclusive=True, group="open-story", exit_on_error=False)
    async def _load_story(self, story_id: str, mark_read: bool, remember: bool) -> None:
        # The work left for the story shown (the rest of a long article, the search for
        # similar stories) stops now, not once the next story is here.
        self.article.stop_rendering()
        self.side.hold()
        try:
            story = await self.store.call(store_calls.open_story, story_id, mark_read)
        except Exception as exc:  # (cancelled: another story is on its way instead)
            self._keep_story()
            if not isinstance(exc, StoryNotFound):
                raise  # reported by the app's handler for failed workers
            self.notify("That story is no longer in the cache.", severity="warning")
            return
        query = self.stories.query_state
        if query.search is not None and not query.any_words:
            if self.stories.index_of(story.id) is not None:  # one of the search's results
                found = await self.store.call(Store.snippets, query.search, [story.id])
                story = replace(story, snippet=found.get(story.id))
        if remember:
            self.history.visit(story.id)
        if self.story is not None and self.story.id == story.id:
            self.article.scroll_home(animate=False)  # opened again: from the top
        if mark_read:  # announced once the article is painted (_after_paint)
            self._marked_read.append(story)
        self.story = story

    def _keep_story(self) -> None:
        """The next story did not come: the one shown stays, all of it (its render and
        its similar stories, stopped for the next one, go on)."""
        if self.story is not None:
            self.article.show_story(self.story, keep_scroll=True)
            self.side.story = self.story

    # -- moving ------------------------------------------------------------------------

    def _step(self, delta: int) -> None:
        start = self._list_index
        if start is None and self.story is not None:
            start = self.stories.index_of(self.story.id)
        if start is None:
            start = self.stories.cursor - delta
        index = start + delta
        if not 0 <= index < self.stories.count:
            self.notify("No more stories in this list.", timeout=2)
            return
        story = self.stories.select(index)
        if story is not None:  # open now, not after the list's next message
            self.open_story(story.id, index=index)

    def action_next_story(self) -> None:
        self._step(+1)

    def action_next_unread(self) -> None:
        self._step_unread(+1)

    def action_previous_unread(self) -> None:
        self._step_unread(-1)

    @work(exclusive=True, group="next-unread", exit_on_error=False)
    async def _step_unread(self, delta: int) -> None:
        """Open the nearest unread story after (``delta`` +1) or before (-1) the one shown,
        looking at up to ``UNREAD_LOOKAHEAD`` stories of the list, a page at a time."""
        start = self._list_index
        if start is None and self.story is not None:
            start = self.stories.index_of(self.story.id)
        if start is None:
            start = self.stories.cursor - delta
        query = self.stories.query_state
        flt = replace(query.filter, grouped=self.stories.grouped)
        fetched: dict[int, Story] = {}
        index = start + delta
        for _ in range(UNREAD_LOOKAHEAD):
            if not 0 <= index < self.stories.count:
                break
            story = self.stories.story_at(index) or fetched.get(index)
            if story is None and query.search is None:  # a page the list has not cached
                page = index // PAGE_SIZE
                rows = await self.store.call(
                    Store.list_stories, flt, offset=page * PAGE_SIZE, limit=PAGE_SIZE
                )
                fetched.update(enumerate(rows, page * PAGE_SIZE))
                story = fetched.get(index)
            if story is None:
                break
            if not story.read:
                self.stories.select(index)
                self.open_story(story.id, index=index)
                return
            index += delta
        self.notify("No unread stories that way in this list.", timeout=2)

    def action_previous_story(self) -> None:
        self._step(-1)

    def action_page_article(self) -> None:
        self.article.scroll_page_down(animate=False)

    def action_go_back(self) -> None:
        story_id = self.history.back()
        if story_id is None:
            self.notify("Nothing to go back to.", timeout=2)
            return
        self._list_index = None
        self._load_story(story_id, False, remember=False)

    def action_toggle_lists(self) -> None:
        self.toggle_class("-lists")

    def action_reading_mode(self) -> None:
        """The article alone, the whole width (again: the list and side panes back)."""
        reading = not self.has_class("-reading")
        self.set_class(reading, "-reading")
        self.article.border_subtitle = Content("wide") if reading else Content("")
        if reading:
            self.article.focus()
        elif self.focused is self.article or self.focused is None:
            self.stories.focus()

    def action_toggle_ranking(self) -> None:
        self.ranking_wide = not self.ranking_wide

    def action_why_ranked(self) -> None:
        headline = self.side.ranking.highlighted
        ranking = self.side.cache_ranking
        why = ranking.why.get(headline.article_id or "") if headline and ranking else None
        if why is None:
            self.notify("Highlight a top story (R: top stories across the cache).", timeout=3)
        else:
            assert headline is not None
            self.notify(why, title=clean_line(headline.title), markup=False, timeout=8)

    # -- list views --------------------------------------------------------------------

    def action_next_feed(self) -> None:
        self._step_feed(+1)

    def action_previous_feed(self) -> None:
        self._step_feed(-1)

    @work(exclusive=True, group="next-feed", exit_on_error=False)
    async def _step_feed(self, delta: int) -> None:
        """Show the next (previous) feed's stories: the feeds in their order (by title),
        then the other sites as ``s`` lists them (a feed's stories carry its title as
        their site)."""
        sites = [site for site, _, _ in await self.fetch_sites(unread=False)]  # the order
        feeds = await self.background.call(Store.list_feeds, counts=False)
        known = set(sites)
        order = list(dict.fromkeys(f.title for f in feeds if f.title and f.title in known))
        order += [site for site in sites if site not in set(order)]
        if not order:
            self.notify("No feeds or sites yet.", timeout=2)
            return
        current = self.list_query.filter.site
        if current in order:
            position = (order.index(current) + delta) % len(order)
        else:
            position = 0 if delta > 0 else len(order) - 1
        self.show_site(order[position])

    def show_site(self, site: str) -> None:
        self.list_query = ListQuery(StoryFilter(site=site))

    def action_show_all(self) -> None:
        self.list_query = ListQuery()

    def action_show_unread(self) -> None:
        self.list_query = ListQuery(StoryFilter(unread=True))

    def action_bookmarks(self) -> None:
        current = self.list_query
        if current.filter.bookmarked and current.search is None:
            self.action_show_all()
        else:
            self.list_query = ListQuery(StoryFilter(bookmarked=True))

    def action_cycle_filter(self) -> None:
        if self.list_query.filter.unread:
            self.action_show_all()
        else:
            self.action_show_unread()

    def action_search(self) -> None:
        def done(words: str | None) -> None:
            if words:
                self.list_query = ListQuery(search=words)

        self.app.push_screen(PromptScreen("Search titles and bodies", "words…"), done)

    async def fetch_sites(self, unread: bool = True) -> list[tuple[str, int, int]]:
        """Every site with its story and (with ``unread``) unread counts, most first:
        for the picker, the palette and ``J``. The unread counts are a pass over the
        unread stories (0.8 s at 1,000,000 stories); the totals alone, 0.08 s."""
        return await self.background.call(Store.sites, unread=unread)

    @work(exclusive=True, group="pick-site", exit_on_error=False)
    async def action_pick_site(self) -> None:
        """The site picker: shown with each site's number of stories, its unread
        counts filled in once they are counted (a pass over the unread stories, 0.8 s
        at 1,000,000 stories)."""
        sites = await self.fetch_sites(unread=False)
        tags = await self.background.call(Store.tags)
        if not sites:
            self.notify("No stories yet.", timeout=2)
            return
        choices = [("All stories", "")]
        choices += [(f"#{tag}  ({unread}/{n})", f"tag:{tag}") for tag, n, unread in tags]
        choices += [(f"{site}  (…/{n})", f"site:{site}") for site, n, _ in sites]

        def chosen(value: str | None) -> None:
            if value == "":
                self.action_show_all()
            elif value is not None:
                kind, _, name = value.partition(":")
                flt = StoryFilter(tag=name) if kind == "tag" else StoryFilter(site=name)
                self.list_query = ListQuery(flt)

        picker = PickScreen("Show the stories of… (unread/all)", choices)
        self.app.push_screen(picker, chosen)
        counted = await self.fetch_sites()
        if picker.is_attached:  # (not if it was closed meanwhile)
            picker.relabel({f"site:{site}": f"{site}  ({u}/{n})" for site, n, u in counted})

    # -- marks -------------------------------------------------------------------------

    def action_toggle_bookmark(self) -> None:
        if self.story is not None:
            self._set_mark(self.story.id, "bookmark", not self.story.bookmarked)

    def action_toggle_read(self) -> None:
        if self.story is not None:
            self._set_mark(self.story.id, "read", not self.story.read)

    @work(group="marks", exit_on_error=False)
    async def _set_mark(self, story_id: str, mark: str, on: bool) -> None:
        """Set a mark (undoable: ``U`` puts it back) and say so."""
        if mark == "bookmark":
            story = await self.store.call(Store.set_bookmark, story_id, on, undoable=True)
            self.notify("Bookmarked." if on else "Bookmark removed.", timeout=2)
            if on and self.config.bookmark_command:
                self._run_bookmark_command(self.config.bookmark_command, story)
        else:
            story = await self.store.call(Store.set_read, story_id, on, undoable=True)
            self.notify("Marked read." if on else "Marked unread.", timeout=2)
        # In the bookmarks view, a bookmark changes which stories the list holds.
        listing = mark == "bookmark" and self.list_query.filter.bookmarked
        self.post_message(StoriesChanged((story,), listing=listing))

    def action_mark_all_read(self) -> None:
        query, ids = self.stories.query_state, self.stories.search_result_ids()
        count = self.stories.count
        if count == 0:
            self.notify("No stories here to mark.", timeout=3)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._mark_all_read(query.filter, ids)

        self.app.push_screen(
            Confirm(f"Mark all {count} stories here read?", query.label, "Mark read"), answered
        )

    @work(group="marks", exit_on_error=False)
    async def _mark_all_read(self, flt: StoryFilter, ids: list[str] | None) -> None:
        marked = await self.store.call(Store.mark_all_read, flt, ids, undoable=True)
        self.notify(f"Marked {marked} stories read (U undoes).", timeout=3)
        self.post_message(StoriesChanged(listing=True))

    @work(group="undo", exit_on_error=False)
    async def action_undo(self) -> None:
        """Put back the marks the last mark change changed (toggle read, all read,
        bookmark), exactly those stories."""
        undone = await self.store.call(Store.undo_last_mark)
        if undone is None:
            self.notify("Nothing to undo.", timeout=2)
            return
        self.notify(f"undone: {undo_line(undone)}", markup=False, timeout=4)
        self.post_message(StoriesChanged(listing=True))

    # -- links -------------------------------------------------------------------------

    def story_url(self) -> str | None:
        """The story's address, cleaned as the command line prints it (for o and y)."""
        if self.story is None:
            return None
        if self.story.url:
            return clean_link(self.story.url) or None
        if self.story.source.startswith(("http://", "https://")):
            return clean_link(self.story.source)
        return None

    def action_open_url(self) -> None:
        url = self.story_url()
        if url is None:
            self.notify("This story has no web address.", severity="warning", timeout=3)
            return
        self.confirm_and_open(url)

    def confirm_and_open(self, url: str, then: Callable[[], None] | None = None) -> None:
        """Ask, then hand ``url`` to the browser (``browser``, else Python's webbrowser;
        never a shell), then call ``then``."""
        url = clean_link(url)
        if not url.startswith(("http://", "https://")):
            self.notify(f"Not a web address: {url}", severity="warning", markup=False)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._open_in_browser(url)
                if then is not None:
                    then()

        self.app.push_screen(ConfirmOpen(url), answered)

    @work(thread=True, group="browser", exit_on_error=False)
    def _open_in_browser(self, url: str) -> None:
        """``browser`` from config.toml (an argument list, the URL one argument of it),
        else Python's webbrowser; never a shell."""
        if self.config.browser:
            try:
                commands.launch(commands.browser_args(self.config.browser, url))
            except CommandFailed as exc:
                self.app.call_from_thread(
                    self.notify, clean_line(str(exc)), severity="warning", markup=False
                )
        elif not webbrowser.open(url):
            self.app.call_from_thread(
                self.notify, f"No browser could open {url}", severity="warning", markup=False
            )

    def action_open_and_mark_read(self) -> None:
        """``o``, and once the browser has it, the story is marked read."""
        story, url = self.story, self.story_url()
        if story is None or url is None:
            self.notify("This story has no web address.", severity="warning", timeout=3)
            return

        def opened() -> None:
            if not story.read:
                self._set_mark(story.id, "read", True)

        self.confirm_and_open(url, then=opened)

    # -- handing the story to other programs ------------------------------------------

    def action_pipe_to(self) -> None:
        """Pipe the story's text to ``pipe_to`` (config.toml), or to a command typed
        here (split like shell words, never run by a shell)."""
        story = self.story
        if story is None:
            self.notify("Open a story first.", timeout=2)
            return
        if self.config.pipe_to:
            self._pipe_story(self.config.pipe_to, story)
            return

        def typed(text: str | None) -> None:
            if not text:
                return
            try:
                args = split_command(text)
            except ValueError as exc:
                self.notify(f"Not a command: {exc}", severity="warning", markup=False)
                return
            self._pipe_story(args, story)

        prompt = PromptScreen(
            "Pipe the story to (no shell: a program and its arguments)", "tee /tmp/story.md"
        )
        self.app.push_screen(prompt, typed)

    @work(thread=True, group="pipe-to", exit_on_error=False, description="pipe_to")
    def _pipe_story(self, args: list[str], story: Story) -> None:
        text = story_text(story)
        try:
            ran = commands.run(args, stdin=text)
        except CommandFailed as exc:
            self.app.call_from_thread(
                self.notify, clean_line(str(exc)), severity="error", markup=False, timeout=6
            )
            return
        self.app.call_from_thread(self.notify, clean_line(ran.line()), markup=False, timeout=4)

    @work(
        thread=True, group="bookmark-command", exit_on_error=False, description="bookmark_command"
    )
    def _run_bookmark_command(self, command: list[str], story: Story) -> None:
        """newsboat's bookmark-cmd: the command with the story's URL, title, description
        and feed title as four more arguments."""
        try:
            commands.run([*command, *bookmark_arguments(story)])
        except CommandFailed as exc:
            self.app.call_from_thread(
                self.notify,
                clean_line(f"bookmark_command: {exc}"),
                severity="error",
                markup=False,
                timeout=6,
            )

    def action_copy_url(self) -> None:
        url = self.story_url()
        if url is None:
            self.notify("This story has no web address to copy.", severity="warning", timeout=3)
            return
        self.app.copy_to_clipboard(url)
        self.notify(f"Copied {url}", markup=False, timeout=3)

    def action_article_links(self) -> None:
        links = self.article.links
        if not links:
            self.notify("This article has no links.", timeout=2)
            return
        choices = [(f"[{n}] {text} — {url}", url) for n, (text, url) in enumerate(links, 1)]

        def chosen(url: str | None) -> None:
            if url:
                self.confirm_and_open(url)

        self.app.push_screen(PickScreen("Links in this article", choices), chosen)


def undo_line(undone: MarkUndone) -> str:
    """``412 stories marked unread again``."""
    what = {
        ("read", False): "marked unread again",
        ("read", True): "marked read again",
        ("bookmark", False): "unbookmarked again",
        ("bookmark", True): "bookmarked again",
    }[(undone.mark, undone.on)]
    return f"{undone.stories} {'story' if undone.stories == 1 else 'stories'} {what}"


def story_address(story: Story) -> str:
    """The story's web address, or its source (a file) when it has none."""
    return clean_link(story.url or story.source)


def story_text(story: Story) -> str:
    """What ``pipe_to`` gets on its standard input: title, address, then the Markdown."""
    body = story_markdown(story) or ""
    return f"# {clean_line(story.title)}\n\n<{story_address(story)}>\n\n{body.strip()}\n"


def bookmark_arguments(story: Story) -> list[str]:
    """bookmark_command's four arguments: URL, title, description, feed title (each one
    argument, on one line: never a string a shell sees)."""
    words = clean_line(story_markdown(story) or "")
    description = (
        words[:DESCRIPTION_CHARS].rsplit(" ", 1)[0] if len(words) > DESCRIPTION_CHARS else words
    )
    return [
        story_address(story),
        clean_line(story.title),
        description,
        clean_line(story.site or ""),
    ]
