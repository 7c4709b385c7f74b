"""``config.toml``: the user's settings (theme, key bindings).

Reading never fails the app: a broken file gives defaults plus a message that
names the file and the reason. Writing changes only the line it must, so the
user's comments and other settings survive.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_THEME = "reader-dark"


@dataclass
class FeedSettings:
    """Settings for one feed (or the defaults for all): see ``[feeds]`` in config.toml."""

    refresh_interval: int | None = None
    """Minutes: a plain ``reader refresh`` skips the feed if refreshed more recently."""
    max_stories: int | None = None
    """Keep at most this many of the feed's stories (the oldest go; bookmarks stay)."""
    fetch_full_page: bool = False
    """For feeds that carry only summaries: fetch each new item's page and ingest it."""


@dataclass
class Config:
    """Settings read from ``config.toml``."""

    theme: str = DEFAULT_THEME
    keys: dict[str, str] = field(default_factory=dict)
    """Binding id -> keys (comma-separated), e.g. ``{"next_story": "n,ctrl+n"}``."""
    problems: list[str] = field(default_factory=list)
    """What was wrong with the file, one line each (shown to the user)."""
    feed_defaults: FeedSettings = field(default_factory=FeedSettings)
    feeds: dict[str, FeedSettings] = field(default_factory=dict)
    """Per-feed settings by feed URL."""
    collapse_copies: bool = True
    """One entry per story however many sites carry it (``collapse_copies = false``
    lists every copy)."""
    text_width: int = 0
    """The longest line of an article, in cells (newsboat's ``text-width``); 0: the
    pane's width."""

    def feed_settings(self, url: str) -> FeedSettings:
        """The settings for the feed at ``url``: its own over the defaults."""
        own = self.feeds.get(url)
        if own is None:
            return self.feed_defaults
        base = self.feed_defaults
        return FeedSettings(
            own.refresh_interval if own.refresh_interval is not None else base.refresh_interval,
            own.max_stories if own.max_stories is not None else base.max_stories,
            own.fetch_full_page or base.fetch_full_page,
        )


def load_config(path: Path) -> Config:
    """Read ``path``; a missing file gives the defaults."""
    config = Config()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return config
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        config.problems.append(f"{path}: {exc}; using the defaults")
        return config
    theme = data.get("theme")
    if isinstance(theme, str) and theme:
        config.theme = theme
    elif theme is not None:
        config.problems.append(f"{path}: 'theme' must be a theme name")
    keys = data.get("keys", {})
    if isinstance(keys, dict):
        for action, value in keys.items():
            if isinstance(value, str) and value.strip():
                config.keys[str(action)] = value
            else:
                config.problems.append(f'{path}: keys.{action} must be a string like "n"')
    else:
        config.problems.append(f"{path}: [keys] must be a table")
    collapse = data.get("collapse_copies")
    if isinstance(collapse, bool):
        config.collapse_copies = collapse
    elif collapse is not None:
        config.problems.append(f"{path}: 'collapse_copies' must be true or false")
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
    return config


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
    current = tomllib.loads(text).get(table, {})
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
