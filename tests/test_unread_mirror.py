"""The unread list walks the cache's mirror of the unread stories (cache migration 17):
every writer of read marks or stories keeps it equal to what the read marks say."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from test_home_health import _remount, _tmpfs
from unread_helpers import assert_unread_exact, plain_unread

from reader.base.models import Page
from reader.base.paths import Paths, resolve_paths
from reader.store import Store, StoryFilter, story_id
from reader.store.schema import CACHE_MIGRATIONS

from conftest import undo_ranking_lists

UNREAD_MIGRATION = next(
    n for n, script in enumerate(CACHE_MIGRATIONS) if "CREATE TABLE unread" in script
)
"""The migration's place in the list (18 once 16 and 17 are in)."""

SITES = ("Quay Times", "River Post", "Hill News")


def _pages(n: int = 6) -> list[tuple[str, str, Page]]:
    return [
        (
            f"{site}/{i}",
            "h",
            Page(
                title=f"{site} story {i}",
                body=f"Text {i}.",
                site=site,
                published=f"2026-11-{1 + i:02d}T0{len(site) % 9}:00:00",
            ),
        )
        for site in SITES
        for i in range(n)
    ]


@pytest.fixture
def filled(store: Store) -> Store:
    store.save_pages(_pages())
    return store


def test_marks_unmarks_and_undo_keep_the_unread_list_exact(filled: Store) -> None:
    store = filled
    assert_unread_exact(store)
    assert store.count(StoryFilter(unread=True)) == 18
    store.set_read(story_id("Quay Times/1"))
    store.set_read(story_id("River Post/2"), undoable=True)
    assert_unread_exact(store)
    store.set_read(story_id("Quay Times/1"), False)
    store.set_read(story_id("River Post/2"), False, undoable=True)
    assert_unread_exact(store)
    assert store.undo_last_mark() is not None  # read again
    assert_unread_exact(store)
    assert store.mark_all_read(StoryFilter(site="Hill News"), undoable=True) == 6
    assert_unread_exact(store)
    assert store.undo_last_mark() is not None
    assert_unread_exact(store)
    store.mark_all_read(ids=[story_id("Hill News/3"), story_id("Quay Times/4")])
    assert_unread_exact(store)
    assert len(plain_unread(store)) == 15


@pytest.mark.parametrize("flt", [StoryFilter(), StoryFilter(unread=True, grouped=True)])
@pytest.mark.parametrize("undoable", [False, True])
def test_marking_every_story_read_and_its_undo(
    filled: Store, flt: StoryFilter, undoable: bool
) -> None:
    store = filled
    store.set_read(story_id("Quay Times/0"))
    assert store.mark_all_read(flt, undoable=undoable) == 17
    assert_unread_exact(store)
    assert store.count(StoryFilter(unread=True)) == 0
    if undoable:
        assert store.undo_last_mark() is not None
        assert_unread_exact(store)
        assert plain_unread(store) and story_id("Quay Times/0") not in plain_unread(store)
    # and the trigger a read mark is back: a mark after it still takes its story out
    store._conn.execute(
        "DELETE FROM user.read_marks WHERE story_id = ?", (story_id("Hill News/2"),)
    )
    store.set_read(story_id("Hill News/2"))
    assert_unread_exact(store)


def test_a_failed_mark_of_every_story_leaves_marks_and_mirror_as_they_were(
    filled: Store,
) -> None:
    store = filled
    store.set_read(story_id("River Post/5"))
    store._conn.execute(
        "CREATE TEMP TRIGGER refuse AFTER INSERT ON user.read_marks"
        " BEGIN SELECT RAISE(ABORT, 'refused'); END"
    )
    with pytest.raises(sqlite3.IntegrityError):
        store.mark_all_read()
    store._conn.execute("DROP TRIGGER temp.refuse")
    assert_unread_exact(store)
    store.set_read(story_id("River Post/4"))  # the mirror's trigger came back with the rollback
    assert_unread_exact(store)


def test_hidden_feeds_stay_out_of_the_unread_list_and_count(store: Store) -> None:
    store.add_feed("https://hidden.example/feed")
    pages = _pages(3)
    store.save_pages(pages)
    store._conn.execute(
        "UPDATE stories SET feed_url = 'https://hidden.example/feed' WHERE site = 'Hill News'"
    )
    store._conn.execute("UPDATE user.feeds SET hidden = 1")
    store.set_read(story_id("Quay Times/1"))
    flt = StoryFilter(unread=True, grouped=True)
    listed = [s.id for s in store.page_after(flt, None, 50).stories]
    assert sorted(listed) == sorted(
        story_id(f"{site}/{i}")
        for site in ("Quay Times", "River Post")
        for i in range(3)
        if (site, i) != ("Quay Times", 1)
    )
    assert store.count(flt) == 5
    assert [s.id for s in store.page_before(flt, None, 50).stories] == listed
    assert_unread_exact(store)
    mark_all = store.mark_all_read()  # not the hidden feed's stories
    assert mark_all == 5
    assert_unread_exact(store)
    assert len(plain_unread(store)) == 3


def test_stories_deleted_grouped_and_stored_again(filled: Store) -> None:
    store = filled
    store.add_feed("https://quay.example/feed")
    store._conn.execute(
        "UPDATE stories SET feed_url = 'https://quay.example/feed' WHERE site = 'Quay Times'"
    )
    store.set_read(story_id("Quay Times/2"))
    # copies: River Post's stories join Hill News's, whose are the heads
    store._conn.execute(
        "UPDATE stories SET story_group = (SELECT h.rowid FROM stories h"
        " WHERE h.source = 'Hill News/' || substr(stories.source, 12))"
        " WHERE site IN ('River Post', 'Hill News')"
    )
    assert_unread_exact(store)
    store._conn.execute("UPDATE stories SET sort_key = '2027' WHERE source = 'River Post/1'")
    assert_unread_exact(store)
    store.trim_feed("https://quay.example/feed", 3)
    assert_unread_exact(store)
    store.remove_feed("https://quay.example/feed", purge=True)
    assert_unread_exact(store)
    store._conn.execute("DELETE FROM stories WHERE source = 'Hill News/0'")  # a head goes
    assert_unread_exact(store)
    # stored again: the one that was read stays read, the others come back unread
    store.save_pages([p for p in _pages() if p[0].startswith("Quay Times")])
    assert_unread_exact(store)
    assert story_id("Quay Times/2") not in plain_unread(store)
    assert story_id("Quay Times/3") in plain_unread(store)


def test_a_home_made_before_the_mirror_is_upgraded_and_listed_right(
    paths: Paths, capsys: pytest.CaptureFixture[str]
) -> None:
    with Store(paths) as store:
        store.save_pages(_pages())
        store.set_read(story_id("River Post/3"))
        store.mark_all_read(StoryFilter(site="Hill News"))
    conn = sqlite3.connect(paths.cache_db)  # as the reader before migration 17 left it
    undo_ranking_lists(conn)
    conn.executescript(
        "DROP TRIGGER unread_story_delete; DROP TRIGGER unread_story_update;"
        f" DROP TABLE unread; DROP TABLE unread_mirror; PRAGMA user_version = {UNREAD_MIGRATION}"
    )
    conn.close()
    told: list[tuple[int, int]] = []
    with Store(paths, upgrading=lambda old, new: told.append((old, new))) as store:
        assert told == [(UNREAD_MIGRATION, len(CACHE_MIGRATIONS))]
        assert len(plain_unread(store)) == 11
        assert_unread_exact(store)


@pytest.mark.parametrize("unfilled", [False, True])
def test_a_read_only_home_lists_the_unread_stories(tmp_path: Path, unfilled: bool) -> None:
    with _tmpfs(tmp_path / "fs", "16m") as fs:
        paths = resolve_paths(fs / "home")
        with Store(paths) as store:
            store.save_pages(_pages())
            store.set_read(story_id("River Post/3"))
            wanted = [s.id for s in store.page_after(StoryFilter(unread=True), None, 50).stories]
        if unfilled:  # a cache upgraded by a reader that could not fill the mirror
            conn = sqlite3.connect(paths.cache_db)
            with conn:
                conn.execute("UPDATE unread_mirror SET filled = 0")
                conn.execute("DELETE FROM unread")
            conn.close()
        _remount(fs, "ro")
        try:
            with Store(paths) as store:
                assert not store.writable
                flt = StoryFilter(unread=True)
                assert [s.id for s in store.page_after(flt, None, 50).stories] == wanted
                assert [s.id for s in store.page_before(flt, None, 2).stories] == wanted[-2:]
                assert store.count(flt) == store.counts()["unread"] == 17
        finally:
            _remount(fs, "rw")


@pytest.mark.parametrize("way", ["mirror", "read marks"])
def test_site_tag_and_feed_counts_agree_with_the_read_marks(
    store: Store, monkeypatch: pytest.MonkeyPatch, way: str
) -> None:
    """``sites``, ``tags`` and ``list_feeds`` count the unread stories from the mirror,
    or as the totals less the read marks (a feed's; a site's until the mirror is
    filled): each way gives what the read marks say."""
    if way == "read marks":
        monkeypatch.setattr(Store, "_unread_filled", lambda self: False)
    feed = "https://quay.example/feed"
    store.add_feed(feed, tags=["local", "news"])
    store.add_feed("https://empty.example/feed", tags=["news"])
    items = [
        (f"{feed}#{i}", "h", Page(title=f"Item {i}", body=".", site="Quay Times", feed_url=feed))
        for i in range(5)
    ]
    store.save_pages(_pages() + items)
    for sid in ("Quay Times/1", "River Post/2", "River Post/3", f"{feed}#0", f"{feed}#4"):
        store.set_read(story_id(sid))
    store._conn.execute(  # a read mark whose story the cache no longer holds
        "INSERT INTO user.read_marks (story_id, read_at) VALUES ('0123456789ab', '2026')"
    )
    plain = store._conn.execute(
        "SELECT site, count(*), sum(NOT EXISTS (SELECT 1 FROM user.read_marks r"
        " WHERE r.story_id = s.id)) FROM stories s GROUP BY site ORDER BY 2 DESC, 1"
    ).fetchall()
    assert store.sites() == [tuple(row) for row in plain]
    assert store.sites()[0] == ("Quay Times", 11, 8)
    assert store.tags() == [("local", 5, 3), ("news", 5, 3)]
    counts = {f.url: (f.stories, f.unread) for f in store.list_feeds()}
    assert counts == {feed: (5, 3), "https://empty.example/feed": (0, 0)}
    assert store.get_feed(feed).unread == 3  # one feed: counted from its stories
    assert [f.unread for f in store.list_feeds(with_unread=False)] == [0, 0]
    assert store.sites(unread=False)[0] == ("Quay Times", 11, 0)
