"""Story bodies stored once, compressed (reader.store.packing, cache migration 14)."""

from __future__ import annotations

import json
import sqlite3
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest

import reader.store.base as store_base
import reader.store.search as search
import reader.store.stories as store_stories
from reader.base.fragments import html_to_text, story_markdown
from reader.base.models import Page
from reader.base.paths import Paths
from reader.store import Store, packing, story_id
from reader.store.analysis import AnalysisStore
from reader.store.rows import StoryRow
from reader.store.schema import CACHE_MIGRATIONS

from conftest import run_reader

WORDS = "harbour council market quay bonds ferry river tram bakery audit report season".split()


def _words(n: int, p: int) -> str:
    return " ".join(f"{WORDS[(n + p + i) % len(WORDS)]}{i * p}" for i in range(40))


def _html(n: int, paragraphs: int = 6) -> str:
    return "".join(
        f"<p>Item {n}, part {p}: {_words(n, p)} &amp; caf\u00e9 \u201cquoted\u201d</p>"
        for p in range(paragraphs)
    )


def _feed_item(n: int) -> tuple[str, str, Page]:
    html = _html(n)
    page = Page(
        title=f"Feed item {n} about the {WORDS[n % len(WORDS)]}",
        body=html_to_text(html),
        body_html=html,
        url=f"http://feeds.example/{n}",
        feed_url="http://feeds.example/feed.xml",
        published=f"2025-01-{1 + n % 28:02d}T10:00:00+00:00",
    )
    return page.url or "", f"hash-{n}", page


def _text_page(n: int) -> tuple[str, str, Page]:
    body = "\n\n".join(
        f"Paragraph {p} of page {n}: "
        + " ".join(WORDS[(n * p + i) % len(WORDS)] for i in range(50))
        for p in range(4)
    )
    return f"/pages/{n}.txt", f"text-{n}", Page(title=f"Text page {n} on bonds", body=body)


ITEMS = [_feed_item(n) for n in range(12)] + [_text_page(n) for n in range(8)]
ITEMS.append(("/pages/short.txt", "short", Page(title="A short one", body="Quay wall.")))


# -- pack and unpack -----------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["", "short", "caf\u00e9 " * 100, "\ud800 lone surrogate " * 20, "x" * 100_000, None],
)
def test_pack_gives_back_the_text(text: str | None) -> None:
    packed = packing.pack(text)
    assert packing.unpack(packed) == text
    assert packing.pack(packed) == packed  # packing twice changes nothing


def test_short_text_stays_text_and_long_text_is_compressed() -> None:
    assert packing.pack("Quay wall.") == "Quay wall."
    packed = packing.pack(html_to_text(_html(1)))
    assert isinstance(packed, bytes) and len(packed) < len(html_to_text(_html(1))) / 2


def test_a_feed_items_text_takes_its_html_as_dictionary() -> None:
    html = _html(3)
    text = html_to_text(html)
    alone, with_html = packing.pack(text), packing.pack(text, html)
    assert isinstance(alone, bytes) and isinstance(with_html, bytes)
    assert len(with_html) < len(alone) / 3
    assert packing.unpack(with_html, html) == text
    assert packing.unpack(with_html, packing.pack(html)) == text  # the HTML as stored too
    with pytest.raises(Exception):  # noqa: B017, PT011 - zlib's own error
        packing.unpack(with_html)  # without its dictionary it cannot be read


def test_html_longer_than_zlibs_window() -> None:
    html = _html(5, paragraphs=400)
    assert len(html) > 100_000
    text = html_to_text(html)
    assert packing.unpack(packing.pack(text, html), html) == text


def _window(packed: str | bytes) -> int:
    """The window a zlib stream was made with, in bits (its header's CINFO)."""
    assert isinstance(packed, bytes)
    return (packed[0] >> 4) + 8


def test_a_body_on_its_own_is_a_zstd_frame() -> None:
    html = _html(4)
    for body in (html, html_to_text(html), "\u00e9t\u00e9 " * 2000):
        packed = packing.pack(body)
        assert isinstance(packed, bytes) and packed.startswith(packing.ZSTD_MAGIC)
        assert len(packed) < len(body.encode()) / 2
        assert packing.unpack(packed) == body
    # A feed item's text stays a zlib stream, with its HTML (as zstd) for dictionary.
    text = html_to_text(html)
    with_html = packing.pack(text, packing.pack(html))
    assert isinstance(with_html, bytes) and with_html[:1] in b"\x08\x18\x28\x38\x48\x58\x68\x78"
    assert with_html[1] & 0x20  # zlib's FDICT
    assert packing.unpack(with_html, packing.pack(html)) == text


def test_bodies_that_zlib_packed_before_zstd_are_still_read() -> None:
    html = _html(6)
    text = html_to_text(html)
    old_html = zlib.compress(html.encode(), 6)  # cache migration 14's bodies
    writer = zlib.compressobj(6, zdict=html.encode())
    old_text = writer.compress(text.encode()) + writer.flush()
    assert packing.unpack(old_html) == html
    assert packing.unpack(old_text, old_html) == text
    assert packing.unpack(old_text, packing.pack(html)) == text


@pytest.mark.parametrize("size", [200, 1_500, 3_800, 9_000, 40_000, 200_000])
def test_a_text_is_compressed_with_the_window_that_holds_it_and_its_html(size: int) -> None:
    html = "<p>" + " ".join(_words(n, 3) for n in range(size // 100 + 1))[:size] + "</p>"
    text = html_to_text(html)
    zdict = html.encode()[-(2**15) :]
    packed = packing.pack(text, html)
    # The same bytes as with zlib's 32 KiB window (header aside), from a window that
    # reaches back over the text and its dictionary and no more: its state is that
    # much smaller.
    whole = zlib.compressobj(packing.LEVEL, zdict=zdict)
    assert len(packed) == len(whole.compress(text.encode()) + whole.flush())
    need = len(zdict) + len(text.encode())
    reach = 2 ** _window(packed) - 262
    assert reach >= min(need, 2**15 - 262)
    assert _window(packed) == 9 or (reach + 262) // 2 - 262 < need
    assert packing.unpack(packed, html) == text


# -- the store -------------------------------------------------------------------------


def _column_types(paths: Paths) -> dict[str, tuple[str, str]]:
    with sqlite3.connect(paths.cache_db) as conn:
        rows = conn.execute("SELECT source, typeof(body), typeof(body_html) FROM stories")
        found = {source: (body, html) for source, body, html in rows}
    conn.close()
    return found


def _snapshot(store: Store) -> dict[str, tuple[object, ...]]:
    """What every story reads back as: its text, HTML, Markdown and search hits."""
    found = {}
    for source, _, _page in ITEMS:
        story = store.get(story_id(source))
        found[source] = (story.title, story.body, story.body_html, story_markdown(story))
    return found


def test_bodies_round_trip_through_the_store(store: Store, paths: Paths) -> None:
    store.save_pages(ITEMS)
    for source, _, page in ITEMS:
        story = store.get(story_id(source))
        assert (story.body, story.body_html) == (page.body, page.body_html)
    types = _column_types(paths)
    assert types["http://feeds.example/1"] == ("blob", "blob")
    assert types["/pages/1.txt"] == ("blob", "null")
    assert types["/pages/short.txt"] == ("text", "null")
    # an update stores the new text, packed again, and the index follows it
    store.index_pending()
    source, _, page = _feed_item(1)
    changed = Page(**{**page.__dict__, "body_html": "<p>Tram strike</p>", "body": "Tram strike"})
    store.save_pages([(source, "changed", changed)])
    assert store.get(story_id(source)).body == "Tram strike"
    assert [s.title for s in store.search("tram strike")] == [page.title]
    assert story_id(source) not in {s.id for s in store.search("quoted")}


def test_search_snippets_and_bookmarks_read_the_text(store: Store, paths: Paths) -> None:
    store.save_pages(ITEMS)
    hits = store.search("quoted")
    assert len(hits) == 12
    snippets = store.snippets("quoted", [hits[0].id])
    assert "quoted" in snippets[hits[0].id].text
    sid = story_id("http://feeds.example/4")
    store.set_bookmark(sid)
    with sqlite3.connect(paths.user_db) as conn:
        body, html = conn.execute(
            "SELECT body, body_html FROM bookmarks WHERE story_id = ?", (sid,)
        ).fetchone()
    conn.close()
    assert (body, html) == (_feed_item(4)[2].body, _feed_item(4)[2].body_html)


def test_related_stories_and_deletes_work_on_packed_bodies(store: Store, paths: Paths) -> None:
    store.save_pages(ITEMS)
    store.index_pending()
    store.analyse_pending()
    related = store.related(story_id("http://feeds.example/2"))
    assert related and all(r.title.startswith("Feed item") for r in related[:3])
    assert store.trim_feed("http://feeds.example/feed.xml", keep=2) == 10
    assert len(store.search("quoted")) == 2
    _integrity(paths)


@pytest.fixture(autouse=True)
def _small_recent_index(monkeypatch: pytest.MonkeyPatch) -> None:
    """A recent index of the newest 16 stories, kept for a cache of more than 19 (the 20
    stories here): its triggers unpack the bodies of the feed items it holds too."""
    monkeypatch.setattr(search, "RECENT_STORIES", 16)
    monkeypatch.setattr(search, "_RECENT_SLACK", 3)


def _integrity(paths: Paths) -> None:
    """FTS5's check of the main index against every story's text (raises if wrong), and
    of the recent index, which holds some stories only: its structure, and each of its
    words where the main index has it, in the stories it holds."""
    with sqlite3.connect(paths.cache_db) as conn:
        packing.register(conn)
        conn.execute("INSERT INTO stories_fts (stories_fts, rank) VALUES ('integrity-check', 1)")
        conn.execute("INSERT INTO recent_fts (recent_fts, rank) VALUES ('integrity-check', 0)")
        for table in ("stories_fts", "recent_fts"):
            conn.execute(
                f"CREATE VIRTUAL TABLE temp.{table}_i USING fts5vocab(main, {table}, instance)"
            )
        held = [r for (r,) in conn.execute("SELECT story_rowid FROM recent_rows ORDER BY 1")]
        words = "SELECT term, doc, col, offset FROM temp.{}_i{} ORDER BY 1, 2, 3, 4"
        recent = conn.execute(words.format("recent_fts", "")).fetchall()
        whole = conn.execute(
            words.format("stories_fts", " WHERE doc IN (SELECT story_rowid FROM recent_rows)")
        ).fetchall()
    conn.close()
    assert held and recent == whole
    assert sorted({doc for _, doc, _, _ in recent}) == held


# -- migration 14 ----------------------------------------------------------------------


@pytest.fixture
def old_cache(paths: Paths, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, object]]:
    """A cache made by the store as it was at migration 13 (bodies as plain text), with
    its indexes and analysis done and a bookmark; yields what each story read as."""
    with monkeypatch.context() as patch:
        patch.setattr(store_base, "CACHE_MIGRATIONS", CACHE_MIGRATIONS[:13])
        patch.setattr(store_stories, "stored_values", lambda row: tuple(row[:-1]))
        # grouping copies writes their text's length, a column of cache migration 16,
        # and a story's copies are ordered by it: none are grouped here
        patch.setattr(AnalysisStore, "_join", lambda self, rowid, copies: None)
        patch.setattr(store_stories.StoryStore, "_also_on", lambda self, sid: [])
        with Store(paths) as store:
            store.save_pages(ITEMS)
            store.index_pending()
            store.analyse_pending()
            store.set_bookmark(story_id("http://feeds.example/3"))
            before = {
                "stories": _snapshot(store),
                "related": [r.title for r in store.related(story_id("http://feeds.example/2"))],
                "search": sorted(s.id for s in store.search("quoted")),
            }
    assert set(_column_types(paths).values()) == {("text", "text"), ("text", "null")}
    yield before


def test_migration_14_keeps_every_storys_text(paths: Paths, old_cache: dict[str, object]) -> None:
    with Store(paths) as store:
        assert _snapshot(store) == old_cache["stories"]
        types = _column_types(paths)
        assert types["http://feeds.example/0"] == ("blob", "blob")
        assert types["/pages/0.txt"] == ("blob", "null")
        # the indexes are made again (the deferred way), and find every story
        assert sorted(s.id for s in store.search("quoted")) == old_cache["search"]
        assert len(store.search("bonds")) == 8 + sum("bonds" in p.title for _, _, p in ITEMS[:12])
        # the analysis was kept, not redone
        assert store.analyse_pending() == 0
        related = [r.title for r in store.related(story_id("http://feeds.example/2"))]
        assert related == old_cache["related"]
        assert store.get(story_id("http://feeds.example/3")).bookmarked
        store.index_pending()  # the app's catch-up: the recent index filled again (15)
    _integrity(paths)
    with sqlite3.connect(paths.cache_db) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == len(CACHE_MIGRATIONS)
    conn.close()


def test_after_migration_14_updates_and_deletes_keep_the_index_exact(
    paths: Paths, old_cache: dict[str, object]
) -> None:
    with Store(paths) as store:
        store.index_pending()
        source, _, page = _feed_item(5)
        changed = Page(**{**page.__dict__, "body_html": "<p>Sea wall</p>", "body": "Sea wall"})
        store.save_pages([(source, "changed", changed)])
        assert [s.title for s in store.search("sea wall")] == [page.title]
        assert store.trim_feed("http://feeds.example/feed.xml", keep=0) == 11  # 3 is kept
        assert [s.id for s in store.search("quoted")] == [story_id("http://feeds.example/3")]
        assert len(store.search("bonds")) == 8
    _integrity(paths)


def test_a_row_made_by_prepare_is_stored_packed() -> None:
    source, digest, page = _feed_item(7)
    from reader.store.rows import prepare

    row = prepare(source, digest, page)
    values = packing.stored_values(row)
    assert len(values) == len(StoryRow._fields) - 1
    body, html = values[StoryRow._fields.index("body")], values[StoryRow._fields.index("body_html")]
    assert packing.unpack(body, html) == page.body and packing.unpack(html) == page.body_html


def test_a_row_packed_where_it_was_made_is_stored_the_same(store: Store) -> None:
    """A worker packs the rows it makes (``packing.packed``): the store writes the
    same values as for the row unpacked, and reads back the same text."""
    from reader.store.rows import prepare

    rows = [prepare(source, digest, page) for source, digest, page in ITEMS]
    packed = [packing.packed(row) for row in rows]
    assert [packing.stored_values(p) for p in packed] == [packing.stored_values(r) for r in rows]
    assert isinstance(packed[0].body, bytes) and isinstance(packed[0].body_html, bytes)
    assert packed[-1].body == "Quay wall."  # short text stays text
    assert packing.packed(packed[0]) == packed[0]  # packing twice changes nothing
    store.save_rows(packed)
    for source, _, page in ITEMS:
        story = store.get(story_id(source))
        assert (story.body, story.body_html) == (page.body, page.body_html)


def test_the_command_line_says_it_upgrades_an_old_cache_first(
    home: Path, old_cache: dict[str, object]
) -> None:
    import subprocess
    import sys

    runs = [
        subprocess.run(
            [sys.executable, "-m", "reader", "--home", str(home), "list", "--limit", "1"],
            capture_output=True,
            text=True,
        )  # fmt: skip
        for _ in range(2)
    ]
    assert [run.returncode for run in runs] == [0, 0], runs[0].stderr
    first = runs[0].stderr.splitlines()
    assert len(first) == 1 and first[0].startswith(
        f"reader: upgrading the story cache from schema 13 to {len(CACHE_MIGRATIONS)}"
    )
    assert runs[1].stderr == ""  # once


def test_a_cache_of_zlib_bodies_takes_migration_18_at_once_and_silently(paths: Paths) -> None:
    from reader.store.rows import prepare
    from reader.store.schema import SchemaTooNew, migrate

    with Store(paths) as store:
        store.save_rows([packing.packed(prepare(*item)) for item in ITEMS[:3]])
    with sqlite3.connect(paths.cache_db) as conn:  # a cache a reader before zstd left
        html = ITEMS[0][2].body_html or ""
        conn.execute(
            "UPDATE stories SET body_html = ? WHERE id = ?",
            (zlib.compress(html.encode()), story_id(ITEMS[0][0])),
        )
        conn.execute("PRAGMA user_version = 17")
    conn.close()
    from reader.store.schema import INSTANT_CACHE_MIGRATIONS

    told: list[tuple[int, int]] = []
    with sqlite3.connect(paths.cache_db, isolation_level=None) as conn:
        packing.register(conn)
        migrate(
            conn,
            "story cache",
            CACHE_MIGRATIONS[:19],
            upgrading=lambda old, new: told.append((old, new)),
            instant=INSTANT_CACHE_MIGRATIONS,
        )
        assert told == []  # nothing to rewrite: not announced as taking minutes
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 19
        # (the rest of the schema is this reader's already: the cache is made by it)
        conn.execute(f"PRAGMA user_version = {len(CACHE_MIGRATIONS)}")
    conn.close()
    with Store(paths) as store:
        story = store.get(story_id(ITEMS[0][0]))
        assert (story.body, story.body_html) == (ITEMS[0][2].body, html)
    # A reader before zstd refuses the cache rather than misread its bodies.
    with sqlite3.connect(paths.cache_db) as conn, pytest.raises(SchemaTooNew, match="upgrade"):
        migrate(conn, "story cache", CACHE_MIGRATIONS[:17])
    conn.close()


def _page_with_lists(n: int) -> tuple[str, str, Page]:
    from reader.base.models import Headline

    source, digest, page = _text_page(n)
    heads = [Headline(f"Headline {n}.{i}: the {WORDS[i % len(WORDS)]} report") for i in range(8)]
    return source, digest, Page(title=page.title, body=page.body, related=heads, ranking=heads)


def test_headline_lists_are_stored_packed_and_read_back(
    paths: Paths, caplog: pytest.LogCaptureFixture
) -> None:
    items = [_page_with_lists(n) for n in range(3)]
    with Store(paths) as store:
        store.save_pages(items)
        sid = story_id(items[0][0])
        store.set_bookmark(sid)
        assert [h.title for h in store.get(sid).ranking] == [h.title for h in items[0][2].ranking]
    with sqlite3.connect(paths.cache_db) as conn:
        packing.register(conn)
        stored = conn.execute("SELECT lists, unpack(lists) FROM stories WHERE id = ?", (sid,))
        lists, text = stored.fetchone()
        assert isinstance(lists, bytes) and len(lists) < len(text.encode()) / 2
        assert [t for t, _ in json.loads(text)["related"]] == [h.title for h in items[0][2].related]
        # lists stored as text before migration 19 are read as they are
        conn.execute(
            "UPDATE stories SET lists = ? WHERE id = ?",
            (text, story_id(items[1][0])),
        )
        damaged = bytearray(lists)
        damaged[len(damaged) // 2] ^= 0x10
        conn.execute("UPDATE stories SET lists = ? WHERE id = ?", (bytes(damaged), sid))
    conn.close()
    with sqlite3.connect(paths.user_db) as conn:  # the bookmark keeps them as JSON text
        (kept,) = conn.execute("SELECT lists FROM bookmarks WHERE story_id = ?", (sid,)).fetchone()
    conn.close()
    assert json.loads(kept)["related"][0][0] == items[0][2].related[0].title
    with Store(paths) as store:
        assert len(store.get(story_id(items[1][0])).related) == 8
        # damaged lists: the story shows without them, and the log says so
        story = store.get(sid)
        assert (story.title, story.related, story.ranking) == (items[0][2].title, [], [])
        assert sid in caplog.text and "lists" in caplog.text
    # A reader before packed lists refuses the cache rather than fail on them.
    from reader.store.schema import SchemaTooNew, migrate

    with sqlite3.connect(paths.cache_db) as conn, pytest.raises(SchemaTooNew, match="upgrade"):
        migrate(conn, "story cache", CACHE_MIGRATIONS[:18])
    conn.close()


def test_a_damaged_body_is_said_not_misread(paths: Paths, home: Path) -> None:
    from reader.base.errors import BodyDamaged
    from reader.store.rows import prepare

    html = _html(8)
    packed = packing.pack(html)
    assert isinstance(packed, bytes)
    flipped = bytearray(packed)
    flipped[len(flipped) // 2] ^= 0x10  # one bit: zstd's checksum says so
    with pytest.raises(BodyDamaged, match="zstd"):
        packing.unpack(bytes(flipped))
    old = zlib.compress(html.encode())
    for damaged in (old[: len(old) // 2], old[:2] + bytes(len(old) - 2)):
        with pytest.raises(BodyDamaged, match="zlib"):
            packing.unpack(damaged)
    with Store(paths) as store:
        store.save_rows([packing.packed(prepare(*item)) for item in ITEMS[:2]])
    source = ITEMS[0][0]
    with sqlite3.connect(paths.cache_db) as conn:
        conn.execute(
            "UPDATE stories SET body_html = ? WHERE id = ?", (bytes(flipped), story_id(source))
        )
    conn.close()
    with Store(paths) as store, pytest.raises(BodyDamaged, match=story_id(source)):
        store.get(story_id(source))
    shown = run_reader(home, "show", story_id(source))
    assert shown.returncode == 1
    assert shown.stderr.startswith(f"reader: story {story_id(source)}: its stored text is damaged")
    assert len(shown.stderr.splitlines()) == 1 and "Traceback" not in shown.stderr
    listed = run_reader(home, "list")  # the other commands go on
    assert listed.returncode == 0 and len(listed.stdout.splitlines()) == 2
    # Search indexes the other story's text, and the damaged one by its title.
    found = run_reader(home, "search", "quoted", "--json")
    assert found.returncode == 0, found.stderr
    assert [s["id"] for s in json.loads(found.stdout)] == [story_id(ITEMS[1][0])]
    titled = run_reader(home, "search", "harbour", "--json")
    assert story_id(source) in [s["id"] for s in json.loads(titled.stdout)]
