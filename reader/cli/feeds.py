"""The feed commands: ``reader feed ...`` and ``reader refresh``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from reader.base.clean import clean_line, clean_link, clean_text
from reader.cli.output import CommandError, print_json
from reader.cli.sync import change_subscription, sync_before_refresh
from reader.store import Store


def cmd_feed(args: argparse.Namespace, store: Store) -> int:
    """``reader feed COMMAND``: one of the functions below."""
    return _FEED_COMMANDS[args.feed_command](args, store)


def _feed_add(args: argparse.Namespace, store: Store) -> int:
    from reader.base.config import load_config
    from reader.base.errors import FeedError, FetchError
    from reader.feeds import refresh

    try:
        url = refresh.discover(args.url)
    except (FetchError, FeedError) as exc:
        raise CommandError(f"{args.url}: {exc}") from None
    feed = store.add_feed(url, tags=args.tag)
    settings = load_config(store.paths.config_file).feed_settings
    report = refresh.refresh(store, [feed], settings=settings)
    feed = store.get_feed(url)
    if args.json:
        print_json(feed.to_dict())
    else:
        count = f"{feed.stories} {'story' if feed.stories == 1 else 'stories'}"
        name = clean_line(feed.title or feed.url)
        print(f"subscribed to {name} ({clean_link(feed.url)}): {count}")
    on_server = None if refresh.is_local(url) else change_subscription(store, url, args.tag, True)
    if report.failures:
        raise CommandError(f"{url}: {report.failures[0][1]}")
    if on_server:
        raise CommandError(on_server)
    return 0


def _feed_list(args: argparse.Namespace, store: Store) -> int:
    feeds = store.list_feeds()
    if args.json:
        print_json([f.to_dict() for f in feeds])
        return 0
    for f in feeds:
        state = f"error: {f.last_error}" if f.last_error else (f.last_refresh or "never")
        title, url = clean_line(f.title or "(untitled)"), clean_link(f.url)
        print(f"{f.id:4d}  {f.unread:4d}/{f.stories:<5d} {title}  {url}  [{clean_line(state)}]")
    return 0


def _feed_remove(args: argparse.Namespace, store: Store) -> int:
    feed, purged = store.remove_feed(args.feed, purge=args.purge)
    if args.json:
        print_json({"removed": feed.to_dict(), "purged": purged})
    else:
        kept = f"deleted {purged} stories" if args.purge else f"kept its {feed.stories} stories"
        print(f"unsubscribed from {clean_line(feed.title or feed.url)}; {kept}")
    on_server = change_subscription(store, feed.url, [], False)
    if on_server:
        raise CommandError(on_server)
    return 0


def _feed_tag(args: argparse.Namespace, store: Store) -> int:
    if args.remove:
        feed = store.tag_feed(args.feed, remove=args.tags)
    else:
        feed = store.tag_feed(args.feed, add=args.tags)
    if args.json:
        print_json(feed.to_dict() | {"tags": feed.tags})
    else:
        tags = clean_line(", ".join(feed.tags)) or "no tags"
        print(f"{clean_line(feed.title or feed.url)}: {tags}")
    return 0


def _feed_import(args: argparse.Namespace, store: Store) -> int:
    from reader.feeds import opml

    try:
        text = Path(args.file).read_text(encoding="utf-8", errors="replace")
        entries = opml.read_subscriptions(text)
    except opml.ListError as exc:
        raise CommandError(f"{args.file}: {exc}") from None
    before = {f.url for f in store.list_feeds(counts=False)}
    for url, title, tags in entries:
        store.add_feed(url, title, tags)
    added = len({url for url, _, _ in entries} - before)
    if args.json:
        print_json({"found": len(entries), "added": added})
    else:
        print(f"imported {added} new feeds ({len(entries)} in {args.file}); "
              "run 'reader refresh' to fetch them")  # fmt: skip
    return 0


def _feed_export(args: argparse.Namespace, store: Store) -> int:
    from reader.feeds import opml

    document = clean_text(opml.write_opml(store.list_feeds()))
    if args.output:
        Path(args.output).write_text(document, encoding="utf-8")
    else:
        sys.stdout.write(document)
    return 0


_FEED_COMMANDS: dict[str, Callable[[argparse.Namespace, Store], int]] = {
    "add": _feed_add,
    "list": _feed_list,
    "remove": _feed_remove,
    "tag": _feed_tag,
    "import": _feed_import,
    "export": _feed_export,
}


REFRESH_CACHE_MIB = 8
"""The story cache's page cache during ``reader refresh``, in MiB."""
REFRESH_WORKERS = 1
"""Parsing processes of a cold ``reader refresh`` (its fetching threads parse too)."""


def cmd_refresh(args: argparse.Namespace, store: Store) -> int:
    from reader.base.config import load_config
    from reader.feeds.refresh import due, refresh
    from reader.plumbing.malloc import limit_arenas

    config = load_config(store.paths.config_file)
    for problem in config.problems:
        print(f"reader: {clean_line(problem)}", file=sys.stderr)
    # Named feeds are refreshed now; otherwise each feed waits out its refresh_interval.
    if args.feeds:
        feeds = [store.get_feed(f) for f in args.feeds]
    else:
        feeds = due(store.list_feeds(counts=False), config.feed_settings)
    # With [sync] set up, the server's feeds come by sync; the others are fetched here.
    synced = None if args.feeds else sync_before_refresh(args, store)
    if synced is not None:
        feeds = [feed for feed in feeds if feed.url not in synced.server_feeds]
    show_progress = sys.stderr.isatty() and not args.json

    def progress(done: int, total: int) -> None:
        if show_progress:
            width = 30
            filled = width * done // total
            bar = "█" * filled + "·" * (width - filled)
            print(f"\r{bar} {done}/{total} feeds", end="", file=sys.stderr, flush=True)

    def failure(url: str, reason: str) -> None:
        if not args.json:
            print(("\r\x1b[K" if show_progress else "")
                  + f"reader: {clean_link(url)}: {clean_line(reason)}",
                  file=sys.stderr, flush=True)  # fmt: skip

    try:
        # A cold refresh forks one parsing process (``refresh``: this process runs one
        # thread), which parses beside the fetching threads: both cores parse, and the
        # process tree stays small. A pool from the fork server held 224 MiB for 10,000
        # items, so with a thread still running (a sync's, say) there is no pool at all
        # (``fork_only``).
        # A small page cache and two malloc arenas hold the memory down.
        limit_arenas(2)
        store.limit_cache(REFRESH_CACHE_MIB)
        report = refresh(store, feeds, progress, failure, config.feed_settings,
                         workers=REFRESH_WORKERS, fork_only=True)  # fmt: skip
    finally:
        if show_progress:  # clear the bar, however the refresh ended
            print("\r\x1b[K", end="", file=sys.stderr, flush=True)
    if args.json:
        print_json(
            {
                "feeds": report.feeds,
                "new": report.new,
                "updated": report.updated,
                "not_modified": report.not_modified,
                "ignored": {"hidden": report.hidden, "dropped": report.dropped},
                "failures": [{"url": u, "reason": r} for u, r in report.failures],
                **({"sync": synced.to_dict()} if synced else {}),
            }
        )
    elif feeds or synced is None:
        print(report.summary())
    return 1 if report.failures or (synced and synced.error) else 0
