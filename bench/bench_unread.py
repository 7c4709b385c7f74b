"""The unread list of a big home whose old stories are read: ``G``, ``g``, PgDn, PgUp and
the counts, in process, beside another reader (``--baseline``).

    python bench/bench_unread.py HOME [--unread 0.01] [--runs 5] [--reps 3]
        [--baseline TREE] [--work DIR]

HOME is a home ``bench_scale.py`` built (e.g. its ``home-1000000``), never written: it
is copied into ``--work`` (a temporary folder unless given; one copy a reader, since a
newer reader's migration makes the cache unreadable to an older one), and in each copy
every story is marked read but the newest ``--unread`` share (plain SQL, before any
reader opens it). The first open of each copy is timed alone (it upgrades the cache:
for this reader, migration 17 and filling the mirror of the unread stories). Then in
interleaved rounds, who goes first alternating, each reader in a process of its own
(TREE, e.g. ``git archive COMMIT reader | tar -x -C TREE``, first on PYTHONPATH) opens
the home as the app's reading connections do and times, ``--reps`` times each, on the
grouped unread list (the app's): ``G`` (``page_before`` from the end), ``g``
(``page_after`` from the top), PgDn (the page after the first), PgUp (the page before
the last), ``count`` and ``counts`` (the status line). CPU time of the process
(``time.process_time``: the machine is shared) and wall time, medians over the rounds
of each round's median; the pages' story ids are checked equal between the readers.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

PAGE = 100
OPS = ("G", "g", "PgDn", "PgUp", "count", "counts")


def mark_old_read(home: Path, unread: float) -> tuple[int, int]:
    """Every story of ``home`` read but the newest ``unread`` share; (stories, unread)."""
    conn = sqlite3.connect(home / "cache" / "stories.sqlite3", isolation_level=None)
    conn.execute("ATTACH DATABASE ? AS user", (str(home / "data" / "user.sqlite3"),))
    total = conn.execute("SELECT count(*) FROM stories").fetchone()[0]
    keep = max(1, int(total * unread))
    conn.execute("BEGIN")
    conn.execute("DELETE FROM user.read_marks")
    conn.execute(
        "INSERT INTO user.read_marks (story_id, read_at) SELECT id, '2026-12-01T00:00:00'"
        " FROM stories ORDER BY sort_key DESC, rowid DESC LIMIT -1 OFFSET ?",
        (keep,),
    )
    conn.execute("COMMIT")
    conn.close()
    return total, keep


def probe(home: Path, reps: int) -> dict[str, Any]:
    """Time each operation ``reps`` times on the grouped unread list of ``home``."""
    import reader
    from reader.base.paths import resolve_paths
    from reader.store import Store, StoryFilter
    from reader.store.base import READING_CACHE_MIB

    flt = StoryFilter(unread=True, grouped=True)
    store = Store(resolve_paths(home), cache_mib=READING_CACHE_MIB)
    top = store.page_after(flt, None, PAGE)
    end = store.page_before(flt, None, PAGE)
    ops: dict[str, Callable[[], Any]] = {
        "G": lambda: [s.id for s in store.page_before(flt, None, PAGE).stories],
        "g": lambda: [s.id for s in store.page_after(flt, None, PAGE).stories],
        "PgDn": lambda: [s.id for s in store.page_after(flt, top.keys[-1], PAGE).stories],
        "PgUp": lambda: [s.id for s in store.page_before(flt, end.keys[0], PAGE).stories],
        "count": lambda: store.count(flt),
        "counts": lambda: store.counts(grouped=True)["unread"],
    }
    cpu: dict[str, list[float]] = {op: [] for op in OPS}
    wall: dict[str, list[float]] = {op: [] for op in OPS}
    answers: dict[str, Any] = {}
    for _ in range(reps):
        for op in OPS:
            start_cpu, start = time.process_time(), time.perf_counter()
            answers[op] = ops[op]()
            cpu[op].append(time.process_time() - start_cpu)
            wall[op].append(time.perf_counter() - start)
    store.close()
    return {
        "reader": reader.__file__,
        "cpu": {op: statistics.median(cpu[op]) for op in OPS},
        "wall": {op: statistics.median(wall[op]) for op in OPS},
        "answers": answers,
    }


def run_probe(home: Path, tree: Path | None, reps: int) -> dict[str, Any]:
    env = dict(os.environ)
    if tree is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(tree), env.get("PYTHONPATH", "")])
    out = subprocess.run(
        [sys.executable, __file__, "--probe", str(home), "--reps", str(reps)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, Any] = json.loads(out.stdout)
    return result


def first_open(home: Path, tree: Path | None) -> float:
    """Seconds for a reader process to open ``home`` the first time (its upgrade)."""
    env = dict(os.environ)
    if tree is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(tree), env.get("PYTHONPATH", "")])
    code = (
        "import sys, time; from reader.base.paths import resolve_paths;"
        " from reader.store import Store; t = time.perf_counter();"
        " Store(resolve_paths(sys.argv[1])).close(); print(time.perf_counter() - t)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(home)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        cwd=tempfile.gettempdir(),
    )
    return float(out.stdout)


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("home", type=Path, nargs="?")
    parser.add_argument("--unread", type=float, default=0.01)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--baseline", type=Path)
    parser.add_argument("--work", type=Path)
    parser.add_argument("--probe", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.probe is not None:
        print(json.dumps(probe(args.probe, args.reps)))
        return
    if args.home is None:
        parser.error("HOME is needed")
    work = args.work or Path(tempfile.mkdtemp(prefix="bench_unread-"))
    peers: dict[str, Path | None] = {"reader": None}
    if args.baseline is not None:
        peers["before"] = args.baseline.resolve()
    homes: dict[str, Path] = {}
    for peer in peers:
        homes[peer] = work / peer
        if not homes[peer].exists():
            print(f"copying {args.home} to {homes[peer]}", flush=True)
            shutil.copytree(args.home, homes[peer])
            total, unread = mark_old_read(homes[peer], args.unread)
            print(f"{total} stories, the newest {unread} unread", flush=True)
            seconds = first_open(homes[peer], peers[peer])
            print(f"{peer}: first open (the upgrade) {seconds:.2f} s ({load()})", flush=True)
    cpu: dict[str, dict[str, list[float]]] = {p: {op: [] for op in OPS} for p in peers}
    wall: dict[str, dict[str, list[float]]] = {p: {op: [] for op in OPS} for p in peers}
    print(load(), flush=True)
    for round_ in range(args.runs):
        order = list(peers) if round_ % 2 == 0 else list(peers)[::-1]
        answers: dict[str, Any] = {}
        for peer in order:
            result = run_probe(homes[peer], peers[peer], args.reps)
            answers[peer] = result["answers"]
            for op in OPS:
                cpu[peer][op].append(result["cpu"][op])
                wall[peer][op].append(result["wall"][op])
        first = answers["reader"]
        for peer, answer in answers.items():
            if answer != first:
                raise SystemExit(f"{peer} lists other stories than reader: {answer} {first}")
    print(f"after {args.runs} rounds ({load()}); unread stories {first['count']}")
    for op in OPS:
        line = f"  {op:7}"
        for peer in peers:
            line += (
                f"  {peer} cpu {statistics.median(cpu[peer][op]) * 1000:8.2f} ms"
                f" wall {statistics.median(wall[peer][op]) * 1000:8.2f} ms"
            )
        if "before" in peers:
            ratio = statistics.median(cpu["reader"][op]) / statistics.median(cpu["before"][op])
            line += f"  reader/before cpu {ratio:.3f}x"
        print(line)


if __name__ == "__main__":
    main()
