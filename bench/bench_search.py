"""Search at scale: ``Store.search`` by query class, beside plain FTS5 on the same rows.

    python bench/bench_search.py DATA_DIR [--size 100000] [--queries 60] [--home DIR]

DATA_DIR holds the BBC News dataset (D. Greene and P. Cunningham, ICML 2006: 2,225
articles from 2004-2005 in 5 topics, one folder per topic, a file per article, its
first line the headline), e.g. ``bbc/`` of github.com/dejanbatanjac/bbc-article-classify-bert
(brought into a temporary folder; never committed). The cache is grown to ``--size``
stories by recombining paragraphs of same-topic articles (each a new text), on 20
sites (4 a topic), half of them feeds with tags, dated over a year and stored oldest
first as a reader stores them; a third are read and 1% bookmarked. ``--home`` keeps
the built home there and reuses it on the next run; ``--window`` tries another
``RANK_WINDOW``.

Query classes (``--queries`` of each): common words (in 10-60% of stories, one or
two), rare words (in 2-20), prefixes (``harb*``), phrases (two adjacent words in
quotes), no match, words with filters (``site:``, ``tag:``, ``is:unread``,
``after:``) and filters alone. Each query runs through ``Store.search`` (limit 200,
as typed in the app), through ``Store.search`` ranking every match (``RANK_WINDOW``
lifted: how search ranked before), and as plain FTS5 (``SELECT rowid FROM fts WHERE
fts MATCH ? ORDER BY rank LIMIT 200`` on a bare FTS5 table holding the same titles and
bodies, the query's words as ``match_all`` makes them), interleaved query by query
after a warm-up round (``--app``: 500 results, copies grouped, as the app's list
searches; ``--no-full``: without the full ranking, for a quick run at 1M; ``--cpu``:
CPU time of the thread, not wall-clock time, for a loaded machine). Printed: median
and p95 in ms per class, the ratio of medians to plain FTS5, the time
``Store.snippets`` takes for 50 results (what ``reader search`` shows), and for
common words how many of the best 20 of the full ranking the windowed ranking keeps.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import reader.store.search as search_module
from reader.base.models import Page
from reader.base.paths import resolve_paths
from reader.store import Store, packing
from reader.store.query import STOPWORDS, match_all, parse_query
from reader.store.rows import content_hash, story_id

LIMIT = 200
SITES_PER_TOPIC = 4
NOW = datetime(2026, 12, 1, tzinfo=UTC)


def load(folder: Path) -> list[tuple[str, str, str]]:
    """``(topic, title, body)`` for every article under ``folder``."""
    found = []
    for path in sorted(folder.glob("*/*.txt")):
        text = path.read_bytes().decode("utf-8", "replace").strip()
        title, _, body = text.partition("\n")
        found.append((path.parent.name, title.strip(), body.strip()))
    if not found:
        sys.exit(f"no articles under {folder} (expected TOPIC/NNN.txt)")
    return found


def generate(items: list[tuple[str, str, str]], size: int, rng: random.Random) -> list[Page]:
    """``size`` pages recombined from ``items``, oldest first."""
    by_topic: dict[str, list[str]] = {}
    for topic, _, body in items:
        by_topic.setdefault(topic, []).extend(p for p in body.split("\n") if p.strip())
    pages = []
    for n in range(size):
        topic, title, body = items[n % len(items)]
        paras = [p for p in body.split("\n") if p.strip()][:2] + rng.sample(by_topic[topic], 4)
        site_n = rng.randrange(SITES_PER_TOPIC)
        site = f"{topic.title()} Daily {site_n}"
        published = NOW - timedelta(seconds=rng.randrange(365 * 86400))
        pages.append(
            Page(
                title=f"{title} ({n})" if n >= len(items) else title,
                body="\n\n".join(paras),
                site=site,
                url=f"https://{topic}{site_n}.example/story/{n}",
                published=published.isoformat(),
                feed_url=f"https://{topic}{site_n}.example/feed" if site_n % 2 else None,
            )
        )
    pages.sort(key=lambda page: page.published or "")
    return pages


def build(home: Path, data: Path, size: int, rng: random.Random) -> None:
    """Fill the home at ``home`` and a bare FTS5 table beside it (``plain.sqlite3``)."""
    pages = generate(load(data), size, rng)
    t0 = time.perf_counter()
    with Store(resolve_paths(home)) as store:
        for topic in {p.site.split()[0].lower() for p in pages if p.site}:
            for n in range(1, SITES_PER_TOPIC, 2):
                store.add_feed(f"https://{topic}{n}.example/feed", tags=[topic, "news"])
        for start in range(0, len(pages), 5000):
            chunk = pages[start : start + 5000]
            store.save_pages(
                [
                    (f"bench:{start + i}", content_hash(f"{start + i}".encode()), page)
                    for i, page in enumerate(chunk)
                ]
            )
        store.index_pending()
        ids = [story_id(f"bench:{n}") for n in range(len(pages))]
        store.mark_all_read(ids=rng.sample(ids, len(ids) // 3))
        for sid in rng.sample(ids, len(ids) // 100):
            store.set_bookmark(sid)
    plain = sqlite3.connect(home / "plain.sqlite3", isolation_level=None)
    plain.execute(
        "CREATE VIRTUAL TABLE fts USING fts5 (title, body,"
        " tokenize='unicode61 remove_diacritics 2')"
    )
    plain.execute("BEGIN")
    plain.executemany(
        "INSERT INTO fts (rowid, title, body) VALUES (?, ?, ?)",
        ((n + 1, p.title, p.body) for n, p in enumerate(pages)),
    )
    plain.execute("COMMIT")
    plain.close()
    print(f"built {len(pages)} stories in {time.perf_counter() - t0:.0f} s")


def adopt(home: Path) -> None:
    """Index a home built by ``bench_scale.py`` (its queue emptied) as a rebuild of the
    index would, and make the bare FTS5 table (``plain.sqlite3``) from its rows."""
    with Store(resolve_paths(home)) as store:
        conn = store._conn  # the bench queues every story, as migration 8 does
        conn.execute("INSERT OR IGNORE INTO fts_pending (story_rowid) SELECT rowid FROM stories")
        t0 = time.perf_counter()
        added = store.index_pending()
        print(f"indexed {added} stories in {time.perf_counter() - t0:.0f} s", flush=True)
    plain = sqlite3.connect(home / "plain.sqlite3", isolation_level=None)
    packing.register(plain)  # the bodies are stored packed (cache migration 14)
    plain.execute("ATTACH ? AS src", (f"file:{home / 'cache' / 'stories.sqlite3'}?mode=ro",))
    plain.execute(
        "CREATE VIRTUAL TABLE fts USING fts5 (title, body,"
        " tokenize='unicode61 remove_diacritics 2')"
    )
    t0 = time.perf_counter()
    plain.execute("BEGIN")
    plain.execute(
        "INSERT INTO fts (rowid, title, body)"
        " SELECT rowid, title, unpack(body, body_html) FROM src.stories"
    )
    plain.execute("COMMIT")
    plain.close()
    print(f"bare FTS5 table in {time.perf_counter() - t0:.0f} s", flush=True)


def queries(store: Store, n: int, rng: random.Random) -> dict[str, list[str]]:
    """``n`` queries of each class, from the index's own vocabulary."""
    conn = store._conn  # the bench reads the vocabulary; reader's code never does this
    conn.execute(
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.v USING fts5vocab(main, stories_fts, row)"
    )
    total = conn.execute("SELECT count(*) FROM stories").fetchone()[0]
    vocab = [
        (term, doc)
        for term, doc in conn.execute("SELECT term, doc FROM temp.v")
        if term.isalpha() and len(term) > 2
    ]
    common = [t for t, d in vocab if 0.1 * total <= d <= 0.6 * total and t not in STOPWORDS]
    rare = (
        [t for t, d in vocab if 2 <= d <= 20]
        or [  # else the rarest (a bench_scale home)
            t for t, _ in sorted(vocab, key=lambda term: term[1])[:200]
        ]
    )
    middle = [t for t, d in vocab if 200 <= d <= 5000 and len(t) >= 5]
    bodies = [
        row[0].split()
        for row in conn.execute(
            "SELECT unpack(body, body_html) FROM stories"
            " WHERE rowid IN (SELECT value FROM json_each(?)) ORDER BY rowid",
            (json.dumps([rng.randrange(1, total + 1) for _ in range(n * 4)]),),
        )
    ]
    phrases = []
    for words in bodies:
        words = [w.strip(".,;:'\"()") for w in words]
        pairs = [
            (a, b) for a, b in zip(words, words[1:], strict=False) if a.isalpha() and b.isalpha()
        ]
        if pairs:
            first, second = rng.choice(pairs)
            phrases.append(f'"{first} {second}"')
    sites = [f"{t}{n}" for t in ("business", "sport", "tech", "politics") for n in range(4)]
    filters = ["site:{site}", "tag:{topic}", "is:unread", "after:30d", "-site:{site} is:unread"]
    topics = ["business", "sport", "tech", "politics", "entertainment"]

    def with_filter(word: str) -> str:
        pattern = rng.choice(filters)
        return f"{word} " + pattern.format(site=rng.choice(sites), topic=rng.choice(topics))

    only = ["is:bookmarked", "is:unread", "site:{site}", "tag:{topic}", "after:7d is:unread"]
    return {
        "common": [" ".join(rng.sample(common, rng.choice((1, 1, 2)))) for _ in range(n)],
        "rare": [rng.choice(rare) for _ in range(n)],
        "prefix": [rng.choice(middle)[: rng.choice((3, 4))] + "*" for _ in range(n)],
        "phrase": rng.sample(phrases, min(n, len(phrases))),
        "no match": [f"zq{rng.randrange(10**6)}x" for _ in range(n)],
        "words+filter": [with_filter(rng.choice(common + middle)) for _ in range(n)],
        "filters only": [
            rng.choice(only).format(site=rng.choice(sites), topic=rng.choice(topics))
            for _ in range(n)
        ],
    }


CLOCK = time.perf_counter
"""What ``timed`` reads: the wall clock, or with ``--cpu`` this thread's CPU time (SQLite
runs in the calling thread), which a loaded machine's other processes do not inflate."""


def timed(call: Callable[[], object]) -> float:
    t = CLOCK()
    call()
    return (CLOCK() - t) * 1000


def p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[max(0, int(len(ordered) * 0.95) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data", type=Path)
    parser.add_argument("--size", type=int, default=100_000, help="stories (default 100,000)")
    parser.add_argument("--queries", type=int, default=60, help="queries a class (default 60)")
    parser.add_argument("--home", type=Path, help="keep the built home here, reuse it")
    parser.add_argument("--window", type=int, help="RANK_WINDOW to try (default: reader's)")
    parser.add_argument("--cpu", action="store_true", help="time CPU, not the wall clock")
    parser.add_argument("--app", action="store_true", help="500 results, grouped: as the app")
    parser.add_argument("--no-full", action="store_true", help="no full ranking (quick at 1M)")
    args = parser.parse_args()
    global CLOCK, LIMIT
    grouped = bool(args.app)
    if args.app:
        LIMIT = 500
    if args.cpu:
        CLOCK = time.thread_time
    if args.window:
        search_module.RANK_WINDOW = args.window
    rng = random.Random(12)
    with tempfile.TemporaryDirectory() as tmp:
        home = args.home or Path(tmp)
        if (home / "cache" / "stories.sqlite3").exists() and not (home / "plain.sqlite3").exists():
            adopt(home)
        elif not (home / "plain.sqlite3").exists():
            build(home, args.data, args.size, rng)
        plain = sqlite3.connect(home / "plain.sqlite3")
        plain.execute("PRAGMA cache_size = -65536")  # as the store's connection

        def bare(query: str) -> None:
            match = match_all(parse_query(query).text)
            if match is not None:
                plain.execute(
                    "SELECT rowid FROM fts WHERE fts MATCH ? ORDER BY rank LIMIT ?",
                    (match, LIMIT),
                ).fetchall()

        window = search_module.RANK_WINDOW
        with Store(resolve_paths(home)) as store:
            load = ", ".join(f"{n:.1f}" for n in os.getloadavg())
            print(
                f"{store.count()} stories; RANK_WINDOW {window}; limit {LIMIT}"
                f"{' grouped (as the app)' if grouped else ''};"
                f" {'CPU time' if args.cpu else 'wall clock'}; load {load}"
            )
            t0 = time.perf_counter()  # what the app's catch-up does after its first screen
            store.index_pending()
            print(f"index brought up to date in {time.perf_counter() - t0:.1f} s", flush=True)
            classes = queries(store, args.queries, rng)

            def ours(query: str) -> None:
                store.search(query, limit=LIMIT, now=NOW, grouped=grouped)

            def full(query: str) -> None:
                search_module.RANK_WINDOW = 10**9
                try:
                    store.search(query, limit=LIMIT, now=NOW, grouped=grouped)
                finally:
                    search_module.RANK_WINDOW = window

            runs = {"ours": ours, "full": full, "plain": bare}
            if args.no_full:
                del runs["full"]
            for qs in classes.values():  # warm-up round
                for q in qs:
                    for key, run in runs.items():
                        if key == "ours" or not args.no_full:
                            run(q)
            print(
                f"{'class':<13} {'n':>3}  {'search p50':>10} {'p95':>6}"
                f"  {'full rank p50':>13} {'p95':>6}  {'FTS5 p50':>8} {'p95':>6}  ratio"
            )
            for name, qs in classes.items():
                times: dict[str, list[float]] = {key: [] for key in runs}
                for i, q in enumerate(qs):
                    order = list(runs.items())
                    if i % 2:
                        order.reverse()
                    for key, run in order:
                        times[key].append(timed(lambda run=run, q=q: run(q)))  # type: ignore[misc]
                times.setdefault("full", [float("nan")])
                med = {key: statistics.median(ts) for key, ts in times.items()}
                ratio = f"{med['ours'] / med['plain']:5.1f}x" if name != "filters only" else "    -"
                print(
                    f"{name:<13} {len(qs):>3}  {med['ours']:>10.1f} {p95(times['ours']):>6.1f}"
                    f"  {med['full']:>13.1f} {p95(times['full']):>6.1f}"
                    f"  {med['plain']:>8.1f} {p95(times['plain']):>6.1f}  {ratio}"
                )
            snipping = []
            for name in ("common", "prefix", "phrase"):
                for q in classes[name]:
                    ids = [s.id for s in store.search(q, limit=50, now=NOW)]
                    snipping.append(timed(lambda q=q, ids=ids: store.snippets(q, ids)))
            print(
                f"snippets for 50 results (common, prefix, phrase): median"
                f" {statistics.median(snipping):.1f} ms, p95 {p95(snipping):.1f} ms"
            )
            if args.no_full:
                plain.close()
                return
            kept = []
            for q in classes["common"]:
                windowed = {s.id for s in store.search(q, limit=20, now=NOW)}
                search_module.RANK_WINDOW = 10**9
                best = {s.id for s in store.search(q, limit=20, now=NOW)}
                search_module.RANK_WINDOW = window
                kept.append(len(windowed & best) / max(1, len(best)))
            print(
                f"common words: the windowed ranking keeps {statistics.mean(kept):.0%} of the"
                " full ranking's best 20 (mean)"
            )
        plain.close()


if __name__ == "__main__":
    main()
