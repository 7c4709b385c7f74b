"""newsboat's files read as typed values: the ``urls`` file, ``cache.db``, ``config``.

Pure functions: nothing here writes, runs a command or touches reader's store.
"""

from __future__ import annotations

import shlex
import sqlite3
from dataclasses import dataclass, field
from email.utils import formatdate
from pathlib import Path

from reader.base.errors import FeedError

__all__ = [
    "CacheFeed",
    "ConfigTranslation",
    "CacheItem",
    "NewsboatCache",
    "NewsboatDir",
    "NewsboatError",
    "Skipped",
    "UrlEntry",
    "UrlsFile",
    "find_dir",
    "item_sources",
    "read_cache",
    "read_urls",
    "translate_config",
]


class NewsboatError(FeedError):
    """newsboat's folder or one of its files cannot be read."""


@dataclass(frozen=True)
class NewsboatDir:
    """Where a newsboat setup keeps its files (``cache`` and ``config`` may be absent)."""

    urls: Path
    cache: Path
    config: Path


@dataclass(frozen=True)
class UrlEntry:
    """A feed line of the urls file."""

    url: str
    title: str | None
    tags: tuple[str, ...]
    hidden: bool


@dataclass(frozen=True)
class Skipped:
    """A urls line that is not imported: ``kind`` is ``exec``, ``filter`` or ``query``."""

    kind: str
    line: str
    reason: str


@dataclass(frozen=True)
class UrlsFile:
    """The urls file: its feeds and the lines left out."""

    feeds: tuple[UrlEntry, ...]
    skipped: tuple[Skipped, ...]


@dataclass(frozen=True)
class CacheFeed:
    """A feed's row of ``rss_feed``: its validators (``None`` when newsboat has none)."""

    url: str
    etag: str | None
    last_modified: str | None


@dataclass(frozen=True)
class CacheItem:
    """An item of ``rss_item``: its link, guid, read state and flag letters."""

    feed_url: str
    url: str
    guid: str
    unread: bool
    flags: str


@dataclass(frozen=True)
class NewsboatCache:
    """What ``cache.db`` holds that reader takes over."""

    feeds: tuple[CacheFeed, ...] = ()
    items: tuple[CacheItem, ...] = field(default_factory=tuple)


def find_dir(directory: Path | None, home: Path) -> NewsboatDir:
    """newsboat's files in ``directory``, else ``~/.newsboat``, else the XDG paths."""
    if directory is not None:
        if not (directory / "urls").is_file():
            raise NewsboatError(f"{directory}: no newsboat urls file there")
        return NewsboatDir(directory / "urls", directory / "cache.db", directory / "config")
    dot = home / ".newsboat"
    if (dot / "urls").is_file():
        return NewsboatDir(dot / "urls", dot / "cache.db", dot / "config")
    config, data = home / ".config" / "newsboat", home / ".local" / "share" / "newsboat"
    if (config / "urls").is_file():
        return NewsboatDir(config / "urls", data / "cache.db", config / "config")
    raise NewsboatError(f"no newsboat folder: neither {dot} nor {config} has a urls file")


_SKIP_REASONS = {
    "exec": "commands are not run from an imported file",
    "filter": "commands are not run from an imported file",
    "query": "query feeds are not built yet",
}


def read_urls(text: str) -> UrlsFile:
    """The feeds of a newsboat urls file, with tags, ``~title`` renames and ``!`` hidden."""
    feeds: list[UrlEntry] = []
    skipped: list[Skipped] = []
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        try:
            parts = shlex.split(line)
        except ValueError as exc:
            raise NewsboatError(f"urls line {number}: {exc}") from None
        url, rest = parts[0], parts[1:]
        kind = url.split(":", 1)[0]
        if kind in _SKIP_REASONS:
            skipped.append(Skipped(kind, line, _SKIP_REASONS[kind]))
            continue
        title = next((t[1:] for t in rest if t.startswith("~")), None)
        tags = tuple(dict.fromkeys(t for t in rest if t and not t.startswith(("~", "!"))))
        feeds.append(UrlEntry(url, title or None, tags, "!" in rest))
    return UrlsFile(tuple(feeds), tuple(skipped))


def read_cache(path: Path) -> NewsboatCache:
    """Feeds' validators and items' read state and flags from newsboat's ``cache.db``."""
    if not path.exists():
        return NewsboatCache()
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise NewsboatError(f"{path}: cannot open newsboat's cache ({exc})") from None
    try:
        feeds = tuple(
            CacheFeed(url, etag or None, formatdate(modified, usegmt=True) if modified else None)
            for url, etag, modified in conn.execute(
                "SELECT rssurl, etag, lastmodified FROM rss_feed"
            )
        )
        items = tuple(
            CacheItem(feed, url or "", guid or "", bool(unread), flags or "")
            for feed, url, guid, unread, flags in conn.execute(
                "SELECT feedurl, url, guid, unread, flags FROM rss_item WHERE deleted = 0"
            )
        )
    except sqlite3.Error as exc:
        raise NewsboatError(f"{path}: not a newsboat cache ({exc})") from None
    finally:
        conn.close()
    return NewsboatCache(feeds, items)


def item_sources(item: CacheItem) -> tuple[str, ...]:
    """The sources reader may give this item's story: its link, or ``feed#guid``
    (reader's identity of a feed item without a link)."""
    sources = [item.url] if item.url else []
    if item.guid:
        sources.append(f"{item.feed_url}#{item.guid}")
    return tuple(sources)


@dataclass(frozen=True)
class ConfigTranslation:
    """newsboat settings that mean something here, as config.toml's tables, and the rest."""

    feeds: dict[str, int | bool | str]
    keys: dict[str, str]
    not_carried: tuple[str, ...]


# newsboat's operation -> reader's binding id (reader/app/keys.py)
_OPERATIONS = {
    "quit": "quit",
    "help": "help",
    "next": "next_story",
    "next-unread": "next_story",
    "prev": "previous_story",
    "prev-unread": "previous_story",
    "open-in-browser": "open_url",
    "toggle-article-read": "toggle_read",
    "mark-feed-read": "mark_all_read",
    "reload-all": "refresh_feeds",
    "search": "search",
    "bookmark": "toggle_bookmark",
}


def _key(name: str) -> str | None:
    """newsboat's key name as Textual's: ``^R`` -> ``ctrl+r``; a letter stays."""
    if len(name) == 2 and name[0] == "^" and name[1].isalpha():
        return f"ctrl+{name[1].lower()}"
    if len(name) == 1 and name.isalnum():
        return name
    return None


def translate_config(text: str) -> ConfigTranslation:
    """``reload-time``, ``max-items``, ``download-full-page`` and the ``bind-key`` lines
    reader has a binding for; every other setting is named in ``not_carried``."""
    feeds: dict[str, int | bool | str] = {}
    keys: dict[str, str] = {}
    rest: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        try:
            name, *args = shlex.split(line, comments=True)
        except ValueError:
            rest.append(line.split(None, 1)[0])
            continue
        value = args[0] if args else ""
        if name == "reload-time" and value.isdigit() and int(value) > 0:
            feeds["refresh_interval"] = int(value)
        elif name == "max-items" and value.isdigit() and int(value) > 0:
            feeds["max_stories"] = int(value)
        elif name == "download-full-page" and value in ("yes", "no", "true", "false"):
            feeds["fetch_full_page"] = value in ("yes", "true")
        elif name == "bind-key" and len(args) >= 2 and args[1] in _OPERATIONS and _key(value):
            key = _key(value)
            binding = _OPERATIONS[args[1]]
            keys[binding] = f"{keys[binding]},{key}" if binding in keys else f"{key}"
        else:
            rest.append(f"{name} {value}".strip() if name == "bind-key" else name)
    return ConfigTranslation(feeds, keys, tuple(dict.fromkeys(rest)))
