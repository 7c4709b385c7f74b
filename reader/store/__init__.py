"""SQLite storage for stories, bookmarks and read marks."""

from reader.store.store import Store, StoryFilter, StoryNotFound, story_id

__all__ = ["Store", "StoryFilter", "StoryNotFound", "story_id"]
