"""Handing a story to another program (browser, bookmark_command, pipe_to): always an
argument list, never a shell, so a hostile title runs nothing."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from reader.app.app import ReaderApp
from reader.app.screens import ConfirmOpen, PromptScreen
from reader.base.config import load_config
from reader.base.errors import CommandFailed
from reader.base.models import Page
from reader.base.paths import Paths
from reader.plumbing import commands
from reader.store import Store

from app_helpers import wait_for, wait_ready

RECORD_ARGV = """import json, sys
with open(sys.argv[1], "w", encoding="utf-8") as out:
    json.dump({"argv": sys.argv[2:], "stdin": sys.stdin.read()}, out)
"""


@pytest.fixture
def sandbox(tmp_path: Path) -> Path:
    """A folder the hostile strings point into: nothing but the record may appear."""
    folder = tmp_path / "sandbox"
    folder.mkdir()
    return folder


@pytest.fixture
def recorder(tmp_path: Path) -> list[str]:
    """A program that writes its arguments and standard input to the file it is given."""
    script = tmp_path / "record.py"
    script.write_text(RECORD_ARGV)
    return [sys.executable, str(script)]


def hostile(sandbox: Path) -> str:
    return f"Tide; touch {sandbox}/x $(touch {sandbox}/y) `touch {sandbox}/z` && echo done"


def _record(path: Path) -> dict[str, object]:
    return json.loads(path.read_text(encoding="utf-8"))


def test_run_passes_hostile_text_as_one_argument_and_on_stdin(
    recorder: list[str], sandbox: Path
) -> None:
    out = sandbox / "record.json"
    title = hostile(sandbox)
    ran = commands.run([*recorder, str(out), title], stdin=f"{title}\n")
    assert _record(out) == {"argv": [title], "stdin": f"{title}\n"}
    assert sorted(p.name for p in sandbox.iterdir()) == ["record.json"]
    assert ran.line() == f"{sys.executable}: done"


def test_browser_args_put_the_url_in_one_argument() -> None:
    url = "https://example.org/a;b$(c)`d`"
    assert commands.browser_args(["firefox", "--new-tab", "%u"], url) == [
        "firefox", "--new-tab", url,
    ]  # fmt: skip
    assert commands.browser_args(["open", "--url=%u"], url) == ["open", f"--url={url}"]
    assert commands.browser_args(["lynx"], url) == ["lynx", url]


def test_failures_are_one_line_command_failed(tmp_path: Path) -> None:
    with pytest.raises(CommandFailed, match="no-such-program-here: no such program"):
        commands.run(["no-such-program-here"])
    with pytest.raises(CommandFailed, match=r"exited with status 3: it broke$"):
        fail = "import sys; sys.exit(print('it broke', file=sys.stderr) or 3)"
        commands.run([sys.executable, "-c", fail])
    with pytest.raises(CommandFailed, match="stopped after 0.5 s"):
        commands.run([sys.executable, "-c", "import time; time.sleep(5)"], timeout=0.5)
    with pytest.raises(CommandFailed, match="exited with status 1"):
        commands.launch([sys.executable, "-c", "raise SystemExit(1)"])


def test_config_reads_commands_as_strings_or_lists(paths: Paths) -> None:
    paths.ensure()
    paths.config_file.write_text(
        'browser = "firefox --new-tab %u"\n'
        'bookmark_command = ["~/bin/bookmark", "~/x"]\n'
        "pipe_to = 'tee \"/tmp/a story.md\"'\n"
    )
    config = load_config(paths.config_file)
    assert config.browser == ["firefox", "--new-tab", "%u"]
    assert config.bookmark_command == [str(Path.home() / "bin/bookmark"), "~/x"]
    assert config.pipe_to == ["tee", "/tmp/a story.md"]
    paths.config_file.write_text("pipe_to = 'tee \"unclosed'\nbrowser = 3\n")
    config = load_config(paths.config_file)
    assert config.pipe_to is None and config.browser is None
    assert len(config.problems) == 2 and "'pipe_to' must be a command" in config.problems[1]


def _hostile_story(paths: Paths, sandbox: Path) -> str:
    title = hostile(sandbox)
    with Store(paths) as store:
        store.save_pages(
            [
                (
                    "https://example.org/tide",
                    "h",
                    Page(
                        title=title,
                        body=f"Body $(touch {sandbox}/w) text.",
                        url="https://example.org/tide?q=$(touch)",
                        site="Harbour; Post",
                        published="2099-01-01",
                    ),
                )
            ]
        )
    return title


def _write_config(paths: Paths, **settings: list[str]) -> None:
    paths.ensure()
    paths.config_file.write_text("".join(f"{k} = {json.dumps(v)}\n" for k, v in settings.items()))


async def test_bookmark_command_gets_url_title_description_feed_as_arguments(
    paths: Paths, sandbox: Path, recorder: list[str]
) -> None:
    title = _hostile_story(paths, sandbox)
    out = sandbox / "record.json"
    _write_config(paths, bookmark_command=[*recorder, str(out)])
    app = ReaderApp(paths)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_ready(pilot)
        assert app.reading.story is not None and app.reading.story.title == title
        await pilot.press("b")
        await wait_for(pilot, out.exists)
        await wait_for(pilot, lambda: bool(out.read_text()))
    record = _record(out)
    assert record["argv"] == [
        "https://example.org/tide?q=$(touch)",
        title,
        f"Body $(touch {sandbox}/w) text.",
        "Harbour; Post",
    ]
    assert sorted(p.name for p in sandbox.iterdir()) == ["record.json"]


async def test_pipe_to_sends_the_story_on_stdin_configured_or_typed(
    paths: Paths, sandbox: Path, recorder: list[str]
) -> None:
    title = _hostile_story(paths, sandbox)
    out = sandbox / "record.json"
    _write_config(paths, pipe_to=[*recorder, str(out), "--from-config"])
    app = ReaderApp(paths)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_ready(pilot)
        await pilot.press("vertical_line")
        await wait_for(pilot, out.exists)
        await wait_for(pilot, lambda: bool(out.read_text()))
    record = _record(out)
    assert record["argv"] == ["--from-config"]
    stdin = str(record["stdin"])
    assert stdin.startswith(f"# {title}\n\n<https://example.org/tide?q=$(touch)>\n")
    assert f"Body $(touch {sandbox}/w) text." in stdin
    out.unlink()

    paths.config_file.unlink()  # no pipe_to: | asks for the command
    app = ReaderApp(paths)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_ready(pilot)
        await pilot.press("vertical_line")
        await wait_for(pilot, lambda: isinstance(app.screen, PromptScreen))
        typed = " ".join(f"'{arg}'" for arg in [*recorder, str(out)]) + " '$(touch x)' ;ls"
        app.screen.query_one("Input").value = typed  # type: ignore[attr-defined]
        await pilot.press("enter")
        await wait_for(pilot, out.exists)
        await wait_for(pilot, lambda: bool(out.read_text()))
    assert _record(out)["argv"] == ["$(touch x)", ";ls"]
    assert sorted(p.name for p in sandbox.iterdir()) == ["record.json"]


async def test_browser_setting_runs_the_command_with_the_url_as_one_argument(
    paths: Paths, sandbox: Path, recorder: list[str]
) -> None:
    _hostile_story(paths, sandbox)
    out = sandbox / "record.json"
    _write_config(paths, browser=[*recorder, str(out), "--new-tab", "%u"])
    app = ReaderApp(paths)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_ready(pilot)
        await pilot.press("O")  # open and mark read
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmOpen))
        await pilot.press("y")
        await wait_for(pilot, out.exists)
        await wait_for(pilot, lambda: bool(out.read_text()))
        await wait_for(pilot, lambda: app.reading.story is not None and app.reading.story.read)
    assert _record(out)["argv"] == ["--new-tab", "https://example.org/tide?q=$(touch)"]
    assert sorted(p.name for p in sandbox.iterdir()) == ["record.json"]
