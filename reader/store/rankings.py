"""Top stories: the rows for the rankings; ``reader.base.ranking`` ranks them."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from reader.base.models import Headline
from reader.base.ranking import (
    TopCandidate,
    TopStory,
    most_covered,
    rank_headlines,
    same_headlines,
    top_stories,
)
from reader.store.analysis import ANALYSE_INLINE, AnalysisStore
from reader.store.base import CHUNK, LISTED

TOP_WINDOW = 2000
"""Top stories are chosen among this many of the newest stories."""


class RankingStore(AnalysisStore):
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

    def top_stories(self, limit: int = 30, window: int = TOP_WINDOW) -> list[TopStory]:
        """Top stories across the cache (``reader.base.ranking.top_stories``): the newest
        ``window`` stories, one entry for each group of copies, weighed by how many sites
        carry them, the ranking lists that name them, reactions and age."""
        self.analyse_pending(ANALYSE_INLINE)
        conn = self._conn
        newest = conn.execute(
            f"SELECT sort_key FROM stories s WHERE {LISTED} ORDER BY sort_key DESC LIMIT 1"
        ).fetchone()
        if newest is None:
            return []
        top_time = _hours(newest[0])
        rows = conn.execute(
            "SELECT s.rowid, s.id, s.title, s.sort_key FROM (SELECT rowid AS r FROM stories s"
            f" WHERE {LISTED} ORDER BY sort_key DESC, rowid DESC LIMIT ?) page"
            " JOIN stories s ON s.rowid = page.r",
            (window,),
        ).fetchall()
        heads = {row[0]: row for row in rows}
        copies: dict[int, list[tuple[str, str | None, str, int]]] = {}
        for head, sid, site, key, reactions in conn.execute(
            "SELECT coalesce(story_group, rowid), id, site, title_key, coalesce(reactions, 0)"
            " FROM stories WHERE rowid IN (SELECT value FROM json_each(?1))"
            " OR story_group IN (SELECT value FROM json_each(?1))"
            " ORDER BY rowid = coalesce(story_group, rowid) DESC,"
            " length(unpack(body, body_html)) DESC",
            (json.dumps(list(heads)),),
        ):
            copies.setdefault(head, []).append((sid, site, key, reactions))
        keys = {key for members in copies.values() for _, _, key, _ in members}
        ranked: dict[str, tuple[float, int]] = {}
        for start in range(0, len(keys), CHUNK):
            chunk = list(keys)[start : start + CHUNK]
            for key, score, lists in conn.execute(
                # (rounded: a sum kept entry by entry drifts by 1e-16, and equal scores tie)
                "SELECT title_key, round(score, 9), lists FROM ranking_scores"
                f" WHERE title_key IN ({','.join('?' * len(chunk))})",
                chunk,
            ):
                ranked[key] = (score, lists)
        groups = [copies.get(rowid, [(sid, None, "", 0)]) for rowid, sid, _, _ in rows]
        # Other sites' stories with their own text and a headline telling the same story
        # count as sources too (each such story is then not an entry of its own).
        alike = same_headlines([members[0][2] for members in groups])
        taken: set[int] = set()
        candidates = []
        for n, (_, sid, title, sort_key) in enumerate(rows):
            if n in taken:
                continue
            members = list(groups[n])
            for other in alike[n]:
                if other not in taken:
                    members += groups[other]
            sites = {m[1] or m[0] for m in members}
            if len(sites) > len({m[1] or m[0] for m in groups[n]}):
                taken.update(alike[n])
            best = max((ranked.get(key, (0.0, 0)) for _, _, key, _ in members), default=(0.0, 0))
            candidates.append(
                TopCandidate(
                    id=sid,
                    title=title,
                    ids=tuple(dict.fromkeys(m[0] for m in members)),
                    sites=len(sites),
                    ranked=best[0],
                    lists=best[1],
                    reactions=max(m[3] for m in members),
                    age_hours=top_time - _hours(sort_key),
                )
            )
        return top_stories(candidates, limit)


def _hours(stamp: str | None) -> float:
    """Hours since 1970 of an ISO 8601 time as stored (0 for one that does not parse)."""
    if not stamp:
        return 0.0
    try:
        when = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return 0.0
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.timestamp() / 3600
