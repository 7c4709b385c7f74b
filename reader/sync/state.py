"""Sync's own database, ``sync.sqlite3`` in the data dir (beside the user's marks).

It holds what a sync needs to know of the last one, and nothing the store holds:

* ``items``: each server entry seen, the story it became, and the read and starred
  marks both sides agreed on at the last sync (the snapshot). A push is the
  difference between the snapshot and the marks here now, so a mark made offline is
  pushed by the next sync that reaches the server, and once: the snapshot moves to it
  as soon as the server has taken it.
* ``feeds``: the server's subscriptions, their folders as the last sync set them as
  tags, and whether sync added the subscription to reader (only those are removed
  when the server drops them).
* ``meta``: the account it belongs to (another account starts afresh), the pull
  cursor and the last sync's time.

No password, token or key is ever written here.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

from reader.base.errors import SchemaTooNew
from reader.store import schema

BUSY_TIMEOUT_S = 60.0

MIGRATIONS: list[str] = [
    # 1: the account, the entries seen with their last agreed marks, the subscriptions
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
    CREATE TABLE items (
        item_id TEXT PRIMARY KEY,
        story_id TEXT NOT NULL,
        feed_id TEXT NOT NULL,
        read INTEGER,
        starred INTEGER
    ) WITHOUT ROWID;
    CREATE INDEX items_by_story ON items (story_id);
    CREATE TABLE feeds (
        feed_id TEXT PRIMARY KEY,
        url TEXT NOT NULL,
        folders TEXT NOT NULL DEFAULT '[]',
        ours INTEGER NOT NULL DEFAULT 0
    ) WITHOUT ROWID;
    """,
]


class SyncStateTooNew(RuntimeError):
    """``sync.sqlite3`` was written by a newer reader."""


@dataclass(frozen=True)
class Item:
    """An entry seen on the server: its story here, and the last agreed marks (None:
    not agreed yet, a new entry)."""

    item_id: str
    story_id: str
    feed_id: str
    read: bool | None
    starred: bool | None


@dataclass(frozen=True)
class FeedRecord:
    """A server subscription as the last sync left it."""

    feed_id: str
    url: str
    folders: tuple[str, ...]
    ours: bool
    """Sync added it to reader (it was not subscribed here before)."""


def migrate(conn: sqlite3.Connection, migrations: list[str]) -> None:
    """Bring the database up to date with the store's migration runner (append-only
    migrations, one transaction); a newer one is ``SyncStateTooNew``."""
    try:
        schema.migrate(conn, "sync", migrations)
    except SchemaTooNew as exc:
        raise SyncStateTooNew(f"sync: {exc}") from exc


class SyncState:
    """``sync.sqlite3`` for one account; a new account (service, URL or user) starts
    with an empty state."""

    def __init__(self, path: Path, account: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode = WAL")
        self._conn.execute("PRAGMA synchronous = NORMAL")
        migrate(self._conn, MIGRATIONS)
        if self.get("account") != account:
            with self.transaction():
                for table in ("items", "feeds", "meta"):
                    self._conn.execute(f"DELETE FROM {table}")
                self._set("account", account)

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> SyncState:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def transaction(self) -> AbstractContextManager[None]:
        """One write transaction: committed, or rolled back on any exception."""
        return schema.write_transaction(self._conn)

    # -- meta ----------------------------------------------------------------------------

    def get(self, key: str) -> str | None:
        row = self._conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def _set(self, key: str, value: str | None) -> None:
        if value is None:
            self._conn.execute("DELETE FROM meta WHERE key = ?", (key,))
        else:
            self._conn.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    def set(self, key: str, value: str | None) -> None:
        """Set (or with None, forget) one value."""
        self._set(key, value)

    # -- entries -------------------------------------------------------------------------

    def items(self) -> dict[str, Item]:
        """Every entry seen, by its server id."""
        rows = self._conn.execute("SELECT item_id, story_id, feed_id, read, starred FROM items")
        return {
            r[0]: Item(r[0], r[1], r[2], None if r[3] is None else bool(r[3]),
                       None if r[4] is None else bool(r[4]))
            for r in rows
        }  # fmt: skip

    def add_items(self, rows: Iterable[tuple[str, str, str]]) -> None:
        """Record ``(item_id, story_id, feed_id)`` for entries pulled; known ones keep their
        snapshot (their story id is brought up to date)."""
        self._conn.executemany(
            "INSERT INTO items (item_id, story_id, feed_id) VALUES (?, ?, ?)"
            " ON CONFLICT (item_id) DO UPDATE SET story_id = excluded.story_id,"
            " feed_id = excluded.feed_id",
            list(rows),
        )

    def settle(self, marks: Iterable[tuple[str, bool, bool]]) -> None:
        """Record ``(item_id, read, starred)`` as what both sides now agree on."""
        self._conn.executemany(
            "UPDATE items SET read = ?, starred = ? WHERE item_id = ?",
            [(int(read), int(starred), item) for item, read, starred in marks],
        )

    def settle_one(self, column: str, items: Iterable[str], value: bool) -> None:
        """Record one mark (``read`` or ``starred``) as agreed for these entries."""
        if column not in ("read", "starred"):
            raise ValueError(column)
        self._conn.executemany(
            f"UPDATE items SET {column} = ? WHERE item_id = ?",
            [(int(value), item) for item in items],
        )

    # -- subscriptions -------------------------------------------------------------------

    def feeds(self) -> dict[str, FeedRecord]:
        rows = self._conn.execute("SELECT feed_id, url, folders, ours FROM feeds")
        return {r[0]: FeedRecord(r[0], r[1], tuple(json.loads(r[2])), bool(r[3])) for r in rows}

    def set_feed(self, record: FeedRecord) -> None:
        self._conn.execute(
            "INSERT INTO feeds (feed_id, url, folders, ours) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (feed_id) DO UPDATE SET url = excluded.url,"
            " folders = excluded.folders, ours = excluded.ours",
            (record.feed_id, record.url, json.dumps(list(record.folders)), int(record.ours)),
        )

    def drop_feed(self, feed_id: str) -> None:
        self._conn.execute("DELETE FROM feeds WHERE feed_id = ?", (feed_id,))
