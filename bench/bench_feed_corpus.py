"""Does the fast feed path read odd feeds as feedparser does? A corpus check.

    python bench/bench_feed_corpus.py DIR [DIR ...]

Reads every ``*.xml``/``*.rss``/``*.atom``/``*.rdf`` file under the folders given
(feedparser's own test documents are a good corpus: ``pip download --no-binary
:all: feedparser``, unpack, and pass its ``tests/wellformed tests/illformed
tests/encoding tests/entities``; they are not shipped with reader) and parses each
twice: with reader's ``parse_feed`` (fastfeedparser first, feedparser for what it
cannot read) and with feedparser alone (sanitizer off, as reader uses it).

For each document whose items feedparser can read, it compares the items' count,
titles, links and dates, and prints how many documents took the fast path and
agreed, took the fast path and disagreed (the risk this check looks for, listed
with what differed), or were handed to feedparser. Speed is not measured here.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections import Counter
from pathlib import Path
from urllib.parse import urljoin

import feedparser

from reader.base.errors import FeedError
from reader.feeds import parse as feed_parse
from reader.feeds.parse import parse_feed

SUFFIXES = {".xml", ".rss", ".atom", ".rdf"}


def reference(data: bytes, url: str) -> list[tuple[str, str | None, str | None]] | None:
    """(title, link, date) of each item as feedparser reads them; None if it reads none."""
    parsed = feedparser.parse(
        data, sanitize_html=False, resolve_relative_uris=True,
        response_headers={"content-location": url},
    )  # fmt: skip
    if not parsed.entries:
        return None
    items = []
    for entry in parsed.entries:
        link = entry.get("link")
        items.append(
            (
                feed_parse._plain(entry.get("title")),
                urljoin(url, link) if link else None,
                feed_parse._when(entry),
            )
        )
    return items


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="+", type=Path)
    parser.add_argument("--show", type=int, default=15, help="disagreements to list")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    files = sorted(
        p for folder in args.folders for p in folder.rglob("*") if p.suffix.lower() in SUFFIXES
    )
    outcome: Counter[str] = Counter()
    differences: list[str] = []
    fields: Counter[str] = Counter()
    for path in files:
        data = path.read_bytes()
        url = f"http://example.org/{path.name}"
        expected = reference(data, url)
        took_fast = feed_parse._parse_fast(data, url) is not None
        try:
            ours = parse_feed(data, url)
        except FeedError:
            ours = None
        except Exception as exc:  # a crash is the worst outcome: count it loudly
            outcome["crashed"] += 1
            differences.append(f"{path}: crashed: {type(exc).__name__}: {exc}")
            continue
        if expected is None:
            outcome["feedparser reads no items"] += 1
            continue
        got = [(p.title, p.url, p.published) for _, p in ours.pages] if ours else []
        if not took_fast:
            outcome["handed to feedparser"] += 1
            continue
        if got == expected:
            outcome["fast path, same items"] += 1
            continue
        # Untitled items get a title made from their text: not a difference.
        same = len(got) == len(expected)
        diffs = []
        if not same:
            diffs.append(f"{len(got)} items, feedparser {len(expected)}")
        else:
            for (t1, l1, d1), (t2, l2, d2) in zip(got, expected, strict=True):
                if t1 != t2 and t2:
                    diffs.append(f"title {t1!r} vs {t2!r}")
                    fields["title"] += 1
                if l1 != l2:
                    diffs.append(f"link {l1!r} vs {l2!r}")
                    fields["link"] += 1
                if (d1 or "")[:19] != (d2 or "")[:19]:  # to the second: feedparser's precision
                    diffs.append(f"date {d1!r} vs {d2!r}")
                    fields["date"] += 1
        if not diffs:
            outcome["fast path, same items"] += 1
            continue
        outcome["fast path, different"] += 1
        differences.append(f"{path.relative_to(path.parents[1])}: {'; '.join(diffs)[:300]}")
    total = sum(outcome.values())
    print(f"{total} documents")
    for name, count in outcome.most_common():
        print(f"  {name:28s} {count:5d}")
    if fields:
        print("  differing fields:", dict(fields))
    for line in differences[: args.show]:
        print("   ", line)
    if len(differences) > args.show:
        print(f"    ... and {len(differences) - args.show} more")
    sys.exit(1 if outcome["crashed"] else 0)


if __name__ == "__main__":
    main()
