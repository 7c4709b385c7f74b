"""The ``reader`` command line: parse arguments, call the library, print.

Every command takes ``--home DIR`` (or ``READER_HOME``) and the query commands
take ``--json`` for scripts. Errors are one line on standard error and a non-zero
exit status: 1 for a failure, 2 for a usage mistake.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import IO, Any

from reader import __version__
from reader.completion import SHELLS, completion_script, man_page
from reader.ingest.clean import clean_line, clean_link, clean_text
from reader.models import LIST_KINDS, Story
from reader.paths import Paths, resolve_paths
from reader.store import Store, StoryFilter, StoryNotFound
from reader.store.health import DatabaseDamaged, StoreError, check, diagnose, set_aside


class CommandError(Exception):
    """A failure to report as one line and exit 1."""


def _add_common(parser: argparse.ArgumentParser, json_flag: bool = True) -> None:
    parser.add_argument(
        "--home",
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="keep cache, data and config under DIR (default: $READER_HOME, else the "
        "platform's user folders)",
    )
    if json_flag:
        parser.add_argument("--json", action="store_true", help="print JSON for scripts")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="reader",
        description="Read news in the terminal. With no command, open the reading app.",
    )
    parser.add_argument("--version", action="version", version=f"reader {__version__}")
    parser.add_argument("--home", metavar="DIR", default=None, help=argparse.SUPPRESS)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    ingest = commands.add_parser(
        "ingest",
        help="add saved pages (files, folders, web addresses) to the cache",
        description="Add saved pages to the story cache: text dumps, HTML pages, MHTML "
        "archives and http(s) URLs. Folders are read recursively. Exit status 1 if any "
        "input failed; everything else is stored.",
    )
    ingest.add_argument("inputs", nargs="+", metavar="PATH_OR_URL")
    _add_common(ingest)

    lister = commands.add_parser(
        "list", help="list cached stories, newest first", description="List stories, newest first."
    )
    lister.add_argument("--bookmarked", action="store_true", help="only bookmarked stories")
    lister.add_argument("--unread", action="store_true", help="only unread stories")
    lister.add_argument("--site", metavar="SITE", help="only stories from SITE")
    lister.add_argument("--tag", metavar="TAG", help="only stories from feeds tagged TAG")
    lister.add_argument("--limit", type=_positive_int, metavar="N", help="at most N stories")
    _add_common(lister)

    search = commands.add_parser(
        "search",
        help="find stories by words in their title or text",
        description="List the stories whose title or text holds every word of QUERY, best "
        "match first.",
    )
    search.add_argument("query", nargs="+", metavar="QUERY")
    search.add_argument(
        "--limit", type=_positive_int, default=50, metavar="N", help="at most N (default 50)"
    )
    _add_common(search)

    show = commands.add_parser(
        "show", help="print one story", description="Print a story with its lists."
    )
    show.add_argument("id", metavar="ID", help="a story id, or a unique prefix of one")
    _add_common(show)

    for name, text in (
        ("bookmark", "bookmark a story (the bookmark keeps its own copy)"),
        ("unbookmark", "remove a story's bookmark"),
        ("mark-read", "mark a story read, or every story with --all"),
        ("mark-unread", "mark a story unread"),
    ):
        sub = commands.add_parser(name, help=text, description=text[0].upper() + text[1:] + ".")
        if name == "mark-read":
            sub.add_argument(
                "id", nargs="?", metavar="ID", help="a story id, or a unique prefix of one"
            )
            sub.add_argument("--all", action="store_true", help="every story instead (or --site)")
            sub.add_argument("--site", metavar="SITE", help="with --all: only SITE's stories")
            sub.add_argument("--tag", metavar="TAG", help="with --all: only feeds tagged TAG")
        else:
            sub.add_argument("id", metavar="ID", help="a story id, or a unique prefix of one")
        _add_common(sub)

    export = commands.add_parser(
        "export",
        help="export stories with their bodies",
        description="Export stories with bodies as JSON, JSON Lines or a Markdown reading list.",
    )
    export.add_argument("--format", choices=("json", "jsonl", "md"), default="json")
    export.add_argument("--bookmarked", action="store_true", help="only bookmarked stories")
    export.add_argument(
        "-o", "--output", metavar="FILE", help="write to FILE instead of standard output"
    )
    _add_common(export, json_flag=False)

    feed = commands.add_parser(
        "feed", help="manage feed subscriptions", description="Manage feed subscriptions."
    )
    feed_commands = feed.add_subparsers(dest="feed_command", metavar="FEED_COMMAND")
    feed_commands.required = True
    add = feed_commands.add_parser(
        "add",
        help="subscribe to a feed (RSS, Atom, JSON Feed, a site's page, or a local file)",
        description="Subscribe to a feed and fetch it. A site's page URL subscribes to the "
        "feed it announces; a path or file:// URL to a local feed file works too.",
    )
    add.add_argument("url", metavar="URL_OR_PATH")
    add.add_argument("--tag", action="append", default=[], help="tag the feed (repeatable)")
    _add_common(add)
    feed_list = feed_commands.add_parser("list", help="list subscriptions")
    _add_common(feed_list)
    remove = feed_commands.add_parser(
        "remove", help="unsubscribe (its stories stay unless --purge)"
    )
    remove.add_argument("feed", metavar="URL_OR_ID")
    remove.add_argument("--purge", action="store_true", help="also delete the feed's stories")
    _add_common(remove)
    tag = feed_commands.add_parser(
        "tag",
        help="tag a subscription (or untag it with --remove)",
        description="Add tags to a subscription, or with --remove take them off.",
    )
    tag.add_argument("feed", metavar="URL_OR_ID")
    tag.add_argument("tags", nargs="+", metavar="TAG")
    tag.add_argument("--remove", action="store_true", help="take these tags off instead")
    _add_common(tag)
    feed_import = feed_commands.add_parser(
        "import", help="subscribe to the feeds in an OPML file or newsboat's urls file"
    )
    feed_import.add_argument("file", metavar="FILE")
    _add_common(feed_import)
    feed_export = feed_commands.add_parser("export", help="write subscriptions as OPML")
    feed_export.add_argument("-o", "--output", metavar="FILE", help="write to FILE")
    _add_common(feed_export, json_flag=False)

    refresh = commands.add_parser(
        "refresh",
        help="fetch new stories from feeds",
        description="Fetch every feed (or the ones named) concurrently, with conditional "
        "GET. Exit status 1 if any feed failed; the others are stored.",
    )
    refresh.add_argument("feeds", nargs="*", metavar="FEED", help="feed URLs or ids")
    _add_common(refresh)

    repair = commands.add_parser(
        "repair",
        help="set a damaged story cache aside and start a new one",
        description="Check both databases; set a damaged story cache aside (renamed, not "
        "deleted) and start a new one. Bookmarks, read marks and feeds are kept in the user "
        "database and stay; 'reader refresh' and 'reader ingest' fill the new cache.",
    )
    _add_common(repair)

    completion = commands.add_parser(
        "completion",
        help="print the shell completion script for bash, zsh or fish",
        description="Print the completion script for bash, zsh or fish; the README says where "
        "to put it.",
    )
    completion.add_argument("shell", choices=SHELLS, help="the shell to complete commands in")
    commands.add_parser(
        "manpage", help="print the manual page", description="Print the manual page, in troff."
    )
    return parser


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _print_json(data: Any, indent: int | None = 2) -> None:
    json.dump(safe(data), sys.stdout, ensure_ascii=False, indent=indent)
    sys.stdout.write("\n")


def safe(data: Any) -> Any:
    """``data`` for JSON output, every string in it cleaned as for the terminal."""
    if isinstance(data, str):
        return clean_text(data)
    if isinstance(data, dict):
        return {key: safe(value) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return [safe(value) for value in data]
    return data


# -- commands ---------------------------------------------------------------------------


def cmd_ingest(args: argparse.Namespace, store: Store) -> int:
    from reader.ingest.pipeline import ingest

    def on_failure(source: str, reason: str) -> None:
        if not args.json:
            print(
                f"reader: {clean_link(source)}: {clean_line(reason)}", file=sys.stderr, flush=True
            )

    from reader.ingest.errors import IngestAborted, StoringFailed

    stopped: Exception | None = None
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
        _print_json(
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
    flt = StoryFilter(bookmarked=args.bookmarked, unread=args.unread, site=args.site, tag=args.tag)
    _print_stories(
        store.iter_stories(flt, limit=args.limit, with_body=False, with_lists=args.json),
        args.json,
    )
    return 0


def cmd_search(args: argparse.Namespace, store: Store) -> int:
    found = store.search(" ".join(args.query), limit=args.limit, with_lists=args.json)
    _print_stories(found, args.json)
    return 0


def _print_stories(stories: Iterable[Story], as_json: bool) -> None:
    """A line a story, or a JSON list of them (without bodies)."""
    if as_json:
        _print_json([story.to_dict(with_body=False) for story in stories])
    else:
        for story in stories:
            print(format_row(story))


def format_row(story: Story) -> str:
    """One line of ``reader list``: id, date, unread/bookmark marks, site, title."""
    date = clean_line(story.published or "")[:10].ljust(10)
    marks = ("•" if not story.read else " ") + ("★" if story.bookmarked else " ")
    site = clean_line(story.site or "")[:22].ljust(22)
    return f"{story.id}  {date}  {marks}  {site}  {clean_line(story.title)}"


def cmd_show(args: argparse.Namespace, store: Store) -> int:
    story = store.get(args.id)
    if args.json:
        _print_json(story.to_dict())
    else:
        sys.stdout.write(format_story(story))
    return 0


def format_story(story: Story) -> str:
    """A story as readable text: header, body, then its headline lists."""
    meta = [clean_line(part) for part in (story.site, " > ".join(story.section)) if part]
    if story.published:
        meta.append(clean_line(story.published.replace("T", " ")))
    if story.author:
        meta.append(f"by {clean_line(story.author)}")
    if story.reactions is not None:
        meta.append(f"{story.reactions} reactions")
    flags = ["bookmarked" if story.bookmarked else "", "read" if story.read else "unread"]
    title = clean_line(story.title)
    lines = [title, " · ".join(meta)] if meta else [title]
    link = clean_link(story.url or story.source)
    lines.append(" · ".join(filter(None, [f"id {story.id}", *flags, link])))
    lines += ["", clean_text(story.body or ""), ""]
    for kind, heading in zip(LIST_KINDS, ("Related", "Ranking", "Recommended"), strict=True):
        headlines = getattr(story, kind)
        if headlines:
            lines.append(heading)
            for h in headlines:
                where = f"  [{h.article_id}]" if h.article_id else "  (not cached)"
                lines.append(f"  - {clean_line(h.title)}{where}")
            lines.append("")
    return "\n".join(lines)


def _mark(action: Callable[[Store, str], Story], message: str) -> Callable[..., int]:
    def command(args: argparse.Namespace, store: Store) -> int:
        story = action(store, args.id)
        if args.json:
            _print_json(story.to_dict(with_body=False))
        else:
            print(f"{message} {story.id}  {clean_line(story.title)}")
        return 0

    return command


def cmd_mark_read(args: argparse.Namespace, store: Store) -> int:
    if not args.all:
        return _mark(lambda s, i: s.set_read(i, True), "marked read")(args, store)
    marked = store.mark_all_read(StoryFilter(site=args.site, tag=args.tag))
    if args.json:
        _print_json({"marked_read": marked})
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


def write_export(stories: Any, fmt: str, out: IO[str]) -> int:
    """Write stories as ``json``, ``jsonl`` or ``md``; return how many were written."""
    count = 0
    if fmt == "json":
        out.write("[")
        for story in stories:
            out.write(",\n" if count else "\n")
            out.write(json.dumps(safe(story.to_dict()), ensure_ascii=False))
            count += 1
        out.write("\n]\n" if count else "]\n")
    elif fmt == "jsonl":
        for story in stories:
            out.write(json.dumps(safe(story.to_dict()), ensure_ascii=False) + "\n")
            count += 1
    else:
        out.write("# Reading list\n")
        for story in stories:
            out.write("\n" + export_markdown(story))
            count += 1
    return count


def export_markdown(story: Story) -> str:
    """One story of the Markdown reading list."""
    meta = [clean_line(part) for part in (story.site, (story.published or "")[:10]) if part]
    if story.bookmarked:
        meta.append("bookmarked")
    lines = [f"## {clean_line(story.title)}", ""]
    if meta:
        lines += [f"*{' · '.join(meta)}*", ""]
    lines += [f"Source: <{clean_link(story.url or story.source)}>", ""]
    if story.body:
        lines += [clean_text(story.body), ""]
    related = [clean_line(h.title) for h in story.related]
    if related:
        lines += ["Related: " + "; ".join(related), ""]
    lines.append("---")
    return "\n".join(lines) + "\n"


# Commands that only read: with a damaged story cache they still show what the user
# database holds (bookmarks keep their own copies of their stories; feeds live there).
_READING = frozenset({"list", "show", "search", "export", "feed"})


def _run_command(args: argparse.Namespace, paths: Paths) -> int:
    try:
        store = Store(paths)
    except DatabaseDamaged as exc:
        reading = args.command in _READING and (
            args.command != "feed" or args.feed_command in ("list", "export")
        )
        if not exc.is_cache or not reading:
            raise
        print(f"reader: {clean_line(str(exc))}", file=sys.stderr)
        with Store(paths, without_cache=True) as cacheless:
            status = COMMANDS[args.command](args, cacheless)
        needs_cache = args.command != "feed" and not getattr(args, "bookmarked", False)
        return 1 if needs_cache else status
    with store:
        return COMMANDS[args.command](args, store)


def cmd_repair(paths: Paths) -> int:
    """Set a damaged story cache aside and start a new one (``reader repair``)."""
    user_problem = check(paths.user_db)
    if user_problem is not None:
        raise DatabaseDamaged(paths.user_db, False, user_problem, paths)
    problem = check(paths.cache_db)
    if problem is None:
        print(f"both databases read whole: nothing to repair ({paths.cache_db})")
        return 0
    moved = set_aside(paths.cache_db)
    with Store(paths) as store:
        feeds = len(store.list_feeds())
    print(f"set the damaged story cache aside as {moved} ({clean_line(problem)})")
    print(
        "a new story cache is ready; your bookmarks and read marks are kept. "
        f"'reader refresh' fetches your {feeds} feeds again; 'reader ingest' your saved pages"
    )
    return 0


def run_app(paths: Paths) -> int:
    """Open the reading app (``reader`` with no command)."""
    if not sys.stdout.isatty() or not sys.stdin.isatty():
        raise CommandError("the reading app needs a terminal; see 'reader --help' for commands")
    if not sys.stderr.isatty():  # Textual draws through stderr: redirected, the screen is lost
        print(
            "reader: the reading app draws through stderr; run it without redirecting stderr",
            file=sys.stdout,
        )
        return 1
    paths.ensure()
    try:
        Store(paths).close()  # a damaged cache is said here, with the way out
    except DatabaseDamaged as exc:
        print(f"reader: {clean_line(str(exc))}", file=sys.stderr)
        if not exc.is_cache:
            return 1
        answer = input("Set the damaged cache aside now and open a new one? [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            return 1
        cmd_repair(paths)
    from reader.app import run

    return run(paths)


def cmd_feed(args: argparse.Namespace, store: Store) -> int:
    from reader.feeds import opml, refresh

    command = args.feed_command
    if command == "add":
        from reader.feeds.parse import FeedError
        from reader.ingest.fetch import FetchError

        try:
            url = refresh.discover(args.url)
        except (FetchError, FeedError) as exc:
            raise CommandError(f"{args.url}: {exc}") from None
        feed = store.add_feed(url, tags=args.tag)
        from reader.config import load_config

        settings = load_config(store.paths.config_file).feed_settings
        report = refresh.refresh(store, [feed], settings=settings)
        feed = store.get_feed(url)
        if args.json:
            _print_json(feed.to_dict())
        else:
            count = f"{feed.stories} {'story' if feed.stories == 1 else 'stories'}"
            name = clean_line(feed.title or feed.url)
            print(f"subscribed to {name} ({clean_link(feed.url)}): {count}")
        if report.failures:
            raise CommandError(f"{url}: {report.failures[0][1]}")
        return 0
    if command == "list":
        feeds = store.list_feeds()
        if args.json:
            _print_json([f.to_dict() for f in feeds])
        for f in [] if args.json else feeds:
            state = f"error: {f.last_error}" if f.last_error else (f.last_refresh or "never")
            title, url = clean_line(f.title or "(untitled)"), clean_link(f.url)
            print(f"{f.id:4d}  {f.unread:4d}/{f.stories:<5d} {title}  {url}  [{clean_line(state)}]")
        return 0
    if command == "remove":
        feed, purged = store.remove_feed(args.feed, purge=args.purge)
        if args.json:
            _print_json({"removed": feed.to_dict(), "purged": purged})
        else:
            kept = f"deleted {purged} stories" if args.purge else f"kept its {feed.stories} stories"
            print(f"unsubscribed from {clean_line(feed.title or feed.url)}; {kept}")
        return 0
    if command == "tag":
        if args.remove:
            feed = store.tag_feed(args.feed, remove=args.tags)
        else:
            feed = store.tag_feed(args.feed, add=args.tags)
        if args.json:
            _print_json(feed.to_dict() | {"tags": feed.tags})
        else:
            tags = clean_line(", ".join(feed.tags)) or "no tags"
            print(f"{clean_line(feed.title or feed.url)}: {tags}")
        return 0
    if command == "import":
        try:
            text = Path(args.file).read_text(encoding="utf-8", errors="replace")
            entries = opml.read_subscriptions(text)
        except opml.ListError as exc:
            raise CommandError(f"{args.file}: {exc}") from None
        before = {f.url for f in store.list_feeds()}
        for url, title, tags in entries:
            store.add_feed(url, title, tags)
        added = len({url for url, _, _ in entries} - before)
        if args.json:
            _print_json({"found": len(entries), "added": added})
        else:
            print(f"imported {added} new feeds ({len(entries)} in {args.file}); "
                  "run 'reader refresh' to fetch them")  # fmt: skip
        return 0
    document = clean_text(opml.write_opml(store.list_feeds()))
    if args.output:
        Path(args.output).write_text(document, encoding="utf-8")
    else:
        sys.stdout.write(document)
    return 0


def cmd_refresh(args: argparse.Namespace, store: Store) -> int:
    from reader.config import load_config
    from reader.feeds.refresh import due, refresh

    config = load_config(store.paths.config_file)
    for problem in config.problems:
        print(f"reader: {clean_line(problem)}", file=sys.stderr)
    # Named feeds are refreshed now; otherwise each feed waits out its refresh_interval.
    if args.feeds:
        feeds = [store.get_feed(f) for f in args.feeds]
    else:
        feeds = due(store.list_feeds(), config.feed_settings)
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
        report = refresh(store, feeds, progress, failure, config.feed_settings)
    finally:
        if show_progress:  # clear the bar, however the refresh ended
            print("\r\x1b[K", end="", file=sys.stderr, flush=True)
    if args.json:
        _print_json(
            {
                "feeds": report.feeds,
                "new": report.new,
                "updated": report.updated,
                "not_modified": report.not_modified,
                "failures": [{"url": u, "reason": r} for u, r in report.failures],
            }
        )
    else:
        print(report.summary())
    return 1 if report.failures else 0


COMMANDS: dict[str, Callable[[argparse.Namespace, Store], int]] = {
    "feed": cmd_feed,
    "refresh": cmd_refresh,
    "ingest": cmd_ingest,
    "list": cmd_list,
    "search": cmd_search,
    "show": cmd_show,
    "bookmark": _mark(lambda s, i: s.set_bookmark(i, True), "bookmarked"),
    "unbookmark": _mark(lambda s, i: s.set_bookmark(i, False), "unbookmarked"),
    "mark-read": cmd_mark_read,
    "mark-unread": _mark(lambda s, i: s.set_read(i, False), "marked unread"),
    "export": cmd_export,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``reader`` command."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "mark-read" and (args.id is None) != args.all:
        parser.error("mark-read takes a story ID or --all (with --site SITE to narrow it)")
    if args.command == "mark-read" and (args.site or args.tag) and not args.all:
        parser.error("--site and --tag go with --all")
    paths = resolve_paths(args.home)
    try:
        if args.command is None:
            return run_app(paths)
        if args.command == "completion":  # these two need the parser, not the store
            sys.stdout.write(completion_script(parser, args.shell))
            return 0
        if args.command == "manpage":
            sys.stdout.write(man_page(parser))
            return 0
        if args.command == "repair":
            return cmd_repair(paths)
        return _run_command(args, paths)
    except (CommandError, StoryNotFound, StoreError) as exc:
        print(f"reader: {clean_line(str(exc.args[0]))}", file=sys.stderr)
        return 1
    except sqlite3.DatabaseError as exc:
        known = diagnose(paths, exc)
        if known is not None:
            print(f"reader: {clean_line(str(known))}", file=sys.stderr)
            return 1
        where = clean_link(str(paths.cache_dir.parent))
        print(f"reader: database error under {where}: {clean_line(str(exc))}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # The reader of our output went away (``reader list | head``): not an error.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as exc:
        where = f"{clean_link(str(exc.filename))}: " if exc.filename else ""
        print(f"reader: {where}{clean_line(str(exc.strerror or exc))}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("reader: interrupted", file=sys.stderr)
        # Every write was rolled back or committed on the way here; what is left are
        # download threads blocked in a read, which Python would wait for at exit (up
        # to the 15 s timeout). Worker processes end with this one (they watch it).
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(130)
