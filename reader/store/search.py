"""Search: the full-text index, kept up lazily, and the queries over it.

New stories wait in ``fts_pending`` until the index is next used (``index_pending``),
which keeps a refresh of thousands of items fast; ``reader.store.query`` turns what
the user typed into a safe FTS5 query.
"""

from __future__ import annotations

import time

from reader.base.models import Story
from reader.store.base import LIST_COLUMNS, StoreBase, row_story
from reader.store.query import match_all, match_any

INDEX_CHUNK = 10_000
"""Most stories ``Store.index_pending`` adds to the full-text index in one transaction."""

_INDEX_PAUSE_S = 0.12
"""Between two such transactions: longer than SQLite's longest wait (100 ms) between
two tries of a writer that found the database busy, so such a writer gets its turn."""


class SearchStore(StoreBase):
    """The full-text index and searching it."""

    def index_pending(self) -> int:
        """Add the stories stored since the index was last used to the full-text index;
        returns how many.

        A few thousand stories (a refresh's worth) go in one statement; a longer backlog
        (the index rebuilt by a migration, a first refresh of many feeds) goes in
        transactions of ``INDEX_CHUNK`` stories with a pause between them, so that the
        app's other connection can mark a story read meanwhile.
        """
        if not self.writable:  # a read-only home: search what is indexed already
            return 0
        conn = self._conn
        added = 0
        while conn.execute("SELECT EXISTS (SELECT 1 FROM fts_pending)").fetchone()[0]:
            if added:
                time.sleep(_INDEX_PAUSE_S)
            with self._write():
                last = conn.execute(
                    "SELECT story_rowid FROM fts_pending ORDER BY story_rowid LIMIT 1 OFFSET ?",
                    (INDEX_CHUNK - 1,),
                ).fetchone()
                upto = -1 if last is None else last[0]  # -1: all of them
                added += conn.execute(
                    "INSERT INTO stories_fts (rowid, title, body)"
                    " SELECT s.rowid, s.title, s.body FROM fts_pending p"
                    " JOIN stories s ON s.rowid = p.story_rowid"
                    " WHERE ?1 < 0 OR p.story_rowid <= ?1",
                    (upto,),
                ).rowcount
                conn.execute("DELETE FROM fts_pending WHERE ?1 < 0 OR story_rowid <= ?1", (upto,))
        return added

    def search(
        self, query: str, limit: int = 200, with_lists: bool = False, any_words: bool = False
    ) -> list[Story]:
        """Stories whose title or body contain every word of ``query``, best first.

        Any text is a query (``reader.store.query`` says how it is read); one without
        words finds nothing. With ``any_words`` (a headline looking for its story) a
        story needs only one of its telling words, and those with more rank first.
        """
        match = match_any(query) if any_words else match_all(query)
        if match is None:
            return []
        self.index_pending()
        sql = (
            f"SELECT {LIST_COLUMNS.format(id='s.id')} FROM stories_fts f"
            " JOIN stories s ON s.rowid = f.rowid"
            " LEFT JOIN user.bookmarks b ON b.story_id = s.id"
            " WHERE stories_fts MATCH ? ORDER BY bm25(stories_fts, 5.0, 1.0) LIMIT ?"
        )
        rows = self._conn.execute(sql, (match, limit)).fetchall()
        stories = [row_story(row) for row in rows]
        if with_lists:
            self._attach_lists(stories, rows)
        return stories
