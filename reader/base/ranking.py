"""Top stories as pure functions: the cache-wide ranking and the most covered stories.

The store fetches the rows (``reader.store.rankings``); what ranks them is here, on
plain values, so it can be read and tested without a database.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

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
    words = [{w for w in row[2].split() if len(w) >= 4 and w not in COMMON_WORDS} for row in rows]
    seen = Counter(w for ws in words for w in ws)
    telling = max(50, len(rows) // 10)
    words = [{w for w in ws if seen[w] <= telling} for ws in words]
    postings: dict[str, list[int]] = {}
    for i, ws in enumerate(words):
        for w in ws:
            postings.setdefault(w, []).append(i)
    groups: list[tuple[int, int, list[int]]] = []  # (-sources, index, members)
    for i, ws in enumerate(words):
        shared = Counter(j for w in ws for j in postings[w] if j != i)
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
