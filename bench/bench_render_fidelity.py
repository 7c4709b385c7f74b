"""Render fidelity on the readability corpus: what the article pane shows of a page.

    python bench/bench_render_fidelity.py [--worst 5] [--show NAME] [--junk]

For every page of ``../shared/corpora/readability-test-pages`` (outside this
repository; the script exits with a message when it is missing), the page is parsed
as ``reader ingest`` does (``htmlpage.parse_html``) and its Markdown body rendered
as the article pane does (``article_render.markdown_blocks``). Counted, in pages:

* split inline code: a ``<code>`` of the page outside ``<pre>`` whose text shows as a
  code block of its own instead of inside its sentence;
* code as quotes: a ``<pre>`` of the page whose first line shows in a quote block;
* glued paragraphs: two consecutive ``<p>`` whose texts show run together with no
  space ("devices.The USPTO");
* broken tables: pages whose expected article (Readability's ``expected.html``)
  holds data tables (``reader.base.tables.is_data_table``: Readability's own rules,
  which leave out layout tables such as an image above its caption) and whose
  rendering shows fewer tables than that; also counted in tables, and, as before,
  for pages with any ``<table>`` of two or more rows.

Plus the image placeholders shown, and the word-overlap F1 (bags of ``\\w+`` words,
lowercased) of the rendered text, placeholders left out, against the text of
``expected.html`` (its blocks on lines of their own): the median and the mean over
the pages.

With ``--junk``, the headline lists (related, ranking, recommended) and breadcrumbs
of the pages instead: their entries that are not headlines (or sections), by kind:
the page's author or a byline (an entry that is the page's author, starts with "By",
or is the text of an element the page marks as an author's or a byline), markup
(``<``, ``CDATA``), private-use characters (category Co), UI labels (share, print,
e-mail, tabs, "more like this", "view more ..."), separators (no letter or digit), and
in the lists, entries of one short word; and how many entries are left that are none
of these.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import unicodedata
from collections import Counter
from pathlib import Path

import lxml.html
from textual.style import Style

from reader.app.article_render import STYLE_NAMES, Block, markdown_blocks
from reader.base.tables import is_data_table
from reader.ingest.htmlpage import parse_html

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_extract import html_text  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpora" / "readability-test-pages"
PAGE_URL = "http://fakehost/test/page.html"
_WORD = re.compile(r"\w+")
_SPACE = re.compile(r"\s+")
# An image's placeholder: not the page's text (Readability's text has no alt texts).
_PLACEHOLDER = re.compile(r"\[image(?: \d+)?(?:: [^\]]*)?\]")
# A link glued to the word before it: "you're[testing your code](...)".
# ("Values[[edit](...)]" and "[*[citation needed](...)]" are Wikipedia's own.)
_GLUED_LINK = re.compile(r"\w\[(?![\[*])[^\]\n]+\]\(")
# An autolink or e-mail address shown escaped, as text: "\\<ann@example.com>".
_BROKEN_AUTOLINK = re.compile(r"\\<(?:[^>\s]+@|https?:)")
_BLOCK_START = re.compile(r"^(?:#|[-*+] |\d+[.)] |>|\||```|~~~)")


def markdown_counts(markdown: str) -> dict[str, int]:
    """Counts read off the Markdown itself: links glued to the word before them,
    autolinks shown escaped, and paragraph lines broken where the page's source broke
    its lines (a line that continues a paragraph without a hard break before it)."""
    wrapped, fenced, previous = 0, False, ""
    for line in markdown.split("\n"):
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        elif (
            not fenced
            and not line.startswith(("    ", "\t"))  # indented code, or a list's
            and line.strip()
            and previous.strip()
            and not _BLOCK_START.match(line.lstrip())
            and not _BLOCK_START.match(previous.lstrip())
            and not previous.endswith(("  ", "\\"))
        ):
            wrapped += 1
        previous = "" if fenced else line
    return {
        "glued_links": len(_GLUED_LINK.findall(markdown)),
        "broken_autolinks": len(_BROKEN_AUTOLINK.findall(markdown)),
        "wrapped_lines": wrapped,
    }


def _norm(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def _words(text: str) -> Counter[str]:
    return Counter(w.lower() for w in _WORD.findall(text))


def f1(got: str, want: str) -> float:
    a, b = _words(got), _words(want)
    common = sum((a & b).values())
    if not common:
        return 0.0
    precision, recall = common / sum(a.values()), common / sum(b.values())
    return 2 * precision * recall / (precision + recall)


_CODE = Style(underline=True)  # what tells code from the rest here


def render(markdown: str) -> list[Block]:
    styles = {name: Style(bold=True) for name in STYLE_NAMES}
    styles["code"] = _CODE
    return markdown_blocks(markdown, styles, [])


def _is_code(block: Block) -> bool:
    spans = block.content.spans
    return (
        len(spans) == 1
        and spans[0].start == 0
        and spans[0].end == len(block.content.plain)
        and spans[0].style == _CODE
        and not block.first_prefix.plain.strip()
        and bool(block.content.plain.strip())
    )


def measure(source: str, expected: str) -> dict[str, object]:
    """The counts for one page, parsed as ``reader ingest`` parses it."""
    return measure_body(parse_html(source, PAGE_URL).body or "", source, expected)


def measure_body(body: str, source: str, expected: str) -> dict[str, object]:
    """The counts for one page's Markdown ``body`` (made from ``source``)."""
    blocks = render(body)
    text = "\n".join(b.content.plain for b in blocks)
    flat = _norm(text)
    tree = lxml.html.fromstring(source)
    code_blocks = {_norm(b.content.plain) for b in blocks if _is_code(b) and not b.prefix.plain}
    quoted = "\n".join(b.content.plain for b in blocks if "▌" in b.first_prefix.plain)
    split = 0
    for code in tree.iter("code"):
        if any(a.tag == "pre" for a in code.iterancestors()):
            continue
        words = _norm(code.text_content())
        if words and "\n" not in code.text_content().strip() and words in code_blocks:
            split += 1
    as_quote = 0
    for pre in tree.iter("pre"):
        lines = [x for x in pre.text_content().strip().splitlines() if x.strip()]
        if lines and len(lines[0].strip()) > 3 and lines[0].strip() in quoted:
            as_quote += 1
    glued = 0
    for p in tree.iter("p"):
        nxt = p.getnext()
        if nxt is None or nxt.tag != "p" or (p.tail or "").strip():
            continue
        one, two = _norm(p.text_content()), _norm(nxt.text_content())
        if len(one) < 3 or len(two) < 3:
            continue
        tail, head = one.split(" ")[-1], two.split(" ")[0]
        if (tail + head) in flat and f"{tail} {head}" not in flat:
            glued += 1
    want = lxml.html.fromstring(expected) if expected.strip() else None
    has_table = want is not None and any(len(t.findall(".//tr")) >= 2 for t in want.iter("table"))
    data_tables = sum(1 for t in want.iter("table") if is_data_table(t)) if want is not None else 0
    shown = sum(1 for b in blocks if getattr(b, "table", None))
    want_text = html_text(expected)  # blocks on lines of their own, as bench_extract reads it
    return {
        "split": split,
        "quote": as_quote,
        "glued": glued,
        "table": has_table,
        "broken_table": has_table and not shown,
        "data_tables": data_tables,
        "missing_tables": max(data_tables - shown, 0),
        "f1": f1(_PLACEHOLDER.sub(" ", text), want_text),
        "images": len(_PLACEHOLDER.findall(text)),
        **markdown_counts(body),
    }


_AUTHOR_MARK = re.compile(r"author|byline|writer", re.I)
_UI = re.compile(
    r"^(?:share\b.*|print\b.*|e-?mail\b.*|tweet\b.*|comments?|read selected|.* selected"
    r"|(?:more|fewer) like this|(?:view|see|show|read|load) (?:more|all)\b.*|more on \w+.*"
    r"|next|previous|back to top|advertisement|sponsored)$",
    re.I,
)
_LIST_KINDS = ("related", "ranking", "recommended")
_MARKED = ("class", "id", "rel", "itemprop")


def _bylines(tree: lxml.html.HtmlElement) -> set[str]:
    """The texts of the page's elements marked as an author's or a byline (folded)."""
    found: set[str] = set()
    for el in tree.iter():
        if not isinstance(el.tag, str):
            continue
        marks = " ".join(v for k, v in el.attrib.items() if k in _MARKED or k.startswith("data-"))
        if _AUTHOR_MARK.search(marks):
            text = " ".join(el.text_content().split()).casefold()
            if 0 < len(text) < 60:
                found.add(text)
    return found


def junk_kind(entry: str, author: str | None, bylines: set[str], in_list: bool) -> str | None:
    """Why a list's or breadcrumb's ``entry`` is junk, or None."""
    folded = " ".join(entry.casefold().split())
    if any(unicodedata.category(c) == "Co" for c in entry):
        return "private-use"
    if "<" in entry or "cdata" in folded:
        return "markup"
    if not re.search(r"\w", entry):
        return "separator"
    if _UI.match(folded.rstrip(" »›.:")):
        return "ui-label"
    names = {folded for folded in re.split(r",| and ", (author or "").casefold()) if folded}
    if in_list and (folded in names or folded.startswith("by ") or folded in bylines):
        return "author"
    if in_list and len(entry.split()) == 1 and len(entry) <= 15:
        return "one-word"
    return None


def junk(corpus: Path, cases: list[Path], worst: int) -> None:
    """Print the junk counts of the headline lists and breadcrumbs."""
    kinds: Counter[str] = Counter()
    examples: dict[str, list[str]] = {}
    entries = kept = 0
    for case in cases:
        source = (case / "source.html").read_text(encoding="utf-8", errors="replace")
        page = parse_html(source, PAGE_URL)
        bylines = _bylines(lxml.html.fromstring(source))
        groups = [(h.title, True) for kind in _LIST_KINDS for h in getattr(page, kind)]
        for entry, in_list in groups + [(s, False) for s in page.section]:
            entries += 1
            kind = junk_kind(entry, page.author, bylines, in_list)
            if kind is None:
                kept += 1
                continue
            kinds[kind] += 1
            examples.setdefault(kind, []).append(f"{case.name}: {entry!r}")
    print(f"pages: {len(cases)}; list and breadcrumb entries: {entries}")
    by_kind = ", ".join(f"{k} {n}" for k, n in sorted(kinds.items()))
    print(f"junk: {sum(kinds.values())}  ({by_kind})")
    for kind, shown in sorted(examples.items()):
        print(f"  {kind}: " + "; ".join(shown[:worst]))
    print(f"entries that are none of these (headlines, sections): {kept}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--worst", type=int, default=5, help="pages listed per count")
    parser.add_argument("--show", help="print one page's Markdown and stop")
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="the corpus folder")
    parser.add_argument("--junk", action="store_true", help="count junk in lists and breadcrumbs")
    args = parser.parse_args()
    corpus: Path = args.corpus
    if not corpus.is_dir():
        print(f"no corpus at {corpus}", file=sys.stderr)
        return 1
    cases = sorted(p for p in corpus.iterdir() if (p / "source.html").is_file())
    if args.junk:
        junk(corpus, cases, args.worst)
        return 0
    if args.show:
        source = (corpus / args.show / "source.html").read_text(encoding="utf-8")
        print(parse_html(source, PAGE_URL).body)
        return 0
    results = {}
    for case in cases:
        source = (case / "source.html").read_text(encoding="utf-8", errors="replace")
        expected = (case / "expected.html").read_text(encoding="utf-8", errors="replace")
        results[case.name] = measure(source, expected)
    print(f"pages: {len(results)}")
    for key, what in (
        ("split", "split inline code"),
        ("quote", "code blocks shown as quotes"),
        ("glued", "glued paragraphs"),
    ):
        hit = {n: r[key] for n, r in results.items() if r[key]}
        worst = sorted(hit, key=lambda n: -int(hit[n]))[: args.worst]  # type: ignore[call-overload]
        places = sum(int(v) for v in hit.values())  # type: ignore[call-overload]
        print(f"{what}: {len(hit)} pages, {places} places  ({', '.join(worst)})")
    for key, what in (
        ("glued_links", "links glued to the word before"),
        ("broken_autolinks", "autolinks shown escaped"),
        ("wrapped_lines", "paragraph lines broken at the source's line ends"),
    ):
        hit = {n: int(r[key]) for n, r in results.items() if r[key]}  # type: ignore[call-overload]
        worst = sorted(hit, key=lambda n: -hit[n])[: args.worst]
        print(f"{what}: {len(hit)} pages, {sum(hit.values())} places  ({', '.join(worst)})")
    tables = [n for n, r in results.items() if r["table"]]
    broken = [n for n, r in results.items() if r["broken_table"]]
    print(f"pages with a table of 2+ rows that show none: {len(broken)} of {len(tables)}")
    data = [n for n, r in results.items() if r["data_tables"]]
    missing = {n: int(r["missing_tables"]) for n, r in results.items() if r["missing_tables"]}  # type: ignore[call-overload]
    print(
        f"broken tables: {len(missing)} of {len(data)} pages with a data table"
        f" ({sum(missing.values())} of {sum(int(results[n]['data_tables']) for n in data)} tables"  # type: ignore[call-overload]
        f" not shown: {', '.join(f'{n} {k}' for n, k in sorted(missing.items()))})"
    )
    shown = [int(r["images"]) for r in results.values()]  # type: ignore[call-overload]
    print(f"image placeholders: {sum(shown)} on {sum(1 for n in shown if n)} pages")
    scores = [float(r["f1"]) for r in results.values()]  # type: ignore[arg-type]
    print(f"word F1: median {statistics.median(scores):.4f}, mean {statistics.fmean(scores):.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
