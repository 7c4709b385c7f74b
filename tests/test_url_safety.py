"""Where a URL may lead: no page, feed or server makes reader read a local file or reach
a private address other than the host the user named.

Every server here is on 127.0.0.1: server A plays the host the user named, server B
(another port) "another private host". No test sends anything outside 127.0.0.0/8,
and names that look public are resolved by a monkeypatched resolver, never by DNS.
"""

from __future__ import annotations

import json
import os
import socket
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
from http_server import Route, redirect, send, serve

from reader.base.models import Feed
from reader.feeds.refresh import discover, read_feed, refresh
from reader.plumbing.fetch import (
    NOT_HTTP,
    NOT_REGULAR,
    PRIVATE,
    PUBLIC_ONLY,
    FetchError,
    FetchPolicy,
    FetchRefused,
    fetch,
    fetch_feed,
    is_public_address,
    read_regular_file,
)
from reader.plumbing.fetch import client as http_client
from reader.store import Store

from conftest import FIXTURES, run_reader

PAGE = (FIXTURES / "html" / "more-stories.html").read_bytes()  # "The overnight ferry…"
RSS = (FIXTURES / "feeds" / "harbour.rss").read_bytes()


class Routes(dict[str, Route]):
    """A server's routes that remember every path asked for (``hits``)."""

    def __init__(self) -> None:
        super().__init__()
        self.hits: list[str] = []

    def get(self, key: str, default: Any = None) -> Any:  # noqa: ANN401 - dict's signature
        self.hits.append(key)
        return super().get(key, default)


@pytest.fixture
def servers() -> Iterator[tuple[str, Routes, str, Routes]]:
    """Server A (the host the user names) and server B (another private host)."""
    a_routes, b_routes = Routes(), Routes()
    with serve(a_routes) as a, serve(b_routes) as b:
        b_routes.update({"/feed.xml": send(200, RSS, "application/rss+xml")})
        b_routes["/page"] = send(200, PAGE)
        yield a, a_routes, b, b_routes


def announcing(href: str) -> Route:
    """An HTML page whose ``<link rel="alternate">`` announces ``href`` as its feed."""
    return send(
        200,
        b'<html><head><link rel="alternate" type="application/rss+xml" href="'
        + href.encode()
        + b'"></head><body><p>Home</p></body></html>',
    )


def feed_linking(*links: str) -> bytes:
    """An RSS feed whose items (with short summaries) link to ``links``."""
    items = "".join(
        f"<item><title>Item {n}</title><link>{link}</link>"
        f"<description>Summary {n} only.</description></item>"
        for n, link in enumerate(links)
    )
    return f'<rss version="2.0"><channel><title>Links</title>{items}</channel></rss>'.encode()


def said(stderr: str) -> list[str]:
    """What reader said on stderr (without Python's warnings, if any module warns)."""
    return [line for line in stderr.splitlines() if line.startswith("reader")]


# -- the address check, on its own --------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "10.0.0.1", "10.255.255.255", "172.16.0.1", "172.31.255.254", "192.168.1.1",
        "169.254.169.254", "127.0.0.1", "127.8.9.10", "0.0.0.0", "100.64.0.1",
        "224.0.0.1", "239.255.255.250", "240.0.0.1", "255.255.255.255",
        "::1", "::", "fe80::1", "fc00::1", "fd12:3456::1", "ff02::1",
        "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254", "::ffff:0.0.0.0",
        "2002:7f00:1::1", "64:ff9b::7f00:1", "64:ff9b::a00:1",
    ],
)  # fmt: skip
def test_private_and_special_addresses_are_not_public(address: str) -> None:
    assert not is_public_address(address)


@pytest.mark.parametrize(
    "address",
    ["93.184.216.34", "8.8.8.8", "172.32.0.1", "192.169.0.1", "2606:4700::1111",
     "::ffff:8.8.8.8", "2002:808:808::1", "64:ff9b::808:808"],
)  # fmt: skip
def test_public_addresses_are_public(address: str) -> None:
    assert is_public_address(address)


def test_the_named_origin_is_scheme_host_and_port() -> None:
    policy = FetchPolicy.named_by_user("http://127.0.0.1:8080/news/")
    for same in ("http://127.0.0.1:8080/feed.xml", "HTTP://127.0.0.1:8080/a?b=c#d"):
        assert policy.check(same).addresses == ("127.0.0.1",)
    others = [
        "http://127.0.0.1:22/", "https://127.0.0.1:8080/", "http://192.168.1.1/",
        "http://[::1]:8080/", "http://0.0.0.0:8080/", "http://[::ffff:127.0.0.1]:8080/",
    ]  # fmt: skip
    for other in others:
        with pytest.raises(FetchRefused) as refused:
            policy.check(other)
        assert refused.value.reason == PRIVATE
        assert str(refused.value) == f"refused: {other} {PRIVATE}"
    assert FetchPolicy.named_by_user("http://127.0.0.1/").check("http://127.0.0.1:80/x")


@pytest.mark.parametrize(
    "url",
    ["file:///etc/shadow", "file:///dev/zero", "ftp://127.0.0.1/feed", "javascript:alert(1)",
     "data:application/rss+xml,<rss/>", "gopher://127.0.0.1:70/"],
)  # fmt: skip
def test_only_http_urls_are_fetched(url: str) -> None:
    for policy in (PUBLIC_ONLY, FetchPolicy.named_by_user("http://127.0.0.1:8080/")):
        with pytest.raises(FetchRefused) as refused:
            policy.check(url)
        assert refused.value.reason == NOT_HTTP
    with pytest.raises(FetchRefused):
        fetch(url, policy=FetchPolicy.named_by_user(url))


def test_a_refusal_names_the_url_on_one_printable_line() -> None:
    with pytest.raises(FetchRefused) as refused:
        PUBLIC_ONLY.check("file:///x\x1b]0;pwned\x07\n\u202e" + "y" * 500)
    message = str(refused.value)
    assert message.isprintable() and len(message) < 300
    assert message.startswith("refused: file:///x\\x1b]0;pwned\\x07\\x0a\\x202e")


class FakeDNS:
    """``socket.getaddrinfo`` for made-up names: ``answers[name]`` is the list of
    answers given in turn (the last one repeats); numeric hosts pass through; any
    other name fails, so no test ever asks real DNS."""

    def __init__(self, answers: dict[str, list[str]]) -> None:
        self.answers = answers
        self.asked: list[str] = []
        self.real = socket.getaddrinfo

    def __call__(self, host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: ANN401
        name = host.decode() if isinstance(host, bytes) else str(host)
        try:
            socket.inet_pton(socket.AF_INET6 if ":" in name else socket.AF_INET, name)
        except OSError:
            pass
        else:
            return self.real(host, port, *args, **kwargs)
        self.asked.append(name)
        if name not in self.answers:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        turns = self.answers[name]
        address = turns.pop(0) if len(turns) > 1 else turns[0]
        return self.real(address, port, *args, **kwargs)


def test_the_check_is_made_on_the_resolved_address(monkeypatch: pytest.MonkeyPatch) -> None:
    dns = FakeDNS({"news.example": ["127.0.0.1"], "cdn.example": ["10.1.2.3"]})
    monkeypatch.setattr(socket, "getaddrinfo", dns)
    for url in ("http://news.example/story", "https://cdn.example/feed.xml"):
        with pytest.raises(FetchRefused) as refused:
            PUBLIC_ONLY.check(url)  # a public-looking name, a private address
        assert refused.value.reason == PRIVATE
    assert dns.asked == ["news.example", "cdn.example"]
    with pytest.raises(FetchError, match="host not found"):
        PUBLIC_ONLY.check("http://nowhere.example/")


def test_the_connection_goes_to_the_checked_address(monkeypatch: pytest.MonkeyPatch) -> None:
    """DNS rebinding: the name answers 127.0.0.1 when checked and 127.0.0.3 (where
    nothing listens) if asked again; the page arrives, so it was asked once, and the
    Host header still names the host."""
    hosts: list[str] = []

    def page(handler: BaseHTTPRequestHandler) -> None:
        hosts.append(handler.headers["Host"])
        send(200, PAGE)(handler)

    with serve({"/story": page}) as base:
        port = base.rsplit(":", 1)[1]
        dns = FakeDNS({"news.example": ["127.0.0.1", "127.0.0.3"]})
        monkeypatch.setattr(socket, "getaddrinfo", dns)
        url = f"http://news.example:{port}/story"
        fetched = fetch(url, policy=FetchPolicy.named_by_user(url))
    assert fetched.url == url and b"overnight ferry" in fetched.data
    assert hosts == [f"news.example:{port}"]
    assert dns.asked == ["news.example"]


def test_a_named_host_may_not_redirect_to_another_name_for_a_private_address(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with serve({}) as base:
        port = base.rsplit(":", 1)[1]
        routes = {"/go": redirect(f"http://intranet.example:{port}/secret")}
        with serve(routes) as named:
            named_port = named.rsplit(":", 1)[1]
            dns = FakeDNS({"news.example": ["127.0.0.1"], "intranet.example": ["127.0.0.1"]})
            monkeypatch.setattr(socket, "getaddrinfo", dns)
            url = f"http://news.example:{named_port}/go"
            with pytest.raises(FetchRefused) as refused:
                fetch(url, policy=FetchPolicy.named_by_user(url))
    assert refused.value.url == f"http://intranet.example:{port}/secret"


# -- local files ------------------------------------------------------------------------


def test_local_feeds_must_be_regular_files(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.xml"
    os.mkfifo(fifo)
    (tmp_path / "folder.xml").mkdir()
    (tmp_path / "feed.xml").write_bytes(RSS)
    for name in ("/dev/zero", "/dev/null", str(fifo), str(tmp_path / "folder.xml")):
        started = time.monotonic()
        for url in (name, f"file://{name}"):
            with pytest.raises(FetchRefused) as refused:
                read_feed(None, Feed(1, url))
            assert refused.value.reason == NOT_REGULAR
            with pytest.raises(FetchRefused):
                discover(url)
        assert time.monotonic() - started < 5  # never read, never waited on
    assert read_feed(None, Feed(1, f"file://{tmp_path}/feed.xml")).data == RSS
    assert discover(str(tmp_path / "feed.xml")) == str(tmp_path / "feed.xml")
    with pytest.raises(FetchError, match="feed too large"):
        read_regular_file(tmp_path / "feed.xml", max_bytes=100)


def test_a_subscription_to_dev_zero_fails_at_once(store: Store) -> None:
    """A cache may hold one from before discovery was checked: it is refused, not read."""
    feed = store.add_feed("file:///dev/zero")
    started = time.monotonic()
    report = refresh(store, [feed])
    assert report.failures == [("file:///dev/zero", f"refused: /dev/zero {NOT_REGULAR}")]
    assert time.monotonic() - started < 10


# -- announced feeds ----------------------------------------------------------------------


def test_a_page_may_announce_a_feed_on_its_own_host(servers: Any) -> None:
    a, a_routes, _, b_routes = servers
    a_routes["/page.html"] = announcing("/feed.xml")
    assert discover(f"{a}/page.html") == f"{a}/feed.xml"
    assert b_routes.hits == []


def test_announced_feeds_that_are_files_or_another_private_host_are_refused(
    servers: Any, tmp_path: Path
) -> None:
    a, a_routes, b, b_routes = servers
    private = tmp_path / "private_feed.xml"
    private.write_bytes(RSS)
    cases = {
        "file:///dev/zero": NOT_HTTP,
        f"file://{private}": NOT_HTTP,
        "file:///etc/shadow": NOT_HTTP,
        f"{b}/feed.xml": PRIVATE,
        "http://127.0.0.1:22/": PRIVATE,
        "http://192.168.1.1/rss": PRIVATE,
    }
    for n, (href, reason) in enumerate(cases.items()):
        a_routes[f"/page{n}.html"] = announcing(href)
        with pytest.raises(FetchRefused) as refused:
            discover(f"{a}/page{n}.html")
        assert (refused.value.url, refused.value.reason) == (href, reason)
    assert b_routes.hits == []


def test_feed_add_refuses_an_announced_file_in_one_line_and_subscribes_nothing(
    servers: Any, home: Path
) -> None:
    a, a_routes, b, b_routes = servers
    a_routes["/zero.html"] = announcing("file:///dev/zero")
    a_routes["/other.html"] = announcing(f"{b}/feed.xml")
    added = run_reader(home, "feed", "add", f"{a}/zero.html")
    assert (added.returncode, added.stdout) == (1, "")
    assert said(added.stderr) == [f"reader: {a}/zero.html: refused: file:///dev/zero {NOT_HTTP}"]
    added = run_reader(home, "feed", "add", f"{a}/other.html")
    assert added.returncode == 1
    assert said(added.stderr) == [f"reader: {a}/other.html: refused: {b}/feed.xml {PRIVATE}"]
    assert json.loads(run_reader(home, "feed", "list", "--json").stdout) == []
    assert b_routes.hits == []


# -- redirects ----------------------------------------------------------------------------


def test_redirects_are_checked_at_every_hop(servers: Any) -> None:
    a, a_routes, b, b_routes = servers
    a_routes.update({
        "/to-b": redirect(f"{b}/page"),
        "/to-a-then-b": redirect("/to-b"),
        "/to-file": redirect("file:///etc/passwd"),
        "/to-a": redirect("/story"),
        "/story": send(200, PAGE),
    })  # fmt: skip
    policy = FetchPolicy.named_by_user(f"{a}/")
    for start, refused_url in (("/to-b", f"{b}/page"), ("/to-a-then-b", f"{b}/page"),
                               ("/to-file", "file:///etc/passwd")):  # fmt: skip
        with pytest.raises(FetchRefused) as refused:
            fetch(f"{a}{start}", policy=policy)
        assert refused.value.url == refused_url
    assert fetch(f"{a}/to-a", policy=policy).url == f"{a}/story"
    assert b_routes.hits == []


def test_ingest_of_a_url_that_redirects_to_another_private_host(servers: Any, home: Path) -> None:
    a, a_routes, b, b_routes = servers
    a_routes["/moved"] = redirect(f"{b}/page")
    a_routes["/story"] = send(200, PAGE)
    result = run_reader(home, "ingest", f"{a}/moved", f"{a}/story")
    assert result.returncode == 1
    assert said(result.stderr) == [f"reader: {a}/moved: refused: {b}/page {PRIVATE}"]
    assert result.stdout.strip() == "ingested 1, updated 0, unchanged 0, failed 1"
    assert b_routes.hits == []


def test_a_feed_that_redirects_to_another_private_host(servers: Any, store: Store) -> None:
    a, a_routes, b, b_routes = servers
    a_routes["/feed.xml"] = redirect(f"{b}/feed.xml")
    a_routes["/moved.xml"] = redirect("/real.xml")
    a_routes["/real.xml"] = send(200, RSS, "application/rss+xml")
    pool = http_client(1)
    try:
        with pytest.raises(FetchRefused):
            fetch_feed(pool, f"{a}/feed.xml", policy=FetchPolicy.named_by_user(f"{a}/feed.xml"))
    finally:
        pool.clear()
    feeds = [store.add_feed(f"{a}/feed.xml"), store.add_feed(f"{a}/moved.xml")]
    report = refresh(store, feeds)
    assert report.failures == [(f"{a}/feed.xml", f"refused: {b}/feed.xml {PRIVATE}")]
    assert report.new == 3  # the feed that stays on its own host
    assert b_routes.hits == []


# -- fetch_full_page ----------------------------------------------------------------------


def test_full_pages_are_fetched_from_the_feeds_host_only(servers: Any, home: Path) -> None:
    a, a_routes, b, b_routes = servers
    a_routes["/feed.xml"] = send(
        200, feed_linking(f"{a}/story", f"{b}/page", "file:///etc/passwd"), "application/rss+xml"
    )
    a_routes["/story"] = send(200, PAGE)
    (home / "config").mkdir(parents=True)
    (home / "config" / "config.toml").write_text(
        f'[feeds."{a}/feed.xml"]\nfetch_full_page = true\n'
    )
    assert run_reader(home, "feed", "add", f"{a}/feed.xml").returncode == 0
    bodies = {}
    for story in json.loads(run_reader(home, "list", "--json").stdout):
        shown = json.loads(run_reader(home, "show", story["id"], "--json").stdout)
        bodies[story["title"]] = shown["body"]
    assert bodies["Item 0"].startswith("The overnight ferry")  # fetched from A
    assert bodies["Item 1"] == "Summary 1 only."  # B refused: the summary stays
    assert bodies["Item 2"] == "Summary 2 only."
    assert "/story" in a_routes.hits
    assert b_routes.hits == []


# -- images -------------------------------------------------------------------------------


def test_images_are_never_fetched(servers: Any, home: Path) -> None:
    """reader fetches no image: neither a page's nor a feed item's ``<img>`` is asked for."""
    a, a_routes, b, b_routes = servers
    img = f'<img src="{b}/pixel.png" srcset="{a}/big.png 2x" alt="a pixel">'
    page = PAGE.replace(b"<p>", f"<p>{img}".encode(), 1)
    assert page != PAGE
    item = (
        f"<rss version='2.0'><channel><title>Pictures</title><item><title>With a picture"
        f"</title><link>{a}/story</link><description>&lt;p&gt;{img.replace('<', '&lt;')}"
        f" Words.&lt;/p&gt;</description></item></channel></rss>"
    )
    a_routes["/story"] = send(200, page)
    a_routes["/feed.xml"] = send(200, item.encode(), "application/rss+xml")
    assert run_reader(home, "ingest", f"{a}/story").returncode == 0
    assert run_reader(home, "feed", "add", f"{a}/feed.xml").returncode == 0
    for story in json.loads(run_reader(home, "list", "--json").stdout):
        assert run_reader(home, "show", story["id"]).returncode == 0
    assert sorted(set(a_routes.hits)) == ["/feed.xml", "/story"]
    assert b_routes.hits == []
