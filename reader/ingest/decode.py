"""Turn a page's bytes into text: byte-order marks, UTF-8, then charset detection."""

from __future__ import annotations

import codecs
import re

from reader.base.errors import PageError

MAX_PAGE_BYTES = 20 * 1024 * 1024
"""Pages larger than this are refused (20 MB)."""

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


_HTML_START = re.compile(
    rb"^\s*(?:<!doctype\s+html|<html|<head|<meta|<body|<title|<!--)", re.IGNORECASE
)
_MHTML = re.compile(rb"^(?:[\w-]+:[^\n]*\r?\n)*MIME-Version:", re.IGNORECASE)


def looks_like_html(data: bytes) -> bool:
    """True for HTML pages and MHTML archives (judged from the first bytes)."""
    head = data[:2048].removeprefix(codecs.BOM_UTF8)
    return bool(_HTML_START.match(head) or _MHTML.match(head))


class DecodeError(PageError):
    """The bytes are not a text page; the message says why."""


_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13, 27))
_TEXT_BYTES = bytes(b for b in range(256) if b not in _CONTROL_BYTES)


def looks_binary(data: bytes) -> bool:
    """True for bytes that no text page would contain (NULs or many control bytes)."""
    sample = data[:8192]
    if b"\x00" in sample:
        return True
    controls = len(sample.translate(None, _TEXT_BYTES))
    return controls > len(sample) // 20


def decode_page(data: bytes) -> str:
    """Decode a page, honouring a BOM, else UTF-8, else the detected charset."""
    if not data.strip():
        raise DecodeError("empty file")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise DecodeError(f"invalid {encoding.upper()} text: {exc.reason}") from None
    if looks_binary(data):
        raise DecodeError("binary file, not a text page")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes  # only for the rare non-UTF-8 page

    best = from_bytes(data[:200_000]).best()
    encoding = best.encoding if best is not None else "cp1252"
    return data.decode(encoding, errors="replace")


_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE
)


# The WHATWG Encoding Standard (what every browser does): a page labelled Latin-1 or
# ASCII is decoded as windows-1252, whose 0x80-0x9F are the curly quotes, dashes and
# the euro sign such pages mean. Read as real Latin-1 they are C1 control characters,
# which cleaning then deletes ("Don’t" became "Dont").
_AS_WINDOWS_1252 = {"latin_1", "iso8859-1", "ascii"}


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        codec = codecs.lookup(name.strip().strip("\"'")).name
    except LookupError:
        return None
    return "cp1252" if codec in _AS_WINDOWS_1252 else codec


def decode_html(data: bytes, declared: str | None = None) -> str:
    """Decode an HTML page: BOM, then the server's charset, then ``<meta>``, then detection.

    A declared charset that lies is caught where it can be: bytes that are valid
    UTF-8 (with non-ASCII in them) are read as UTF-8 whatever a Latin-1 family
    declaration says, and a declaration the bytes don't decode under is skipped.
    """
    if not data.strip():
        raise DecodeError("empty file")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding, errors="replace")
    if b"\x00" in data[:4096]:
        raise DecodeError("binary file, not an HTML page")
    meta = _META_CHARSET.search(data[:4096])
    candidates = [
        _codec(declared),
        _codec(meta.group(1).decode("ascii", "ignore")) if meta else None,
    ]
    latin = {"latin_1", "iso8859-1", "cp1252", "ascii"}
    if any(c in latin for c in candidates if c) and not data.isascii():
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            pass
    for candidate in candidates:
        if candidate is None:
            continue
        try:
            return data.decode(candidate)
        except (UnicodeDecodeError, LookupError):
            if candidate == "cp1252":  # one of its five unused bytes: as browsers, Latin-1
                return data.decode("latin_1")
            continue
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data[:200_000]).best()
    return data.decode(best.encoding if best is not None else "cp1252", errors="replace")
