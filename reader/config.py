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

DEFAULT_THEME = "reader-dark"


@dataclass
class Config:
    """Settings read from ``config.toml``."""

    theme: str = DEFAULT_THEME
    keys: dict[str, str] = field(default_factory=dict)
    """Binding id -> keys (comma-separated), e.g. ``{"next_story": "n,ctrl+n"}``."""
    problems: list[str] = field(default_factory=list)
    """What was wrong with the file, one line each (shown to the user)."""


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
    return config


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
