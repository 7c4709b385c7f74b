"""The command line's parser, whole or for the one command run (reader.cli.parser)."""

from __future__ import annotations

import argparse

import pytest

from reader.cli.completion import walk_parsers
from reader.cli.parser import build_parser, command_in


def _commands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    """Each command's parser by its name (``feed``'s own subcommands not among them)."""
    found = {sub.prog.removeprefix(parser.prog).strip(): sub for sub in walk_parsers(parser)}
    return {name: sub for name, sub in found.items() if name and " " not in name}


@pytest.mark.parametrize(
    ("argv", "command"),
    [
        (["refresh"], "refresh"),
        (["--home", "/h", "list", "--limit", "3"], "list"),
        (["--home=/h", "feed", "add", "u"], "feed"),
        (["--home", "refresh", "list"], "list"),  # "refresh" is --home's folder here
        (["mark-read", "--all"], "mark-read"),
        ([], None),
        (["--help"], None),
        (["--version"], None),
        (["--ho", "/h", "list"], None),  # an abbreviation: the whole parser reads it
        (["lsit"], None),  # a typo: the whole parser says what the commands are
        (["--home"], None),
    ],
)
def test_the_command_run_is_the_first_word_after_home(argv: list[str], command: str | None) -> None:
    assert command_in(argv) == command


ARGVS = [
    ["ingest", "a.html", "https://news.example/x", "--json"],
    ["list", "--limit", "5", "--unread", "--site", "bbc", "--copies"],
    ["--home", "/h", "list", "--bookmarked", "--tag", "news"],
    ["search", "harbour", "site:bbc", "-site:cnn", "--limit", "3", "--json"],
    ["show", "abc123"],
    ["related", "abc123", "--limit", "4"],
    ["index", "--json"],
    ["top", "--limit", "7"],
    ["bookmark", "abc"],
    ["unbookmark", "abc"],
    ["mark-read", "--all", "--site", "bbc", "--tag", "t"],
    ["mark-unread", "abc", "--home", "/h"],
    ["export", "--format", "md", "-o", "out.md", "--bookmarked"],
    ["feed", "add", "https://a.example/feed", "--tag", "x", "--tag", "y"],
    ["feed", "list", "--json"],
    ["feed", "remove", "3", "--purge"],
    ["feed", "tag", "3", "a", "b", "--remove"],
    ["feed", "import", "urls.opml"],
    ["feed", "export", "-o", "f.opml"],
    ["import", "newsboat", "--dir", "d", "--flag-as-bookmark", "s"],
    ["refresh", "https://a.example/feed", "4", "--json"],
    ["sync", "--json"],
    ["repair"],
    ["completion", "fish"],
    ["manpage"],
    ["list", "--limit", "0"],  # a usage error either way
    ["feed", "add"],
]


@pytest.mark.parametrize("argv", ARGVS, ids=" ".join)
def test_a_commands_own_parser_reads_its_words_as_the_whole_parser_does(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    def parsed(parser: argparse.ArgumentParser) -> object:
        try:
            return parser.parse_known_args(argv)
        except SystemExit as exc:  # a usage error: the same message, the same status
            return exc.code, capsys.readouterr().err

    command = command_in(argv)
    assert command is not None
    assert parsed(build_parser(command)) == parsed(build_parser())


def test_each_commands_help_is_the_same_from_its_own_parser() -> None:
    whole = _commands(build_parser())
    assert len(whole) == 19
    for name, parser in whole.items():
        own = _commands(build_parser(name))
        assert list(own) == [name]
        assert own[name].format_help() == parser.format_help()
        assert own[name].format_usage() == parser.format_usage()
