"""The user's marks: bookmarks (each with its own copy of the story) and read marks."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from reader.base.models import Story
from reader.store.base import StoryFilter
from reader.store.rows import timestamp
from reader.store.stories import StoryStore


class MarkStore(StoryStore):
    """Bookmarks and read marks; they hang on story ids, so they outlive the cache."""

    def set_bookmark(self, id_or_prefix: str, on: bool = True) -> Story:
        """Bookmark (with a copy of the story) or unbookmark it, whichever of its copies on
        other sites holds the bookmark; returns the story."""
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
            else:  # a story is bookmarked as a whole: whichever copy holds the bookmark
                ids = [sid, *(copy.id for copy in self._also_on(sid))]
                conn.execute(
                    "DELETE FROM user.bookmarks WHERE story_id IN (SELECT value FROM json_each(?))",
                    (json.dumps(ids),),
                )
        return self.get(sid)

    def mark_all_read(
        self, flt: StoryFilter = StoryFilter(), ids: Sequence[str] | None = None
    ) -> int:
        """Mark read every story ``flt`` selects, or the stories ``ids`` name (a search's
        results); returns how many were unread."""
        now = timestamp()
        if ids is not None:
            return self._conn.execute(  # with their copies: a story is read as a whole
                "INSERT INTO user.read_marks (story_id, read_at)"
                " SELECT id, ?1 FROM (SELECT value AS id FROM json_each(?2)"
                " UNION SELECT g.id FROM stories s JOIN stories g ON g.story_group = s.story_group"
                " WHERE s.id IN (SELECT value FROM json_each(?2)) AND s.story_group IS NOT NULL)"
                " WHERE true ON CONFLICT (story_id) DO NOTHING",
                (now, json.dumps(list(ids))),
            ).rowcount
        params: list[Any] = [now]
        # Every copy, not only the one a grouped list shows: a story is read as a whole.
        column, source, where = self._selected(replace(flt, grouped=False), params)
        return self._conn.execute(  # an upsert's SELECT needs a WHERE to parse
            f"INSERT INTO user.read_marks (story_id, read_at) SELECT {column}, ? {source}"
            f"{where or ' WHERE true'} ON CONFLICT (story_id) DO NOTHING",
            params,
        ).rowcount

    def set_read(self, id_or_prefix: str, read: bool = True) -> Story:
        """Mark a story read or unread, with its copies on other sites (a story is read
        as a whole); returns the story."""
        sid = self.resolve_id(id_or_prefix)
        ids = json.dumps([sid, *(copy.id for copy in self._also_on(sid))])
        if read:
            self._conn.execute(
                "INSERT INTO user.read_marks (story_id, read_at)"
                " SELECT value, ? FROM json_each(?) WHERE true ON CONFLICT (story_id) DO NOTHING",
                (timestamp(), ids),
            )
        else:
            self._conn.execute(
                "DELETE FROM user.read_marks WHERE story_id IN (SELECT value FROM json_each(?))",
                (ids,),
            )
        return self.get(sid)
