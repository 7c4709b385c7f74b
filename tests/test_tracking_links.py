"""Tracking parameters never become part of a story's identity (issue 12)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from reader.base.links import strip_tracking
from reader.base.paths import Paths
from reader.feeds.parse import parse_feed
from reader.ingest.pipeline import ingest_items
from reader.store import Store, story_id
from reader.store.schema import CACHE_MIGRATIONS, USER_MIGRATIONS, migrate

from conftest import run_reader

CLEAN = "https://news.example/2025/tide-gauge"


@pytest.mark.parametrize(
    ("link", "expected"),
    [
        (f"{CLEAN}?utm_source=rss&utm_medium=feed", CLEAN),
        (f"{CLEAN}?fbclid=IwAR0&gclid=x&mc_cid=1&mc_eid=2&ref=twitter", CLEAN),
        (f"{CLEAN}?id=7&utm_campaign=spring#comments", f"{CLEAN}?id=7#comments"),
        (f"{CLEAN}?UTM_Source=x&page=2", f"{CLEAN}?page=2"),
        (f"{CLEAN}?b=2&a=%20x", f"{CLEAN}?b=2&a=%20x"),  # untouched: order, encoding
        ("HTTP://Ex.example:80/a?x=1", "HTTP://Ex.example:80/a?x=1"),
        ("/home/me/pages/tide.txt?utm_source=x", "/home/me/pages/tide.txt?utm_source=x"),
        ("https://feed.example/rss#utm_source", "https://feed.example/rss#utm_source"),
        (CLEAN, CLEAN),
        ("", ""),
    ],
)
def test_strip_tracking(link: str, expected: str) -> None:
    assert strip_tracking(link) == expected


def test_the_same_link_with_tracking_is_one_story(store: Store) -> None:
    page = b"Current:Home > NewsTide -Test Site\nTide\nDate:2025-01-01\nThe gauge.\n"
    ingest_items(store, [(f"{CLEAN}?utm_source=a", page)])
    outcome = ingest_items(store, [(f"{CLEAN}?fbclid=b", page + b"More.\n")])
    assert (store.count(), outcome.updated) == (1, 1)
    assert store.list_stories()[0].id == story_id(CLEAN)


def test_a_feed_item_identity_has_no_tracking() -> None:
    rss = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
        b"<item><title>Tide</title><link>" + CLEAN.encode() + b"?utm_source=rss&amp;ref=feed"
        b"</link><description>The gauge.</description></item></channel></rss>"
    )
    [(key, _)] = parse_feed(rss, "https://news.example/feed.xml").pages
    assert key == CLEAN


def _old_cache(paths: Paths, source: str) -> str:
    """A home as the code before this change left it: a story whose source and id
    carry tracking parameters, read and bookmarked."""
    paths.ensure()
    old_id = story_id(source)
    cache = sqlite3.connect(paths.cache_db, isolation_level=None)
    migrate(cache, "story cache", CACHE_MIGRATIONS[:8])
    cache.execute(
        "INSERT INTO stories (id, source, url, title, title_key, body, sort_key, content_hash,"
        " ingested_at, updated_at) VALUES (?, ?, ?, 'Tide gauge replaced', 'tide gauge replaced',"
        " 'The old gauge.', '2025-01-01', 'h', 'now', 'now')",
        (old_id, source, source),
    )
    cache.execute("INSERT INTO fts_pending SELECT rowid FROM stories")  # as save_rows does
    cache.close()
    user = sqlite3.connect(paths.user_db, isolation_level=None)
    migrate(user, "user data", USER_MIGRATIONS[:4])
    user.execute("INSERT INTO read_marks VALUES (?, 'now')", (old_id,))
    user.execute(
        "INSERT INTO bookmarks (story_id, bookmarked_at, title, source, sort_key)"
        " VALUES (?, 'now', 'Tide gauge replaced', ?, '2025-01-01')",
        (old_id, source),
    )
    user.close()
    return old_id


def test_an_old_cache_keeps_marks_when_its_story_comes_again_clean(paths: Paths) -> None:
    old_id = _old_cache(paths, f"{CLEAN}?utm_source=rss&utm_medium=feed")
    with Store(paths) as store:
        stored = store._conn.execute("SELECT id, source FROM stories").fetchall()
        assert [tuple(row) for row in stored] == [(old_id, CLEAN)]  # the id stays
        page = b"Current:Home > NewsTide -Site\nTide gauge replaced\nDate:2025-01-01\nNew.\n"
        outcome = ingest_items(store, [(f"{CLEAN}?utm_source=newsletter", page)])
        assert (outcome.updated, outcome.ingested, store.count()) == (1, 0, 1)
        story = store.get(old_id)
        assert story.read and story.bookmarked
        assert store.counts() == {"stories": 1, "unread": 0, "bookmarked": 1}


def test_cli_feeds_with_tracking_links_make_one_story(home: Path, tmp_path: Path) -> None:
    for name, query in (("a", "utm_source=a&amp;utm_medium=rss"), ("b", "fbclid=x")):
        (tmp_path / f"{name}.rss").write_bytes(
            b'<?xml version="1.0"?><rss version="2.0"><channel><title>'
            + name.encode()
            + b"</title><item><title>Tide gauge replaced</title><link>"
            + f"{CLEAN}?{query}".encode()
            + b"</link><description>The old gauge.</description></item></channel></rss>"
        )
        assert run_reader(home, "feed", "add", str(tmp_path / f"{name}.rss")).returncode == 0
    stories = json.loads(run_reader(home, "list", "--json").stdout)
    assert [s["id"] for s in stories] == [story_id(CLEAN)]
