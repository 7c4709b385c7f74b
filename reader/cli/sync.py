"""``reader sync``, and what sync changes in other commands: ``reader refresh`` syncs
first, ``feed add`` and ``feed remove`` change the server's subscriptions too
(``reader.sync``)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from reader.base.clean import clean_line
from reader.cli.output import CommandError, print_json
from reader.store import Store

if TYPE_CHECKING:
    from reader.sync.config import SyncSettings


def cmd_sync(args: argparse.Namespace, store: Store) -> int:
    """Pull subscriptions, entries and marks; push the marks made here; print what moved."""
    from reader.sync.engine import sync
    from reader.sync.errors import SyncError
    from reader.sync.state import SyncStateTooNew

    show_progress = sys.stderr.isatty() and not args.json

    def progress(step: str) -> None:
        if show_progress:
            print(f"\r\x1b[Ksync: {step}…", end="", file=sys.stderr, flush=True)

    try:
        settings = _settings(store)
        if settings is None:
            raise CommandError(
                f"sync is not set up: add a [sync] table to {store.paths.config_file} "
                "(the README's Sync section says how)"
            )
        try:
            report = sync(store, settings, progress=progress)
        finally:
            if show_progress:
                print("\r\x1b[K", end="", file=sys.stderr, flush=True)
    except (SyncError, SyncStateTooNew) as exc:
        raise CommandError(str(exc)) from None
    if args.json:
        print_json(report.to_dict())
    else:
        print(report.summary())
    return 0


def _settings(store: Store) -> SyncSettings | None:
    """The ``[sync]`` settings (None without a table), its warnings said on stderr."""
    from reader.sync.config import load_sync_settings
    from reader.sync.errors import SyncError

    try:
        settings = load_sync_settings(store.paths.config_file)
    except SyncError as exc:
        raise CommandError(str(exc)) from None
    for warning in settings.warnings if settings else ():
        print(f"reader: {clean_line(warning)}", file=sys.stderr)
    return settings


@dataclass
class Synced:
    """What the sync before a refresh did: the feeds it covers, its report or error."""

    server_feeds: set[str] = field(default_factory=set)
    report: dict[str, Any] | None = None
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return self.report if self.report is not None else {"error": self.error}


def sync_before_refresh(args: argparse.Namespace, store: Store) -> Synced | None:
    """With ``[sync]`` set up, sync (printing its line, or its error on stderr); the
    refresh then fetches only the feeds the server does not have. None without sync."""
    settings = _settings(store)
    if settings is None:
        return None
    from reader.sync.engine import server_feed_urls, sync  # only with [sync] set up
    from reader.sync.errors import SyncError

    synced = Synced()
    try:
        report = sync(store, settings)
        synced.report = report.to_dict()
        if not args.json:
            print(report.summary(), flush=True)
    except SyncError as exc:
        synced.error = str(exc)
        if not args.json:
            print(f"reader: {clean_line(str(exc))}", file=sys.stderr, flush=True)
    synced.server_feeds = server_feed_urls(store, settings)
    return synced


def change_subscription(store: Store, url: str, tags: Sequence[str], add: bool) -> str | None:
    """With ``[sync]`` set up, subscribe the server to ``url`` (in the folder of its first
    tag) or unsubscribe it (``sync.subscriptions.follow_on_server``); its notes on
    stderr, and the line saying why it failed, or None (done, or no sync)."""
    from reader.sync.errors import SyncError
    from reader.sync.subscriptions import follow_on_server

    try:
        done = follow_on_server(store, url, tags, add)
    except SyncError as exc:
        raise CommandError(str(exc)) from None
    for note in done.notes:
        print(f"reader: {note}", file=sys.stderr)
    return done.problem
