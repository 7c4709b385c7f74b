"""Shell completion scripts and the man page, both generated from the argparse parser.

``reader completion SHELL`` and ``reader manpage`` print what these functions return.
shtab and argparse-manpage are imported only here, when one of them is asked for, so
every other command starts without them. Both functions work on a copy of the parser.
"""

from __future__ import annotations

import argparse
import copy
from collections.abc import Iterator

from reader import __version__
from reader.base.paths import HOME_ENV

SHELLS = ("bash", "zsh", "fish")

# Arguments that name a file or a folder, by their metavar in reader/cli/parser.py; the
# shells complete paths for them and nothing for the rest (story ids, sites, tags).
FILE_METAVARS = frozenset({"FILE", "PATH_OR_URL", "URL_OR_PATH"})
DIR_METAVARS = frozenset({"DIR"})


def completion_script(parser: argparse.ArgumentParser, shell: str) -> str:
    """The completion script for ``shell`` (one of ``SHELLS``) for every command of ``parser``."""
    import shtab

    parser = copy.deepcopy(parser)
    for sub in walk_parsers(parser):
        for action in sub._actions:
            if action.metavar in FILE_METAVARS:
                action.complete = shtab.FILE  # type: ignore[attr-defined]
            elif action.metavar in DIR_METAVARS:
                action.complete = shtab.DIRECTORY  # type: ignore[attr-defined]
    return shtab.complete(parser, shell)


def man_page(parser: argparse.ArgumentParser) -> str:
    """The manual page (troff, section 1): every command with its arguments and options."""
    from argparse_manpage.manpage import Manpage  # type: ignore[import-untyped]

    parser = copy.deepcopy(parser)
    for sub in walk_parsers(parser):
        for group in sub._action_groups:  # "positional arguments" would head the command list
            if any(isinstance(a, argparse._SubParsersAction) for a in group._group_actions):
                group.title = "commands"
    page = Manpage(parser)
    summary = (parser.description or "").split(".")[0]
    page.description = summary[:1].lower() + summary[1:]
    page.source = f"{parser.prog} {__version__}"
    page.manual = "User Commands"
    page.add_section(
        "environment",
        ">",
        f".TP\n.B {HOME_ENV}\nkeep cache, data and config under this folder; "
        r"\fB\-\-home\fR overrides it.",
    )
    return str(page)


def walk_parsers(parser: argparse.ArgumentParser) -> Iterator[argparse.ArgumentParser]:
    """``parser`` and, depth first, every subcommand's parser (each once, aliases or not)."""
    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in dict.fromkeys(action.choices.values()):
                yield from walk_parsers(sub)
