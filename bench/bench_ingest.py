"""Ingest speed: ``reader ingest`` of N generated text pages, beside two floors.

    python bench/bench_ingest.py [-n 10000] [--runs 5] [--big HOME]

Runs, interleaved in each round so machine noise hits all alike:

* ``reader ingest DIR`` as a whole process, into a fresh ``--home``;
* with ``--big HOME``: the same, into a copy of HOME (a home ``bench_scale.py``
  built, say, with 1,000,000 stories; copied once, left as it was), each round's
  pages in a folder of their own so that they are new stories: flat or not with
  the cache's size;
* floor (whole process): a bare Python process that reads the same files and
  inserts each one's raw text as a row into an unindexed SQLite table (WAL, one
  transaction): the least any ingest that reads and stores the pages must do;
* floor (bare insert): inside this process, the same parsed rows reader stores,
  inserted into an unindexed table without the full-text index: SQLite's cost alone;
* floor (insert + FTS5): the same, then a full-text index (FTS5, reader's tokenizer,
  ``detail=full``) of their titles and bodies, in the same transaction: the floor the
  issue measured (8,168 pages/s there), for a store that indexes what it ingests;
* reader's store alone: inside this process, the rows ``reader ingest`` makes (parsed
  and compressed beforehand) stored by ``Store.save_rows`` in its batches, into a fresh
  home, closed: what reader's schema (its indexes, triggers and queues) costs beyond
  the bare insert, whatever the parsing costs;
* reader's first search after each ingest, which adds the new stories to the
  full-text index (the ingest leaves that for later; ``collapse_copies = false``, so
  that it analyses nothing first): ingest + first search is what compares with the
  insert + FTS5 floor.

Prints the median of each over the runs, pages/s, reader's ratio to each floor, and
the CPU seconds of each (the whole process tree for reader: its worker processes
too, each counted once), which a loaded machine inflates far less than the wall time.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen_pages import generate  # noqa: E402
from proc_tree import children  # noqa: E402

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

_TICK = os.sysconf("SC_CLK_TCK")


def _descendants_cpu(pid: int) -> dict[int, float]:
    """CPU seconds so far of every process below ``pid`` (not ``pid`` itself)."""
    found: dict[int, float] = {}
    frontier = [pid]
    while frontier:
        for child in children(frontier.pop()):
            try:
                fields = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            found[child] = (int(fields[11]) + int(fields[12])) / _TICK
            frontier.append(child)
    return found


def _become_subreaper() -> bool:
    """Make this process the reaper of every orphan below it (Linux's
    PR_SET_CHILD_SUBREAPER), so that each process of a measured tree is waited for
    once, here or by its parent, and its CPU counted once in our children's rusage."""
    try:
        import ctypes

        return ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


SUBREAPER = _become_subreaper()


def run_measured(cmd: list[str], check: bool = True) -> tuple[float, float]:
    """Run ``cmd``; its wall seconds and the CPU seconds of its whole process tree.

    On Linux this process is the subreaper of the tree: every helper (a fork server,
    worker processes, a resource tracker) is waited for by its parent or, orphaned,
    here, so the rusage of our children counts each exactly once. Elsewhere the
    helpers' CPU is read from /proc five times a second (a helper's last fifth of a
    second may be missed; one its parent waited for may count twice).
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    process = subprocess.Popen(
        cmd, stdout=subprocess.DEVNULL, stderr=None if check else subprocess.DEVNULL
    )
    helpers: dict[int, float] = {}
    if SUBREAPER:
        process.wait()
        wall = time.perf_counter() - start
        while True:  # the orphans, which end with the process
            try:
                os.wait()
            except ChildProcessError:
                break
    else:
        while process.poll() is None:
            helpers.update(_descendants_cpu(process.pid))
            time.sleep(0.2)
        wall = time.perf_counter() - start
    if check and process.returncode:
        raise SystemExit(f"{cmd[2:]} failed with exit status {process.returncode}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    own = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, own + sum(helpers.values())


def _bare_insert(rows: list[tuple], workdir: Path, run: int) -> tuple[float, float]:
    conn = sqlite3.connect(workdir / f"bare-{run}.sqlite3", isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute(f"CREATE TABLE stories ({', '.join(f'c{i}' for i in range(len(rows[0])))})")
    marks = ", ".join("?" * len(rows[0]))
    start, cpu = time.perf_counter(), time.process_time()
    conn.execute("BEGIN")
    conn.executemany(f"INSERT INTO stories VALUES ({marks})", rows)
    conn.execute("COMMIT")
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    conn.close()
    return elapsed, cpu


def _fts_insert(rows: list[tuple], workdir: Path, run: int) -> tuple[float, float]:
    """The bare insert, then an FTS5 index of title (column 1) and body (column 6)."""
    conn = sqlite3.connect(workdir / f"fts-{run}.sqlite3", isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    columns = ", ".join(f"c{i}" for i in range(len(rows[0])))
    conn.execute(f"CREATE TABLE stories (rowid INTEGER PRIMARY KEY, {columns})")
    conn.execute(
        "CREATE VIRTUAL TABLE stories_fts USING fts5 (title, body, content='stories',"
        " content_rowid='rowid', tokenize='unicode61 remove_diacritics 2', detail=full)"
    )
    marks = ", ".join("?" * len(rows[0]))
    start, cpu = time.perf_counter(), time.process_time()
    conn.execute("BEGIN")
    conn.executemany(f"INSERT INTO stories VALUES (NULL, {marks})", rows)
    conn.execute("INSERT INTO stories_fts (rowid, title, body) SELECT rowid, c1, c6 FROM stories")
    conn.execute("COMMIT")
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    conn.close()
    return elapsed, cpu


def _reader_rows(folder: Path) -> list:
    """The story rows ``reader ingest`` stores for the pages in ``folder``, compressed."""
    from reader.base.models import RawPage
    from reader.ingest.pipeline import _parse_one

    return [
        _parse_one(RawPage(str(path), path.read_bytes()), None) for path in sorted(folder.iterdir())
    ]


def _reader_store(rows: list, workdir: Path, run: int) -> tuple[float, float]:
    """``rows`` stored as ``reader ingest`` stores them (its batches, its log size), into
    a fresh home, closed (the close copies the log into the cache)."""
    from reader.base.paths import resolve_paths
    from reader.cli.stories import INGEST_LOG_MIB
    from reader.ingest.pipeline import BATCH_SIZE
    from reader.store import Store

    store = Store(resolve_paths(workdir / f"store-{run}"))
    store.checkpoint_every(INGEST_LOG_MIB)
    start, cpu = time.perf_counter(), time.process_time()
    for first in range(0, len(rows), BATCH_SIZE):
        store.save_rows(rows[first : first + BATCH_SIZE])
    store.close()
    return time.perf_counter() - start, time.process_time() - cpu


def _parsed_rows(folder: Path) -> list[tuple]:
    from reader.base.models import Page, RawPage
    from reader.ingest.pipeline import parse_item

    rows = []
    for path in sorted(folder.iterdir()):
        page = parse_item(RawPage(str(path), path.read_bytes()))
        assert isinstance(page, Page), page
        lists = {k: [[h.title, h.url] for h in v] for k, v in page.lists().items()}
        rows.append(
            (str(path), page.title, page.site, json.dumps(page.section), page.published,
             page.reactions, page.body, json.dumps(lists))
        )  # fmt: skip
    return rows


def _load() -> str:
    return ", ".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=10_000, help="pages to generate")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--big", type=Path, metavar="HOME", help="also into a copy of HOME")
    parser.add_argument("--work", type=Path, help="folder for the temporary files")
    args = parser.parse_args()

    ingest = [sys.executable, "-m", "reader", "--home"]
    with tempfile.TemporaryDirectory(prefix="reader-bench-", dir=args.work) as tmp:
        work = Path(tmp)
        pages = work / "pages"
        generate(pages, args.n)
        size = sum(p.stat().st_size for p in pages.iterdir()) / 1e6
        print(f"{args.n} pages, {size:.1f} MB, {args.runs} interleaved runs; load {_load()}")
        names = ["reader", "reader_search", "reader_store", "floor_process", "floor_insert",
                 "floor_fts"]  # fmt: skip
        if args.big:
            started = time.perf_counter()
            shutil.copytree(args.big, work / "big", symlinks=True)
            with sqlite3.connect(work / "big" / "cache" / "stories.sqlite3") as conn:
                stories = conn.execute("SELECT count(*) FROM stories").fetchone()[0]
            print(f"copied {args.big} ({stories} stories) in {time.perf_counter() - started:.0f} s")
            names.append("reader_big")
        rows = _parsed_rows(pages)
        reader_rows = _reader_rows(pages)
        times: dict[str, list[tuple[float, float]]] = {name: [] for name in names}
        for run in range(args.runs):
            home = work / f"home-{run}"
            times["reader"].append(run_measured([*ingest, str(home), "ingest", str(pages)]))
            # Without copies collapsed, a search analyses nothing first: it indexes alone.
            from reader.base.paths import resolve_paths

            resolve_paths(home).config_file.write_text("collapse_copies = false\n")
            search = [*ingest, str(home), "search", "harbour"]
            times["reader_search"].append(run_measured(search, check=False))
            times["reader_store"].append(_reader_store(reader_rows, work, run))
            times["floor_fts"].append(_fts_insert(rows, work, run))
            floor = [sys.executable, "-c", FLOOR_SCRIPT, str(pages), str(work / f"f{run}.db")]
            times["floor_process"].append(run_measured(floor))
            times["floor_insert"].append(_bare_insert(rows, work, run))
            if args.big:
                fresh = work / f"pages-{run}"  # new paths: new stories
                shutil.copytree(pages, fresh, copy_function=os.link)
                times["reader_big"].append(
                    run_measured([*ingest, str(work / "big"), "ingest", str(fresh)])
                )
    print(f"load after: {_load()}")
    labels = {
        "reader": "reader ingest, empty home (whole process)",
        "reader_big": "reader ingest, into the big home (whole process)",
        "floor_process": "floor: read files + bare insert (whole process)",
        "floor_insert": "floor: bare insert of the same rows (in process)",
        "floor_fts": "floor: insert + FTS5 index of the same rows (in process)",
        "reader_search": "reader's first search after it: indexing (whole process)",
        "reader_store": "reader's store alone, the same rows (in process)",
    }
    wall = {name: statistics.median(t[0] for t in times[name]) for name in names}
    cpu = {name: statistics.median(t[1] for t in times[name]) for name in names}
    for name in names:
        spread = ", ".join(f"{t[0]:.2f}" for t in times[name])
        print(
            f"{labels[name]:50s} median {wall[name]:6.2f} s {args.n / wall[name]:7.0f} pages/s"
            f"  cpu {cpu[name]:6.2f} s  [{spread}]"
        )
    indexed = wall["reader"] + wall["reader_search"]
    print(
        f"reader ingest + first search / insert + FTS5 floor: {indexed / wall['floor_fts']:.1f}x"
        f" (ingest alone {wall['reader'] / wall['floor_fts']:.1f}x); reader's store alone /"
        f" bare-insert floor: {wall['reader_store'] / wall['floor_insert']:.1f}x"
        f" (cpu {cpu['reader_store'] / cpu['floor_insert']:.1f}x)"
    )
    for name in ["reader", *(["reader_big"] if args.big else [])]:
        print(
            f"{name} / whole-process floor: {wall[name] / wall['floor_process']:.1f}x"
            f" (cpu {cpu[name] / cpu['floor_process']:.1f}x);"
            f" / bare-insert floor: {wall[name] / wall['floor_insert']:.1f}x"
        )


if __name__ == "__main__":
    main()
