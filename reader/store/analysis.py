"""The analysis of new stories: what related stories and copies are found by.

Stories wait in ``analysis_pending`` (as they wait in ``fts_pending`` for the full-text
index) and ``AnalysisStore.analyse_pending`` takes them in, in chunks, once they are in
the full-text index: for each story the number of analysed stories with each of its
terms goes up (``term_documents``: the idf of related stories), its MinHash signature
is stored (``copy_signatures``: 63 bytes), and a story whose signature mostly agrees
with that of a stored story holding its heaviest words joins that story's group of
copies. The candidates are found by the full-text index itself (``COPY_TERMS`` words,
the newest ``COPY_READ`` stories holding each), so nothing else is stored per story:
cache migration 16 dropped the per-story postings and MinHash bands, which made the
cache 2.1x newsboat's instead of 1.3x. A group is named by its fullest copy
(``similarity.fullest``: the most text other copies confirm), the one the story list
shows and opening the story opens; its stories keep their text's length
(``text_length``) so that a story's copies are ordered without unpacking them.
Nothing is reclustered: each story is looked up once.

The text is read and hashed outside the write transaction, so a chunk holds the write
lock only for its inserts. Document frequencies count every analysed version of a
story (an updated story counts again, a deleted one stays counted): an idf that is
off by the few stories that changed.
"""

from __future__ import annotations

import json
import logging
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from reader.base.similarity import (
    COPY_RESEMBLANCE,
    features,
    fullest,
    idf,
    resemblance,
    term_weights,
)
from reader.store.query import STOPWORDS
from reader.store.search import SEARCH_INDEXES, SearchStore

log = logging.getLogger(__name__)

ANALYSIS_CHUNK = 2000
"""Stories analysed per write transaction."""

ANALYSE_INLINE = 2000
"""Pending stories a lookup (related stories, copies, top stories, a listing) analyses
before it answers, about two seconds' worth: a longer backlog (a cache migrated, a
first refresh of many feeds) is the background's work (the app's, or ``reader index``)."""

COPY_TERMS = 8
"""A new story's heaviest words (tf-idf) by which the full-text index finds the stories
that may be its copies: a copy keeps the names and rare words of its story."""

COPY_READ = 200
"""Newest stories holding each of those words read from the index, so that finding a
story's candidates costs the same in any cache."""

MAX_CANDIDATES = 20
"""Most stories (those holding the most of its words) checked as copies of a new story."""

MAX_GROUP = 64
"""A group of copies grows no larger (a site template shared by many pages stops here)."""

_PAUSE_S = 0.12
"""Between two chunks, so that the app's other connection gets the write lock."""


@dataclass
class _Analysed:
    rowid: int
    group: int | None
    signature: bytes | None
    words: list[str]


class AnalysisStore(SearchStore):
    """Keeps the document frequencies, the signatures and the groups of copies up to
    date."""

    def analyse_pending(self, limit: int | None = None) -> int:
        """Analyse the stories stored since the last analysis that are in the full-text
        index (about ``limit`` of them at most, the oldest first); returns how many. A
        short backlog of the index is indexed first (a chunk's worth, or with no
        ``limit`` ``SEARCH_INDEXES``); a longer one is the background's
        (``index_pending`` without a limit, then this)."""
        if not self.writable:
            return 0
        self.index_pending(SEARCH_INDEXES if limit is None else max(limit, ANALYSIS_CHUNK))
        done = 0
        while limit is None or done < limit:
            rows = self._conn.execute(
                "SELECT p.story_rowid, s.title, unpack(s.body, s.body_html), s.story_group"
                " FROM analysis_pending p"
                " JOIN stories s ON s.rowid = p.story_rowid"
                " WHERE NOT EXISTS"
                " (SELECT 1 FROM fts_pending f WHERE f.story_rowid = p.story_rowid)"
                " ORDER BY p.story_rowid LIMIT ?",
                (ANALYSIS_CHUNK,),
            ).fetchall()
            if not rows:
                orphans = self._conn.execute(
                    "SELECT count(*) FROM analysis_pending p"
                    " WHERE NOT EXISTS (SELECT 1 FROM stories s WHERE s.rowid = p.story_rowid)"
                ).fetchone()
                if orphans[0]:  # rows whose story is gone
                    with self._write():
                        self._conn.execute(
                            "DELETE FROM analysis_pending WHERE NOT EXISTS"
                            " (SELECT 1 FROM stories s WHERE s.rowid = story_rowid)"
                        )
                return done
            if done:
                time.sleep(_PAUSE_S)
            try:
                self._analyse(rows)
            except _Raced:
                log.info("another process analysed part of a chunk: reading it again")
                continue
            done += len(rows)
        return done

    def _frequencies(self, terms: Iterable[str]) -> tuple[dict[str, int], int]:
        """How many analysed stories have each of ``terms`` (those any has), and how
        many stories were analysed."""
        known = dict(
            self._conn.execute(
                "SELECT term, documents FROM term_documents"
                " WHERE term IN (SELECT value FROM json_each(?))",
                (json.dumps(list(terms)),),
            ).fetchall()
        )
        stored = self._conn.execute("SELECT value FROM analysis_totals WHERE name = 'stories'")
        total: int = stored.fetchone()[0]
        return known, total

    def pending_analysis(self) -> int:
        """How many stored stories wait for ``analyse_pending``."""
        count: int = self._conn.execute("SELECT count(*) FROM analysis_pending").fetchone()[0]
        return count

    def _analyse(self, rows: list[tuple[int, str, str, int | None]]) -> None:
        conn = self._conn
        analysed_text = [features(title, body, STOPWORDS) for _, title, body, _ in rows]
        counts = [count for count, _ in analysed_text]
        chunk_df: Counter[str] = Counter(term for c in counts for term in c)
        known, total = self._frequencies(chunk_df)
        total += len(rows)
        idfs = {term: idf(known.get(term, 0) + n, total) for term, n in chunk_df.items()}
        analysed: list[_Analysed] = []
        for (rowid, _, _, group), (count, sig) in zip(rows, analysed_text, strict=True):
            heaviest = list(term_weights(count, idfs, COPY_TERMS)) if sig is not None else []
            analysed.append(_Analysed(rowid, group, sig, heaviest))
        ids = json.dumps([a.rowid for a in analysed])
        with self._write():
            taken = conn.execute(
                "DELETE FROM analysis_pending"
                " WHERE story_rowid IN (SELECT value FROM json_each(?))",
                (ids,),
            ).rowcount
            if taken != len(analysed):  # another process analysed some meanwhile
                raise _Raced
            conn.executemany(
                "INSERT INTO term_documents (term, documents) VALUES (?, ?)"
                " ON CONFLICT (term) DO UPDATE SET documents = documents + excluded.documents",
                chunk_df.items(),
            )
            conn.execute(
                "UPDATE analysis_totals SET value = value + ? WHERE name = 'stories'",
                (len(analysed),),
            )
            conn.executemany(
                "INSERT OR REPLACE INTO copy_signatures (story_rowid, signature) VALUES (?, ?)",
                [(a.rowid, a.signature) for a in analysed if a.signature is not None],
            )
            for story in analysed:
                if story.signature is not None:
                    self._group(story)

    def _group(self, story: _Analysed) -> None:
        """Join the story to the group of its copies: the analysed stories holding the
        most of its heaviest words whose signatures mostly agree with its own."""
        if story.group is not None or story.signature is None or not story.words:
            return
        per_word = (
            "SELECT * FROM (SELECT rowid AS r FROM stories_fts WHERE stories_fts MATCH ?"
            " ORDER BY rowid DESC LIMIT ?)"
        )
        params: list[object] = []
        for word in story.words:
            params += [f'"{word}"', COPY_READ]
        candidates = self._conn.execute(
            "SELECT c.story_rowid, c.signature FROM copy_signatures c WHERE c.story_rowid IN"
            " (SELECT r FROM (" + " UNION ALL ".join([per_word] * len(story.words)) + ")"
            " WHERE r != ? GROUP BY r ORDER BY count(*) DESC, r DESC LIMIT ?)",
            [*params, story.rowid, MAX_CANDIDATES],
        ).fetchall()
        copies = [
            other
            for other, theirs in candidates
            if resemblance(story.signature, theirs) >= COPY_RESEMBLANCE
        ]
        if copies:
            self._join(story.rowid, copies)

    def _join(self, rowid: int, copies: list[int]) -> None:
        """Make ``rowid`` and its ``copies`` (with their groups) one group, named by the
        fullest of them; the new story is read if the story was."""
        conn = self._conn
        named = json.dumps([rowid, *copies])
        members = conn.execute(
            "SELECT rowid, title, unpack(body, body_html), id FROM stories"
            " WHERE rowid IN (SELECT value FROM json_each(?1))"
            " OR story_group IN (SELECT coalesce(story_group, rowid) FROM stories"
            " WHERE rowid IN (SELECT value FROM json_each(?1)))",
            (named,),
        ).fetchall()
        if len(members) > MAX_GROUP:
            log.info("story %s left out of a group of %d copies", rowid, len(members))
            return
        members.sort(key=lambda m: m[0])  # the first stored wins a tie
        head = members[fullest([m[2] for m in members])][0]
        conn.executemany(
            "UPDATE stories SET story_group = ?, text_length = ? WHERE rowid = ?",
            [(head, len(m[2]), m[0]) for m in members],
        )
        ids = [m[3] for m in members]
        conn.execute(
            "INSERT INTO user.read_marks (story_id, read_at)"
            " SELECT s.id, r.read_at FROM stories s,"
            " (SELECT max(read_at) AS read_at FROM user.read_marks"
            "  WHERE story_id IN (SELECT value FROM json_each(?1))) r"
            " WHERE s.rowid = ?2 AND r.read_at IS NOT NULL"
            " ON CONFLICT (story_id) DO NOTHING",
            (json.dumps(ids), rowid),
        )


class _Raced(Exception):
    """Another process analysed part of the chunk first: the transaction is undone."""
