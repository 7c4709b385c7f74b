"""The scale suite: every figure of issue 16 at 10k, 100k and 1M stories, in one table.

    python bench/scale_suite.py DATA_DIR [--sizes 10000,100000,1000000] [--runs 3]
        [--home-dir DIR] [--parts list,search,ingest,refresh,disk,paint] [--log DIR]

DATA_DIR is the BBC News dataset (as for ``bench_scale.py``: 2,225 articles in 5
topics, brought into a temporary folder, never committed). For each size the suite
builds (or reuses, with ``--home-dir``) the home ``bench_scale.py`` builds from that
text, then runs each benchmark of the part asked for, as its own process, its whole
output kept in ``--log`` (a temporary folder by default):

* ``list``: ``bench_scale.py`` (startup, ``G``/``g``/PgDn/PgUp, an unread jump,
  ``reader list``, memory after browsing), newsboat beside at 100k and below;
* ``search``: ``bench_search.py --cpu --no-full`` on a copy of the home (its first run
  indexes the copy, as a migration's rebuild would), every query class, median and
  p95, beside a bare FTS5 table of the same rows;
* ``ingest``: ``bench_ingest.py -n 10000 --big`` (text pages into an empty home and
  into a copy of the home), beside the insert floors;
* ``refresh``: ``bench_feeds.py`` with the size's number of feed items (200 feeds)
  beside ``newsboat -x reload``, cold and warm, and the memory of each process tree
  (100k and below: newsboat takes minutes a round at 1M);
* ``disk``: ``bench_disk.py --text bbc`` with the size's number of feed items, beside
  newsboat's cache.db (10k only unless asked: ``reader index`` of 100k items takes
  many minutes);
* ``paint``: ``bench_app.py`` (the next story painted, 2,000 and 20,000 words), once.

The figures are read from each benchmark's own lines; a line the suite expects and
does not find is said, and the suite exits 1. Last, every figure measured at the
smallest and the largest size is compared with the growth the issue allows, the ratio
of the sizes' logarithms (``ln 1,000,000 / ln 10,000`` = 1.5), per story for a job over
every story or item (a whole listing, a refresh of the size's items): those that grew
more are named.
"""

from __future__ import annotations

import argparse
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

BENCH = Path(__file__).resolve().parent
PARTS = ("list", "search", "ingest", "refresh", "disk", "paint")

WHOLE_JOBS = ("(all): first", "(all): last", "refresh cold (s)", "refresh warm (s)")
"""Figures of a job over every story or item (a whole listing, a refresh of the size's
items, every feed answering 304): compared per story in the growth check."""

Figures = dict[str, tuple[float, float | None]]
"""figure -> (reader's value, the peer's value or None)."""


class Missing(Exception):
    """A benchmark's output lacks a line the suite reads."""


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def _find(pattern: str, output: str, what: str) -> re.Match[str]:
    found = re.search(pattern, output, re.MULTILINE)
    if found is None:
        raise Missing(f"no line for {what!r} (pattern {pattern!r})")
    return found


def read_list(output: str) -> Figures:
    """``bench_scale.py``'s table: figure, reader, [newsboat], ratios."""
    header = _find(r"^  figure\s+(.*?)\s+ratios$", output, "the list table's header")
    peers = header.group(1).split()
    figures: Figures = {}
    for line in output[header.end() :].splitlines()[1:]:
        cells = re.match(r"^  (\S.*?)\s{2,}((?:\s*(?:[\d.]+|-))+)(?:\s{3}.*)?$", line)
        if cells is None:
            continue
        values = cells.group(2).split()
        by_peer = dict(zip(peers, values, strict=False))
        reader = by_peer.get("reader", "-")
        peer = by_peer.get("newsboat", "-")
        if reader != "-":
            unit = "MiB" if "MiB" in cells.group(1) else "ms"
            name = cells.group(1).replace(" MiB", "") + f" ({unit})"
            figures[name] = (float(reader), None if peer == "-" else float(peer))
    if not figures:
        raise Missing("no row in the list table")
    return figures


def read_search(output: str) -> Figures:
    """``bench_search.py``'s classes: search p50 and p95 beside the bare FTS5 table's."""
    figures: Figures = {}
    rows = re.findall(
        r"^(\S+(?: \S+)?)\s+(\d+)\s+([\d.]+)\s+([\d.]+)\s+(?:nan|[\d.]+)\s+(?:nan|[\d.]+)"
        r"\s+([\d.]+)\s+([\d.]+)",
        output,
        re.MULTILINE,
    )
    for name, _, p50, p95, plain50, plain95 in rows:
        figures[f"search {name} p50 (ms)"] = (float(p50), float(plain50))
        figures[f"search {name} p95 (ms)"] = (float(p95), float(plain95))
    if not figures:
        raise Missing("no query class in the search table")
    return figures


def read_ingest(output: str) -> Figures:
    """``bench_ingest.py``: pages/s into an empty home and into the big one, beside the
    whole-process floor's."""
    floor = _number(_find(r"^floor: read files.*?([\d,]+) pages/s", output, "floor").group(1))
    empty = _number(
        _find(r"^reader ingest, empty home.*?([\d,]+) pages/s", output, "empty home").group(1)
    )
    figures: Figures = {"ingest text pages, empty home (pages/s)": (empty, floor)}
    big = re.search(r"^reader ingest, into .*?([\d,]+) pages/s", output, re.MULTILINE)
    if big is None:
        raise Missing("no line for the ingest into the big home")
    figures["ingest text pages, into this home (pages/s)"] = (_number(big.group(1)), floor)
    return figures


def read_refresh(output: str) -> Figures:
    """``bench_feeds.py``: cold and warm wall times and tree RSS, beside newsboat's."""
    figures: Figures = {}
    for kind in ("cold", "warm"):
        ours = _find(
            rf"^  reader {kind}\s+([\d.]+) s .*?tree\s+([\d.]+) MiB", output, f"reader {kind}"
        )
        theirs = re.search(
            rf"^  newsboat {kind}\s+([\d.]+) s .*?tree\s+([\d.]+) MiB", output, re.MULTILINE
        )
        figures[f"refresh {kind} (s)"] = (
            float(ours.group(1)),
            None if theirs is None else float(theirs.group(1)),
        )
        figures[f"refresh {kind}, process tree RSS (MiB)"] = (
            float(ours.group(2)),
            None if theirs is None else float(theirs.group(2)),
        )
    return figures


def read_disk(output: str) -> Figures:
    """``bench_disk.py``: the cache after the refresh and after ``reader index``, beside
    newsboat's cache.db, in MB."""
    newsboat = _number(_find(r"newsboat cache\.db .*?([\d,]+) bytes", output, "newsboat").group(1))
    figures: Figures = {}
    for when in ("after refresh", "after reader index"):
        size = _find(rf"reader cache/ {when}.*?([\d,]+) bytes", output, f"reader {when}")
        figures[f"disk {when} (MB)"] = (_number(size.group(1)) / 1e6, newsboat / 1e6)
    return figures


def read_paint(output: str) -> Figures:
    """``bench_app.py``: the next story painted, and startup, beside a bare Textual app."""
    figures: Figures = {}
    for words, median in re.findall(r"^\s+(\d+)-word articles: median\s+([\d.]+) ms", output,
                                    re.MULTILINE):  # fmt: skip
        figures[f"next story painted, {int(words):,} words (ms)"] = (float(median), None)
    if not figures:
        raise Missing("no line for the next story painted")
    return figures


def _ratio(name: str, ours: float, peer: float) -> float:
    """reader's figure over the peer's, as a time or a size (pages/s turned over)."""
    return peer / ours if "pages/s" in name else ours / peer


def _home(root: Path, data: Path, size: int, log: Path) -> Path:
    """The size's home, built by bench_scale.py (kept in ``root``)."""
    home = root / f"home-{size}"
    if not home.exists():
        _run([str(BENCH / "bench_scale.py"), str(data), "--sizes", str(size),
              "--newsboat-sizes", "", "--home-dir", str(root), "--build-only"],
             log / f"build-{size}.txt")  # fmt: skip
    return home


def _run(arguments: list[str], log: Path) -> str:
    """Run a benchmark (this Python), its output kept in ``log``; returns the output."""
    started = time.perf_counter()
    print(f"  running {' '.join(Path(a).name if a.endswith('.py') else a for a in arguments)}",
          flush=True)  # fmt: skip
    done = subprocess.run([sys.executable, *arguments], capture_output=True, text=True)
    output = done.stdout + done.stderr
    log.write_text(output)
    print(f"    {time.perf_counter() - started:.0f} s, output in {log}", flush=True)
    if done.returncode:
        raise Missing(f"{Path(arguments[0]).name} exited {done.returncode}: see {log}")
    return output


def run_part(part: str, size: int, args: argparse.Namespace, root: Path, log: Path) -> Figures:
    """One part at one size: the benchmark run, its figures read."""
    data, runs = str(args.data), str(args.runs)
    home = _home(root, args.data, size, log)
    out = log / f"{part}-{size}.txt"
    readers: dict[str, Callable[[str], Figures]] = {
        "list": read_list, "search": read_search, "ingest": read_ingest,
        "refresh": read_refresh, "disk": read_disk, "paint": read_paint,
    }  # fmt: skip
    if part == "list":
        newsboat = str(size) if size <= 100_000 and shutil.which("newsboat") else ""
        command = [str(BENCH / "bench_scale.py"), data, "--sizes", str(size), "--newsboat-sizes",
                   newsboat, "--runs", runs, "--home-dir", str(root)]  # fmt: skip
    elif part == "search":
        copy = root / f"search-{size}"
        if not copy.exists():  # bench_search indexes its home: never the list's own
            shutil.copytree(home, copy)
        command = [str(BENCH / "bench_search.py"), data, "--home", str(copy), "--cpu",
                   "--no-full", "--queries", str(args.queries)]  # fmt: skip
    elif part == "ingest":
        command = [str(BENCH / "bench_ingest.py"), "-n", "10000", "--runs", runs,
                   "--big", str(home)]  # fmt: skip
    elif part == "refresh":
        command = [str(BENCH / "bench_feeds.py"), "--feeds", "200", "--items",
                   str(max(1, size // 200)), "--runs", runs, "--no-after"]  # fmt: skip
    elif part == "disk":
        command = [str(BENCH / "bench_disk.py"), "--items", str(size), "--text", "bbc",
                   "--data", data]  # fmt: skip
    else:
        command = [str(BENCH / "bench_app.py"), "--runs", runs, "--only", "next"]
    return readers[part](_run(command, out))


def wanted(part: str, size: int, args: argparse.Namespace) -> bool:
    """Whether ``part`` runs at ``size`` (see the module's docstring)."""
    if part == "refresh":
        return size <= 100_000
    if part == "disk":
        return size <= args.disk_up_to
    if part == "paint":
        return size == min(args.sizes)
    return True


def report(results: dict[int, Figures], sizes: list[int]) -> list[str]:
    """Print the table (a column per size; the peer and reader/peer at each) and the
    growth check; returns the figures that grew more than allowed."""
    names: list[str] = []
    for figures in results.values():
        names += [name for name in figures if name not in names]
    print(f"\n{'figure':52s}" + "".join(f"{f'{s:,}':>22s}" for s in sizes))
    for name in names:
        cells = ""
        for size in sizes:
            value = results.get(size, {}).get(name)
            if value is None:
                cells += f"{'-':>22s}"
                continue
            ours, peer = value
            ratio = f" ({_ratio(name, ours, peer):.2f}x)" if peer and ours else ""
            cells += f"{f'{ours:,.1f}{ratio}':>22s}"
        print(f"{name:52s}{cells}")
    print("  (x: reader's time or size over the peer's: newsboat's; for search a bare FTS5"
          " table's; for ingest the whole-process floor's, from pages/s)")  # fmt: skip
    grew: list[str] = []
    measured = [s for s in sizes if s in results]
    if len(measured) >= 2:
        small, big = measured[0], measured[-1]
        allowed = math.log(big) / math.log(small)
        print(f"\ngrowth from {small:,} to {big:,} stories (allowed: {allowed:.2f}x, the ratio"
              " of the sizes' logarithms; pages/s shrinking counts as growth; a job over"
              " every story or item, per story)")  # fmt: skip
        for name in names:
            a, b = results[small].get(name), results[big].get(name)
            if a is None or b is None or not a[0] or not b[0]:
                continue
            growth = a[0] / b[0] if "pages/s" in name else b[0] / a[0]
            if any(job in name for job in WHOLE_JOBS):  # their work grows with the size
                growth /= big / small
            if growth > allowed:
                grew.append(name)
                print(f"  {name}: {growth:.2f}x")
        if not grew:
            print("  none grew more")
    return grew


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path, help="the BBC News dataset's folder")
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--queries", type=int, default=30, help="search queries a class")
    parser.add_argument("--home-dir", type=Path, help="keep the homes here and reuse them")
    parser.add_argument("--parts", default=",".join(PARTS))
    parser.add_argument("--disk-up-to", type=int, default=10_000,
                        help="the largest size bench_disk runs at (default 10,000)")  # fmt: skip
    parser.add_argument("--log", type=Path, help="keep each benchmark's output here")
    args = parser.parse_args()
    args.sizes = sorted(int(s) for s in args.sizes.split(",") if s)
    parts = [p for p in args.parts.split(",") if p]
    unknown = set(parts) - set(PARTS)
    if unknown:
        parser.error(f"unknown part {', '.join(sorted(unknown))}; parts: {', '.join(PARTS)}")
    with tempfile.TemporaryDirectory(prefix="scale-suite-") as tmp:
        root = args.home_dir or Path(tmp) / "homes"
        log = args.log or Path(tmp) / "log"
        root.mkdir(parents=True, exist_ok=True)
        log.mkdir(parents=True, exist_ok=True)
        load = os.getloadavg()
        sizes = ", ".join(f"{s:,}" for s in args.sizes)
        print(f"scale suite: sizes {sizes}; parts {', '.join(parts)}; load {load[0]:.1f}"
              f" {load[1]:.1f}; {os.cpu_count()} cores")  # fmt: skip
        results: dict[int, Figures] = {}
        missing: list[str] = []
        for size in args.sizes:
            print(f"\n{size:,} stories", flush=True)
            for part in parts:
                if not wanted(part, size, args):
                    continue
                try:
                    results.setdefault(size, {}).update(run_part(part, size, args, root, log))
                except Missing as exc:
                    missing.append(f"{part} at {size:,}: {exc}")
                    print(f"    {part} at {size:,}: {exc}", flush=True)
        load = os.getloadavg()
        print(f"\nload after: {load[0]:.1f} {load[1]:.1f}")
        report(results, args.sizes)
        for line in missing:
            print(f"not measured: {line}")
    sys.exit(1 if missing else 0)


if __name__ == "__main__":
    main()
