"""A killed ingest leaves a consistent cache; a second process waits instead of failing."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

from reader.base.paths import resolve_paths
from reader.store import Store, packing

from conftest import run_reader


def _write_pages(folder: Path, count: int) -> None:
    folder.mkdir()
    body = "\n".join(f"Paragraph {n} of a generated story about nothing much." for n in range(8))
    for i in range(count):
        title = f"Generated story number {i}"
        related = "".join(f"- Generated story number {(i + k) % count}\n" for k in range(1, 6))
        (folder / f"{i:05d}.txt").write_text(
            f"Current:Home > Bench{title} -Bench Site\n{title}\nView\n"
            f"Date:2025-01-01 00:00:{i % 60:02d}\n{body}\nveryGood! ({i})\nRelated\n{related}",
            encoding="utf-8",
        )


def _count(db: Path) -> int:
    try:
        with sqlite3.connect(db, timeout=5) as conn:
            return conn.execute("SELECT count(*) FROM stories").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def test_sigkill_mid_ingest_leaves_whole_stories_only(home: Path, tmp_path: Path) -> None:
    pages = tmp_path / "pages"
    _write_pages(pages, 4000)
    db = home / "cache" / "stories.sqlite3"
    proc = subprocess.Popen(
        [sys.executable, "-m", "reader", "--home", str(home), "ingest", str(pages)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while _count(db) == 0 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    stored = _count(db)
    assert 0 < stored < 4000, "the kill should land mid-ingest"

    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        packing.register(conn)  # the lists are stored packed (migration 19)
        incomplete = conn.execute(
            "SELECT count(*) FROM stories"
            " WHERE json_array_length(unpack(lists), '$.related') != 5"
            " OR body = '' OR reactions IS NULL"
        ).fetchone()[0]
        assert incomplete == 0
    with Store(resolve_paths(home)) as store:  # search indexes what the kill left pending
        assert len(store.search("generated", limit=10_000)) == stored
    with sqlite3.connect(db) as conn:
        packing.register(conn)  # the index reads the text through them (migration 14)
        conn.execute("INSERT INTO stories_fts (stories_fts, rank) VALUES ('integrity-check', 1)")

    resumed = run_reader(home, "ingest", str(pages), timeout=120)
    assert resumed.returncode == 0
    assert resumed.stdout.strip() == (
        f"ingested {4000 - stored}, updated 0, unchanged {stored}, failed 0"
    )


def test_second_process_waits_for_the_first(home: Path, tmp_path: Path) -> None:
    pages = tmp_path / "pages"
    _write_pages(pages, 300)
    run_reader(home, "list")  # create the databases
    db = home / "cache" / "stories.sqlite3"
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another writer holds the lock for a while
    proc = subprocess.Popen(
        [sys.executable, "-m", "reader", "--home", str(home), "ingest", str(pages)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(1.5)
    assert proc.poll() is None, "the second process must wait, not fail"
    holder.execute("COMMIT")
    holder.close()
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert out.strip() == "ingested 300, updated 0, unchanged 0, failed 0"


def test_five_writers_at_once_all_succeed_and_lose_nothing(home: Path, tmp_path: Path) -> None:
    """Three ingests, a feed refresh and a stream of marks, all at once, while this
    process reads: no 'database is locked', every story stored, every mark kept."""
    from conftest import FIXTURES

    run_reader(home, "ingest", str(FIXTURES / "pages"))  # stories to mark while others write
    ids = [line.split()[0] for line in run_reader(home, "list").stdout.splitlines()]
    assert run_reader(home, "feed", "add", str(FIXTURES / "feeds" / "harbour.rss")).returncode == 0
    folders = []
    for n in range(3):
        folder = tmp_path / f"batch{n}"
        _write_pages(folder, 400)
        for page in folder.iterdir():  # each batch its own stories
            page.write_text(page.read_text().replace("Generated story", f"Batch {n} story"))
        folders.append(folder)
    command = [sys.executable, "-P", "-m", "reader", "--home", str(home)]
    marking_failures: list[str] = []

    def mark_all() -> None:  # the fifth writer: marks, one process after another
        for story in ids:
            for verb in ("mark-read", "bookmark", "mark-unread", "mark-read"):
                done = subprocess.run([*command, verb, story], capture_output=True, text=True)
                if done.returncode != 0:
                    marking_failures.append(done.stderr)

    writers = [
        subprocess.Popen([*command, "ingest", str(folder)], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
        for folder in folders
    ]  # fmt: skip
    writers.append(
        subprocess.Popen([*command, "refresh"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
    )  # fmt: skip
    marker = threading.Thread(target=mark_all)
    marker.start()
    with Store(resolve_paths(home)) as store:  # a reader meanwhile, as the app is
        while marker.is_alive() or any(w.poll() is None for w in writers):
            store.count()
            time.sleep(0.05)
    marker.join()
    assert not marking_failures
    for writer in writers:
        out, err = writer.communicate(timeout=120)
        assert writer.returncode == 0, err
        assert "locked" not in err
    with Store(resolve_paths(home)) as store:
        assert store.count() == 2 + 3 * 400 + 3  # the pages, three batches, the feed's items
    listed = run_reader(home, "list", "--bookmarked").stdout.splitlines()
    assert sorted(line.split()[0] for line in listed) == sorted(ids)
    unread = run_reader(home, "list", "--unread").stdout
    assert not any(story in unread for story in ids)  # read, unread, read again: read
    for db in (home / "cache" / "stories.sqlite3", home / "data" / "user.sqlite3"):
        with sqlite3.connect(db) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
