"""HTML-to-Markdown converters side by side on the readability corpus.

    python bench/bench_converters.py [--rounds 7] [--only NAME ...]

Every page of ``../shared/corpora/readability-test-pages`` (outside this repository;
the script exits with a message when it is missing) is taken as far as reader takes it
before converting (``body.prepare_body``: the article chosen by trafilatura, made
plain HTML, images and tables as markers), and that HTML goes through each converter:

* ``html2text``, configured as reader configures it (``body.html2text_markdown``);
* ``html-to-markdown`` (Rust-backed), configured to match: no wrapping, ``-`` bullets,
  ``*`` emphasis, indented code blocks (which ``fence_code`` fences with their
  language, as for html2text), Markdown characters in text escaped;
* ``markdownify`` (pure Python on BeautifulSoup), likewise.

Both optional converters are skipped (and said so) when not installed. Timed: the
converter call alone, per page, in ``--rounds`` rounds, the converters interleaved
within each round in a rotating order; per page the median over the rounds, then the
median of those and their total. Fidelity: each converter's Markdown goes through the
rest of reader's path (``body.finish_body``: tables and images put back, code fenced,
link lists dropped) and is measured as ``bench_render_fidelity.py`` measures a page
(split inline code, code as quotes, glued paragraphs, data tables not shown, word F1
against Readability's text). Pages for which reader needs no converter (no article,
an error page, the JSON-LD ``articleBody``) are counted and left out of both.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from reader.base.clean import clean_line
from reader.ingest import metadata
from reader.ingest.body import Prepared, finish_body, html2text_markdown, prepare_body
from reader.ingest.extract import parse_tree

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_render_fidelity import CORPUS, PAGE_URL, measure_body  # noqa: E402

Convert = Callable[[str], str]


def converters() -> dict[str, Convert]:
    """The converters to compare, by name; those not installed are left out."""
    found: dict[str, Convert] = {"html2text": html2text_markdown}
    try:
        import html_to_markdown as h2m
    except ImportError:
        print("html-to-markdown is not installed: skipped", file=sys.stderr)
    else:
        options = h2m.ConversionOptions(
            extract_metadata=False,
            bullets="-",
            strong_em_symbol="*",
            code_block_style="indented",
            escape_asterisks=True,
            escape_underscores=True,
            autolinks=True,
        )
        found["html-to-markdown"] = lambda html: h2m.convert(html, options).content or ""
    try:
        import markdownify
    except ImportError:
        print("markdownify is not installed: skipped", file=sys.stderr)
    else:
        mdf = markdownify.MarkdownConverter(heading_style="ATX", bullets="-", wrap=False)
        found["markdownify"] = mdf.convert
    return found


def prepare(source: str) -> Prepared | str:
    """What reader hands the converter for this page (as ``extract_article`` gets it)."""
    tree = parse_tree(source)
    if tree is None:
        return ""
    page = metadata.read_declared(tree, PAGE_URL)
    title, _ = metadata.read_title(page, metadata.site_name(page), tree)
    return prepare_body(tree, page, clean_line(title) if title else None)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=7, help="timed rounds a page")
    parser.add_argument("--only", nargs="*", help="these pages only")
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="the corpus folder")
    args = parser.parse_args()
    corpus: Path = args.corpus
    if not corpus.is_dir():
        print(f"no corpus at {corpus}", file=sys.stderr)
        return 1
    cases = sorted(p for p in corpus.iterdir() if (p / "source.html").is_file())
    if args.only:
        cases = [c for c in cases if c.name in args.only]
    found = converters()
    names = list(found)
    pages: list[tuple[str, Prepared, str, str]] = []
    skipped = 0
    before: list[float] = []  # the parse and extraction before converting, once a page
    for case in cases:
        source = (case / "source.html").read_text(encoding="utf-8", errors="replace")
        expected = (case / "expected.html").read_text(encoding="utf-8", errors="replace")
        start = time.perf_counter()
        prepared = prepare(source)
        before.append(time.perf_counter() - start)
        if isinstance(prepared, str):
            skipped += 1
        else:
            pages.append((case.name, prepared, source, expected))
    size = sum(len(p.html) for _, p, _, _ in pages)
    print(f"pages: {len(pages)} converted ({size / len(pages) / 1000:.1f} kB of HTML a page),")
    print(f"  {skipped} without a converter; {args.rounds} rounds, converters interleaved;")
    prior_ms = statistics.median(before) * 1000
    print(f"  parse and extraction before the converter: median {prior_ms:.1f} ms")

    times: dict[str, list[list[float]]] = {n: [[] for _ in pages] for n in names}
    for round_ in range(args.rounds):
        order = names[round_ % len(names) :] + names[: round_ % len(names)]
        for i, (_, prepared, _, _) in enumerate(pages):
            for name in order:
                start = time.perf_counter()
                found[name](prepared.html)
                times[name][i].append(time.perf_counter() - start)

    results: dict[str, list[dict[str, object]]] = {}
    for name in names:
        results[name] = [
            measure_body(finish_body(prepared, found[name]), source, expected)
            for _, prepared, source, expected in pages
        ]

    base = statistics.median(statistics.median(t) for t in times["html2text"])
    header = f"{'':34}" + "".join(f"{n:>18}" for n in names)
    print(header)

    def row(label: str, values: list[str]) -> None:
        print(f"{label:34}" + "".join(f"{v:>18}" for v in values))

    medians = {n: statistics.median(statistics.median(t) for t in times[n]) for n in names}
    totals = {n: sum(statistics.median(t) for t in times[n]) for n in names}
    row("median ms a page", [f"{medians[n] * 1000:.3f}" for n in names])
    row("total ms (sum of page medians)", [f"{totals[n] * 1000:.1f}" for n in names])
    row("speed-up over html2text (median)", [f"{base / medians[n]:.2f}x" for n in names])
    prior = statistics.median(before)
    row("share of a page's parse (median)", [f"{m / (prior + m):.1%}" for m in medians.values()])
    for key, label in (
        ("split", "split inline code (places)"),
        ("quote", "code as quotes (places)"),
        ("glued", "glued paragraphs (places)"),
        ("missing_tables", "data tables not shown"),
        ("glued_links", "links glued to the word before"),
        ("broken_autolinks", "autolinks shown escaped"),
        ("wrapped_lines", "lines broken at the source's"),
    ):
        row(label, [str(sum(int(r[key]) for r in results[n])) for n in names])  # type: ignore[call-overload]
    tables = sum(int(r["data_tables"]) for r in results["html2text"])  # type: ignore[call-overload]
    row("  (of data tables)", [str(tables) for _ in names])
    row("image placeholders", [str(sum(int(r["images"]) for r in results[n])) for n in names])  # type: ignore[call-overload]
    scores = {n: [float(r["f1"]) for r in results[n]] for n in names}  # type: ignore[arg-type]
    row("word F1 median", [f"{statistics.median(scores[n]):.4f}" for n in names])
    row("word F1 mean", [f"{statistics.fmean(scores[n]):.4f}" for n in names])
    for name in names[1:]:
        worse = [
            (pages[i][0], scores[name][i] - scores["html2text"][i])
            for i in range(len(pages))
            if scores[name][i] < scores["html2text"][i] - 0.01
        ]
        worse.sort(key=lambda x: x[1])
        listed = ", ".join(f"{n} {d:+.3f}" for n, d in worse[:6])
        print(f"{name}: F1 lower than html2text's by >0.01 on {len(worse)} pages ({listed})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
