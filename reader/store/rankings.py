"""Top stories: the rows for the rankings; ``reader.base.ranking`` ranks them."""

from __future__ import annotations

from reader.base.models import Headline
from reader.base.ranking import most_covered, rank_headlines
from reader.store.base import CHUNK, StoreBase


class RankingStore(StoreBase):
    """The cache-wide ranking and the most covered stories."""

    def cache_wide_ranking(self, limit: int = 30) -> list[Headline]:
        """Headlines ranked across every ingested ranking list (``rank_headlines``).

        A headline scores ``1 / (position + 1)`` for each list it appears in (so
        being first in many lists wins; the scores are kept by triggers as pages
        come and go); ties go to the story with more reactions, then the newer one.
        Entries resolve to cached stories by folded title.
        """
        top = self._conn.execute(
            "SELECT title_key, title, score FROM ranking_scores ORDER BY score DESC LIMIT ?",
            (limit * 2,),
        ).fetchall()
        keys = [row[0] for row in top]
        stories: dict[str, tuple[str, int, str, str]] = {}
        for start in range(0, len(keys), CHUNK):
            chunk = keys[start : start + CHUNK]
            rows = self._conn.execute(
                "SELECT title_key, id, coalesce(reactions, -1), sort_key, title FROM stories"
                f" WHERE title_key IN ({','.join('?' * len(chunk))}) ORDER BY sort_key",
                chunk,
            )
            stories.update({row[0]: tuple(row[1:]) for row in rows})  # the newest wins
        return rank_headlines([tuple(row) for row in top], stories, limit)

    def most_covered(self, limit: int = 30, window: int = 1000) -> list[Headline]:
        """The stories most sources carry, among the newest ``window``: top stories for
        a cache whose pages bring no ranking lists (feeds, plain text). How stories are
        grouped and scored: ``reader.base.ranking.most_covered``."""
        rows = self._conn.execute(
            "SELECT s.id, s.title, s.title_key, s.site FROM (SELECT rowid AS r FROM stories"
            " ORDER BY sort_key DESC, rowid DESC LIMIT ?) page JOIN stories s ON s.rowid = page.r"
            " ORDER BY s.sort_key DESC, s.rowid DESC",
            (window,),
        ).fetchall()
        return most_covered([tuple(row) for row in rows], limit)
