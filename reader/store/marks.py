"""The user's marks: bookmarks (each with its own copy of the story) and read marks,
and undo for the last mark change the app made (``mark_undo``, ``bookmark_undo``)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, replace
from typing import Any

from reader.base.models import Story
from reader.store.base import UNREAD_READ_TRIGGER, UNREAD_UNREAD_TRIGGER, StoryFilter
from reader.store.rows import timestamp
from reader.store.stories import StoryStore


@dataclass(frozen=True)
class MarkUndone:
    """What ``undo_last_mark`` gave back."""

    mark: str
    """``"read"`` or ``"bookmark"``."""
    stories: int
    """How many stories (copies included) have their mark as it was again."""
    on: bool
    """The mark they have now: read (bookmarked) again, or unread (unbookmarked) again."""


class MarkStore(StoryStore):
    """Bookmarks and read marks; they hang on story ids, so they outlive the cache.

    A change made with ``undoable=True`` (the app's) records exactly the stories it
    changed, in the same transaction, replacing the record of the change before; a
    change without it (the command line, sync) leaves the record alone.
    ``undo_last_mark`` puts those stories' marks back.
    """

    def set_bookmark(self, id_or_prefix: str, on: bool = True, *, undoable: bool = False) -> Story:
        """Bookmark (with a copy of the story) or unbookmark it, whichever of its copies on
        other sites holds the bookmark; returns the story."""
        sid = self.resolve_id(id_or_prefix)
        conn = self._conn
        with self._write():
            if undoable:
                self._forget_undo()
            if on:
                if undoable:
                    conn.execute(
                        "INSERT INTO user.mark_undo (story_id, mark, was_on)"
                        " SELECT ?1, 'bookmark', 0 WHERE EXISTS (SELECT 1 FROM stories"
                        " WHERE id = ?1) AND NOT EXISTS"
                        " (SELECT 1 FROM user.bookmarks WHERE story_id = ?1)",
                        (sid,),
                    )
                conn.execute(
                    "INSERT INTO user.bookmarks (story_id, bookmarked_at, title, site, section,"
                    " published, author, reactions, url, canonical_url, source, body,"
                    " body_html, lists, sort_key) SELECT id, ?, title, site, section,"
                    " published, author, reactions, url, canonical_url, source,"
                    " unpack(body, body_html), unpack(body_html), unpack(lists), sort_key"
                    " FROM stories"
                    " WHERE id = ?"
                    " ON CONFLICT (story_id) DO NOTHING",
                    (timestamp(), sid),
                )
            else:  # a story is bookmarked as a whole: whichever copy holds the bookmark
                ids = json.dumps([sid, *(copy.id for copy in self._also_on(sid))])
                if undoable:
                    conn.execute(
                        "INSERT INTO user.bookmark_undo SELECT * FROM user.bookmarks"
                        " WHERE story_id IN (SELECT value FROM json_each(?))",
                        (ids,),
                    )
                    conn.execute(
                        "INSERT INTO user.mark_undo (story_id, mark, was_on)"
                        " SELECT story_id, 'bookmark', 1 FROM user.bookmark_undo"
                    )
                conn.execute(
                    "DELETE FROM user.bookmarks WHERE story_id IN (SELECT value FROM json_each(?))",
                    (ids,),
                )
        return self.get(sid)

    def mark_all_read(
        self,
        flt: StoryFilter = StoryFilter(),
        ids: Sequence[str] | None = None,
        *,
        undoable: bool = False,
    ) -> int:
        """Mark read every story ``flt`` selects, or the stories ``ids`` name (a search's
        results); returns how many were unread."""
        params: list[Any] = []
        if ids is not None:  # with their copies: a story is read as a whole
            listed = json.dumps(list(ids))
            selected = (
                "SELECT value AS id FROM json_each(?) UNION SELECT g.id FROM stories s"
                " JOIN stories g ON g.story_group = s.story_group"
                " WHERE s.id IN (SELECT value FROM json_each(?)) AND s.story_group IS NOT NULL"
            )
            params += [listed, listed]
        else:
            # Every copy, not only the one a grouped list shows: a story is read as a whole.
            column, source, where = self._selected(replace(flt, grouped=False), params)
            selected = f"SELECT {column} AS id {source}{where}"
        everything = (
            self._unread_filled()
            and ids is None
            and not flt.bookmarked
            and not self._where(replace(flt, grouped=False, unread=False), "s.id", "s.site", [])
        )
        dropped = (
            self._trigger_dropped("unread_read", UNREAD_READ_TRIGGER)
            if everything
            else nullcontext()
        )
        with self._write(), dropped:
            if undoable:
                self._forget_undo()
                self._conn.execute(
                    "INSERT INTO user.mark_undo (story_id, mark, was_on)"
                    f" SELECT id, 'read', 0 FROM ({selected}) AS chosen WHERE NOT EXISTS"
                    " (SELECT 1 FROM user.read_marks r WHERE r.story_id = chosen.id)"
                    " ON CONFLICT (story_id) DO NOTHING",
                    params,
                )
                selected, params = "SELECT story_id AS id FROM user.mark_undo", []
            marked: int = self._conn.execute(  # an upsert's SELECT needs a WHERE to parse
                "INSERT INTO user.read_marks (story_id, read_at)"
                f" SELECT id, ? FROM ({selected}) WHERE true ON CONFLICT (story_id) DO NOTHING",
                [timestamp(), *params],
            ).rowcount
            if everything:  # every story is read now
                self._conn.execute("DELETE FROM unread")
        return marked

    def set_read(self, id_or_prefix: str, read: bool = True, *, undoable: bool = False) -> Story:
        """Mark a story read or unread, with its copies on other sites (a story is read
        as a whole); returns the story."""
        sid = self.resolve_id(id_or_prefix)
        ids = json.dumps([sid, *(copy.id for copy in self._also_on(sid))])
        conn = self._conn
        with self._write() if undoable else nullcontext():  # alone, each statement is one
            if undoable:
                self._forget_undo()
            if read:
                if undoable:
                    conn.execute(
                        "INSERT INTO user.mark_undo (story_id, mark, was_on)"
                        " SELECT value, 'read', 0 FROM json_each(?) WHERE NOT EXISTS"
                        " (SELECT 1 FROM user.read_marks r WHERE r.story_id = value)"
                        " ON CONFLICT (story_id) DO NOTHING",
                        (ids,),
                    )
                conn.execute(
                    "INSERT INTO user.read_marks (story_id, read_at) SELECT value, ?"
                    " FROM json_each(?) WHERE true ON CONFLICT (story_id) DO NOTHING",
                    (timestamp(), ids),
                )
            else:
                if undoable:
                    conn.execute(
                        "INSERT INTO user.mark_undo (story_id, mark, was_on, read_at)"
                        " SELECT story_id, 'read', 1, read_at FROM user.read_marks"
                        " WHERE story_id IN (SELECT value FROM json_each(?))",
                        (ids,),
                    )
                conn.execute(
                    "DELETE FROM user.read_marks WHERE story_id IN"
                    " (SELECT value FROM json_each(?))",
                    (ids,),
                )
        return self.get(sid)

    def undo_last_mark(self) -> MarkUndone | None:
        """Put back the marks the last undoable change changed (exactly those stories),
        once; None when there is nothing to undo."""
        conn = self._conn
        with self._write():
            row = conn.execute(
                "SELECT mark, was_on, count(*) FROM user.mark_undo GROUP BY mark, was_on"
                " ORDER BY count(*) DESC LIMIT 1"
            ).fetchone()
            if row is None:
                return None
            mark, was_on = row[0], bool(row[1])
            if mark == "read" and was_on:
                changed = conn.execute(
                    "INSERT INTO user.read_marks (story_id, read_at)"
                    " SELECT story_id, coalesce(read_at, ?) FROM user.mark_undo"
                    " WHERE mark = 'read' AND was_on ON CONFLICT (story_id) DO NOTHING",
                    (timestamp(),),
                ).rowcount
            elif mark == "read":
                with self._trigger_dropped("unread_unread", UNREAD_UNREAD_TRIGGER):
                    changed = conn.execute(
                        "DELETE FROM user.read_marks WHERE story_id IN"
                        " (SELECT story_id FROM user.mark_undo WHERE mark = 'read' AND NOT was_on)"
                    ).rowcount
                    conn.execute(  # in list order: the mirror's pages are filled in turn
                        "INSERT OR IGNORE INTO unread (sort_key, story_rowid, story_group)"
                        " SELECT s.sort_key, s.rowid, s.story_group FROM user.mark_undo m"
                        " JOIN stories s ON s.id = m.story_id"
                        " WHERE m.mark = 'read' AND NOT m.was_on ORDER BY 1, 2"
                    )
            elif was_on:
                changed = conn.execute(
                    "INSERT INTO user.bookmarks SELECT * FROM user.bookmark_undo"
                    " WHERE true ON CONFLICT (story_id) DO NOTHING"
                ).rowcount
            else:
                changed = conn.execute(
                    "DELETE FROM user.bookmarks WHERE story_id IN (SELECT story_id"
                    " FROM user.mark_undo WHERE mark = 'bookmark' AND NOT was_on)"
                ).rowcount
            self._forget_undo()
        return MarkUndone(mark, changed, was_on)

    @contextmanager
    def _trigger_dropped(self, name: str, trigger: str) -> Iterator[None]:
        """Inside the caller's transaction, the TEMP trigger ``name`` that keeps the
        unread mirror is dropped while the block does its work for all its rows in one
        statement, then made again (``trigger``); on an error the transaction's
        rollback brings it back."""
        self._conn.execute(f"DROP TRIGGER temp.{name}")
        yield
        self._conn.execute(trigger)

    def _forget_undo(self) -> None:
        """Drop the record of the last change (inside the caller's transaction)."""
        self._conn.execute("DELETE FROM user.mark_undo")
        self._conn.execute("DELETE FROM user.bookmark_undo")
