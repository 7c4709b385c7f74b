"""``config.toml``: the user's settings (theme, key bindings, feeds, ``[[ignore]]``
rules, programs to hand stories to, pictures).

Reading never fails the app: a broken file gives defaults plus a message that
names the file and the reason. Writing changes only the line it must, so the
user's comments and other settings survive.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shlex
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import regex

_log = logging.getLogger(__name__)

DEFAULT_THEME = "reader-dark"
KEY_PRESETS = ("default", "newsboat")
PICTURE_KINDS = ("auto", "kitty", "blocks")
"""The strings ``pictures`` takes: the terminal's way, Kitty's graphics protocol, half cells."""
"""``keys = "newsboat"`` (or ``[keys] preset = "newsboat"``): reader/app/keys.py's presets."""


@dataclass
class FeedSettings:
    """Settings for one feed (or the defaults for all): see ``[feeds]`` in config.toml."""

    refresh_interval: int | None = None
    """Minutes: a plain ``reader refresh`` skips the feed if refreshed more recently."""
    max_stories: int | None = None
    """Keep at most this many of the feed's stories (the oldest go; bookmarks stay)."""
    fetch_full_page: bool = False
    """For feeds that carry only summaries: fetch each new item's page and ingest it."""
    ignore: tuple[IgnoreRule, ...] = ()
    """The ``[[ignore]]`` rules that may apply to the feed (``IgnoreRule.applies_to``
    says, given its tags)."""


@dataclass(frozen=True)
class SavedQuery:
    """A saved search (newsboat's query feed): a name and a query in the search syntax."""

    title: str
    query: str


@dataclass
class Config:
    """Settings read from ``config.toml``."""

    theme: str = DEFAULT_THEME
    keys: dict[str, str] = field(default_factory=dict)
    """Binding id -> keys (comma-separated), e.g. ``{"next_story": "n,ctrl+n"}``."""
    key_preset: str = "default"
    """``keys = "newsboat"``, or ``preset`` in ``[keys]``: the keys ``keys`` overrides."""
    browser: list[str] | None = None
    """``browser = "firefox --new-tab %u"``: the argument list ``o`` runs (``%u``: the
    URL, as one argument); None: Python's webbrowser."""
    bookmark_command: list[str] | None = None
    """Run when a story is bookmarked, with its URL, title, description and feed title
    as four more arguments (newsboat's bookmark-cmd)."""
    pipe_to: list[str] | None = None
    """``|`` hands the story's text to this program on its standard input; None: ask."""
    problems: list[str] = field(default_factory=list)
    """What was wrong with the file, one line each (shown to the user)."""
    feed_defaults: FeedSettings = field(default_factory=FeedSettings)
    feeds: dict[str, FeedSettings] = field(default_factory=dict)
    """Per-feed settings by feed URL."""
    collapse_copies: bool = True
    """One entry per story however many sites carry it (``collapse_copies = false``
    lists every copy)."""
    ignore: list[IgnoreRule] = field(default_factory=list)
    """The killfile: ``[[ignore]]`` rules, in the file's order (bad ones left out, named
    in ``problems``)."""
    pictures: bool | str | None = None
    """``pictures = false``: the article shows no pictures (placeholders only) and
    fetches none. ``"kitty"`` or ``"blocks"``: pictures, drawn that way (Kitty's
    graphics protocol, or half-cell blocks). Unset, ``true`` or ``"auto"``: pictures
    where the ``images`` extra is installed, drawn as the terminal allows."""
    queries: tuple[SavedQuery, ...] = ()
    """Saved searches (``[[query]]``), shown in the feed list with their counts."""
    text_width: int = 0
    """The longest line of an article, in cells (newsboat's ``text-width``); 0: the
    pane's width."""

    def feed_settings(self, url: str) -> FeedSettings:
        """The settings for the feed at ``url``: its own over the defaults."""
        rules = tuple(rule for rule in self.ignore if rule.feed in ("*", url) or rule.tag)
        own = self.feeds.get(url)
        if own is None:
            return replace(self.feed_defaults, ignore=rules)
        base = self.feed_defaults
        return FeedSettings(
            own.refresh_interval if own.refresh_interval is not None else base.refresh_interval,
            own.max_stories if own.max_stories is not None else base.max_stories,
            own.fetch_full_page or base.fetch_full_page,
            rules,
        )


def parse_toml(text: str) -> dict[str, Any]:
    """``tomllib.loads``, imported on first use: without a config file, no command needs
    it (a warm ``reader refresh`` takes 0.2 s, and each import counts)."""
    import tomllib

    return tomllib.loads(text)


def load_config(path: Path) -> Config:
    """Read ``path``; a missing file gives the defaults."""
    config = Config()
    try:
        data = parse_toml(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return config
    except (OSError, ValueError) as exc:  # unreadable, not UTF-8, or not TOML
        config.problems.append(f"{path}: {exc}; using the defaults")
        return config
    theme = data.get("theme")
    if isinstance(theme, str) and theme:
        config.theme = theme
    elif theme is not None:
        config.problems.append(f"{path}: 'theme' must be a theme name")
    _read_keys(data.get("keys", {}), config, path)
    for name in ("browser", "bookmark_command", "pipe_to"):
        value = data.get(name)
        if value is None:
            continue
        try:
            setattr(config, name, split_command(value))
        except ValueError as exc:
            config.problems.append(
                f"{path}: {name!r} must be a command (a string or a list of strings): {exc}"
            )
    collapse = data.get("collapse_copies")
    if isinstance(collapse, bool):
        config.collapse_copies = collapse
    elif collapse is not None:
        config.problems.append(f"{path}: 'collapse_copies' must be true or false")
    pictures = data.get("pictures")
    if isinstance(pictures, bool) or pictures in PICTURE_KINDS:
        config.pictures = pictures
    elif pictures is not None:
        config.problems.append(
            f'{path}: \'pictures\' must be true, false, "auto", "kitty" or "blocks"'
        )
    text_width = data.get("text_width")
    if isinstance(text_width, int) and not isinstance(text_width, bool) and text_width >= 0:
        config.text_width = text_width
    elif text_width is not None:
        config.problems.append(f"{path}: 'text_width' must be a whole number (0: no limit)")
    feeds = data.get("feeds", {})
    if isinstance(feeds, dict):
        config.feed_defaults = _feed_settings(feeds, f"{path}: [feeds]", config.problems)
        for url, table in feeds.items():
            if isinstance(table, dict):
                config.feeds[url] = _feed_settings(
                    table, f'{path}: [feeds."{url}"]', config.problems
                )
    config.ignore = read_ignore_rules(data.get("ignore"), str(path), config.problems)
    config.queries = _saved_queries(data.get("query"), path, config.problems)
    return config


def _read_keys(keys: object, config: Config, path: Path) -> None:
    """``keys = "newsboat"``, or a ``[keys]`` table of binding ids (and ``preset``)."""
    if isinstance(keys, str):
        keys = {"preset": keys}
    if not isinstance(keys, dict):
        config.problems.append(f'{path}: keys must be a table or a preset name like "newsboat"')
        return
    for action, value in keys.items():
        if action == "preset":
            if value in KEY_PRESETS:
                config.key_preset = value
            else:
                names = ", ".join(f'"{name}"' for name in KEY_PRESETS)
                config.problems.append(f"{path}: keys preset {value!r} is not one of {names}")
        elif isinstance(value, str) and value.strip():
            config.keys[str(action)] = value
        else:
            config.problems.append(f'{path}: keys.{action} must be a string like "n"')


def split_command(value: object) -> list[str]:
    """A command from config.toml (or typed at a prompt) as an argument list: a list of
    strings stays as it is, a string is split like shell words (quotes group words). A
    leading ``~`` in the program's path is the home folder; nothing else is expanded
    or run. Raises ``ValueError`` for an empty command, unbalanced quotes, or a value
    that is neither."""
    if isinstance(value, str):
        args = shlex.split(value)
    elif isinstance(value, Sequence) and all(isinstance(arg, str) for arg in value):
        args = list(value)
    else:
        raise ValueError("not a string or a list of strings")
    if not args or not args[0].strip():
        raise ValueError("the command is empty")
    return [os.path.expanduser(args[0]), *args[1:]]


# -- [[query]]: saved searches ------------------------------------------------------------


def _saved_queries(entries: object, path: Path, problems: list[str]) -> tuple[SavedQuery, ...]:
    """The ``[[query]]`` tables, each ``title = "..."`` and ``query = "..."``; an entry
    that is not one (or repeats a title) is skipped, with a line in ``problems``."""
    if entries is None:
        return ()
    if not isinstance(entries, list):
        problems.append(f"{path}: 'query' must be [[query]] tables with a title and a query")
        return ()
    found: list[SavedQuery] = []
    titles: set[str] = set()
    for number, entry in enumerate(entries, 1):
        where = f"{path}: [[query]] {number}"
        if not isinstance(entry, dict):
            problems.append(f"{where} must be a table with a title and a query")
            continue
        title, query = entry.get("title"), entry.get("query")
        if not isinstance(title, str) or not title.strip():
            problems.append(f"{where}: 'title' must be a non-empty string")
        elif not isinstance(query, str) or not query.strip():
            problems.append(f"{where} ({title.strip()}): 'query' must be a non-empty string")
        elif title.strip() in titles:
            problems.append(f"{where}: the title {title.strip()!r} is used already")
        else:
            titles.add(title.strip())
            found.append(SavedQuery(title.strip(), query.strip()))
    return tuple(found)


def _feed_settings(table: dict[str, Any], where: str, problems: list[str]) -> FeedSettings:
    settings = FeedSettings()
    for name in ("refresh_interval", "max_stories"):
        value = table.get(name)
        if value is None:
            continue
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            setattr(settings, name, value)
        else:
            problems.append(f"{where} {name} must be a whole number above 0")
    full = table.get("fetch_full_page")
    if full is not None:
        if isinstance(full, bool):
            settings.fetch_full_page = full
        else:
            problems.append(f"{where} fetch_full_page must be true or false")
    return settings


# -- [[ignore]]: the killfile -------------------------------------------------------------

IGNORE_FIELDS = ("title", "author", "link", "content", "tag")
"""What a rule's regexes match: the story's title, author, link, plain-text content,
and the tags of its feed (a rule matches when one tag does)."""

MATCH_LIMIT = 100_000
"""A regex sees at most this many characters of a field: a slow pattern on a huge body
stays bounded."""

MATCH_TIMEOUT_S = 0.05
"""A match that takes longer (a pattern that backtracks without end, ``(a|aa)+$``) is
stopped, counted as no match, and logged: a rule never stalls a refresh."""

IgnoreAction = Literal["hide", "drop"]


@dataclass(frozen=True)
class IgnoreRule:
    """One ``[[ignore]]`` table: which feeds (``feed``: ``"*"``, a feed URL or
    ``"tag:NAME"``), the regexes every one of which must match, and what happens to a
    story that matches: ``hide`` (stored, never listed) or ``drop`` (never stored)."""

    number: int
    """Its place among the file's ``[[ignore]]`` tables, from 1 (for messages)."""
    feed: str
    patterns: tuple[tuple[str, regex.Pattern[str]], ...]
    action: IgnoreAction = "hide"

    @property
    def tag(self) -> str | None:
        """The tag named by ``feed = "tag:NAME"``, else None."""
        return self.feed[4:] if self.feed.startswith("tag:") else None

    @property
    def key(self) -> str:
        """The rule as text (what a hidden story records as the rule that hid it)."""
        fields = {"feed": self.feed, **{name: p.pattern for name, p in self.patterns}}
        return json.dumps(fields, ensure_ascii=False, sort_keys=True)

    def applies_to(self, url: str, tags: Sequence[str]) -> bool:
        """Whether the rule is for the feed at ``url`` carrying ``tags``."""
        tag = self.tag
        if tag is not None:
            return tag in tags
        return self.feed in ("*", url)

    def matches(self, fields: dict[str, str | Sequence[str]]) -> bool:
        """Whether every regex of the rule matches its field of ``fields`` (a missing
        field is empty; ``tag`` is a list, any of which may match)."""
        for name, pattern in self.patterns:
            value = fields.get(name, "")
            values = [value] if isinstance(value, str) else value
            if not any(self._search(name, pattern, text) for text in values):
                return False
        return True

    def _search(self, name: str, pattern: regex.Pattern[str], text: str) -> bool:
        try:
            return pattern.search(text[:MATCH_LIMIT], timeout=MATCH_TIMEOUT_S) is not None
        except TimeoutError:  # counted as no match: the story stays in sight
            _log.warning("[[ignore]] %d: %s %r took too long; no match", self.number, name,
                         pattern.pattern)  # fmt: skip
            return False


def first_match(
    rules: Sequence[IgnoreRule], fields: dict[str, str | Sequence[str]]
) -> IgnoreRule | None:
    """The first of ``rules`` that ``fields`` match (a ``drop`` before a ``hide``)."""
    matched = [rule for rule in rules if rule.matches(fields)]
    return next((r for r in matched if r.action == "drop"), matched[0] if matched else None)


def read_ignore_rules(value: object, where: str, problems: list[str]) -> list[IgnoreRule]:
    """The ``[[ignore]]`` tables of a config file; a bad one is left out and named in
    ``problems`` (its number, the field and the reason), never raised."""
    if value is None:
        return []
    if not isinstance(value, list):
        problems.append(f"{where}: 'ignore' must be [[ignore]] tables")
        return []
    rules: list[IgnoreRule] = []
    for number, table in enumerate(value, 1):
        rule = _ignore_rule(number, table, f"{where}: [[ignore]] {number}", problems)
        if rule is not None:
            rules.append(rule)
    return rules


def _ignore_rule(number: int, table: object, where: str, problems: list[str]) -> IgnoreRule | None:
    if not isinstance(table, dict):
        problems.append(f"{where} must be a table")
        return None
    unknown = sorted(set(table) - {"feed", "action", *IGNORE_FIELDS})
    if unknown:
        problems.append(
            f"{where}: unknown key {', '.join(unknown)} (known: feed, action,"
            f" {', '.join(IGNORE_FIELDS)}); rule not used"
        )
        return None
    feed = table.get("feed", "*")
    action = table.get("action", "hide")
    if not isinstance(feed, str) or not feed.strip() or feed.strip() == "tag:":
        problems.append(f'{where}: feed must be "*", a feed URL or "tag:NAME"; rule not used')
        return None
    if action not in ("hide", "drop"):
        problems.append(f'{where}: action must be "hide" or "drop"; rule not used')
        return None
    import regex  # only for a config with [[ignore]] rules (16 ms to import)

    patterns: list[tuple[str, regex.Pattern[str]]] = []
    for name in IGNORE_FIELDS:
        text = table.get(name)
        if text is None:
            continue
        if not isinstance(text, str) or not text:
            problems.append(f"{where}: {name} must be a regex (a string); rule not used")
            return None
        try:
            patterns.append((name, regex.compile(text)))
        except (regex.error, RecursionError, OverflowError) as exc:
            problems.append(f"{where}: {name} {text!r} is not a regex ({exc}); rule not used")
            return None
    if not patterns:
        problems.append(f"{where}: give at least one of {', '.join(IGNORE_FIELDS)}; rule not used")
        return None
    return IgnoreRule(number, feed.strip(), tuple(patterns), action)


_THEME_LINE = re.compile(r"^theme\s*=.*$", re.MULTILINE)


def save_theme(path: Path, theme: str) -> None:
    """Set ``theme = "..."`` in ``path``, keeping everything else in the file."""
    line = f"theme = {json.dumps(theme)}"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = ""
    head, table, rest = text.partition("\n[")  # top-level keys come before any table
    if _THEME_LINE.search(head):
        head = _THEME_LINE.sub(lambda _: line, head, count=1)
    elif head.startswith("["):  # the file starts with a table
        head, table, rest = line + "\n", "", head + table + rest
    else:
        head = (head.rstrip("\n") + "\n" if head.strip() else "") + line
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".tmp")
    partial.write_text(head + table + rest + ("" if (table or rest) else "\n"), encoding="utf-8")
    partial.replace(path)


def save_settings(path: Path, table: str, values: dict[str, int | bool | str]) -> list[str]:
    """Add ``values`` to ``[table]`` in ``path``, keeping everything else (comments too);
    a key the table has already keeps the user's value. Returns the keys written.
    Raises ``tomllib.TOMLDecodeError`` for a file that is not TOML (nothing written)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = ""
    current = parse_toml(text).get(table, {})
    new = {k: v for k, v in values.items() if not (isinstance(current, dict) and k in current)}
    if not new:
        return []
    lines = "".join(f"{key} = {json.dumps(value)}\n" for key, value in new.items())
    header = re.compile(rf"^\[{re.escape(table)}\][ \t]*(#.*)?$", re.MULTILINE).search(text)
    if header:
        text = text[: header.end()] + "\n" + lines.rstrip("\n") + text[header.end() :]
    else:
        text = (text.rstrip("\n") + "\n\n" if text.strip() else "") + f"[{table}]\n" + lines
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".tmp")
    partial.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    partial.replace(path)
    return list(new)


def _toml_value(value: int | bool | str) -> str:
    """``value`` as TOML (a JSON string is a TOML basic string, once DEL is escaped)."""
    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")


def _replace_file(path: Path, text: str) -> None:
    parse_toml(text)  # what is written is TOML: a bug raises here, before the file changes
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".tmp")
    partial.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    partial.replace(path)


def add_tables(
    path: Path, name: str, tables: Sequence[dict[str, str]], same: str | None = None
) -> list[dict[str, str]]:
    """Append ``tables`` to ``path`` as ``[[name]]`` tables, keeping everything else; a
    table the file has already (equal, or with the same value of the key ``same``) is
    not added again. Returns the tables added. Raises ``tomllib.TOMLDecodeError`` for
    a file that is not TOML (nothing written)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = ""
    present = parse_toml(text).get(name, [])
    present = [t for t in present if isinstance(t, dict)] if isinstance(present, list) else []
    new: list[dict[str, str]] = []
    for table in tables:
        if table in present or (same and any(t.get(same) == table.get(same) for t in present)):
            continue
        present.append(table)
        new.append(table)
    if not new:
        return []
    blocks = "\n".join(
        f"[[{name}]]\n" + "".join(f"{key} = {_toml_value(v)}\n" for key, v in table.items())
        for table in new
    )
    _replace_file(path, (text.rstrip("\n") + "\n\n" if text.strip() else "") + blocks)
    return new


def set_top_level(path: Path, key: str, value: int | bool | str) -> bool:
    """Set the top-level ``key = value`` in ``path`` unless the file has that key (the
    user's value stays), keeping everything else. Returns whether it was written.
    Raises ``tomllib.TOMLDecodeError`` for a file that is not TOML (nothing written)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = ""
    if key in parse_toml(text):
        return False
    line = f"{key} = {_toml_value(value)}\n"
    first_table = re.search(r"^[ \t]*\[", text, re.MULTILINE)  # top-level keys come first
    at = first_table.start() if first_table else len(text)
    head = text[:at]
    if head and not head.endswith("\n"):
        head += "\n"
    _replace_file(path, head + line + ("\n" if first_table else "") + text[at:])
    return True
