"""The killfile's cost: ``reader refresh`` with ``[[ignore]]`` rules beside without.

    python bench/bench_killfile.py [--feeds 100] [--items 50] [--runs 3]

Serves N generated RSS feeds of M items (``bench_feeds.make_feed``: about 2 KB of
HTML each) from 127.0.0.1 and times cold refreshes (a fresh home, every feed 200),
whole processes, interleaved: with no rules, and with five rules that every item is
tried against (a title, two content patterns, one case-insensitive, an author, a tag
scope) and that hide about a tenth of the items. Then, in process, the matching alone
per item with the ``regex`` module reader uses beside the standard ``re`` on the same
rows. Prints medians.
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_feeds import make_feed, serve

RULES = """
[[ignore]]
title = "item [0-9]*7:"
[[ignore]]
content = "(?i)sponsored|casino|giveaway"
[[ignore]]
content = "harbour harbour harbour harbour"
[[ignore]]
author = "^Spam"
action = "drop"
[[ignore]]
feed = "tag:never"
title = "."
"""


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def matching(feeds: dict[str, bytes], base: str) -> tuple[float, float, int, int]:
    """Microseconds an item to try the rules, with regex and with re; items, matched."""
    import tomllib

    from reader.base.config import first_match, read_ignore_rules
    from reader.feeds.parse import parse_feed
    from reader.feeds.refresh import ignore_fields

    rules = read_ignore_rules(tomllib.loads(RULES)["ignore"], "bench", [])
    rules = [rule for rule in rules if rule.applies_to(base, ["news"])]  # as a refresh does
    rows = []
    for path, data in feeds.items():
        parsed = parse_feed(data, base + path)
        parsed.prepare_rows()
        rows += parsed.rows
    fields = [ignore_fields(row, ["news"]) for row in rows]
    start = time.perf_counter()
    matched = sum(first_match(rules, f) is not None for f in fields)
    with_regex = (time.perf_counter() - start) / len(rows) * 1e6
    plain = [(name, re.compile(p.pattern)) for rule in rules for name, p in rule.patterns]
    start = time.perf_counter()
    for f in fields:
        for name, pattern in plain:
            value = f[name]
            for text in [value] if isinstance(value, str) else value:
                pattern.search(text[:100_000])
    with_re = (time.perf_counter() - start) / len(rows) * 1e6
    return with_regex, with_re, len(rows), matched


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=100)
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    feeds = {f"/feed/{i}.xml": make_feed(i, args.items) for i in range(args.feeds)}
    server, base = serve(feeds)
    print(f"{args.feeds} feeds x {args.items} items on {base}; {args.runs} runs, interleaved")
    times: dict[str, list[float]] = {"no rules": [], "5 rules": []}
    with tempfile.TemporaryDirectory(prefix="reader-killfile-bench-") as tmp:
        urls = Path(tmp) / "urls"
        urls.write_text("".join(f"{base}{path} news\n" for path in feeds))
        for run in range(args.runs):
            for name in times:
                home = Path(tmp) / f"{name.replace(' ', '-')}-{run}"
                reader = [sys.executable, "-m", "reader", "--home", str(home)]
                subprocess.run([*reader, "feed", "import", str(urls)], check=True,
                               stdout=subprocess.DEVNULL)  # fmt: skip
                if name != "no rules":
                    (home / "config").mkdir(parents=True, exist_ok=True)
                    (home / "config" / "config.toml").write_text(RULES)
                times[name].append(timed([*reader, "refresh"]))
    server.shutdown()
    for name, values in times.items():
        print(f"cold refresh, {name:8}: median {statistics.median(values):6.2f} s"
              f"  (runs {', '.join(f'{v:.2f}' for v in values)})")  # fmt: skip
    ratio = statistics.median(times["5 rules"]) / statistics.median(times["no rules"])
    print(f"with rules / without: {ratio:.2f}")
    with_regex, with_re, items, matched = matching(feeds, base)
    print(f"matching alone, {items} items ({matched} matched): regex {with_regex:.1f} us an"
          f" item, re {with_re:.1f} us an item ({with_re / with_regex:.1f}x)")  # fmt: skip


if __name__ == "__main__":
    main()
