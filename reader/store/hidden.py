"""Hidden stories: the ones an ``[[ignore]]`` rule with ``action = "hide"`` keeps out
of sight.

They live in a table of their own (``hidden_stories``), not in ``stories``: nothing
that lists, counts, searches or analyses stories sees them, and they cost those
queries nothing. Each records the rule that hid it, so a story comes back (into
``stories``, as new) when its rule is gone or it no longer matches.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Sequence

from reader.store.base import StoreBase
from reader.store.rows import StoryRow, timestamp


class HiddenStore(StoreBase):
    """Stories hidden by the killfile."""

    def hide_rows(self, rows: Sequence[tuple[StoryRow, str]]) -> int:
        """Keep ``(row, rule)`` hidden, in one transaction: stored here, and taken out of
        the listed stories if one was there. A row hidden already, unchanged and by the
        same rule, costs one read. Returns how many were not hidden before."""
        if not rows:
            return 0
        conn = self._conn
        before = self._hidden_as(row.source for row, _ in rows)
        changed = [(row, rule) for row, rule in rows
                   if before.get(row.source) != (row.content_hash, rule)]  # fmt: skip
        if not changed:
            return 0
        now = timestamp()
        sources = json.dumps([row.source for row, _ in changed])
        with self._write():
            conn.executemany(
                "INSERT INTO hidden_stories (source, id, feed_url, title, content_hash, rule,"
                " hidden_at, row) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (source) DO UPDATE SET title = excluded.title,"
                " content_hash = excluded.content_hash, rule = excluded.rule, row = excluded.row",
                [
                    (row.source, row.id, row.feed_url, row.title, row.content_hash, rule, now,
                     json.dumps(row[:-1], ensure_ascii=False))
                    for row, rule in changed
                ],
            )  # fmt: skip
            conn.execute(
                "DELETE FROM stories WHERE source IN (SELECT value FROM json_each(?))", (sources,)
            )
        return len({row.source for row, _ in changed} - set(before))

    def forget_hidden(self, sources: Sequence[str]) -> int:
        """Stop hiding ``sources`` (their stories no longer match a rule: a refresh stores
        them as it stores any story). Returns how many were hidden."""
        if not sources or not self.any_hidden():
            return 0
        found = list(self._hidden_as(sources))
        if not found:
            return 0
        with self._write():
            return self._conn.execute(
                "DELETE FROM hidden_stories WHERE source IN (SELECT value FROM json_each(?))",
                (json.dumps(found),),
            ).rowcount

    def release_hidden(self, feed_url: str, rules: Collection[str]) -> list[StoryRow]:
        """The feed's stories hidden by a rule that is not among ``rules`` (its rule was
        removed or changed), taken out of hiding: the caller stores them."""
        if not self.any_hidden():
            return []
        conn = self._conn
        with self._write():
            found = conn.execute(
                "SELECT source, row FROM hidden_stories WHERE feed_url = ?"
                " AND rule NOT IN (SELECT value FROM json_each(?))",
                (feed_url, json.dumps(list(rules))),
            ).fetchall()
            conn.execute(
                "DELETE FROM hidden_stories WHERE source IN (SELECT value FROM json_each(?))",
                (json.dumps([source for source, _ in found]),),
            )
        return [StoryRow._make([*json.loads(row), ()]) for _, row in found]

    def trim_hidden(self, feed_url: str, keep: int) -> int:
        """Forget the feed's hidden stories beyond the ``keep`` hidden last (as
        ``trim_feed`` keeps its listed ones to ``max_stories``). Returns how many went."""
        if not self.any_hidden():
            return 0
        with self._write():
            return self._conn.execute(
                "DELETE FROM hidden_stories WHERE feed_url = :url AND rowid NOT IN"
                " (SELECT rowid FROM hidden_stories WHERE feed_url = :url"
                "  ORDER BY rowid DESC LIMIT :keep)",
                {"url": feed_url, "keep": keep},
            ).rowcount

    def hidden_count(self, feed_url: str | None = None) -> int:
        """How many stories are hidden (of the feed at ``feed_url``, if given)."""
        if feed_url is None:
            count: int = self._conn.execute("SELECT count(*) FROM hidden_stories").fetchone()[0]
        else:
            count = self._conn.execute(
                "SELECT count(*) FROM hidden_stories WHERE feed_url = ?", (feed_url,)
            ).fetchone()[0]
        return count

    def _hidden_as(self, sources: Iterable[str]) -> dict[str, tuple[str, str]]:
        """``(content_hash, rule)`` of each of ``sources`` that is hidden."""
        rows = self._conn.execute(
            "SELECT source, content_hash, rule FROM hidden_stories"
            " WHERE source IN (SELECT value FROM json_each(?))",
            (json.dumps(list(sources)),),
        )
        return {source: (digest, rule) for source, digest, rule in rows}

    def any_hidden(self) -> bool:
        """Whether the killfile hides any story at all (a refresh without rules and
        without hidden stories has nothing to release or forget)."""
        return bool(self._conn.execute("SELECT 1 FROM hidden_stories LIMIT 1").fetchone())
