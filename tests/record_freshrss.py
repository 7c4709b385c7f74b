"""Record a real FreshRSS's Google Reader API answers for tests/test_sync_freshrss.py.

By hand, not in CI (CI replays what this writes):

    apt-get install php-cli php-sqlite3 php-curl php-mbstring php-xml php-intl php-zip php-gmp
    # FreshRSS's source in a temporary folder (never committed), e.g. a release's tree
    python tests/record_freshrss.py /tmp/FreshRSS

It copies the source into a temporary folder, installs it there with SQLite (its
stock subscriptions, on a public host, replaced by an empty OPML), subscribes it to
feeds served from 127.0.0.1, serves it with ``php -S`` on 127.0.0.1, and runs
``sync_scenarios.greader_scenario`` through a recording proxy; another device's marks
go straight to FreshRSS. The answers go to tests/fixtures/sync/freshrss-VERSION/, with
the session, the edit token and the password replaced.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from http_server import send, serve
from sync_scenarios import FEEDS, greader_scenario
from sync_servers import RECORDINGS, FreshRSS, Phone, recording_proxy, rss

READING_LIST = "user/-/state/com.google/reading-list"
READ = "user/-/state/com.google/read"
STARRED = "user/-/state/com.google/starred"


class LiveWorld:
    """The scenario's world on a real FreshRSS, the home syncing through the proxy."""

    live = True

    def __init__(self, home: Path, url: str, fresh: FreshRSS, routes: dict[str, Any],
                 feed_base: str) -> None:  # fmt: skip
        self.home, self.url, self.fresh = home, url, fresh
        self.host = urlsplit(url).netloc
        self.password = FreshRSS.api_password
        self.routes, self.feed_base = routes, feed_base
        self.items = {name: list(items) for name, (_, _, items) in FEEDS.items()}
        self.phone = Phone(fresh.url, FreshRSS.user, FreshRSS.api_password)

    def phone_mark(self, title: str, tag: str, on: bool) -> None:
        self.phone.mark(title, tag, on)

    def phone_unsubscribe(self, feed_url: str) -> None:
        self.phone.unsubscribe(feed_url)

    def add_entry(self, feed: str, entry: tuple[str, str]) -> None:
        self.items[feed].append(entry)
        self.routes[f"/{feed}"] = feed_route(feed, self.feed_base, self.items[feed])
        self.fresh.fetch()

    def serve_feed(self, name: str, title: str, items: list[tuple[str, str]]) -> None:
        self.routes[f"/{name}"] = send(
            200, rss(title, self.feed_base, items), "application/rss+xml"
        )

    def server_feeds(self) -> set[str]:
        return self.phone.feeds()

    def server_unread_and_starred(self) -> tuple[set[str], set[str]]:
        titles = {_short(i): t for t, i in self.phone.entries().items()}
        unread = self.phone.ids(READING_LIST, READ)
        starred = self.phone.ids(STARRED)
        return {titles[i] for i in unread}, {titles[i] for i in starred}


def _short(long_id: str) -> str:
    return str(int(long_id.rsplit("/", 1)[1], 16))


def feed_route(name: str, base: str, items: list[tuple[str, str]]) -> Any:
    return send(200, rss(FEEDS[name][1], base, items), "application/rss+xml")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", type=Path, help="FreshRSS's source tree")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        fresh = FreshRSS(args.source, work)
        routes: dict[str, Any] = {}
        with serve(routes) as feed_base:
            for name, (_, _, items) in FEEDS.items():
                routes[f"/{name}"] = feed_route(name, feed_base, items)
            fresh.subscribe({f"{feed_base}/{n}": (g, t) for n, (g, t, _) in FEEDS.items()})
            fresh.start()
            try:
                with recording_proxy(fresh.base, "/api/greader.php", FreshRSS.api_password) as (
                    url,
                    recorded,
                ):
                    world = LiveWorld(work / "home", url, fresh, routes, feed_base)
                    greader_scenario(world)
                quirk = record_quirk(world.phone)
            finally:
                fresh.stop()
        folder = RECORDINGS / f"freshrss-{fresh.version}"
        folder.mkdir(parents=True, exist_ok=True)
        meta = {
            "freshrss": fresh.version,
            "recorded": datetime.now(UTC).isoformat(timespec="seconds"),
            "feed_base": feed_base,
        }
        write(folder / "greader-scenario.json", {**meta, "exchanges": recorded})
        write(folder / "read-stream-quirk.json", {**meta, **quirk})
        print(f"recorded {len(recorded)} exchanges with FreshRSS {fresh.version} in {folder}")
    return 0


def record_quirk(phone: Phone) -> dict[str, Any]:
    """What ``s=…/read`` answers beside the unread entries (the reading list less read)."""
    return {
        "unread": sorted(phone.ids(READING_LIST, READ)),
        "all": sorted(phone.ids(READING_LIST)),
        "s_read": sorted(phone.ids(READ)),
    }


def write(path: Path, data: dict[str, Any]) -> None:
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
