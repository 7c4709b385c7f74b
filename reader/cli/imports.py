"""``reader import newsboat``: a newsboat user's feeds, read state and flags."""

from __future__ import annotations

import argparse
import tomllib
from collections.abc import Iterator
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
    stories: int = 0
    """Items stored as new stories."""
    items_present: int = 0
    """Items whose story was stored already (a refresh, an earlier import)."""
    items_skipped: dict[str, int] = field(default_factory=dict)
    """Items left out, by reason."""
    trimmed: int = 0
    """Stories over a feed's ``max_stories``, deleted as a refresh deletes them."""
    skipped: dict[str, int] = field(default_factory=dict)
    """``exec``/``filter`` lines by kind."""
    not_carried: list[str] = field(default_factory=list)
    settings: list[str] = field(default_factory=list)
    """The config.toml settings written."""
    rules: int = 0
    """``[[ignore]]`` rules written (from ``ignore-article``)."""
    queries: list[str] = field(default_factory=list)
    """The titles of the ``[[query]]`` tables written (from ``query:`` lines)."""

    def to_dict(self) -> dict[str, Any]:
        """The summary for ``--json``."""
        return {
            "feeds": self.feeds,
            "hidden": self.hidden,
            "read_marks": self.read,
            "bookmarks": self.bookmarks,
            "items": {
                "imported": self.stories,
                "already_stored": self.items_present,
                "skipped": sum(self.items_skipped.values()),
                "skipped_by_reason": self.items_skipped,
                "trimmed": self.trimmed,
            },
            "skipped": self.skipped,
            "settings": self.settings,
            "ignore_rules": self.rules,
            "queries": self.queries,
            "not_carried_over": self.not_carried,
        }

    def line(self) -> str:
        """The one-line summary."""
        text = (
            f"imported {self.feeds:,} feeds ({self.hidden:,} hidden), {self.read:,} read marks,"
            f" {self.bookmarks:,} bookmarks, {self.stories:,} stories"
        )
        if self.items_present:
            text += f" ({self.items_present:,} stored already)"
        if self.trimmed:
            text += f", {self.trimmed:,} over max_stories deleted"
        if self.items_skipped:
            reasons = ", ".join(f"{n:,} {why}" for why, n in self.items_skipped.items())
            text += f"; items skipped: {reasons}"
        written = [
            "the newsboat key preset" if name == "preset" else name for name in self.settings
        ]
        if self.rules:
            written.append(f"{self.rules} [[ignore]] rule{'' if self.rules == 1 else 's'}")
        written += [f"[[query]] {title}" for title in self.queries]
        if written:
            text += f"; config.toml: {', '.join(written)}"
        for kind, count in self.skipped.items():
            text += f"; skipped {count} {kind}: lines (commands are not run from an imported file)"
        if self.not_carried:
            text += "; not carried over: " + ", ".join(self.not_carried)
        return clean_line(text)


def cmd_import(args: argparse.Namespace, store: Store) -> int:
    """``reader import newsboat``: feeds, tags, titles, hidden, read marks, bookmarks."""
    from reader.base.config import (
        add_tables,
        first_match,
        load_config,
        read_ignore_rules,
        save_settings,
        set_top_level,
    )
    from reader.base.models import Page
    from reader.feeds import newsboat
    from reader.feeds.refresh import ignore_fields
    from reader.store.feeds import ImportedFeed, ImportedItem
    from reader.store.rows import StoryRow, prepare

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
        existing: dict[str, Any] = {}
        if config_file.exists():  # a broken config.toml stops the import before it starts
            existing = tomllib.loads(config_file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CommandError(f"cannot read newsboat's files: {exc}") from None
    except newsboat.NewsboatError as exc:
        raise CommandError(str(exc)) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise CommandError(f"{store.paths.config_file}: {exc}; fix it, then import") from None
    summary = ImportSummary()
    # The killfile as it will be (config.toml's rules and newsboat's): newsboat's items
    # that a rule ignores are hidden or left out, as a refresh would do.
    problems: list[str] = []
    rules = load_config(config_file).ignore
    rules += read_ignore_rules(list(settings.ignore), f"{where.config}", problems)
    tags = {entry.url: entry.tags for entry in urls.feeds}
    hidden: list[tuple[StoryRow, str]] = []
    validators = {feed.url: feed for feed in cache.feeds}
    feeds = []
    for entry in urls.feeds:
        known = validators.get(entry.url)
        feeds.append(
            ImportedFeed(entry.url, entry.title, entry.tags, entry.hidden,
                         known.etag if known else None, known.last_modified if known else None,
                         clean_line(known.title or "") or None if known else None)
        )  # fmt: skip
    subscribed = {feed.url for feed in feeds}
    converter = newsboat.ItemRows(cache, subscribed)
    flag = args.flag_as_bookmark

    def items() -> Iterator[ImportedItem]:
        """newsboat's items as they are read, each a story row (or None) with its marks."""
        for item in newsboat.iter_items(where.cache):
            row = converter.row(item)
            if item.feed_url not in subscribed:
                continue
            # The imported story's id (a refresh gives it the same); for an item left
            # out, the ids a story reader fetches itself may have (its link, its guid).
            ids = (row.id,) if row is not None else tuple(
                prepare(source, "", Page("")).id for source in newsboat.item_sources(item)
            )  # fmt: skip
            if row is not None and rules:
                feed_tags = tags.get(item.feed_url, ())
                own = [r for r in rules if r.applies_to(item.feed_url, feed_tags)]
                rule = first_match(own, ignore_fields(row, feed_tags)) if own else None
                if rule is not None:
                    if rule.action == "hide":
                        hidden.append((row, rule.key))
                    converter.skip(f"{'hidden' if rule.action == 'hide' else 'dropped'}"
                                   " by an [[ignore]] rule")  # fmt: skip
                    row = None
            summary.read += not item.unread
            yield ImportedItem(row, ids, not item.unread, bool(flag) and flag in item.flags)

    try:
        counts = store.import_feeds(feeds, items())
    except newsboat.NewsboatError as exc:  # cache.db failed part way: nothing is stored
        raise CommandError(str(exc)) from None
    store.hide_rows(hidden)
    summary.bookmarks, summary.stories = counts.bookmarks, counts.stories
    summary.items_present = counts.stored_already
    summary.items_skipped = converter.skipped
    summary.feeds = len(feeds)
    summary.hidden = sum(feed.hidden for feed in feeds)
    queries = []
    for skipped in urls.skipped:
        if skipped.kind == "query":
            try:
                queries.append(newsboat.query_feed(skipped.line))
            except newsboat.Untranslatable as exc:
                summary.not_carried.append(f"query feed {skipped.line} ({exc})")
        else:
            summary.skipped[skipped.kind] = summary.skipped.get(skipped.kind, 0) + 1
    if not where.cache.exists():
        summary.not_carried.append(f"read state (no {where.cache})")
    summary.settings = save_settings(config_file, "feeds", settings.feeds)
    if isinstance(existing.get("keys"), str):  # keys = "...": a preset the user chose
        summary.not_carried += [f"config bind-key for {name}" for name in settings.keys]
    else:  # newsboat's keys come along: its preset, then its own bindings (the user's stay)
        keys: dict[str, int | bool | str] = {"preset": "newsboat", **settings.keys}
        summary.settings += save_settings(config_file, "keys", keys)
    if settings.browser and set_top_level(config_file, "browser", settings.browser):
        summary.settings.append("browser")
    summary.rules = len(add_tables(config_file, "ignore", settings.ignore))
    added = add_tables(config_file, "query", queries, same="title")
    summary.queries = [query["title"] for query in added]
    # As a refresh does after storing: a feed keeps its newest max_stories.
    feed_settings = load_config(config_file).feed_settings
    for feed in feeds:
        keep = feed_settings(feed.url).max_stories
        if keep and summary.stories:
            summary.trimmed += store.trim_feed(feed.url, keep)
    summary.not_carried += [f"config {name}" for name in settings.not_carried]
    summary.not_carried += problems  # a translated rule reader cannot use (none known)
    if args.json:
        print_json(summary.to_dict())
    else:
        print(summary.line())
    return 0
