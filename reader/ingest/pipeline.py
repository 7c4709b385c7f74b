"""Ingest: walk the inputs, read and parse each page, store them in batches.

Batch work goes on past a bad item: every failure is reported with its source and
reason, and everything that parsed is stored. Each batch is one transaction, so a
process killed mid-ingest leaves whole stories only.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import stat
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing.context import BaseContext
from pathlib import Path

from reader.ingest.decode import MAX_PAGE_BYTES, DecodeError
from reader.ingest.formats import UnsupportedFormat, parse_page
from reader.models import Page
from reader.store import Store

BATCH_SIZE = 1000

# When walking a folder, files that are never pages (a saved page's assets) are skipped.
_ASSET_SUFFIXES = frozenset(
    ".css .js .mjs .map .json .png .jpg .jpeg .gif .webp .avif .svg .ico .bmp .woff .woff2"
    " .ttf .otf .eot .mp3 .mp4 .webm .ogg .wav .pdf .zip .gz .db .sqlite .sqlite3".split()
)


@dataclass
class IngestReport:
    """What an ingest did: counts and, for each failure, the input and the reason."""

    ingested: int = 0
    updated: int = 0
    unchanged: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return len(self.failures)

    def summary(self) -> str:
        return (
            f"ingested {self.ingested}, updated {self.updated}, "
            f"unchanged {self.unchanged}, failed {self.failed}"
        )


Item = tuple[str, bytes | str]
"""An input to ingest: its source and its bytes, or the reason it could not be read."""


def is_url(text: str) -> bool:
    return text.startswith(("http://", "https://"))


def read_page_file(path: Path) -> bytes | str:
    """The bytes of a page file, or why it can't be ingested."""
    try:
        with path.open("rb") as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode):
                return "not a regular file"
            if info.st_size > MAX_PAGE_BYTES:
                return _too_large(info.st_size)
            data = handle.read(MAX_PAGE_BYTES + 1)
    except FileNotFoundError:
        return "no such file or directory"
    except PermissionError:
        return "permission denied"
    except OSError as exc:
        return exc.strerror or str(exc)
    if len(data) > MAX_PAGE_BYTES:
        return _too_large(len(data))
    return data


def _too_large(size: int) -> str:
    mib = 1024 * 1024
    return f"file too large ({size / mib:.1f} MB, the limit is {MAX_PAGE_BYTES // mib} MB)"


def iter_inputs(inputs: Iterable[str]) -> Iterator[Item]:
    """Expand files and folders (recursively, safe from symlink loops) into items."""
    seen_dirs: set[tuple[int, int]] = set()
    for raw in inputs:
        if is_url(raw):
            yield raw, "URLs are not supported yet"
            continue
        path = Path(raw).expanduser()
        try:
            is_dir = path.is_dir()
        except OSError as exc:
            yield raw, exc.strerror or str(exc)
            continue
        if is_dir:
            yield from _walk(path, seen_dirs)
        elif path.exists():
            yield str(path.resolve()), read_page_file(path)
        else:
            yield raw, "no such file or directory"


def _walk(root: Path, seen_dirs: set[tuple[int, int]]) -> Iterator[Item]:
    def on_error(exc: OSError) -> None:
        errors.append((exc.filename or str(root), exc.strerror or str(exc)))

    errors: list[tuple[str, str]] = []
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
                continue
            path = os.path.join(real_folder, name)
            if os.path.islink(path):
                path = os.path.realpath(path)
            yield path, read_page_file(Path(path))
    yield from errors


def content_hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def parse_item(source: str, data: bytes) -> Page | str:
    """Parse one page; a string result is the reason it failed."""
    try:
        page = parse_page(data, source)
    except (DecodeError, UnsupportedFormat, ValueError) as exc:
        return str(exc)
    except Exception as exc:  # a parser bug must not stop the batch
        return f"could not parse: {type(exc).__name__}: {exc}"
    if not page.title and not page.body:
        return "no title and no text"
    return page


Parsed = list[tuple[str, str, Page | str]]


def parse_batch(batch: list[tuple[str, str, bytes]]) -> Parsed:
    """Parse ``(source, content_hash, bytes)`` items (runs in a worker process)."""
    return [(source, digest, parse_item(source, data)) for source, digest, data in batch]


def default_workers() -> int:
    """Parsing processes for big batches: one per core, at most four."""
    return max(1, min(4, os.cpu_count() or 1))


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
    workers = default_workers() if workers is None else workers
    pool: ProcessPoolExecutor | None = None
    pending: deque[Future[Parsed]] = deque()

    def fail(source: str, reason: str) -> None:
        report.failures.append((source, reason))
        if on_failure is not None:
            on_failure(source, reason)

    def store_parsed(parsed: Parsed) -> None:
        pages: list[tuple[str, str, Page]] = []
        for source, digest, result in parsed:
            if isinstance(result, str):
                fail(source, result)
            else:
                pages.append((source, digest, result))
        for outcome in store.save_pages(pages):
            setattr(report, outcome, getattr(report, outcome) + 1)

    def submit(batch: list[tuple[str, bytes]], batches_before: int) -> None:
        nonlocal pool
        known = store.known_hashes([source for source, _ in batch])
        changed: list[tuple[str, str, bytes]] = []
        for source, data in batch:
            digest = content_hash(data)
            if known.get(source) == digest:
                report.unchanged += 1
            else:
                changed.append((source, digest, data))
        if pool is None and workers > 1 and batches_before > 0:
            pool = ProcessPoolExecutor(workers, mp_context=_pool_context())
        if pool is None:
            store_parsed(parse_batch(changed))
            return
        pending.append(pool.submit(parse_batch, changed))
        while len(pending) > workers:
            store_parsed(pending.popleft().result())

    batch: list[tuple[str, bytes]] = []
    batches = 0
    try:
        for source, data in items:
            if isinstance(data, str):
                fail(source, data)
                continue
            batch.append((source, data))
            if len(batch) >= batch_size:
                submit(batch, batches)
                batch, batches = [], batches + 1
        if batch:
            submit(batch, batches)
        while pending:
            store_parsed(pending.popleft().result())
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    return report


def _pool_context() -> BaseContext:
    """``forkserver`` where there is one: safe even when called from a thread."""
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else None)


def ingest(
    store: Store,
    inputs: Iterable[str],
    on_failure: Callable[[str, str], None] | None = None,
) -> IngestReport:
    """Ingest files, folders (recursively) and, later, URLs."""
    return ingest_items(store, iter_inputs(inputs), on_failure)
