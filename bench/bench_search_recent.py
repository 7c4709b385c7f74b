"""Ranking from the recent index beside the whole one, on the stories of a big home.

    python bench/bench_search_recent.py HOME [--recent 50000] [--runs 5] [--keep DIR]

HOME is a reader home holding many stories (``bench/bench_scale.py --sizes 1000000
--home-dir DIR`` builds one from the BBC News corpus, brought into a temporary folder;
nothing here is committed). Its titles and bodies go into two bare FTS5 tables made as
cache migration 13 makes them (``unicode61 remove_diacritics 2``, ``detail=full``):
every story, and the newest ``--recent`` alone. For each query, interleaved, median of
``--runs``: the newest ``RANK_WINDOW`` matches ranked by bm25 from the whole index (what
search did before migration 13), the check search makes (are there a window of matches
among the recent stories?) and the same ranking from the recent index; and how many of
the whole index's best 20 the recent index's best 20 keep.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reader.store.search import RANK_WINDOW  # noqa: E402

QUERIES = [
    '"the"', '"said"', '"government"', '"harbour"', '"gov"*', '"minist"*',
    '"prime" "minister"', '"the" "government" "said"', '"prime minister"',
    '"economy" "growth"', '"zzzqx"',
]  # fmt: skip
FTS = "fts5(title, body, tokenize='unicode61 remove_diacritics 2', detail=full)"


def build(db: Path, home: Path, recent: int) -> sqlite3.Connection:
    """The two tables in ``db`` (made once; kept with ``--keep``)."""
    conn = sqlite3.connect(db)
    if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'recent'").fetchone():
        return conn
    conn.execute("PRAGMA journal_mode=off")
    conn.execute("PRAGMA synchronous=off")
    conn.execute("ATTACH ? AS src", (f"file:{home / 'cache' / 'stories.sqlite3'}?mode=ro",))
    conn.execute(f"CREATE VIRTUAL TABLE whole USING {FTS}")
    conn.execute(f"CREATE VIRTUAL TABLE recent USING {FTS}")
    started = time.perf_counter()
    conn.execute(
        "INSERT INTO whole (rowid, title, body) SELECT rowid, title, body FROM src.stories"
    )
    conn.commit()
    print(f"whole index: {time.perf_counter() - started:.0f} s", flush=True)
    started = time.perf_counter()
    conn.execute(
        "INSERT INTO recent (rowid, title, body) SELECT rowid, title, body FROM src.stories"
        " WHERE rowid > (SELECT max(rowid) FROM src.stories) - ?",
        (recent,),
    )
    conn.commit()
    print(f"recent index: {time.perf_counter() - started:.1f} s", flush=True)
    return conn


def ranked(conn: sqlite3.Connection, table: str, query: str) -> list[int]:
    rows = conn.execute(
        f"SELECT r FROM (SELECT rowid AS r, bm25({table}, 5.0, 1.0) AS s FROM {table}"
        f" WHERE {table} MATCH ? ORDER BY rowid DESC LIMIT ?) ORDER BY s LIMIT 20",
        (query, RANK_WINDOW),
    )
    return [r for (r,) in rows]


def window_in_recent(conn: sqlite3.Connection, query: str) -> bool:
    (found,) = conn.execute(
        "SELECT count(*) FROM (SELECT 1 FROM recent WHERE recent MATCH ?"
        " ORDER BY rowid DESC LIMIT ?)",
        (query, RANK_WINDOW),
    ).fetchone()
    return bool(found >= RANK_WINDOW)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("home", type=Path)
    parser.add_argument("--recent", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="keep the tables in this folder")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench-recent-"))
    folder.mkdir(parents=True, exist_ok=True)
    conn = build(folder / "fts.sqlite3", args.home, args.recent)
    (stories,) = conn.execute("SELECT count(*) FROM whole_docsize").fetchone()
    print(f"{stories:,} stories, the newest {args.recent:,} in the recent index")
    print(f"{'query':28} {'whole':>8} {'check':>7} {'recent':>8}  best 20 kept")
    for query in QUERIES:
        samples: dict[str, list[float]] = {"whole": [], "check": [], "recent": []}
        uses = window_in_recent(conn, query)
        steps: dict[str, Callable[[], object]] = {
            "whole": partial(ranked, conn, "whole", query),
            "check": partial(window_in_recent, conn, query),
        }
        if uses:
            steps["recent"] = partial(ranked, conn, "recent", query)
        for _ in range(args.runs):
            for name, step in steps.items():
                started = time.perf_counter()
                step()
                samples[name].append((time.perf_counter() - started) * 1000)
        kept = (
            f"{len(set(ranked(conn, 'whole', query)) & set(ranked(conn, 'recent', query)))}/20"
            if uses
            else "(whole index)"
        )
        shown = {
            name: f"{statistics.median(times):.1f}" if times else "-"
            for name, times in samples.items()
        }
        print(
            f"{query:28} {shown['whole']:>8} {shown['check']:>7} {shown['recent']:>8}  {kept}",
            flush=True,
        )


if __name__ == "__main__":
    main()
