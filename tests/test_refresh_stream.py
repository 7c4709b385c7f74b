"""A refresh streams its feeds: a bounded number in flight, every item stored, and a
bad feed among many costs one line and nothing else (feeds served from 127.0.0.1)."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
import regex
from http_server import send, serve
from proc_helpers import children

from reader.base.config import IgnoreRule
from reader.base.errors import Failed
from reader.base.paths import resolve_paths
from reader.feeds import refresh as refreshing
from reader.store import Store
from reader.store.packing import unpack

from conftest import run_reader

FEEDS = 40
ITEMS = 30


def rss(index: int, items: int = ITEMS) -> bytes:
    """A feed of ``items`` items, each with a paragraph of HTML."""
    entries = "".join(
        f"<item><title>Feed {index} item {n}</title><link>http://feeds.example/{index}/{n}"
        f"</link><guid>f{index}-{n}</guid><description>&lt;p&gt;Harbour news {index} {n}."
        f"&lt;/p&gt;</description></item>"
        for n in range(items)
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Feed {index}</title>'
        f"<link>http://feeds.example/{index}</link>{entries}</channel></rss>"
    ).encode()


def test_a_bad_feed_in_the_middle_costs_one_line(home: Path, tmp_path: Path) -> None:
    middle = FEEDS // 2
    routes = {f"/{i}.xml": send(200, rss(i), "application/rss+xml") for i in range(FEEDS)}
    routes[f"/{middle}.xml"] = send(200, b"<html><body><p>Just a page.</p></body></html>")
    with serve(routes) as base:
        listing = tmp_path / "urls"
        listing.write_text("".join(f"{base}/{i}.xml\n" for i in range(FEEDS)))
        assert run_reader(home, "feed", "import", str(listing)).returncode == 0
        result = run_reader(home, "refresh", timeout=120)
    assert result.returncode == 1
    (line,) = result.stderr.splitlines()
    assert line == f"reader: {base}/{middle}.xml: not a feed: an HTML page that announces no feed"
    assert result.stdout.strip() == (
        f"refreshed {FEEDS} feeds: {(FEEDS - 1) * ITEMS} new, 0 updated stories, "
        "0 not modified, 1 failed"
    )
    feeds = {f["url"]: f for f in json.loads(run_reader(home, "feed", "list", "--json").stdout)}
    assert feeds[f"{base}/{middle}.xml"]["stories"] == 0
    assert feeds[f"{base}/{middle}.xml"]["last_error"]
    others = [feeds[f"{base}/{i}.xml"] for i in range(FEEDS) if i != middle]
    assert {f["stories"] for f in others} == {ITEMS}
    assert not any(f["last_error"] for f in others)


def _refresh_watching_children(home: Path) -> tuple[str, dict[int, bytes]]:
    """``reader refresh``'s output, and the command line of each process it started."""
    command = [sys.executable, "-P", "-m", "reader", "--home", str(home), "refresh"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    started: dict[int, bytes] = {}
    while process.poll() is None:
        for child in children(process.pid):
            try:
                started.setdefault(child, Path(f"/proc/{child}/cmdline").read_bytes())
            except OSError:  # ended meanwhile
                pass
        time.sleep(0.005)
    out, _ = process.communicate()
    assert process.returncode == 0, out
    return out, started


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
def test_reader_refresh_forks_one_parser_when_cold_and_none_when_warm(
    home: Path, tmp_path: Path
) -> None:
    """A first refresh forks one parsing process (no fork server, no resource tracker: a
    fork keeps the refresh's command line); one where every feed answers 304 starts none."""
    routes = {}
    for i in range(FEEDS):
        ok = send(200, rss(i), "application/rss+xml", {"ETag": f'"{i}"'})
        not_modified = send(304, b"", headers={"ETag": f'"{i}"'})

        def route(handler: BaseHTTPRequestHandler, ok=ok, not_modified=not_modified, i=i) -> None:
            (not_modified if handler.headers.get("If-None-Match") == f'"{i}"' else ok)(handler)

        routes[f"/{i}.xml"] = route
    with serve(routes) as base:
        listing = tmp_path / "urls"
        listing.write_text("".join(f"{base}/{i}.xml\n" for i in range(FEEDS)))
        assert run_reader(home, "feed", "import", str(listing)).returncode == 0
        out, cold = _refresh_watching_children(home)
        assert f"{FEEDS * ITEMS} new" in out
        command = [sys.executable, "-P", "-m", "reader", "--home", str(home), "refresh"]
        assert list(cold.values()) == ["\0".join(command).encode() + b"\0"]
        out, warm = _refresh_watching_children(home)
        assert f"{FEEDS} not modified" in out
    assert warm == {}


def test_a_warm_refresh_loads_nothing_it_does_not_use(home: Path, tmp_path: Path) -> None:
    """Where every feed answers 304 and there is no config file, ``reader refresh``
    parses and packs nothing, starts no process and reads no TOML: each of those
    modules took a millisecond or more of a 0.2 s refresh to import."""
    routes = {}
    for i in range(4):
        ok = send(200, rss(i, 3), "application/rss+xml", {"ETag": f'"{i}"'})
        not_modified = send(304, b"", headers={"ETag": f'"{i}"'})

        def route(handler: BaseHTTPRequestHandler, ok=ok, not_modified=not_modified, i=i) -> None:
            (not_modified if handler.headers.get("If-None-Match") == f'"{i}"' else ok)(handler)

        routes[f"/{i}.xml"] = route
    unused = ("zstandard", "fastfeedparser", "feedparser", "tomllib", "subprocess",
              "multiprocessing", "lxml", "html2text")  # fmt: skip
    script = (
        "import sys\nfrom reader.cli import main\n"
        f"code = main(['--home', {str(home)!r}, 'refresh'])\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {unused!r}))\n"
        "sys.exit(code)\n"
    )
    with serve(routes) as base:
        listing = tmp_path / "urls"
        listing.write_text("".join(f"{base}/{i}.xml\n" for i in range(4)))
        assert run_reader(home, "feed", "import", str(listing)).returncode == 0
        assert run_reader(home, "refresh").returncode == 0  # cold: every feed stored
        warm = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                              timeout=60)  # fmt: skip
    assert warm.returncode == 0, warm.stderr
    summary, loaded = warm.stdout.strip().splitlines()
    assert "4 not modified" in summary
    assert loaded == "[]"


@pytest.mark.parametrize("processes", [False, True])
def test_a_refresh_holds_a_bounded_number_of_feeds_and_stores_every_item(
    home: Path, processes: bool
) -> None:
    """Storing is made the slow part (each store waits); downloads still never run more
    than ``IN_FLIGHT`` feeds ahead of what is stored, and every item arrives."""
    done = [0]
    ahead: list[int] = []
    started = [0]
    lock = threading.Lock()

    def feed(index: int):  # noqa: ANN202 - a route
        body = rss(index)

        def route(handler: BaseHTTPRequestHandler) -> None:
            if handler.headers.get("If-None-Match") == f'"{index}"':
                send(304, b"", headers={"ETag": f'"{index}"'})(handler)
                return
            with lock:
                started[0] += 1
                ahead.append(started[0] - done[0])
            send(200, body, "application/rss+xml", {"ETag": f'"{index}"'})(handler)

        return route

    def progress(count: int, total: int) -> None:
        done[0] = count
        threading.Event().wait(0.01)  # a slow store: the downloads get ahead if they can

    routes = {f"/{i}.xml": feed(i) for i in range(FEEDS)}
    with serve(routes) as base, Store(resolve_paths(home)) as store:
        for i in range(FEEDS):
            store.add_feed(f"{base}/{i}.xml")
        feeds = store.list_feeds()
        report = refreshing.refresh(store, feeds, progress, processes=processes)
        assert (report.new, report.failures, done[0]) == (FEEDS * ITEMS, [], FEEDS)
        assert started[0] == FEEDS and max(ahead) <= refreshing.IN_FLIGHT
        assert {f.url: f.etag for f in store.list_feeds()} == {
            f"{base}/{i}.xml": f'"{i}"' for i in range(FEEDS)
        }
        # Every item is there, each once; the second refresh is all 304 (nothing parsed).
        sources = {row.url for row in store.list_stories(limit=FEEDS * ITEMS + 1)}
        assert len(sources) == FEEDS * ITEMS
        again = refreshing.refresh(store, store.list_feeds(), processes=processes)
        assert (again.new, again.updated, again.not_modified) == (0, 0, FEEDS)


def test_malloc_arenas_are_limited_on_glibc() -> None:
    """reader refresh caps glibc's malloc arenas from the process's own symbols (no
    ldconfig run); where the C library is not glibc it changes nothing."""
    import platform

    from reader.plumbing.malloc import limit_arenas

    assert limit_arenas(2) is (platform.libc_ver()[0] == "glibc")


def _long_rss() -> bytes:
    """A feed whose items are long enough to be stored compressed."""
    words = " ".join(f"harbour{n} council market" for n in range(60))
    paragraph = f"&lt;p&gt;{words}&lt;/p&gt;"
    entries = "".join(
        f"<item><title>Item {n}</title><link>http://feeds.example/long/{n}</link>"
        f"<guid>long-{n}</guid><description>{paragraph * 3}</description></item>"
        for n in range(5)
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Long</title>'
        f"<link>http://feeds.example/long</link>{entries}</channel></rss>"
    ).encode()


def test_a_new_feeds_rows_come_packed_and_are_stored_as_the_others(tmp_path: Path) -> None:
    url = "http://feeds.example/long"
    plain = refreshing.parse_safely(_long_rss(), url)
    new = refreshing.parse_safely(_long_rss(), url, new=True)
    assert not isinstance(plain, Failed) and not isinstance(new, Failed)
    assert all(isinstance(row.body, str) for row in plain.rows)
    assert all(isinstance(row.body, bytes) and isinstance(row.body_html, bytes) for row in new.rows)
    for a, b in zip(plain.rows, new.rows, strict=True):
        assert unpack(b.body_html) == a.body_html
        assert unpack(b.body, b.body_html) == a.body
        assert b.content_hash == a.content_hash
    # Rows that rules judge, or whose pages are fetched in full, change after parsing.
    rule = IgnoreRule(1, "*", (("title", regex.compile("nothing matches this")),))
    judged = refreshing.parse_safely(_long_rss(), url, rules=(rule,), new=True)
    full = refreshing.parse_safely(_long_rss(), url, keep_pages=True, new=True)
    for kept in (judged, full):
        assert not isinstance(kept, Failed)
        assert all(isinstance(row.body, str) for row in kept.rows)
    # Stored from packed rows or from text, a story reads back the same.
    stores = []
    for name, parsed in (("plain", plain), ("new", new)):
        with Store(resolve_paths(tmp_path / name)) as store:
            refreshing.store_feeds(store, [parsed])
            stores.append([(s.title, s.body) for s in store.iter_stories(with_body=True)])
    assert stores[0] == stores[1] and len(stores[0]) == 5
