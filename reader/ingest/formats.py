"""Route a page to the parser for its format, by content.

A format is a module with ``NAME``, ``sniff(data) -> bool`` and
``parse(data, source) -> Page``. Adding a format is one new module and one line in
``FORMATS``; the first format whose ``sniff`` accepts the bytes parses them. The
plain-text format accepts anything, so it comes last.
"""

from __future__ import annotations

from types import ModuleType

from reader.ingest import textpage
from reader.ingest.decode import looks_like_html
from reader.models import Page


class UnsupportedFormat(ValueError):
    """No parser handles this kind of page (yet)."""


FORMATS: list[ModuleType] = [textpage]


def parse_page(data: bytes, source: str) -> Page:
    """Parse ``data`` with the first format that accepts it."""
    for fmt in FORMATS:
        if fmt.sniff(data):
            return fmt.parse(data, source)
    if looks_like_html(data):
        raise UnsupportedFormat("HTML pages are not supported yet")
    raise UnsupportedFormat("no parser for this kind of page")
