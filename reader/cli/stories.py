"""The story commands: ingest, list, search, show, the marks, export."""

from __future__ import annotations

import argparse
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path

from reader.base.clean import clean_line, clean_link
from reader.base.config import load_config
from reader.base.models import Snippet, Story
from reader.cli.output import (
    CommandError,
    format_row,
    format_story,
    print_json,
    print_stories,
    write_export,
)
from reader.store import Store, StoryFilter
from reader.store.analysis import ANALYSE_INLINE
from reader.store.health import diagnose

LIST_CACHE_MIB = 4
"""SQLite's page cache for ``reader list`` (see ``cmd_list``)."""

INGEST_LOG_MIB = 64
"""The write-ahead log an ingest lets grow before copying it into the cache
(``Store.checkpoint_every``)."""


def cmd_ingest(args: argparse.Namespace, store: Store) -> int:
    from reader.ingest.pipeline import ingest

    def on_failure(source: str, reason: str) -> None:
        if not args.json:
            print(
                f"reader: {clean_link(source)}: {clean_line(reason)}", file=sys.stderr, flush=True
            )

    from reader.base.errors import IngestAborted, StoringFailed

    stopped: Exception | None = None
    store.checkpoint_every(INGEST_LOG_MIB)
    try:
        report = ingest(store, args.inputs, on_failure)
    except IngestAborted as exc:  # one line says where and why; what was stored stays
        stopped, report = exc, exc.report  # type: ignore[assignment]
        on_failure(exc.source, exc.reason)
    except StoringFailed as exc:  # a full disk, say: the summary still says what was stored
        stopped, report = exc, exc.report  # type: ignore[assignment]
        error = exc.error
        known = diagnose(store.paths, error) if isinstance(error, sqlite3.Error) else None
        print(f"reader: {clean_line(str(known or error))}", file=sys.stderr, flush=True)
        report.failures.append(("the story cache", str(known or error)))
    if args.json:
        print_json(
            {
                "ingested": report.ingested,
                "updated": report.updated,
                "unchanged": report.unchanged,
                "failed": report.failed,
                "skipped": report.skipped,
                "failures": [{"source": s, "reason": r} for s, r in report.failures],
                "stopped": stopped is not None,
            }
        )
    else:
        print(report.summary() + ("; stopped" if stopped else ""))
    return 1 if report.failed else 0


def cmd_list(args: argparse.Namespace, store: Store) -> int:
    grouped = not args.copies and load_config(store.paths.config_file).collapse_copies
    if grouped:
        analyse_some(store)  # copies stored since the last look join their stories
    flt = StoryFilter(
        bookmarked=args.bookmarked,
        unread=args.unread,
        site=args.site,
        tag=args.tag,
        grouped=grouped,
    )
    # A listing walks the date index once: pages it has read are not read again, so a
    # big page cache would only grow with the listing (113 MiB for 1,000,000 stories).
    store.limit_cache(LIST_CACHE_MIB)
    print_stories(
        store.iter_stories(flt, limit=args.limit, with_body=False, with_lists=args.json),
        args.json,
    )
    return 0


def cmd_search(args: argparse.Namespace, store: Store) -> int:
    query = " ".join(args.query)
    grouped = load_config(store.paths.config_file).collapse_copies
    if grouped:
        analyse_some(store)
    store.index_pending()  # all of it: a search alone leaves a long backlog to the app's background
    found = store.search(query, limit=args.limit, with_lists=args.json, grouped=grouped)
    snippets = store.snippets(query, [story.id for story in found])
    if args.json:
        print_json(
            [
                {**story.to_dict(with_body=False), "snippet": snippet.text}
                for story in found
                for snippet in [snippets.get(story.id, Snippet(""))]
            ]
        )
    else:
        for story in found:
            print(format_row(story))
            if snippet := snippets.get(story.id):
                print(f"    {snippet.text}")
    return 0


def analyse_some(store: Store) -> None:
    """Analyse a bounded backlog of new stories (for copies and related stories), and
    say so if more wait."""
    store.analyse_pending(ANALYSE_INLINE)
    left = store.pending_analysis()
    if left:
        print(
            f"reader: {left} stories are not yet checked for copies and related stories"
            " (the app does it in the background; or run: reader index)",
            file=sys.stderr,
        )


def cmd_index(args: argparse.Namespace, store: Store) -> int:
    indexed = store.index_pending()
    analysed = store.analyse_pending()
    if args.json:
        print_json({"indexed": indexed, "analysed": analysed})
    else:
        print(f"indexed {indexed} stories for search, analysed {analysed} for copies and"
              " related stories")  # fmt: skip
    return 0


def cmd_show(args: argparse.Namespace, store: Store) -> int:
    analyse_some(store)
    story = store.get(args.id)
    if args.json:
        print_json(story.to_dict())
    else:
        sys.stdout.write(format_story(story, wrap=sys.stdout.isatty()))  # a pipe: whole lines
    return 0


def cmd_related(args: argparse.Namespace, store: Store) -> int:
    found = store.related(store.resolve_id(args.id), limit=args.limit)
    if args.json:
        print_json([entry._asdict() for entry in found])
    else:
        for entry in found:
            site = f"  ({clean_line(entry.site)})" if entry.site else ""
            print(f"{entry.id}  {entry.score:6.2f}  {clean_line(entry.title)}{site}")
    return 0


def cmd_top(args: argparse.Namespace, store: Store) -> int:
    found = store.top_stories(limit=args.limit)
    if args.json:
        print_json([entry.to_dict() for entry in found])
    else:
        for n, entry in enumerate(found, 1):
            print(f"{n:3}. {entry.id}  {clean_line(entry.title)}")
            print(f"     {entry.why}")
    return 0


def mark_command(action: Callable[[Store, str], Story], message: str) -> Callable[..., int]:
    def command(args: argparse.Namespace, store: Store) -> int:
        story = action(store, args.id)
        if args.json:
            print_json(story.to_dict(with_body=False))
        else:
            print(f"{message} {story.id}  {clean_line(story.title)}")
        return 0

    return command


cmd_bookmark = mark_command(lambda s, i: s.set_bookmark(i, True), "bookmarked")
cmd_unbookmark = mark_command(lambda s, i: s.set_bookmark(i, False), "unbookmarked")
cmd_mark_unread = mark_command(lambda s, i: s.set_read(i, False), "marked unread")


def cmd_mark_read(args: argparse.Namespace, store: Store) -> int:
    if not args.all:
        return mark_command(lambda s, i: s.set_read(i, True), "marked read")(args, store)
    marked = store.mark_all_read(StoryFilter(site=args.site, tag=args.tag))
    if args.json:
        print_json({"marked_read": marked})
    else:
        print(f"marked {marked} stories read")
    return 0


def cmd_export(args: argparse.Namespace, store: Store) -> int:
    flt = StoryFilter(bookmarked=args.bookmarked)
    stories = store.iter_stories(flt, with_body=True, with_lists=True)
    if args.output:
        target = Path(args.output)
        partial = target.with_name(target.name + ".part")
        try:
            with partial.open("w", encoding="utf-8") as out:
                count = write_export(stories, args.format, out)
            partial.replace(target)
        except OSError as exc:
            partial.unlink(missing_ok=True)
            raise CommandError(f"{args.output}: {exc.strerror or exc}") from None
        print(f"exported {count} stories to {args.output}", file=sys.stderr)
    else:
        write_export(stories, args.format, sys.stdout)
    return 0
