"""What is wrong with a home's databases, as types with messages a user can act on.

SQLite's own words ("database disk image is malformed", "unable to open database
file", "attempt to write a readonly database") name neither the file nor the fix.
``diagnose`` turns such an error into a ``DatabaseDamaged``, ``HomeReadOnly`` or
``DiskFull`` (``reader.base.errors``) that says which file, what is safe, and what
to do. ``set_aside`` moves a damaged story cache out of the way so that a new one
can start: the cache only holds copies (bookmarks, read marks and feeds live in the
user database).
"""

from __future__ import annotations

import os
import sqlite3
from datetime import datetime
from pathlib import Path

from reader.base.errors import DatabaseDamaged, DiskFull, HomeReadOnly, StoreError
from reader.base.paths import Paths

__all__ = [
    "DatabaseDamaged",
    "DiskFull",
    "HomeReadOnly",
    "StoreError",
    "check",
    "diagnose",
    "set_aside",
]


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
