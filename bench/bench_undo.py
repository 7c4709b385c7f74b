"""Undo for ``A`` on a big list: ``mark_all_read`` recording what it changed, beside the
same mark without the record, and ``undo_last_mark`` putting it back.

    python bench/bench_undo.py [--stories 1000000] [--runs 5]

Fills a fresh home with N bare stories (plain SQL, for speed: the marks are what is
measured), then each round, interleaved: mark every story read without undo and clear
the marks; mark every story read with undo (the record of the N changed ids is written
in the same transaction); undo it (every story unread again, checked). Prints medians
of each and the ratio undoable/plain, and the size of user.sqlite3 with the record.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path


def fill(cache_db: Path, n: int) -> None:
    conn = sqlite3.connect(cache_db)
    with conn:
        conn.execute(
            "WITH RECURSIVE i(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM i WHERE x < ?)"
            " INSERT INTO stories (id, source, title, title_key, site, sort_key, content_hash,"
            " ingested_at, updated_at) SELECT printf('%016x', x), 'bench:' || x,"
            " 'Story ' || x, 'story ' || x, 'Site ' || (x % 50), printf('%012d', x), 'h', '', ''"
            " FROM i",
            (n,),
        )
    conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    from reader.base.paths import resolve_paths
    from reader.store import Store, StoryFilter

    with tempfile.TemporaryDirectory() as tmp:
        paths = resolve_paths(Path(tmp) / "home")
        Store(paths).close()  # the schema
        start = time.perf_counter()
        fill(paths.cache_db, args.stories)
        print(f"{args.stories} stories stored in {time.perf_counter() - start:.1f} s")
        plain: list[float] = []
        undoable: list[float] = []
        undo: list[float] = []
        size = 0
        with Store(paths) as store:
            for _ in range(args.runs):
                start = time.perf_counter()
                assert store.mark_all_read() == args.stories
                plain.append(time.perf_counter() - start)
                # through the store's connection, whose triggers keep the unread mirror
                store._conn.execute("DELETE FROM user.read_marks")
                start = time.perf_counter()
                assert store.mark_all_read(undoable=True) == args.stories
                undoable.append(time.perf_counter() - start)
                size = paths.user_db.stat().st_size
                start = time.perf_counter()
                undone = store.undo_last_mark()
                undo.append(time.perf_counter() - start)
                assert undone is not None and undone.stories == args.stories
                assert store.count(StoryFilter(unread=True)) == args.stories
        plain_m, undoable_m = statistics.median(plain), statistics.median(undoable)
        print(f"mark_all_read, plain      median {plain_m:.2f} s")
        print(f"mark_all_read, undoable   median {undoable_m:.2f} s  ({undoable_m / plain_m:.2f}x)")
        print(f"undo_last_mark            median {statistics.median(undo):.2f} s")
        print(f"user.sqlite3 with the record: {size / 1e6:.0f} MB (WAL not counted)")


if __name__ == "__main__":
    main()
