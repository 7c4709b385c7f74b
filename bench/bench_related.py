"""Related stories: precision@5 on a topic-labelled news set, and latency at scale.

    python bench/bench_related.py DATA_DIR [--sample 500] [--size 100000] [--queries 200]

DATA_DIR holds the BBC News dataset (D. Greene and P. Cunningham, ICML 2006: 2,225
articles in 5 topics, one folder per topic, a file per article, its first line the
headline), e.g. ``bbc/`` of github.com/dejanbatanjac/bbc-article-classify-bert
(brought into a temporary folder; never committed). Each topic is a site.

Printed: precision@5 (share of the 5 shown in the story's own topic) for
``Store.related`` beside a plain TF-IDF cosine over title and body (smooth idf, l2
norm, the same stopwords: written out here, so the bench needs nothing installed);
then p95 latency of ``Store.related`` and of the same-story lookup (``Store.copies``)
on a cache grown to ``--size`` stories by recombining paragraphs of same-topic
articles (each replica a new text), and how long analysing them took.
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from reader.base.models import Page
from reader.base.paths import resolve_paths
from reader.store import Store
from reader.store.related import related_words
from reader.store.rows import content_hash, story_id

K = 5


def load(folder: Path) -> list[tuple[str, str, str, str]]:
    """``(source, topic, title, body)`` for every article under ``folder``."""
    found = []
    for path in sorted(folder.glob("*/*.txt")):
        text = path.read_bytes().decode("utf-8", "replace").strip()
        title, _, body = text.partition("\n")
        found.append((f"bbc:{path.parent.name}/{path.name}", path.parent.name, title, body))
    if not found:
        sys.exit(f"no articles under {folder} (expected TOPIC/NNN.txt)")
    return found


def store_all(store: Store, items: list[tuple[str, str, str, str]], analyse: bool = True) -> None:
    for start in range(0, len(items), 2000):
        chunk = items[start : start + 2000]
        store.save_pages(
            [
                (src, content_hash(src.encode()), Page(title, body.strip(), site=topic))
                for src, topic, title, body in chunk
            ]
        )
    store.index_pending()
    if analyse:
        store.analyse_pending()


def tfidf_neighbours(
    items: list[tuple[str, str, str, str]], queries: list[int]
) -> dict[int, list[int]]:
    docs = [Counter(related_words(title + " " + body)) for _, _, title, body in items]
    df: Counter[str] = Counter(word for doc in docs for word in doc)
    n = len(docs)
    vectors = []
    for doc in docs:
        vec = {w: c * (math.log((1 + n) / (1 + df[w])) + 1) for w, c in doc.items()}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        vectors.append({w: v / norm for w, v in vec.items()})
    postings: dict[str, list[tuple[int, float]]] = {}
    for i, vec in enumerate(vectors):
        for w, v in vec.items():
            postings.setdefault(w, []).append((i, v))
    result = {}
    for q in queries:
        scores: Counter[int] = Counter()
        for w, v in vectors[q].items():
            for j, u in postings[w]:
                scores[j] += v * u
        scores.pop(q, None)
        result[q] = [j for j, _ in scores.most_common(K)]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data", type=Path)
    parser.add_argument("--sample", type=int, default=500, help="stories asked (default 500)")
    parser.add_argument("--size", type=int, default=100_000, help="cache size for latency")
    parser.add_argument("--queries", type=int, default=200, help="latency queries")
    args = parser.parse_args()
    items = load(args.data)
    rng = random.Random(12)
    queries = sorted(rng.sample(range(len(items)), min(args.sample, len(items))))
    topic_of = {story_id(src): topic for src, topic, _, _ in items}
    with tempfile.TemporaryDirectory() as tmp, Store(resolve_paths(Path(tmp))) as store:
        store_all(store, items)
        ours = []
        for q in queries:
            found = store.related(story_id(items[q][0]), limit=K)
            ours.append(sum(topic_of.get(r.id) == items[q][1] for r in found) / K)
        base = tfidf_neighbours(items, queries)
        theirs = [sum(items[j][1] == items[q][1] for j in base[q]) / K for q in queries]
        print(f"{len(items)} articles, {len(queries)} asked, {len({i[1] for i in items})} topics")
        print(
            f"precision@5  reader related {statistics.mean(ours):.3f}"
            f"   TF-IDF cosine (title+body) {statistics.mean(theirs):.3f}"
        )
        by_topic: dict[str, list[str]] = {}
        for _, topic, _, body in items:
            by_topic.setdefault(topic, []).extend(p for p in body.split("\n") if p.strip())
        extra = []
        for n in range(max(0, args.size - len(items))):
            src, topic, title, _ = items[n % len(items)]
            paras = rng.sample(by_topic[topic], 6)
            extra.append((f"{src}#replica{n}", topic, f"{title} ({n})", "\n".join(paras)))
        t0 = time.perf_counter()
        store_all(store, extra, analyse=False)
        stored = time.perf_counter() - t0
        t0 = time.perf_counter()
        store.analyse_pending()
        print(
            f"cache grown to {store.count()} stories in {stored:.0f} s,"
            f" analysed (document frequencies, copies) in {time.perf_counter() - t0:.0f} s"
        )
        asked = rng.sample(range(len(items)), min(args.queries, len(items)))
        store.related(story_id(items[asked[0]][0]), limit=10)  # warm
        ids = [story_id(items[q][0]) for q in asked]
        median, p95 = _timed(lambda sid: store.related(sid, limit=10), ids)
        print(
            f"related at {store.count()} stories: median {median:.1f} ms,"
            f" p95 {p95:.1f} ms ({len(ids)} queries, limit 10)"
        )
        median, p95 = _timed(store.copies, ids)
        print(
            f"same-story lookup at {store.count()} stories:"
            f" median {median:.2f} ms, p95 {p95:.2f} ms"
        )


def _timed(call: Callable[[str], object], ids: list[str]) -> tuple[float, float]:
    """Median and p95 in ms of ``call`` on each of ``ids``."""
    times = []
    for sid in ids:
        t = time.perf_counter()
        call(sid)
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1]


if __name__ == "__main__":
    main()
