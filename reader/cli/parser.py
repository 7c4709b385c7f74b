"""The command line's definition: every command, option and help text.

``reader completion`` and ``reader manpage`` are generated from this parser, so
they always match the commands.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from typing import TypeAlias

from reader import __version__
from reader.cli.completion import SHELLS


def _add_limit(parser: argparse.ArgumentParser, default: int) -> None:
    parser.add_argument(
        "--limit",
        type=_positive_int,
        default=default,
        metavar="N",
        help=f"at most N (default {default})",
    )


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


Commands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"
"""What ``add_subparsers`` gives, to which each command's function adds it."""


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The ``reader`` command's parser; with ``command``, one that knows that command
    only (``command_in``). argparse looks up a translation for each command's parser and
    asks the terminal's size for each option: 5-7 ms for all 19 commands, of a 0.18 s
    warm ``reader refresh``, against 0.4 ms for one. ``reader --help``, completion and
    the man page use the whole parser."""
    parser = argparse.ArgumentParser(
        prog="reader",
        description="Read news in the terminal. With no command, open the reading app.",
    )
    parser.add_argument("--version", action="version", version=f"reader {__version__}")
    parser.add_argument("--home", metavar="DIR", default=None, help=argparse.SUPPRESS)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, add in _COMMANDS.items():
        if command is None or command == name:
            add(commands, name)
    return parser


def command_in(argv: Sequence[str]) -> str | None:
    """The command ``argv`` runs, when that is plain: the first word, after nothing but
    ``--home DIR`` (or ``--home=DIR``); else None (then the whole parser reads it)."""
    words = iter(argv)
    for word in words:
        if word == "--home":
            next(words, None)
        elif not word.startswith("--home="):
            return word if word in _COMMANDS else None
    return None


_MARK_HELP = {
    "bookmark": "bookmark a story (the bookmark keeps its own copy)",
    "unbookmark": "remove a story's bookmark",
    "mark-read": "mark a story read, or every story with --all",
    "mark-unread": "mark a story unread",
}


def _ingest_command(commands: Commands, name: str) -> None:
    ingest = commands.add_parser(
        name,
        help="add saved pages (files, folders, web addresses) to the cache",
        description="Add saved pages to the story cache: text dumps, HTML pages, MHTML "
        "archives and http(s) URLs. Folders are read recursively. Exit status 1 if any "
        "input failed; everything else is stored.",
    )
    ingest.add_argument("inputs", nargs="+", metavar="PATH_OR_URL")
    _add_common(ingest)


def _list_command(commands: Commands, name: str) -> None:
    lister = commands.add_parser(
        name, help="list cached stories, newest first", description="List stories, newest first."
    )
    lister.add_argument("--bookmarked", action="store_true", help="only bookmarked stories")
    lister.add_argument("--unread", action="store_true", help="only unread stories")
    lister.add_argument("--site", metavar="SITE", help="only stories from SITE")
    lister.add_argument("--tag", metavar="TAG", help="only stories from feeds tagged TAG")
    lister.add_argument("--limit", type=_positive_int, metavar="N", help="at most N stories")
    lister.add_argument(
        "--copies",
        action="store_true",
        help="list every site's copy of a story (by default a story is one line, its"
        " fullest copy, with the number of sites that carry it)",
    )
    _add_common(lister)


def _search_command(commands: Commands, name: str) -> None:
    search = commands.add_parser(
        name,
        help="find stories by words in their title or text",
        description="List the stories whose title or text holds every word of QUERY, best "
        "match first, each with a snippet of its text around the match. Words may be "
        'prefixes (harb*) or phrases ("harbour bonds"). Filters: site:NAME (site or link '
        "host contains NAME), tag:NAME, is:unread, is:read, is:bookmarked, before:DATE, "
        "after:DATE (2026-11-30, 2026-11, or back from now: 24h, 7d, 2w); -site:NAME and "
        "the like negate. Filters alone list the "
        "stories passing them, newest first.",
    )
    search.add_argument("query", nargs="*", metavar="QUERY")
    _add_limit(search, 50)
    _add_common(search)


def _show_command(commands: Commands, name: str) -> None:
    show = commands.add_parser(
        name, help="print one story", description="Print a story with its lists."
    )
    show.add_argument("id", metavar="ID", help="a story id, or a unique prefix of one")
    _add_common(show)


def _related_command(commands: Commands, name: str) -> None:
    related = commands.add_parser(
        name,
        help="list the stories related to one",
        description="List the cached stories closest to a story by its title and text "
        "(a tf-idf cosine over their most telling words), best first; copies of the story "
        "on other sites are left out.",
    )
    related.add_argument("id", metavar="ID", help="a story id, or a unique prefix of one")
    _add_limit(related, 10)
    _add_common(related)


def _index_command(commands: Commands, name: str) -> None:
    index = commands.add_parser(
        name,
        help="bring search and the copies/related analysis up to date",
        description="Index new stories for search and analyse them for copies and related "
        "stories now. Both are left out of ingest and refresh to keep them fast; the app "
        "does them in the background, and the other commands take in a few thousand "
        "before they answer.",
    )
    _add_common(index)


def _top_command(commands: Commands, name: str) -> None:
    top = commands.add_parser(
        name,
        help="list the top stories across the cache, and why",
        description="List the top stories among the newest 2,000: one entry per story "
        "however many sites carry it, weighed by the number of sites, the ranking lists "
        "that name it, reactions and age.",
    )
    _add_limit(top, 30)
    _add_common(top)


def _mark_command(commands: Commands, name: str) -> None:
    text = _MARK_HELP[name]
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


def _export_command(commands: Commands, name: str) -> None:
    export = commands.add_parser(
        name,
        help="export stories with their bodies",
        description="Export stories with bodies as JSON, JSON Lines or a Markdown reading list.",
    )
    export.add_argument("--format", choices=("json", "jsonl", "md"), default="json")
    export.add_argument("--bookmarked", action="store_true", help="only bookmarked stories")
    export.add_argument(
        "-o", "--output", metavar="FILE", help="write to FILE instead of standard output"
    )
    _add_common(export, json_flag=False)


def _feed_command(commands: Commands, name: str) -> None:
    feed = commands.add_parser(
        name, help="manage feed subscriptions", description="Manage feed subscriptions."
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


def _import_command(commands: Commands, name: str) -> None:
    importer = commands.add_parser(
        name,
        help="bring feeds, their items, read state and flags from newsboat",
        description="Import newsboat's urls file (tags, ~titles, ! hidden feeds), the items "
        "of its cache.db as stories (with their read state and flags) and the validators "
        "that make the first refresh conditional, in one transaction. Importing again adds "
        "only what is new. exec: and filter: lines are skipped: no command from an imported "
        "file is run.",
    )
    importer.add_argument("source", choices=("newsboat",), help="the reader to import from")
    importer.add_argument(
        "--dir", metavar="DIR", help="newsboat's folder (default: ~/.newsboat, else the XDG paths)"
    )
    importer.add_argument(
        "--flag-as-bookmark",
        metavar="LETTER",
        help="bookmark the stories newsboat flagged with LETTER",
    )
    _add_common(importer)


def _refresh_command(commands: Commands, name: str) -> None:
    refresh = commands.add_parser(
        name,
        help="fetch new stories from feeds",
        description="Fetch every feed (or the ones named) concurrently, with conditional "
        "GET. Exit status 1 if any feed failed; the others are stored.",
    )
    refresh.add_argument("feeds", nargs="*", metavar="FEED", help="feed URLs or ids")
    _add_common(refresh)


def _sync_command(commands: Commands, name: str) -> None:
    sync = commands.add_parser(
        name,
        help="sync with your feed server (Google Reader or Fever API)",
        description="Pull subscriptions, new entries and read and starred marks from the "
        "server named in config.toml's [sync]; push the read marks and bookmarks made here "
        "since the last sync. Exit status 1, with the reason, if the sync failed.",
    )
    _add_common(sync)


def _repair_command(commands: Commands, name: str) -> None:
    repair = commands.add_parser(
        name,
        help="set a damaged story cache aside and start a new one",
        description="Check both databases; set a damaged story cache aside (renamed, not "
        "deleted) and start a new one. Bookmarks, read marks and feeds are kept in the user "
        "database and stay; 'reader refresh' and 'reader ingest' fill the new cache.",
    )
    _add_common(repair)


def _completion_command(commands: Commands, name: str) -> None:
    completion = commands.add_parser(
        name,
        help="print the shell completion script for bash, zsh or fish",
        description="Print the completion script for bash, zsh or fish; the README says where "
        "to put it.",
    )
    completion.add_argument("shell", choices=SHELLS, help="the shell to complete commands in")


def _manpage_command(commands: Commands, name: str) -> None:
    commands.add_parser(
        name, help="print the manual page", description="Print the manual page, in troff."
    )


_COMMANDS: dict[str, Callable[[Commands, str], None]] = {
    "ingest": _ingest_command,
    "list": _list_command,
    "search": _search_command,
    "show": _show_command,
    "related": _related_command,
    "index": _index_command,
    "top": _top_command,
    "bookmark": _mark_command,
    "unbookmark": _mark_command,
    "mark-read": _mark_command,
    "mark-unread": _mark_command,
    "export": _export_command,
    "feed": _feed_command,
    "import": _import_command,
    "refresh": _refresh_command,
    "sync": _sync_command,
    "repair": _repair_command,
    "completion": _completion_command,
    "manpage": _manpage_command,
}
"""Each command, in the order ``reader --help`` lists them, with what adds it."""


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value
