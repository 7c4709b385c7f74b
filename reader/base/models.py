"""Plain data types shared by ingest, the store, the command line and the app."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from reader.base.fragments import story_markdown

LIST_KINDS = ("related", "ranking", "recommended")
"""The headline lists a page can carry, in the order pages show them."""


@dataclass(frozen=True)
class Headline:
    """One entry of a page's related / ranking / recommended list.

    ``article_id`` is filled in when the headline resolves to a cached story.
    """

    title: str
    url: str | None = None
    article_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"title": self.title, "url": self.url, "article_id": self.article_id}


@dataclass
class Page:
    """What a format parser makes of one page, before it is stored."""

    title: str
    body: str = ""
    body_html: str | None = None
    """A feed item's HTML: ``body`` is then its plain text, and the Markdown a reader
    sees is made from this when the story is read."""
    site: str | None = None
    section: list[str] = field(default_factory=list)
    published: str | None = None
    author: str | None = None
    reactions: int | None = None
    url: str | None = None
    canonical_url: str | None = None
    feed_url: str | None = None
    related: list[Headline] = field(default_factory=list)
    ranking: list[Headline] = field(default_factory=list)
    recommended: list[Headline] = field(default_factory=list)

    def lists(self) -> dict[str, list[Headline]]:
        return {"related": self.related, "ranking": self.ranking, "recommended": self.recommended}


@dataclass
class RawPage:
    """A page's bytes and what is known about where they came from."""

    source: str
    """A file's resolved path, or the URL that was asked for."""
    data: bytes
    url: str | None = None
    """For a fetched page: the URL it finally came from (after redirects)."""
    charset: str | None = None
    """For a fetched page: the charset the server declared."""


@dataclass(frozen=True)
class Snippet:
    """A short excerpt of a story's text around what a search matched, cleaned for a
    terminal."""

    text: str
    matches: tuple[tuple[int, int], ...] = ()
    """``(start, end)`` offsets into ``text`` of each matched word, for highlighting."""


@dataclass(frozen=True)
class Copy:
    """Another site's copy of a story (the same story, told by another page)."""

    id: str
    title: str
    site: str | None
    url: str | None

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of an ``also_on`` entry."""
        return {"id": self.id, "title": self.title, "site": self.site, "url": self.url}


@dataclass
class Story:
    """A stored story, as the command line and the app see it."""

    id: str
    title: str
    source: str
    site: str | None = None
    section: list[str] = field(default_factory=list)
    published: str | None = None
    author: str | None = None
    reactions: int | None = None
    url: str | None = None
    canonical_url: str | None = None
    body: str | None = None
    """The body as stored: Markdown, or for a feed item (``body_html`` set) the plain
    text that search indexes. ``story_markdown`` gives the Markdown to show."""
    related: list[Headline] = field(default_factory=list)
    ranking: list[Headline] = field(default_factory=list)
    recommended: list[Headline] = field(default_factory=list)
    bookmarked: bool = False
    read: bool = False
    body_html: str | None = None
    """A feed item's HTML, turned into Markdown when the story is shown."""
    body_base: str | None = None
    """What relative links in ``body_html`` resolve against."""
    sources: int = 1
    """How many sites carry the story (its copies with it), as far as listings say."""
    also_on: list[Copy] = field(default_factory=list)
    """The story's copies on other pages, fullest first (filled in by ``Store.get``)."""
    snippet: Snippet | None = None
    """Where a search matched the story, when it was opened from the search's results."""

    def to_dict(self, with_body: bool = True) -> dict[str, Any]:
        """The JSON shape of ``reader show --json`` (``list --json`` omits the body)."""
        data: dict[str, Any] = {
            "id": self.id,
            "title": self.title,
            "site": self.site,
            "section": list(self.section),
            "published": self.published,
            "author": self.author,
            "url": self.url,
            "canonical_url": self.canonical_url,
        }
        if with_body:
            data["body"] = story_markdown(self)
        data["reactions"] = self.reactions
        for kind in LIST_KINDS:
            data[kind] = [h.to_dict() for h in getattr(self, kind)]
        data["source"] = self.source
        data["bookmarked"] = self.bookmarked
        data["read"] = self.read
        data["sources"] = self.sources
        if with_body:
            data["also_on"] = [copy.to_dict() for copy in self.also_on]
        return data


@dataclass
class Feed:
    """A feed subscription and what its last refresh found."""

    id: int
    url: str
    title: str | None = None
    tags: list[str] = field(default_factory=list)
    etag: str | None = None
    last_modified: str | None = None
    last_refresh: str | None = None
    last_error: str | None = None
    stories: int = 0
    unread: int = 0
    hidden: bool = False
    """Kept out of the feed list's groups and the default story list (newsboat's ``!``);
    its stories still show in searches, a site's list and saved searches."""

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of ``reader feed list --json``."""
        return {
            "id": self.id,
            "title": self.title,
            "url": self.url,
            "last_refresh": self.last_refresh,
            "last_error": self.last_error,
            "stories": self.stories,
            "unread": self.unread,
            "hidden": self.hidden,
        }
