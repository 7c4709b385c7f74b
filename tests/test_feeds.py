"""Feeds: subscribe, refresh with conditional GET, OPML, bad feeds, items as stories."""

from __future__ import annotations

import json
import sqlite3
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from http_server import redirect, send, serve

from reader.base.fragments import html_to_markdown
from reader.base.models import Feed, Page
from reader.base.paths import Paths, resolve_paths
from reader.feeds.opml import read_subscriptions, write_opml
from reader.feeds.parse import parse_feed
from reader.store import Store

from conftest import FIXTURES, run_reader

FEEDS = FIXTURES / "feeds"
RSS = (FEEDS / "harbour.rss").read_bytes()
JSON_FEED = (FEEDS / "ferries.json").read_bytes()


def huge_feed(declare: bool):  # noqa: ANN201 - a route
    """A 100 MB feed: with its Content-Length declared, or streamed without one."""
    item = b"<item><title>Big</title><description>" + b"x" * 1_000_000 + b"</description></item>"

    def route(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/rss+xml")
        if declare:
            handler.send_header("Content-Length", str(100 * len(item) + 100))
        handler.end_headers()
        try:
            handler.wfile.write(b'<rss version="2.0"><channel><title>Huge</title>')
            for _ in range(100):
                handler.wfile.write(item)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up, as it should

    return route


def markdown(page: Page) -> str:
    """The body a reader sees: made from the item's HTML when the story is read."""
    return html_to_markdown(page.body_html, page.url) if page.body_html else page.body


def conditional(body: bytes, etag: str, hits: list[str]):  # noqa: ANN201 - a route
    """Answers 304 when the client sends the ETag it got."""

    def route(handler: BaseHTTPRequestHandler) -> None:
        hits.append(handler.headers.get("If-None-Match") or "")
        if handler.headers.get("If-None-Match") == etag:
            handler.send_response(304)
            handler.end_headers()
            return
        send(200, body, "application/rss+xml", {"ETag": etag})(handler)

    return route


def test_rss_items_become_stories() -> None:
    parsed = parse_feed(RSS, "https://harbour.example/feed.xml")
    assert parsed.title == "Harbour & Quay News"
    assert len(parsed.pages) == 3
    key, first = parsed.pages[0]
    assert key == "https://harbour.example/news/tide-gauge"
    assert first.title == "Tide gauge replaced at the pier"
    assert first.url == "https://harbour.example/news/tide-gauge"
    assert first.published == "2025-06-02T08:30:00+00:00"
    assert first.section == ["Harbour"]
    assert first.site == "Harbour & Quay News"
    assert markdown(first).split("\n\n") == [
        "The old tide gauge was *finally* replaced on Monday.",
        "[bold red]ALERT[/] stays literal.",
    ]
    assert first.body == (  # the plain text that search indexes
        "The old tide gauge was finally replaced on Monday.\n[bold red]ALERT[/] stays literal."
    )
    untitled_key, untitled = parsed.pages[2]
    assert untitled_key.startswith("https://harbour.example/feed.xml#")
    assert untitled.title.startswith("An item with no title")


def test_feed_stories_read_as_markdown_and_search_as_text(home: Path, tmp_path: Path) -> None:
    feed = RSS.replace(
        b"replaced on Monday.&lt;/p&gt;",
        b"replaced on Monday. &lt;a href=&quot;/tides&quot;&gt;Tide tables&lt;/a&gt;&lt;/p&gt;",
    )
    (tmp_path / "feed.rss").write_bytes(feed)
    assert run_reader(home, "feed", "add", str(tmp_path / "feed.rss")).returncode == 0
    stories = json.loads(run_reader(home, "list", "--json").stdout)
    tide_id = next(s["id"] for s in stories if s["title"].startswith("Tide gauge"))
    shown = json.loads(run_reader(home, "show", tide_id, "--json").stdout)["body"]
    assert shown.split("\n\n") == [
        "The old tide gauge was *finally* replaced on Monday. "
        "[Tide tables](https://harbour.example/tides)",
        "[bold red]ALERT[/] stays literal.",
    ]
    exported = json.loads(run_reader(home, "export", "--format", "json").stdout)
    assert shown in {story["body"] for story in exported}
    with Store(resolve_paths(home)) as store:
        assert [s.id for s in store.search("finally tables")] == [tide_id]
    # A bookmark keeps the item's HTML too: the Markdown outlives the cache.
    assert run_reader(home, "bookmark", tide_id).returncode == 0
    (home / "cache" / "stories.sqlite3").unlink()
    kept = json.loads(run_reader(home, "show", tide_id, "--json").stdout)["body"]
    assert kept == shown


def test_json_feed() -> None:
    parsed = parse_feed(JSON_FEED, "https://ferries.example/feed.json")
    ((key, page),) = parsed.pages
    assert (parsed.title, page.title, page.author) == (
        "Ferry Times",
        "Night ferry runs again",
        "Ada Fenwick",
    )
    assert markdown(page) == "The overnight ferry sailed on **Friday**."
    assert page.published == "2025-05-03T07:15:00+01:00"


def test_add_list_refresh_with_conditional_get_and_remove(home: Path) -> None:
    hits: list[str] = []
    routes = {
        "/feed.xml": conditional(RSS, '"v1"', hits),
        "/site": send(
            200,
            b'<html><head><link rel="alternate" type="application/rss+xml" '
            b'href="/feed.xml"></head><body>Home</body></html>',
        ),  # fmt: skip
    }
    with serve(routes) as base:
        added = run_reader(home, "feed", "add", f"{base}/site", "--json")
        assert added.returncode == 0, added.stderr
        feed = json.loads(added.stdout)
        assert feed["url"] == f"{base}/feed.xml" and feed["stories"] == 3
        listed = json.loads(run_reader(home, "feed", "list", "--json").stdout)
        assert [sorted(f) for f in listed] == [
            sorted(
                ["id", "title", "url", "last_refresh", "last_error", "stories", "unread", "hidden"]
            )
        ]
        assert listed[0]["title"] == "Harbour & Quay News" and listed[0]["unread"] == 3
        again = run_reader(home, "refresh")
        assert again.returncode == 0
        assert again.stdout.strip() == (
            "refreshed 1 feed: 0 new, 0 updated stories, 1 not modified, 0 failed"
        )
    assert hits[-1] == '"v1"'  # the second fetch was conditional
    stories = json.loads(run_reader(home, "list", "--json").stdout)
    assert {s["site"] for s in stories} == {"Harbour & Quay News"}
    removed = run_reader(home, "feed", "remove", "1")
    assert removed.returncode == 0 and "kept its 3 stories" in removed.stdout
    assert len(json.loads(run_reader(home, "list", "--json").stdout)) == 3
    assert json.loads(run_reader(home, "feed", "list", "--json").stdout) == []


def test_refresh_goes_on_past_bad_feeds(home: Path, tmp_path: Path) -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + b"".join(
            b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i else b"&lol;") * 10)
            for i in range(1, 9)
        )
        + b']><rss version="2.0"><channel><title>&lol8;</title></channel></rss>'
    )
    local = tmp_path / "local.json"
    local.write_bytes(JSON_FEED)
    routes = {
        "/good.xml": send(200, RSS, "application/rss+xml"),
        "/gone.xml": send(404, b"gone"),
        "/page.html": send(200, b"<html><body><p>Just a page.</p></body></html>"),
        "/broken.xml": send(200, b"<rss><channel><title>Broken</title><item><title>x", "text/xml"),
        "/bomb.xml": send(200, bomb, "application/xml"),
        "/loop.xml": redirect("/loop.xml"),
        "/declared-100mb.xml": huge_feed(declare=True),
        "/streamed-100mb.xml": huge_feed(declare=False),
    }
    names = ["good.xml", "gone.xml", "page.html", "broken.xml", "bomb.xml", "loop.xml"]
    names += ["declared-100mb.xml", "streamed-100mb.xml"]
    with serve(routes) as base:
        urls = [f"{base}/{name}" for name in names]
        listing = tmp_path / "urls"
        listing.write_text("\n".join(f'{u} news "big tag"' for u in urls) + f"\nfile://{local}\n")
        imported = run_reader(home, "feed", "import", str(listing))
        assert imported.returncode == 0 and "imported 9 new feeds" in imported.stdout
        result = run_reader(home, "refresh", timeout=120)
    assert result.returncode == 1
    errors = dict(
        line.removeprefix("reader: ").split(": ", 1) for line in result.stderr.splitlines()
    )
    assert errors[f"{base}/gone.xml"] == "HTTP 404"
    assert errors[f"{base}/loop.xml"] == "too many redirects (more than 10)"
    assert errors[f"{base}/page.html"] == "not a feed: an HTML page that announces no feed"
    for name in ("declared-100mb.xml", "streamed-100mb.xml"):  # refused at 20 MB, not read
        assert errors[f"{base}/{name}"] == "feed too large (over 20 MB)"
    feeds = {f["url"]: f for f in json.loads(run_reader(home, "feed", "list", "--json").stdout)}
    assert feeds[f"{base}/good.xml"]["stories"] == 3
    assert feeds[f"file://{local}"]["stories"] == 1
    assert feeds[f"{base}/gone.xml"]["last_error"] == "HTTP 404"
    assert len(feeds[f"{base}/bomb.xml"]["title"] or "") < 1000  # entities not expanded
    titles = {s["title"] for s in json.loads(run_reader(home, "list", "--json").stdout)}
    assert "Night ferry runs again" in titles and "Night market returns" in titles


def test_stories_by_feed_tag(home: Path, tmp_path: Path) -> None:
    (tmp_path / "harbour.rss").write_bytes(RSS)
    (tmp_path / "ferries.json").write_bytes(JSON_FEED)
    listing = tmp_path / "urls"
    listing.write_text(
        f'{tmp_path / "harbour.rss"} local "port news"\n{tmp_path / "ferries.json"} travel\n'
    )
    assert run_reader(home, "feed", "import", str(listing)).returncode == 0
    assert run_reader(home, "refresh").returncode == 0
    local = json.loads(run_reader(home, "list", "--tag", "port news", "--json").stdout)
    assert {s["site"] for s in local} == {"Harbour & Quay News"} and len(local) == 3
    assert run_reader(home, "mark-read", "--all", "--tag", "travel").stdout.startswith(
        "marked 1 stories read"
    )
    unread = json.loads(run_reader(home, "list", "--unread", "--json").stdout)
    assert len(unread) == 3
    with Store(resolve_paths(home)) as store:
        assert store.tags() == [("local", 3, 3), ("port news", 3, 3), ("travel", 1, 0)]
    harbour = str(tmp_path / "harbour.rss")
    tagged = run_reader(home, "feed", "tag", harbour, "boats", "local")
    assert tagged.stdout.strip() == "Harbour & Quay News: local, port news, boats"
    untagged = run_reader(home, "feed", "tag", harbour, "local", "--remove")
    assert untagged.stdout.strip() == "Harbour & Quay News: port news, boats"
    listing.write_text(f"{harbour} harbour\n")  # importing again adds the new tag
    assert run_reader(home, "feed", "import", str(listing)).returncode == 0
    assert run_reader(home, "feed", "tag", "99", "x").returncode == 1  # no such feed
    with Store(resolve_paths(home)) as store:
        assert store.get_feed(harbour).tags == ["port news", "boats", "harbour"]


def test_a_storage_error_stops_the_refresh_instead_of_hanging(
    paths: Paths, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from reader.feeds import refresh as refresh_module

    with Store(paths) as store:
        for n in range(40):  # more feeds than may wait between download and storage
            feed = tmp_path / f"f{n}.rss"
            feed.write_bytes(RSS.replace(b"harbour.example", b"h%d.example" % n))
            store.add_feed(str(feed))

    def broken(*args: object) -> tuple[int, int]:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(refresh_module, "store_feeds", broken)
    raised: list[BaseException] = []

    def run() -> None:
        try:
            with Store(paths) as store:  # a connection belongs to its thread
                refresh_module.refresh(store, store.list_feeds())
        except BaseException as exc:
            raised.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    worker.join(30)
    assert not worker.is_alive(), "refresh hung after a storage error"
    assert [str(e) for e in raised] == ["disk I/O error"]


def test_opml_round_trip_and_newsboat_urls() -> None:
    feeds = [
        Feed(1, "https://a.example/rss", "A & B", ["news", "local"]),
        Feed(2, "https://c.example/atom"),
    ]
    document = write_opml(feeds)
    assert read_subscriptions(document) == [
        ("https://a.example/rss", "A & B", ["news", "local"]),
        ("https://c.example/atom", "https://c.example/atom", []),
    ]
    assert '<outline text="news">' in document  # a folder: how newsboat and others tag
    urls = (
        '# mine\nhttps://x.example/feed tech "long tag" ~Renamed\n'
        '"query:unread:unread = \\"yes\\""\n'
    )
    assert read_subscriptions(urls) == [("https://x.example/feed", "Renamed", ["tech", "long tag"])]


def test_a_page_and_its_feed_item_are_one_story(home: Path, tmp_path: Path) -> None:
    page = (FIXTURES / "html" / "more-stories.html").read_bytes()
    feed = RSS.replace(
        b"<link>/news/tide-gauge</link>",
        b"<link>https://northwind.example/travel/night-ferry-returns</link>",
    )
    (tmp_path / "feed.rss").write_bytes(feed)
    (tmp_path / "page.html").write_bytes(page)
    assert run_reader(home, "ingest", str(tmp_path / "page.html")).returncode == 0
    assert run_reader(home, "feed", "add", str(tmp_path / "feed.rss")).returncode == 0
    stories = json.loads(run_reader(home, "list", "--json").stdout)
    same = [
        s for s in stories if s["url"] == "https://northwind.example/travel/night-ferry-returns"
    ]
    assert len(same) == 1 and len(stories) == 3
    story = json.loads(run_reader(home, "show", same[0]["id"], "--json").stdout)
    assert story["body"].startswith("The overnight ferry")  # the page's article, not the summary


def test_per_feed_settings_in_config(home: Path) -> None:
    page = (FIXTURES / "html" / "more-stories.html").read_bytes()
    with serve(
        {"/feed.xml": send(200, RSS, "application/rss+xml"), "/news/tide-gauge": send(200, page)}
    ) as base:
        feed_url = f"{base}/feed.xml"
        (home / "config").mkdir(parents=True)
        (home / "config" / "config.toml").write_text(
            f'[feeds]\nrefresh_interval = 60\n\n[feeds."{feed_url}"]\n'
            "max_stories = 2\nfetch_full_page = true\n"
        )
        assert run_reader(home, "feed", "add", feed_url).returncode == 0
        stories = json.loads(run_reader(home, "list", "--json").stdout)
        assert len(stories) == 2  # max_stories: the oldest item went
        assert "Night market returns" not in {s["title"] for s in stories}  # the oldest
        tide_id = next(s["id"] for s in stories if s["title"].startswith("Tide gauge"))
        tide = json.loads(run_reader(home, "show", tide_id, "--json").stdout)
        assert tide["body"].startswith("The overnight ferry")  # the item's page, fetched
        skipped = run_reader(home, "refresh")  # refreshed less than 60 minutes ago
        assert skipped.stdout.startswith("refreshed 0 feeds")
        forced = run_reader(home, "refresh", feed_url)
        assert forced.stdout.startswith("refreshed 1 feed:")
        again = json.loads(run_reader(home, "show", tide_id, "--json").stdout)
        assert again["body"].startswith("The overnight ferry")  # not back to the summary


RSS_10 = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
 xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="http://old.example/"><title>Old Site</title><link>http://old.example/</link>
<description>d</description></channel>
<item rdf:about="http://old.example/1"><title>First &amp; oldest</title>
<link>http://old.example/1</link><description>Hello &lt;b&gt;there&lt;/b&gt;.</description>
<dc:date>2003-12-13T18:30:02Z</dc:date></item>
</rdf:RDF>"""
ATOM_03 = b"""<?xml version="1.0" encoding="utf-8"?>
<feed version="0.3" xmlns="http://purl.org/atom/ns#" xml:base="http://atom.example/blog/">
<title>Atom Zero Three</title><link rel="alternate" type="text/html" href="/"/>
<entry><title type="text/html" mode="escaped">&lt;em&gt;Escaped&lt;/em&gt; title</title>
<link rel="alternate" type="text/html" href="posts/1"/><id>tag:atom.example,2005:1</id>
<issued>2005-07-31T12:29:29Z</issued><modified>2005-07-31T12:29:29Z</modified>
<content type="text/html" mode="escaped">&lt;p&gt;Body text.&lt;/p&gt;</content></entry></feed>"""
RSS_091 = (
    b'<?xml version="1.0" encoding="ISO-8859-1"?><rss version="0.91"><channel>'
    b"<title>Caf\xe9 News</title><link>http://cafe.example/</link><description>x</description>"
    b"<item><title>Cr\xe8me br\xfbl\xe9e returns</title><link>/creme</link>"
    b"<description>Sweet.</description></item></channel></rss>"
)


def test_odd_feeds_rss_1_0_atom_0_3_rss_0_91_and_a_lying_encoding() -> None:
    rdf = parse_feed(RSS_10, "http://old.example/rss")
    assert [(p.title, p.url, p.published, markdown(p)) for _, p in rdf.pages] == [
        ("First & oldest", "http://old.example/1", "2003-12-13T18:30:02+00:00", "Hello **there**.")
    ]
    atom = parse_feed(ATOM_03, "http://atom.example/blog/atom.xml")
    ((_, entry),) = atom.pages
    assert (entry.title, entry.url, markdown(entry)) == (
        "Escaped title",
        "http://atom.example/blog/posts/1",
        "Body text.",
    )
    for document in (RSS_091, RSS_091.replace(b"ISO-8859-1", b"utf-8")):  # the second one lies
        parsed = parse_feed(document, "http://cafe.example/rss")
        assert parsed.title == "Café News"
        assert [(p.title, p.url) for _, p in parsed.pages] == [
            ("Crème brûlée returns", "http://cafe.example/creme")
        ]


MISREAD_BY_THE_FAST_PARSER = {
    "media-title": (
        b'<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel><title>T'
        b"</title><item><media:title>Thumbnail caption</media:title><title>Real headline"
        b"</title><link>http://m.example/1</link></item></channel></rss>",
        "Real headline",
    ),
    "atom-0.3-base64": (
        b'<feed version="0.3" xmlns="http://purl.org/atom/ns#"><title>T</title><entry>'
        b'<title type="text/html" mode="base64">RXhhbXBsZSA8Yj5BdG9tPC9iPg==</title>'
        b'<link rel="alternate" href="http://a.example/1"/></entry></feed>',
        "Example Atom",
    ),
}


@pytest.mark.parametrize("case", MISREAD_BY_THE_FAST_PARSER)
def test_titles_the_fast_parser_would_misread_read_as_feedparser_reads_them(case: str) -> None:
    document, title = MISREAD_BY_THE_FAST_PARSER[case]
    assert [p.title for _, p in parse_feed(document, "http://x.example/").pages] == [title]


def test_items_with_only_a_link_or_a_guid_are_kept() -> None:
    bare = (
        b'<rss version="2.0"><channel><title>T</title>'
        b"<item><link>http://b.example/only-a-link</link></item>"
        b"<item><guid>http://b.example/only-a-guid</guid></item></channel></rss>"
    )
    pages = [p for _, p in parse_feed(bare, "http://b.example/rss").pages]
    assert [(p.title, p.url) for p in pages] == [
        ("http://b.example/only-a-link", "http://b.example/only-a-link"),
        ("http://b.example/only-a-guid", "http://b.example/only-a-guid"),
    ]


def test_a_feed_that_times_out(home: Path) -> None:
    from http_server import slow

    script = (
        "import sys; from reader.feeds import refresh; from reader.plumbing import fetch; "
        "fetch.TOTAL_TIMEOUT_S = 1.0; from reader.cli import main; sys.exit(main())"
    )
    with serve({"/slow.xml": slow(4), "/ok.xml": send(200, RSS, "application/rss+xml")}) as base:
        for name in ("slow.xml", "ok.xml"):
            run_reader(home, "feed", "import", "/dev/stdin", input=f"{base}/{name}\n")
        import subprocess
        import sys

        result = subprocess.run(
            [sys.executable, "-c", script, "--home", str(home), "refresh"],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr.strip() == f"reader: {base}/slow.xml: timed out after 1 s"
    assert "3 new" in result.stdout


def test_ctrl_c_stops_a_refresh_with_one_line(home: Path) -> None:
    import os
    import signal
    import subprocess
    import sys
    import threading
    import time

    from http_server import held

    started = threading.Semaphore(0)
    release = threading.Event()
    routes = {f"/{n}.xml": send(200, RSS.replace(b"harbour", b"h%d" % n)) for n in range(6)}
    routes |= {f"/slow{n}.xml": held(started, release) for n in range(2)}
    with serve(routes) as base:
        listing = "".join(f"{base}{path}\n" for path in routes)
        run_reader(home, "feed", "import", "/dev/stdin", input=listing)
        process = subprocess.Popen(
            [sys.executable, "-P", "-m", "reader", "--home", str(home), "refresh"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
        )  # fmt: skip
        try:
            # Wait until the slow downloads are under way and the quick feeds are stored.
            assert started.acquire(timeout=30) and started.acquire(timeout=30)
            quick = {f"{base}/{n}.xml" for n in range(6)}
            waited = time.monotonic()
            deadline = waited + 30
            while time.monotonic() < deadline:
                feeds = json.loads(run_reader(home, "feed", "list", "--json").stdout)
                seen = {f["url"] for f in feeds if f["last_refresh"]}
                if quick <= seen:
                    break
                time.sleep(0.05)
            waited = time.monotonic() - waited
            os.killpg(process.pid, signal.SIGINT)  # as Ctrl+C does: to every process
            out, err = process.communicate(timeout=30)
        finally:
            release.set()
            if process.poll() is None:
                process.kill()
    # Its stderr says why, if it is not 130; and how long the quick feeds took to show.
    assert process.returncode == 130, (err, f"{waited:.1f} s", sorted(quick - seen))
    assert err == "reader: interrupted\n"
    listed = json.loads(run_reader(home, "list", "--json").stdout)
    assert len(listed) >= 3  # what was stored before the interrupt stays
    feeds = json.loads(run_reader(home, "feed", "list", "--json").stdout)
    done = {f["url"] for f in feeds if f["last_refresh"] and not f["last_error"]}
    assert {f"{base}/{n}.xml" for n in range(6)} <= done  # recorded, ETags and all
