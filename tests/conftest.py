"""Shared fixtures: every test runs with a temporary home, never the user's folders."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from reader.base.paths import Paths, resolve_paths
from reader.store import Store

FIXTURES = Path(__file__).parent / "fixtures"
PAGES = FIXTURES / "pages"
SEED = FIXTURES / "seed" / "seed.txt"
"""The page the product was designed from (shared/seeds/), kept here as its specification."""


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point HOME and the XDG folders at a temporary place for every test."""
    fake = tmp_path / "user-home"
    monkeypatch.setenv("HOME", str(fake))
    for var in ("XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME"):
        monkeypatch.setenv(var, str(fake / var.lower()))
    monkeypatch.delenv("READER_HOME", raising=False)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


@pytest.fixture
def paths(home: Path) -> Paths:
    return resolve_paths(home)


@pytest.fixture
def store(paths: Paths) -> Iterator[Store]:
    with Store(paths) as opened:
        yield opened


def run_reader(
    home: Path,
    *args: str,
    timeout: float = 60,
    env: dict[str, str] | None = None,
    **kwargs: object,
) -> subprocess.CompletedProcess[str]:
    """Run the installed ``reader`` (``python -P -m reader``) with ``--home``.

    ``-P``: the package comes from the install, never from the current folder (the
    checkout), so the tests try what a user has. ``env`` replaces the environment.
    """
    env = dict(os.environ if env is None else env)
    env.pop("READER_HOME", None)
    return subprocess.run(
        [sys.executable, "-P", "-m", "reader", "--home", str(home), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        **kwargs,  # type: ignore[arg-type]
    )


def undo_ranking_lists(conn: sqlite3.Connection) -> None:
    """Take a cache's ranking back to how it was before cache migration 20 (no list
    counts, migration 1's triggers), for tests that make a cache an older reader left."""
    conn.execute("DROP TRIGGER ranking_entries_insert")
    conn.execute("DROP TRIGGER ranking_entries_delete")
    conn.execute("ALTER TABLE ranking_scores DROP COLUMN lists")
    conn.execute(
        "CREATE TRIGGER ranking_entries_insert AFTER INSERT ON ranking_entries BEGIN"
        " INSERT INTO ranking_scores (title_key, title, score)"
        " VALUES (new.title_key, new.title, 1.0 / (new.position + 1))"
        " ON CONFLICT (title_key) DO UPDATE SET score = score + excluded.score; END"
    )
    conn.execute(
        "CREATE TRIGGER ranking_entries_delete AFTER DELETE ON ranking_entries BEGIN"
        " UPDATE ranking_scores SET score = score - 1.0 / (old.position + 1)"
        " WHERE title_key = old.title_key;"
        " DELETE FROM ranking_scores WHERE title_key = old.title_key AND score < 1e-9; END"
    )
