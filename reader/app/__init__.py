"""Everything Textual: the reading app. Nothing outside this package imports Textual."""

from __future__ import annotations

from reader.base.paths import Paths


def run(paths: Paths) -> int:
    """Open the reading app on the cache at ``paths``."""
    from reader.app.app import ReaderApp

    app = ReaderApp(paths)
    app.run()
    return app.return_code or 0
