"""The user's marks: bookmarks (each with its own copy of the story) and read marks."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from reader.base.models import Story
from reader.store.base import StoryFilter
from reader.store.rows import timestamp
from reader.store.stories import StoryStore


class MarkStore(StoryStore):
    """Bookmarks and read marks; they hang on story ids, so they outlive the cache."""

    def set_bookmark(self, id_or_prefix: str, on: bool = True) -> Story:
        """Bookmark (with a copy of the story) or unbookmark; returns the story."""
        sid = self.resolve_id(id_or_prefix)
        conn = self._conn
        with self._write():
            if on:
                conn.execute(
                    "INSERT INTO user.bookmarks (story_id, bookmarked_at, title, site, section,"
                    " published, author, reactions, url, canonical_url, source, body,"
                    " body_html, lists, sort_key) SELECT id, ?, title, site, section,"
                    " published, author, reactions, url, canonical_url, source, body,"
                    " body_html, lists, sort_key FROM stories WHERE id = ?"
                    " ON CONFLICT (story_id) DO NOTHING",
                    (timestamp(), sid),
                )
            else:
                conn.execute("DELETE FROM user.bookmarks WHERE story_id = ?", (sid,))
        return self.get(sid)

    def mark_all_read(
        self, flt: StoryFilter = StoryFilter(), ids: Sequence[str] | None = None
    ) -> int:
        """Mark read every story ``flt`` selects, or the stories ``ids`` name (a search's
        results); returns how many were unread."""
        now = timestamp()
        if ids is not None:
            return self._conn.execute(
                "INSERT INTO user.read_marks (story_id, read_at)"
                " SELECT value, ? FROM json_each(?) WHERE true"
                " ON CONFLICT (story_id) DO NOTHING",
                (now, json.dumps(list(ids))),
            ).rowcount
        params: list[Any] = [now]
        column, source, where = self._selected(flt, params)
        return self._conn.execute(  # an upsert's SELECT needs a WHERE to parse
            f"INSERT INTO user.read_marks (story_id, read_at) SELECT {column}, ? {source}"
            f"{where or ' WHERE true'} ON CONFLICT (story_id) DO NOTHING",
            params,
        ).rowcount

    def set_read(self, id_or_prefix: str, read: bool = True) -> Story:
        """Mark a story read or unread; returns the story."""
        sid = self.resolve_id(id_or_prefix)
        if read:
            self._conn.execute(
                "INSERT INTO user.read_marks (story_id, read_at) VALUES (?, ?)"
                " ON CONFLICT (story_id) DO NOTHING",
                (sid, timestamp()),
            )
        else:
            self._conn.execute("DELETE FROM user.read_marks WHERE story_id = ?", (sid,))
        return self.get(sid)
