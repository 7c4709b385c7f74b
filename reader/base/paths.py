"""Where reader keeps its files: the story cache, the user's data and the config.

By default the platform's user directories (platformdirs). ``--home DIR`` or the
``READER_HOME`` environment variable put all three under one folder, as
``DIR/cache``, ``DIR/data`` and ``DIR/config``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

APP_NAME = "reader"
HOME_ENV = "READER_HOME"


@dataclass(frozen=True)
class Paths:
    """The three folders reader uses, and the files inside them."""

    cache_dir: Path
    data_dir: Path
    config_dir: Path

    @property
    def cache_db(self) -> Path:
        """The story cache: safe to delete, rebuilt by ingesting again."""
        return self.cache_dir / "stories.sqlite3"

    @property
    def user_db(self) -> Path:
        """The user's own data: bookmarks (with their copy of the story) and read marks."""
        return self.data_dir / "user.sqlite3"

    @property
    def config_file(self) -> Path:
        return self.config_dir / "config.toml"

    @property
    def user_themes_dir(self) -> Path:
        return self.config_dir / "themes"

    def ensure(self) -> None:
        """Create the folders if they are missing."""
        for folder in (self.cache_dir, self.data_dir, self.config_dir):
            folder.mkdir(parents=True, exist_ok=True)


def resolve_paths(home: str | os.PathLike[str] | None = None) -> Paths:
    """The folders for ``home`` (or ``$READER_HOME``), else the platform defaults."""
    chosen = home if home is not None else os.environ.get(HOME_ENV) or None
    if chosen is not None:
        root = Path(chosen).expanduser().resolve()
        return Paths(root / "cache", root / "data", root / "config")
    import platformdirs

    return Paths(
        Path(platformdirs.user_cache_dir(APP_NAME)),
        Path(platformdirs.user_data_dir(APP_NAME)),
        Path(platformdirs.user_config_dir(APP_NAME)),
    )
