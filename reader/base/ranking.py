"""Top stories as pure functions: the cache-wide ranking and the most covered stories.

The store fetches the rows (``reader.store.rankings``); what ranks them is here, on
plain values, so it can be read and tested without a database.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from reader.base.models import Headline

COMMON_WORDS = frozenset(
    "about after again also been before being could from have into just more most over "
    "said says than that their them then there these they this what when where which while "
    "will with would your year years news".split()
)
"""Longer words common in any news headline: they tell two stories apart poorly."""


def rank_headlines(
    top: Sequence[tuple[str, str, float]],
    stories: Mapping[str, tuple[str, int, str, str]],
    limit: int,
) -> list[Headline]:
    """The ranking across every page's ranking list, best first.

    ``top`` is ``(title_key, title, score)`` for the best-scored headlines (a headline
    scores ``1 / (position + 1)`` for each list it is in); ``stories`` maps a title
    key to the cached story with that title, ``(id, reactions or -1, sort_key,
    title)``. Ties go to the story with more reactions, then the newer one, then the
    title; a headline with no cached story keeps its own title and no id.
    """
    entries = [
        (round(score, 9), *stories.get(key, (None, -1, "", title))) for key, title, score in top
    ]
    entries.sort(key=lambda e: e[4])  # title, then the more important keys, stably
    entries.sort(key=lambda e: e[3], reverse=True)  # newer
    entries.sort(key=lambda e: (e[0], e[2]), reverse=True)  # score, reactions
    return [Headline(title, None, article_id) for _, article_id, _, _, title in entries][:limit]


def most_covered(rows: Sequence[tuple[str, str, str, str | None]], limit: int) -> list[Headline]:
    """The stories most sources carry, from ``rows`` of ``(id, title, title_key, site)``
    newest first.

    Two stories are the same story when their titles share at least two telling
    words and at least half of the shorter title's (a word in more than one title
    in ten tells nothing, and would make this quadratic). A story scores the
    number of distinct sites among it and its matches; each group is shown once,
    by its newest story, with its count of sources. Groups carried by one source
    only are left out.
    """
    words, overlaps = _overlaps([row[2] for row in rows])
    groups: list[tuple[int, int, list[int]]] = []  # (-sources, index, members)
    for i, (ws, shared) in enumerate(zip(words, overlaps, strict=True)):
        members = [j for j, n in shared.items() if n >= 2 and 2 * n >= min(len(ws), len(words[j]))]
        sources = len({rows[k][3] or rows[k][0] for k in (i, *members)})
        if sources >= 2:
            groups.append((-sources, i, members))
    groups.sort()
    taken: set[int] = set()
    top: list[Headline] = []
    for minus_sources, i, members in groups:
        if i in taken:
            continue
        taken.update((i, *members))
        top.append(Headline(f"{rows[i][1]} ({-minus_sources} sources)", None, rows[i][0]))
        if len(top) == limit:
            break
    return top


def _overlaps(keys: Sequence[str]) -> tuple[list[set[str]], list[Counter[int]]]:
    """Each folded headline's telling words, and for each the other headlines sharing
    some, with how many. A word in more than one headline in ten tells nothing (and
    would make this quadratic)."""
    words = [{w for w in key.split() if len(w) >= 4 and w not in COMMON_WORDS} for key in keys]
    seen = Counter(w for ws in words for w in ws)
    telling = max(50, len(keys) // 10)
    words = [{w for w in ws if seen[w] <= telling} for ws in words]
    postings: dict[str, list[int]] = {}
    for i, ws in enumerate(words):
        for w in ws:
            postings.setdefault(w, []).append(i)
    overlaps = [Counter(j for w in ws for j in postings[w] if j != i) for i, ws in enumerate(words)]
    return words, overlaps


def same_headlines(keys: Sequence[str]) -> list[list[int]]:
    """For each folded headline, the others that tell the same story: titles sharing at
    least two telling words and half of the shorter one's, and either three words or
    all of the shorter one's ("Ferry collision closes bridge" and "Ferry collision:
    bridge stays closed"; not "Rivals go to extra time" and "Firms get extra time")."""
    words, overlaps = _overlaps(keys)
    matches = []
    for ws, shared in zip(words, overlaps, strict=True):
        found = []
        for j, n in shared.items():
            shorter = min(len(ws), len(words[j]))
            if n >= 2 and 2 * n >= shorter and (n >= 3 or n == shorter):
                found.append(j)
        matches.append(found)
    return matches


@dataclass(frozen=True)
class TopCandidate:
    """A story as top stories weigh it: one group of copies (or a story alone)."""

    id: str
    """The copy the list shows (the group's fullest)."""
    title: str
    ids: tuple[str, ...]
    """Every copy, the shown one first."""
    sites: int
    """Distinct sites among the copies."""
    ranked: float
    """Sum over the pages' ranking lists of 1 / (position + 1) (0: in none)."""
    lists: int
    """How many ranking lists name it."""
    reactions: int
    """The most reactions any copy has."""
    age_hours: float
    """How much older than the newest story in the cache."""


@dataclass(frozen=True)
class TopStory:
    """An entry of top stories, with why it ranks where it does."""

    id: str
    title: str
    sources: int
    ids: tuple[str, ...]
    score: float
    why: str

    def to_dict(self) -> dict[str, object]:
        """The JSON shape of ``reader top --json``."""
        return {
            "id": self.id,
            "title": self.title,
            "sources": self.sources,
            "ids": list(self.ids),
            "score": self.score,
            "why": self.why,
        }


HALF_LIFE_HOURS = 36.0
"""A story loses half its weight for every this many hours it is older than the newest
story in the cache (the newest, not the clock: a cache of old pages still ranks)."""


def top_stories(candidates: Sequence[TopCandidate], limit: int) -> list[TopStory]:
    """Top stories, best first: what readers of news expect to rank high.

    A story's weight is 1, plus 1 for every other site that carries it, plus twice
    its ranking-list score (first in one list: 2), plus a third of log(1 + reactions),
    halved every ``HALF_LIFE_HOURS`` of age. Ties go to the newer story, then the title.
    """
    scored = []
    for c in candidates:
        weight = 1.0 + (c.sites - 1) + 2.0 * c.ranked + math.log1p(max(c.reactions, 0)) / 3
        score = weight * 0.5 ** (max(c.age_hours, 0.0) / HALF_LIFE_HOURS)
        scored.append((round(score, 6), -c.age_hours, c.title, c))
    scored.sort(key=lambda e: (-e[0], -e[1], e[2]))
    return [TopStory(c.id, c.title, c.sites, c.ids, score, _why(c)) for score, _, _, c in scored][
        :limit
    ]


def _why(c: TopCandidate) -> str:
    parts = [f"carried by {c.sites} sources" if c.sites > 1 else "one source"]
    if c.lists:
        parts.append(f"in {c.lists} ranking list{'s' if c.lists > 1 else ''}")
    if c.reactions > 0:
        parts.append(f"{c.reactions} reactions")
    if c.age_hours < 1:
        parts.append("among the newest")
    else:
        hours = round(c.age_hours)
        parts.append(
            f"{hours} h older than the newest"
            if hours < 48
            else f"{hours // 24} days older than the newest"
        )
    return " · ".join(parts)
