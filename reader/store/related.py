"""Related stories: the stories a story's whole text is closest to, for the related
pane and ``reader related``."""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections import Counter
from typing import NamedTuple

from reader.base.clean import title_key
from reader.base.models import Headline
from reader.store.query import STOPWORDS
from reader.store.search import SearchStore

RELATED_TERMS = 16
"""How many of a story's most telling words (by tf-idf) its related search uses."""

COPY_OVERLAP = 0.8
"""Share of words two stories have in common (Jaccard) from which one is a copy."""


class RelatedStory(NamedTuple):
    """A story related to another, with its score (higher is closer)."""

    id: str
    title: str
    site: str | None
    url: str | None
    score: float


_WORD = re.compile(r"[^\W_]+")


def _fold(word: str) -> str:
    """A word as the index keeps it: lower case, without diacritics."""
    if word.isascii():
        return word
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def related_words(text: str) -> list[str]:
    """The folded words of ``text`` worth matching on (no stopwords, no lone digits).

    A regular expression splits them, close to the index's tokenizer and many times
    faster than ``query.tokens``: a related search splits dozens of bodies.
    """
    folded = (_fold(w) for w in _WORD.findall(text.lower()))
    return [w for w in folded if len(w) > 2 and not w.isdigit() and w not in STOPWORDS]


class RelatedStore(SearchStore):
    """Stories related to a story by its text."""

    def similar(self, story_id: str, limit: int = 10) -> list[Headline]:
        """``related`` as headlines, for the related pane (each opens its story)."""
        return [Headline(r.title, None, r.id) for r in self.related(story_id, limit)]

    def related(self, story_id: str, limit: int = 10) -> list[RelatedStory]:
        """Stories related to this one by its whole text, best first.

        The story's most telling words (``RELATED_TERMS`` of them, by tf-idf over its
        title and body, document frequencies from the index's vocabulary) are one OR
        query, ranked by BM25 (title weighted over body): one index lookup, no scan.
        Copies of the story never take a place: same link (canonical or not), same
        folded title, or ``COPY_OVERLAP`` of their words in common.
        """
        conn = self._conn
        row = conn.execute(
            "SELECT rowid, title, body, coalesce(canonical_url, url) FROM stories WHERE id = ?",
            (story_id,),
        ).fetchone()
        if row is None:
            return []
        rowid, title, body, link = row
        self.index_pending()
        counts = Counter(related_words(title) * 3 + related_words(body))
        if not counts:
            return []
        conn.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS temp.stories_vocab"
            " USING fts5vocab(main, stories_fts, row)"
        )
        total = conn.execute("SELECT count(*) FROM stories_fts_docsize").fetchone()[0] or 1
        frequency = dict(
            conn.execute(
                "SELECT term, doc FROM temp.stories_vocab"
                " WHERE term IN (SELECT value FROM json_each(?))",
                (json.dumps(list(counts)),),
            ).fetchall()
        )
        weights = {
            word: count * math.log(total / frequency[word])
            for word, count in counts.items()
            if frequency.get(word, 0) > 1  # a word no other story has finds nothing
        }
        best = sorted(weights, key=lambda word: (-weights[word], word))[:RELATED_TERMS]
        if not best:
            return []
        match = " OR ".join(f'"{word}"' for word in best)
        own_words = set(related_words(title + " " + body))
        own_key = title_key(title)
        found: list[RelatedStory] = []
        rows = conn.execute(
            "SELECT s.id, s.title, s.site, s.url, coalesce(s.canonical_url, s.url), s.body,"
            " bm25(stories_fts, 2.0, 1.0) FROM stories_fts f JOIN stories s ON s.rowid = f.rowid"
            " WHERE stories_fts MATCH ? AND f.rowid != ? ORDER BY rank LIMIT ?",
            (match, rowid, limit * 3 + 10),
        )
        for sid, other_title, site, url, other_link, other_body, rank in rows:
            if (link and other_link == link) or title_key(other_title) == own_key:
                continue
            other_words = set(related_words(other_title + " " + other_body))
            union = len(own_words | other_words) or 1
            if len(own_words & other_words) / union >= COPY_OVERLAP:
                continue
            found.append(RelatedStory(sid, other_title, site, url, round(-rank, 4)))
            if len(found) == limit:
                break
        return found
