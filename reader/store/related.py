"""Related stories: the stories a story's whole text is closest to, for the related
pane and ``reader related``."""

from __future__ import annotations

import json
from typing import NamedTuple

from reader.base.clean import title_key
from reader.base.models import Headline
from reader.base.similarity import (
    COPY_RESEMBLANCE,
    QUERY_TERMS,
    idf,
    resemblance,
    term_counts,
    term_weights,
    words,
)
from reader.store.analysis import ANALYSE_INLINE, WEIGHT_SCALE, AnalysisStore
from reader.store.query import STOPWORDS
from reader.store.search import SearchStore

POSTINGS_READ = 8000
"""Postings one related search reads, shared among its terms by their squared weight (a
term's share of the query vector): the heaviest postings of each, so the cost does not
grow with the cache."""

MIN_PER_TERM = 16
"""Postings read for a term however light it is in the query."""


MIN_SIMILAR = 0.1
"""Lowest score the related pane shows. On the BBC set, related stories scoring 0.1 to
0.15 share the story's topic 90% of the time, under 0.1 only 71%."""


class RelatedStory(NamedTuple):
    """A story related to another, with its score (higher is closer)."""

    id: str
    title: str
    site: str | None
    url: str | None
    score: float


def related_words(text: str) -> list[str]:
    """The folded words of ``text`` worth matching on (no stopwords, no lone digits)."""
    return words(text, STOPWORDS)


class RelatedStore(AnalysisStore, SearchStore):
    """Stories related to a story by its text."""

    def similar(self, story_id: str, limit: int = 10) -> list[Headline]:
        """``related`` as headlines, for the related pane (each opens its story); only
        those scoring ``MIN_SIMILAR`` or more."""
        found = self.related(story_id, limit)
        return [Headline(r.title, None, r.id) for r in found if r.score >= MIN_SIMILAR]

    def related(self, story_id: str, limit: int = 10) -> list[RelatedStory]:
        """Stories related to this one by its whole text, best first.

        The story's ``QUERY_TERMS`` heaviest terms (sublinear tf-idf over title and
        body, document frequencies as analysed) are looked up in the related postings,
        where every analysed story keeps its ``DOC_TERMS`` heaviest terms ordered by
        weight; each term reads its heaviest postings, ``POSTINGS_READ`` in all, so the
        cost does not grow with the cache. The score is the dot product of the two
        vectors (a cosine). Copies of the story never take a place: the same group of
        copies, the same link (canonical or not), the same folded title, or most of
        its shingles.
        """
        conn = self._conn
        row = conn.execute(
            "SELECT rowid, title, unpack(body, body_html), coalesce(canonical_url, url),"
            " coalesce(story_group, rowid) FROM stories WHERE id = ?",
            (story_id,),
        ).fetchone()
        if row is None:
            return []
        rowid, title, body, link, group = row
        self.analyse_pending(ANALYSE_INLINE)
        counts = term_counts(title, body, STOPWORDS)
        frequency, total = self._frequencies(counts)
        idfs = {term: idf(n, total) for term, n in frequency.items()}
        query = term_weights(counts, idfs, QUERY_TERMS)
        if not query:
            return []
        # One statement, summed in SQLite: each term's heaviest postings, weighted.
        per_term = (
            "SELECT * FROM (SELECT story_rowid, weight * ? AS score FROM related_postings"
            " WHERE term = ? ORDER BY weight DESC LIMIT ?)"
        )
        sql = (
            "SELECT story_rowid, sum(score) AS total FROM ("
            + " UNION ALL ".join([per_term] * len(query))
            + ") WHERE story_rowid != ? GROUP BY story_rowid ORDER BY total DESC LIMIT ?"
        )
        params: list[object] = []
        for term, weight in query.items():
            params += [weight, term, max(MIN_PER_TERM, round(POSTINGS_READ * weight * weight))]
        best = conn.execute(sql, [*params, rowid, limit * 3 + 10]).fetchall()
        own_key = title_key(title)
        details = {
            r[0]: r[1:]
            for r in conn.execute(
                "SELECT s.rowid, s.id, s.title, s.site, s.url, coalesce(s.canonical_url, s.url),"
                " coalesce(s.story_group, s.rowid), unpack(s.body, s.body_html), c.signature"
                " FROM stories s"
                " LEFT JOIN copy_signatures c ON c.story_rowid = s.rowid"
                " WHERE s.rowid IN (SELECT value FROM json_each(?))",
                (json.dumps([rowid] + [other for other, _ in best]),),
            )
        }
        own_signature = details[rowid][-1] if rowid in details else None
        found: list[RelatedStory] = []
        for other, score in best:
            if other not in details:
                continue
            sid, other_title, site, url, other_link, other_group, _, theirs = details[other]
            if other_group == group or (link and other_link == link):
                continue
            if title_key(other_title) == own_key:
                continue
            if own_signature and theirs:
                if resemblance(own_signature, theirs) >= COPY_RESEMBLANCE:
                    continue
            elif _short_copy(title, body, other_title, details[other][-2]):
                continue
            found.append(RelatedStory(sid, other_title, site, url, round(score / WEIGHT_SCALE, 4)))
            if len(found) == limit:
                break
        return found


SHORT_COPY_OVERLAP = 0.8
"""For stories too short for a signature: share of words in common (Jaccard) from
which one is a copy of the other."""


def _short_copy(title: str, body: str, other_title: str, other_body: str) -> bool:
    """Whether two stories, one too short to have a signature, say the same words."""
    own = set(related_words(f"{title} {body}"))
    theirs = set(related_words(f"{other_title} {other_body}"))
    return len(own & theirs) / (len(own | theirs) or 1) >= SHORT_COPY_OVERLAP
