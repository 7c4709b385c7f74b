"""Related stories: the stories a story's whole text is closest to, for the related
pane and ``reader related``."""

from __future__ import annotations

import json
from collections.abc import Collection
from typing import NamedTuple

from reader.base.clean import title_key
from reader.base.models import Headline
from reader.base.similarity import (
    COPY_RESEMBLANCE,
    DOC_TERMS,
    QUERY_TERMS,
    idf,
    resemblance,
    term_counts,
    term_weights,
    words,
)
from reader.store.analysis import ANALYSE_INLINE, AnalysisStore
from reader.store.query import STOPWORDS

MATCH_TERMS = 48
"""The asking story's heaviest terms by which the full-text index finds candidates. On
the BBC set precision@5 is 0.912 with 16, 0.917 with 24 (and 6,000 read), 0.928 with 48
(and 8,000 read), for no cost one could measure."""

MATCHES_READ = 8000
"""Newest stories holding one of those terms read from the index, shared among the
terms by their squared weight (a term's share of the query vector), so the cost does
not grow with the cache."""

MIN_PER_TERM = 32
"""Stories read for a term however light it is in the query."""

CANDIDATES_OVER = 10
"""Stories scored exactly (each one's vector made from its text: about 0.3 ms each) for
a related search of ``limit``: twice the limit and this many more, those holding the
heaviest share of the query's terms. On the BBC set (limit 5) precision@5 is 0.923
with 15 scored, 0.928 with 20, 0.929 with 30."""

FREQUENCIES_KEPT = 30_000
"""Terms whose document frequency a store remembers between related searches (they are
exact until the next analysis changes the count of analysed stories)."""

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


class RelatedStore(AnalysisStore):
    """Stories related to a story by its text."""

    _known_total: int | None = None
    _known: dict[str, int]

    def _remembered_frequencies(self, terms: Collection[str]) -> tuple[dict[str, int], int]:
        """``_frequencies``, with those of the terms asked since the last analysis
        remembered (``FREQUENCIES_KEPT``): consecutive stories share most words."""
        (total,) = self._conn.execute(
            "SELECT value FROM analysis_totals WHERE name = 'stories'"
        ).fetchone()
        if total != self._known_total or len(self._known) > FREQUENCIES_KEPT:
            self._known, self._known_total = {}, total
        known = self._known
        missing = [term for term in terms if term not in known]
        if missing:
            found, total = self._frequencies(missing)
            known.update((term, found.get(term, 0)) for term in missing)
        return {term: known[term] for term in terms if known[term]}, total

    def similar(self, story_id: str, limit: int = 10) -> list[Headline]:
        """``related`` as headlines, for the related pane (each opens its story); only
        those scoring ``MIN_SIMILAR`` or more."""
        found = self.related(story_id, limit)
        return [Headline(r.title, None, r.id) for r in found if r.score >= MIN_SIMILAR]

    def related(self, story_id: str, limit: int = 10) -> list[RelatedStory]:
        """Stories related to this one by its whole text, best first ("more like this"
        from the full-text index: nothing is stored for it but document frequencies).

        The story's ``QUERY_TERMS`` heaviest terms (sublinear tf-idf over title and
        body, document frequencies as analysed) make its vector. The full-text index
        gives the newest stories holding each of its ``MATCH_TERMS`` heaviest,
        ``MATCHES_READ`` in all, so the cost does not grow with the cache; twice
        ``limit`` and ``CANDIDATES_OVER`` more, those holding the heaviest share of the
        vector, are read, and each is scored by the dot product of the two vectors (a
        cosine; its vector of its ``DOC_TERMS`` heaviest terms and ``RARE_TERMS`` words
        no other story has, made from its text). Copies of the story never take a
        place: the same group of copies, the same link (canonical or not), the same
        folded title, or most of its shingles.
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
        frequency, total = self._remembered_frequencies(counts)
        idfs = {term: idf(n, total) for term, n in frequency.items()}
        query = term_weights(counts, idfs, QUERY_TERMS)
        if not query:
            return []
        asked = list(query.items())[:MATCH_TERMS]  # heaviest first
        # One statement: the newest stories holding each term, by the query weight they hold.
        per_term = (
            "SELECT * FROM (SELECT rowid AS r, ? AS w FROM stories_fts WHERE stories_fts MATCH ?"
            " ORDER BY rowid DESC LIMIT ?)"
        )
        params: list[object] = []
        for term, weight in asked:
            params += [weight, f'"{term}"', max(MIN_PER_TERM, round(MATCHES_READ * weight**2))]
        sql = (
            "SELECT r FROM (" + " UNION ALL ".join([per_term] * len(asked)) + ")"
            " WHERE r != ? GROUP BY r ORDER BY sum(w) DESC, r DESC LIMIT ?"
        )
        chosen = [r for (r,) in conn.execute(sql, [*params, rowid, 2 * limit + CANDIDATES_OVER])]
        details = {
            r[0]: r[1:]
            for r in conn.execute(
                "SELECT s.rowid, s.id, s.title, s.site, s.url, coalesce(s.canonical_url, s.url),"
                " coalesce(s.story_group, s.rowid), unpack(s.body, s.body_html), c.signature"
                " FROM stories s"
                " LEFT JOIN copy_signatures c ON c.story_rowid = s.rowid"
                " WHERE s.rowid IN (SELECT value FROM json_each(?))",
                (json.dumps([rowid, *chosen]),),
            )
        }
        own_signature = details[rowid][-1] if rowid in details else None
        theirs_counts = {
            other: term_counts(details[other][1], details[other][6], STOPWORDS)
            for other in chosen
            if other in details
        }
        unknown = {t for c in theirs_counts.values() for t in c}.difference(counts)
        more, _ = self._remembered_frequencies(unknown)
        idfs.update((term, idf(n, total)) for term, n in more.items())
        rare_idf = idf(2, total)  # as if one more story had it: a unique word counts too
        scored = []
        for other, other_counts in theirs_counts.items():
            rare = {term: rare_idf for term in other_counts if not idfs.get(term)}
            vector = term_weights(other_counts, idfs, DOC_TERMS, rare)
            score = sum(weight * query.get(term, 0.0) for term, weight in vector.items())
            if score > 0:
                scored.append((score, other))
        scored.sort(key=lambda pair: (-pair[0], -pair[1]))
        own_key = title_key(title)
        found: list[RelatedStory] = []
        for score, other in scored:
            sid, other_title, site, url, other_link, other_group, other_body, theirs = details[
                other
            ]
            if other_group == group or (link and other_link == link):
                continue
            if title_key(other_title) == own_key:
                continue
            if own_signature and theirs:
                if resemblance(own_signature, theirs) >= COPY_RESEMBLANCE:
                    continue
            elif _short_copy(title, body, other_title, other_body):
                continue
            found.append(RelatedStory(sid, other_title, site, url, round(score, 4)))
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
