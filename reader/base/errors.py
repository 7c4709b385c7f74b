"""Every error reader raises, as one hierarchy, and the value a batch carries instead.

::

    ReaderError
    ├── StoryError ─── StoryNotFound                 (also a LookupError)
    ├── FeedError ──── FeedNotFound                  (also a LookupError)
    │              └── NotAFeed                      (also a ParseError)
    ├── StoreError ─── DatabaseDamaged, HomeReadOnly, DiskFull, SchemaTooNew
    ├── FetchError ─── FetchRefused
    ├── ParseError ─── PageError ─── ExtractionFailed (and DecodeError, UnsupportedFormat
    │              │                  where they are raised)
    │              ├── ExtractorUnavailable
    │              └── ListError
    ├── IngestStopped ─ IngestAborted, StoringFailed
    └── CommandFailed                                (a program config.toml names)

Each message is one line that says what went wrong and, where there is one, what to
do. A ``PageError`` belongs to one page (it is not a page, it cannot be decoded, its
article cannot be extracted): the page is reported and the batch goes on. An
``ExtractorUnavailable`` belongs to the install, not the page: every page would fail
the same way, so the ingest stops and says so. Anything else raised while parsing is
a bug in reader, and stops the ingest too (``IngestAborted``), rather than becoming
an empty story. SQLite's own errors are turned into ``StoreError``s where the store
meets them (``reader.store.health.diagnose``).

A batch (an ingest, a refresh) does not raise for one bad item: the item's result is
a ``Failed``, whose ``reason`` is the line the user sees.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reader.base.paths import Paths


class ReaderError(Exception):
    """Something reader could not do; the message is one line for the user."""


@dataclass(frozen=True)
class Failed:
    """Why one item of a batch (a page, a feed) could not be used: a value, not an
    exception, so that the rest of the batch goes on. ``str()`` is the reason."""

    reason: str

    def __str__(self) -> str:
        return self.reason


# -- stories and feeds -------------------------------------------------------------------


class StoryError(ReaderError):
    """A story cannot be found or used as asked."""


class StoryNotFound(StoryError, LookupError):
    """No story (or more than one) has the given id."""


class FeedError(ReaderError):
    """A feed cannot be found, read or used as asked."""


class FeedNotFound(FeedError, LookupError):
    """No subscription has the given URL or id."""


# -- storage -------------------------------------------------------------------------------


class StoreError(ReaderError):
    """A home's databases cannot be used as asked; the message says why and what to do."""


class DatabaseDamaged(StoreError):
    """One of the two database files is damaged."""

    def __init__(self, path: Path, is_cache: bool, reason: str, paths: Paths) -> None:
        self.path, self.is_cache, self.reason = path, is_cache, reason
        if is_cache:
            message = (
                f"the story cache {path} is damaged ({reason}). Deleting it is safe: your "
                f"bookmarks, read marks and feeds are kept in {paths.user_db}. "
                "'reader repair' sets it aside and starts a new one; then 'reader refresh' "
                "and 'reader ingest' fill it again"
            )
        else:
            message = (
                f"your bookmarks and read marks, {path}, are damaged ({reason}). Keep a "
                "copy of the file before anything else; sqlite3's .recover can save "
                "what is still readable"
            )
        super().__init__(message)


class BodyDamaged(StoreError):
    """A story's stored text cannot be read back: its compressed bytes fail their
    checksum, or do not decompress (the cache file is damaged there)."""


class HomeReadOnly(StoreError):
    """The home's folders cannot be written: reading works, changing does not."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        super().__init__(
            f"{folder} is read-only: reader can show your stories but not change them "
            "(ingest, refresh, bookmarks and read marks need to write there)"
        )


class DiskFull(StoreError):
    """The disk holding the home is full."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        super().__init__(
            f"the disk holding {folder} is full: what was stored before stays, and the "
            "next run works once there is space"
        )


class SchemaTooNew(StoreError, RuntimeError):
    """The database was written by a newer reader."""


# -- the network -------------------------------------------------------------------------


class FetchError(ReaderError):
    """A URL could not be fetched; the message is the reason, for one line of output."""


class FetchRefused(FetchError):
    """A URL reader will not fetch or read: not http(s), a private address that is not
    on the host the user named, or a local file that is not a regular file."""

    def __init__(self, url: str, reason: str) -> None:
        self.url = url
        self.reason = reason
        super().__init__(f"refused: {shown_url(url)} {reason}")


class ImageError(FetchError):
    """A picture that cannot be shown: not an image, too large, or a file Pillow cannot
    decode. The message is the reason, for one line of a log."""


def shown_url(url: str, limit: int = 200) -> str:
    """``url`` fit for one line of output: control characters escaped, length bounded."""
    text = "".join(ch if ch.isprintable() else f"\\x{ord(ch):02x}" for ch in url[:limit])
    return text + ("…" if len(url) > limit else "")


# -- parsing -----------------------------------------------------------------------------


class ParseError(ReaderError):
    """A document (a page, a feed, a subscription list) cannot be read as one."""


class PageError(ParseError, ValueError):
    """This page cannot be ingested; the message says why."""


class ExtractionFailed(PageError):
    """The article extractor failed on this page."""


class ExtractorUnavailable(ParseError, RuntimeError):
    """The article extractor cannot run here (it failed to import)."""


class NotAFeed(FeedError, ParseError, ValueError):
    """The document is not a feed; the message says why."""


class ListError(ParseError, ValueError):
    """A subscription list is neither OPML nor a urls file; the message says why."""


def is_content_error(exc: BaseException) -> bool:
    """Whether ``exc`` is what bad content causes: a ``ValueError`` (lxml's data
    errors, bad encodings), lxml's own errors, or nesting too deep to walk."""
    return isinstance(exc, ValueError | RecursionError) or type(exc).__module__.startswith("lxml")


# -- an ingest that stopped --------------------------------------------------------------


class IngestStopped(ReaderError):
    """An ingest stopped before its end: what was stored before stays stored.

    ``report`` is the ingest's report up to there (an ``IngestReport``).
    """

    def __init__(self, message: str, report: object) -> None:
        super().__init__(message)
        self.report = report


class IngestAborted(IngestStopped):
    """An ingest stopped at ``source``: an extractor that cannot run, or a bug."""

    def __init__(self, source: str, reason: str, report: object) -> None:
        super().__init__(f"{source}: {reason}", report)
        self.source = source
        self.reason = reason


class StoringFailed(IngestStopped):
    """The store refused a batch (a full disk, say): the ingest stopped there.

    ``error`` is the database's error.
    """

    def __init__(self, error: Exception, report: object) -> None:
        super().__init__(str(error), report)
        self.error = error


# -- programs the user's settings name (browser, bookmark_command, pipe_to) -------------


class CommandFailed(ReaderError):
    """A program named in config.toml could not run, timed out, or exited non-zero."""
