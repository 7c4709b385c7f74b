"""Top stories (``reader top``) on a big home whose pages bring ranking lists.

    python bench/bench_top.py HOME [--per-list 500] [--runs 5] [--work DIR]

HOME is a reader home holding many stories (``bench/bench_scale.py --sizes 1000000
--home-dir DIR`` builds one from the BBC News corpus, brought into a temporary folder;
nothing here is committed). It is copied once into ``--work`` (a temporary folder
unless given; HOME is left as it was), and every story of the copy gets the ranking
list a news portal's page carries: eight headlines of stories in the cache, the same
list on each run of ``--per-list`` stories (a site's "Most read" at the time), stored
as ``reader ingest`` stores a page's list (``ranking_entries``, whose triggers keep the
scores). Then, interleaved, median of ``--runs`` whole processes:

* ``reader top --limit 30``: top stories across the cache, which weigh each candidate
  by the ranking lists that name it (the app's cache-wide ranking pane does the same);
* the floor (plain SQLite): a bare Python process that opens the same cache and reads
  the 30 best-scored headlines and the newest 2,000 stories (``TOP_WINDOW``), the least
  a top stories command reads.

The first ``reader`` run upgrades the copy's cache if this reader's schema is newer
(timed and said on its own: once per home).
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FLOOR_SCRIPT = r"""
import sqlite3, sys
conn = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
conn.execute("SELECT title_key, score FROM ranking_scores ORDER BY score DESC LIMIT 60").fetchall()
newest = "SELECT rowid, id, title, sort_key FROM stories ORDER BY sort_key DESC LIMIT 2000"
conn.execute(newest).fetchall()
"""


def add_rankings(db: Path, per_list: int) -> int:
    """Give every story of the cache ``db`` a ranking list; returns the entries made."""
    conn = sqlite3.connect(db, isolation_level=None)
    from reader.store import packing

    packing.register(conn)  # the cache's triggers call pack and unpack
    if conn.execute("SELECT count(*) FROM ranking_entries").fetchone()[0]:
        raise SystemExit(f"{db} has ranking entries already: give a home without them")
    top = conn.execute("SELECT max(rowid) FROM stories").fetchone()[0]
    conn.execute("BEGIN")
    conn.execute(
        "WITH RECURSIVE p(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM p WHERE n < 7)"
        " INSERT INTO ranking_entries (story_rowid, position, title, title_key)"
        " SELECT s.rowid, p.n, t.title, t.title_key FROM stories s, p"
        " JOIN stories t ON t.rowid = ((s.rowid / ?) * ? + p.n * 61) % ? + 1",
        (per_list, per_list, top),
    )
    conn.execute("COMMIT")
    made = conn.execute("SELECT count(*) FROM ranking_entries").fetchone()[0]
    conn.close()
    return int(made)


def timed(cmd: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("home", type=Path)
    parser.add_argument("--per-list", type=int, default=500)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--work", type=Path)
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="bench-top-"))
    home = work / "home"
    if not home.exists():
        shutil.copytree(args.home, home)
    db = home / "cache" / "stories.sqlite3"
    started = time.perf_counter()
    entries = add_rankings(db, args.per_list)
    print(f"{entries:,} ranking entries added in {time.perf_counter() - started:.1f} s")
    reader = [sys.executable, "-m", "reader", "--home", str(home), "top", "--limit", "30"]
    print(f"first reader top (upgrades the cache if need be): {timed(reader):.2f} s")
    floor = [sys.executable, "-c", FLOOR_SCRIPT, str(db)]
    times: dict[str, list[float]] = {"reader": [], "floor": []}
    for run in range(args.runs):
        order = ("reader", "floor") if run % 2 == 0 else ("floor", "reader")
        for name in order:
            times[name].append(timed(reader if name == "reader" else floor))
    for name, label in (("reader", "reader top --limit 30"), ("floor", "floor (plain SQLite)")):
        runs = ", ".join(f"{t:.3f}" for t in times[name])
        print(f"{label:24s} median {statistics.median(times[name]):.3f} s  [{runs}]")
    ratio = statistics.median(times["reader"]) / statistics.median(times["floor"])
    print(f"reader / floor: {ratio:.1f}x")
    if args.work is None:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
