"""What can go wrong when a page is parsed, as types.

A ``PageError`` belongs to one page (it is not a page, it cannot be decoded, its
article cannot be extracted): the page is reported and the batch goes on. An
``ExtractorUnavailable`` belongs to the install, not the page: every page would
fail the same way, so the ingest stops and says so. Anything else raised while
parsing is a bug in reader, and stops the ingest too (``IngestAborted``), rather
than becoming an empty story.
"""

from __future__ import annotations


class PageError(ValueError):
    """This page cannot be ingested; the message says why."""


class ExtractionFailed(PageError):
    """The article extractor failed on this page."""


class ExtractorUnavailable(RuntimeError):
    """The article extractor cannot run here (it failed to import)."""


class IngestAborted(Exception):
    """An ingest stopped at ``source``: what was stored before it stays stored.

    ``report`` is the ingest's report up to there (an ``IngestReport``).
    """

    def __init__(self, source: str, reason: str, report: object) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason
        self.report = report


class StoringFailed(Exception):
    """The store refused a batch (a full disk, say): the ingest stopped there.

    ``error`` is the database's error; ``report`` the ingest's report up to there.
    """

    def __init__(self, error: Exception, report: object) -> None:
        super().__init__(str(error))
        self.error = error
        self.report = report


def is_content_error(exc: BaseException) -> bool:
    """Whether ``exc`` is what bad content causes: a ``ValueError`` (lxml's data
    errors, bad encodings), lxml's own errors, or nesting too deep to walk."""
    return isinstance(exc, ValueError | RecursionError) or type(exc).__module__.startswith("lxml")
