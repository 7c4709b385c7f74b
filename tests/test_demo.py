"""The built-in demo: a newcomer's first stories, linked to each other."""

from __future__ import annotations

from pathlib import Path

from reader.demo import demo_items, load_demo_if_empty
from reader.store import Store

from conftest import run_reader


def test_demo_pages_are_in_the_seed_layout_and_link_to_each_other(store: Store) -> None:
    report = load_demo_if_empty(store)
    assert report is not None and report.failed == 0 and report.ingested >= 12
    stories = store.list_stories(limit=100)
    assert len(stories) == report.ingested
    assert all(s.site and s.section[0] == "Home" and s.published for s in stories)
    resolved = unresolved = 0
    linked_to: set[str] = set()
    for summary in stories:
        story = store.get(summary.id)
        assert story.body and len(story.body.split("\n\n")) >= 5
        for headline in story.related + story.ranking + story.recommended:
            if headline.article_id:
                resolved += 1
                linked_to.add(headline.article_id)
            else:
                unresolved += 1
    assert resolved > 5 * unresolved
    assert linked_to == {s.id for s in stories}  # every demo story is reachable
    assert load_demo_if_empty(store) is None  # not loaded twice


def test_demo_items_come_from_the_package() -> None:
    names = [raw.source for raw in demo_items()]
    assert len(names) >= 12 and all(n.startswith("demo:") for n in names)


def test_no_command_without_a_terminal_says_so(home: Path) -> None:
    result = run_reader(home, timeout=60)
    assert result.returncode == 1
    assert result.stderr == (
        "reader: the reading app needs a terminal; see 'reader --help' for commands\n"
    )


def test_the_app_with_stderr_redirected_says_so_on_the_terminal(home: Path) -> None:
    import os
    import pty
    import subprocess
    import sys

    main, terminal = pty.openpty()
    result = subprocess.run(
        [sys.executable, "-m", "reader", "--home", str(home)],
        stdin=terminal,
        stdout=terminal,
        stderr=subprocess.PIPE,
        timeout=60,
    )
    os.close(terminal)
    shown = os.read(main, 4096).decode()
    os.close(main)
    assert result.returncode == 1 and result.stderr == b""
    assert "run it without redirecting stderr" in shown
