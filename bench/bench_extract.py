"""Article extraction quality: ``extract_article`` beside trafilatura and html2text.

    python bench/bench_extract.py [--worst 10] [--only NAME ...]

Uses the Mozilla Readability test pages in ``../shared/corpora/readability-test-pages/``
(relative to the project root; outside this repository, so the script exits with a
message if the folder is missing). Each case folder holds ``source.html`` (the page),
``expected.html`` (the article as Readability extracts it) and ``expected-metadata.json``.

Body metric: F1 over 4-word shingles. The expected HTML (tags stripped) and each
extractor's body (Markdown syntax stripped) become plain text, lowercased and split
into ``\\w+`` words; each text's set of 4-word shingles is compared: precision is the
share of the extracted shingles found in the expected text, recall the share of the
expected shingles found in the extracted text. Precision and recall are averaged
over the pages, and F1 is computed from the two averages. Pages whose expected text
has no shingle are skipped (and counted).

Title accuracy: share of pages whose title equals the expected title after folding
case, collapsing whitespace and unifying quotes and dashes.

Compared in one run, each over every page:

* ``extract_article`` (this project): Markdown body and title;
* trafilatura's default extraction, ``trafilatura.extract(html)`` (plain text); its
  title column comes from ``trafilatura.extract_metadata`` (not timed);
* the whole page through html2text (no title).

Pages/s is the number of pages divided by the summed time of the extraction calls.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
import unicodedata
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpora" / "readability-test-pages"
# Readability's own test harness gives every page this address.
PAGE_URL = "http://fakehost/test/page.html"
SHINGLE = 4

_WORD = re.compile(r"\w+")
_QUOTES = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
        "\u00b4": "'", "`": "'", "\u201c": '"', "\u201d": '"', "\u201e": '"',
        "\u201f": '"', "\u00ab": '"', "\u00bb": '"', "\u2033": '"',
        "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-",
        "\u2015": "-", "\u2212": "-", "\u00a0": " ",
    }
)  # fmt: skip


def html_text(html: str) -> str:
    """The text of an HTML fragment with its tags stripped (blocks on their own lines)."""
    import lxml.html

    if not html.strip():
        return ""
    tree = lxml.html.fragment_fromstring(html, create_parent="div")
    for br in tree.iter("br"):
        br.tail = "\n" + (br.tail or "")
    for el in tree.iter("p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "tr"):
        el.tail = "\n" + (el.tail or "")
    return tree.text_content()


_MD = None


def markdown_text(markdown: str) -> str:
    """The text of a Markdown document: rendered to HTML by markdown-it, tags stripped."""
    global _MD
    if _MD is None:
        from markdown_it import MarkdownIt

        _MD = MarkdownIt("commonmark").enable("table").enable("strikethrough")
    return html_text(_MD.render(markdown))


def shingles(text: str) -> set[tuple[str, ...]]:
    """The set of 4-word shingles of ``text`` (lowercased ``\\w+`` words)."""
    words = _WORD.findall(text.lower())
    return {tuple(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)}


def norm_title(title: str | None) -> str:
    """A title folded for comparison: NFKC, quotes and dashes unified, case, whitespace."""
    if not title:
        return ""
    title = unicodedata.normalize("NFKC", title).translate(_QUOTES)
    return " ".join(title.casefold().split())


_SITE_SEPARATOR = re.compile(r"\s+(?:[|\-\u00b7\u00bb/]|::)\s+")


def site_suffix_only(title: str | None, expected: str) -> bool:
    """Whether ``title`` is ``expected`` less parts after (or before) a separator.

    Readability copies ``og:title``/``<title>`` as is, so its expected titles often
    end in `` | Site Name``, which ``extract_article`` is specified to remove.
    """
    got, want = norm_title(title), norm_title(expected)
    if not got or got == want:
        return bool(got)
    for match in _SITE_SEPARATOR.finditer(want):
        if want[: match.start()] == got or want[match.end() :] == got:
            return True
    return False


@dataclass
class Case:
    name: str
    html: str
    expected: set[tuple[str, ...]]
    title: str | None


@dataclass
class Score:
    name: str
    has_title: bool
    seconds: float = 0.0
    times: dict[str, float] = field(default_factory=dict)
    precision: dict[str, float] = field(default_factory=dict)
    recall: dict[str, float] = field(default_factory=dict)
    titles_right: int = 0
    titled_pages: int = 0
    titles_but_site: int = 0  # right once the expected title's " | Site" part is set aside

    @property
    def p(self) -> float:
        return sum(self.precision.values()) / max(1, len(self.precision))

    @property
    def r(self) -> float:
        return sum(self.recall.values()) / max(1, len(self.recall))

    @property
    def f1(self) -> float:
        return 2 * self.p * self.r / (self.p + self.r) if self.p + self.r else 0.0


def load_cases(only: list[str]) -> tuple[list[Case], list[str]]:
    """The corpus pages, and the names of those skipped for an empty expected text."""
    cases, skipped = [], []
    for folder in sorted(p for p in CORPUS.iterdir() if (p / "source.html").is_file()):
        if only and folder.name not in only:
            continue
        expected = shingles(html_text((folder / "expected.html").read_text(encoding="utf-8")))
        if not expected:
            skipped.append(folder.name)
            continue
        meta_path = folder / "expected-metadata.json"
        meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.is_file() else {}
        html = (folder / "source.html").read_text(encoding="utf-8", errors="replace")
        cases.append(Case(folder.name, html, expected, meta.get("title")))
    return cases, skipped


def ours(html: str) -> tuple[str, str | None]:
    from reader.ingest.extract import extract_article

    result = extract_article(html, PAGE_URL)
    return result.body, result.title


def trafilatura_default(html: str) -> tuple[str, str | None]:
    import trafilatura

    return trafilatura.extract(html) or "", None


def trafilatura_title(html: str) -> str | None:
    import trafilatura

    meta = trafilatura.extract_metadata(html)
    return meta.title if meta else None


def whole_page(html: str) -> tuple[str, str | None]:
    import html2text

    converter = html2text.HTML2Text(baseurl=PAGE_URL, bodywidth=0)
    return converter.handle(html), None


def run(
    score: Score,
    cases: list[Case],
    extractor: Callable[[str], tuple[str, str | None]],
    titler: Callable[[str], str | None] | None = None,
    markdown: bool = False,
) -> None:
    """Score ``extractor`` on every case; only the extractor call is timed."""
    for case in cases:
        start = time.perf_counter()
        text, title = extractor(case.html)
        score.times[case.name] = time.perf_counter() - start
        score.seconds += score.times[case.name]
        if titler is not None:
            title = titler(case.html)
        got = shingles(markdown_text(text) if markdown else text)
        hits = len(got & case.expected)
        score.precision[case.name] = hits / len(got) if got else 0.0
        score.recall[case.name] = hits / len(case.expected)
        if score.has_title and case.title:
            score.titled_pages += 1
            right = norm_title(title) == norm_title(case.title)
            score.titles_right += right
            score.titles_but_site += right or site_suffix_only(title, case.title)


def _ms(times: Iterable[float]) -> str:
    values = sorted(times)
    if not values:
        return "-"
    median = statistics.median(values) * 1000
    return f"{median:5.1f} [{values[int(0.9 * (len(values) - 1))] * 1000:5.1f}]"


def _kb(sizes: Iterable[int]) -> str:
    return f"{statistics.median(sizes) / 1000:.0f} KB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worst", type=int, default=10, help="worst pages to list (ours)")
    parser.add_argument("--only", nargs="*", default=[], help="score only these cases")
    parser.add_argument("--titles", action="store_true", help="list our wrong titles")
    args = parser.parse_args()
    if not CORPUS.is_dir():
        sys.exit(
            f"bench_extract: corpus not found: {CORPUS}\n"
            "It lives outside the repository, in ../shared/corpora/readability-test-pages/ "
            "(one folder per page with source.html, expected.html, expected-metadata.json)."
        )
    sys.path.insert(0, str(ROOT))
    warnings.simplefilter("ignore")
    import logging

    logging.disable(logging.CRITICAL)

    cases, skipped = load_cases(args.only)
    ours("<html><body><p>warm up</p></body></html>")  # imports outside the timing
    trafilatura_default("<html><body><p>warm up</p></body></html>")
    whole_page("<p>warm up</p>")

    scores = [
        Score("extract_article (ours)", True),
        Score("trafilatura.extract", True),
        Score("whole-page html2text", False),
    ]
    run(scores[0], cases, ours, markdown=True)
    run(scores[1], cases, trafilatura_default, trafilatura_title)
    run(scores[2], cases, whole_page, markdown=True)

    print(f"{len(cases)} pages scored, {len(skipped)} skipped (no expected shingles)", end="")
    print(f": {', '.join(skipped)}" if skipped else "")
    print(f"{'extractor':<24} {'P':>6} {'R':>6} {'F1':>6} {'titles':>12} {'pages/s':>8}")
    for s in scores:
        titles = (
            f"{s.titles_right}/{s.titled_pages} {s.titles_right / max(1, s.titled_pages):.0%}"
            if s.has_title
            else "-"
        )
        rate = len(cases) / s.seconds if s.seconds else 0.0
        print(f"{s.name:<24} {s.p:6.3f} {s.r:6.3f} {s.f1:6.3f} {titles:>12} {rate:8.1f}")
    mine = scores[0]
    print(
        "\ntitles right once a ' | Site' part of the expected title is set aside: "
        + ", ".join(f"{s.name} {s.titles_but_site}/{s.titled_pages}" for s in scores if s.has_title)
    )
    sizes = {case.name: len(case.html.encode("utf-8")) for case in cases}
    print(f"\nms per page, median [90th percentile] (page sizes: median {_kb(sizes.values())}):")
    for s in scores:
        typical = [t for n, t in s.times.items() if 40_000 <= sizes[n] <= 80_000]
        print(
            f"  {s.name:<24} all pages {_ms(s.times.values())}"
            f"   {len(typical)} pages of 40-80 KB {_ms(typical)}"
        )
    worst = sorted(mine.precision, key=lambda n: mine.precision[n] + mine.recall[n])
    print(f"\nworst {args.worst} pages for extract_article (by P + R):")
    for name in worst[: args.worst]:
        print(f"  {name:<44} P {mine.precision[name]:.3f}  R {mine.recall[name]:.3f}")
    if args.titles:
        from reader.ingest.extract import extract_article

        print("\nwrong titles:")
        for case in cases:
            title = extract_article(case.html, PAGE_URL).title
            if case.title and norm_title(title) != norm_title(case.title):
                print(f"  {case.name}: got {title!r}\n  {'':{len(case.name)}}  want {case.title!r}")


if __name__ == "__main__":
    main()
