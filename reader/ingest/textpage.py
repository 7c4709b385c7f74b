"""Plain-text dumps of news-portal pages (the seed's layout), and plain text.

The layout, line by line::

    Current:Home > MarketsTITLE -SITE      breadcrumb glued to the title and site
    TITLE                                  tells where the breadcrumb ends
    View                                   (optional)
    Date:2025-04-25 10:43:55               (optional; a date alone is fine)
    body paragraphs, one per line
    veryGood! (98)                         reactions (optional)
    Related / Ranking / Recommendation     headline lists (each optional)

Text that is not in this layout is a plain story: first line the title, the rest
its body.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from reader.base.clean import clean_text
from reader.base.dates import parse_date
from reader.base.models import Headline, Page
from reader.ingest.decode import decode_page, looks_like_html

if TYPE_CHECKING:
    from reader.base.models import RawPage

NAME = "text"

BREADCRUMB_PREFIX = "current:"
_DATE_LINE = re.compile(r"^(?:date|published|updated)\s*[:：]\s*(.+)$", re.IGNORECASE)
_REACTIONS_LINE = re.compile(r"^[^\W\d][\w .'’-]{0,40}?!?\s*\((\d[\d,.]*)\)$")
_ITEM_PREFIX = re.compile(r"^(?:[-*•·–—]\s+|\d{1,3}[.)]\s+)")
_BULLETS = frozenset("-*•·–—")
_DIGITS = frozenset("0123456789")
_SITE_SEPARATORS = " \t-–—|:·"
_MAX_HEADLINE = 300

HEADINGS = {
    "related": "related",
    "related articles": "related",
    "related stories": "related",
    "more stories": "related",
    "ranking": "ranking",
    "rankings": "ranking",
    "most read": "ranking",
    "most popular": "ranking",
    "popular": "ranking",
    "trending": "ranking",
    "top stories": "ranking",
    "recommendation": "recommended",
    "recommendations": "recommended",
    "recommended": "recommended",
    "recommended for you": "recommended",
}
"""List headings (case-insensitive) and the list each one fills."""

# Markdown that a plain paragraph must not accidentally start.
_MD_RULE = re.compile(r"(?:[-*_]\s*){3,}")
_MD_BLOCK_START = re.compile(r"^(#{1,6}(?:\s|$)|>|[-*+](?:\s|$)|\d{1,9}[.)](?:\s|$)|```|~~~|=+$)")


_MD_SPECIAL_START = frozenset("#>-*+=`~_0123456789")


def escape_paragraph(line: str) -> str:
    """A plain-text line as a Markdown paragraph that renders as the same text."""
    if line[0] not in _MD_SPECIAL_START:
        return line
    match = _MD_BLOCK_START.match(line)
    if match:
        marker = match.group(1)
        # "1. x" -> "1\. x": escape the dot, not the number; else escape the first char
        cut = len(marker.rstrip()) - 1 if marker[0].isdigit() else 0
        return line[:cut] + "\\" + line[cut:]
    if _MD_RULE.fullmatch(line):
        return "\\" + line
    return line


_HEADING_MAX = max(map(len, HEADINGS)) + 1


def _heading(line: str) -> str | None:
    if len(line) > _HEADING_MAX:
        return None
    return HEADINGS.get(line.rstrip(":").casefold())


def _squash(line: str) -> str:
    """Collapse runs of whitespace (the text is already clean)."""
    return _squashed(line.strip())


def _squashed(line: str) -> str:
    """``_squash`` for a line with no whitespace at either end: as it is when its only
    whitespace is single spaces (every other whitespace character is unprintable),
    which is nearly every line, without splitting it."""
    return line if "  " not in line and line.isprintable() else " ".join(line.split())


def _split_lists(lines: list[str]) -> tuple[int, dict[str, list[Headline]]]:
    """Find where the trailing headline lists start; return that index and the lists.

    Scanning up from the end, a heading counts while everything below it is
    headings or headline-sized lines, no list kind has appeared twice, and no
    reactions line came between: so a body paragraph that reads "Popular" stays
    in the body. (The hot loop of a text ingest: ``_heading`` is inlined here.)
    """
    start = len(lines)
    headings: dict[int, str] = {}
    for index in range(len(lines) - 1, -1, -1):
        line = lines[index]
        kind = HEADINGS.get(line.rstrip(":").casefold()) if len(line) <= _HEADING_MAX else None
        if kind is not None:
            if kind in headings.values():
                break
            headings[index] = kind
            start = index
        elif len(line) > _MAX_HEADLINE or (line[-1] == ")" and _REACTIONS_LINE.match(line)):
            break
    lists: dict[str, list[Headline]] = {"related": [], "ranking": [], "recommended": []}
    if start == len(lines):
        return start, lists
    current = lists[headings[start]]
    for index in range(start + 1, len(lines)):
        kind = headings.get(index)
        if kind is not None:
            current = lists[kind]
            continue
        line = lines[index]  # stripped, and so is what is left of it below
        first = line[0]
        if first in _BULLETS:
            if len(line) > 1 and line[1].isspace():
                line = line[1:].lstrip()
        elif first in _DIGITS:
            line = _ITEM_PREFIX.sub("", line, count=1)
        title = _squashed(line)
        if title:
            current.append(Headline(title))
    return start, lists


def _split_breadcrumb(first: str, title: str) -> tuple[list[str], str | None]:
    """Split ``Current:Home > MarketsTITLE -SITE`` into sections and site."""
    crumbs = first[len(BREADCRUMB_PREFIX) :]
    at = crumbs.find(title) if title else -1
    if at >= 0:
        trail, rest = crumbs[:at], crumbs[at + len(title) :]
    else:
        # The title line does not repeat what is glued on: cut at the last " -".
        trail, _, rest = crumbs.rpartition(" -") if " -" in crumbs else (crumbs, "", "")
    section = [part.strip() for part in trail.split(">") if part.strip()]
    site = rest.strip(_SITE_SEPARATORS) or None
    return section, site


def parse_text(text: str, source: str) -> Page:
    """Parse a decoded text page (see the module docstring for the layout)."""
    lines = [stripped for line in clean_text(text).split("\n") if (stripped := line.strip())]
    if not lines:
        raise ValueError("no text in the page")
    section: list[str] = []
    site: str | None = None
    published: str | None = None
    reactions: int | None = None

    if lines[0].casefold().startswith(BREADCRUMB_PREFIX) and len(lines) > 1:
        title = _squash(lines[1])
        section, site = _split_breadcrumb(lines[0], lines[1])
        rest = lines[2:]
    else:
        title = _squash(lines[0])
        rest = lines[1:]

    # Header lines between the title and the body.
    while rest:
        line = rest[0]
        if line.casefold() == "view":
            rest = rest[1:]
            continue
        match = _DATE_LINE.match(line)
        if match and published is None:
            published = parse_date(match.group(1))
            rest = rest[1:]
            continue
        break

    list_start, lists = _split_lists(rest)
    body_lines = rest[:list_start]
    if body_lines:
        match = _REACTIONS_LINE.match(body_lines[-1])
        if match:
            reactions = int(re.sub(r"[,.]", "", match.group(1)))
            body_lines = body_lines[:-1]

    body = "\n\n".join(escape_paragraph(line) for line in body_lines)
    return Page(
        title=title[:1000],
        body=body,
        site=_squash(site) if site else None,
        section=[_squash(s) for s in section],
        published=published,
        reactions=reactions,
        related=lists["related"],
        ranking=lists["ranking"],
        recommended=lists["recommended"],
    )


def sniff(data: bytes) -> bool:
    """Text pages are the fallback: anything that is not HTML is tried as text."""
    return not looks_like_html(data)


def parse(raw: RawPage) -> Page:
    """Decode and parse a text page."""
    return parse_text(decode_page(raw.data), raw.source)
