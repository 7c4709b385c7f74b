"""newsboat's files read as typed values: the ``urls`` file, ``cache.db``, ``config``.

Pure functions: nothing here writes, runs a command or touches reader's store. The
items of ``cache.db`` become story rows as a refresh makes them (``ItemRows``), so a
later refresh of the same item finds its story.
"""

from __future__ import annotations

import logging
import re
import shlex
import sqlite3
import time
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from email.utils import formatdate
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import regex

from reader.base.dates import parse_date
from reader.base.errors import FeedError
from reader.feeds.parse import ParsedFeed, item_page
from reader.store.rows import StoryRow

_log = logging.getLogger(__name__)

MAX_CONTENT = 2 * 1024 * 1024
"""An item whose content is longer (in bytes) is skipped: never read into memory."""

__all__ = [
    "BadItem",
    "CacheFeed",
    "Comparison",
    "ConfigTranslation",
    "CacheItem",
    "ItemRows",
    "NewsboatCache",
    "NewsboatDir",
    "NewsboatError",
    "Skipped",
    "Untranslatable",
    "UrlEntry",
    "UrlsFile",
    "find_dir",
    "ignore_rules",
    "item_row",
    "item_sources",
    "iter_items",
    "parse_filter",
    "query_feed",
    "read_cache",
    "read_urls",
    "translate_config",
    "translate_query",
]


class NewsboatError(FeedError):
    """newsboat's folder or one of its files cannot be read."""


class BadItem(NewsboatError):
    """One item of ``cache.db`` that cannot become a story; the message is the reason
    the import counts it under."""


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
    """A feed's row of ``rss_feed``: its validators (``None`` when newsboat has none),
    its own title and its site's link."""

    url: str
    etag: str | None
    last_modified: str | None
    title: str | None = None
    site: str | None = None


@dataclass(frozen=True)
class CacheItem:
    """An item of ``rss_item``: its link, guid, read state and flag letters, and what
    its story is made of (``content`` is None when it was too long to read)."""

    feed_url: str
    url: str
    guid: str
    unread: bool
    flags: str
    title: str = ""
    author: str = ""
    content: str | None = ""
    published: int | None = None
    """newsboat's ``pubDate`` (seconds since 1970); it is the fetch time for an undated item."""


@dataclass(frozen=True)
class NewsboatCache:
    """What ``cache.db`` holds that reader takes over besides its items (``iter_items``;
    deleted ones are only counted)."""

    feeds: tuple[CacheFeed, ...] = ()
    deleted: int = 0


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
    "query": "a query feed (made a [[query]] where reader's search can say it)",
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


def _text(value: object) -> str:
    """A column as text, whatever a damaged or hand-edited cache stored in it."""
    if value is None:
        return ""
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def _seconds(value: object) -> int | None:
    """``pubDate`` as seconds, or None when it is missing or not a time."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        seconds = int(float(value))
    except (ValueError, OverflowError):
        return None
    return seconds if 0 < seconds < 253402300800 else None  # before year 10000


def _cache_item(row: tuple[Any, ...]) -> CacheItem:
    feed, url, guid, unread, flags, title, author, content, published, too_long = row
    return CacheItem(
        _text(feed), _text(url), _text(guid), bool(unread) if isinstance(unread, int) else True,
        _text(flags), _text(title), _text(author), None if too_long else _text(content),
        _seconds(published),
    )  # fmt: skip


def _open_cache(path: Path) -> sqlite3.Connection:
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise NewsboatError(f"{path}: cannot open newsboat's cache ({exc})") from None
    conn.text_factory = lambda data: data.decode("utf-8", "replace")
    return conn


def read_cache(path: Path) -> NewsboatCache:
    """Feeds' validators and titles from newsboat's ``cache.db``, and how many items
    it holds deleted (the items themselves come from ``iter_items``). Text that is not
    UTF-8 is read with replacement characters."""
    if not path.exists():
        return NewsboatCache()
    conn = _open_cache(path)
    try:
        feeds = tuple(
            CacheFeed(
                _text(url),
                _text(etag) or None,
                formatdate(seconds, usegmt=True) if (seconds := _seconds(modified)) else None,
                _text(title) or None,
                _text(site) or None,
            )
            for url, etag, modified, title, site in conn.execute(
                "SELECT rssurl, etag, lastmodified, title, url FROM rss_feed"
            )
        )
        deleted = conn.execute("SELECT count(*) FROM rss_item WHERE deleted = 1").fetchone()[0]
    except sqlite3.Error as exc:
        raise NewsboatError(f"{path}: not a newsboat cache ({exc})") from None
    finally:
        conn.close()
    return NewsboatCache(feeds, deleted)


def iter_items(path: Path) -> Iterator[CacheItem]:
    """The items of newsboat's ``cache.db`` that are not deleted, oldest first, read as
    they are wanted (a big cache is never all in memory): content, read state, flags.
    Content over ``MAX_CONTENT`` is left unread (``content`` is None). Raises
    ``NewsboatError`` when the file cannot be read, even part way."""
    if not path.exists():
        return
    conn = _open_cache(path)
    try:
        rows = conn.execute(
            "SELECT feedurl, url, guid, unread, flags, title, author,"
            " CASE WHEN length(CAST(content AS BLOB)) > :max THEN NULL ELSE content END,"
            " pubDate, length(CAST(content AS BLOB)) > :max"
            " FROM rss_item WHERE deleted IS NOT 1 ORDER BY id",
            {"max": MAX_CONTENT},
        )
        for row in rows:
            yield _cache_item(row)
    except sqlite3.Error as exc:
        raise NewsboatError(f"{path}: not a newsboat cache ({exc})") from None
    finally:
        conn.close()


def item_sources(item: CacheItem) -> tuple[str, ...]:
    """The sources reader may give this item's story: its link, or ``feed#guid``
    (reader's identity of a feed item without a link)."""
    sources = [item.url] if item.url else []
    if item.guid:
        sources.append(f"{item.feed_url}#{item.guid}")
    return tuple(sources)


def _made_from(guid: str, raw: str) -> bool:
    """Whether newsboat made ``guid`` from ``raw`` (a link or a title) for a feed that gave
    none: ``raw``, or ``raw`` followed by the item's date as the feed wrote it."""
    if not raw or not guid.startswith(raw):
        return False
    rest = guid[len(raw) :]
    return not rest or parse_date(rest) is not None


def _relative_link(guid: str, link: str, feed: CacheFeed) -> str | None:
    """The relative link as the feed wrote it, when newsboat made ``guid`` from it and
    stored ``link`` resolved (against the site, or the feed)."""
    if not link or not guid or urlsplit(guid).scheme:
        return None
    scheme, _, rest = link.partition("://")
    slash = rest.find("/")
    candidates = [rest[slash:] if slash >= 0 else "", "//" + rest]  # /path, //host/path
    for base in (feed.site or "", feed.url):
        folder = base[: base.rfind("/") + 1]
        if folder and link.startswith(folder):
            candidates.append(link[len(folder) :])  # a path in the base's folder
    for raw in candidates:
        if _made_from(guid, raw) and link in (
            urljoin(feed.site or feed.url, raw),
            urljoin(feed.url, raw),
        ):
            return raw
    return None


def _entry(item: CacheItem, feed: CacheFeed) -> dict[str, Any]:
    """The item as the entry a feed parser makes of it, for ``item_page``.

    For a feed that gave no guid, newsboat makes one of the link as written (or the
    title) and the date, and resolves a relative link against the site: the entry has
    what the feed had, so the item's identity is the one a refresh gives it.
    """
    link, guid = item.url, item.guid
    relative = _relative_link(guid, link, feed)
    if relative is not None:
        link, guid = relative, ""  # a refresh resolves it against the feed's URL
    elif _made_from(guid, link) or (not link and _made_from(guid, item.title)):
        guid = ""  # the feed gave no guid: the link, else the title, is the identity
    published = time.gmtime(item.published) if item.published is not None else None
    return {
        "link": link or None,
        "id": guid or None,
        "title": item.title,
        "author": item.author,
        "content": [{"value": item.content}] if item.content else [],
        "published_parsed": published,
    }


def _base(feed: CacheFeed) -> str:
    """What a refresh resolves relative links against (``parse._base``): the feed's URL,
    or for a local feed the site it names."""
    if feed.url.startswith(("http://", "https://")) or not feed.site:
        return feed.url
    return urljoin(feed.url, feed.site)


def item_row(item: CacheItem, feed: CacheFeed) -> StoryRow:
    """The story row a refresh of ``feed`` would make of ``item`` (same id, same
    cleaning of text and links, the HTML kept and a plain-text body made from it).
    Raises ``BadItem`` with the reason when it cannot be a story."""
    if item.content is None:
        raise BadItem(f"content over {MAX_CONTENT // (1024 * 1024)} MB")
    page = item_page(_entry(item, feed), feed.url, _base(feed), feed.title)
    if page is None:
        raise BadItem("no title, text or link")
    parsed = ParsedFeed(feed.title, [page])
    parsed.prepare_rows()
    return parsed.rows[0]


class ItemRows:
    """Makes ``cache.db``'s items story rows (``row``), counting those left out by
    reason (``skipped``)."""

    def __init__(self, cache: NewsboatCache, subscribed: Collection[str]) -> None:
        """For the items of the ``subscribed`` feeds of ``cache``."""
        self.feeds = {feed.url: feed for feed in cache.feeds}
        self.subscribed = subscribed
        self.skipped: dict[str, int] = {}
        if cache.deleted:
            self.skipped["deleted in newsboat"] = cache.deleted

    def skip(self, reason: str) -> None:
        """Count one item left out for ``reason``."""
        self.skipped[reason] = self.skipped.get(reason, 0) + 1

    def row(self, item: CacheItem) -> StoryRow | None:
        """The item's story row; None for an item left out (counted, and logged), of a
        feed not subscribed among them."""
        if item.feed_url not in self.subscribed:
            self.skip("its feed is not imported")
            return None
        feed = self.feeds.get(item.feed_url) or CacheFeed(item.feed_url, None, None)
        try:
            return item_row(item, feed)
        except BadItem as exc:
            _log.info("newsboat item %r of %s skipped: %s", item.guid, item.feed_url, exc)
            self.skip(str(exc))
        except Exception as exc:  # a bug on odd content must not stop the import: logged
            _log.warning("newsboat item %r of %s failed", item.guid, item.feed_url,
                         exc_info=True)  # fmt: skip
            self.skip(f"failed ({type(exc).__name__})")
        return None


@dataclass(frozen=True)
class ConfigTranslation:
    """newsboat settings that mean something here, as config.toml's tables, and the rest."""

    feeds: dict[str, int | bool | str]
    keys: dict[str, str]
    not_carried: tuple[str, ...]
    browser: str | None = None
    """newsboat's ``browser`` command line, its ``%u`` kept (reader's ``browser``)."""
    ignore: tuple[dict[str, str], ...] = ()
    """``ignore-article`` lines as ``[[ignore]]`` tables (``ignore-mode`` gives the action)."""


# newsboat's operation -> reader's binding id (reader/app/keys.py)
_OPERATIONS = {
    "quit": "quit",
    "help": "help",
    "next": "next_story",
    "next-unread": "next_unread",
    "prev": "previous_story",
    "prev-unread": "previous_unread",
    "open-in-browser": "open_url",
    "open-in-browser-and-mark-read": "open_and_mark_read",
    "next-feed": "next_feed",
    "prev-feed": "previous_feed",
    "pipe-to": "pipe_to",
    "show-urls": "article_links",
    "cmdline": "command_line",
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
    """``reload-time``, ``max-items``, ``download-full-page``, ``browser``,
    ``ignore-article`` (with ``ignore-mode``) and the ``bind-key`` lines reader has a
    binding for; every other setting, and each line that cannot be translated (with the
    reason), is named in ``not_carried``."""
    feeds: dict[str, int | bool | str] = {}
    keys: dict[str, str] = {}
    rest: list[str] = []
    browser: str | None = None
    ignored: list[list[dict[str, str]]] = []
    action = "drop"  # newsboat's default ignore-mode, download: never stored
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
        elif name == "browser" and args:
            browser = " ".join(args)
        elif name == "ignore-mode" and value in ("download", "display"):
            action = "drop" if value == "download" else "hide"
        elif name == "ignore-article" and len(args) == 2:
            try:
                ignored.append(ignore_rules(args[0], args[1]))
            except Untranslatable as exc:
                rest.append(f"ignore-article {shlex.join(args)} ({exc})")
        else:
            rest.append(f"{name} {value}".strip() if name == "bind-key" else name)
    rules = tuple({**rule, "action": action} for group in ignored for rule in group)
    return ConfigTranslation(feeds, keys, tuple(dict.fromkeys(rest)), browser, rules)


# -- newsboat's filter language -------------------------------------------------------


class Untranslatable(ValueError):
    """A filter expression reader has no equivalent for; the message says why."""


_TOKEN = re.compile(
    r"""\s*(?:(?P<string>"(?:[^"\\]|\\.)*")|(?P<op>=~|!~|==|!=|<=|>=|!\#|[=<>\#()])"""
    r"""|(?P<word>[^\s"=!<>\#()]+))"""
)


@dataclass(frozen=True)
class Comparison:
    """One ``attribute OP value`` of a filter expression."""

    attribute: str
    op: str
    value: str


def parse_filter(expression: str) -> tuple[str, list[Comparison]]:
    """A newsboat filter expression of comparisons joined all by ``and`` or all by
    ``or``, as the joining word and the comparisons. Raises ``Untranslatable`` for
    anything else (mixed ``and``/``or``, groups, a comparison it cannot read)."""
    tokens: list[tuple[str, str]] = []
    at = 0
    expression = expression.strip()
    while at < len(expression):
        found = _TOKEN.match(expression, at)
        if found is None or found.end() == at:
            raise Untranslatable(f"cannot read {expression[at:]!r}")
        kind = found.lastgroup or ""
        text = found.group(kind)
        if kind == "string":
            text = text[1:-1].replace('\\"', '"')  # the one escape newsboat's strings have
        tokens.append((kind, text))
        at = found.end()
        while at < len(expression) and expression[at].isspace():
            at += 1
    while tokens and tokens[0] == ("op", "(") and tokens[-1] == ("op", ")"):
        tokens = tokens[1:-1]  # one group around it all
    if any(t == ("op", "(") or t == ("op", ")") for t in tokens):
        raise Untranslatable("groups in parentheses are not translated")
    comparisons: list[Comparison] = []
    joins: set[str] = set()
    index = 0
    while index < len(tokens):
        if comparisons:
            kind, word = tokens[index]
            if kind != "word" or word not in ("and", "or"):
                raise Untranslatable(f"expected and/or, found {word!r}")
            joins.add(word)
            index += 1
        part = tokens[index : index + 3]
        if len(part) < 3 or part[0][0] != "word" or part[1][0] not in ("op", "word"):
            raise Untranslatable("a comparison is incomplete")
        (_, attribute), (_, op), (_, value) = part
        comparisons.append(Comparison(attribute, op, value))
        index += 3
    if not comparisons:
        raise Untranslatable("an empty expression")
    if len(joins) > 1:
        raise Untranslatable("and mixed with or is not translated")
    return (joins.pop() if joins else "and"), comparisons


_IGNORE_FIELDS = {"title": "title", "author": "author", "link": "link",
                  "content": "content", "tags": "tag"}  # fmt: skip


_POSIX_CLASSES = {
    "[:alpha:]": "a-zA-Z", "[:digit:]": "0-9", "[:alnum:]": "a-zA-Z0-9",
    "[:upper:]": "A-Z", "[:lower:]": "a-z", "[:space:]": "\\s", "[:blank:]": " \\t",
    "[:xdigit:]": "0-9A-Fa-f", "[:punct:]": re.escape("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"),
}  # fmt: skip


def _python_regex(posix: str) -> str:
    """A POSIX extended regex as Python writes it: bracket classes (``[[:alpha:]]``)
    spelled out, GNU's word edges (``\\<``, ``\\>``) as ``\\b``."""
    for name, spelled in _POSIX_CLASSES.items():
        posix = posix.replace(name, spelled)
    return posix.replace("\\<", "\\b").replace("\\>", "\\b")


def _regex(comparison: Comparison) -> str:
    """The Python regex for a comparison on a text attribute."""
    op, value = comparison.op, _python_regex(comparison.value)
    literal = re.escape(comparison.value).replace("\\ ", " ")
    if op == "=~":  # a POSIX extended regex, matched ignoring case
        pattern = f"(?i){value}"
    elif op in ("=", "=="):
        pattern = f"^{literal}\\Z"
    elif op == "!=":
        pattern = f"^(?!{literal}\\Z)"
    elif op == "!~":
        pattern = f"(?is)^(?!.*(?:{value}))"
    elif op == "#" and comparison.attribute == "tags":
        pattern = f"^{literal}\\Z"
    else:
        raise Untranslatable(f"{comparison.attribute} {op} is not translated")
    try:
        regex.compile(pattern)  # as config.toml's [[ignore]] reads it
    except (regex.error, RecursionError, OverflowError) as exc:
        raise Untranslatable(f"{comparison.value!r} is not a regex reader reads ({exc})") from None
    return pattern


def ignore_rules(feed: str, expression: str) -> list[dict[str, str]]:
    """``ignore-article FEED EXPRESSION`` as ``[[ignore]]`` tables (without ``action``):
    one for comparisons joined by ``and``, one per comparison joined by ``or``.
    ``title``, ``author``, ``link``, ``content`` and ``tags`` compared by ``=~``, ``!~``,
    ``=``, ``!=`` (``tags`` also by ``#``), and ``rssurl = URL`` (the feed the rule is
    for) are translated; anything else raises ``Untranslatable`` with the reason."""
    join, comparisons = parse_filter(expression)
    groups = [comparisons] if join == "and" else [[c] for c in comparisons]
    rules: list[dict[str, str]] = []
    for group in groups:
        rule = {"feed": feed}
        for comparison in group:
            if comparison.attribute == "rssurl" and comparison.op in ("=", "==") and feed == "*":
                rule["feed"] = comparison.value
                continue
            name = _IGNORE_FIELDS.get(comparison.attribute)
            if name is None:
                raise Untranslatable(f"[[ignore]] has nothing for {comparison.attribute!r}")
            if name in rule:
                raise Untranslatable(f"two conditions on {comparison.attribute}")
            rule[name] = _regex(comparison)
        if len(rule) == 1:
            raise Untranslatable("it names no title, author, link, content or tags")
        rules.append(rule)
    return rules


_PLAIN = re.compile(r"[\w .'-]+")


def _filter_word(value: str) -> str:
    """A filter's value as reader's query writes it (quoted when it has spaces)."""
    return f'"{value}"' if " " in value else value


def _query_part(comparison: Comparison) -> str:
    """One comparison as a piece of reader's search query."""
    attribute, op, value = comparison.attribute, comparison.op, comparison.value
    if attribute == "unread" and op in ("=", "==", "!=") and value in ("yes", "no"):
        return "is:unread" if (value == "yes") == (op != "!=") else "is:read"
    if attribute == "tags" and op in ("#", "!#") and _PLAIN.fullmatch(value) and '"' not in value:
        return ("-" if op == "!#" else "") + f"tag:{_filter_word(value)}"
    if attribute in ("rssurl", "feedtitle", "feedlink") and op in ("=~", "=", "==", "!~", "!="):
        if '"' not in value and re.fullmatch(r"[\w .:/?&=%~+-]+", value):
            return ("-" if op.startswith("!") else "") + f"site:{_filter_word(value)}"
    if attribute == "age" and value.isdigit():
        if op in ("<", "<="):
            return f"after:{int(value) + (op == '<=')}d"
        if op in (">", ">="):
            return f"before:{int(value) + (op == '>')}d"
    if attribute == "age" and op == "between" and re.fullmatch(r"0:\d+", value):
        return f"after:{int(value[2:]) + 1}d"
    if attribute in ("title", "content") and op == "=~" and re.fullmatch(r"[\w ]+", value):
        return value.strip()  # words, found in the title or the text
    raise Untranslatable(f"{attribute} {op} {value!r} has no search filter")


def translate_query(expression: str) -> str:
    """A ``query:`` feed's filter expression as reader's search query (``is:unread``,
    ``tag:``, ``site:``, ``after:``/``before:`` for ``age``, words for a plain
    ``title =~``/``content =~``); ``or`` only between ``tag:`` (or ``site:``) filters,
    which reader reads as any of them. Raises ``Untranslatable`` with the reason."""
    join, comparisons = parse_filter(expression)
    parts = [_query_part(comparison) for comparison in comparisons]
    if join == "or":
        kinds = {part.lstrip("-").split(":", 1)[0] for part in parts}
        if len(kinds) != 1 or kinds - {"tag", "site"} or any(p.startswith("-") for p in parts):
            raise Untranslatable("or is translated between tags or between sites only")
    return " ".join(parts)


def query_feed(line: str) -> dict[str, str]:
    """A urls file's ``"query:TITLE:EXPRESSION" [tags]`` line as a ``[[query]]`` table
    (``title``, ``query``). Raises ``Untranslatable`` with the reason."""
    try:
        first = shlex.split(line)[0]
    except (ValueError, IndexError):
        raise Untranslatable("not query:TITLE:EXPRESSION") from None
    _, _, rest = first.partition(":")
    title, colon, expression = rest.partition(":")
    if not colon or not title.strip():
        raise Untranslatable("not query:TITLE:EXPRESSION")
    return {"title": title.strip(), "query": translate_query(expression)}
