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
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

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
from reader.ingest.decode import MAX_PAGE_BYTES
from reader.ingest.formats import parse_page
from reader.plumbing.workers import default_workers, worker_pool
from reader.store import Store
from reader.store.packing import packed
from reader.store.rows import StoryRow, content_hash, prepare

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
class PageFile:
    """A page file met walking the inputs: read where it is parsed (a worker process)."""

    source: str
    """The file's resolved path."""


@dataclass(frozen=True)
class Skipped:
    """A file met in a folder that is not a page (an image, a script, a style sheet)."""

    source: str


Item = RawPage | PageFile | Skipped | tuple[str, bytes | Failed]
"""An input to ingest: a page, a page file to read, ``(source, bytes)``,
``(source, Failed)`` for one that could not be read, or a file that is not a page."""

FETCH_THREADS = 8
"""URLs fetched at once."""


def is_url(text: str) -> bool:
    return text.startswith(("http://", "https://"))


_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
"""Non-blocking, so that a FIFO (or a device) is refused instead of waited on."""


def read_page_file(path: str | os.PathLike[str]) -> bytes | Failed:
    """The bytes of a page file, or why it can't be ingested."""
    try:
        fd = os.open(path, _OPEN_FLAGS)
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                return Failed("not a regular file")
            if info.st_size > MAX_PAGE_BYTES:
                return _too_large(info.st_size)
            data = _read_all(fd, info.st_size)
        finally:
            os.close(fd)
    except FileNotFoundError:
        return Failed("no such file or directory")
    except PermissionError:
        return Failed("permission denied")
    except OSError as exc:
        return Failed(exc.strerror or str(exc))
    if len(data) > MAX_PAGE_BYTES:
        return _too_large(len(data))
    return data


def _read_all(fd: int, size: int) -> bytes:
    """What is left to read of ``fd``, up to one byte past the limit, asking for
    ``size`` (what fstat said) first: a buffered ``read(limit)`` would set aside the
    whole 20 MB limit for every page (a seventh of a text page's cost)."""
    chunks: list[bytes] = []
    got, want = 0, size + 1
    while got <= MAX_PAGE_BYTES:
        chunk = os.read(fd, min(want, MAX_PAGE_BYTES + 1 - got))
        if not chunk:
            break
        chunks.append(chunk)
        got += len(chunk)
        want = 1 << 16  # the file grew since fstat, or a short read
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


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
            yield PageFile(str(path.resolve()))
        else:
            yield raw, Failed("no such file or directory")
    yield from _fetch_all(pending_urls)


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
            yield PageFile(path)
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


Work = tuple[str | None, RawPage | PageFile]
"""A page to parse, after the content hash its source has in the cache (None: new)."""

Result = StoryRow | Failed | ParseStopped | None
"""What became of a page: its story row, why it failed, why parsing stopped at it,
or None when its bytes are the ones stored already (unchanged)."""

Parsed = tuple[list[tuple[str, Result]], float]
"""Each page's source and result, and the CPU seconds the batch took."""


def parse_batch(batch: Sequence[Work]) -> Parsed:
    """Read, hash, parse and make the story row of each page, its bodies packed as
    stored (runs in a worker process).

    A page whose bytes hash to the stored hash is not parsed. Stops at the first page
    whose parsing raised: that page's entry says why.
    """
    started = time.process_time()
    parsed: list[tuple[str, Result]] = []
    for known, item in batch:
        try:
            parsed.append((item.source, _parse_one(item, known)))
        except ExtractorUnavailable as exc:
            parsed.append((item.source, ParseStopped(str(exc), traceback.format_exc())))
            break
        except Exception as exc:  # a bug: the ingest stops here (IngestAborted), logged
            reason = f"internal error (a bug in reader): {type(exc).__name__}: {exc}"
            reason = " ".join(reason.split())
            parsed.append((item.source, ParseStopped(reason, traceback.format_exc())))
            break
    return parsed, time.process_time() - started


def _parse_one(item: RawPage | PageFile, known: str | None) -> StoryRow | Failed | None:
    if isinstance(item, PageFile):
        data = read_page_file(item.source)
        if isinstance(data, Failed):
            return data
        item = RawPage(item.source, data)
    digest = content_hash(item.data)
    if digest == known:
        return None
    page = parse_item(item)
    if isinstance(page, Failed):
        return page
    # A page that names its canonical URL is that URL's story, however reached. The
    # bodies are compressed here, in the worker, not in the process that stores.
    return packed(prepare(page.canonical_url or item.source, digest, page))


POOL_WORTH_S = 0.5
"""Parsing that would take longer than this in this process goes to worker processes
(a pool from the fork server, as the app starts them, costs about half a second of
CPU to start; one forked from the command line, tens of milliseconds)."""

SLOW_PAGE_S = 0.001
"""Pages that take longer than this each (any HTML page; a text page takes a third of
it) go to worker processes from ``MIN_POOL_PAGES`` on."""

MIN_POOL_PAGES = 8
"""Fewer pages than this are always parsed here: a pool costs more than they do."""

CHUNK_S = 0.05
"""About how long one worker's share of pages should take: long enough that sending
it costs little, short enough to keep every core busy to the end."""

IN_FLIGHT = 4
"""Shares of pages waiting or being parsed, per worker, while this process stores."""

_PRELOAD = ("reader.ingest.pipeline", "reader.ingest.textpage", "reader.ingest.htmlpage")
"""Imported once before the workers fork (here, or in the fork server), so every
worker starts with them."""


class _Run:
    """One ingest: the worker pool, the shares in flight, the rows waiting to be stored.

    Results are taken in the order of the inputs, so stories are stored in that order
    and every failure is reported as its page's turn comes.
    """

    def __init__(
        self,
        store: Store,
        report: IngestReport,
        on_failure: Callable[[str, str], None] | None,
        batch_size: int,
        processes: int,
    ) -> None:
        self.store = store
        self.report = report
        self.on_failure = on_failure
        self.batch_size = batch_size
        self.processes = processes
        self.pool: ProcessPoolExecutor | None = None
        self.pending: deque[tuple[str, Future[Parsed]]] = deque()
        """Shares in flight, each with the source of its first page."""
        self.rows: list[StoryRow] = []
        self.chunk = 16
        """Pages a share: adjusted to ``CHUNK_S`` by how long pages take."""

    def fail(self, source: str, reason: str) -> None:
        self.report.failures.append((source, reason))
        if self.on_failure is not None:
            self.on_failure(source, reason)

    def add(self, batch: list[RawPage | PageFile], more: bool) -> None:
        """Parse and store ``batch``; ``more``: other batches follow it."""
        known = self.store.known_hashes([item.source for item in batch])
        work = deque((known.get(item.source), item) for item in batch)
        if self.pool is None and self.processes > 1 and more:
            self._start_pool()
        if self.pool is None:
            self._parse_here(work)
        while work:
            share = [work.popleft() for _ in range(min(self.chunk, len(work)))]
            assert self.pool is not None
            self.pending.append((share[0][1].source, self.pool.submit(parse_batch, share)))
            while len(self.pending) >= IN_FLIGHT * self.processes:
                self._take_next()

    def _parse_here(self, work: deque[Work]) -> None:
        """Parse ``work`` in this process, a page at a time, until it would be worth
        starting worker processes for the rest (what is left stays in ``work``)."""
        pages, seconds = 0, 0.0
        while work:
            if (
                self.processes > 1
                and pages
                and len(work) >= MIN_POOL_PAGES
                and (seconds / pages > SLOW_PAGE_S or seconds / pages * len(work) > POOL_WORTH_S)
                and self._start_pool()
            ):
                return
            parsed = parse_batch([work.popleft()])
            pages, seconds = pages + 1, seconds + parsed[1]
            self._take(parsed)

    def _start_pool(self) -> bool:
        self.pool = worker_pool(self.processes, preload=_PRELOAD)
        if self.pool is None:  # no processes to be had here: parse in this one
            self.processes = 1
        return self.pool is not None

    def _take_next(self) -> None:
        """Wait for the oldest share in flight and take its results."""
        source, future = self.pending.popleft()
        try:
            parsed = future.result()
        except BrokenProcessPool:  # a worker was killed (out of memory?) or crashed
            self._stop(source, "a worker process parsing from this page on ended abruptly")
        self._take(parsed)

    def _stop(self, source: str, reason: str, details: str = "") -> NoReturn:
        """Store what parsed before ``source``, then stop the ingest there."""
        self.store_rows()
        _log.warning("ingest stopped at %s: %s\n%s", source, reason, details)
        self.report.failures.append((source, reason))
        raise IngestAborted(source, reason, self.report)

    def _take(self, parsed: Parsed) -> None:
        """Count, report and queue for storing one share's results."""
        results, seconds = parsed
        if results:
            per_page = max(seconds / len(results), 1e-6)
            self.chunk = max(1, min(512, int(CHUNK_S / per_page)))
        stopped: tuple[str, ParseStopped] | None = None
        for source, result in results:
            if result is None:
                self.report.unchanged += 1
            elif isinstance(result, ParseStopped):
                stopped = source, result
            elif isinstance(result, Failed):
                self.fail(source, result.reason)
            else:
                self.rows.append(result)
        if stopped is not None:  # what parsed before it is stored; the rest is not
            self._stop(stopped[0], stopped[1].reason, stopped[1].traceback)
        if len(self.rows) >= self.batch_size:
            self.store_rows()

    def store_rows(self) -> None:
        """Store the rows parsed so far, in one transaction."""
        if self.rows:
            for outcome in self.store.save_rows(self.rows):
                setattr(self.report, outcome, getattr(self.report, outcome) + 1)
            self.rows = []

    def finish(self) -> None:
        while self.pending:
            self._take_next()
        self.store_rows()

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)


def ingest_items(
    store: Store,
    items: Iterable[Item],
    on_failure: Callable[[str, str], None] | None = None,
    batch_size: int = BATCH_SIZE,
    workers: int | None = None,
) -> IngestReport:
    """Parse and store ``items``; report failures as they happen via ``on_failure``.

    Walking, looking up and storing happen here; reading, parsing and making the rows
    happen in a pool of worker processes when there is enough of it (a second batch,
    eight slow pages or more, or a batch that would take longer than ``POOL_WORTH_S``),
    so both cores work while this process writes. Each ``batch_size`` rows are stored
    in one transaction.
    """
    report = IngestReport()
    run = _Run(
        store, report, on_failure, batch_size, default_workers() if workers is None else workers
    )
    batch: list[RawPage | PageFile] = []
    try:
        for item in items:
            if isinstance(item, Skipped):
                report.skipped += 1
                continue
            if isinstance(item, tuple):
                source, data = item
                if isinstance(data, Failed):
                    run.fail(source, data.reason)
                    continue
                item = RawPage(source, data)
            batch.append(item)
            if len(batch) >= batch_size:
                run.add(batch, more=True)
                batch = []
        if batch:
            run.add(batch, more=False)
        run.finish()
    except (sqlite3.DatabaseError, StoreError) as exc:  # what was committed before stays
        raise StoringFailed(exc, report) from exc
    finally:
        run.close()
    return report


def ingest(
    store: Store,
    inputs: Iterable[str],
    on_failure: Callable[[str, str], None] | None = None,
) -> IngestReport:
    """Ingest files, folders (recursively) and http(s) URLs."""
    return ingest_items(store, iter_inputs(inputs), on_failure)
