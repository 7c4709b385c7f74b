"""``reader import newsboat``: a newsboat user's feeds, read state and flags."""

from __future__ import annotations

import argparse
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reader.base.clean import clean_line
from reader.cli.output import CommandError, print_json
from reader.store import Store


@dataclass
class ImportSummary:
    """What came over from newsboat and what did not."""

    feeds: int = 0
    hidden: int = 0
    read: int = 0
    bookmarks: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    """``exec``/``filter`` lines by kind."""
    not_carried: list[str] = field(default_factory=list)
    settings: list[str] = field(default_factory=list)
    """The config.toml settings written."""

    def to_dict(self) -> dict[str, Any]:
        """The summary for ``--json``."""
        return {
            "feeds": self.feeds,
            "hidden": self.hidden,
            "read_marks": self.read,
            "bookmarks": self.bookmarks,
            "skipped": self.skipped,
            "settings": self.settings,
            "not_carried_over": self.not_carried,
        }

    def line(self) -> str:
        """The one-line summary."""
        text = (
            f"imported {self.feeds:,} feeds ({self.hidden:,} hidden), {self.read:,} read marks,"
            f" {self.bookmarks:,} bookmarks"
        )
        if self.settings:
            text += f"; config.toml: {', '.join(self.settings)}"
        for kind, count in self.skipped.items():
            text += f"; skipped {count} {kind}: lines (commands are not run from an imported file)"
        if self.not_carried:
            text += "; not carried over: " + ", ".join(self.not_carried)
        return clean_line(text)


def cmd_import(args: argparse.Namespace, store: Store) -> int:
    """``reader import newsboat``: feeds, tags, titles, hidden, read marks, bookmarks."""
    from reader.base.config import save_settings
    from reader.base.models import Page
    from reader.feeds import newsboat
    from reader.store.feeds import ImportedFeed
    from reader.store.rows import prepare

    try:
        where = newsboat.find_dir(Path(args.dir) if args.dir else None, Path.home())
        urls = newsboat.read_urls(where.urls.read_text(encoding="utf-8", errors="replace"))
        cache = newsboat.read_cache(where.cache)
        settings = newsboat.translate_config(
            where.config.read_text(encoding="utf-8", errors="replace")
            if where.config.exists()
            else ""
        )
        config_file = store.paths.config_file
        if config_file.exists():  # a broken config.toml stops the import before it starts
            tomllib.loads(config_file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CommandError(f"cannot read newsboat's files: {exc}") from None
    except newsboat.NewsboatError as exc:
        raise CommandError(str(exc)) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise CommandError(f"{store.paths.config_file}: {exc}; fix it, then import") from None
    summary = ImportSummary()
    validators = {feed.url: feed for feed in cache.feeds}
    feeds = []
    for entry in urls.feeds:
        known = validators.get(entry.url)
        feeds.append(
            ImportedFeed(entry.url, entry.title, entry.tags, entry.hidden,
                         known.etag if known else None, known.last_modified if known else None)
        )  # fmt: skip
    subscribed = {feed.url for feed in feeds}
    read_ids: list[str] = []
    bookmark_ids: list[str] = []
    for item in cache.items:
        if item.feed_url not in subscribed:
            continue
        # The ids their stories have or will have: prepare makes a story's id from its
        # source, whatever cleaning that takes.
        ids = [prepare(source, "", Page("")).id for source in newsboat.item_sources(item)]
        if not item.unread:
            summary.read += 1
            read_ids += ids
        if args.flag_as_bookmark and args.flag_as_bookmark in item.flags:
            bookmark_ids += ids
    _, summary.bookmarks = store.import_feeds(feeds, read_ids, bookmark_ids)
    summary.feeds = len(feeds)
    summary.hidden = sum(feed.hidden for feed in feeds)
    for skipped in urls.skipped:
        if skipped.kind == "query":
            summary.not_carried.append(f"query feed {skipped.line} ({skipped.reason})")
        else:
            summary.skipped[skipped.kind] = summary.skipped.get(skipped.kind, 0) + 1
    if not where.cache.exists():
        summary.not_carried.append(f"read state (no {where.cache})")
    summary.settings = save_settings(config_file, "feeds", settings.feeds)
    summary.settings += save_settings(config_file, "keys", dict(settings.keys))
    summary.not_carried += [f"config {name}" for name in settings.not_carried]
    if args.json:
        print_json(summary.to_dict())
    else:
        print(summary.line())
    return 0
