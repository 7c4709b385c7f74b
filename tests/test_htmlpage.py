"""Saved HTML pages, MHTML archives and URLs: the article, its fields and its lists."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from http_server import brotlied, endless, gzipped, redirect, send, serve, slow

from reader.ingest.formats import RawPage, parse_page
from reader.ingest.pipeline import ingest
from reader.ingest.textpage import parse_text
from reader.plumbing import fetch as fetch_module
from reader.store import Store

from conftest import FIXTURES, PAGES, run_reader

HTML = FIXTURES / "html"
SEED_HTML = (HTML / "seed-layout.html").read_bytes()
MORE_HTML = (HTML / "more-stories.html").read_bytes()


def test_seed_layout_html_gives_the_text_dumps_fields_plus_links() -> None:
    page = parse_page(RawPage(str(HTML / "seed-layout.html"), SEED_HTML))
    dump = parse_text((PAGES / "harbour-bonds.txt").read_text(encoding="utf-8"), "dump")
    for field in ("title", "site", "section", "published", "reactions"):
        assert getattr(page, field) == getattr(dump, field), field
    assert page.body.split("\n\n") == dump.body.split("\n\n")
    for kind in ("related", "ranking", "recommended"):
        assert [h.title for h in getattr(page, kind)] == [h.title for h in getattr(dump, kind)]
    assert (
        page.related[1].url
        == "https://aspire.example/markets/quay-wall-collapse--what-we-know-so-far"
    )
    assert (
        page.ranking[0].url == "https://aspire.example/news/quay-wall-collapse--what-we-know-so-far"
    )
    assert page.canonical_url == "https://aspire.example/markets/harbour-city-bonds"
    for noise in ("Share on X", "Sign in", "All rights reserved", "Related", "veryGood"):
        assert noise not in page.body


def test_usual_headings_fill_the_lists_and_stay_out_of_the_body() -> None:
    page = parse_page(RawPage("more.html", MORE_HTML))
    assert page.title == "Night ferry returns to the Saltmere run"
    assert page.site == "Northwind Daily"
    assert page.author == "Ada Fenwick"
    assert page.published == "2025-05-03T07:15:00+01:00"
    assert page.section == ["Home", "Travel"]
    assert [h.title for h in page.related] == [
        "Lighthouse keeper’s cottage opens to guests",
        "Island buses to run on Sundays",
    ]
    assert page.ranking[0].url == "https://northwind.example/news/harbour-bonds"
    assert [h.url for h in page.recommended] == [
        "https://northwind.example/food/rye",
        "https://northwind.example/science/comet",
    ]
    assert page.body.startswith("The overnight ferry between Saltmere")
    for noise in ("cookies", "Island buses", "Most read", "Rye loaf", "Post comment", "Trending"):
        assert noise not in page.body


def test_two_lists_of_one_kind_are_joined() -> None:
    html = (
        "<html><head><title>Quay notice</title></head><body><article><h1>Quay notice</h1>"
        f"<p>{'The ferry timetable changes in June. ' * 20}</p></article>"
        "<aside><h2>Most read</h2><ol><li><a href='/a'>Tram depot budget approved</a></li>"
        "<li><a href='/b'>Bakery wins bread prize</a></li></ol>"
        "<h2>Trending</h2><ol><li><a href='/c'>Harbour bridge closed</a></li>"
        "<li><a href='/b'>Bakery wins bread prize</a></li></ol></aside></body></html>"
    ).encode()
    page = parse_page(RawPage("https://q.example/notice", html, "https://q.example/notice"))
    assert [(h.title, h.url) for h in page.ranking] == [
        ("Tram depot budget approved", "https://q.example/a"),
        ("Bakery wins bread prize", "https://q.example/b"),
        ("Harbour bridge closed", "https://q.example/c"),
    ]


def test_headlines_resolve_by_url_first(store: Store, tmp_path: Path) -> None:
    # The text dump has no URL; the ferry page links to the bonds story by URL and title.
    (tmp_path / "bonds.html").write_bytes(SEED_HTML.replace(
        b"https://aspire.example/markets/harbour-city-bonds", b"https://northwind.example/news/harbour-bonds"
    ))  # fmt: skip
    (tmp_path / "more.html").write_bytes(MORE_HTML)
    report = ingest(store, [str(tmp_path)])
    assert report.ingested == 2, report.failures
    ferry = next(s for s in store.list_stories() if s.title.startswith("Night ferry"))
    linked = store.get(ferry.id).ranking[0]
    assert linked.url == "https://northwind.example/news/harbour-bonds"
    assert linked.article_id is not None
    assert store.get(linked.article_id).title.startswith("Harbour City bonds rally")


def test_mhtml_archive(tmp_path: Path) -> None:
    archive = (
        b"From: <Saved by Blink>\r\nSubject: Night ferry\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/related; type="text/html"; boundary="----B"\r\n\r\n'
        b"------B\r\nContent-Type: text/html\r\nContent-ID: <frame-1@mhtml.blink>\r\n"
        b"Content-Transfer-Encoding: quoted-printable\r\n"
        b"Content-Location: https://northwind.example/travel/night-ferry-returns\r\n\r\n"
        + MORE_HTML.replace(b"=", b"=3D")
        + b"\r\n------B--\r\n"
    )
    page = parse_page(RawPage("saved.mhtml", archive))
    assert page.title == "Night ferry returns to the Saltmere run"
    assert page.body.startswith("The overnight ferry")


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"<html><head></head><body></body></html>", "no title and no article text"),
        (b"<html>\x00\x01\x02\x03" + bytes(range(256)) * 8, "binary file"),
    ],
)
def test_pages_without_anything_to_read_fail_with_a_reason(data: bytes, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_page(RawPage("bad.html", data))


def test_truncated_and_not_found_pages_do_not_crash() -> None:
    truncated = parse_page(RawPage("t.html", MORE_HTML[: len(MORE_HTML) // 2]))
    assert truncated.title == "Night ferry returns to the Saltmere run"
    html = b"<html><head><title>Page not found</title></head><body><h1>Page not found</h1>"
    not_found = parse_page(RawPage("404.html", html + b"<p>Try the search.</p></body></html>"))
    assert not_found.title == "Page not found"


def test_declared_charset_that_lies() -> None:
    lying = MORE_HTML.replace(b'<meta charset="utf-8">', b'<meta charset="iso-8859-1">')
    page = parse_page(RawPage("lying.html", lying, charset="iso-8859-1"))
    assert "“It changes how we live,”" in page.body
    cp1252 = MORE_HTML.decode("utf-8").encode("cp1252", errors="replace")
    page = parse_page(RawPage("cp.html", cp1252.replace(b"utf-8", b"windows-1252")))
    assert "“It changes how we live,”" in page.body


# -- URLs ------------------------------------------------------------------------------------


def test_urls_through_the_command_line(home: Path) -> None:
    routes = {
        "/bonds": send(200, SEED_HTML),
        "/ferry": gzipped(MORE_HTML),
        "/ferry-br": brotlied(MORE_HTML),
        "/moved": redirect("/ferry"),
        "/loop": redirect("/loop"),
        "/gone": send(404, b"<html><body>Not found</body></html>"),
        "/logo.png": send(200, b"\x89PNG\r\n", content_type="image/png"),
    }
    with serve(routes) as base:
        names = ("bonds", "ferry", "ferry-br", "moved", "loop", "gone", "logo.png")
        urls = [f"{base}/{name}" for name in names]
        result = run_reader(home, "ingest", *urls, timeout=120)
    assert result.returncode == 1
    assert sorted(result.stderr.splitlines()) == sorted([
        f"reader: {base}/loop: too many redirects (more than 10)",
        f"reader: {base}/gone: HTTP 404",
        f"reader: {base}/logo.png: not an HTML page: image/png",
    ])  # fmt: skip
    # ferry, ferry-br and moved name the same canonical URL: one story.
    assert result.stdout.strip() == "ingested 2, updated 0, unchanged 2, failed 3"
    stories = json.loads(run_reader(home, "list", "--json").stdout)
    ferry = next(s for s in stories if s["title"].startswith("Night ferry"))
    assert ferry["canonical_url"] == "https://northwind.example/travel/night-ferry-returns"
    assert ferry["url"] == f"{base}/ferry"
    assert ferry["source"] == "https://northwind.example/travel/night-ferry-returns"


def test_timeouts_and_size_caps(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fetch_module, "TOTAL_TIMEOUT_S", 1.0)
    monkeypatch.setattr(fetch_module, "MAX_BYTES", 1024 * 1024)
    routes = {"/slow": slow(3), "/endless": endless(), "/ok": send(200, MORE_HTML)}
    with serve(routes) as base:
        report = ingest(store, [f"{base}/slow", f"{base}/endless", f"{base}/ok"])
    assert dict(report.failures) == {
        f"{base}/slow": "timed out after 1 s",
        f"{base}/endless": "page too large (over 1 MB)",
    }
    assert report.ingested == 1


def test_unreachable_host_is_a_clear_failure(store: Store) -> None:
    report = ingest(store, ["http://127.0.0.1:9/nothing-listens-here"])
    assert report.failed == 1
    assert report.failures[0][1] in (
        "connection refused",
        "timed out after 15 s",
    ) or report.failures[0][1].startswith("could not connect")
