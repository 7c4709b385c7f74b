"""Disk: reader's cache beside newsboat's cache.db for the same feed items.

    python bench/bench_disk.py [--items 10000 100000] [--per-feed 1000]
        [--text bbc|generated] [--data DIR]

Serves N/per-feed RSS feeds from 127.0.0.1 (``--text generated``: bench_feeds'
items, about 2 KB of HTML each from a 12-word vocabulary; ``--text bbc``: each item
an article of the BBC News corpus in ``--data`` as HTML paragraphs, real text that
compresses as news does: the dataset as for ``bench_related.py``, brought into a
temporary folder, never committed). newsboat (Debian's package) fills a fresh
cache.db with ``-x reload``; reader makes a fresh home, subscribes to the same feeds
and runs a cold ``reader refresh``, then ``reader index`` (the full-text index and
the analysis for related stories and copies: the state the app reaches in the
background, so the size a user keeps).

Counted: for newsboat, cache.db; for reader, every file in the home's cache folder
(stories.sqlite3 and its -wal, after a checkpoint; the picture cache is empty),
after the refresh and after the index. Prints bytes, the ratio, and reader's bytes
per table and index (SQLite's ``dbstat``), largest first. Sizes are bytes, not
timings, so one run per size is enough (they do not vary with the load). Then the
cost of opening a story: the median ``Store.get`` of 500 stories, and of giving back
their bodies as text alone (``packing.unpack``; with reader before cache migration 14,
a plain text column, so next to nothing).
"""

from __future__ import annotations

import argparse
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from email.utils import formatdate
from html import escape
from pathlib import Path

from bench_feeds import make_feed, serve


def bbc_articles(data: Path) -> list[tuple[str, list[str]]]:
    """The corpus in ``data`` as (title, paragraphs), in a fixed order."""
    articles = []
    for path in sorted(data.glob("*/*.txt")):
        lines = [line.strip() for line in path.read_bytes().decode("latin-1").splitlines()]
        lines = [line for line in lines if line]
        if len(lines) > 1:
            articles.append((lines[0], lines[1:]))
    return articles


def make_bbc_feed(index: int, items: int, articles: list[tuple[str, list[str]]]) -> bytes:
    """A feed of ``items`` BBC articles, each item its own (title and text vary by item:
    an article comes back with its paragraphs shuffled, so no two items are the same)."""
    rng = random.Random(index)
    entries = []
    for n in range(items):
        title, paragraphs = articles[(index * items + n) % len(articles)]
        paragraphs = paragraphs[:]
        rng.shuffle(paragraphs)
        html = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
        entries.append(
            f"<item><title>{escape(title)} ({index}.{n})</title>"
            f"<link>http://feeds.example/{index}/{n}</link><guid>f{index}-{n}</guid>"
            f"<pubDate>{formatdate(1748736000 + n * 3600 + index, usegmt=True)}</pubDate>"
            f"<description>{escape(html)}</description></item>"
        )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Feed {index}</title><link>http://feeds.example/{index}</link>"
        f"<description>BBC</description>{''.join(entries)}</channel></rss>"
    ).encode()


def cache_bytes(home: Path) -> int:
    """Bytes of every file in the home's cache folder, after a WAL checkpoint."""
    db = home / "cache" / "stories.sqlite3"
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return sum(p.stat().st_size for p in (home / "cache").rglob("*") if p.is_file())


def per_table(db: Path) -> list[tuple[str, int]]:
    """Bytes of each table and index (dbstat pages), largest first."""
    conn = sqlite3.connect(db)
    rows = conn.execute(
        "SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC"
    ).fetchall()
    conn.close()
    return rows


def read_cost(home: Path, sample: int = 500) -> tuple[float, float]:
    """Median microseconds of ``Store.get`` (a story opened: its row, its bodies given
    back as text) over ``sample`` stories, and of giving back the bodies alone."""
    import statistics
    import time

    from reader.base.paths import resolve_paths
    from reader.store import Store

    try:
        from reader.store.packing import unpack
    except ImportError:  # a reader before cache migration 14: bodies are text

        def unpack(value: object, html: object = None) -> object:
            return value

    with Store(resolve_paths(home)) as store:
        conn = sqlite3.connect(home / "cache" / "stories.sqlite3")
        rows = conn.execute(
            "SELECT id, body, body_html FROM stories ORDER BY random() LIMIT ?", (sample,)
        ).fetchall()
        conn.close()
        gets, unpacks = [], []
        for sid, body, html in rows:
            start = time.perf_counter()
            store.get(sid)
            gets.append(time.perf_counter() - start)
            start = time.perf_counter()
            unpack(body, html)
            unpack(html)
            unpacks.append(time.perf_counter() - start)
    return statistics.median(gets) * 1e6, statistics.median(unpacks) * 1e6


def run(items: int, per_feed: int, text: str, tmp: Path, newsboat: str, data: Path) -> None:
    count = max(1, items // per_feed)
    articles = bbc_articles(data) if text == "bbc" else []
    feeds = {
        f"/feed/{i}.xml": (
            make_bbc_feed(i, per_feed, articles) if text == "bbc" else make_feed(i, per_feed)
        )
        for i in range(count)
    }
    server, base = serve(feeds)
    total = count * per_feed
    size = sum(map(len, feeds.values())) / 1e6
    print(f"{total:,} items ({text} text): {count} feeds x {per_feed} ({size:.0f} MB of feeds)")
    work = tmp / f"run-{total}"
    work.mkdir()
    urls = work / "urls"
    urls.write_text("".join(f"{base}{path}\n" for path in feeds))
    config = work / "newsboat.conf"
    config.write_text("reload-threads 4\n")
    cache = work / "cache.db"
    subprocess.run([newsboat, "-x", "reload", "-u", str(urls), "-c", str(cache), "-C",
                    str(config)], check=True, capture_output=True,
                   env={"HOME": str(work), "PATH": "/usr/bin:/bin"})  # fmt: skip
    nb = sqlite3.connect(cache)
    nb_items = nb.execute("SELECT count(*) FROM rss_item").fetchone()[0]
    nb.close()
    home = work / "home"
    reader = [sys.executable, "-m", "reader", "--home", str(home)]
    subprocess.run([*reader, "feed", "import", str(urls)], check=True, capture_output=True)
    subprocess.run([*reader, "refresh"], check=True, capture_output=True)
    db = home / "cache" / "stories.sqlite3"
    stories = sqlite3.connect(db).execute("SELECT count(*) FROM stories").fetchone()[0]
    nb_bytes = cache.stat().st_size
    refreshed = cache_bytes(home)
    subprocess.run([*reader, "index"], check=True, capture_output=True)
    indexed = cache_bytes(home)
    server.shutdown()
    get_us, unpack_us = read_cost(home)
    print(f"  newsboat cache.db ({nb_items:,} items): {nb_bytes:>13,} bytes")
    print(f"  reader cache/ after refresh ({stories:,} stories): {refreshed:>13,} bytes"
          f"  {refreshed / nb_bytes:.2f}x newsboat")  # fmt: skip
    print(f"  reader cache/ after reader index:        {indexed:>13,} bytes"
          f"  {indexed / nb_bytes:.2f}x newsboat")  # fmt: skip
    print(f"  per story: reader {indexed / stories:,.0f} B, newsboat {nb_bytes / nb_items:,.0f} B")
    print(f"  a story opened (Store.get): median {get_us:.0f} us, of which its bodies"
          f" given back as text {unpack_us:.0f} us")  # fmt: skip
    print("  reader's tables and indexes (after reader index):")
    for name, pages in per_table(db):
        if pages >= indexed / 1000:
            print(f"    {name:32s} {pages:>13,}  {pages / indexed:5.1%}")
    shutil.rmtree(work)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--per-feed", type=int, default=1000)
    parser.add_argument("--text", choices=("bbc", "generated"), default="bbc")
    parser.add_argument("--data", type=Path, help="the BBC News dataset's folder (--text bbc)")
    args = parser.parse_args()
    newsboat = shutil.which("newsboat")
    if newsboat is None:
        sys.exit("newsboat is not installed (apt-get install newsboat)")
    if args.text == "bbc" and (args.data is None or not args.data.is_dir()):
        sys.exit("--text bbc needs --data DIR, the BBC News dataset's folder (or --text generated)")
    with tempfile.TemporaryDirectory(prefix="reader-disk-bench-") as tmp:
        for items in args.items:
            run(items, args.per_feed, args.text, Path(tmp), newsboat, args.data)


if __name__ == "__main__":
    main()
