"""Hostile and broken input, in bulk: what crashes, what is lost, what reaches the screen.

Feeds public corpora of hostile input through reader's own ingest and feed parsing
(in process, into a temporary home) and counts, per corpus:

- inputs tried, stored, refused with a reason, and crashes (an exception other
  than a refusal: a bug);
- unsafe characters left in anything stored (C0 but tab and newline, DEL, C1,
  ESC, bidi overrides and isolates): must be 0;
- for feeds, items lost: entries feedparser reads that reader does not store.

The corpora are not in this repository; bring them into a temporary folder first
(they are public, and large):

- html5lib-tests' ``tree-construction/*.dat`` (the last revision before the tests
  moved to WPT), for ``--html5lib DIR``;
- big-list-of-naughty-strings' ``blns.txt``, for ``--naughty FILE``;
- the ``tests/`` folder of feedparser's sdist (``pip download --no-deps
  --no-binary :all: feedparser``), for ``--feeds DIR``.

Usage: ``python bench/hostile_campaign.py --html5lib H --naughty N --feeds F``
(any subset). Prints one line per corpus and exits 1 if anything crashed, leaked
or was lost.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

from reader.base.models import RawPage
from reader.base.paths import resolve_paths
from reader.ingest.pipeline import ingest_items
from reader.store import Store, StoryFilter

UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# The 25 terminal attacks added to the naughty strings: each must reach nothing.
TERMINAL_ATTACKS = [
    "\x1b]0;pwned title\x07", "\x1b]52;c;cm0gLXJmIH4=\x07", "\x1b[2J\x1b[H", "\x1b[31mred\x1b[0m",
    "\x1b]8;;http://evil.example/\x1b\\click\x1b]8;;\x1b\\", "\x1bPtmux;\x1b\x1b]0;x\x07\x1b\\",
    "\x1bPq#0;2;0;0;0#1!14~-\x1b\\", "\x1b_Gf=100;AAAA\x1b\\", "\x9b31mC1 CSI", "\x9d0;c1\x9c",
    "\u202eevil\u202c", "\u2066isolate\u2069", "\x1b]", "\x1b]0;unterminated", "\x1b[",
    "\x1bc", "\x1b7\x1b8", "\x1b(0lqk\x1b(B", "\x00\x01\x02", "\x7f\x7f", "\x1b[6n",
    "\x1b[21t", "\x1b]10;?\x07", "\x1bP$q\"p\x1b\\", "\x1b[?1049h",
]  # fmt: skip


@dataclass
class Tally:
    name: str
    tried: int = 0
    stored: int = 0
    refused: int = 0
    crashes: list[str] = field(default_factory=list)
    unsafe: int = 0
    lost: int = 0
    items: int = 0
    seconds: float = 0.0

    def line(self) -> str:
        return (
            f"{self.name}: {self.tried} tried, {self.stored} stored, {self.refused} refused "
            f"with a reason, {len(self.crashes)} crashes, {self.unsafe} stories with unsafe "
            f"characters, {self.lost} items lost"
            + (f", {self.items} feed items stored" if self.items else "")
            + f" ({self.seconds:.1f} s)"
        )


def html5lib_documents(folder: Path) -> Iterator[str]:
    for path in sorted(folder.glob("*.dat")):
        text = path.read_text(encoding="utf-8", errors="surrogateescape")
        for block in text.split("\n#data\n"):
            block = block.removeprefix("#data\n")
            yield block.split("\n#errors", 1)[0]


def naughty_strings(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8", errors="surrogateescape").splitlines()
    return [line for line in lines if line and not line.startswith("#")] + TERMINAL_ATTACKS


def run_pages(name: str, pages: list[tuple[str, bytes]]) -> Tally:
    tally = Tally(name, tried=len(pages))
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as home, Store(resolve_paths(home)) as store:
        for start in range(0, len(pages), 200):  # a crash stops one batch, not the corpus
            batch = [RawPage(source, data) for source, data in pages[start : start + 200]]
            try:
                report = ingest_items(store, batch, workers=1)
            except Exception as exc:  # noqa: BLE001 - counted: this is what the campaign finds
                tally.crashes.append(f"{type(exc).__name__}: {exc}"[:200])
                continue
            tally.refused += report.failed
        for story in store.iter_stories(StoryFilter(), with_body=True):
            tally.stored += 1
            fields = [story.title, story.body, story.url or "", story.site or "", story.source]
            fields += [h.title for kind in ("related", "ranking") for h in getattr(story, kind)]
            if any(UNSAFE.search(text) for text in fields if text):
                tally.unsafe += 1
    tally.seconds = time.perf_counter() - started
    return tally


def run_feeds(name: str, paths: list[Path]) -> Tally:
    import feedparser

    from reader.base.errors import FeedError
    from reader.feeds.parse import parse_feed

    tally = Tally(name, tried=len(paths))
    started = time.perf_counter()
    for path in paths:
        data = path.read_bytes()
        try:
            parsed = parse_feed(data, path.as_uri())
        except FeedError:
            tally.refused += 1
            continue
        except Exception as exc:  # noqa: BLE001 - counted
            tally.crashes.append(f"{path.name}: {type(exc).__name__}: {exc}"[:200])
            continue
        tally.stored += 1
        pages = [page for _, page in parsed.pages]
        tally.items += len(pages)
        entries = feedparser.parse(data, sanitize_html=False).entries
        expected = sum(1 for entry in entries if _readable(entry))
        tally.lost += max(0, expected - len(pages))
        for page in pages:
            if any(UNSAFE.search(t) for t in (page.title, page.url or "", page.body) if t):
                tally.unsafe += 1
    tally.seconds = time.perf_counter() - started
    return tally


_TAG = re.compile(r"<[^>]*>")


def _readable(entry: object) -> bool:
    """Whether a feedparser entry has anything a reader could show: a title, a link or
    text (an entry whose only content is an empty element is nothing to lose)."""
    get = entry.get  # type: ignore[attr-defined]
    texts = [get("title") or "", get("summary") or ""]
    texts += [part.get("value") or "" for part in get("content") or []]
    return bool(get("link") or any(_TAG.sub("", t).strip() for t in texts))


def naughty_feed(strings: list[str]) -> bytes:
    """One RSS feed with an item per naughty string, in title, link and description."""
    items = "".join(
        f"<item><title>{escape(s)}</title><link>https://example.org/{n}?{escape(s)}</link>"
        f"<guid>n{n}</guid><description><![CDATA[<p>{s.replace(']]>', '')}</p>]]></description>"
        "</item>"
        for n, s in enumerate(strings)
    )
    feed = (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>N</title>{items}</channel></rss>'
    )
    return feed.encode("utf-8", "surrogateescape")


def _naughty_page(s: str) -> bytes:
    """An HTML page with ``s`` in its title, headline, text and a link."""
    page = (
        f"<html><head><title>T {escape(s)}</title></head><body><article><h1>{escape(s)}</h1>"
        f"<p>{s} and a sentence long enough to be an article body.</p>"
        f"<p><a href='https://example.org/?{escape(s)}'>{escape(s)}</a></p></article></body></html>"
    )
    return page.encode("utf-8", "surrogateescape")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--html5lib", type=Path, help="html5lib-tests' tree-construction folder")
    parser.add_argument("--naughty", type=Path, help="big-list-of-naughty-strings' blns.txt")
    parser.add_argument("--feeds", type=Path, help="feedparser's tests/ folder")
    args = parser.parse_args()
    tallies: list[Tally] = []
    if args.html5lib:
        docs = list(html5lib_documents(args.html5lib))
        as_html = [
            (f"h5-{n}.html", f"<html><body>{d}</body></html>".encode("utf-8", "surrogateescape"))
            for n, d in enumerate(docs)
        ]
        tallies.append(run_pages("html5lib tree-construction, as HTML pages", as_html))
        raw = [(f"h5raw-{n}", d.encode("utf-8", "surrogateescape")) for n, d in enumerate(docs)]
        tallies.append(run_pages("html5lib tree-construction, as given", raw))
    if args.naughty:
        strings = naughty_strings(args.naughty)
        text = [
            (f"blns-{n}.txt", f"Title {s}\n{s}\nBody {s} end\n".encode("utf-8", "surrogateescape"))
            for n, s in enumerate(strings)
        ]
        tallies.append(run_pages("naughty strings + terminal attacks, text pages", text))
        html = [(f"https://example.org/blns/{n}", _naughty_page(s)) for n, s in enumerate(strings)]
        tallies.append(run_pages("naughty strings + terminal attacks, HTML pages", html))
        with tempfile.TemporaryDirectory() as folder:
            feed = Path(folder) / "naughty.rss"
            feed.write_bytes(naughty_feed(strings))
            one = run_feeds("naughty strings + terminal attacks, one feed item each", [feed])
            one.tried = len(strings)
            tallies.append(one)
    if args.feeds:
        paths = sorted(
            p
            for p in args.feeds.rglob("*")
            if p.is_file() and p.suffix in (".xml", ".rdf", ".atom", ".rss")
        )
        tallies.append(run_feeds("feedparser's test feeds", paths))
    bad = False
    for tally in tallies:
        print(tally.line())
        for crash in tally.crashes[:5]:
            print(f"  crash: {crash}")
        bad = bad or bool(tally.crashes or tally.unsafe or tally.lost)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
