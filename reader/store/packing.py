"""Story bodies as stored: compressed, and a feed item's text by way of its HTML.

A story's ``body`` (its Markdown, or a feed item's plain text) and ``body_html`` (a
feed item's HTML) are the bulk of the cache. Each is stored compressed when that
makes it smaller (cache migration 14): a BLOB in the column is compressed, a TEXT is
the text itself (short bodies, and NULL, stay as they are).

- A body on its own (a page's Markdown, a feed item's HTML) is a zstd frame, level 1
  (cache migration 18; before it, a zlib stream, which is still read). zstd packs a
  2 KB body in a sixth of zlib's time for 2-3% more bytes (BBC articles: 12 µs and
  1,180 bytes of HTML against 51 µs and 1,147), and gives it back in a third: packing
  had been a fifth of a cold refresh's CPU.
- A feed item's plain text is nearly all in its HTML, so it is a zlib stream with the
  HTML as preset dictionary: stored once, in effect, at a few dozen bytes, and given
  back exactly (the full-text index deletes a story by its exact text, so the text is
  never made again from the HTML, which a new html2text could change). zstd with the
  HTML as dictionary was slower here and bigger (22 µs, 103 bytes; zlib 20 µs, 89).

- A page's headline lists (their JSON) are a zstd frame too (cache migration 19): a
  text page's lists were half its row (1 KB of 2), and a row of just over 2 KB fills a
  4 KB page alone; packed (a third of the bytes), two rows share a page, and 10,000
  text pages store in a fifth less time, into 40% less disk.

Reading a story back costs microseconds.

Every connection to the cache registers ``pack`` and ``unpack`` as SQL functions
(``register``): the full-text indexes read the text through the ``story_text`` view
and their triggers through ``unpack(body, body_html)``.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import zlib
from typing import TYPE_CHECKING, overload

if TYPE_CHECKING:
    import zstandard

from reader.base.errors import BodyDamaged
from reader.store.rows import StoryRow

__all__ = [
    "LEVEL",
    "SMALLEST",
    "ZSTD_LEVEL",
    "ZSTD_MAGIC",
    "pack",
    "packed",
    "register",
    "stored_values",
    "unpack",
]

LEVEL = 6
"""zlib's level (a feed item's text against its HTML): its default, most of level 9's
gain at a fraction of its time."""

ZSTD_LEVEL = 1
"""zstd's level (a body on its own): level 3 took 45% longer for 0.4% fewer bytes."""

ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
"""How a zstd frame begins. No zlib stream begins with its first two bytes: a zlib
header's two bytes are a multiple of 31 (0x28B5 is not)."""

SMALLEST = 128
"""Bytes of UTF-8 below which a body is stored as text: zlib gains little on it."""

_WINDOW = 32768
"""zlib's window: only the last this many bytes of a dictionary are used."""

_log = logging.getLogger(__name__)

_LOOKAHEAD = 262
"""zlib's MIN_LOOKAHEAD: a window of 2**bits bytes reaches back 2**bits - 262 bytes."""


def _window_bits(size: int) -> int:
    """The smallest zlib window (9 to 15 bits) that reaches back over ``size`` bytes.

    Compressing a body of a few KB with zlib's default window (32 KiB) gives the same
    bytes as with a window that just holds it (and its dictionary), but its state is
    sized for the window: ``compressobj()`` alone took 50 µs, more than compressing
    a feed item's HTML, where a fitted window takes 1.4 µs. Any zlib stream with a
    window up to 2**15 is read back by a default ``decompressobj()``.
    """
    return min(15, max(9, (size + _LOOKAHEAD - 1).bit_length()))


def _utf8(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


class _Zstd(threading.local):
    """A thread's zstd contexts: one may not be shared between threads, and making
    one for each body took longer than packing it (12 µs)."""

    def __init__(self) -> None:
        import zstandard  # on first use: a warm ``reader refresh`` packs nothing

        # With its checksum (4 bytes), as a zlib stream has its Adler-32: without one, a
        # damaged frame can give back other text without an error.
        self.compressor: zstandard.ZstdCompressor = zstandard.ZstdCompressor(
            level=ZSTD_LEVEL, write_checksum=True
        )
        self.decompressor: zstandard.ZstdDecompressor = zstandard.ZstdDecompressor()
        self.error: type[Exception] = zstandard.ZstdError


_zstd: _Zstd | None = None


def _contexts() -> _Zstd:
    """This thread's zstd contexts (made on first use)."""
    global _zstd  # noqa: PLW0603 - made once, on first use
    if _zstd is None:
        _zstd = _Zstd()
    return _zstd


@overload
def pack(text: str | bytes, html: str | bytes | None = None) -> str | bytes: ...
@overload
def pack(text: str | bytes | None, html: str | bytes | None = None) -> str | bytes | None: ...
def pack(text: str | bytes | None, html: str | bytes | None = None) -> str | bytes | None:
    """``text`` as stored: compressed when that is smaller, else unchanged (packing a
    packed value, or NULL, gives it back). ``html``, stored or not, is the HTML the
    text was made from: its dictionary (``unpack`` needs the same ``html``)."""
    if not isinstance(text, str):
        return text
    data = _utf8(text)
    if len(data) < SMALLEST:
        return text
    source = unpack(html)
    if source:
        zdict = _utf8(source)[-_WINDOW:]
        bits = _window_bits(len(zdict) + len(data))
        compressor = zlib.compressobj(LEVEL, zlib.DEFLATED, bits, zdict=zdict)
        packed = compressor.compress(data) + compressor.flush()
    else:
        packed = _contexts().compressor.compress(data)
    return packed if len(packed) < len(data) else text


def unpack(value: str | bytes | None, html: str | bytes | None = None) -> str | None:
    """A stored body as text (the inverse of ``pack``, given the same ``html``);
    ``BodyDamaged`` if its bytes fail their checksum or do not decompress."""
    if not isinstance(value, bytes):
        return value
    if value.startswith(ZSTD_MAGIC):
        zstd = _contexts()
        try:
            return zstd.decompressor.decompress(value).decode("utf-8", "surrogatepass")
        except (zstd.error, UnicodeDecodeError) as exc:
            raise BodyDamaged(f"its stored text is damaged (zstd: {exc})") from None
    try:
        if value[1] & 0x20:  # zlib's FDICT flag: compressed with the HTML as dictionary
            source = unpack(html) or ""
            decompressor = zlib.decompressobj(zdict=_utf8(source)[-_WINDOW:])
        else:
            decompressor = zlib.decompressobj()
        text = decompressor.decompress(value) + decompressor.flush()
        if not decompressor.eof:
            raise zlib.error("the stream ends early")
        return text.decode("utf-8", "surrogatepass")
    except (zlib.error, IndexError, UnicodeDecodeError) as exc:
        raise BodyDamaged(f"its stored text is damaged (zlib: {exc})") from None


def packed(row: StoryRow) -> StoryRow:
    """``row`` with its bodies as stored: packed where the row is made (a worker
    process), so that the storing process only writes (``stored_values`` then has
    nothing left to pack)."""
    return row._replace(
        body=pack(row.body, row.body_html), body_html=pack(row.body_html), lists=pack(row.lists)
    )


def stored_values(row: StoryRow) -> tuple[object, ...]:
    """A story row's columns as stored (all but its ranking), the bodies packed
    (unless ``packed`` did it already)."""
    return (
        *row[:10],
        pack(row.body, row.body_html),
        pack(row.body_html),
        pack(row.lists),
        *row[13:-1],
    )


def _unpack_in_sql(value: str | bytes | None, html: str | bytes | None = None) -> str | None:
    """``unpack`` for SQL: a damaged body reads as no text (logged). An error there
    would fail the statement, and the full-text index reads every new story: one
    damaged body would stop every search and ``reader show`` after it. Its title is
    still indexed, and the same empty text is what a trigger deletes later."""
    try:
        return unpack(value, html)
    except BodyDamaged as exc:
        _log.warning("a story's text is left out of the index and analysis: %s", exc)
        return ""


def register(conn: sqlite3.Connection) -> None:
    """Make ``pack`` and ``unpack`` (each with one or two arguments) SQL functions of
    ``conn``; the cache's views and triggers call them."""
    for arguments in (1, 2):
        conn.create_function("pack", arguments, pack, deterministic=True)
        conn.create_function("unpack", arguments, _unpack_in_sql, deterministic=True)
