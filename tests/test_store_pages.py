"""Keyset pages of the story list (issue 16): every filter, ties in the sort key, rows
deleted between pages, grouped copies; and the counts that go with them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from test_copies import _copies_of_the_story

from reader.base.models import Page
from reader.store import ListKey, Store, StoryFilter, story_id
from reader.store import base as store_base
from reader.store.feeds import ImportedFeed
from reader.store.rows import content_hash

SITES = ("Alpha", "Beta", "Gamma")
FEEDS = {"Alpha": "https://alpha.example/feed", "Beta": "https://beta.example/feed"}
START = datetime(2026, 1, 1, tzinfo=UTC)
N = 240

FILTERS = [
    StoryFilter(),
    StoryFilter(grouped=True),
    StoryFilter(unread=True),
    StoryFilter(unread=True, grouped=True),
    StoryFilter(bookmarked=True),
    StoryFilter(bookmarked=True, unread=True),
    StoryFilter(site="Beta"),
    StoryFilter(site="Harbour News", grouped=True),
    StoryFilter(tag="sport"),
    StoryFilter(tag="news", unread=True, grouped=True),
]


def _fill(store: Store) -> None:
    """N stories on three sites, five to a published time (ties in the sort key), two
    sites' feeds tagged; every third read, every eleventh bookmarked; and a story with
    three copies on other sites (grouped by the analysis)."""
    store.add_feed(FEEDS["Alpha"], tags=["news"])
    store.add_feed(FEEDS["Beta"], tags=["news", "sport"])
    items = []
    for n in range(N):
        site = SITES[n % 3]
        published = (START + timedelta(hours=n // 5)).isoformat()
        page = Page(f"Story {n}", f"Body of story {n}.", site=site, published=published,
                    feed_url=FEEDS.get(site))  # fmt: skip
        items.append((f"https://{site.lower()}.example/{n}", page))
    items += _copies_of_the_story()
    store.save_pages([(src, content_hash(src.encode()), page) for src, page in items])
    store.analyse_pending()
    ids = [story_id(src) for src, _ in items]
    store.mark_all_read(ids=ids[::3])
    for sid in ids[::11]:
        store.set_bookmark(sid)


@pytest.fixture
def filled(store: Store) -> Store:
    _fill(store)
    return store


def _ids(stories: list) -> list[str]:  # type: ignore[type-arg]
    return [story.id for story in stories]


def _walk_forward(store: Store, flt: StoryFilter, size: int) -> list[str]:
    found: list[str] = []
    key: ListKey | None = None
    while (page := store.page_after(flt, key, size)).stories and len(found) <= 2 * N:
        found += _ids(page.stories)
        key = page.keys[-1]
    return found


def _walk_backward(store: Store, flt: StoryFilter, size: int) -> list[str]:
    found: list[str] = []
    key: ListKey | None = None
    while len(found) <= 2 * N:  # bounded: a key that does not move fails, never hangs
        page = store.page_before(flt, key, size)
        if not page.stories:
            break
        found = _ids(page.stories) + found
        key = page.keys[0]
    return found


@pytest.mark.parametrize("flt", FILTERS, ids=str)
def test_keyset_pages_walk_the_whole_list_in_order_both_ways(
    filled: Store, flt: StoryFilter
) -> None:
    everything = filled.page_after(flt, None, 10_000)
    listing = _ids(everything.stories)
    assert listing, "every filter here selects some stories"
    assert len(set(listing)) == len(listing) == filled.count(flt)
    keys = everything.keys
    assert keys == sorted(keys, reverse=True) and len(set(keys)) == len(keys)
    if not flt.bookmarked and len(keys) > 5:  # ties in the sort key
        assert len({key.sort_key for key in keys}) < len(keys)
    for size in (1, 7, 100):  # 7: page edges fall inside runs of tied sort keys
        assert _walk_forward(filled, flt, size) == listing
        assert _walk_backward(filled, flt, size) == listing
    assert _ids(filled.list_stories(flt)) == listing
    assert _ids(filled.iter_stories(flt, with_body=False)) == listing


@pytest.mark.parametrize("flt", FILTERS, ids=str)
def test_skipping_from_a_key_or_an_end_lands_on_the_same_rows(
    filled: Store, flt: StoryFilter
) -> None:
    everything = filled.page_after(flt, None, 10_000)
    listing, keys = _ids(everything.stories), everything.keys
    n = len(listing)
    for skip in (0, 3, n // 2, n - 2):
        assert _ids(filled.page_after(flt, None, 5, skip).stories) == listing[skip : skip + 5]
        bottom = filled.page_before(flt, None, 5, skip).stories
        assert _ids(bottom) == listing[max(n - skip - 5, 0) : n - skip]
    for at in (0, n // 3, n - 1):
        after = filled.page_after(flt, keys[at], 4, 2).stories
        assert _ids(after) == listing[at + 3 : at + 7]
        before = filled.page_before(flt, keys[at], 4, 2).stories
        assert _ids(before) == listing[max(at - 6, 0) : max(at - 2, 0)]


def test_pages_go_on_from_a_key_whose_row_was_deleted(filled: Store) -> None:
    flt = StoryFilter()
    first = filled.page_after(flt, None, 30)
    beta_ids = {story.id for story in first.stories if story.site == "Beta"}
    assert first.stories[-1].site == "Beta"  # the key's own row goes too
    before = _ids(filled.page_after(flt, None, 10_000).stories)
    filled.remove_feed(FEEDS["Beta"], purge=True)  # Beta's stories, all through the list
    after = _ids(filled.page_after(flt, None, 10_000).stories)
    rest = _walk_from(filled, flt, first.keys[-1])
    assert rest == [sid for sid in after if before.index(sid) >= 30]
    assert not set(rest) & beta_ids


def _walk_from(store: Store, flt: StoryFilter, key: ListKey) -> list[str]:
    found: list[str] = []
    while (page := store.page_after(flt, key, 9)).stories and len(found) <= 2 * N:
        found += _ids(page.stories)
        key = page.keys[-1]
    return found


def test_a_grouped_list_shows_one_row_for_copies_and_counts_the_same(filled: Store) -> None:
    grouped = _ids(filled.page_after(StoryFilter(grouped=True), None, 10_000).stories)
    every = _ids(filled.page_after(StoryFilter(), None, 10_000).stories)
    assert len(every) == N + 4 and len(grouped) == N + 1  # four copies, one row
    assert filled.count(StoryFilter(grouped=True)) == len(grouped)
    counts = filled.counts(grouped=True)
    unread = filled.page_after(StoryFilter(grouped=True, unread=True), None, 10_000)
    assert counts["stories"] == len(grouped)
    assert (
        counts["unread"]
        == len(unread.stories)
        == filled.count(StoryFilter(grouped=True, unread=True))
    )
    assert filled.counts(grouped=True, stories=len(grouped)) == counts
    ungrouped = filled.counts()
    every_unread = filled.page_after(StoryFilter(unread=True), None, 10_000).stories
    assert ungrouped["unread"] == filled.count(StoryFilter(unread=True)) == len(every_unread)


def test_hidden_feeds_stay_out_of_pages_and_counts(filled: Store) -> None:
    filled.import_feeds([ImportedFeed(FEEDS["Alpha"], None, (), True, None, None)])
    listing = filled.page_after(StoryFilter(grouped=True), None, 10_000).stories
    assert listing and not any(story.site == "Alpha" for story in listing)
    assert filled.count(StoryFilter(grouped=True)) == len(listing)
    assert _walk_backward(filled, StoryFilter(grouped=True), 13) == _ids(listing)
    # the status line counts every story: a count given for the list is not taken
    assert filled.counts(grouped=True, stories=len(listing))["stories"] == N + 1


@pytest.mark.parametrize("flt", FILTERS, ids=str)
def test_signposts_are_the_keys_of_every_nth_row(filled: Store, flt: StoryFilter) -> None:
    """``signposts`` walks on from a key, a slice at a time, to the same keys the
    listing has at every ``every``-th place (the app's jumps start from them)."""
    keys = filled.page_after(flt, None, 10_000).keys
    if flt.bookmarked:
        assert filled.signposts(flt, None, 7, 5) == []
        return
    gathered: list[ListKey] = []
    after = None
    while slice_ := filled.signposts(flt, after, 7, 5):
        gathered += slice_
        after = slice_[-1]
        assert len(slice_) == 5 or len(gathered) == len(keys) // 7
    assert gathered == keys[6::7]
    assert len(gathered) == len(keys) // 7


def _plan(store: Store, flt: StoryFilter) -> str:
    sql, params = store._select(flt, False, 10, 0, None)
    return " ".join(row[3] for row in store._conn.execute(f"EXPLAIN QUERY PLAN {sql}", params))


@pytest.mark.parametrize("tag", ["sport", "news"])
def test_a_rare_tag_is_paged_from_the_feed_index_a_common_one_by_date(
    filled: Store, tag: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both plans give the same pages; which one runs depends on the tag's size."""
    pages = {}
    for rare_from in (10_000, 1):  # every tag here is rare, then none is
        monkeypatch.setattr(store_base, "RARE_TAG", rare_from)
        for flt in (StoryFilter(tag=tag), StoryFilter(tag=tag, unread=True)):
            plan = _plan(filled, flt)
            index = "stories_by_feed" if rare_from > 1 else "stories_by_date"
            assert f"USING INDEX {index}" in plan or f"COVERING INDEX {index}" in plan, plan
            walked = _walk_forward(filled, flt, 7)
            assert walked == _walk_backward(filled, flt, 7)
            pages.setdefault(flt, []).append(walked)
    assert all(rare == common and rare for rare, common in pages.values())
