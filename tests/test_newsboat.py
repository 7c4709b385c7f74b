"""``reader import newsboat``: files read purely, and files made by a real newsboat."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import subprocess
import tomllib
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from http_server import send, serve
from unread_helpers import assert_unread_exact

from reader.base.models import Page
from reader.base.paths import resolve_paths
from reader.feeds import newsboat
from reader.store import Store
from reader.store.base import StoryFilter
from reader.store.rows import prepare

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


def test_newsboats_keys_come_along_unless_the_user_chose_a_preset(
    home: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "nb"
    folder.mkdir()
    (folder / "urls").write_text("http://a.test/feed\n")
    (folder / "config").write_text("bind-key ^R reload-all\n")
    first = run_reader(home, "import", "newsboat", "--dir", str(folder))
    assert first.returncode == 0, first.stderr
    assert "the newsboat key preset" in first.stdout
    config = home / "config" / "config.toml"
    assert tomllib.loads(config.read_text())["keys"] == {
        "preset": "newsboat",
        "refresh_feeds": "ctrl+r",
    }
    config.write_text('keys = "default"\n')  # the user's own choice, as a string
    again = run_reader(home, "import", "newsboat", "--dir", str(folder))
    assert again.returncode == 0, again.stderr
    assert tomllib.loads(config.read_text()) == {"keys": "default"}  # still TOML, still theirs
    assert "config bind-key for refresh_feeds" in again.stdout.split("not carried over: ")[1]


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
            "bind-key x toggle-show-read-feeds\n"
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
        with Store(resolve_paths(home)) as store:  # before any refresh: newsboat's titles
            titles = {f.url: f.title for f in store.list_feeds()}
        assert titles == {one: "My Name for One", two: "Feed Two"}
        assert summary["read_marks"] == 2
        assert summary["bookmarks"] == 2  # newsboat's items are stories already
        assert summary["items"] == {"imported": 5, "already_stored": 0, "skipped": 0,
                                    "skipped_by_reason": {}, "trimmed": 0}  # fmt: skip
        assert summary["skipped"] == {"exec": 1, "filter": 1}
        assert summary["queries"] == ["Unread"] and summary["ignore_rules"] == 0
        assert summary["settings"] == [
            "refresh_interval",
            "preset",
            "refresh_feeds",
        ]  # (max_stories: mine)
        assert "config show-read-feeds" in summary["not_carried_over"]
        assert "config bind-key x" in summary["not_carried_over"]
        config = (home / "config" / "config.toml").read_text()
        assert config.startswith('# mine\ntheme = "newsprint"\n')
        assert tomllib.loads(config) == {
            "theme": "newsprint",
            "feeds": {"max_stories": 7, "refresh_interval": 30},
            "keys": {"preset": "newsboat", "refresh_feeds": "ctrl+r"},
            "query": [{"title": "Unread", "query": "is:unread"}],
        }

        seen.clear()
        refreshed = run_reader(home, "refresh", "--json")
        assert refreshed.returncode == 0, refreshed.stderr
        assert sorted(seen) == [
            ("/one.xml", '"one-1"', "Tue, 01 Dec 2026 10:00:00 GMT"),
            ("/two.xml", '"two-1"', "Tue, 01 Dec 2026 10:00:00 GMT"),
        ]

        # Importing again adds nothing twice: the stories and bookmarks are there.
        again = run_reader(home, "import", "newsboat", "--dir", str(folder),
                           "--flag-as-bookmark", "s")  # fmt: skip
        assert again.returncode == 0, again.stderr
        assert (
            "imported 2 feeds (1 hidden), 2 read marks, 0 bookmarks, 0 stories"
            " (5 stored already)" in again.stdout
        )
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


def _conditional(documents: dict[str, bytes], seen: list[tuple[str, int]]) -> dict[str, object]:
    """Routes that answer 304 to a request naming the document's current ETag, and 200
    with the document otherwise (``documents`` may change between requests)."""

    def route(path: str) -> object:
        def answer(handler: BaseHTTPRequestHandler) -> None:
            body = documents[path]
            etag = f'"{hash(body) & 0xFFFFFFFF:x}"'
            if handler.headers.get("If-None-Match") == etag:
                seen.append((path, 304))
                handler.send_response(304)
                handler.send_header("ETag", etag)
                handler.end_headers()
                return
            seen.append((path, 200))
            handler.send_response(200)
            handler.send_header("Content-Type", "application/rss+xml")
            handler.send_header("ETag", etag)
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)

        return answer

    return {path: route(path) for path in documents}


def _newsboat_reload(folder: Path, times: int = 2) -> None:
    """Let the real newsboat fetch the feeds of ``folder/urls`` into ``folder/cache.db``
    (from its second reload it keeps the feeds' validators)."""
    assert NEWSBOAT is not None
    (folder / "config").touch()
    for _ in range(times):
        subprocess.run([NEWSBOAT, "-u", str(folder / "urls"), "-c", str(folder / "cache.db"),
                        "-C", str(folder / "config"), "-x", "reload"],
                       check=True, timeout=120, capture_output=True)  # fmt: skip


def _item(title: str, link: str | None = None, guid: str | None = None,
          date: str | None = "Tue, 01 Dec 2026 09:00:00 GMT", body: str = "",
          extra: str = "") -> str:  # fmt: skip
    return (
        f"<item><title>{title}</title>"
        + (f"<link>{link}</link>" if link else "")
        + (f"<guid isPermaLink='false'>{guid}</guid>" if guid else "")
        + (f"<pubDate>{date}</pubDate>" if date else "")
        + (f"<description>{body}</description>" if body else "")
        + extra
        + "</item>"
    )


def _channel(*items: str) -> bytes:
    return (
        '<?xml version="1.0"?><rss version="2.0"'
        ' xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
        "<title>Quay &amp; Harbour</title><link>http://site.test/</link>"
        + "".join(items)
        + "</channel></rss>"
    ).encode()


# Items of every kind of identity a refresh gives: a link (with tracking parameters), a
# link without a guid, a relative link, a guid without a link, neither; and text that
# needs cleaning (markup in a title, a bidi override, an author's mail, full content).
ODD_ITEMS = (
    _item("Dated", "http://site.test/a?utm_source=rss&amp;id=1", "ga",
          body="&lt;p&gt;Hello &lt;b&gt;world&lt;/b&gt;&lt;/p&gt;",
          extra="<author>bob@example.org (Bob Quay)</author>"),
    _item("No guid", "http://site.test/b", body="b text",
          date="Mon, 30 Nov 2026 08:00:00 GMT"),
    _item("Relative link", "/rel/c", body="c text", date="Sun, 29 Nov 2026 08:00:00 GMT"),
    _item("Only a guid", None, "gd", body="d text", date="Sat, 28 Nov 2026 08:00:00 GMT"),
    _item("Only a title", body="e text", date="Fri, 27 Nov 2026 08:00:00 GMT"),
    _item("&lt;b&gt;Bold&lt;/b&gt; and &amp;amp; \u202emirrored", "http://site.test/f",
          "gf", date="Thu, 26 Nov 2026 08:00:00 GMT", body="short f",
          extra="<content:encoded><![CDATA[<p>full <i>f</i> <a href='/x'>link</a></p>]]>"
          "</content:encoded>"),
)  # fmt: skip


def _listed(home: Path, *args: str) -> list[dict[str, object]]:
    result = run_reader(home, "list", "--json", *args)
    assert result.returncode == 0, result.stderr
    listed: list[dict[str, object]] = json.loads(result.stdout)
    return listed


@pytest.mark.skipif(NEWSBOAT is None, reason="needs the newsboat binary")
def test_newsboat_items_are_there_when_the_first_refresh_gets_304(
    home: Path, tmp_path: Path
) -> None:
    seen: list[tuple[str, int]] = []
    documents = {"/feed.xml": _channel(*ODD_ITEMS)}
    folder = tmp_path / "newsboat"
    folder.mkdir()
    with serve(_conditional(documents, seen)) as base:  # type: ignore[arg-type]
        url = f"{base}/feed.xml"
        (folder / "urls").write_text(f"{url} harbour\n")
        _newsboat_reload(folder)
        with sqlite3.connect(folder / "cache.db") as conn:
            conn.execute("UPDATE rss_item SET unread = 0 WHERE title = 'No guid'")
            conn.execute("UPDATE rss_item SET flags = 'sx' WHERE title = 'Only a guid'")
            assert conn.execute("SELECT count(*) FROM rss_item").fetchone()[0] == 6

        result = run_reader(home, "import", "newsboat", "--dir", str(folder),
                            "--flag-as-bookmark", "s", "--json")  # fmt: skip
        assert result.returncode == 0, result.stderr
        summary = json.loads(result.stdout)
        assert summary["items"]["imported"] == 6 and summary["items"]["skipped"] == 0
        assert summary["bookmarks"] == 1 and summary["read_marks"] == 1

        seen.clear()
        refreshed = run_reader(home, "refresh", "--json")
        assert refreshed.returncode == 0, refreshed.stderr
        assert seen == [("/feed.xml", 304)]  # the validators came over: nothing was sent
        imported = _listed(home)
        assert len(imported) == 6
        by_title = {story["title"]: story for story in imported}
        assert set(by_title) == {
            "Dated", "No guid", "Relative link", "Only a guid", "Only a title",
            "Bold and & mirrored",
        }  # fmt: skip
        assert [t for t, s in by_title.items() if s["read"]] == ["No guid"]
        assert [t for t, s in by_title.items() if s["bookmarked"]] == ["Only a guid"]
        assert by_title["Dated"]["author"] == "Bob Quay"
        assert by_title["Dated"]["site"] == "Quay & Harbour"
        assert by_title["Dated"]["published"] == "2026-12-01T09:00:00+00:00"
        assert _listed(home, "--tag", "harbour") == imported
        shown = run_reader(home, "show", "--json", str(by_title["Dated"]["id"]))
        assert shown.returncode == 0, shown.stderr
        assert "Hello **world**" in json.loads(shown.stdout)["body"]

        # A home that never saw newsboat, refreshing the same feed, has the same stories
        # under the same ids: the import made them as a refresh does.
        fresh = tmp_path / "fresh"
        assert run_reader(fresh, "feed", "add", url).returncode == 0
        assert run_reader(fresh, "refresh").returncode == 0
        fetched = _listed(fresh)

        def keyed(stories: list[dict[str, object]]) -> dict[object, tuple[object, ...]]:
            return {s["id"]: (s["title"], s["url"], s["published"], s["author"], s["site"])
                    for s in stories}  # fmt: skip

        assert keyed(imported) == keyed(fetched)
        for story in fetched:
            body = json.loads(run_reader(fresh, "show", "--json", str(story["id"])).stdout)
            mine = json.loads(run_reader(home, "show", "--json", str(story["id"])).stdout)
            assert mine["body"] == body["body"]

        # The feed changes: the refresh brings the new item and leaves the imported ones.
        documents["/feed.xml"] = _channel(
            _item("Brand new", "http://site.test/new", "gnew",
                  date="Tue, 01 Dec 2026 11:00:00 GMT"),
            *ODD_ITEMS,
        )  # fmt: skip
        changed = run_reader(home, "refresh", "--json")
        assert changed.returncode == 0, changed.stderr
        report = json.loads(changed.stdout)
        assert (report["new"], report["updated"]) == (1, 0), report
        after = _listed(home)
        assert len(after) == 7 and len({s["id"] for s in after}) == 7
        assert {s["id"]: s["read"] for s in after if s["title"] != "Brand new"} == {
            s["id"]: s["read"] for s in imported
        }


def _real_cache(folder: Path, items: tuple[str, ...] = ODD_ITEMS[:2]) -> str:
    """A cache.db (and urls file) made in ``folder`` by the real newsboat; returns the
    feed's URL (its server is gone afterwards: a refresh would fail, not matter)."""
    folder.mkdir()
    with serve(_conditional({"/feed.xml": _channel(*items)}, [])) as base:  # type: ignore[arg-type]
        url = f"{base}/feed.xml"
        (folder / "urls").write_text(f"{url}\n")
        _newsboat_reload(folder, times=1)
    return url


def _loosen(cache: Path) -> None:
    """rss_item without newsboat's NOT NULL constraints, rows kept: what a damaged or
    hand-edited cache may hold."""
    with sqlite3.connect(cache) as conn:
        columns = [row[1] for row in conn.execute("PRAGMA table_info(rss_item)")]
        conn.execute("ALTER TABLE rss_item RENAME TO old_item")
        conn.execute(f"CREATE TABLE rss_item ({', '.join(columns)})")
        conn.execute("INSERT INTO rss_item SELECT * FROM old_item")
        conn.execute("DROP TABLE old_item")


@pytest.mark.skipif(NEWSBOAT is None, reason="needs the newsboat binary")
def test_bad_items_are_skipped_with_a_reason_and_the_rest_imported(
    home: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "newsboat"
    url = _real_cache(folder)
    _loosen(folder / "cache.db")
    evil = "Evil \x1b]0;pwned\x07title \x1b[31mred\x9b2J \u202eend"
    rows: list[tuple[object, ...]] = [
        # (guid, title, author, url, feedurl, pubDate, content, unread, deleted)
        (None, None, None, None, url, None, None, 1, 0),  # nothing at all
        ("g-nofeed", "No feed", "", "http://site.test/nofeed", None, 1, "x", 1, 0),
        ("g-untitled", None, None, None, url, 1796115600, "<p>First line</p><p>more</p>", 1, 0),
        ("g-broken", "Broken", "", "http://site.test/broken", url, 1796115600,
         "<p><b>unclosed <div><table><tr><td>cell <script>alert(1)</script><<<>>>&#xZZ;&",
         1, 0),
        ("g-evil", evil, evil, "http://site.test/evil\x1b[2J?utm_source=x", url, 1796115600,
         f"<p>{evil}</p><a href='javascript:alert(1)'>x</a>", 0, 0),
        ("g-huge", "Huge", "", "http://site.test/huge", url, 1796115600,
         "<p>" + "word " * 700_000 + "</p>", 1, 0),
        ("g-date", "Odd date", "", "http://site.test/date", url, "not a date", "text", "yes", 0),
        ("g-deleted", "Deleted", "", "http://site.test/deleted", url, 1796115600, "x", 1, 1),
        ("g-blob", b"Blob \xff title", b"", "http://site.test/blob", url, 1796115600,
         b"<p>bytes \xfe</p>", 1, 0),
    ]  # fmt: skip
    with sqlite3.connect(folder / "cache.db") as conn:
        conn.executemany(
            "INSERT INTO rss_item (guid, title, author, url, feedurl, pubDate, content, unread,"
            " deleted) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        # Text that is not UTF-8, stored as text (sqlite3 refuses to read it as str).
        conn.execute(
            "INSERT INTO rss_item (guid, title, author, url, feedurl, pubDate, content,"
            " unread, deleted) VALUES ('g-latin', CAST(x'4361666520c3a920cafe' AS TEXT), '',"
            " 'http://site.test/latin', ?, 1796115600, CAST(x'3c703ee920693c2f703e' AS TEXT),"
            " 1, 0)",
            (url,),
        )

    result = run_reader(home, "import", "newsboat", "--dir", str(folder), "--json")
    assert result.returncode == 0, result.stderr
    items = json.loads(result.stdout)["items"]
    assert items["skipped_by_reason"] == {
        "deleted in newsboat": 1,
        "its feed is not imported": 1,
        "no title, text or link": 1,
        "content over 2 MB": 1,
    }
    assert items["skipped"] == 4
    # newsboat's two, untitled, broken, evil, odd date, blob, latin
    assert items["imported"] == 8

    stories = {s["title"]: s for s in _listed(home)}
    assert {"No guid", "Dated", "First line", "Broken", "Odd date"} <= set(stories)
    assert "Blob \ufffd title" in stories and "Cafe é \ufffd\ufffd" in stories
    cleaned = next(s for t, s in stories.items() if t.startswith("Evil"))
    assert cleaned["read"] is True  # newsboat's read mark came with it
    shown = run_reader(home, "show", "--json", str(cleaned["id"]))
    assert shown.returncode == 0, shown.stderr
    text = json.dumps(json.loads(shown.stdout), ensure_ascii=False)
    for bad in ("\x1b", "\x07", "\x9b", "\u202e"):
        assert bad not in text, repr(bad)
    assert cleaned["url"] == "http://site.test/evil?utm_source=x"  # the sequence went whole
    assert stories["Odd date"]["published"] is None

    # Its identity is its link as a refresh cleans it (control characters and tracking
    # parameters gone), so a refresh that brings it finds this story.
    assert cleaned["id"] == prepare("http://site.test/evil", "", Page("")).id


@pytest.mark.skipif(NEWSBOAT is None, reason="needs the newsboat binary")
def test_importing_again_adds_nothing_twice_and_keeps_the_marks(home: Path, tmp_path: Path) -> None:
    folder = tmp_path / "newsboat"
    _real_cache(folder, ODD_ITEMS)
    with sqlite3.connect(folder / "cache.db") as conn:
        conn.execute("UPDATE rss_item SET unread = 0 WHERE title = 'Dated'")
        conn.execute("UPDATE rss_item SET flags = 's' WHERE title = 'No guid'")
    args = ("import", "newsboat", "--dir", str(folder), "--flag-as-bookmark", "s", "--json")
    first = run_reader(home, *args)
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["items"]["imported"] == 6
    before = {s["title"]: s for s in _listed(home)}
    # Marks made in reader since: they stay.
    assert run_reader(home, "mark-read", str(before["Only a title"]["id"])).returncode == 0
    assert run_reader(home, "bookmark", str(before["Only a guid"]["id"])).returncode == 0

    again = run_reader(home, *args)
    assert again.returncode == 0, again.stderr
    summary = json.loads(again.stdout)
    assert summary["items"]["imported"] == 0 and summary["items"]["already_stored"] == 6
    assert summary["bookmarks"] == 0
    after = {s["title"]: s for s in _listed(home)}
    assert len(_listed(home)) == 6 and set(after) == set(before)
    assert {t for t, s in after.items() if s["read"]} == {"Dated", "Only a title"}
    assert {t for t, s in after.items() if s["bookmarked"]} == {"No guid", "Only a guid"}
    with Store(resolve_paths(home)) as store:  # the import's read marks, in the unread list
        assert_unread_exact(store)


@pytest.mark.skipif(NEWSBOAT is None, reason="needs the newsboat binary")
def test_imported_items_keep_to_max_stories_as_a_refresh_does(home: Path, tmp_path: Path) -> None:
    folder = tmp_path / "newsboat"
    _real_cache(folder, ODD_ITEMS)
    (folder / "config").write_text("max-items 2\n")
    with sqlite3.connect(folder / "cache.db") as conn:  # an old one, flagged
        conn.execute("UPDATE rss_item SET flags = 's' WHERE title = 'Only a title'")
    result = run_reader(home, "import", "newsboat", "--dir", str(folder),
                        "--flag-as-bookmark", "s", "--json")  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["items"]["trimmed"] == 3
    titles = {s["title"] for s in _listed(home)}
    assert titles == {"Dated", "No guid", "Only a title"}  # the newest two; the bookmark


def test_an_item_that_breaks_the_converter_is_counted_and_logged(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: object) -> None:
        raise RuntimeError("converter bug")

    monkeypatch.setattr(newsboat, "item_page", broken)
    feed = newsboat.CacheFeed("http://a.test/feed", None, None, "A")
    converter = newsboat.ItemRows(newsboat.NewsboatCache((feed,)), {feed.url})
    item = newsboat.CacheItem(feed.url, "http://a.test/1", "g1", True, "", "One")
    with caplog.at_level("WARNING", logger="reader"):
        assert converter.row(item) is None
    assert converter.skipped == {"failed (RuntimeError)": 1}
    assert "newsboat item 'g1'" in caplog.text and "converter bug" in caplog.text


@pytest.mark.parametrize(
    ("url", "guid", "title", "source"),
    [
        # newsboat's own guid from a link as written (+ the date), resolved on the site
        ("http://site.test/x/c/d", "c/dSun, 29 Nov 2026 08:00:00 GMT", "T",
         "http://a.test/news/c/d"),
        ("http://site.test/rel/c", "/rel/c", "T", "http://a.test/rel/c"),
        ("http://other.test/p", "//other.test/p", "T", "http://other.test/p"),
        # the feed's own guid: the link is the identity
        ("http://site.test/p?utm_medium=rss", "g7", "T", "http://site.test/p"),
        ("http://site.test/x/c/d", "c/d-not-a-date", "T", "http://site.test/x/c/d"),
        # no link: the feed's guid, else (newsboat used the title) the title's hash
        ("", "g8", "T", "http://a.test/news/feed.xml#g8"),
        ("", "Only a title", "Only a title", "http://a.test/news/feed.xml#66a34d0313f374f0"),
    ],
)  # fmt: skip
def test_an_item_gets_the_identity_a_refresh_gives_it(
    url: str, guid: str, title: str, source: str
) -> None:
    feed = newsboat.CacheFeed("http://a.test/news/feed.xml", None, None, "A",
                              "http://site.test/x/")  # fmt: skip
    item = newsboat.CacheItem(feed.url, url, guid, True, "", title, "", "<p>text</p>", 1)
    row = newsboat.item_row(item, feed)
    assert row.source == source


@pytest.mark.skipif(NEWSBOAT is None, reason="needs the newsboat binary")
def test_a_cache_that_breaks_part_way_stores_nothing(home: Path, tmp_path: Path) -> None:
    folder = tmp_path / "newsboat"
    words = "harbour council market quay bonds ferry river tram " * 40
    _real_cache(folder, tuple(
        _item(f"Item {n}", f"http://site.test/{n}", f"g{n}", body=f"&lt;p&gt;{words}&lt;/p&gt;")
        for n in range(300)
    ))  # fmt: skip
    cache = folder / "cache.db"
    data = bytearray(cache.read_bytes())
    page = int(len(data) * 0.6) // 4096 * 4096  # among the items' pages
    data[page : page + 4096] = b"\xff" * 4096
    cache.write_bytes(bytes(data))
    assert newsboat.read_cache(cache).feeds  # what is read first is whole: it breaks later
    with pytest.raises(newsboat.NewsboatError):
        list(newsboat.iter_items(cache))

    result = run_reader(home, "import", "newsboat", "--dir", str(folder))
    assert result.returncode == 1
    assert "malformed" in result.stderr and result.stderr.strip().count("\n") == 0
    with Store(resolve_paths(home)) as store:
        assert store.list_feeds() == [] and store.list_stories() == []


def test_an_imported_item_never_replaces_a_story_stored_already(store: Store) -> None:
    """A page ingested before (its full article) stays as it is; only the marks come."""
    from reader.store.feeds import ImportedFeed, ImportedItem

    store.save_pages([("http://site.test/a", "hash", Page("Full article", body="All of it."))])
    feed = newsboat.CacheFeed("http://a.test/feed", None, None, "A")
    converter = newsboat.ItemRows(newsboat.NewsboatCache((feed,)), {feed.url})
    same = newsboat.CacheItem(feed.url, "http://site.test/a", "ga", False, "s", "Summary",
                              "", "<p>Just a summary.</p>", 1796115600)  # fmt: skip
    new = newsboat.CacheItem(feed.url, "http://site.test/b", "gb", True, "", "Other", "",
                             "<p>b</p>", 1796115600)  # fmt: skip
    items = [
        ImportedItem(row, (row.id,), not item.unread, "s" in item.flags)
        for item in (same, new)
        if (row := converter.row(item)) is not None
    ]
    counts = store.import_feeds([ImportedFeed(feed.url, None, (), False, None, None)], items)
    assert (counts.stories, counts.stored_already, counts.read_marks, counts.bookmarks) == (
        1, 1, 1, 1,
    )  # fmt: skip
    kept = store.get(items[0].ids[0])
    assert (kept.title, kept.body, kept.read, kept.bookmarked) == (
        "Full article", "All of it.", True, True,
    )  # fmt: skip
    again = store.import_feeds([], items)
    assert (again.stories, again.stored_already, again.read_marks, again.bookmarks) == (
        0, 2, 0, 0,
    )  # fmt: skip
    assert store.count() == 2


def test_filter_expressions_as_ignore_rules_and_queries() -> None:
    rules = newsboat.ignore_rules
    assert rules("*", 'title =~ "Windows"') == [{"feed": "*", "title": "(?i)Windows"}]
    assert rules("*", 'title =~ "^[[:digit:]]+ \\<deals"') == [
        {"feed": "*", "title": "(?i)^[0-9]+ \\bdeals"}
    ]
    assert rules("*", 'author = "Bob B." and rssurl = "http://a.test/f"') == [
        {"feed": "http://a.test/f", "author": "^Bob B\\.\\Z"}
    ]
    assert rules("http://a.test/f", '( title !~ "news" or tags # "ads" )') == [
        {"feed": "http://a.test/f", "title": "(?is)^(?!.*(?:news))"},
        {"feed": "http://a.test/f", "tag": "^ads\\Z"},
    ]
    for expression, reason in [
        ("age > 3", "[[ignore]] has nothing for 'age'"),
        ('title =~ "a" and author =~ "b" or title =~ "c"', "and mixed with or"),
        ('(title =~ "a" or title =~ "b") and author = "c"', "groups in parentheses"),
        ('title =~ "a" and title =~ "b"', "two conditions on title"),
        ('title =~ "[[:alpha:]"', "is not a regex reader reads"),
        ("title between 1:2", "title between is not translated"),
        ("title =~", "a comparison is incomplete"),
    ]:
        with pytest.raises(newsboat.Untranslatable, match=re.escape(reason)):
            rules("*", expression)
    query = newsboat.translate_query
    assert query('unread = "yes" and tags # "linux news"') == 'is:unread tag:"linux news"'
    assert query('tags # "a" or tags # "b"') == "tag:a tag:b"
    assert query('age between 0:7 and rssurl =~ "bbc"') == "after:8d site:bbc"
    assert query('age < 3 and unread != "yes"') == "after:3d is:read"
    assert query('title =~ "tide tables"') == "tide tables"
    for expression in ('flags # "s"', 'unread = "yes" or tags # "a"', 'title =~ "^a.*b"'):
        with pytest.raises(newsboat.Untranslatable):
            query(expression)
    assert newsboat.query_feed('"query:Tech, unread:unread = \\"yes\\"" ~x') == {
        "title": "Tech, unread",
        "query": "is:unread",
    }
    # ignore-mode decides the action, wherever it is in the file: download (newsboat's
    # default) never stores; display stores and hides.
    translated = newsboat.translate_config(
        'ignore-article "*" "title =~ \\"Windows\\""\nbrowser "lynx -dump %u"\nmacro p open\n'
    )
    assert translated.ignore == ({"feed": "*", "title": "(?i)Windows", "action": "drop"},)
    assert translated.browser == "lynx -dump %u" and translated.not_carried == ("macro",)
    shown = newsboat.translate_config('ignore-article "*" "author = \\"x\\""\nignore-mode display')
    assert [rule["action"] for rule in shown.ignore] == ["hide"]


@pytest.mark.skipif(NEWSBOAT is None, reason="needs the newsboat binary")
def test_newsboats_killfile_browser_and_query_feeds_come_over(home: Path, tmp_path: Path) -> None:
    folder = tmp_path / "newsboat"
    folder.mkdir()
    items = [
        _item("Harbour news", "http://site.test/a", "ga", body="a text"),
        _item("SPONSORED: boats", "http://site.test/b", "gb", body="b text"),
        _item("Tide tables", "http://site.test/c", "gc", body="c text",
              extra="<author>spam@bot.test (Spam Bot)</author>"),
    ]  # fmt: skip
    routes = {"/feed.xml": send(200, _channel(*items), "application/rss+xml")}
    with serve(routes) as base:  # type: ignore[arg-type]
        feed = f"{base}/feed.xml"
        (folder / "urls").write_text(
            f"{feed} tech\n"
            '"query:Unread tech:unread = \\"yes\\" and tags # \\"tech\\""\n'
            '"query:Old or unread:age > 3 or unread = \\"yes\\""\n'
        )
        # A config newsboat itself reads (it stops at a line it does not know): in
        # "display" mode it keeps the ignored items in its cache, and hides them.
        (folder / "config").write_text(
            'ignore-mode "display"\n'
            'ignore-article "*" "title =~ \\"sponsored\\""\n'
            f'ignore-article "{feed}" "author =~ \\"spam\\" or title = \\"Never\\""\n'
            'ignore-article "*" "age > 300"\n'
            'browser "lynx %u"\n'
            "macro p open ; next\n"
        )
        _newsboat_reload(folder, times=1)
        with sqlite3.connect(folder / "cache.db") as conn:
            assert conn.execute("SELECT count(*) FROM rss_item").fetchone()[0] == 3

        result = run_reader(home, "import", "newsboat", "--dir", str(folder), "--json")
        assert result.returncode == 0, result.stderr
        summary = json.loads(result.stdout)
        assert summary["items"]["imported"] == 1
        assert summary["items"]["skipped_by_reason"] == {"hidden by an [[ignore]] rule": 2}
        assert summary["ignore_rules"] == 3 and summary["queries"] == ["Unread tech"]
        assert "browser" in summary["settings"]
        not_carried = summary["not_carried_over"]
        assert any(n.startswith("query feed") and "or is translated" in n for n in not_carried)
        assert any("'age > 300'" in n and "nothing for 'age'" in n for n in not_carried)
        assert "config macro" in not_carried
        config = tomllib.loads((home / "config" / "config.toml").read_text())
        assert config["browser"] == "lynx %u"
        assert config["query"] == [{"title": "Unread tech", "query": "is:unread tag:tech"}]
        assert config["ignore"] == [
            {"feed": "*", "title": "(?i)sponsored", "action": "hide"},
            {"feed": feed, "author": "(?i)spam", "action": "hide"},
            {"feed": feed, "title": "^Never\\Z", "action": "hide"},
        ]
        assert [s["title"] for s in _listed(home)] == ["Harbour news"]

        # A refresh applies the same rules: nothing new hidden, nothing listed twice.
        refreshed = run_reader(home, "refresh", "--json")
        assert refreshed.returncode == 0, refreshed.stderr
        assert json.loads(refreshed.stdout)["ignored"] == {"hidden": 0, "dropped": 0}
        assert [s["title"] for s in _listed(home)] == ["Harbour news"]
        again = run_reader(home, "import", "newsboat", "--dir", str(folder), "--json")
        assert json.loads(again.stdout)["ignore_rules"] == 0  # not written twice
        assert json.loads(again.stdout)["queries"] == []
    with Store(resolve_paths(home)) as store:
        assert store.hidden_count() == 2


def test_every_translated_newsboat_key_names_a_binding_reader_has() -> None:
    from reader.app.keys import READING_BINDINGS
    from reader.feeds.newsboat import translate_config

    operations = (
        "next-unread prev-unread open-in-browser-and-mark-read next-feed prev-feed pipe-to"
        " show-urls cmdline quit toggle-article-read bookmark"
    ).split()
    text = "\n".join(f"bind-key {chr(ord('a') + n)} {op}" for n, op in enumerate(operations))
    translation = translate_config(text)
    ids = {binding.id for binding in READING_BINDINGS}
    assert len(translation.keys) == len(operations)
    assert set(translation.keys) <= ids, set(translation.keys) - ids
    assert translation.keys["next_unread"] == "a"
