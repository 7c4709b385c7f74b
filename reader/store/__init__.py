"""SQLite storage for stories, bookmarks and read marks."""

from reader.store.store import FeedNotFound, Store, StoryFilter, StoryNotFound, story_id

__all__ = ["FeedNotFound", "Store", "StoryFilter", "StoryNotFound", "story_id"]
