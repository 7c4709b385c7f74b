"""The app's own commands in the command palette (added to Textual's, not replacing them)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider

if TYPE_CHECKING:
    from reader.app.app import ReaderApp


class ReaderCommands(Provider):
    """Open bookmarks, search, switch theme, filter by site, ingest a path."""

    @property
    def reader_app(self) -> ReaderApp:
        from reader.app.app import ReaderApp

        assert isinstance(self.app, ReaderApp)
        return self.app

    async def startup(self) -> None:
        # Without unread counts: the palette opens at once however big the cache.
        self._sites = await self.reader_app.reading.fetch_sites(unread=False)

    def _commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        app = self.reader_app
        reading = app.reading
        commands: list[tuple[str, str, Callable[[], object]]] = [
            ("Open bookmarks", "Show the stories you bookmarked", reading.action_bookmarks),
            ("Show all stories", "Back to every cached story", reading.action_show_all),
            ("Show unread stories", "Only stories you haven't opened", reading.action_show_unread),
            ("Search stories…", "Find words in titles and bodies", reading.action_search),
            ("Show feeds", "Feeds by tag with counts, and saved searches", app.action_feed_list),
            ("Ingest a path…", "Add saved pages from a file or folder", app.action_ingest),
            (
                "Toggle top stories",
                "This page's ranking or the cache-wide one",
                reading.action_toggle_ranking,
            ),
        ]
        for name in app.reader_theme_names:
            commands.append(
                (
                    f"Switch theme: {name}",
                    "Use this theme and remember it",
                    partial(app.set_reader_theme, name),
                )
            )
        for site, count, _ in self._sites:
            help_text = f"{count} stor{'y' if count == 1 else 'ies'}"
            show = partial(reading.show_site, site)
            commands.append((f"Filter by site: {site}", help_text, show))
        return commands

    async def discover(self) -> Hits:
        for name, help_text, callback in self._commands()[:6]:
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)
