"""The reading keys: one table for the bindings, the key bar and the help screen.

Every binding has an id, which is what ``config.toml``'s ``[keys]`` rebinds
(Textual's keymap) and what the help screen shows dim. Actions of the app (quit,
help, themes, refresh) are named ``app.…``; the rest are the reading screen's.
A preset (``keys = "newsboat"``) is a keymap of its own, under the user's ``[keys]``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from textual.binding import Binding

# id (and the action, unless given), keys, label, what it does, shown in the key bar,
# key shown, action when not the id
_TABLE: list[tuple[str, str, str, str, bool, str | None, str | None]] = [
    ("quit", "q", "Quit", "quit reader", True, None, "app.quit"),
    ("help", "question_mark", "Help", "this help", True, "?", "app.help"),
    ("next_story", "n", "Next", "open the next story", True, None, None),
    ("previous_story", "p", "Prev", "open the previous story", True, None, None),
    ("page_article", "space", "Page", "page the article down", True, None, None),
    ("toggle_bookmark", "b", "Bookmark", "bookmark or unbookmark the story", True, None, None),
    ("bookmarks", "B", "Bookmarks", "show bookmarks (again: all stories)", True, None, None),
    ("search", "slash", "Search", "search titles and bodies", True, "/", None),
    ("toggle_read", "u", "Read", "mark the story read or unread", True, None, None),
    ("mark_all_read", "A", "All read", "mark every story in this list read (asks)", False, None,
     None),
    ("cycle_filter", "f", "Unread", "show unread stories only, or all", False, None, None),
    ("pick_site", "s", "Sites", "show one site's, feed's or tag's stories", False, None, None),
    ("back", "backspace", "Back", "back to the story you came from", True, None, "go_back"),
    ("open_url", "o", "Open", "open the story's address in a browser (asks)", False, None, None),
    ("copy_url", "y", "Copy URL", "copy the story's address", False, None, None),
    ("article_links", "L", "Links", "the article's links; open one (asks)", False, None, None),
    ("toggle_ranking", "R", "Top", "ranking: this page's or all pages'", False, None, None),
    ("why_ranked", "w", "Why", "why the highlighted top story ranks there", False, None, None),
    ("toggle_lists", "l", "Lists", "narrow screens: related/ranking or list", False, None, None),
    ("reading_mode", "z", "Wide", "the article alone, the whole width (again: back)", False, None,
     None),
    ("cycle_theme", "t", "Theme", "next theme (remembered)", False, None, "app.cycle_theme"),
    ("feed_list", "F", "Feeds", "the feed list: tags, counts, saved searches", False, None,
     "app.feed_list"),
    ("refresh_feeds", "r", "Refresh", "refresh feeds (in the background)", False, None,
     "app.refresh_feeds"),
    ("show_all", "escape", "All", "leave search, bookmarks or a filter", False, None, None),
    ("next_unread", "N", "Next unread", "open the next unread story in the list", False, None,
     None),
    ("previous_unread", "P", "Prev unread", "open the previous unread story in the list", False,
     None, None),
    ("open_and_mark_read", "O", "Open, read", "open the story in a browser (asks), mark it read",
     False, None, None),
    ("next_feed", "J", "Next feed", "show the next feed's stories (feed order, then sites)",
     False, None, None),
    ("previous_feed", "K", "Prev feed", "show the previous feed's stories", False, None, None),
    ("pipe_to", "vertical_line", "Pipe", "hand the story's text to a program (pipe_to)", False,
     "|", None),
    ("undo", "U,ctrl+z", "Undo", "undo the last mark change (read, all read, bookmark)", False,
     None, None),
    ("command_line", "colon", "Commands", "command palette (as Ctrl+P)", False, ":",
     "app.command_palette"),
]  # fmt: skip

READING_BINDINGS: list[Binding] = [
    Binding(keys, action or name, label, id=name, show=show, tooltip=text, key_display=display)
    for name, keys, label, text, show, display, action in _TABLE
]
"""The reading screen's bindings, in the order the help screen lists them."""

PRESETS: dict[str, dict[str, str]] = {
    "default": {},
    # newsboat's default keys where they don't clash with reader's core keys (j k g G
    # Enter s t l f stay reader's); where they do, as README "Coming from newsboat" says.
    "newsboat": {
        "quit": "q,Q",
        "next_unread": "n",
        "previous_unread": "p",
        "next_story": "right_square_bracket",  # n/p are newsboat's next/previous unread
        "previous_story": "left_square_bracket",
        "toggle_read": "N",
        "open_and_mark_read": "O",
        "article_links": "u,L",  # newsboat's show-urls
        "toggle_bookmark": "ctrl+b,b",
        "refresh_feeds": "r,R",  # reload, reload-all: reader refreshes every feed
        "toggle_ranking": "T",  # R is newsboat's reload-all
        "next_feed": "J",
        "previous_feed": "K",
        "command_line": "colon",
        "pipe_to": "vertical_line",
    },
}
"""Keymaps by preset name (config.base.KEY_PRESETS); the user's ``[keys]`` go over them."""


def keymap_for(preset: str, overrides: Mapping[str, str]) -> dict[str, str]:
    """The keymap in force: ``preset``'s, with the user's ``[keys]`` over it."""
    return {**PRESETS.get(preset, {}), **overrides}


FEED_LIST_BINDINGS: list[Binding] = [
    Binding(keys, action, label, id=name, tooltip=text)
    for name, keys, action, label, text in [
        ("feeds_close", "escape,q", "close_feeds", "Back", "feed list: back to the stories"),
        ("feeds_add", "a", "add_feed", "Add", "feed list: subscribe to a feed (or a page's)"),
        ("feeds_remove", "d", "remove_feed", "Remove", "feed list: unsubscribe (asks)"),
        ("feeds_rename", "e", "rename_feed", "Rename", "feed list: your own title for it"),
        ("feeds_retag", "t", "retag_feed", "Tags", "feed list: its tags, comma-separated"),
        ("feeds_refresh", "r", "refresh_feed", "Refresh", "feed list: refresh this feed"),
    ]
]
"""The feed list's bindings (``F``), listed in the help screen after the reading keys."""

_MOVING = [
    ("j k  ↓ ↑", "move in the focused pane", ""),
    ("PgUp PgDn  g G", "page up / down, first / last", ""),
    ("Enter, click", "open the story or headline", "open"),
    ("Tab  Shift+Tab", "next / previous pane", ""),
]


def help_rows(
    keymap: Mapping[str, str], key_display: Callable[[Binding], str]
) -> list[tuple[str, str, str]]:
    """Every key as bound with ``keymap`` (binding id -> keys, config.toml's [keys]):
    the keys, what they do, the binding id."""
    rows = list(_MOVING)
    for binding in [*READING_BINDINGS, *FEED_LIST_BINDINGS]:
        binding_id = binding.id or ""
        keys = keymap.get(binding_id, binding.key)
        shown = "  ".join(key_display(Binding(key.strip(), "")) for key in keys.split(","))
        rows.append((shown, binding.tooltip or binding.description, binding_id))
    rows.append(("Ctrl+P", "command palette: bookmarks, search, themes, sites, ingest", ""))
    return rows
