"""Themes as data files: the ones shipped in ``themes/`` plus the user's own.

A theme file is TOML with a ``name``, ``dark`` and Textual's theme colours
(``primary``, ``secondary``, ``accent``, ``foreground``, ``background``,
``surface``, ``panel``, ``warning``, ``error``, ``success``, ``boost``), and an
optional ``[variables]`` table. A broken file is reported, never fatal.
"""

from __future__ import annotations

import tomllib
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from textual.color import Color, ColorParseError
from textual.theme import Theme

COLOUR_KEYS = (
    "primary", "secondary", "accent", "foreground", "background", "surface", "panel",
    "warning", "error", "success", "boost",
)  # fmt: skip


class ThemeError(ValueError):
    """A theme file that can't be used; the message says why."""


def parse_theme(text: str, origin: str) -> Theme:
    """A ``Theme`` from a theme file's text; ``origin`` names it in errors."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ThemeError(f"{origin}: not valid TOML: {exc}") from None
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ThemeError(f"{origin}: a theme needs a 'name'")
    if "primary" not in data:
        raise ThemeError(f"{origin}: a theme needs a 'primary' colour")
    colours: dict[str, str] = {}
    for key in COLOUR_KEYS:
        value = data.get(key)
        if value is None:
            continue
        if not isinstance(value, str):
            raise ThemeError(f"{origin}: '{key}' must be a colour like \"#1E90FF\"")
        if not value.startswith("ansi_"):
            try:
                Color.parse(value)
            except ColorParseError:
                raise ThemeError(f"{origin}: '{key}' is not a colour: {value!r}") from None
        colours[key] = value
    variables = data.get("variables", {})
    if not isinstance(variables, dict) or not all(isinstance(v, str) for v in variables.values()):
        raise ThemeError(f"{origin}: [variables] must map names to strings")
    return Theme(
        name=name.strip(),
        primary=colours["primary"],
        secondary=colours.get("secondary"),
        warning=colours.get("warning"),
        error=colours.get("error"),
        success=colours.get("success"),
        accent=colours.get("accent"),
        foreground=colours.get("foreground"),
        background=colours.get("background"),
        surface=colours.get("surface"),
        panel=colours.get("panel"),
        boost=colours.get("boost"),
        dark=bool(data.get("dark", True)),
        ansi=bool(data.get("ansi", False)),
        variables={str(k): v for k, v in variables.items()},
    )


def shipped_theme_files() -> list[Traversable]:
    """The theme files that come with reader.

    Installed, they are the package ``reader.themes`` (the top-level ``themes/``
    folder); run from a source tree without installing, the folder itself.
    """
    try:
        folder: Traversable = resources.files("reader.themes")
    except ModuleNotFoundError:
        folder = Path(__file__).resolve().parents[2] / "themes"
    return [entry for entry in folder.iterdir() if entry.name.endswith(".toml")]


def load_themes(user_dir: Path | None) -> tuple[list[Theme], list[str]]:
    """The shipped themes, then the user's (which may replace one by name).

    Returns the themes and one message per file that could not be loaded.
    """
    themes: dict[str, Theme] = {}
    problems: list[str] = []
    for entry in sorted(shipped_theme_files(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            theme = parse_theme(entry.read_text(encoding="utf-8"), entry.name)
            themes[theme.name] = theme
    if user_dir is not None and user_dir.is_dir():
        for path in sorted(user_dir.glob("*.toml")):
            try:
                theme = parse_theme(path.read_text(encoding="utf-8"), str(path))
            except (OSError, UnicodeDecodeError) as exc:
                problems.append(f"theme {path}: {exc}")
                continue
            except ThemeError as exc:
                problems.append(f"theme {exc}")
                continue
            themes[theme.name] = theme
    return list(themes.values()), problems
