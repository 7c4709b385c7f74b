"""The ``reader`` command line: parse arguments, call the library, print.

Every command takes ``--home DIR`` (or ``READER_HOME``) and the query commands
take ``--json`` for scripts. Errors are one line on standard error and a non-zero
exit status: 1 for a failure, 2 for a usage mistake.

``parser`` defines the commands, ``stories`` and ``feeds`` run them, ``output``
prints (cleaned); this module opens the home and turns errors into one line.
``reader`` with no command opens the app: the one import of ``reader.app`` from
here, made only then (the layer contract in pyproject.toml names it).
"""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import sqlite3
import sys
from collections.abc import Callable, Sequence

from reader.base.clean import clean_line, clean_link
from reader.base.errors import ReaderError
from reader.base.paths import Paths, resolve_paths
from reader.cli.completion import completion_script, man_page
from reader.cli.output import CommandError
from reader.cli.parser import build_parser, command_in
from reader.store import Store
from reader.store.health import DatabaseDamaged, check, diagnose, set_aside
from reader.store.query import NEGATED_FILTER

__all__ = ["COMMANDS", "build_parser", "command", "entry_point", "main"]


# Commands that only read: with a damaged story cache they still show what the user
# database holds (bookmarks keep their own copies of their stories; feeds live there).
_READING = frozenset({"list", "show", "search", "export", "feed"})


def _run_command(args: argparse.Namespace, paths: Paths) -> int:
    try:
        store = Store(paths, upgrading=_say_upgrading(paths))
    except DatabaseDamaged as exc:
        reading = args.command in _READING and (
            args.command != "feed" or args.feed_command in ("list", "export")
        )
        if not exc.is_cache or not reading:
            raise
        print(f"reader: {clean_line(str(exc))}", file=sys.stderr)
        with Store(paths, without_cache=True) as cacheless:
            status = command(args.command)(args, cacheless)
        needs_cache = args.command != "feed" and not getattr(args, "bookmarked", False)
        return 1 if needs_cache else status
    with store:
        return command(args.command)(args, store)


def _say_upgrading(paths: Paths) -> Callable[[int, int], None]:
    """One line on stderr before migrations rewrite a story cache an older reader made."""

    def say(version: int, current: int) -> None:
        print(f"reader: upgrading the story cache from schema {version} to {current}"
              f" ({clean_link(str(paths.cache_db))}); a big cache takes minutes, once",
              file=sys.stderr, flush=True)  # fmt: skip

    return say


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
        feeds = len(store.list_feeds(counts=False))
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
        Store(
            paths, upgrading=_say_upgrading(paths)
        ).close()  # a damaged cache is said here, with the way out
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


Command = Callable[[argparse.Namespace, Store], int]

COMMANDS: dict[str, str] = {
    "feed": "feeds:cmd_feed",
    "refresh": "feeds:cmd_refresh",
    "import": "imports:cmd_import",
    "sync": "sync:cmd_sync",
    "ingest": "stories:cmd_ingest",
    "list": "stories:cmd_list",
    "search": "stories:cmd_search",
    "show": "stories:cmd_show",
    "related": "stories:cmd_related",
    "top": "stories:cmd_top",
    "index": "stories:cmd_index",
    "bookmark": "stories:cmd_bookmark",
    "unbookmark": "stories:cmd_unbookmark",
    "mark-read": "stories:cmd_mark_read",
    "mark-unread": "stories:cmd_mark_unread",
    "export": "stories:cmd_export",
}
"""Each command's function, as ``module:name`` in ``reader.cli``: only the module of
the command run is imported (a warm ``reader refresh`` needs none of the story
commands' imports, ``reader list`` none of the feeds')."""


def command(name: str) -> Command:
    """The function that runs command ``name``."""
    module, function = COMMANDS[name].split(":")
    found: Command = getattr(importlib.import_module(f"reader.cli.{module}"), function)
    return found


def entry_point() -> int:
    """The ``reader`` command (and ``python -m reader``): ``main``, then the process ends.

    What is still alive is frozen (``gc.freeze``) before the exit, which then skips its
    last collection over every object of the imported modules: 12-16 ms of a 200 ms
    ``reader refresh``. Nothing waits on that collection: each command has closed its
    store and files, and Python never promised to finalize what outlives it.
    """
    code = main()
    gc.freeze()
    return code


def main(argv: Sequence[str] | None = None) -> int:
    """The ``reader`` command's work (``entry_point`` calls it, then the process ends)."""
    given = sys.argv[1:] if argv is None else list(argv)
    plain = command_in(given)
    # Only the command run is defined, save for the two that print the whole parser.
    parser = build_parser(None if plain in ("completion", "manpage") else plain)
    args, extra = parser.parse_known_args(given)
    if args.command == "search":  # -site:bbc is a negated filter of the query, no option
        words = [word for word in extra if NEGATED_FILTER.match(word)]
        args.query = [*args.query, *words]
        extra = [word for word in extra if word not in words]
        if not args.query:
            parser.error("search takes a QUERY")
    if extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
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
    except ReaderError as exc:  # a missing story or feed, a damaged database...: one line
        print(f"reader: {clean_line(str(exc))}", file=sys.stderr)
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
