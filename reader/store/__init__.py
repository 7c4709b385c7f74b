"""SQLite storage for stories, bookmarks and read marks."""

from reader.store.store import (
    FeedNotFound,
    ListedPage,
    ListKey,
    Store,
    StoryFilter,
    StoryNotFound,
    story_id,
)

__all__ = [
    "FeedNotFound",
    "ListKey",
    "ListedPage",
    "Store",
    "StoryFilter",
    "StoryNotFound",
    "story_id",
]
