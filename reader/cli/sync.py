"""``reader sync``: sync with the feed server named in ``[sync]`` (``reader.sync``)."""

from __future__ import annotations

import argparse
import sys

from reader.base.clean import clean_line
from reader.cli.output import CommandError, print_json
from reader.store import Store


def cmd_sync(args: argparse.Namespace, store: Store) -> int:
    """Pull subscriptions, entries and marks; push the marks made here; print what moved."""
    from reader.sync.config import load_sync_settings
    from reader.sync.engine import sync
    from reader.sync.errors import SyncError
    from reader.sync.state import SyncStateTooNew

    show_progress = sys.stderr.isatty() and not args.json

    def progress(step: str) -> None:
        if show_progress:
            print(f"\r\x1b[Ksync: {step}…", end="", file=sys.stderr, flush=True)

    try:
        settings = load_sync_settings(store.paths.config_file)
        if settings is None:
            raise CommandError(
                f"sync is not set up: add a [sync] table to {store.paths.config_file} "
                "(the README's Sync section says how)"
            )
        for warning in settings.warnings:
            print(f"reader: {clean_line(warning)}", file=sys.stderr)
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
