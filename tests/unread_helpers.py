"""The check that the unread list and counts are what the read marks say (cache
migration 17's mirror of the unread stories against a plain query over read_marks)."""

from __future__ import annotations

from reader.store import Store, StoryFilter

_PLAIN = (
    "SELECT s.id FROM stories s WHERE NOT EXISTS"
    " (SELECT 1 FROM user.read_marks r WHERE r.story_id = s.id){grouped}"
    " ORDER BY s.sort_key DESC, s.rowid DESC"
)
_GROUPED = " AND (s.story_group IS NULL OR s.story_group = s.rowid)"
_SHOWN = " AND (s.feed_url IS NULL OR s.feed_url NOT IN (SELECT url FROM user.feeds WHERE hidden))"


def plain_unread(store: Store, grouped: bool = False, listed: bool = False) -> list[str]:
    """The unread stories' ids in list order, from the read marks alone; ``listed``:
    those the list shows (not hidden feeds')."""
    sql = _PLAIN.format(grouped=(_GROUPED if grouped else "") + (_SHOWN if listed else ""))
    return [row[0] for row in store._conn.execute(sql)]


def assert_unread_exact(store: Store) -> None:
    """The mirror holds exactly the unread stories, with their keys and groups, and the
    unread list, its pages from either end and its counts agree with the read marks."""
    mirrored = store._conn.execute(
        "SELECT sort_key, story_rowid, story_group FROM unread ORDER BY 1, 2"
    ).fetchall()
    wanted = store._conn.execute(
        "SELECT sort_key, rowid, story_group FROM stories s WHERE NOT EXISTS"
        " (SELECT 1 FROM user.read_marks r WHERE r.story_id = s.id) ORDER BY 1, 2"
    ).fetchall()
    assert [tuple(row) for row in mirrored] == [tuple(row) for row in wanted]
    for grouped in (False, True):
        flt = StoryFilter(unread=True, grouped=grouped)
        ids = plain_unread(store, grouped, listed=True)
        listed = store.page_after(flt, None, len(ids) + 5)
        assert [s.id for s in listed.stories] == ids
        assert not any(s.read for s in listed.stories)
        assert [s.id for s in store.page_before(flt, None, 3).stories] == ids[-3:]
        assert store.count(flt) == len(ids)
        assert store.counts(grouped=grouped)["unread"] == len(plain_unread(store, grouped))
        if len(ids) > 2:
            after = store.page_after(flt, listed.keys[0], 2)
            assert [s.id for s in after.stories] == ids[1:3]
            assert store.signposts(flt, None, every=2, count=100) == listed.keys[1::2]
