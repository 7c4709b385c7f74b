"""A damaged cache, a read-only home, a full disk: each said in one line that names
the file and the way out, and none of them costs a bookmark or a stored story.

The read-only and full-disk tests need a small file system of their own: they
mount a tmpfs (root, as in CI) and are skipped where that is not allowed.
"""

from __future__ import annotations

import json
import random
import string
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from conftest import FIXTURES, PAGES, run_reader

RSS = FIXTURES / "feeds" / "harbour.rss"


def _first_id(home: Path) -> str:
    return json.loads(run_reader(home, "list", "--json").stdout)[0]["id"]


def _damage(path: Path) -> None:
    with path.open("r+b") as handle:
        handle.write(b"this is no longer an SQLite database file")


@pytest.fixture
def loaded(home: Path) -> tuple[Path, str]:
    assert run_reader(home, "ingest", str(PAGES)).returncode == 0
    assert run_reader(home, "feed", "add", str(RSS)).returncode == 0
    story = _first_id(home)
    assert run_reader(home, "bookmark", story).returncode == 0
    return home, story


def test_a_damaged_cache_is_named_and_the_bookmarks_stay_listable(
    loaded: tuple[Path, str],
) -> None:
    home, story = loaded
    cache = home / "cache" / "stories.sqlite3"
    _damage(cache)

    listed = run_reader(home, "list")
    assert listed.returncode == 1
    (line,) = listed.stderr.splitlines()
    assert line.startswith(f"reader: the story cache {cache} is damaged (")
    assert "Deleting it is safe" in line and str(home / "data" / "user.sqlite3") in line
    assert "'reader repair'" in line

    bookmarks = run_reader(home, "list", "--bookmarked", "--json")
    assert bookmarks.returncode == 0
    assert [s["id"] for s in json.loads(bookmarks.stdout)] == [story]
    assert run_reader(home, "feed", "list").returncode == 0

    refused = run_reader(home, "bookmark", story)  # writing needs the cache: refused, said
    assert refused.returncode == 1 and "is damaged" in refused.stderr

    repaired = run_reader(home, "repair")
    assert repaired.returncode == 0, repaired.stderr
    assert "set the damaged story cache aside as" in repaired.stdout
    assert len(list(cache.parent.glob("stories.sqlite3.damaged-*"))) == 1
    assert run_reader(home, "list").returncode == 0
    after = json.loads(run_reader(home, "list", "--bookmarked", "--json").stdout)
    assert [s["id"] for s in after] == [story]
    feeds = json.loads(run_reader(home, "feed", "list", "--json").stdout)
    assert len(feeds) == 1
    refreshed = run_reader(home, "refresh")  # the new cache fills again
    assert refreshed.returncode == 0, refreshed.stderr
    assert run_reader(home, "repair").stdout.startswith("both databases read whole")


def test_damaged_bookmarks_are_never_set_aside(loaded: tuple[Path, str]) -> None:
    home, _ = loaded
    user_db = home / "data" / "user.sqlite3"
    _damage(user_db)
    result = run_reader(home, "repair")
    assert result.returncode == 1
    assert f"your bookmarks and read marks, {user_db}, are damaged" in result.stderr
    assert user_db.exists() and not list(user_db.parent.glob("*.damaged-*"))


@contextmanager
def _tmpfs(where: Path, size: str) -> Iterator[Path]:
    where.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
        capture_output=True,
    )
    if mounted.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True)


def _remount(where: Path, options: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{options}", str(where)], check=True)


def test_a_read_only_home_reads_and_says_why_it_cannot_write(tmp_path: Path) -> None:
    with _tmpfs(tmp_path / "fs", "16m") as fs:
        home = fs / "home"
        assert run_reader(home, "ingest", str(PAGES)).returncode == 0
        story = _first_id(home)
        _remount(fs, "ro")
        try:
            listed = run_reader(home, "list", "--json")
            assert listed.returncode == 0, listed.stderr
            assert len(json.loads(listed.stdout)) == 2
            assert run_reader(home, "show", story).returncode == 0
            refused = run_reader(home, "bookmark", story)
            assert refused.returncode == 1
            assert refused.stderr.startswith("reader: ") and "is read-only" in refused.stderr
            assert len(refused.stderr.splitlines()) == 1
        finally:
            _remount(fs, "rw")


def test_a_full_disk_prints_the_summary_and_the_next_run_works(tmp_path: Path) -> None:
    pages = tmp_path / "pages"
    pages.mkdir()
    # One text for every page, of random words: the cache compresses a story's text
    # (cache migration 14), so a repeated sentence would no longer fill the disk.
    rng = random.Random(16)
    paragraph = " ".join("".join(rng.choices(string.ascii_lowercase, k=6)) for _ in range(1400))
    for n in range(300):
        text = f"Story number {n} about the harbour\n{paragraph}\n"
        (pages / f"page{n}.txt").write_text(text)
    with _tmpfs(tmp_path / "fs", "600k") as fs:
        home = fs / "home"
        full = run_reader(home, "ingest", str(pages))
        assert full.returncode == 1
        assert "is full" in full.stderr and "Traceback" not in full.stderr
        assert full.stdout.startswith("ingested 0, ") and "stopped" in full.stdout
        assert run_reader(home, "list").returncode == 0  # the cache still opens
        _remount(fs, "size=64m")
        again = run_reader(home, "ingest", str(pages))
        assert again.returncode == 0, again.stderr
        assert "ingested 300" in again.stdout
        # 300 pages of one text are copies of one story: --copies lists each
        assert len(json.loads(run_reader(home, "list", "--copies", "--json").stdout)) == 300
