"""What is wrong with a home's databases, as types with messages a user can act on.

SQLite's own words ("database disk image is malformed", "unable to open database
file", "attempt to write a readonly database") name neither the file nor the fix.
``diagnose`` turns such an error into a ``DatabaseDamaged``, ``HomeReadOnly`` or
``DiskFull`` that says which file, what is safe, and what to do. ``set_aside``
moves a damaged story cache out of the way so that a new one can start: the cache
only holds copies (bookmarks, read marks and feeds live in the user database).
"""

from __future__ import annotations

import os
import sqlite3
from datetime import datetime
from pathlib import Path

from reader.base.paths import Paths


class StoreError(Exception):
    """A home's databases cannot be used as asked; the message says why and what to do."""


class DatabaseDamaged(StoreError):
    """One of the two database files is damaged."""

    def __init__(self, path: Path, is_cache: bool, reason: str, paths: Paths) -> None:
        self.path, self.is_cache, self.reason = path, is_cache, reason
        if is_cache:
            message = (
                f"the story cache {path} is damaged ({reason}). Deleting it is safe: your "
                f"bookmarks, read marks and feeds are kept in {paths.user_db}. "
                "'reader repair' sets it aside and starts a new one; then 'reader refresh' "
                "and 'reader ingest' fill it again"
            )
        else:
            message = (
                f"your bookmarks and read marks, {path}, are damaged ({reason}). Keep a "
                "copy of the file before anything else; sqlite3's .recover can save "
                "what is still readable"
            )
        super().__init__(message)


class HomeReadOnly(StoreError):
    """The home's folders cannot be written: reading works, changing does not."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        super().__init__(
            f"{folder} is read-only: reader can show your stories but not change them "
            "(ingest, refresh, bookmarks and read marks need to write there)"
        )


class DiskFull(StoreError):
    """The disk holding the home is full."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        super().__init__(
            f"the disk holding {folder} is full: what was stored before stays, and the "
            "next run works once there is space"
        )


_DAMAGED = ("malformed", "not a database", "file is encrypted", "corrupt")


def diagnose(paths: Paths, exc: sqlite3.Error) -> StoreError | None:
    """The ``StoreError`` behind ``exc``, or None when it is none of these."""
    text = str(exc).lower()
    if "database or disk is full" in text or getattr(exc, "sqlite_errorname", "") == "SQLITE_FULL":
        return DiskFull(paths.cache_dir.parent)
    if any(word in text for word in _DAMAGED):
        for path, is_cache in ((paths.cache_db, True), (paths.user_db, False)):
            reason = check(path)
            if reason is not None:
                return DatabaseDamaged(path, is_cache, reason, paths)
        return DatabaseDamaged(paths.cache_db, True, str(exc), paths)
    if "readonly" in text or "read-only" in text or "unable to open" in text:
        for folder in (paths.cache_dir, paths.data_dir):
            if folder.exists() and not os.access(folder, os.W_OK):
                return HomeReadOnly(folder)
    return None


def check(path: Path) -> str | None:
    """Why the database at ``path`` is damaged, or None when it reads whole."""
    if not path.exists():
        return None
    try:
        conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
        try:
            rows = conn.execute("PRAGMA quick_check(5)").fetchall()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        return str(exc)
    problems = [row[0] for row in rows if row[0] != "ok"]
    return "; ".join(problems) or None


def set_aside(path: Path) -> Path:
    """Rename a damaged database (and its -wal and -shm files) out of the way."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.damaged-{stamp}")
    os.replace(path, target)
    for suffix in ("-wal", "-shm"):
        companion = path.with_name(path.name + suffix)
        if companion.exists():
            os.replace(companion, target.with_name(target.name + suffix))
    return target
