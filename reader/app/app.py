"""The reading app: what is app-wide around the reading screen.

The app holds the store threads, the themes, the keymap, feed refreshes (on ``r``
and on a timer), ingesting from the palette, and the one handler that turns a
failed worker into a notice. Reading itself is ``ReadingScreen``'s.

Every store access goes through a ``StoreThread`` (one connection, one thread):
``store`` for what the reader waits on (opening a story, marks, list pages),
``background_store`` for slow aggregate queries (counts, rankings, similar
stories), ``jobs`` for long writes (refresh, ingest, indexing). No query or file
read happens on the UI thread.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from dataclasses import dataclass, field

from textual import work
from textual.app import App
from textual.reactive import var
from textual.worker import Worker, WorkerState

from reader.app import graphics, pictures, store_calls
from reader.app.article import ArticleView
from reader.app.commands import ReaderCommands
from reader.app.keys import help_rows, keymap_for
from reader.app.messages import RefreshProgress, StoriesChanged
from reader.app.reading import ReadingScreen
from reader.app.screens import HelpScreen, PromptScreen
from reader.app.store_thread import StoreThread
from reader.app.story_list import ListQuery
from reader.app.themes import load_themes
from reader.base.clean import clean_line
from reader.base.config import DEFAULT_THEME, Config, load_config, save_theme
from reader.base.paths import Paths
from reader.store import CACHE_MIB, Store
from reader.store.health import StoreError, diagnose
from reader.store.schema import SchemaTooNew

AUTO_REFRESH_CHECK_S = 60.0
"""How often the app looks for feeds whose refresh_interval has passed."""
EXIT_WHEN_READY = "READER_EXIT_WHEN_READY"
"""Set in the environment, the app quits once its first story is on screen (bench/)."""

WORK_DONE_BY = {
    "refresh": "refresh",
    "ingest": "ingest",
    "index": "indexing new stories",
    "open-story": "opening the story",
    "reload-marks": "reading the story's marks",
    "marks": "saving the mark",
    "list-load": "loading the list",
    "list-page": "loading the list",
    "article-render": "showing the article",
    "pictures": "showing the article's pictures",
    "similar": "finding similar stories",
    "cache-ranking": "ranking the cache",
    "counts": "counting stories",
    "pick-site": "listing sites",
    "browser": "opening the browser",
    "pipe-to": "piping the story to a program",
    "bookmark-command": "running bookmark_command",
    "undo": "undoing the last mark change",
    "next-unread": "finding the next unread story",
    "next-feed": "listing feeds",
    "save-theme": "saving the theme",
    "feed-list": "listing the feeds",
    "feed-add": "adding the feed",
    "feed-change": "changing the feed",
    "feed-refresh": "refreshing the feed",
}
"""What each worker group does, for the notice when one fails."""

log = logging.getLogger("reader.app")


@dataclass
class Startup:
    """What the app learned while starting, to tell the user."""

    demo_loaded: int = 0
    problems: list[str] = field(default_factory=list)


class ReaderApp(App[None]):
    """Read the cached news with the keyboard."""

    CSS_PATH = "reader.tcss"
    TITLE = "reader"
    COMMANDS = App.COMMANDS | {ReaderCommands}

    refreshing: var[bool] = var(False, init=False)
    """A feed refresh is running (set and cleared on the UI thread only)."""

    def __init__(self, paths: Paths, config: Config | None = None) -> None:
        super().__init__()
        self.paths = paths
        self.config = config if config is not None else load_config(paths.config_file)
        self.store = StoreThread(paths, "store")
        self.background_store = StoreThread(paths, "background")
        self.jobs = StoreThread(paths, "jobs", cache_mib=CACHE_MIB)  # refreshes write rows
        self.reader_theme_names: list[str] = []
        self.startup = Startup(problems=list(self.config.problems))
        self.keys_in_force = keymap_for(self.config.key_preset, self.config.keys)
        """Binding id -> keys: the preset's (``keys = "newsboat"``), then config.toml's."""
        self._first_story_shown = False
        self.pictures = self._pictures()
        self._apply_themes()  # before the first style pass, so styles are computed once

    def get_default_screen(self) -> ReadingScreen:
        self.reading = ReadingScreen(
            self.store,
            self.background_store,
            grouped=self.config.collapse_copies,
            config=self.config,
            text_width=self.config.text_width,
        )
        self.reading.article.pictures = self.pictures
        return self.reading

    def _pictures(self) -> pictures.Pictures | None:
        """Pictures in the article, when the extra is installed and the setting allows."""
        if not pictures.wanted(self.config):
            return None

        def feed_urls() -> list[str]:  # on the pictures' worker thread
            feeds = self.store.submit(Store.list_feeds).result(timeout=30)
            return [feed.url for feed in feeds]

        return pictures.Pictures(self.paths.cache_dir / pictures.CACHE_FOLDER, feed_urls)

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
        if self.pictures is not None and not self.is_headless:  # a test's app draws half cells
            self.reading.article.painter = graphics.painter_for(self.config.pictures, os.environ)
        if self.keys_in_force:
            self.set_keymap(self.keys_in_force)
        intervals = [self.config.feed_defaults.refresh_interval]
        intervals += [own.refresh_interval for own in self.config.feeds.values()]
        if any(intervals):  # refresh_interval in config.toml: keep those feeds fresh
            self.set_interval(AUTO_REFRESH_CHECK_S, self.refresh_due_feeds)
        for problem in self.startup.problems:
            self.notify(problem, title="Settings", severity="warning", markup=False, timeout=10)
        self._start()

    @work(group="startup", exit_on_error=False)
    async def _start(self) -> None:
        try:
            demo = await self.store.call(store_calls.load_demo)
        except StoreError as exc:  # it names the file and the way out ('reader repair')
            self.exit(return_code=1, message=f"reader: {clean_line(str(exc))}")
            return
        except (sqlite3.DatabaseError, SchemaTooNew, OSError) as exc:
            # A cache we can't read: say so and leave it as it is for the user to see to.
            self.exit(return_code=1, message=f"reader: {self.paths.cache_db}: {exc}")
            return
        if demo:
            self.startup.demo_loaded = demo
            self.notify(
                f"Your cache was empty, so {demo} demo stories were loaded. "
                "Add your own with: reader ingest PATH",
                title="Welcome",
                markup=False,
                timeout=12,
            )
        self.reading.start_reading(demo)

    def on_unmount(self) -> None:
        for thread in (self.store, self.background_store, self.jobs):
            thread.close()

    def on_article_view_rendered(self, event: ArticleView.Rendered) -> None:
        if not self._first_story_shown:
            self._first_story_shown = True
            if os.environ.get(EXIT_WHEN_READY):  # for bench/: time to first full screen
                self.call_after_refresh(self.exit)
            else:
                self._warm_up()
                self._index_pending()

    @work(group="index", exit_on_error=False)
    async def _index_pending(self) -> None:
        """Index and analyse stories a command-line refresh or ingest left for later,
        before a search needs them."""
        await self._catch_up()

    async def _catch_up(self) -> None:
        """Index and analyse new stories (on the jobs thread); copies that joined their
        stories change the list."""
        if await self.jobs.call(store_calls.catch_up):
            self.reading.post_message(StoriesChanged(new=True))

    @work(thread=True, group="warm-up", exit_on_error=False)
    def _warm_up(self) -> None:
        """After the first screen: load what later articles need, off the UI thread."""
        from reader.app.article_render import warm_up

        warm_up()

    # -- failures ----------------------------------------------------------------------

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place a worker's unexpected failure is reported: a notice and a log
        line, and the app carries on. (The reading screen and the panes pass their
        workers' failures here.)"""
        worker = event.worker
        finished = event.state in (WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED)
        if worker.group == "refresh" and finished:
            self.refreshing = False
        if event.state is not WorkerState.ERROR or worker.error is None:
            return
        error = worker.error
        what = WORK_DONE_BY.get(worker.group, worker.group)
        log.error("%s failed", what, exc_info=error)
        self.log.error(f"{what} failed in worker {worker!r}: {error!r}")
        if isinstance(error, sqlite3.Error):
            error = diagnose(self.paths, error) or error
        if isinstance(error, StoreError):  # it names the file and what to do
            message = f"{what} failed: {error}"
        else:
            message = f"{what} failed: {type(error).__name__}: {error}"
        self.notify(clean_line(message), severity="error", markup=False, timeout=10)
        if worker.group in ("refresh", "ingest"):  # whatever was stored before shows
            self.reading.post_message(StoriesChanged(new=True))

    # -- feeds and ingest --------------------------------------------------------------

    def action_refresh_feeds(self) -> None:
        if self.refreshing:
            self.notify("A refresh is already running.", timeout=2)
            return
        self.notify("Refreshing feeds…", timeout=2)
        self.refreshing = True
        self._refresh_feeds(auto=False)

    def refresh_due_feeds(self) -> None:
        """Every minute: refresh the feeds whose refresh_interval has passed."""
        if not self.refreshing:
            self.refreshing = True
            self._refresh_feeds(auto=True)

    def watch_refreshing(self, refreshing: bool) -> None:
        if not refreshing:
            self.reading.activity = ""

    def on_refresh_progress(self, event: RefreshProgress) -> None:
        if self.refreshing:
            self.reading.activity = f"refreshing feeds {event.done}/{event.total}"

    @work(group="refresh", exit_on_error=False)
    async def _refresh_feeds(self, auto: bool) -> None:
        settings = self.config.feed_settings
        interval = self.config.feed_defaults.refresh_interval
        synced = await self.jobs.call(store_calls.sync_if_set_up, auto, interval)
        if synced is not None and synced.line and (synced.failed or synced.changed or not auto):
            self.notify(
                synced.line,
                severity="warning" if synced.failed else "information",
                markup=False,
                timeout=6,
            )
        if synced is not None and synced.changed:
            self.reading.post_message(StoriesChanged(new=True))
        feeds = await self.jobs.call(store_calls.feeds_to_refresh, auto, settings)
        if synced is not None:  # the server's feeds came by sync: fetch the others
            feeds = [feed for feed in feeds if feed.url not in synced.server_feeds]
        if not feeds:
            if synced is not None and synced.changed:
                await self._catch_up()
            if not auto and synced is None:
                self.notify("No feeds yet: add one with reader feed add URL", markup=False)
            return

        def progress(done: int, total: int) -> None:  # on the jobs thread
            self.post_message(RefreshProgress(done, total))

        report = await self.jobs.call(store_calls.refresh_feeds, feeds, settings, progress)
        for url, reason in report.failures[:5]:
            self.notify(f"{url}: {reason}", severity="warning", markup=False)
        self.reading.activity = ""
        if not auto or report.new or report.updated:
            self.notify(report.summary(), markup=False, timeout=6)
            self.reading.post_message(StoriesChanged(new=True))
        await self._catch_up()  # so that the next search need not wait

    def action_feed_list(self) -> None:
        """Show the feed list; what it opens (a feed, a tag, a saved search) is listed."""
        from reader.app.feed_list import FeedListScreen

        if isinstance(self.screen, FeedListScreen):
            return

        def opened(query: ListQuery | None) -> None:
            if query is not None:
                self.reading.list_query = query

        screen = FeedListScreen(
            self.store,
            self.background_store,
            self.jobs,
            queries=self.config.queries,
            settings=self.config.feed_settings,
            changed=self.reading,
        )
        self.push_screen(screen, opened)

    def action_ingest(self) -> None:
        def done(path: str | None) -> None:
            if path:
                self.start_ingest(path)

        self.push_screen(PromptScreen("Ingest a file or folder", "~/saved-news/"), done)

    @work(group="ingest", exit_on_error=False)
    async def start_ingest(self, path: str) -> None:
        """Ingest a file or folder in the background (on the jobs thread)."""
        self.notify(f"Ingesting {path}…", markup=False, timeout=3)
        report = await self.jobs.call(store_calls.ingest_path, path)
        for source, reason in report.failures[:5]:
            self.notify(f"{source}: {reason}", severity="warning", markup=False)
        self.notify(report.summary(), markup=False, timeout=6)
        self.reading.post_message(StoriesChanged(new=True))
        await self._catch_up()  # so that the next search need not wait

    # -- themes and help ---------------------------------------------------------------

    def action_cycle_theme(self) -> None:
        names = self.reader_theme_names or [self.theme]
        position = names.index(self.theme) if self.theme in names else -1
        self.set_reader_theme(names[(position + 1) % len(names)])

    def set_reader_theme(self, name: str) -> None:
        """Switch to theme ``name`` and remember it in config.toml."""
        self.theme = name
        self.notify(f"Theme: {name}", markup=False, timeout=2)
        self._save_theme(name)

    @work(thread=True, exclusive=True, group="save-theme", exit_on_error=False)
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
        rows = help_rows(self.keys_in_force, self.get_key_display)
        if self.config.key_preset != "default":
            preset = self.config.key_preset
            rows.insert(0, (f'keys = "{preset}"', f"the {preset} preset is in force", ""))
        return rows
