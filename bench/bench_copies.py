"""Same story, many sites: precision and recall of reader's groups of copies.

    python bench/bench_copies.py DATA_DIR [--originals 200] [--seed 7]

DATA_DIR holds the BBC News dataset (D. Greene and P. Cunningham, ICML 2006: 2,225
articles, one folder per topic, a file per article, its first line the headline), as
for ``bench_related.py`` (e.g. ``bbc/`` of github.com/dejanbatanjac/bbc-article-
classify-bert, brought into a temporary folder; never committed).

Every article is stored as a story of its topic's site. ``--originals`` of them are
then re-posted by four content farms, each the way such sites do it:

* ``farm-a``: a rewritten headline and boilerplate paragraphs added around the text;
* ``farm-b``: a third of the paragraphs cut (at least two kept);
* ``farm-c``: the paragraphs reordered, and a rewritten headline;
* ``farm-d``: the headline replaced by the first sentence, boilerplate added.

A pair of stories is the same story when one is a copy of the other, or both copies of
one article, or when two articles of the set have the same text or the same headline in
one topic (the set holds a few dozen stories published twice, the second time updated).
Printed: pairs precision and recall of the groups ``Store.analyse_pending`` makes
(targets 0.97 and 0.90), the time it took, and the same-story lookup (``Store.copies``).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from itertools import combinations
from pathlib import Path

from reader.base.models import Page
from reader.base.paths import resolve_paths
from reader.store import Store
from reader.store.rows import content_hash, story_id

BOILERPLATE = [
    "Sign up for our daily newsletter and get the top stories in your inbox every morning.",
    "This article was originally published elsewhere and is republished here with"
    " permission. Views expressed are the author's own.",
    "Follow us on social media for more updates. Share this story with your friends.",
    "Advertisement. Continue reading below. Our partners may earn a commission.",
]
HEADLINE_OPENERS = ["Report:", "Breaking:", "Explained:", "What we know:", "Watch:"]


def load(folder: Path) -> list[tuple[str, str, str, list[str]]]:
    """``(source, topic, title, paragraphs)`` for every article under ``folder``."""
    found = []
    for path in sorted(folder.glob("*/*.txt")):
        text = path.read_bytes().decode("utf-8", "replace").strip()
        title, _, body = text.partition("\n")
        paras = [p.strip() for p in body.split("\n") if p.strip()]
        found.append((f"bbc:{path.parent.name}/{path.name}", path.parent.name, title, paras))
    if not found:
        sys.exit(f"no articles under {folder} (expected TOPIC/NNN.txt)")
    return found


def rewrite(title: str, rng: random.Random) -> str:
    words = title.split()
    if len(words) > 3:
        cut = rng.randrange(1, len(words) - 1)
        words = words[cut:] + words[:cut]
    return f"{rng.choice(HEADLINE_OPENERS)} {' '.join(words)}"


def copies(title: str, paras: list[str], rng: random.Random) -> list[tuple[str, str, list[str]]]:
    """The four farms' copies of one article: ``(farm, title, paragraphs)``."""
    top, tail = rng.sample(BOILERPLATE, 2)
    kept = max(2, len(paras) - len(paras) // 3)
    cut = sorted(rng.sample(range(len(paras)), min(kept, len(paras))))
    shuffled = paras[:]
    rng.shuffle(shuffled)
    first = paras[0].split(". ")[0] if paras else title
    return [
        ("farm-a", rewrite(title, rng), [top, *paras, tail]),
        ("farm-b", title, [paras[i] for i in cut]),
        ("farm-c", rewrite(title, rng), shuffled),
        ("farm-d", first, [*paras, tail]),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data", type=Path)
    parser.add_argument("--originals", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    items = load(args.data)
    rng = random.Random(args.seed)
    chosen = rng.sample(range(len(items)), min(args.originals, len(items)))
    story_of: dict[str, int] = {}  # story id -> the article it tells
    by_text: dict[str, int] = {}
    pages = []
    by_title: dict[tuple[str, str], int] = {}
    for n, (src, topic, title, paras) in enumerate(items):
        text = " ".join(" ".join(paras).split())
        # The set's own duplicates: the same text, or the same headline in one topic
        # (a story updated and published again).
        first = by_text.setdefault(text, by_title.setdefault((topic, title.strip()), n))
        story_of[story_id(src)] = first
        pages.append((src, title, paras, topic))
    for n in chosen:
        src, _, title, paras = items[n]
        for farm, new_title, new_paras in copies(title, paras, rng):
            copy_src = f"https://{farm}.example/{src.split(':', 1)[1]}"
            story_of[story_id(copy_src)] = story_of[story_id(src)]
            pages.append((copy_src, new_title, new_paras, farm))
    rng.shuffle(pages)  # copies arrive before their originals too
    with tempfile.TemporaryDirectory() as tmp, Store(resolve_paths(Path(tmp))) as store:
        store.save_pages(
            [
                (src, content_hash(src.encode()), Page(title, "\n\n".join(paras), site=site))
                for src, title, paras, site in pages
            ]
        )
        t0 = time.perf_counter()
        store.analyse_pending()
        took = time.perf_counter() - t0
        found: set[frozenset[str]] = set()
        lookups = []
        for sid in story_of:
            t = time.perf_counter()
            group = [c.id for c in store.copies(sid)]
            lookups.append((time.perf_counter() - t) * 1000)
            for a, b in combinations(sorted([sid, *group]), 2):
                found.add(frozenset((a, b)))
        truth: set[frozenset[str]] = set()
        members: dict[int, list[str]] = {}
        for sid, article in story_of.items():
            members.setdefault(article, []).append(sid)
        for ids in members.values():
            truth.update(frozenset(pair) for pair in combinations(sorted(ids), 2))
        right = len(found & truth)
        precision = right / len(found) if found else 1.0
        recall = right / len(truth) if truth else 1.0
        lookups.sort()
        print(
            f"{len(items)} articles, {len(chosen)} re-posted by 4 farms:"
            f" {len(pages)} stories, {len(truth)} same-story pairs"
        )
        print(
            f"pairs precision {precision:.3f} (target 0.97)   recall {recall:.3f}"
            f" (target 0.90)   found {len(found)}, right {right}"
        )
        print(
            f"analysis {took:.1f} s ({took / len(pages) * 1000:.2f} ms a story);"
            f" same-story lookup median {statistics.median(lookups):.2f} ms,"
            f" p95 {lookups[int(len(lookups) * 0.95) - 1]:.2f} ms"
        )


if __name__ == "__main__":
    main()
