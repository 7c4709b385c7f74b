"""The reading app: story list, article, related and ranking panes.

The app talks to the data layer only through ``Store``'s public methods, run on
the store thread (``StoreThread``) from async workers: no query or file read
happens on the UI thread.
"""

from __future__ import annotations

import os
import sqlite3
import webbrowser
from dataclasses import dataclass, field

from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content

from reader.app.article import ArticleView
from reader.app.bars import KeyBar, TitleBar
from reader.app.commands import ReaderCommands
from reader.app.headlines import HeadlineList
from reader.app.screens import Confirm, ConfirmOpen, HelpScreen, PickScreen, PromptScreen
from reader.app.store_thread import StoreThread
from reader.app.story_list import ListQuery, StoryList
from reader.app.themes import load_themes
from reader.base.clean import clean_line, clean_link
from reader.base.config import DEFAULT_THEME, Config, load_config, save_theme
from reader.base.models import Headline, Story
from reader.base.paths import Paths
from reader.store import Store, StoryFilter, StoryNotFound
from reader.store.health import StoreError
from reader.store.schema import SchemaTooNew

RANKING_SIZE = 30
AUTO_REFRESH_CHECK_S = 60.0
"""How often the app looks for feeds whose refresh_interval has passed."""
EXIT_WHEN_READY = "READER_EXIT_WHEN_READY"
"""Set in the environment, the app quits once its first story is on screen (bench/)."""


@dataclass
class Startup:
    """What the app learned while starting, to tell the user."""

    demo_loaded: int = 0
    problems: list[str] = field(default_factory=list)


def _open_story(store: Store, story_id: str, mark_read: bool) -> Story:
    if mark_read:
        return store.set_read(story_id, True)
    return store.get(story_id)


def _load_demo(store: Store) -> int:
    if not store.is_empty():
        return 0
    from reader.demo import load_demo  # only a new user pays for importing ingest

    return load_demo(store).ingested


class ReaderApp(App[None]):
    """Read the cached news with the keyboard."""

    CSS_PATH = "reader.tcss"
    TITLE = "reader"
    COMMANDS = App.COMMANDS | {ReaderCommands}
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (120, "-wide")]

    BINDINGS = [
        Binding(keys, action, label, id=action, show=show, tooltip=text, key_display=display)
        for keys, action, label, text, show, display in (
            ("q", "quit", "Quit", "quit reader", True, None),
            ("question_mark", "help", "Help", "this help", True, "?"),
            ("n", "next_story", "Next", "open the next story", True, None),
            ("p", "previous_story", "Prev", "open the previous story", True, None),
            ("space", "page_article", "Page", "page the article down", True, None),
            ("b", "toggle_bookmark", "Bookmark", "bookmark or unbookmark the story", True, None),
            ("B", "bookmarks", "Bookmarks", "show bookmarks (again: all stories)", True, None),
            ("slash", "search", "Search", "search titles and bodies", True, "/"),
            ("u", "toggle_read", "Read", "mark the story read or unread", True, None),
            (
                "A",
                "mark_all_read",
                "All read",
                "mark every story in this list read (asks)",
                False,
                None,
            ),
            ("f", "cycle_filter", "Unread", "show unread stories only, or all", False, None),
            ("s", "pick_site", "Sites", "show one site's, feed's or tag's stories", False, None),
            ("backspace", "back", "Back", "back to the story you came from", True, None),
            ("o", "open_url", "Open", "open the story's address in a browser (asks)", False, None),
            ("y", "copy_url", "Copy URL", "copy the story's address", False, None),
            ("L", "article_links", "Links", "the article's links; open one (asks)", False, None),
            ("R", "toggle_ranking", "Top", "ranking: this page's or all pages'", False, None),
            ("l", "toggle_lists", "Lists", "narrow screens: related/ranking or list", False, None),
            ("t", "cycle_theme", "Theme", "next theme (remembered)", False, None),
            ("r", "refresh_feeds", "Refresh", "refresh feeds (in the background)", False, None),
            ("escape", "show_all", "All", "leave search, bookmarks or a filter", False, None),
        )
    ]

    HELP_ROWS = [
        ("j k  ↓ ↑", "move in the focused pane", ""),
        ("PgUp PgDn  g G", "page up / down, first / last", ""),
        ("Enter, click", "open the story or headline", "open"),
        ("Tab  Shift+Tab", "next / previous pane", ""),
    ]

    def __init__(self, paths: Paths, config: Config | None = None) -> None:
        super().__init__()
        self.paths = paths
        self.config = config if config is not None else load_config(paths.config_file)
        self.store = StoreThread(paths)
        # Slow aggregate queries get their own connection so they never delay a story.
        self.background_store = StoreThread(paths)
        self.story: Story | None = None
        self.history: list[str] = []
        self.cache_ranking: list[Headline] | None = None
        self.cache_ranking_label = "all pages"
        self._refreshing = False
        self.ranking_cache_wide = False
        self.reader_theme_names: list[str] = []
        self.startup = Startup(problems=list(self.config.problems))
        self._current_index: int | None = None
        self._first_story_shown = False
        self._apply_themes()  # before the first style pass, so styles are computed once

    # -- layout ------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield TitleBar(id="title-bar")
        with Horizontal(id="main"):
            yield StoryList(self.store, id="stories")
            yield ArticleView(id="article")
            with Vertical(id="side"):
                yield HeadlineList(id="related")
                yield HeadlineList(id="ranking")
        yield KeyBar(id="key-bar")

    def _apply_themes(self) -> None:
        themes, problems = load_themes(self.paths.user_themes_dir)
        self.startup.problems.extend(problems)
        for theme in themes:
            self.register_theme(theme)
        self.reader_theme_names = [theme.name for theme in themes]
        if self.config.theme in self.available_themes:
            self.theme = self.config.theme
        else:
            if self.config.theme != DEFAULT_THEME:
                self.startup.problems.append(
                    f"theme {self.config.theme!r} not found; using {DEFAULT_THEME}"
                )
            self.theme = DEFAULT_THEME

    def on_mount(self) -> None:
        if self.config.keys:
            self.set_keymap(self.config.keys)
        intervals = [self.config.feed_defaults.refresh_interval]
        intervals += [own.refresh_interval for own in self.config.feeds.values()]
        if any(intervals):  # refresh_interval in config.toml: keep those feeds fresh
            self.set_interval(AUTO_REFRESH_CHECK_S, self._refresh_due_feeds)
        self.query_one("#stories", StoryList).border_title = Content("Stories")
        self.query_one("#article", ArticleView).border_title = Content("Article")
        self.query_one("#related", HeadlineList).border_title = Content("Related")
        self.query_one("#ranking", HeadlineList).border_title = Content("Ranking")
        self.query_one("#article", ArticleView).show_message("Loading stories…")
        self.query_one("#stories", StoryList).focus()
        for problem in self.startup.problems:
            self.notify(problem, title="Settings", severity="warning", markup=False, timeout=10)
        self._start()

    @work(group="startup")
    async def _start(self) -> None:
        try:
            demo = await self.store.call(_load_demo)
        except StoreError as exc:  # it names the file and the way out ('reader repair')
            self.exit(return_code=1, message=f"reader: {clean_line(str(exc))}")
            return
        except (sqlite3.DatabaseError, SchemaTooNew, OSError) as exc:
            # A cache we can't read: say so and leave it as it is for the user to see to.
            self.exit(return_code=1, message=f"reader: {self.paths.cache_db}: {exc}")
            return
        if demo:
            self.startup.demo_loaded = demo
            self.query_one("#stories", StoryList).border_subtitle = Content(
                f"{demo} demo stories · reader ingest PATH adds yours"
            )
            self.notify(
                f"Your cache was empty, so {demo} demo stories were loaded. "
                "Add your own with: reader ingest PATH",
                title="Welcome",
                markup=False,
                timeout=12,
            )
        self.query_one("#stories", StoryList).show(ListQuery())
        self.refresh_counts()

    def on_unmount(self) -> None:
        self.store.close()
        self.background_store.close()

    def on_article_view_rendered(self, event: ArticleView.Rendered) -> None:
        if not self._first_story_shown:
            self._first_story_shown = True
            if os.environ.get(EXIT_WHEN_READY):  # for bench/: time to first full screen
                self.call_after_refresh(self.exit)
            else:
                self._warm_up()
                self._index_pending()

    @work(group="index")
    async def _index_pending(self) -> None:
        """Index stories a command-line refresh or ingest left for later, before a search
        needs them (on the background connection)."""
        await self.background_store.call(Store.index_pending)

    @work(thread=True, group="warm-up")
    def _warm_up(self) -> None:
        """After the first screen: load what later articles need, off the UI thread."""
        from reader.app.article_render import warm_up

        warm_up()

    # -- opening stories ---------------------------------------------------------------

    def on_story_list_loaded(self, event: StoryList.Loaded) -> None:
        stories = self.query_one("#stories", StoryList)
        label = stories.query_state.label
        stories.border_title = Content(f"{label} ({event.count})")
        if event.count == 0:
            empty = {
                "Bookmarks": "No bookmarks yet: press b on a story to keep it.",
            }.get(label, "No stories here.")
            if stories.query_state.search is not None:
                empty = "Nothing matches those words."
            if self.story is None:
                self.query_one("#article", ArticleView).show_message(empty)
            self.notify(empty, markup=False, timeout=4)
        elif self.story is None:
            first = stories.story_at(0)
            if first is not None:  # show the newest story, without marking it read
                self.open_story(first.id, mark_read=False, push_history=False, index=0)

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
            self.show_query(ListQuery(search=headline.title, any_words=True))

    def open_story(
        self,
        story_id: str,
        *,
        mark_read: bool = True,
        push_history: bool = True,
        index: int | None = None,
    ) -> None:
        """Open a story (in a worker); following a link remembers where we were."""
        if push_history and self.story is not None and self.story.id != story_id:
            self.history.append(self.story.id)
        self._current_index = index
        self._load_story(story_id, mark_read)

    @work(exclusive=True, group="open-story")
    async def _load_story(self, story_id: str, mark_read: bool) -> None:
        try:
            story = await self.store.call(_open_story, story_id, mark_read)
        except StoryNotFound:
            self.notify("That story is no longer in the cache.", severity="warning")
            return
        self.show_story(story)
        if mark_read:
            self.refresh_counts()

    def show_story(self, story: Story) -> None:
        """Show ``story`` in the article, related and ranking panes."""
        self.story = story
        self.query_one("#article", ArticleView).show_story(story)
        self.query_one("#stories", StoryList).update_story(story)
        self._fill_related()
        self._fill_ranking()

    def _fill_related(self) -> None:
        related = self.query_one("#related", HeadlineList)
        story = self.story
        if story is None:
            return
        if not story.related and not story.recommended:
            # No list of its own (a feed item, plain text): stories like it in the cache.
            related.set_sections([], empty="Looking for similar stories…")
            related.border_title = Content("Related · similar in your cache")
            self._fill_similar(story.id)
            return
        related.set_sections(
            [(None, story.related), ("Recommended", story.recommended)],
            empty="No related stories on this page.",
        )
        related.border_title = Content(f"Related ({len(story.related) + len(story.recommended)})")

    @work(exclusive=True, group="similar")
    async def _fill_similar(self, story_id: str) -> None:
        similar = await self.background_store.call(Store.similar, story_id)
        if self.story is not None and self.story.id == story_id:
            self.query_one("#related", HeadlineList).set_sections(
                [(None, similar)], empty="Nothing similar in your cache."
            )

    def _fill_ranking(self) -> None:
        ranking = self.query_one("#ranking", HeadlineList)
        story = self.story
        own = story.ranking if story is not None else []
        if own and not self.ranking_cache_wide:
            ranking.set_sections([(None, own)], empty="")
            ranking.border_title = Content("Ranking · this page (R: all pages)")
            return
        hint = " (R: this page)" if own else ""
        ranking.border_title = Content(f"Top stories · {self.cache_ranking_label}{hint}")
        if self.cache_ranking is None:
            ranking.set_sections([], empty="Ranking every page…")
            self.refresh_cache_ranking()
        else:
            ranking.set_sections(
                [(None, self.cache_ranking)],
                empty="No ranking lists in the cache yet, and no story that two sources carry.",
            )

    # -- data refreshes ----------------------------------------------------------------

    @work(exclusive=True, group="counts")
    async def refresh_counts(self) -> None:
        counts = await self.background_store.call(Store.counts)
        self.sub_title = (
            f"{counts['stories']} stories · {counts['unread']} unread · "
            f"{counts['bookmarked']} bookmarked"
        )
        self.query_one(TitleBar).status = self.sub_title

    @work(exclusive=True, group="cache-ranking")
    async def refresh_cache_ranking(self) -> None:
        """Compute the cache-wide ranking (on the background connection): the pages'
        own ranking lists, or where there are none (feeds), the stories most sources
        carry."""
        ranking = await self.background_store.call(Store.cache_wide_ranking, RANKING_SIZE)
        self.cache_ranking_label = "all pages"
        if not ranking:
            ranking = await self.background_store.call(Store.most_covered, RANKING_SIZE)
            self.cache_ranking_label = "most sources"
        self.cache_ranking = ranking
        self._fill_ranking()

    async def fetch_sites(self) -> list[tuple[str, int, int]]:
        return await self.background_store.call(Store.sites)

    # -- list views --------------------------------------------------------------------

    def show_query(self, query: ListQuery) -> None:
        self.query_one("#stories", StoryList).show(query)

    def show_site(self, site: str) -> None:
        self.show_query(ListQuery(StoryFilter(site=site)))

    def action_show_all(self) -> None:
        self.show_query(ListQuery())

    def action_show_unread(self) -> None:
        self.show_query(ListQuery(StoryFilter(unread=True)))

    def action_bookmarks(self) -> None:
        current = self.query_one("#stories", StoryList).query_state
        if current.filter.bookmarked and current.search is None:
            self.action_show_all()
        else:
            self.show_query(ListQuery(StoryFilter(bookmarked=True)))

    def action_cycle_filter(self) -> None:
        current = self.query_one("#stories", StoryList).query_state
        if current.filter.unread:
            self.action_show_all()
        else:
            self.action_show_unread()

    def action_search(self) -> None:
        def done(words: str | None) -> None:
            if words:
                self.show_query(ListQuery(search=words))

        self.push_screen(PromptScreen("Search titles and bodies", "words…"), done)

    # -- moving ------------------------------------------------------------------------

    def _step(self, delta: int) -> None:
        stories = self.query_one("#stories", StoryList)
        start = self._current_index
        if start is None and self.story is not None:
            start = stories.index_of(self.story.id)
        if start is None:
            start = stories.cursor - delta
        index = start + delta
        if not 0 <= index < stories.count:
            self.notify("No more stories in this list.", timeout=2)
            return
        story = stories.select(index)
        if story is not None:  # open now, not after the list's next message
            self.open_story(story.id, index=index)

    def action_next_story(self) -> None:
        self._step(+1)

    def action_previous_story(self) -> None:
        self._step(-1)

    def action_page_article(self) -> None:
        self.query_one("#article", ArticleView).scroll_page_down(animate=False)

    def action_back(self) -> None:
        if not self.history:
            self.notify("Nothing to go back to.", timeout=2)
            return
        self._current_index = None
        self._load_story(self.history.pop(), False)

    def action_toggle_lists(self) -> None:
        self.screen.toggle_class("-lists")

    def action_toggle_ranking(self) -> None:
        self.ranking_cache_wide = not self.ranking_cache_wide
        self._fill_ranking()

    # -- marks -------------------------------------------------------------------------

    def action_toggle_bookmark(self) -> None:
        if self.story is not None:
            self._set_mark(self.story.id, "bookmark", not self.story.bookmarked)

    def action_toggle_read(self) -> None:
        if self.story is not None:
            self._set_mark(self.story.id, "read", not self.story.read)

    def action_mark_all_read(self) -> None:
        stories = self.query_one("#stories", StoryList)
        query, ids = stories.query_state, stories.search_result_ids()
        if stories.count == 0:
            self.notify("No stories here to mark.", timeout=3)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._mark_all_read(query.filter, ids)

        self.push_screen(
            Confirm(f"Mark all {stories.count} stories here read?", query.label, "Mark read"),
            answered,
        )

    @work(group="marks")
    async def _mark_all_read(self, flt: StoryFilter, ids: list[str] | None) -> None:
        marked = await self.store.call(Store.mark_all_read, flt, ids)
        self.notify(f"Marked {marked} stories read.", timeout=3)
        if self.story is not None:
            story = await self.store.call(Store.get, self.story.id)
            self.story.read = story.read
            self.query_one("#article", ArticleView).show_story(self.story, keep_scroll=True)
        self.query_one("#stories", StoryList).reload()
        self.refresh_counts()

    @work(group="marks")
    async def _set_mark(self, story_id: str, mark: str, on: bool) -> None:
        method = Store.set_bookmark if mark == "bookmark" else Store.set_read
        story = await self.store.call(method, story_id, on)
        if self.story is not None and self.story.id == story.id:
            self.story.bookmarked, self.story.read = story.bookmarked, story.read
            self.query_one("#article", ArticleView).show_story(self.story, keep_scroll=True)
        self.query_one("#stories", StoryList).update_story(story)
        if mark == "bookmark":
            self.notify("Bookmarked." if on else "Bookmark removed.", timeout=2)
            if self.query_one("#stories", StoryList).query_state.filter.bookmarked:
                self.query_one("#stories", StoryList).reload()
        else:
            self.notify("Marked read." if on else "Marked unread.", timeout=2)
        self.refresh_counts()

    # -- links -------------------------------------------------------------------------

    def _story_url(self) -> str | None:
        """The story's address, cleaned as the command line prints it (for o and y)."""
        if self.story is None:
            return None
        if self.story.url:
            return clean_link(self.story.url) or None
        if self.story.source.startswith(("http://", "https://")):
            return clean_link(self.story.source)
        return None

    def action_open_url(self) -> None:
        url = self._story_url()
        if url is None:
            self.notify("This story has no web address.", severity="warning", timeout=3)
            return
        self.confirm_and_open(url)

    def confirm_and_open(self, url: str) -> None:
        """Ask, then hand ``url`` to the browser (Python's webbrowser, never a shell)."""
        url = clean_link(url)
        if not url.startswith(("http://", "https://")):
            self.notify(f"Not a web address: {url}", severity="warning", markup=False)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._open_in_browser(url)

        self.push_screen(ConfirmOpen(url), answered)

    @work(thread=True, group="browser")
    def _open_in_browser(self, url: str) -> None:
        opened = webbrowser.open(url)
        if not opened:
            self.call_from_thread(
                self.notify, f"No browser could open {url}", severity="warning", markup=False
            )

    def action_copy_url(self) -> None:
        url = self._story_url()
        if url is None:
            self.notify("This story has no web address to copy.", severity="warning", timeout=3)
            return
        self.copy_to_clipboard(url)
        self.notify(f"Copied {url}", markup=False, timeout=3)

    @work(exclusive=True, group="pick-site")
    async def action_pick_site(self) -> None:
        sites = await self.fetch_sites()
        tags = await self.background_store.call(Store.tags)
        if not sites:
            self.notify("No stories yet.", timeout=2)
            return
        choices = [("All stories", "")]
        choices += [(f"#{tag}  ({unread}/{n})", f"tag:{tag}") for tag, n, unread in tags]
        choices += [(f"{site}  ({unread}/{n})", f"site:{site}") for site, n, unread in sites]

        def chosen(value: str | None) -> None:
            if value == "":
                self.action_show_all()
            elif value is not None:
                kind, _, name = value.partition(":")
                flt = StoryFilter(tag=name) if kind == "tag" else StoryFilter(site=name)
                self.show_query(ListQuery(flt))

        self.push_screen(PickScreen("Show the stories of… (unread/all)", choices), chosen)

    def action_article_links(self) -> None:
        links = self.query_one("#article", ArticleView).links
        if not links:
            self.notify("This article has no links.", timeout=2)
            return
        choices = [(f"[{n}] {text} — {url}", url) for n, (text, url) in enumerate(links, 1)]

        def chosen(url: str | None) -> None:
            if url:
                self.confirm_and_open(url)

        self.push_screen(PickScreen("Links in this article", choices), chosen)

    # -- themes, help, ingest ----------------------------------------------------------

    def action_cycle_theme(self) -> None:
        names = self.reader_theme_names or [self.theme]
        position = names.index(self.theme) if self.theme in names else -1
        self.set_reader_theme(names[(position + 1) % len(names)])

    def set_reader_theme(self, name: str) -> None:
        """Switch to theme ``name`` and remember it in config.toml."""
        self.theme = name
        self.notify(f"Theme: {name}", markup=False, timeout=2)
        self._save_theme(name)

    @work(thread=True, exclusive=True, group="save-theme")
    def _save_theme(self, name: str) -> None:
        try:
            save_theme(self.paths.config_file, name)
        except OSError as exc:
            self.call_from_thread(
                self.notify,
                f"Could not save the theme to {self.paths.config_file}: {exc.strerror or exc}",
                severity="error",
                markup=False,
            )

    def action_help(self) -> None:
        self.push_screen(HelpScreen(self.help_rows()))

    def help_rows(self) -> list[tuple[str, str, str]]:
        """Every key as currently bound: keys, what it does, binding id for config.toml."""
        rows = list(self.HELP_ROWS)
        keymap = dict(self._keymap)
        for binding in self.BINDINGS:
            assert isinstance(binding, Binding)
            keys = keymap.get(binding.id or "", binding.key)
            shown = "  ".join(self.get_key_display(Binding(k.strip(), "")) for k in keys.split(","))
            rows.append((shown, binding.tooltip or binding.description, binding.id or ""))
        rows.append(("Ctrl+P", "command palette: bookmarks, search, themes, sites, ingest", ""))
        return rows

    def action_refresh_feeds(self) -> None:
        if self._refreshing:
            self.notify("A refresh is already running.", timeout=2)
            return
        self.notify("Refreshing feeds…", timeout=2)
        self._refreshing = True
        self._refresh_feeds(auto=False)

    def _refresh_due_feeds(self) -> None:
        """Every minute: refresh the feeds whose refresh_interval has passed."""
        if not self._refreshing:
            self._refreshing = True
            self._refresh_feeds(auto=True)

    @work(thread=True, group="refresh")
    def _refresh_feeds(self, auto: bool) -> None:
        try:
            self._refresh_feeds_now(auto)
        except Exception as exc:  # a bug or a broken cache must not take the app down
            self.call_from_thread(self._worker_failed, "refresh", exc)
        finally:
            self._refreshing = False

    def _refresh_feeds_now(self, auto: bool) -> None:
        from reader.feeds.refresh import due, refresh

        def progress(done: int, total: int) -> None:
            self.call_from_thread(
                self.query_one(TitleBar).set_activity, f"refreshing feeds {done}/{total}"
            )

        settings = self.config.feed_settings
        with Store(self.paths) as store:
            feeds = store.list_feeds()
            if auto:  # only feeds that ask for it, and only when they are due
                feeds = [f for f in due(feeds, settings) if settings(f.url).refresh_interval]
                if not feeds:
                    return
            elif not feeds:
                self.call_from_thread(
                    self.notify,
                    "No feeds yet: add one with reader feed add URL",
                    markup=False,
                )
                return
            report = refresh(store, feeds, progress, None, settings)
            for url, reason in report.failures[:5]:
                self.call_from_thread(
                    self.notify, f"{url}: {reason}", severity="warning", markup=False
                )
            self.call_from_thread(self.query_one(TitleBar).set_activity, "")
            if not auto or report.new or report.updated:
                self.call_from_thread(self._after_ingest, report.summary())
            store.index_pending()  # so that the next search need not wait for it

    def _worker_failed(self, what: str, exc: Exception) -> None:
        self.query_one(TitleBar).set_activity("")
        self.notify(
            f"{what} failed: {type(exc).__name__}: {exc}",
            severity="error",
            markup=False,
            timeout=10,
        )
        self.query_one("#stories", StoryList).reload()
        self.refresh_counts()

    def action_ingest(self) -> None:
        def done(path: str | None) -> None:
            if path:
                self._ingest(path)

        self.push_screen(PromptScreen("Ingest a file or folder", "~/saved-news/"), done)

    @work(thread=True, exclusive=True, group="ingest")
    def _ingest(self, path: str) -> None:
        from reader.ingest.pipeline import ingest

        self.call_from_thread(self.notify, f"Ingesting {path}…", markup=False, timeout=3)
        try:
            with Store(self.paths) as store:
                report = ingest(store, [path])
                for source, reason in report.failures[:5]:
                    self.call_from_thread(
                        self.notify, f"{source}: {reason}", severity="warning", markup=False
                    )
                self.call_from_thread(self._after_ingest, report.summary())
                store.index_pending()  # so that the next search need not wait for it
        except Exception as exc:  # a bug or a broken cache must not take the app down
            self.call_from_thread(self._worker_failed, "ingest", exc)

    def _after_ingest(self, summary: str) -> None:
        self.notify(summary, markup=False, timeout=6)
        self.query_one("#stories", StoryList).reload()
        self.refresh_counts()
        self.cache_ranking = None
        self._fill_ranking()
