"""Coldsweat's command line, with every fetch kept on this machine.

Run with the Python of Coldsweat's own venv (``python coldsweat_launcher.py run ...``).
Coldsweat fetches a favicon for every feed it refreshes, from
https://icons.duckduckgo.com/ unless the feed names its own icon; nothing in the tests
may reach a public host, so the icon fetching is switched off here (Coldsweat itself
is not edited), and any other fetch of a host that is not 127.0.0.1 fails. Its wait of
three minutes between two fetches of a feed goes too: a test adds entries and fetches
again at once.
"""

from __future__ import annotations

import sys
from urllib.parse import urlsplit

import coldsweat.fetcher as fetcher
import requests
from coldsweat import cli


def _no_icon(self: object) -> None:
    """Fetcher._fetch_icon: fetch nothing, keep the default icon."""


_fetch_url = fetcher.fetch_url


def _local_only(url: str, *args: object, **kwargs: object) -> object:
    """fetcher.fetch_url for 127.0.0.1 only."""
    if urlsplit(url).hostname not in ("127.0.0.1", "localhost"):
        raise requests.exceptions.ConnectionError(f"the tests fetch only 127.0.0.1, not {url}")
    return _fetch_url(url, *args, **kwargs)


fetcher.Fetcher._fetch_icon = _no_icon  # type: ignore[method-assign]
fetcher.fetch_url = _local_only
fetcher.MIN_FETCH_INTERVAL = 0

if __name__ == "__main__":
    sys.exit(cli())
