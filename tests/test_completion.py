"""``reader completion SHELL`` and ``reader manpage``, run through the real entry point.

The bash script is sourced in a real bash and its completion function called as bash
calls it on Tab; the fish script is asked with ``complete -C``; zsh checks the syntax
and registers the script from ``$fpath`` as the README says. The man page is rendered
by groff and man. What is expected comes from ``build_parser()``, so a command added
there and missing from a script or the page fails here. A test skips only when its
shell or groff is not installed.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from reader.cli import build_parser
from reader.cli.completion import SHELLS, walk_parsers

from conftest import run_reader

# Sources the script ($1), then completes the line $2 as bash does on Tab at its end.
BASH_DRIVER = r"""
source "$1" || exit 3
spec=$(complete -p reader) || exit 4
func=${spec##*-F }; func=${func%% *}
COMP_LINE=$2
COMP_POINT=${#COMP_LINE}
read -r -a COMP_WORDS <<< "$COMP_LINE"
[[ $COMP_LINE == *" " ]] && COMP_WORDS+=("")
COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
"$func" reader "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
printf '%s\n' "${COMPREPLY[@]}"
"""

needs_fish = pytest.mark.skipif(shutil.which("fish") is None, reason="fish is not installed")
needs_zsh = pytest.mark.skipif(shutil.which("zsh") is None, reason="zsh is not installed")
needs_groff = pytest.mark.skipif(shutil.which("groff") is None, reason="groff is not installed")
needs_man = pytest.mark.skipif(shutil.which("man") is None, reason="man is not installed")


def _commands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    """Every (sub)command's parser by its path, e.g. ``"feed add"``."""
    found = {}
    for sub in walk_parsers(parser):
        path = sub.prog.removeprefix(parser.prog).strip()
        if path:
            found[path] = sub
    return found


def _subcommand_names(parser: argparse.ArgumentParser) -> set[str]:
    (action,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return set(action.choices)


PARSER = build_parser()
COMMANDS = _commands(PARSER)
PARSER_FEED = COMMANDS["feed"]


@pytest.fixture(scope="module")
def scripts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each shell's script as ``reader completion SHELL`` prints it, saved to a file."""
    home = tmp_path_factory.mktemp("home")
    folder = tmp_path_factory.mktemp("scripts")
    saved = {}
    for shell in SHELLS:
        done = run_reader(home, "completion", shell)
        assert done.returncode == 0, done.stderr
        assert done.stderr == ""
        saved[shell] = folder / f"reader.{shell}"
        saved[shell].write_text(done.stdout, encoding="utf-8")
    assert not home.exists() or not any(home.iterdir()), "completion opened the store"
    return saved


def _bash_complete(script: Path, line: str) -> list[str]:
    done = subprocess.run(
        ["bash", "--norc", "--noprofile", "-c", BASH_DRIVER, "bash", str(script), line],
        capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    return [word for word in done.stdout.splitlines() if word]


def _fish_complete(script: Path, line: str) -> list[str]:
    done = subprocess.run(
        ["fish", "--no-config", "-c", "source $argv[1]; and complete -C $argv[2]",
         str(script), line],
        capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return [row.split("\t")[0] for row in done.stdout.splitlines()]


def test_the_commands_come_from_the_parser() -> None:
    # The expectations below are only as good as this walk of the parser.
    assert {"ingest", "feed", "feed add", "feed import", "completion", "manpage"} <= set(COMMANDS)
    assert len(COMMANDS) == len(_subcommand_names(PARSER)) + len(_subcommand_names(PARSER_FEED))


def test_an_unknown_shell_is_a_usage_error(home: Path) -> None:
    done = run_reader(home, "completion", "tcsh")
    assert done.returncode == 2
    assert done.stdout == ""
    assert "invalid choice: 'tcsh'" in done.stderr


def test_bash_completes_a_command_from_its_start(scripts: dict[str, Path]) -> None:
    assert _bash_complete(scripts["bash"], "reader fe") == ["feed"]
    assert _bash_complete(scripts["bash"], "reader mark-") == ["mark-read", "mark-unread"]
    assert set(_bash_complete(scripts["bash"], "reader ")) == _subcommand_names(PARSER)


def test_bash_completes_subcommands_options_and_choices(scripts: dict[str, Path]) -> None:
    bash = scripts["bash"]
    assert set(_bash_complete(bash, "reader feed ")) == _subcommand_names(PARSER_FEED)
    assert set(_bash_complete(bash, "reader feed ")) >= {"add", "list", "remove", "import"}
    options = {"--help", "--tag", "--home", "--json"}
    assert set(_bash_complete(bash, "reader feed add --")) == options
    assert _bash_complete(bash, "reader export --format ") == ["json", "jsonl", "md"]
    assert _bash_complete(bash, "reader completion ") == list(SHELLS)
    assert _bash_complete(bash, "reader list --un") == ["--unread"]


def test_bash_completes_paths_for_files_and_folders(
    scripts: dict[str, Path], tmp_path: Path
) -> None:
    (tmp_path / "saved.html").write_text("<p>page</p>", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    bash = scripts["bash"]
    assert _bash_complete(bash, f"reader ingest {tmp_path}/sa") == [f"{tmp_path}/saved.html"]
    assert _bash_complete(bash, f"reader list --home {tmp_path}/s") == [f"{tmp_path}/sub"]
    # A story id is not a path: nothing from the folder is offered.
    assert _bash_complete(bash, f"reader show {tmp_path}/sa") == []


@needs_fish
def test_fish_accepts_the_script_and_completes_with_it(scripts: dict[str, Path]) -> None:
    fish = scripts["fish"]
    done = subprocess.run(
        ["fish", "--no-execute", str(fish)], capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 0, done.stderr
    assert _fish_complete(fish, "reader fe") == ["feed"]
    assert set(_fish_complete(fish, "reader ")) == _subcommand_names(PARSER)
    assert set(_fish_complete(fish, "reader feed ")) == _subcommand_names(PARSER_FEED)
    assert sorted(_fish_complete(fish, "reader export --format ")) == ["json", "jsonl", "md"]
    assert "--tag" in _fish_complete(fish, "reader feed add --")


@needs_zsh
def test_zsh_accepts_the_script_and_registers_it_from_fpath(
    scripts: dict[str, Path], tmp_path: Path
) -> None:
    done = subprocess.run(
        ["zsh", "-n", str(scripts["zsh"])], capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 0, done.stderr
    functions = tmp_path / "zfunc"
    functions.mkdir()
    shutil.copy(scripts["zsh"], functions / "_reader")  # as the README installs it
    check = (
        'fpath=("$1" $fpath); autoload -Uz compinit && compinit -u -D'
        ' && print -r -- ${_comps[reader]} && eval "$(<$1/_reader)"'
        " && print -r -- ${_comps[reader]}"
    )
    env = dict(os.environ, ZDOTDIR=str(tmp_path))
    done = subprocess.run(
        ["zsh", "-f", "-c", check, "zsh", str(functions)],
        capture_output=True, text=True, timeout=30, env=env,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert done.stdout.split() == ["_reader", "_shtab_reader"]


@pytest.fixture(scope="module")
def man_source(tmp_path_factory: pytest.TempPathFactory) -> str:
    home = tmp_path_factory.mktemp("home")
    done = run_reader(home, "manpage")
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert not home.exists() or not any(home.iterdir()), "manpage opened the store"
    return done.stdout


def test_the_man_page_names_every_command(man_source: str) -> None:
    assert man_source.startswith('.TH READER "1"')
    assert "\n.SH NAME\nreader \\- read news in the terminal\n" in man_source
    for path in COMMANDS:
        assert f"'reader {path}'" in man_source.replace("\\-", "-"), path


@needs_groff
def test_groff_renders_the_man_page_without_warnings(man_source: str) -> None:
    done = subprocess.run(
        ["groff", "-man", "-Tutf8", "-ww", "-z"],
        input=man_source, capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert done.returncode == 0
    assert done.stderr == ""


def _option_words(parser: argparse.ArgumentParser) -> list[str]:
    """What the page must show for a command: its options and its positionals' names."""
    words: list[str] = []
    for action in parser._actions:
        if action.help == argparse.SUPPRESS or isinstance(action, argparse._HelpAction):
            continue
        if isinstance(action, argparse._SubParsersAction):
            continue
        if action.option_strings:
            words += action.option_strings
        elif action.choices:
            words += [str(choice) for choice in action.choices]
        else:
            metavar = action.metavar or action.dest
            words += [metavar] if isinstance(metavar, str) else list(metavar)
    return words


@needs_groff
def test_each_commands_part_of_the_page_shows_its_options(man_source: str) -> None:
    # Long lines and no hyphenation, so no option is broken across lines.
    done = subprocess.run(
        ["groff", "-man", "-Tutf8", "-rLL=300n", "-rHY=0", "-P-cbou"],
        input=man_source, capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    text = done.stdout
    heading = r"^COMMAND 'reader ([^']+)'\n(.*?)(?=^COMMAND '|\Z)"
    parts = dict(re.findall(heading, text, re.S | re.M))
    assert set(parts) == set(COMMANDS)
    assert re.search(r"^COMMANDS\n\s+reader ingest\n", text, re.M)  # not "POSITIONAL ARGUMENTS"
    for path, sub in COMMANDS.items():
        for word in _option_words(sub):
            assert re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", parts[path]), (path, word)
    assert re.search(r"^OPTIONS\n\s+--version\n", text, re.M)
    assert re.search(r"^ENVIRONMENT\n\s+READER_HOME\n", text, re.M)


@needs_man
def test_man_renders_the_page_from_standard_input(man_source: str, tmp_path: Path) -> None:
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "LC_ALL": "C.UTF-8",
        "MANWIDTH": "100",
        "MANPAGER": "cat",
    }
    done = subprocess.run(
        ["man", "-l", "-"], input=man_source, capture_output=True, text=True, timeout=30, env=env
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert done.stdout.startswith("READER(1)")
    assert "reader - read news in the terminal" in done.stdout
    assert "COMMAND 'reader feed add'" in done.stdout


def test_every_command_names_a_function_that_runs_it() -> None:
    """The commands' functions are imported only for the command run; each one named
    in ``reader.cli.COMMANDS`` exists, and every command of the parser has one."""
    from reader.cli import COMMANDS as RUNNERS
    from reader.cli import command

    assert all(callable(command(name)) for name in RUNNERS)
    local = {"completion", "manpage", "repair"}  # run without the store
    assert set(RUNNERS) | local == set(_subcommand_names(PARSER))


def test_a_command_imports_only_its_own_module(tmp_path) -> None:
    import subprocess
    import sys

    code = (
        "import sys; from reader.cli import main; code = main(['--home', sys.argv[1], 'list']);"
        " print(sorted(m for m in sys.modules if m.startswith('reader.cli.')))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "home")], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert "reader.cli.stories" in done.stdout
    assert "reader.cli.feeds" not in done.stdout and "reader.cli.sync" not in done.stdout
