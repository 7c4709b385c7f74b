"""Sync speed: a first ``reader sync`` of N entries, and an incremental one with nothing
new, against Coldsweat (Fever) and FreshRSS (Google Reader), each on 127.0.0.1.

    python bench/bench_sync.py [--entries 2000] [--feeds 20] [--runs 3]
                               [--freshrss /tmp/FreshRSS] [--coldsweat-python PATH]

Serves the feeds (``--feeds`` of ``--entries / --feeds`` items, about 2 KB of HTML
each) from 127.0.0.1, subscribes a fresh server to them and lets it fetch them, then
per run: a first sync into a new home, and a second sync with nothing new. Prints,
medians over the runs, the whole ``reader sync`` process's wall time, the sync's own
time (the report's ``seconds``) and the requests it made. FreshRSS is measured when
``--freshrss`` names its source tree (brought in by hand, as for
tests/record_freshrss.py); Coldsweat when it is installed (the same lookup as the
tests: ``COLDSWEAT_PYTHON``, or a ``coldsweat`` command on the PATH).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from http_server import send, serve  # noqa: E402
from sync_servers import Coldsweat, FreshRSS, coldsweat_python, write_sync_config  # noqa: E402

WORDS = "harbour council market quay bonds ferry river tram bakery audit report season".split()


def make_feed(index: int, items: int, base: str) -> bytes:
    rng = random.Random(index)
    entries = []
    for n in range(items):
        text = "".join(
            f"&lt;p&gt;{' '.join(rng.choice(WORDS) for _ in range(45))}&lt;/p&gt;" for _ in range(6)
        )
        entries.append(
            f"<item><title>Feed {index} item {n}: {' '.join(rng.choice(WORDS) for _ in range(6))}"
            f"</title><link>{base}/{index}/{n}.html</link><guid>f{index}-{n}</guid>"
            f"<pubDate>Mon, 01 Dec 2025 {n % 24:02d}:{index % 60:02d}:00 GMT</pubDate>"
            f"<description>{text}</description></item>"
        )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Feed {index}</title><link>{base}/</link>{''.join(entries)}</channel></rss>"
    ).encode()


def reader_sync(home: Path) -> tuple[float, dict[str, Any]]:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-P", "-m", "reader", "--home", str(home), "sync", "--json"],
        capture_output=True,
        text=True,
        timeout=1800,
    )
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"reader sync failed: {done.stderr}")
    return wall, json.loads(done.stdout)


def measure(name: str, server: Any, config: dict[str, str], runs: int, work: Path) -> None:
    rows: dict[str, list[tuple[float, float, int, int]]] = {"first": [], "nothing new": []}
    for run in range(runs):
        home = work / f"home-{name}-{run}"
        write_sync_config(home, **config)
        for label in rows:
            wall, report = reader_sync(home)
            rows[label].append((wall, report["seconds"], report["requests"], report["entries"]))
    for label, values in rows.items():
        wall = statistics.median(v[0] for v in values)
        own = statistics.median(v[1] for v in values)
        requests = int(statistics.median(v[2] for v in values))
        entries = int(statistics.median(v[3] for v in values))
        print(f"{name:10s} {label:12s} {entries:6d} entries  {wall:6.2f} s process  "
              f"{own:6.2f} s sync  {requests:4d} requests")  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=2000)
    parser.add_argument("--feeds", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--freshrss", type=Path, help="FreshRSS's source tree")
    parser.add_argument("--coldsweat-python", help="the Python of Coldsweat's venv")
    args = parser.parse_args()
    per_feed = args.entries // args.feeds
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        routes: dict[str, Any] = {}
        with serve(routes) as base:
            feeds = {}
            for index in range(args.feeds):
                routes[f"/feed{index}.xml"] = send(
                    200, make_feed(index, per_feed, base), "application/rss+xml"
                )
                feeds[f"{base}/feed{index}.xml"] = (f"Group {index % 3}", f"Feed {index}")
            print(f"{args.feeds} feeds of {per_feed} entries, {args.runs} runs, medians")
            python = args.coldsweat_python or coldsweat_python()
            if python:
                cold = Coldsweat(python, work / "coldsweat")
                started = time.perf_counter()
                cold.subscribe(feeds)
                print(f"(Coldsweat fetched them in {time.perf_counter() - started:.1f} s)")
                cold.start()
                try:
                    config = {"service": "fever", "url": cold.url, "user": cold.email,
                              "password_command": f"printf %s {cold.password}"}  # fmt: skip
                    measure("coldsweat", cold, config, args.runs, work)
                finally:
                    cold.stop()
            else:
                print("coldsweat: not installed, skipped")
            if args.freshrss:
                fresh = FreshRSS(args.freshrss, work)
                started = time.perf_counter()
                fresh.subscribe(feeds)
                print(f"(FreshRSS {fresh.version} fetched them in "
                      f"{time.perf_counter() - started:.1f} s)")  # fmt: skip
                fresh.start()
                try:
                    config = {"service": "greader", "url": fresh.url, "user": fresh.user,
                              "password_command": f"printf %s {fresh.api_password}"}  # fmt: skip
                    measure("freshrss", fresh, config, args.runs, work)
                finally:
                    fresh.stop()
            else:
                print("freshrss: no --freshrss source tree, skipped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
