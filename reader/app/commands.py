"""The app's own commands in the command palette (added to Textual's, not replacing them)."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider

if TYPE_CHECKING:
    from reader.app.app import ReaderApp


class ReaderCommands(Provider):
    """Open bookmarks, search, switch theme, filter by site, ingest a path."""

    async def startup(self) -> None:
        app: ReaderApp = self.app  # type: ignore[assignment]
        self._sites = await app.fetch_sites()

    def _commands(self) -> list[tuple[str, str, object]]:
        app: ReaderApp = self.app  # type: ignore[assignment]
        commands: list[tuple[str, str, object]] = [
            ("Open bookmarks", "Show the stories you bookmarked", app.action_bookmarks),
            ("Show all stories", "Back to every cached story", app.action_show_all),
            ("Show unread stories", "Only stories you haven't opened", app.action_show_unread),
            ("Search stories…", "Find words in titles and bodies", app.action_search),
            ("Ingest a path…", "Add saved pages from a file or folder", app.action_ingest),
            (
                "Toggle top stories",
                "This page's ranking or the cache-wide one",
                app.action_toggle_ranking,
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
        for site, count, unread in self._sites:
            help_text = f"{unread} unread of {count} stories"
            commands.append((f"Filter by site: {site}", help_text, partial(app.show_site, site)))
        return commands

    async def discover(self) -> Hits:
        for name, help_text, callback in self._commands()[:6]:
            yield DiscoveryHit(name, callback, help=help_text)  # type: ignore[arg-type]

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)  # type: ignore[arg-type]
