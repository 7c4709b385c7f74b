"""Undo for the last mark change: exactly the stories it changed get their mark back."""

from __future__ import annotations

import shutil
import sqlite3

from reader.base.models import Page
from reader.base.paths import Paths
from reader.store import Store, StoryFilter, story_id
from reader.store.marks import MarkUndone


def _stories(store: Store) -> None:
    store.save_pages(
        [
            (f"{site}/{n}", "h", Page(title=f"{site} story {n}", body="Text.", site=site))
            for site in ("Quay Times", "River Post")
            for n in range(3)
        ]
    )


def _read(store: Store) -> set[str]:
    return {s.id for s in store.list_stories() if s.read}


def test_undo_of_mark_all_read_restores_exactly_the_stories_it_changed(store: Store) -> None:
    _stories(store)
    already = story_id("Quay Times/1")
    store.set_read(already)  # read before: must stay read after the undo
    assert store.mark_all_read(StoryFilter(site="Quay Times"), undoable=True) == 2
    assert _read(store) == {story_id(f"Quay Times/{n}") for n in range(3)}
    assert store.undo_last_mark() == MarkUndone("read", 2, False)
    assert _read(store) == {already}
    assert store.undo_last_mark() is None  # once


def test_undo_of_mark_all_read_by_ids(store: Store) -> None:
    _stories(store)
    ids = [story_id("River Post/0"), story_id("River Post/2")]
    assert store.mark_all_read(ids=ids, undoable=True) == 2
    assert store.undo_last_mark() == MarkUndone("read", 2, False)
    assert _read(store) == set()


def test_undo_of_toggle_read_both_ways_keeps_when_it_was_read(store: Store, paths: Paths) -> None:
    _stories(store)
    sid = story_id("Quay Times/0")
    store.set_read(sid, True, undoable=True)
    assert store.undo_last_mark() == MarkUndone("read", 1, False)
    assert not store.get(sid).read
    store.set_read(sid)
    with sqlite3.connect(paths.user_db) as conn:
        (read_at,) = conn.execute("SELECT read_at FROM read_marks WHERE story_id = ?", (sid,))
    store.set_read(sid, False, undoable=True)
    assert store.undo_last_mark() == MarkUndone("read", 1, True)
    assert store.get(sid).read
    with sqlite3.connect(paths.user_db) as conn:
        again = conn.execute("SELECT read_at FROM read_marks WHERE story_id = ?", (sid,))
        assert list(again) == [read_at]


def test_each_undoable_change_replaces_the_last_and_others_leave_it(store: Store) -> None:
    _stories(store)
    store.mark_all_read(undoable=True)
    first = story_id("Quay Times/0")
    store.set_read(first, False, undoable=True)  # the last change now
    store.set_read(story_id("River Post/0"), False)  # not undoable: the command line's
    assert store.undo_last_mark() == MarkUndone("read", 1, True)
    assert store.count(StoryFilter(unread=True)) == 1  # River Post/0 only


def test_undo_of_an_unbookmark_brings_back_the_bookmarks_own_copy(paths: Paths) -> None:
    with Store(paths) as store:
        _stories(store)
        sid = story_id("River Post/1")
        store.set_bookmark(sid)
        store.set_bookmark(sid, False, undoable=True)
    shutil.rmtree(paths.cache_dir)  # the copy is the bookmark's own, not the cache's
    with Store(paths) as store:
        assert store.undo_last_mark() == MarkUndone("bookmark", 1, True)
        [kept] = store.list_stories(StoryFilter(bookmarked=True))
        assert kept.title == "River Post story 1"


def test_undo_of_a_bookmark_removes_it(store: Store) -> None:
    _stories(store)
    sid = story_id("River Post/1")
    store.set_bookmark(sid, True, undoable=True)
    assert store.undo_last_mark() == MarkUndone("bookmark", 1, False)
    assert not store.get(sid).bookmarked
    assert store.undo_last_mark() is None


def test_nothing_to_undo_on_a_new_home(store: Store) -> None:
    assert store.undo_last_mark() is None
