"""Ingest: walk the inputs, read and parse each page, store them in batches.

Batch work goes on past a bad item: every failure is reported with its source and
reason, and everything that parsed is stored. Each batch is one transaction, so a
process killed mid-ingest leaves whole stories only.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import stat
import traceback
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from reader.base.errors import (
    ExtractorUnavailable,
    Failed,
    FetchError,
    IngestAborted,
    PageError,
    StoreError,
    StoringFailed,
    is_content_error,
)
from reader.base.models import Page, RawPage
from reader.ingest.decode import MAX_PAGE_BYTES, looks_like_html
from reader.ingest.formats import parse_page
from reader.plumbing.workers import default_workers, worker_pool
from reader.store import Store
from reader.store.rows import content_hash

BATCH_SIZE = 1000

_log = logging.getLogger(__name__)

# When walking a folder, files that are never pages (a saved page's assets) are skipped.
_ASSET_SUFFIXES = frozenset(
    ".css .js .mjs .map .json .png .jpg .jpeg .gif .webp .avif .svg .ico .bmp .woff .woff2"
    " .ttf .otf .eot .mp3 .mp4 .webm .ogg .wav .pdf .zip .gz .db .sqlite .sqlite3"
    " .sqlite3-wal .sqlite3-shm .sqlite3-journal .db-wal .db-shm".split()
)


@dataclass
class IngestReport:
    """What an ingest did: counts and, for each failure, the input and the reason."""

    ingested: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    """Files in a folder that are not pages (a saved page's images, scripts, styles)."""
    failures: list[tuple[str, str]] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return len(self.failures)

    def summary(self) -> str:
        skipped = f", skipped {self.skipped} (not pages)" if self.skipped else ""
        return (
            f"ingested {self.ingested}, updated {self.updated}, "
            f"unchanged {self.unchanged}, failed {self.failed}{skipped}"
        )


@dataclass(frozen=True)
class Skipped:
    """A file met in a folder that is not a page (an image, a script, a style sheet)."""

    source: str


Item = RawPage | Skipped | tuple[str, bytes | Failed]
"""An input to ingest: a page, ``(source, bytes)``, ``(source, Failed)`` for one
that could not be read, or a file that is not a page."""

FETCH_THREADS = 8
"""URLs fetched at once."""


def is_url(text: str) -> bool:
    return text.startswith(("http://", "https://"))


def read_page_file(path: Path) -> bytes | Failed:
    """The bytes of a page file, or why it can't be ingested."""
    try:
        # Non-blocking, so that a FIFO (or a device) is refused instead of waited on.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
        with os.fdopen(fd, "rb") as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode):
                return Failed("not a regular file")
            if info.st_size > MAX_PAGE_BYTES:
                return _too_large(info.st_size)
            data = handle.read(MAX_PAGE_BYTES + 1)
    except FileNotFoundError:
        return Failed("no such file or directory")
    except PermissionError:
        return Failed("permission denied")
    except OSError as exc:
        return Failed(exc.strerror or str(exc))
    if len(data) > MAX_PAGE_BYTES:
        return _too_large(len(data))
    return data


def _too_large(size: int) -> Failed:
    mib = 1024 * 1024
    return Failed(f"file too large ({size / mib:.1f} MB, the limit is {MAX_PAGE_BYTES // mib} MB)")


def iter_inputs(inputs: Iterable[str]) -> Iterator[Item]:
    """Expand files, folders (recursively, safe from symlink loops) and URLs into items.

    URLs are fetched a few at a time in threads, in the order given.
    """
    seen_dirs: set[tuple[int, int]] = set()
    pending_urls: list[str] = []
    for raw in inputs:
        if is_url(raw):
            pending_urls.append(raw)
            continue
        yield from _fetch_all(pending_urls)
        pending_urls = []
        path = Path(raw).expanduser()
        try:
            is_dir = path.is_dir()
        except OSError as exc:
            yield raw, Failed(exc.strerror or str(exc))
            continue
        if is_dir:
            yield from _walk(path, seen_dirs)
        elif path.exists():
            yield _file_item(str(path.resolve()), path)
        else:
            yield raw, Failed("no such file or directory")
    yield from _fetch_all(pending_urls)


def _file_item(source: str, path: Path) -> Item:
    data = read_page_file(path)
    return (source, data) if isinstance(data, Failed) else RawPage(source, data)


def fetch_item(url: str) -> Item:
    """Fetch one URL as an ingest item."""
    from reader.plumbing.fetch import FetchPolicy, fetch

    try:  # the user named this URL: its own host may be private, where it redirects not
        fetched = fetch(url, policy=FetchPolicy.named_by_user(url))
    except FetchError as exc:
        return url, Failed(str(exc))
    except Exception as exc:  # a bug or an odd failure must not stop the batch: logged
        _log.warning("fetching %s failed unexpectedly", url, exc_info=True)
        return url, Failed(f"could not fetch: {exc!r}")
    return RawPage(url, fetched.data, url=fetched.url, charset=fetched.charset)


def _fetch_all(urls: list[str]) -> Iterator[Item]:
    if not urls:
        return
    if len(urls) == 1:
        yield fetch_item(urls[0])
        return
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(min(FETCH_THREADS, len(urls))) as fetchers:
        yield from fetchers.map(fetch_item, urls)


def _walk(root: Path, seen_dirs: set[tuple[int, int]]) -> Iterator[Item]:
    def on_error(exc: OSError) -> None:
        errors.append((exc.filename or str(root), Failed(exc.strerror or str(exc))))

    errors: list[tuple[str, Failed]] = []
    for folder, dirnames, filenames in os.walk(root, followlinks=True, onerror=on_error):
        yield from errors
        errors.clear()
        try:
            info = os.stat(folder)
        except OSError:
            dirnames[:] = []
            continue
        key = (info.st_dev, info.st_ino)
        if key in seen_dirs:  # a symlink loop, or a folder reached twice
            dirnames[:] = []
            continue
        seen_dirs.add(key)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        real_folder = os.path.realpath(folder)
        for name in sorted(filenames):
            if name.startswith(".") or os.path.splitext(name)[1].lower() in _ASSET_SUFFIXES:
                yield Skipped(os.path.join(folder, name))
                continue
            path = os.path.join(real_folder, name)
            if os.path.islink(path):
                path = os.path.realpath(path)
            yield _file_item(path, Path(path))
    yield from errors


def parse_item(raw: RawPage) -> Page | Failed:
    """Parse one page; a ``Failed`` result says why it failed.

    Only what is wrong with this page is a result (``PageError``, and the errors lxml
    raises on bad content). A missing extractor or a bug in reader raises: it would
    fail every page, and must not become a row of empty stories.
    """
    try:
        page = parse_page(raw)
    except PageError as exc:
        return Failed(str(exc))
    except Exception as exc:  # bad content fails this page (logged); anything else raises
        if not is_content_error(exc):
            raise
        _log.info("%s: bad content: %r", raw.source, exc)
        if isinstance(exc, RecursionError):
            return Failed("cannot parse: the page is nested too deeply")
        return Failed(f"cannot parse: {type(exc).__name__}: {exc}")
    if not page.title and not page.body:
        return Failed("no title and no text")
    return page


@dataclass(frozen=True)
class ParseStopped:
    """Why parsing stopped at a page: an extractor that cannot run, or a bug."""

    reason: str
    traceback: str


Parsed = list[tuple[str, str, Page | Failed | ParseStopped]]


def parse_batch(batch: list[tuple[str, RawPage]]) -> Parsed:
    """Parse ``(content_hash, page)`` items (runs in a worker process).

    Stops at the first page whose parsing raised: that page's entry says why.
    """
    parsed: Parsed = []
    for digest, raw in batch:
        try:
            parsed.append((raw.source, digest, parse_item(raw)))
        except ExtractorUnavailable as exc:
            parsed.append((raw.source, digest, ParseStopped(str(exc), traceback.format_exc())))
            break
        except Exception as exc:  # a bug: the ingest stops here (IngestAborted), logged
            reason = f"internal error (a bug in reader): {type(exc).__name__}: {exc}"
            reason = " ".join(reason.split())
            parsed.append((raw.source, digest, ParseStopped(reason, traceback.format_exc())))
            break
    return parsed


def ingest_items(
    store: Store,
    items: Iterable[Item],
    on_failure: Callable[[str, str], None] | None = None,
    batch_size: int = BATCH_SIZE,
    workers: int | None = None,
) -> IngestReport:
    """Parse and store ``items``; report failures as they happen via ``on_failure``.

    Reading and storing happen here; from the second batch on, parsing moves to a
    pool of worker processes so both cores work while this process writes.
    """
    report = IngestReport()
    processes = default_workers() if workers is None else workers
    pool: ProcessPoolExecutor | None = None
    pending: deque[Future[Parsed]] = deque()

    def fail(source: str, reason: str) -> None:
        report.failures.append((source, reason))
        if on_failure is not None:
            on_failure(source, reason)

    def store_parsed(parsed: Parsed) -> None:
        pages: list[tuple[str, str, Page]] = []
        stopped: tuple[str, ParseStopped] | None = None
        for source, digest, result in parsed:
            if isinstance(result, ParseStopped):
                stopped = source, result
            elif isinstance(result, Failed):
                fail(source, result.reason)
            else:
                # A page that names its canonical URL is that URL's story, however reached.
                pages.append((result.canonical_url or source, digest, result))
        for outcome in store.save_pages(pages):
            setattr(report, outcome, getattr(report, outcome) + 1)
        if stopped is not None:  # what parsed before it is stored; the rest is not
            source, why = stopped
            _log.warning("ingest stopped at %s: %s\n%s", source, why.reason, why.traceback)
            report.failures.append((source, why.reason))
            raise IngestAborted(source, why.reason, report)

    def submit(batch: list[RawPage], batches_before: int) -> None:
        nonlocal pool, processes
        known = store.known_hashes([raw.source for raw in batch])
        changed: list[tuple[str, RawPage]] = []
        for raw in batch:
            digest = content_hash(raw.data)
            if known.get(raw.source) == digest:
                report.unchanged += 1
            else:
                changed.append((digest, raw))
        # HTML costs ~30 ms a page: worth the pool even for a small batch, in small chunks.
        html = sum(1 for _, raw in changed if looks_like_html(raw.data))
        if pool is None and processes > 1 and (batches_before > 0 or html >= 8):
            pool = worker_pool(processes)
            if pool is None:  # no processes to be had here: parse in this one
                processes = 1
        if pool is None:
            store_parsed(parse_batch(changed))
            return
        chunk = 16 if html else len(changed) or 1
        for start in range(0, len(changed), chunk):
            pending.append(pool.submit(parse_batch, changed[start : start + chunk]))
            while len(pending) > 2 * processes:
                store_parsed(pending.popleft().result())

    batch: list[RawPage] = []
    batches = 0
    try:
        for item in items:
            if isinstance(item, Skipped):
                report.skipped += 1
                continue
            if not isinstance(item, RawPage):
                source, data = item
                if isinstance(data, Failed):
                    fail(source, data.reason)
                    continue
                item = RawPage(source, data)
            batch.append(item)
            if len(batch) >= batch_size:
                submit(batch, batches)
                batch, batches = [], batches + 1
        if batch:
            submit(batch, batches)
        while pending:
            store_parsed(pending.popleft().result())
    except (sqlite3.DatabaseError, StoreError) as exc:  # what was committed before stays
        raise StoringFailed(exc, report) from exc
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    return report


def ingest(
    store: Store,
    inputs: Iterable[str],
    on_failure: Callable[[str, str], None] | None = None,
) -> IngestReport:
    """Ingest files, folders (recursively) and http(s) URLs."""
    return ingest_items(store, iter_inputs(inputs), on_failure)
