"""Copies: the same story on other pages, as ``reader.store.analysis`` grouped them."""

from __future__ import annotations

from reader.base.models import Copy
from reader.store.analysis import ANALYSE_INLINE, AnalysisStore
from reader.store.stories import StoryStore


class CopyStore(AnalysisStore, StoryStore):
    """Looking up a story's copies."""

    def copies(self, id_or_prefix: str) -> list[Copy]:
        """The other stories of this story's group of copies, fullest first (the
        group's head, the copy the list shows, comes first)."""
        sid = self.resolve_id(id_or_prefix)
        self.analyse_pending(ANALYSE_INLINE)
        return self._also_on(sid)
