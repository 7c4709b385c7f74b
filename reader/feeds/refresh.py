"""Refresh feeds: fetch them concurrently with conditional GET, store what changed.

Fetching runs in threads (it waits on the network); parsing and storing run here,
as each feed arrives. A feed that fails is recorded with its reason and the rest
go on.

The killfile (``[[ignore]]`` in config.toml) is applied to every item a feed gives,
before anything is fetched for it or stored: a ``drop`` rule's items are never stored,
a ``hide`` rule's are kept apart (``Store.hide_rows``) and never listed.

A subscription counts as named by the user (they added or imported it, or chose the
page that announced it): its own origin may be private, and what its items link to
is fetched under that ``FetchPolicy``. A local feed is read only if it is a regular
file; a page can announce only an http(s) feed that its policy allows.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import CancelledError, Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from queue import Empty, SimpleQueue
from typing import TYPE_CHECKING, Any, TypeAlias
from urllib.parse import urlsplit

from reader.base.config import FeedSettings, IgnoreRule, first_match
from reader.base.errors import Failed, FeedError, FetchError, ParseError
from reader.base.models import Feed
from reader.feeds.parse import ParsedFeed, parse_feed
from reader.plumbing.fetch import (
    FetchedFeed,
    FetchPolicy,
    fetch_feed,
    read_regular_file,
)
from reader.plumbing.fetch import client as http_client
from reader.store import Store
from reader.store.packing import packed, unpack
from reader.store.rows import StoryRow

if TYPE_CHECKING:  # multiprocessing is imported only by a refresh that parses in processes
    from concurrent.futures import ProcessPoolExecutor

_log = logging.getLogger(__name__)

THREADS = 8
STORE_BATCH = 1000
"""Feed items stored per transaction."""
IN_FLIGHT = 16
"""Feeds downloaded, parsed or waiting to be stored at once."""
PARSING = 1
"""Feeds parsed at once by the fetching threads. They share the GIL: a second one
only holds another document half parsed, and hands the GIL back and forth (a cold
refresh of 10k items, 6 interleaved runs twice: 0.76 and 0.74 s at one, 0.79 and
0.78 s at two)."""
IDLE_S = 0.05
"""After this long with nothing arriving, what has arrived is stored."""
BACKLOG = 8
"""Feeds waiting per parsing process before a fetching thread parses one itself."""


@dataclass
class RefreshReport:
    """What a refresh did."""

    feeds: int = 0
    new: int = 0
    updated: int = 0
    not_modified: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)
    hidden: int = 0
    """Items an ``[[ignore]]`` rule hid (that were not hidden already)."""
    dropped: int = 0
    """Items an ``[[ignore]]`` rule dropped (counted at every refresh that sees them)."""

    def summary(self) -> str:
        """The one-line summary."""
        ignored = (
            f", ignored {self.hidden} hidden and {self.dropped} dropped"
            if self.hidden or self.dropped
            else ""
        )
        return (
            f"refreshed {self.feeds} feed{'' if self.feeds == 1 else 's'}: {self.new} new, "
            f"{self.updated} updated stories, "
            f"{self.not_modified} not modified, {len(self.failures)} failed{ignored}"
        )


def is_local(url: str) -> bool:
    """Whether a subscription names a local file (a path or a ``file://`` URL)."""
    return url.startswith("file://") or "://" not in url


def local_path(url: str) -> Path:
    """The file a local feed names (a path or a ``file://`` URL)."""
    if url.startswith("file://"):
        from urllib.request import url2pathname  # slow to import, and seldom needed

        return Path(url2pathname(urlsplit(url).path))
    return Path(url).expanduser()


def read_feed(client: Any, feed: Feed) -> FetchedFeed:
    """Fetch (or read, for a local file) one feed the user subscribed to.

    A local feed must be a regular file (not a device, FIFO or directory); a remote
    one may be on a private address, and so may its redirects on the same origin.
    """
    if is_local(feed.url):
        data = read_regular_file(local_path(feed.url))
        return FetchedFeed(feed.url, data, None, None)
    policy = FetchPolicy.named_by_user(feed.url)
    return fetch_feed(client, feed.url, feed.etag, feed.last_modified, policy=policy)


def store_feeds(store: Store, parsed_feeds: Sequence[ParsedFeed]) -> tuple[int, int]:
    """Store the items of several parsed feeds in one transaction; returns (new, updated).

    An item's hash is that of what was parsed from it, so an unchanged item in a
    changed feed is left alone (and keeps its place and marks). A story already
    ingested from its page is richer than a feed's summary of it: it is skipped.
    """
    rows = [row for parsed in parsed_feeds for row in parsed.rows]
    from_pages = store.page_stories([row.source for row in rows])
    outcomes = store.save_rows([row for row in rows if row.source not in from_pages])
    return outcomes.count("ingested"), outcomes.count("updated")


def ignore_fields(row: StoryRow, tags: Sequence[str]) -> dict[str, str | Sequence[str]]:
    """What an ``[[ignore]]`` rule matches in a story row of a feed carrying ``tags``."""
    return {
        "title": row.title,
        "author": row.author or "",
        "link": row.url or "",
        "content": unpack(row.body, row.body_html) or "",
        "tag": tags,
    }


def feed_rules(feed: Feed, rules: Sequence[IgnoreRule]) -> tuple[IgnoreRule, ...]:
    """The ``[[ignore]]`` rules for ``feed`` (by its URL and tags), in their order."""
    return tuple(rule for rule in rules if rule.applies_to(feed.url, feed.tags))


def verdicts(
    rules: Sequence[IgnoreRule], rows: Sequence[StoryRow], tags: Sequence[str]
) -> list[int | None]:
    """Per row, the index in ``rules`` of the rule it matches (``first_match``), or None."""
    found: list[int | None] = []
    for row in rows:
        rule = first_match(rules, ignore_fields(row, tags))
        found.append(None if rule is None else rules.index(rule))
    return found


def apply_ignore(
    store: Store, feed: Feed, parsed: ParsedFeed, rules: Sequence[IgnoreRule]
) -> tuple[int, int]:
    """Take the items the killfile ignores out of ``parsed`` (its rows, and its pages
    when it has them): ``hide`` ones are kept hidden, ``drop`` ones forgotten. Stories
    hidden by a rule no longer in ``rules`` come back (stored again, unless another
    rule takes them). The parser's verdicts (``ParsedFeed.ignored``) are used when it
    had the same rules. Returns (newly hidden, dropped)."""
    rules = feed_rules(feed, rules)
    released = store.release_hidden(feed.url, {r.key for r in rules if r.action == "hide"})
    given = {row.source for row in parsed.rows}
    back = [row for row in released if row.source not in given]
    if not rules:
        store.forget_hidden(list(given))
        if back:
            store.save_rows(back)
        return 0, 0
    pages = parsed.pages if len(parsed.pages) == len(parsed.rows) else None
    found = parsed.ignored
    if found is None or len(found) != len(parsed.rows):
        found = verdicts(rules, parsed.rows, feed.tags)
    chosen = [None if index is None else rules[index] for index in found]
    hidden = [(row, r.key) for row, r in zip(parsed.rows, chosen, strict=True)
              if r is not None and r.action == "hide"]  # fmt: skip
    dropped = sum(r is not None and r.action == "drop" for r in chosen)
    parsed.rows = [row for row, r in zip(parsed.rows, chosen, strict=True) if r is None]
    if pages is not None:
        parsed.pages = [page for page, r in zip(pages, chosen, strict=True) if r is None]
    parsed.ignored = None
    back_kept = []
    for row in back:
        rule = first_match(rules, ignore_fields(row, feed.tags))
        if rule is None:
            back_kept.append(row)
        elif rule.action == "hide":
            hidden.append((row, rule.key))
    store.forget_hidden([row.source for row in parsed.rows])
    if back_kept:
        store.save_rows(back_kept)
    return store.hide_rows(hidden), dropped


def parse_safely(
    data: bytes,
    url: str,
    keep_pages: bool = False,
    rules: Sequence[IgnoreRule] = (),
    tags: Sequence[str] = (),
    new: bool = False,
) -> ParsedFeed | Failed:
    """Parse a feed document into story rows; a ``Failed`` says why it failed.

    Runs in a worker process. The pages themselves travel back only when asked
    for (``fetch_full_page`` works on them): the rows are all that is stored. With
    the feed's ``[[ignore]]`` rules (``feed_rules``) and tags, each row is tried
    against them here too (``ParsedFeed.ignored``), off the storing process.

    ``new``: a feed never fetched before, whose every item will be stored: the rows'
    bodies are packed here too (``packing.packed``), off the storing thread (zlib lets
    the GIL go: in one process, the storing thread stores meanwhile). A known feed's
    rows are packed when stored, since most of its items are stored already and are
    skipped; so are those of a feed with rules or full pages (its rows change after).
    """
    try:
        parsed = parse_feed(data, url)
        if parsed.alternate and not parsed.pages:
            return Failed(f"an HTML page; its feed is {parsed.alternate}")
        parsed.prepare_rows()
        if rules:
            parsed.ignored = verdicts(rules, parsed.rows, tags)
        elif new and not keep_pages:
            parsed.rows = [packed(row) for row in parsed.rows]
    except FeedError as exc:
        return Failed(str(exc))
    except Exception as exc:  # a parser bug must not stop the other feeds: logged
        _log.warning("parsing the feed %s failed", url, exc_info=True)
        return Failed(f"{type(exc).__name__}: {exc}")
    if not keep_pages:
        parsed.pages = []
    return parsed


def never_fetched(feed: Feed) -> bool:
    """Whether ``feed`` was never refreshed (nothing of it is stored yet)."""
    return not (feed.etag or feed.last_modified or feed.last_refresh)


def due(feeds: Sequence[Feed], settings: Callable[[str], FeedSettings]) -> list[Feed]:
    """The feeds whose refresh interval has passed (all that have none)."""
    now = datetime.now(UTC)
    chosen = []
    for feed in feeds:
        interval = settings(feed.url).refresh_interval
        if interval and feed.last_refresh and not feed.last_error:
            last = datetime.fromisoformat(feed.last_refresh)
            if now - last < timedelta(minutes=interval):
                continue
        chosen.append(feed)
    return chosen


def full_pages(store: Store, parsed: ParsedFeed, policy: FetchPolicy) -> None:
    """Replace new items' summaries with their pages' articles (fetch_full_page).

    An item's link is the feed's word, not the user's: it is fetched only where
    ``policy`` (the feed's) allows; a refused or failed one keeps its summary.
    """
    from reader.base.models import RawPage
    from reader.ingest.htmlpage import parse as parse_html_page
    from reader.plumbing.fetch import fetch

    # Items already stored were fetched in full before: the feed's summary of them
    # must not replace that, so they leave the batch.
    known = store.known_hashes([key for key, _ in parsed.pages])
    parsed.pages = [(key, page) for key, page in parsed.pages if key not in known]
    for index, (key, page) in enumerate(parsed.pages):
        if not page.url:
            continue
        try:
            fetched = fetch(page.url, policy=policy)
            full = parse_html_page(RawPage(page.url, fetched.data, fetched.url, fetched.charset))
        except (FetchError, ParseError) as exc:  # the feed's own summary stays
            _log.info("the page of %s is not used: %s", page.url, exc)
            continue
        except Exception:  # a bug in reading the page: the summary stays, logged
            _log.warning("reading the page of %s failed", page.url, exc_info=True)
            continue
        if full.body.strip():
            full.title = page.title
            full.published = page.published or full.published
            full.site = full.site or page.site
            full.feed_url = page.feed_url
            full.url, full.canonical_url = page.url, page.canonical_url
            parsed.pages[index] = (key, full)
    parsed.prepare_rows()


Validators: TypeAlias = tuple[str | None, str | None]
"""A feed's ETag and Last-Modified, as its server last gave them."""
Parsed: TypeAlias = "Future[ParsedFeed | Failed] | ParsedFeed | Failed | None"
"""What a fetching thread hands on: a parse under way in a process, its result, or
None for a feed that did not change (304)."""


def refresh(
    store: Store,
    feeds: Sequence[Feed],
    on_progress: Callable[[int, int], None] | None = None,
    on_failure: Callable[[str, str], None] | None = None,
    settings: Callable[[str], FeedSettings] | None = None,
    processes: bool = True,
    workers: int | None = None,
    fork_only: bool = False,
) -> RefreshReport:
    """Refresh ``feeds``; report progress as (done, total) and each failure.

    Feeds are fetched by threads; storing happens here as results arrive. With
    ``processes``, from four feeds up, parsing runs in a pool of ``workers`` worker
    processes (``default_workers()`` when None), started when the first feed needs
    parsing (never, when every feed answers 304): this thread stays free (the app's
    screen). Called from a process that runs one thread (``reader refresh``), the pool
    is forked at the start, before any thread, when a feed was never fetched (all its
    items will be parsed), or not used at all; with ``fork_only``, a process that runs
    other threads uses none either (the fork server's pool costs far more memory).
    Without ``processes``, each feed is parsed by the thread that fetched it. A feed
    whose turn in the pool would wait (``BACKLOG`` feeds are with each worker already)
    is parsed by its fetching thread: both cores parse, and the pool can stay small.
    SQLite releases the GIL while it stores, so storing overlaps parsing either way.
    """
    report = RefreshReport(feeds=len(feeds))
    if not feeds:
        return report
    done = 0

    # A feed holds a slot from the start of its download until it is stored or has
    # failed: that bounds the memory a refresh holds when storing is the slow part.
    slots = threading.BoundedSemaphore(IN_FLIGHT)
    parsing_now = threading.BoundedSemaphore(PARSING)
    stopping = threading.Event()

    def finished() -> None:
        """A feed is stored or has failed: counted, then its slot is let go (so at most
        ``IN_FLIGHT`` feeds are ever past their start and not yet counted)."""
        nonlocal done
        done += 1
        if on_progress is not None:
            on_progress(done, len(feeds))
        slots.release()

    # Without hidden stories, a feed without rules has nothing to release or forget:
    # its items skip the killfile's store calls (two a feed, each waiting for the GIL
    # while the parsing threads hold it). Only a rule hides a story, so this holds
    # from the start of the refresh until a rule hides one.
    hiding = store.any_hidden()
    waiting: list[tuple[Feed, Validators, ParsedFeed]] = []
    waiting_rows = 0
    refreshed: list[tuple[str, str | None, str | None, str | None]] = []

    def flush() -> None:
        """Store the parsed feeds waiting, in one transaction, and let them go."""
        nonlocal waiting_rows
        if not waiting:
            return
        new, updated = store_feeds(store, [parsed for _, _, parsed in waiting])
        report.new += new
        report.updated += updated
        for feed, (etag, last_modified), parsed in waiting:
            keep = own(feed).max_stories
            if keep:
                store.trim_feed(feed.url, keep)
                store.trim_hidden(feed.url, keep)
            refreshed.append((feed.url, parsed.title, etag, last_modified))
            finished()
        waiting.clear()
        waiting_rows = 0
        # Recorded as they are stored: an interrupted refresh keeps the ETags of the
        # feeds it finished, and the next one gets 304 for them.
        store.record_refreshes(refreshed)
        refreshed.clear()

    def own(feed: Feed) -> FeedSettings:
        return settings(feed.url) if settings is not None else FeedSettings()

    def store_result(feed: Feed, fetched: Validators, parsed: ParsedFeed | Failed) -> None:
        nonlocal waiting_rows, hiding
        if isinstance(parsed, Failed):
            _fail(store, report, feed.url, parsed.reason, on_failure)
            finished()
            return
        if hiding or feed_rules(feed, own(feed).ignore):
            hidden, dropped = apply_ignore(store, feed, parsed, own(feed).ignore)
            hiding = hiding or hidden > 0
            report.hidden += hidden
            report.dropped += dropped
        if own(feed).fetch_full_page:
            full_pages(store, parsed, FetchPolicy.named_by_user(feed.url))
        waiting.append((feed, fetched, parsed))
        waiting_rows += len(parsed.rows)
        if waiting_rows >= STORE_BATCH:
            flush()

    pool = _Parsers(processes and len(feeds) >= 4 and (os.cpu_count() or 1) > 1, workers)
    if pool.wanted:
        cold = any(never_fetched(f) for f in feeds)
        if threading.active_count() == 1:
            # One thread: the workers fork now, before the fetching threads, in
            # milliseconds; later they would need the fork server. A warm refresh
            # parses the few changed feeds in its threads.
            if cold:
                pool.start()
            else:
                pool.wanted = False
        elif fork_only:
            pool.wanted = False
        elif cold:
            # A feed never fetched will need parsing: start the workers while the
            # network starts, not when the first feed arrives.
            threading.Thread(target=pool.start, daemon=True).start()
    client = http_client(THREADS) if any(not is_local(f.url) for f in feeds) else None

    def parse(feed: Feed, data: bytes) -> ParsedFeed | Failed:
        keep = own(feed).fetch_full_page
        rules = feed_rules(feed, own(feed).ignore)
        return parse_safely(data, feed.url, keep, rules, feed.tags, never_fetched(feed))

    def fetch(feed: Feed) -> tuple[Validators, Parsed]:
        """Fetch a feed and parse it, or hand it straight to a parser process (runs in a
        fetching thread, so parsing never waits for this thread to finish storing).
        The document is let go once parsed: only its rows wait to be stored."""
        while not slots.acquire(timeout=0.1):
            if stopping.is_set():  # the refresh failed or was interrupted: give up
                raise FetchError("refresh stopped")
        fetched = read_feed(client, feed)
        validators = (fetched.etag, fetched.last_modified)
        if fetched.data is None:
            return validators, None
        parsers = pool.get()
        if parsers is not None and pool.has_room():
            try:
                keep = own(feed).fetch_full_page
                rules = feed_rules(feed, own(feed).ignore)
                job = parsers.submit(parse_safely, fetched.data, feed.url, keep, rules, feed.tags,
                                     never_fetched(feed))  # fmt: skip
                pool.queued(job)
                return validators, job
            except RuntimeError:  # the pool broke: parse here instead
                pass
        with parsing_now:
            return validators, parse(feed, fetched.data)

    # Fetches and parses in flight; results are stored as they come, while other feeds
    # are still downloading, so storing overlaps the network.
    fetching: dict[Future[tuple[Validators, Parsed]], Feed] = {}
    parsing: dict[Future[ParsedFeed | Failed], tuple[Feed, Validators]] = {}

    # Each download and parse, once done, is put here by its own callback: the loop
    # below takes them one at a time, where waiting on every future still running
    # would lock each of them at each turn (the feeds squared, with the GIL held).
    arrived: SimpleQueue[Future[Any]] = SimpleQueue()

    def wait_and_store() -> None:
        """Handle downloads and parses as they finish, until none is left."""
        while fetching or parsing:
            try:
                future = arrived.get_nowait()
            except Empty:
                # Nothing to do but wait: store what is waiting now, so that little
                # is left to store when the last feed arrives.
                if waiting_rows >= STORE_BATCH // 4:
                    flush()
                try:
                    future = arrived.get(timeout=IDLE_S)
                except Empty:  # quiet for a while: store the rest, free its slots
                    flush()
                    continue
            if future in parsing:
                feed, validators = parsing.pop(future)
                try:
                    result = future.result()
                except Exception as exc:  # a worker that died (BrokenProcessPool): logged
                    _log.warning("parsing %s failed in its worker", feed.url, exc_info=True)
                    result = Failed(f"{type(exc).__name__}: {exc}")
                store_result(feed, validators, result)
                continue
            feed = fetching.pop(future)
            try:
                validators, parsed = future.result()
            except FetchError as exc:  # it says why
                _fail(store, report, feed.url, str(exc), on_failure)
                finished()
                continue
            except Exception as exc:  # anything else is named, and logged
                _log.warning("fetching %s failed unexpectedly", feed.url, exc_info=True)
                _fail(store, report, feed.url, repr(exc), on_failure)
                finished()
                continue
            if parsed is None:
                report.not_modified += 1
                refreshed.append((feed.url, None, *validators))
                finished()
            elif isinstance(parsed, Future):
                parsing[parsed] = (feed, validators)
                parsed.add_done_callback(arrived.put)
            else:
                store_result(feed, validators, parsed)

    try:
        fetchers = ThreadPoolExecutor(min(THREADS, len(feeds)))
        fetching.update({fetchers.submit(fetch, feed): feed for feed in feeds})
        for future in list(fetching):
            future.add_done_callback(arrived.put)
        try:
            wait_and_store()
        except BaseException:  # a store error, Ctrl+C: don't wait for the other feeds,
            stopping.set()  # nor for downloads blocked in a read
            fetchers.shutdown(wait=False, cancel_futures=True)
            raise
        fetchers.shutdown()
        flush()
        store.record_refreshes(refreshed)
    finally:
        pool.shutdown()
        if client is not None:
            client.clear()
    return report


class _Parsers:
    """The pool of parsing processes of one refresh, started when first needed."""

    def __init__(self, wanted: bool, workers: int | None = None) -> None:
        self.wanted = wanted
        """Whether this refresh parses in processes at all."""
        self._workers = workers
        self._lock = threading.Lock()
        self._pool: ProcessPoolExecutor | None = None
        self._closed = False
        self._waiting = 0

    def count(self) -> int:
        """How many worker processes the pool has."""
        from reader.plumbing.workers import default_workers

        return self._workers or default_workers()

    def get(self) -> ProcessPoolExecutor | None:
        """The pool, started now if it was not (None: parse in this process)."""
        if not self.wanted:
            return None
        from reader.plumbing.workers import worker_pool

        with self._lock:
            if self._pool is None and not self._closed:
                # The parser is loaded once, before the workers fork.
                preload = ("reader.feeds.parse", "fastfeedparser")
                self._pool = worker_pool(self.count(), preload=preload)
                if self._pool is None:  # this system cannot start one
                    self.wanted = False
            return self._pool

    def has_room(self) -> bool:
        """Whether a feed sent to the pool now would start soon: fewer than
        ``BACKLOG`` jobs wait for each worker (else its fetching thread parses it)."""
        return self._waiting < BACKLOG * self.count()

    def queued(self, job: Future[Any]) -> None:
        """Count ``job`` as waiting for the pool until it is done."""
        with self._lock:
            self._waiting += 1
        job.add_done_callback(self._done)

    def _done(self, _: Future[Any]) -> None:
        with self._lock:
            self._waiting -= 1

    def start(self) -> None:
        """Start the pool and its worker processes (blocks until they are up)."""
        parsers = self.get()
        if parsers is not None:
            _start_workers(parsers, self.count())

    def shutdown(self) -> None:
        """Stop the pool, if it was started; none is started after this."""
        with self._lock:
            self._closed = True
            if self._pool is not None:
                self._pool.shutdown(cancel_futures=True)


def _start_workers(parsers: ProcessPoolExecutor, count: int) -> None:
    """Start the pool's ``count`` worker processes (runs in a thread: starting blocks)."""
    try:
        for future in [parsers.submit(int) for _ in range(count)]:
            future.result()
    except (RuntimeError, CancelledError):  # shut down already (every feed failed fast)
        pass  # nothing to start


def _fail(
    store: Store,
    report: RefreshReport,
    url: str,
    reason: str,
    on_failure: Callable[[str, str], None] | None,
) -> None:
    report.failures.append((url, reason))
    store.record_error(url, reason)
    if on_failure is not None:
        on_failure(url, reason)


def discover(url: str) -> str:
    """The feed URL to subscribe to for ``url`` (which the user named): itself, or the
    feed its page announces.

    An announced feed is the page's word: it must be http(s), and on a private
    address only on the origin of ``url`` (``FetchRefused`` otherwise).
    """
    if is_local(url):
        path = local_path(url)
        parse_feed(read_regular_file(path), str(path))  # NotAFeed when it isn't one
        return str(path.resolve())
    policy = FetchPolicy.named_by_user(url)
    client = http_client(1)
    try:
        fetched = fetch_feed(client, url, policy=policy)
    finally:
        client.clear()
    assert fetched.data is not None
    parsed = parse_feed(fetched.data, fetched.url)
    if parsed.alternate and not parsed.pages:
        policy.check(parsed.alternate)
        return parsed.alternate
    return url
