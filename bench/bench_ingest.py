"""Ingest speed: ``reader ingest`` of N generated text pages, beside two floors.

    python bench/bench_ingest.py [-n 10000] [--runs 5]

Runs, interleaved in each round so machine noise hits all alike:

* ``reader ingest DIR`` as a whole process, into a fresh ``--home``;
* floor (whole process): a bare Python process that reads the same files and
  inserts each one's raw text as a row into an unindexed SQLite table (WAL, one
  transaction): the least any ingest that reads and stores the pages must do;
* floor (bare insert): inside this process, the same parsed rows reader stores,
  inserted into an unindexed table without the full-text index: SQLite's cost alone.

Prints the median of each over the runs, pages/s, and reader's ratio to each floor.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen_pages import generate  # noqa: E402

FLOOR_SCRIPT = r"""
import os, sqlite3, sys
folder, db = sys.argv[1], sys.argv[2]
conn = sqlite3.connect(db, isolation_level=None)
conn.execute("PRAGMA journal_mode = WAL"); conn.execute("PRAGMA synchronous = NORMAL")
conn.execute("CREATE TABLE pages (source TEXT, text TEXT)")
conn.execute("BEGIN")
for root, _, names in os.walk(folder):
    for name in names:
        path = os.path.join(root, name)
        with open(path, "rb") as f:
            conn.execute("INSERT INTO pages VALUES (?, ?)", (path, f.read().decode()))
conn.execute("COMMIT")
"""


def _timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def _bare_insert(rows: list[tuple], workdir: Path, run: int) -> float:
    conn = sqlite3.connect(workdir / f"bare-{run}.sqlite3", isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute(f"CREATE TABLE stories ({', '.join(f'c{i}' for i in range(len(rows[0])))})")
    marks = ", ".join("?" * len(rows[0]))
    start = time.perf_counter()
    conn.execute("BEGIN")
    conn.executemany(f"INSERT INTO stories VALUES ({marks})", rows)
    conn.execute("COMMIT")
    elapsed = time.perf_counter() - start
    conn.close()
    return elapsed


def _parsed_rows(folder: Path) -> list[tuple]:
    from reader.base.models import Page, RawPage
    from reader.ingest.pipeline import iter_inputs, parse_item

    rows = []
    for raw in iter_inputs([str(folder)]):
        source, data = raw.source, raw.data  # type: ignore[union-attr]
        page = parse_item(RawPage(source, data))  # type: ignore[arg-type]
        assert isinstance(page, Page), page
        lists = {k: [[h.title, h.url] for h in v] for k, v in page.lists().items()}
        rows.append(
            (source, page.title, page.site, json.dumps(page.section), page.published,
             page.reactions, page.body, json.dumps(lists))
        )  # fmt: skip
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=10_000, help="pages to generate")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="reader-bench-") as tmp:
        work = Path(tmp)
        pages = work / "pages"
        generate(pages, args.n)
        size = sum(p.stat().st_size for p in pages.iterdir()) / 1e6
        print(f"{args.n} pages, {size:.1f} MB, {args.runs} interleaved runs")
        rows = _parsed_rows(pages)
        times: dict[str, list[float]] = {"reader": [], "floor_process": [], "floor_insert": []}
        for run in range(args.runs):
            home = work / f"home-{run}"
            times["reader"].append(
                _timed([sys.executable, "-m", "reader", "--home", str(home), "ingest", str(pages)])
            )
            times["floor_process"].append(
                _timed([sys.executable, "-c", FLOOR_SCRIPT, str(pages), str(work / f"f{run}.db")])
            )
            times["floor_insert"].append(_bare_insert(rows, work, run))

    med = {name: statistics.median(values) for name, values in times.items()}
    labels = {
        "reader": "reader ingest (whole process)",
        "floor_process": "floor: read files + bare insert (whole process)",
        "floor_insert": "floor: bare insert of the same rows (in process)",
    }
    for name, label in labels.items():
        spread = ", ".join(f"{t:.2f}" for t in times[name])
        print(
            f"{label:50s} median {med[name]:6.2f} s  {args.n / med[name]:8.0f} pages/s  [{spread}]"
        )
    print(f"reader / whole-process floor: {med['reader'] / med['floor_process']:.1f}x")
    print(f"reader / bare-insert floor:   {med['reader'] / med['floor_insert']:.1f}x")


if __name__ == "__main__":
    main()
