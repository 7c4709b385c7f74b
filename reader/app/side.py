"""The side panes: the story's related stories and the ranking.

Bound to the reading screen's ``story`` and ``ranking_wide``: their watchers fill
the two lists. The related pane lists the story's copies on other sites, then its
page's own related lists, then the stories most similar to it in the cache
(``Store.related``). Without a ranking of its own (or with ``R``) the ranking pane
shows the top stories across the cache, computed once on the background store
thread and kept until stories are added; ``w`` says why one ranks where it does.
"""

from __future__ import annotations

import asyncio

from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.reactive import var

from reader.app.headlines import HeadlineList
from reader.app.messages import PassesOnFailures
from reader.app.store_calls import CacheRanking, cache_ranking
from reader.app.store_thread import StoreThread
from reader.base.models import Headline, Story
from reader.store import Store

SIMILAR_REST_S = 0.1
"""How long the search for similar stories waits, after the article is painted, for
the reader to stay on the story: the search holds the interpreter for tens of ms on a
long story, and pressing n again meanwhile cancels it (``hold``)."""


class SidePanes(PassesOnFailures, Vertical):
    """Related stories above, the ranking below."""

    story: var[Story | None] = var(None, always_update=True, init=False)
    """The story shown (bound to the reading screen's)."""
    ranking_wide: var[bool] = var(False, init=False)
    """The cache-wide ranking even for a story with its own (bound to the screen's)."""
    cache_ranking: var[CacheRanking | None] = var(None, init=False)
    """The cache-wide ranking, once computed (None: not yet, or out of date)."""

    def __init__(self, background: StoreThread, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.background = background
        self.related = HeadlineList(id="related")
        self.ranking = HeadlineList(id="ranking")
        self._similar_for: str | None = None
        """The story whose similar stories are shown or on their way."""

    def compose(self) -> ComposeResult:
        yield self.related
        yield self.ranking

    def on_mount(self) -> None:
        self.related.border_title = Content("Related")
        self.ranking.border_title = Content("Ranking")

    def watch_story(self, old: Story | None, new: Story | None) -> None:
        if new is None:
            return
        if old is not None and old.id == new.id:  # the same story, its marks changed:
            if self._similar_for != new.id:  # the lists stay (a held search goes on)
                self._fill_similar(new.id)
            return
        self._fill_related(new)
        self._fill_ranking()

    def hold(self) -> None:
        """Another story is coming: a search for similar stories still waiting
        (``SIMILAR_REST_S``) is called off; it runs again if the story stays."""
        waiting = self.workers.cancel_group(self, "similar")
        if any(worker.is_running for worker in waiting):
            self._similar_for = None

    def watch_ranking_wide(self) -> None:
        self._fill_ranking()

    def watch_cache_ranking(self) -> None:
        self._fill_ranking()

    def _fill_related(self, story: Story) -> None:
        # Stories like it in the cache come after the page's own lists, if it has any.
        self._fill_similar(story.id)
        sections = self._own_sections(story)
        if not story.related and not story.recommended:
            # No list of its own (a feed item, plain text): only the computed ones.
            self.related.set_sections(sections, empty="Looking for similar stories…")
            self.related.border_title = Content("Related · similar in your cache")
            return
        self.related.set_sections(sections, empty="No related stories.")
        count = len(story.related) + len(story.recommended)
        self.related.border_title = Content(f"Related ({count})")

    @staticmethod
    def _own_sections(story: Story) -> list[tuple[str | None, list[Headline]]]:
        """The story's copies on other sites, then its page's own lists."""
        copies = [
            Headline(f"{copy.site}: {copy.title}" if copy.site else copy.title, None, copy.id)
            for copy in story.also_on
        ]
        sections: list[tuple[str | None, list[Headline]]] = []
        if copies:
            sections.append(("Also on", copies))
        if story.related or story.recommended:
            sections += [(None, story.related), ("Recommended", story.recommended)]
        return sections

    @work(exclusive=True, group="similar", exit_on_error=False)
    async def _fill_similar(self, story_id: str) -> None:
        self._similar_for = story_id
        await asyncio.sleep(SIMILAR_REST_S)
        similar = await self.background.call(Store.similar, story_id)
        story = self.story
        if story is None or story.id != story_id:
            return
        own = {h.article_id for h in (*story.related, *story.recommended) if h.article_id}
        extra = [h for h in similar if h.article_id not in own]
        sections = self._own_sections(story)
        if story.related or story.recommended:
            sections.append(("Similar in your cache", extra))
        else:
            sections.append((None, extra))
        self.related.set_sections(sections, empty="Nothing similar in your cache.")

    def _fill_ranking(self) -> None:
        if self.story is None:
            return  # nothing shown yet (the binding sets ranking_wide on mount)
        own = self.story.ranking
        if own and not self.ranking_wide:
            self.ranking.set_sections([(None, own)], empty="")
            self.ranking.border_title = Content("Ranking · this page (R: all pages)")
            return
        hint = " (R: this page)" if own else ""
        cache = self.cache_ranking
        label = cache.label if cache is not None else "all pages"
        self.ranking.border_title = Content(f"Top stories · {label}{hint}")
        if cache is None:
            self.ranking.set_sections([], empty="Ranking every page…")
            self._rank_cache()
        else:
            self.ranking.set_sections(
                [(None, cache.headlines)],
                empty="No ranking lists in the cache yet, and no story that two sources carry.",
            )

    @work(exclusive=True, group="cache-ranking", exit_on_error=False)
    async def _rank_cache(self) -> None:
        self.cache_ranking = await self.background.call(cache_ranking)
