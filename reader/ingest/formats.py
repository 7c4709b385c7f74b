"""Route a page to the parser for its format, by content.

A format is a module with ``NAME``, ``sniff(data) -> bool`` and
``parse(raw: RawPage) -> Page``. Adding a format is one new module and one line in
``_formats()``; the first format whose ``sniff`` accepts the bytes parses them. The
plain-text format accepts anything, so it comes last.
"""

from __future__ import annotations

from types import ModuleType

from reader.base.errors import PageError
from reader.base.models import Page, RawPage


class UnsupportedFormat(PageError):
    """No parser handles this kind of page (yet)."""


def _formats() -> list[ModuleType]:
    from reader.ingest import htmlpage, textpage

    return [htmlpage, textpage]


FORMATS: list[ModuleType] = []


def parse_page(raw: RawPage) -> Page:
    """Parse ``raw`` with the first format that accepts it."""
    if not FORMATS:
        FORMATS.extend(_formats())
    for fmt in FORMATS:
        if fmt.sniff(raw.data):
            page: Page = fmt.parse(raw)
            return page
    raise UnsupportedFormat("no parser for this kind of page")
