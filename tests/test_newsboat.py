"""``reader import newsboat``: files read purely, and files made by a real newsboat."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import tomllib
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from http_server import serve

from reader.base.paths import resolve_paths
from reader.feeds import newsboat
from reader.store import Store
from reader.store.base import StoryFilter

from conftest import run_reader

NEWSBOAT = shutil.which("newsboat")


def test_urls_file_keeps_tags_titles_hidden_and_names_the_rest() -> None:
    text = (
        "# comment\n"
        'http://a.test/feed tech "~My Name" news\n'
        "http://b.test/feed ! tech\n"
        '"query:Unread:unread = \\"yes\\""\n'
        'exec:echo hi "~Cmd"\n'
        "filter:~/bin/f:http://c.test/feed\n"
    )
    urls = newsboat.read_urls(text)
    assert urls.feeds == (
        newsboat.UrlEntry("http://a.test/feed", "My Name", ("tech", "news"), False),
        newsboat.UrlEntry("http://b.test/feed", None, ("tech",), True),
    )
    assert [s.kind for s in urls.skipped] == ["query", "exec", "filter"]


def test_a_missing_folder_is_one_line_and_exit_1(home: Path, tmp_path: Path) -> None:
    result = run_reader(home, "import", "newsboat", "--dir", str(tmp_path / "none"))
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0 and "no newsboat urls file" in result.stderr


def test_an_unreadable_cache_is_one_line_and_nothing_is_stored(home: Path, tmp_path: Path) -> None:
    folder = tmp_path / "nb"
    folder.mkdir()
    (folder / "urls").write_text("http://a.test/feed\n")
    (folder / "cache.db").write_bytes(b"not a database" * 100)
    result = run_reader(home, "import", "newsboat", "--dir", str(folder))
    assert result.returncode == 1
    assert "cache.db" in result.stderr and result.stderr.strip().count("\n") == 0
    with Store(resolve_paths(home)) as store:
        assert store.list_feeds() == []


def _rss(title: str, items: list[tuple[str, str | None, str]]) -> bytes:
    entries = "".join(
        f"<item><title>{name}</title>{f'<link>{link}</link>' if link else ''}"
        f"<guid isPermaLink='false'>{guid}</guid><description>{name} text</description></item>"
        for name, link, guid in items
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>'
        f"<link>http://site.test/</link>{entries}</channel></rss>"
    ).encode()


@pytest.mark.skipif(NEWSBOAT is None, reason="needs the newsboat binary")
def test_import_from_files_made_by_a_real_newsboat(home: Path, tmp_path: Path) -> None:
    assert NEWSBOAT is not None
    seen: list[tuple[str, str | None, str | None]] = []
    documents = {
        "/one.xml": _rss(
            "Feed One",
            [
                ("Alpha", "http://site.test/a", "ga"),
                ("Beta", "http://site.test/b", "gb"),
                ("Gamma", "http://site.test/c", "gc"),
            ],
        ),
        "/two.xml": _rss("Feed Two", [("Delta", None, "gd"), ("Epsilon", None, "ge")]),
    }

    def route(path: str) -> object:
        def answer(handler: BaseHTTPRequestHandler) -> None:
            seen.append(
                (
                    path,
                    handler.headers.get("If-None-Match"),
                    handler.headers.get("If-Modified-Since"),
                )
            )
            body = documents[path]
            handler.send_response(200)  # a server that ignores validators: the items come
            handler.send_header("Content-Type", "application/rss+xml")
            handler.send_header("ETag", f'"{path[1:4]}-1"')
            handler.send_header("Last-Modified", "Tue, 01 Dec 2026 10:00:00 GMT")
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)

        return answer

    folder = tmp_path / "newsboat"
    folder.mkdir()
    with serve({path: route(path) for path in documents}) as base:  # type: ignore[misc]
        one, two = f"{base}/one.xml", f"{base}/two.xml"
        (folder / "urls").write_text(f'{one} news "~My Name for One"\n{two} ! tech\n')
        (folder / "config").write_text(
            "reload-time 30\nmax-items 100\nshow-read-feeds no\nbind-key ^R reload-all\n"
            "bind-key x open-in-browser-and-mark-read\n"
        )
        (home / "config").mkdir(parents=True)
        (home / "config" / "config.toml").write_text(
            '# mine\ntheme = "newsprint"\n\n[feeds]\nmax_stories = 7\n'
        )
        newsboat_run = [NEWSBOAT, "-u", str(folder / "urls"), "-c", str(folder / "cache.db"),
                        "-C", str(folder / "config")]  # fmt: skip
        for _ in range(2):  # newsboat keeps a feed's validators from its second reload
            subprocess.run([*newsboat_run, "-x", "reload"], check=True, timeout=60,
                           capture_output=True)  # fmt: skip
        # newsboat has no command to mark one item: set the columns it reads back.
        with sqlite3.connect(folder / "cache.db") as conn:
            conn.execute("UPDATE rss_item SET unread = 0 WHERE guid IN ('ga', 'gd')")
            conn.execute("UPDATE rss_item SET flags = 's' WHERE guid IN ('gb', 'ge')")
            validators = dict(conn.execute("SELECT rssurl, etag FROM rss_feed").fetchall())
        assert validators == {one: '"one-1"', two: '"two-1"'}
        printed = subprocess.run([*newsboat_run, "-x", "print-unread"], check=True,
                                 timeout=60, capture_output=True, text=True)  # fmt: skip
        # newsboat reads the marks back: Beta and Gamma unread (it leaves hidden feeds out)
        assert printed.stdout.split()[0] == "2"
        # Lines newsboat would run: added after its reloads, so it never ran them.
        with (folder / "urls").open("a") as urls:
            urls.write(
                '"query:Unread:unread = \\"yes\\""\nexec:echo hi\nfilter:/bin/f:' + one + "\n"
            )

        result = run_reader(home, "import", "newsboat", "--dir", str(folder),
                            "--flag-as-bookmark", "s", "--json")  # fmt: skip
        assert result.returncode == 0, result.stderr
        summary = json.loads(result.stdout)
        assert summary["feeds"] == 2 and summary["hidden"] == 1
        assert summary["read_marks"] == 2
        assert summary["bookmarks"] == 0  # no story stored yet
        assert summary["skipped"] == {"exec": 1, "filter": 1}
        assert any("query" in n for n in summary["not_carried_over"])
        assert summary["settings"] == ["refresh_interval", "refresh_feeds"]  # max_stories: mine
        assert "config show-read-feeds" in summary["not_carried_over"]
        assert "config bind-key x" in summary["not_carried_over"]
        config = (home / "config" / "config.toml").read_text()
        assert config.startswith('# mine\ntheme = "newsprint"\n')
        assert tomllib.loads(config) == {
            "theme": "newsprint",
            "feeds": {"max_stories": 7, "refresh_interval": 30},
            "keys": {"refresh_feeds": "ctrl+r"},
        }

        seen.clear()
        refreshed = run_reader(home, "refresh", "--json")
        assert refreshed.returncode == 0, refreshed.stderr
        assert sorted(seen) == [
            ("/one.xml", '"one-1"', "Tue, 01 Dec 2026 10:00:00 GMT"),
            ("/two.xml", '"two-1"', "Tue, 01 Dec 2026 10:00:00 GMT"),
        ]

        # Stories are stored now: importing again makes the flagged ones bookmarks.
        again = run_reader(home, "import", "newsboat", "--dir", str(folder),
                           "--flag-as-bookmark", "s")  # fmt: skip
        assert again.returncode == 0, again.stderr
        assert "imported 2 feeds (1 hidden), 2 read marks, 2 bookmarks" in again.stdout
        assert "skipped 1 exec: lines" in again.stdout

    with Store(resolve_paths(home)) as store:
        feeds = {f.url: f for f in store.list_feeds()}
        assert feeds[one].title == "My Name for One"  # the rename outlives the refresh
        assert feeds[two].title == "Feed Two"
        assert feeds[one].tags == ["news"] and feeds[two].tags == ["tech"]
        shown = {s.title for s in store.list_stories()}
        everything = {
            s.title: s for tag in ("news", "tech") for s in store.list_stories(StoryFilter(tag=tag))
        }
    assert {t: s.read for t, s in everything.items()} == {
        "Alpha": True, "Beta": False, "Gamma": False, "Delta": True, "Epsilon": False,
    }  # fmt: skip
    assert {t for t, s in everything.items() if s.bookmarked} == {"Beta", "Epsilon"}
    assert shown == {"Alpha", "Beta", "Gamma"}  # the hidden feed's stay out of the default list
