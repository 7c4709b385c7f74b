"""One big feed whose items have no date, beside the same feed with dates.

    python bench/bench_undated_feed.py [--sizes 10000,100000] [--runs 3]

Generates, for each size N, an RSS feed of N undated items (numeric guids, as many
CMSs write them: fastfeedparser once tried each as a date, about 1 ms an item) and
the same N items with a ``pubDate``; serves them from 127.0.0.1 (with ETags) and
times, as whole processes in a fresh home each run:

* ``reader feed add URL`` (it reads the feed twice: to check it is one, then to
  store its items);
* ``reader refresh`` of a feed imported but never fetched (cold: every item new).

Prints medians over the runs, interleaved undated/dated within each run.
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import time
from email.utils import formatdate
from pathlib import Path

from bench_feeds import serve

WORDS = "harbour council market quay bonds ferry river tram bakery audit report season".split()


def make_feed(items: int, dated: bool) -> bytes:
    """An RSS feed of ``items`` items with numeric guids, with or without dates (short
    items: 100k dated ones stay under reader's 20 MB cap)."""
    rng = random.Random(items)
    parts = []
    for n in range(items):
        date = f"<pubDate>{formatdate(1748736000 + n * 60, usegmt=True)}</pubDate>" if dated else ""
        parts.append(
            f"<item><title>Story {n}</title><link>http://u.example/{n}</link>"
            f'<guid isPermaLink="false">{100000 + n}</guid>{date}'
            f"<description>{' '.join(rng.choice(WORDS) for _ in range(2))}</description></item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        "<title>Big feed</title><link>http://u.example/</link>"
        f"<description>Generated</description>{''.join(parts)}</channel></rss>"
    ).encode()


def timed(*args: str) -> float:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "reader", *args], capture_output=True, text=True)
    took = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"reader {' '.join(args)} failed: {done.stderr.strip()}")
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    kinds = ("undated", "dated")
    feeds = {f"/{kind}-{n}.xml": make_feed(n, kind == "dated") for n in sizes for kind in kinds}
    server, base = serve(feeds)
    import compileall

    import reader

    compileall.compile_dir(Path(reader.__file__).parent, quiet=1)
    sizes_mb = ", ".join(f"{path[1:]} {len(body) / 1e6:.1f} MB" for path, body in feeds.items())
    print(f"feeds on {base} ({sizes_mb}); {args.runs} runs; whole processes, medians")
    times: dict[tuple[str, int, str], list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="reader-undated-bench-") as tmp:
        for run in range(args.runs):
            for n in sizes:
                for kind in kinds if run % 2 == 0 else kinds[::-1]:
                    url = f"{base}/{kind}-{n}.xml"
                    home = str(Path(tmp) / f"add-{kind}-{n}-{run}")
                    times.setdefault((kind, n, "feed add"), []).append(
                        timed("--home", home, "feed", "add", url)
                    )
                    home = str(Path(tmp) / f"refresh-{kind}-{n}-{run}")
                    urls = Path(tmp) / "urls"
                    urls.write_text(url + "\n")
                    subprocess.run([sys.executable, "-m", "reader", "--home", home, "feed",
                                    "import", str(urls)], check=True,
                                   stdout=subprocess.DEVNULL)  # fmt: skip
                    times.setdefault((kind, n, "refresh"), []).append(
                        timed("--home", home, "refresh")
                    )
    server.shutdown()
    for n in sizes:
        for command in ("feed add", "refresh"):
            line = []
            for kind in kinds:
                values = times[(kind, n, command)]
                spread = ", ".join(f"{v:.1f}" for v in values)
                line.append(f"{kind} {statistics.median(values):6.2f} s [{spread}]")
            print(f"  {n:>7,} items  {command:8s}  " + "   ".join(line))


if __name__ == "__main__":
    main()
