"""SQLite storage for stories, bookmarks and read marks."""

from reader.store.store import (
    CACHE_MIB,
    READING_CACHE_MIB,
    FeedNotFound,
    ListedPage,
    ListKey,
    Store,
    StoryFilter,
    StoryNotFound,
    story_id,
)

__all__ = [
    "CACHE_MIB",
    "READING_CACHE_MIB",
    "FeedNotFound",
    "ListKey",
    "ListedPage",
    "Store",
    "StoryFilter",
    "StoryNotFound",
    "story_id",
]
