"""The Google Reader client against answers recorded from a real FreshRSS
(tests/fixtures/sync/freshrss-VERSION/, made by tests/record_freshrss.py), replayed
from 127.0.0.1: the same scenario, the same checks as when it was recorded."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from http_server import send, serve
from sync_scenarios import greader_scenario
from sync_servers import FreshRSS, Replay, load_recording, rss, serve_api

from reader.sync.greader import entry_id


class ReplayWorld:
    """The scenario's world on the replay: the other device's moves are in the answers;
    the feeds ``reader feed add`` fetches itself are served again, from ``routes``."""

    live = False

    def __init__(self, home: Path, url: str, feed_base: str, routes: dict[str, Any]) -> None:
        self.home, self.url, self.feed_base, self.routes = home, url, feed_base, routes
        self.host = urlsplit(url).netloc
        self.password = FreshRSS.api_password

    def serve_feed(self, name: str, title: str, items: list[tuple[str, str]]) -> None:
        self.routes[f"/{name}"] = send(
            200, rss(title, self.feed_base, items), "application/rss+xml"
        )

    def server_feeds(self) -> set[str]:
        raise AssertionError("not live")

    def phone_mark(self, title: str, tag: str, on: bool) -> None:
        pass

    def phone_unsubscribe(self, feed_url: str) -> None:
        pass

    def add_entry(self, feed: str, entry: tuple[str, str]) -> None:
        pass

    def server_unread_and_starred(self) -> tuple[set[str], set[str]]:
        raise AssertionError("not live")


def test_the_scenario_against_recorded_freshrss(home: Path) -> None:
    recording = load_recording("greader-scenario")
    routes: dict[str, Any] = {}
    with serve(routes) as feed_base:
        replace = {recording["feed_base"]: feed_base}
        replay = Replay(recording["exchanges"], FreshRSS.api_password, "/api/greader.php", replace)
        with serve_api(replay.handle) as (base, _):
            world = ReplayWorld(home, f"{base}/api/greader.php", feed_base, routes)
            greader_scenario(world)
    assert replay.misses == []
    assert replay.unused() == []


def test_freshrss_answers_the_read_stream_with_unread_entries_too() -> None:
    """Why unread entries are asked for as the reading list excluding read (``xt=``)."""
    quirk = load_recording("read-stream-quirk")
    assert set(quirk["unread"]) < set(quirk["all"])
    assert set(quirk["s_read"]) == set(quirk["all"])  # unread ones included
    scenario = load_recording("greader-scenario")["exchanges"]
    asked = [dict(e["key"][2]) for e in scenario if e["key"][1].endswith("/stream/items/ids")]
    unread = {"s": "user/-/state/com.google/reading-list", "xt": "user/-/state/com.google/read"}
    assert {**unread, "n": "10000", "output": "json"} in asked
    assert all(q.get("s") != "user/-/state/com.google/read" for q in asked)


def test_entry_ids_in_both_forms_are_one_number() -> None:
    assert entry_id("tag:google.com,2005:reader/item/0006618fd12e29df") == str(0x6618FD12E29DF)
    assert entry_id("1796120177945055") == "1796120177945055"
    assert entry_id("-1") == str(2**64 - 1)  # Google's short form is signed
    assert entry_id(42) == "42"
    for bad in ("tag:google.com,2005:reader/item/xyz", "12a", "", None, True, "1" * 30):
        assert entry_id(bad) is None
