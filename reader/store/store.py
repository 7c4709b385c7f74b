"""The story store: every read and write of the cache and the user's data.

The rest of reader (command line, app) talks to the databases only through
``Store``. A ``Store`` holds one SQLite connection, so it belongs to the thread
that opened it; the app opens one per worker thread.

``Store`` is composed of one part per domain over ``StoreBase`` (the connection, the
write transaction, the SQL helpers): ``stories`` (storing pages, listing, getting),
``search`` (the full-text index), ``rankings`` (top stories), ``feeds``
(subscriptions), ``marks`` (bookmarks, read marks) and ``hidden`` (the stories the
killfile hides). Rows are made without a
database in ``rows``; ``schema`` holds the migrations and ``health`` says what is
wrong with a database.
"""

from __future__ import annotations

from reader.base.errors import FeedNotFound, StoryNotFound
from reader.base.models import LIST_KINDS
from reader.store.base import (
    CACHE_MIB,
    READING_CACHE_MIB,
    ListedPage,
    ListKey,
    StoryFilter,
    store_boundary,
)
from reader.store.copies import CopyStore
from reader.store.feeds import FeedStore
from reader.store.hidden import HiddenStore
from reader.store.marks import MarkStore
from reader.store.rankings import RankingStore
from reader.store.related import RelatedStore
from reader.store.rows import StoryRow, prepare, story_id
from reader.store.stories import Outcome


@store_boundary
class Store(CopyStore, MarkStore, FeedStore, HiddenStore, RelatedStore, RankingStore):
    """The cache and the user's data, opened together (the user data is attached).

    An SQLite error that says the home is damaged, read-only or full comes out of
    any method as the ``StoreError`` that names the file and what to do.
    """


__all__ = [
    "CACHE_MIB",
    "LIST_KINDS",
    "READING_CACHE_MIB",
    "FeedNotFound",
    "ListKey",
    "ListedPage",
    "Outcome",
    "Store",
    "StoryFilter",
    "StoryNotFound",
    "StoryRow",
    "prepare",
    "story_id",
]
