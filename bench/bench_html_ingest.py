"""HTML ingest speed: ``reader ingest`` of a folder of saved news pages.

    python bench/bench_html_ingest.py [-n 390] [--runs 3] [--generated]

By default the pages are the real saved pages of ../shared/corpora/
readability-test-pages (130 pages, 4 KB to 1.5 MB), copied as many times as it
takes to make N files. With --generated (or without ../shared) they are made
up: a head with metadata and JSON-LD, an inline script, a navigation bar, an
800-word article, share buttons, a cookie banner, related / most-read /
recommended lists and a footer. ``--size 40-80`` keeps the corpus pages of 40 to
80 KB, the size of a typical news page. Prints the whole-process median and pages/s,
beside trafilatura's default extraction of the same pages in one process, and the CPU
time a page of each (reader's whole process tree, its workers too): on a loaded
machine the wall time says little, and 2 cores / CPU a page is what two idle cores
would do.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_ingest import run_measured  # noqa: E402

WORDS = (
    "harbour council market quay bonds ferry river tram bakery audit report season weather "
    "forecast minister budget school rail museum festival trade union shares growth island "
    "bridge station lender savings energy grid coast vote plan city night crew"
).split()


def _words(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def page(i: int) -> str:
    rng = random.Random(i)
    title = f"Story {i}: {_words(rng, 7)}"
    nav = "".join(
        f'<li><a href="/section/{k}">{_words(rng, 1).title()}</a></li>' for k in range(60)
    )
    paragraphs = "".join(f"<p>{_words(rng, 80)}.</p>" for _ in range(10))
    lists = "".join(
        f'<section class="{name}"><h3>{name.title()}</h3><ul>'
        + "".join(
            f'<li><a href="/news/{rng.randrange(10**6)}">{_words(rng, 8)}</a></li>'
            for _ in range(10)
        )
        + "</ul></section>"
        for name in ("related", "most read", "recommended")
    )
    script = "var config = {" + ",".join(f'"k{k}": "{_words(rng, 3)}"' for k in range(700)) + "};"
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{title} | Harbour Ledger</title>
<meta property="og:title" content="{title}"><meta property="og:site_name" content="Harbour Ledger">
<meta property="article:published_time" content="2025-05-{1 + i % 28:02d}T08:00:00Z">
<link rel="canonical" href="https://ledger.example/news/{i}">
<script type="application/ld+json">{{"@context":"https://schema.org","@type":"NewsArticle",
"headline":"{title}","author":{{"@type":"Person","name":"Reporter {i % 17}"}}}}</script>
<script>{script}</script><style>body{{font-family:serif}} .nav li{{display:inline}}</style>
</head><body><div id="cookies">We use cookies. <button>Accept</button></div>
<header><ul class="nav">{nav}</ul></header><main><article><h1>{title}</h1>
<p class="byline">By Reporter {i % 17}</p>{paragraphs}
<div class="share"><a href="#">Share</a> <a href="#">Tweet</a> <a href="#">Email</a></div>
</article><aside>{lists}</aside></main>
<footer><p>© Harbour Ledger</p><ul>{nav}</ul></footer></body></html>"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=390)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--generated", action="store_true", help="made-up pages, not ../shared")
    parser.add_argument("--size", metavar="KB-KB", help="only corpus pages in this size range")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="reader-html-bench-") as tmp:
        folder = Path(tmp) / "pages"
        folder.mkdir()
        corpus = Path(__file__).resolve().parents[2] / "shared/corpora/readability-test-pages"
        sources = sorted(corpus.glob("*/source.html"))
        if args.size:
            low, high = (int(kb) * 1024 for kb in args.size.split("-"))
            sources = [p for p in sources if low <= p.stat().st_size <= high]
        if sources and not args.generated:
            print(f"pages: {corpus}")
            for i in range(args.n):
                data = sources[i % len(sources)].read_bytes()
                (folder / f"page-{i:05d}.html").write_bytes(data)
        else:
            print("pages: generated")
            for i in range(args.n):
                (folder / f"page-{i:05d}.html").write_text(page(i), encoding="utf-8")
        size = sum(p.stat().st_size for p in folder.iterdir()) / args.n / 1024
        print(f"{args.n} pages of {size:.0f} KB on average, {args.runs} runs")
        print(f"load {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
        times, cpus = [], []
        for run in range(args.runs):
            home = f"{tmp}/home-{run}"
            command = [sys.executable, "-m", "reader", "--home", home, "ingest", str(folder)]
            wall, cpu = run_measured(command, check=False)
            times.append(wall)
            cpus.append(cpu)
        import trafilatura

        sample = sorted(folder.iterdir())[: min(100, args.n)]
        start, cpu_start = time.perf_counter(), time.process_time()
        for path in sample:
            trafilatura.extract(path.read_bytes().decode("utf-8", "replace"))
        alone = len(sample) / (time.perf_counter() - start)
        alone_cpu = (time.process_time() - cpu_start) / len(sample)
    median, cpu = statistics.median(times), statistics.median(cpus) / args.n
    spread = ", ".join(f"{t:.2f}" for t in times)
    print(f"load after {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(f"reader ingest (whole process, both cores): median {median:.2f} s, "
          f"{args.n / median:.0f} pages/s  [{spread}]; CPU {cpu * 1e3:.1f} ms a page, "
          f"so {2 / cpu:.0f} pages/s on two idle cores")  # fmt: skip
    print(f"trafilatura.extract alone, one core:        {alone:.0f} pages/s; "
          f"CPU {alone_cpu * 1e3:.1f} ms a page")  # fmt: skip


if __name__ == "__main__":
    main()
