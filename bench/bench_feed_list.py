"""The feed list at scale: its counts, a saved search's counts, and opening it in the app.

    python bench/bench_feed_list.py [--feeds 1000] [--stories 100] [--runs 7] [--home DIR]

Builds a home of ``--feeds`` feeds (20 tags, a tenth untagged) with ``--stories``
generated stories each (a word list drawn Zipf-like, so some words are in most
stories and some in few; a third read), indexed for search and analysed (so that the
app starts settled). ``--home`` keeps it there
and reuses it on the next run. Printed, medians over ``--runs`` interleaved rounds:

* ``Store.list_feeds`` (two correlated counts a feed, from the feed index that holds
  the story ids: a read-mark lookup a story for the unread count) beside one grouped
  pass over all the feeds' stories, on the same schema, and ``list_feeds`` without
  the unread counts (what the feed list shows first);
* ``Store.query_counts`` for saved searches of each kind (a common word, a rare word,
  words with ``tag:`` and ``is:unread``, filters alone) beside ``Store.search`` of the
  same query with the app's limit (500), what opening the saved search costs;
* in the app (headless, ``App.run_test``, once its start-up work is done): ``F``
  pressed to the list shown with its story counts, and to its unread counts filled
  in (the saved searches' counts come after),
  beside ``s`` (the site picker, which reads per-site and per-tag counts) as a peer.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from reader.base.models import Page
from reader.base.paths import Paths, resolve_paths
from reader.store import Store

TAGS = 20
WORDS = 5000
GROUPED_LIST_FEEDS = (
    "SELECT f.*, coalesce(c.n, 0) AS n, coalesce(c.unread, 0) AS unread"
    " FROM user.feeds f LEFT JOIN (SELECT s.feed_url, count(*) AS n,"
    "  sum(NOT EXISTS (SELECT 1 FROM user.read_marks r WHERE r.story_id = s.id)) AS unread"
    "  FROM stories s WHERE s.feed_url IN (SELECT url FROM user.feeds)"
    "  GROUP BY s.feed_url) c ON c.feed_url = f.url ORDER BY lower(coalesce(f.title, f.url))"
)
QUERIES = {
    "common word": "w1",
    "rare word": "w4000",
    "words tag: is:unread": "w3 w20 tag:tag05 is:unread",
    "filters alone": "tag:tag07 is:unread",
}


def build(paths: Paths, feeds: int, per_feed: int, rng: random.Random) -> None:
    """The home: feeds, their stories, a third read, the full-text index."""
    words = [f"w{n}" for n in range(WORDS)]
    weights = [1 / (n + 1) for n in range(WORDS)]
    with Store(paths) as store:
        for n in range(feeds):
            tags = [] if n % 10 == 9 else [f"tag{n % TAGS:02d}"]
            store.add_feed(f"https://feed{n:04d}.example/rss", f"Feed number {n:04d}", tags)
        batch: list[tuple[str, str, Page]] = []
        for n in range(feeds):
            url = f"https://feed{n:04d}.example/rss"
            for item in range(per_feed):
                text = " ".join(rng.choices(words, weights, k=60))
                title = " ".join(rng.choices(words, weights, k=6))
                day = f"2026-{1 + item % 12:02d}-{1 + item % 28:02d}T08:00:00"
                page = Page(title=title, body=text, site=f"Feed number {n:04d}", feed_url=url,
                            published=day)  # fmt: skip
                batch.append((f"{url}#{item}", f"{n}-{item}", page))
            if len(batch) >= 5000:
                store.save_pages(batch)
                batch = []
        if batch:
            store.save_pages(batch)
        ids = [s.id for s in store.list_stories()]
        read = rng.sample(ids, len(ids) // 3)
        with store._conn:  # a third read, in one statement (set_read is one a story)
            store._conn.executemany(
                "INSERT INTO user.read_marks (story_id, read_at) VALUES (?, '2026-12-01')",
                [(sid,) for sid in read],
            )
        store.index_pending()
        store.analyse_pending()


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def store_figures(paths: Paths, runs: int) -> None:
    with Store(paths) as store:
        conn = store._conn  # the bench times the old query on the same connection
        pairs: dict[str, tuple[list[float], list[float]]] = {
            "list_feeds": ([], []),
            "list_feeds, no unread": ([], []),
            **{name: ([], []) for name in QUERIES},
        }
        for _ in range(runs + 1):  # the first round warms up and is dropped
            mine, peer = pairs["list_feeds"]
            mine.append(timed(store.list_feeds))
            peer.append(timed(lambda: conn.execute(GROUPED_LIST_FEEDS).fetchall()))
            mine, peer = pairs["list_feeds, no unread"]
            mine.append(timed(lambda: store.list_feeds(with_unread=False)))
            peer.append(timed(lambda: conn.execute(GROUPED_LIST_FEEDS).fetchall()))
            for name, query in QUERIES.items():
                mine, peer = pairs[name]
                mine.append(timed(lambda q=query: store.query_counts(q)))  # type: ignore[misc]
                peer.append(timed(lambda q=query: store.search(q, limit=500, grouped=True)))  # type: ignore[misc]
        counts = {name: store.query_counts(q) for name, q in QUERIES.items()}
    print(f"{'store (ms, median)':28} {'ours':>9} {'peer':>9}  peer")
    for name, (mine, peer) in pairs.items():
        feeds = name.startswith("list_feeds")
        what = "one grouped pass" if feeds else "search, limit 500"
        extra = "" if feeds else f"  counts (unread, all) {counts[name]}"
        print(f"{name:28} {statistics.median(mine[1:]):9.1f} {statistics.median(peer[1:]):9.1f}"
              f"  {what}{extra}")  # fmt: skip


async def open_once(paths: Paths, key: str) -> tuple[float, float]:
    """ms from pressing ``key`` to its screen drawn with its data: first drawn (the
    feed list: with its story counts) and complete (with the unread counts)."""
    from reader.app.app import ReaderApp
    from reader.app.feed_list import FeedListScreen
    from reader.app.screens import PickScreen

    app = ReaderApp(paths)
    async with app.run_test(size=(120, 40)) as pilot:
        while app.reading.story is None or app.reading.stories.count == 0:
            await pilot.pause(0.02)
        while any(worker.is_running for worker in app.workers):  # start-up work done
            await pilot.pause(0.05)
        start = time.perf_counter()
        await pilot.press(key)  # returns once the key is handled: the list may be in
        while True:
            screen = app.screen
            if isinstance(screen, FeedListScreen) and screen.loaded:
                break
            if isinstance(screen, PickScreen):
                break
            await asyncio.sleep(0.002)
        await pilot.pause()  # drawn
        elapsed = (time.perf_counter() - start) * 1000
    first = (shown[0] - start) * 1000 if shown else elapsed
    shown.clear()
    return first, elapsed


shown: list[float] = []
"""When the feed list was first given its rows (the next frame draws them)."""


def _record_first_rows() -> None:
    from reader.app.feed_list import FeedRows

    set_rows = FeedRows.set_rows

    def recording(self: FeedRows, *args: Any, **kwargs: Any) -> None:
        if not shown:
            shown.append(time.perf_counter())
        set_rows(self, *args, **kwargs)

    FeedRows.set_rows = recording  # type: ignore[method-assign]


def app_figures(paths: Paths, runs: int) -> None:
    _record_first_rows()
    first: list[float] = []
    ours: list[float] = []
    peer: list[float] = []
    for _ in range(runs):
        shown, complete = asyncio.run(open_once(paths, "F"))
        first.append(shown)
        ours.append(complete)
        peer.append(asyncio.run(open_once(paths, "s"))[1])
    print(f"{'app (ms, median)':28} {'ours':>9} {'peer':>9}  peer")
    print(f"{'F: rows with story counts':28} {statistics.median(first):9.1f}"
          f" {statistics.median(peer):9.1f}  s: the site picker drawn")  # fmt: skip
    print(f"{'F: with unread counts':28} {statistics.median(ours):9.1f}"
          f" {statistics.median(peer):9.1f}  s: the site picker drawn")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--stories", type=int, default=100, help="stories a feed")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--home", type=Path)
    args = parser.parse_args()
    home = args.home or Path(tempfile.mkdtemp(prefix="bench-feed-list-"))
    paths = resolve_paths(home)
    if not paths.cache_db.exists():
        start = time.perf_counter()
        build(paths, args.feeds, args.stories, random.Random(7))
        print(f"built {args.feeds} feeds x {args.stories} stories in"
              f" {time.perf_counter() - start:.0f} s at {home}", file=sys.stderr)  # fmt: skip
    store_figures(paths, args.runs)
    app_figures(paths, args.runs)


if __name__ == "__main__":
    main()
