"""Pictures in the article: fetched only when a story is opened and pictures are on,
into a capped cache; a broken, huge or mislabelled picture keeps its placeholder.

Every picture is made here with Pillow and served from 127.0.0.1 by a feed the test
subscribes to (a picture on a private address is fetched only on the origin of a
feed the user named).
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from http_server import Route, send, serve
from PIL import Image
from textual.pilot import Pilot

from reader.app.app import ReaderApp
from reader.app.pictures import find_spots, picture_size
from reader.base.config import Config, load_config
from reader.base.errors import FetchError, FetchRefused
from reader.base.paths import Paths
from reader.feeds.refresh import refresh
from reader.plumbing.fetch import FetchPolicy
from reader.plumbing.images import ImageCache, decode_image, fetch_image
from reader.store import Store

from app_helpers import article, showing, wait_for, wait_ready, wait_settled

FIRST = "Herons Return to the Quay"
SECOND = "The Lighthouse Repainted"


def png(size: tuple[int, int] = (200, 160), split: bool = True) -> bytes:
    """A PNG of two flat halves (red, blue): exact at every size a multiple of 10."""
    picture = Image.new("RGB", size, (220, 30, 30))
    if split:
        picture.paste((30, 60, 220), (size[0] // 2, 0, size[0], size[1]))
    out = io.BytesIO()
    picture.save(out, "PNG")
    return out.getvalue()


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 200), (40, 160, 90)).save(out, "JPEG")
    return out.getvalue()


def bomb() -> bytes:
    """A 8000 × 8000 picture in a few kilobytes: 64 million pixels to decode."""
    out = io.BytesIO()
    Image.new("1", (8000, 8000)).save(out, "PNG")
    return out.getvalue()


PICTURES: dict[str, Route] = {
    "/heron.png": send(200, png(), "image/png"),
    "/quay.jpg": send(200, jpeg(), "image/jpeg"),
    "/broken.png": send(200, png()[:300], "image/png"),
    "/garbage.png": send(200, b"\x89PNG\r\n\x1a\n" + os.urandom(4000), "image/png"),
    "/bomb.png": send(200, bomb(), "image/png"),
    "/page.png": send(200, b"<html><body>not a picture</body></html>"),
    "/lying.png": send(200, b"<html><body>not a picture</body></html>", "image/png"),
    "/lighthouse.png": send(200, png((120, 120), split=False), "image/x-png"),
}
HOSTILE = ("/broken.png", "/garbage.png", "/bomb.png", "/page.png", "/lying.png")


def feed(base: str) -> bytes:
    first = "".join(
        f'<p>Picture {name}:</p><p><img src="{base}{name}" alt="shot {name}"></p>'
        for name in ("/heron.png", *HOSTILE, "/quay.jpg")
    )
    second = f'<p>Fresh paint.</p><p><img src="{base}/lighthouse.png" alt="The lighthouse"></p>'
    items = [
        (FIRST, "Tue, 01 Dec 2026 10:00:00 GMT", first),
        (SECOND, "Mon, 30 Nov 2026 10:00:00 GMT", second),
    ]
    body = "".join(
        f"<item><title>{title}</title><guid>{title}</guid><pubDate>{date}</pubDate>"
        f"<description><![CDATA[{html}]]></description></item>"
        for title, date, html in items
    )
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Harbour Pictures</title>'
        f"<link>{base}/</link>{body}</channel></rss>"
    ).encode()


class Served:
    """The picture server and what it was asked for."""

    def __init__(self, base: str, hits: list[str]) -> None:
        self.base = base
        self.hits = hits

    def pictures_asked(self) -> list[str]:
        return [hit for hit in self.hits if hit != "/feed.xml"]


@pytest.fixture
def served() -> Iterator[Served]:
    hits: list[str] = []
    routes: dict[str, Route] = {}

    def counted(route: Route) -> Route:
        def handle(handler: BaseHTTPRequestHandler) -> None:
            hits.append(handler.path)
            route(handler)

        return handle

    with serve(routes) as base:
        routes.update({path: counted(route) for path, route in PICTURES.items()})
        routes["/feed.xml"] = counted(send(200, feed(base), "application/rss+xml"))
        yield Served(base, hits)


@pytest.fixture
def subscribed(paths: Paths, served: Served) -> Served:
    """The feed subscribed to and refreshed: two stories with pictures, none fetched."""
    with Store(paths) as store:
        store.add_feed(f"{served.base}/feed.xml")
        report = refresh(store, store.list_feeds())
        assert report.new == 2, report.summary()
    assert served.pictures_asked() == []  # a refresh fetches no picture
    return served


def _no_pictures_running(app: ReaderApp) -> bool:
    return not any(w.group == "pictures" and w.is_running for w in app.workers)


# -- fetching, checking and caching (no app) ---------------------------------------------


def test_a_picture_is_fetched_once_then_read_from_the_cache(served: Served, tmp_path: Path) -> None:
    cache = ImageCache(tmp_path / "images")
    policy = FetchPolicy.named_by_user(served.base)
    data = fetch_image(f"{served.base}/heron.png", cache, policy=policy)
    assert decode_image(data).size == (200, 160)
    again = fetch_image(f"{served.base}/heron.png", cache, policy=policy)
    assert again == data
    assert served.hits == ["/heron.png"]  # the second came from the cache
    assert decode_image(fetch_image(f"{served.base}/quay.jpg", cache, policy=policy)).mode == "RGB"


def test_a_private_address_not_named_by_the_user_is_refused(served: Served, tmp_path: Path) -> None:
    with pytest.raises(FetchRefused):
        fetch_image(f"{served.base}/heron.png", ImageCache(tmp_path / "images"))
    for url in ("file:///etc/passwd", "ftp://127.0.0.1/x.png", "data:image/png;base64,AAAA"):
        with pytest.raises(FetchError):
            fetch_image(url, ImageCache(tmp_path / "images"))
    assert served.hits == []


@pytest.mark.parametrize(
    ("path", "fails_at", "reason"),
    [
        ("/page.png", "fetch", "not a picture: text/html"),
        ("/lying.png", "fetch", "not a picture (served as image/png)"),
        ("/bomb.png", "decode", "picture too large: 8000×8000 pixels"),
        ("/broken.png", "decode", "cannot decode the picture"),
        ("/garbage.png", "decode", "cannot decode the picture"),
    ],
)
def test_hostile_pictures_fail_with_one_reason(
    served: Served, tmp_path: Path, path: str, fails_at: str, reason: str
) -> None:
    cache = ImageCache(tmp_path / "images")
    url = f"{served.base}{path}"
    policy = FetchPolicy.named_by_user(served.base)
    with pytest.raises(FetchError) as failed:
        data = fetch_image(url, cache, policy=policy)
        assert fails_at == "decode"
        decode_image(data)
    assert reason in str(failed.value)
    assert "\n" not in str(failed.value)
    if fails_at == "fetch":
        assert cache.get(url) is None  # nothing kept of what is not a picture


def test_a_picture_over_the_download_cap_is_not_read(served: Served, tmp_path: Path) -> None:
    url = f"{served.base}/heron.png"
    policy = FetchPolicy.named_by_user(served.base)
    with pytest.raises(FetchError, match="picture too large"):
        fetch_image(url, ImageCache(tmp_path / "images"), policy=policy, max_bytes=100)


def test_the_cache_stays_under_its_cap_and_drops_the_least_recently_used(tmp_path: Path) -> None:
    cache = ImageCache(tmp_path / "images", max_bytes=10_000)  # room for three

    def url(number: int) -> str:
        return f"https://example.org/{number}.png"

    for number in range(5):
        if number == 3:  # the first one is read again: used more recently than 1 and 2
            assert cache.get(url(0)) == bytes([0]) * 3000
            os.utime(cache.path_for(url(0)), (100, 100))
        cache.put(url(number), bytes([number]) * 3000)
        os.utime(cache.path_for(url(number)), (number, number))
        assert cache.size() <= 10_000
    kept = {n for n in range(5) if cache.get(url(n)) is not None}
    assert kept == {0, 3, 4}
    cache.put("https://example.org/huge.png", b"x" * 20_000)  # over the cap: not kept
    assert cache.get("https://example.org/huge.png") is None
    assert not list(cache.folder.glob("*.part"))


def test_picture_sizes() -> None:
    assert picture_size(200, 160, 80) == (20, 8)  # its natural size: ten pixels a cell
    assert picture_size(2000, 1000, 60) == (60, 15)  # as wide as fits
    assert picture_size(2000, 2000, 60) == (36, 18)  # then no more rows than the cap
    assert picture_size(1, 1, 80) is None  # a tracking pixel
    assert picture_size(16, 4000, 80) == (1, 18)


def test_spots_follow_the_placeholders() -> None:
    from textual.content import Content

    lines = [
        Content("see [1] and"),
        Content("[image 2: a heron]"),
        Content("[image 3]"),
        Content("text [image"),  # a placeholder wrapped over three lines
        Content("4: the quay at"),
        Content("dawn] more text"),
        Content("[image 5]"),
    ]
    links = [
        ("see", "http://a/x"),
        ("image: a heron", "/h.png"),
        ("image", "data:x"),  # not http(s): keeps its placeholder
        ("image: the quay at dawn", "https://cdn.example/q.jpg"),
        ("image", "//cdn.example/5.png"),
    ]
    spots = find_spots(lines, links, "https://site.example/story")
    assert [(s.line, s.number, s.url) for s in spots] == [
        (1, 2, "https://site.example/h.png"),
        (5, 4, "https://cdn.example/q.jpg"),  # under the placeholder's last line
        (6, 5, "https://cdn.example/5.png"),
    ]


def test_the_pictures_setting(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    assert load_config(path).pictures is None
    path.write_text("pictures = false\n")
    assert load_config(path).pictures is False
    path.write_text('pictures = "maybe"\n')
    config = load_config(path)
    assert config.pictures is None
    assert config.problems == [
        f'{path}: \'pictures\' must be true, false, "auto", "kitty" or "blocks"'
    ]


# -- the app -----------------------------------------------------------------------------


async def test_opening_a_story_shows_its_pictures_and_only_its_own(
    paths: Paths, subscribed: Served
) -> None:
    app = ReaderApp(paths)
    assert app.pictures is not None  # Pillow is installed: on by default
    async with app.run_test(size=(120, 60)) as pilot:
        await wait_ready(pilot)
        assert showing(app, FIRST)
        view = article(app)
        await wait_for(pilot, lambda: view.picture_rows > 0 and _no_pictures_running(app))
        # The PNG and the JPEG drawn; every hostile one kept its placeholder.
        assert view.pictures_shown.lines() == sorted(
            i
            for i, line in enumerate(view.plain_lines)
            if "[image 1:" in line or "[image 7:" in line
        )
        assert view.picture_rows == 8 + 10  # 200 × 160 and 320 × 200 pixels
        assert all(f"[image {n}: shot" in "\n".join(view.plain_lines) for n in range(1, 8))
        screen = "\n".join(
            "".join(segment.text for segment in view.render_line(y)) for y in range(40)
        )
        assert "▀" * 20 in screen
        asked = subscribed.pictures_asked()
        assert "/lighthouse.png" not in asked  # the other story is not opened yet
        assert sorted(asked) == sorted(["/heron.png", *HOSTILE, "/quay.jpg"])
        assert not [n for n in app._notifications if n.severity == "error"]

        await pilot.press("j", "enter")
        await wait_for(pilot, lambda: showing(app, SECOND))
        await wait_for(pilot, lambda: view.picture_rows > 0 and _no_pictures_running(app))
        assert subscribed.pictures_asked().count("/lighthouse.png") == 1
        assert view.picture_rows == 6

        await pilot.press("k", "enter")  # back to the first: from the cache, no refetch
        await wait_for(pilot, lambda: showing(app, FIRST))
        await wait_for(pilot, lambda: view.picture_rows == 18 and _no_pictures_running(app))
        assert subscribed.pictures_asked().count("/heron.png") == 1
    cached = list((paths.cache_dir / "images").iterdir())
    assert len(cached) == 3  # the three pictures; nothing of the hostile ones


async def test_pictures_off_fetches_nothing(paths: Paths, subscribed: Served) -> None:
    app = ReaderApp(paths, Config(pictures=False))
    assert app.pictures is None
    async with app.run_test(size=(120, 60)) as pilot:
        await wait_ready(pilot)
        assert showing(app, FIRST)
        await pilot.press("j", "enter")
        await wait_for(pilot, lambda: showing(app, SECOND))
        await pilot.pause(0.3)
        assert article(app).picture_rows == 0
        assert "[image 1: The lighthouse]" in article(app).plain_lines
    assert subscribed.pictures_asked() == []
    assert not (paths.cache_dir / "images").exists()


BLOCKED = textwrap.dedent(
    """
    import asyncio, sys
    from reader.app.app import ReaderApp
    from reader.base.paths import resolve_paths

    async def main() -> None:
        app = ReaderApp(resolve_paths(sys.argv[1]))
        assert app.pictures is None, "pictures without Pillow"
        async with app.run_test(size=(120, 60)) as pilot:
            while app.reading.story is None or app.reading.article.rendered is None:
                await pilot.pause(0.05)
            while any(w.group == "article-render" and w.is_running for w in app.workers):
                await pilot.pause(0.05)
            await pilot.pause(0.3)
            lines = app.reading.article.plain_lines
            assert any("[image 1: shot /heron.png]" in line for line in lines), lines
            assert app.reading.article.picture_rows == 0
        print("placeholders only")

    asyncio.run(main())
    """
)


def test_without_pillow_the_article_shows_placeholders(
    home: Path, subscribed: Served, tmp_path: Path
) -> None:
    shadow = tmp_path / "no-pillow"  # found first on the path: as if Pillow were absent
    (shadow / "PIL").mkdir(parents=True)
    (shadow / "PIL" / "__init__.py").write_text("raise ImportError('Pillow is not installed')\n")
    env = {**os.environ, "PYTHONPATH": str(shadow)}
    env.pop("READER_HOME", None)
    done = subprocess.run(
        [sys.executable, "-c", BLOCKED, str(home)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "placeholders only"
    assert subscribed.pictures_asked() == []


def test_snapshot_of_a_picture_in_half_cells(
    snap_compare, paths: Paths, subscribed: Served
) -> None:
    """The PNG of two flat halves, drawn under its placeholder (its colours are exact:
    it is shrunk by whole blocks of pixels)."""

    async def drawn(pilot: Pilot) -> None:
        app = pilot.app
        assert isinstance(app, ReaderApp)
        await wait_ready(pilot)
        await wait_settled(pilot)
        view = article(app)
        await wait_for(pilot, lambda: view.picture_rows == 18 and _no_pictures_running(app))
        app.clear_notifications()
        await pilot.pause()

    assert snap_compare(ReaderApp(paths), terminal_size=(100, 30), run_before=drawn)


def slow(seconds: float, route: Route) -> Route:
    def handle(handler: BaseHTTPRequestHandler) -> None:
        time.sleep(seconds)
        route(handler)

    return handle


async def test_a_picture_arriving_above_the_screen_leaves_the_text_in_place(
    paths: Paths,
) -> None:
    paragraphs = "".join(f"<p>Paragraph {n} of the long story.</p>" for n in range(80))
    routes: dict[str, Route] = {"/late.png": slow(1.0, send(200, png(), "image/png"))}
    with serve(routes) as base:
        html = f'<p><img src="{base}/late.png" alt="late"></p>{paragraphs}'
        item = f"<item><title>{FIRST}</title><guid>1</guid><description><![CDATA[{html}]]>"
        routes["/feed.xml"] = send(
            200,
            f'<rss version="2.0"><channel><title>Late</title>{item}</description></item>'
            "</channel></rss>".encode(),
            "application/rss+xml",
        )
        with Store(paths) as store:
            store.add_feed(f"{base}/feed.xml")
            refresh(store, store.list_feeds())
        app = ReaderApp(paths)
        async with app.run_test(size=(120, 30)) as pilot:
            await wait_ready(pilot)
            view = article(app)
            await wait_for(pilot, lambda: view.rendered is not None and view.rendered.complete)
            assert view.picture_rows == 0  # the picture is still on its way
            view.scroll_to(0, 60, animate=False, immediate=True)
            await pilot.pause()
            top = view.plain_lines[view.line_at(view.scroll_offset.y)]
            assert top.startswith("Paragraph")
            await wait_for(pilot, lambda: view.picture_rows == 8)
            assert view.scroll_offset.y == 68  # moved down by the picture's rows
            assert view.plain_lines[view.line_at(view.scroll_offset.y)] == top
            placeholder = next(i for i, t in enumerate(view.plain_lines) if "[image 1" in t)
            assert view.row_of(placeholder + 1) == placeholder + 1 + 8


QUITS = textwrap.dedent(
    """
    import asyncio, sys, time
    from reader.app.app import ReaderApp
    from reader.base.paths import resolve_paths

    async def main() -> None:
        app = ReaderApp(resolve_paths(sys.argv[1]))
        async with app.run_test(size=(120, 40)) as pilot:
            deadline = time.monotonic() + 30
            while not any(w.group == "pictures" and w.is_running for w in app.workers):
                assert time.monotonic() < deadline
                await pilot.pause(0.05)
            await pilot.pause(0.5)  # the download has started; the server sits on it
            await pilot.press("q")
        print("quit", flush=True)

    asyncio.run(main())  # which waits for every worker thread before it returns
    # (a download left behind has 15 s to time out: quitting must not wait for it)
    """
)


def test_quitting_while_a_picture_downloads_does_not_wait_for_it(home: Path, paths: Paths) -> None:
    routes: dict[str, Route] = {"/slow.png": slow(20.0, send(200, png(), "image/png"))}
    with serve(routes) as base:
        html = f'<p>Soon.</p><p><img src="{base}/slow.png" alt="slow"></p>'
        item = f"<item><title>{FIRST}</title><guid>1</guid><description><![CDATA[{html}]]>"
        routes["/feed.xml"] = send(
            200,
            f'<rss version="2.0"><channel><title>Slow</title>{item}</description></item>'
            "</channel></rss>".encode(),
            "application/rss+xml",
        )
        with Store(paths) as store:
            store.add_feed(f"{base}/feed.xml")
            refresh(store, store.list_feeds())
        env = {key: value for key, value in os.environ.items() if key != "READER_HOME"}
        start = time.monotonic()
        done = subprocess.run(
            [sys.executable, "-c", QUITS, str(home)],
            capture_output=True, text=True, timeout=60, env=env,
        )  # fmt: skip
        took = time.monotonic() - start
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "quit"
    assert took < 14, f"quitting waited for the download: {took:.1f} s"
