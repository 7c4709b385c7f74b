"""The ``reader`` command line, through its real entry point."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import PAGES, run_reader

BONDS_TITLE = "Harbour City bonds rally as port authority “Café Fund” — clears audit"
STORY_KEYS = [
    "id", "title", "site", "section", "published", "author", "url", "canonical_url", "body",
    "reactions",
    "related", "ranking", "recommended", "source", "bookmarked", "read", "sources", "also_on",
]  # fmt: skip


@pytest.fixture
def loaded(home: Path) -> Path:
    result = run_reader(home, "ingest", str(PAGES))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ingested 2, updated 0, unchanged 0, failed 0"
    return home


def _ids(home: Path, *args: str) -> dict[str, str]:
    out = run_reader(home, "list", "--json", *args)
    assert out.returncode == 0, out.stderr
    return {s["title"]: s["id"] for s in json.loads(out.stdout)}


def test_version_and_help_on_every_command(home: Path) -> None:
    assert run_reader(home, "--version").stdout.strip() == "reader 0.1.0"
    for command in (
        "ingest", "list", "search", "show", "bookmark", "unbookmark", "mark-read", "export"
    ):  # fmt: skip
        result = run_reader(home, command, "--help")
        assert result.returncode == 0 and "usage: reader " + command in result.stdout


def test_console_script_is_installed() -> None:
    script = shutil.which("reader", path=os.path.dirname(sys.executable))
    assert script is not None
    result = subprocess.run([script, "--version"], capture_output=True, text=True, check=True)
    assert result.stdout.startswith("reader ")


def test_show_json_shape(loaded: Path) -> None:
    sid = _ids(loaded)[BONDS_TITLE]
    result = run_reader(loaded, "show", sid[:6], "--json")
    assert result.returncode == 0, result.stderr
    story = json.loads(result.stdout)
    assert list(story) == STORY_KEYS
    assert story["id"] == sid
    assert story["section"] == ["Home", "Markets"]
    assert story["published"] == "2025-04-25T10:43:55"
    assert story["reactions"] == 98
    assert story["source"] == str((PAGES / "harbour-bonds.txt").resolve())
    assert story["bookmarked"] is False and story["read"] is False
    assert story["sources"] == 1 and story["also_on"] == []
    assert len(story["body"].split("\n\n")) == 11
    rowers = story["related"][0]
    assert rowers == {
        "title": "Rio Grande rowers win 'Cafe Cup' again",
        "url": None,
        "article_id": _ids(loaded)["Río Grande rowers win ‘Café Cup’ — again"],
    }
    assert story["ranking"][0] == {
        "title": "Quay wall collapse: what we know so far",
        "url": None,
        "article_id": None,
    }


def test_show_text_names_fields_and_links(loaded: Path) -> None:
    sid = _ids(loaded)[BONDS_TITLE]
    out = run_reader(loaded, "show", sid).stdout
    assert out.splitlines()[0] == BONDS_TITLE
    assert "Aspire Money Growth · Home > Markets · 2025-04-25 10:43:55 · 98 reactions" in out
    assert "Rio Grande rowers win 'Cafe Cup' again  [" in out
    assert "Quay wall collapse: what we know so far  (not cached)" in out


def test_list_newest_first_with_filters(loaded: Path) -> None:
    out = run_reader(loaded, "list").stdout.splitlines()
    assert len(out) == 2 and BONDS_TITLE in out[0] and "Río Grande" in out[1]
    listed = json.loads(run_reader(loaded, "list", "--json", "--limit", "1").stdout)
    assert [s["title"] for s in listed] == [BONDS_TITLE]
    assert "body" not in listed[0]
    assert _ids(loaded, "--site", "Northwind Daily").keys() == {
        "Río Grande rowers win ‘Café Cup’ — again"
    }
    assert _ids(loaded, "--site", "Nowhere") == {}


def test_search_finds_words_in_titles_and_text(loaded: Path) -> None:
    found = run_reader(loaded, "search", "eastern", "quay")  # words of the bonds story's text
    assert found.returncode == 0, found.stderr
    row, snippet = found.stdout.splitlines()  # a story's line, then its snippet
    assert row.split("  ")[-1].strip() == BONDS_TITLE
    assert snippet.startswith("    ") and "eastern quay" in snippet.lower()
    as_json = json.loads(run_reader(loaded, "search", "--json", "rio", "grande").stdout)
    assert [s["title"] for s in as_json] == ["Río Grande rowers win ‘Café Cup’ — again"]
    assert "grande" in as_json[0].pop("snippet").lower()
    listed = json.loads(run_reader(loaded, "list", "--json").stdout)
    assert as_json[0] == next(s for s in listed if s["id"] == as_json[0]["id"])  # lists too
    assert run_reader(loaded, "search", "nowhere-to-be-found").stdout == ""


def test_bookmark_read_round_trip(loaded: Path) -> None:
    sid = _ids(loaded)[BONDS_TITLE]
    assert run_reader(loaded, "bookmark", sid).returncode == 0
    assert run_reader(loaded, "mark-read", sid).returncode == 0
    assert list(_ids(loaded, "--bookmarked").values()) == [sid]
    assert sid not in _ids(loaded, "--unread").values()
    row = [line for line in run_reader(loaded, "list").stdout.splitlines() if sid in line][0]
    assert "★" in row and "•" not in row
    assert run_reader(loaded, "unbookmark", sid).returncode == 0
    assert run_reader(loaded, "mark-unread", sid).returncode == 0
    assert _ids(loaded, "--bookmarked") == {}
    assert sid in _ids(loaded, "--unread").values()


def test_mark_read_all_and_by_site(loaded: Path) -> None:
    assert run_reader(loaded, "mark-read").returncode == 2  # an id or --all
    assert run_reader(loaded, "mark-read", "--site", "Northwind Daily").returncode == 2
    by_site = run_reader(loaded, "mark-read", "--all", "--site", "Northwind Daily")
    assert by_site.stdout.strip() == "marked 1 stories read"
    assert list(_ids(loaded, "--unread")) == [BONDS_TITLE]
    everything = run_reader(loaded, "mark-read", "--all", "--json")
    assert json.loads(everything.stdout) == {"marked_read": 1}
    assert _ids(loaded, "--unread") == {}


def test_unknown_id_is_one_line_and_exit_1(loaded: Path) -> None:
    for command in ("show", "bookmark", "mark-read"):
        result = run_reader(loaded, command, "0000ffff0000")
        assert result.returncode == 1
        assert result.stderr == "reader: no story with id '0000ffff0000'\n"


def test_usage_mistakes_exit_2(home: Path) -> None:
    assert run_reader(home, "list", "--limit", "zero").returncode == 2
    assert run_reader(home, "frobnicate").returncode == 2


def test_ingest_reports_each_failure_and_stores_the_rest(home: Path, tmp_path: Path) -> None:
    batch = tmp_path / "batch"
    batch.mkdir()
    shutil.copy(PAGES / "harbour-bonds.txt", batch / "good.txt")
    (batch / "empty.txt").write_bytes(b"")
    (batch / "binary.dat").write_bytes(b"\x00\x01\x02\x03" * 100)
    with (batch / "huge.txt").open("wb") as huge:
        huge.truncate(21 * 1024 * 1024)
    (batch / "page.html").write_text("<!doctype html><html><body> </body></html>")
    (batch / "loop").symlink_to(batch)  # a symlink loop must not hang the walk
    os.mkfifo(batch / "pipe.txt")  # nor a FIFO that nobody writes to
    for asset in ("photo.jpg", "app.js", "style.css"):  # a saved page's files: not pages
        (batch / asset).write_bytes(b"<html><title>not a page</title></html>")
    result = run_reader(home, "ingest", str(batch), str(tmp_path / "missing.txt"), timeout=30)
    assert result.returncode == 1
    errors = sorted(result.stderr.splitlines())
    assert errors == sorted(
        [
            f"reader: {batch / 'binary.dat'}: binary file, not a text page",
            f"reader: {batch / 'empty.txt'}: empty file",
            f"reader: {batch / 'huge.txt'}: file too large (21.0 MB, the limit is 20 MB)",
            f"reader: {batch / 'page.html'}: no title and no article text in this page",
            f"reader: {batch / 'pipe.txt'}: not a regular file",
            f"reader: {tmp_path / 'missing.txt'}: no such file or directory",
        ]
    )
    assert result.stdout.strip() == (
        "ingested 1, updated 0, unchanged 0, failed 6, skipped 3 (not pages)"
    )
    assert list(_ids(home)) == [BONDS_TITLE]
    again = run_reader(home, "ingest", str(batch / "good.txt"), "--json")
    assert again.returncode == 0
    assert json.loads(again.stdout) == {
        "ingested": 0,
        "updated": 0,
        "unchanged": 1,
        "failed": 0,
        "skipped": 0,
        "failures": [],
        "stopped": False,
    }


def test_export_formats(loaded: Path, tmp_path: Path) -> None:
    sid = _ids(loaded)[BONDS_TITLE]
    stories = json.loads(run_reader(loaded, "export").stdout)
    assert [s["title"] for s in stories][0] == BONDS_TITLE
    assert all(list(s) == STORY_KEYS for s in stories)
    lines = run_reader(loaded, "export", "--format", "jsonl").stdout.splitlines()
    assert [json.loads(line)["id"] for line in lines][0] == sid
    run_reader(loaded, "bookmark", sid)
    target = tmp_path / "list.md"
    result = run_reader(loaded, "export", "--bookmarked", "--format", "md", "-o", str(target))
    assert result.returncode == 0
    md = target.read_text(encoding="utf-8")
    assert md.startswith("# Reading list\n")
    assert f"## {BONDS_TITLE}" in md and "Río Grande" not in md
    assert "Bonds issued by the Harbour City port authority" in md
    assert json.loads(run_reader(loaded, "export", "--bookmarked").stdout)[0]["id"] == sid


def test_corrupt_cache_is_a_clear_error(home: Path) -> None:
    (home / "cache").mkdir(parents=True)
    (home / "cache" / "stories.sqlite3").write_bytes(b"this is not a database" * 100)
    result = run_reader(home, "list")
    assert result.returncode == 1
    assert result.stderr.startswith("reader: ") and "not a database" in result.stderr
    assert len(result.stderr.splitlines()) == 1


def test_reader_home_environment_variable(tmp_path: Path) -> None:
    env = dict(os.environ, READER_HOME=str(tmp_path / "envhome"))
    subprocess.run(
        [sys.executable, "-m", "reader", "ingest", str(PAGES)],
        env=env,
        check=True,
        capture_output=True,
    )
    assert (tmp_path / "envhome" / "cache" / "stories.sqlite3").exists()
    assert (tmp_path / "envhome" / "data" / "user.sqlite3").exists()
