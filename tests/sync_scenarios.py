"""The Google Reader scenario: run against a real FreshRSS to record it
(``tests/record_freshrss.py``), and replayed in CI (``tests/test_sync_freshrss.py``).

The same steps and the same checks both times: recording fails if the real server
does not give what the checks expect, and replaying fails if the client asks for
anything the real server was not asked, or leaves a recorded answer unasked.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any, Protocol

from conftest import run_reader

FEEDS: dict[str, tuple[str, str, list[tuple[str, str]]]] = {
    "harbour.xml": ("Local", "Harbour News", [
        ("tide", "Tide gauge replaced"), ("ferry", "Night ferry returns"),
        ("quay", "Quay wall repaired"), ("gulls", "Gulls count rises")]),
    "markets.xml": ("Money", "Markets", [
        ("bonds", "Harbour bonds rally"), ("rye", "Rye loaf price steady")]),
    "weather.xml": ("Local", "Coast Weather", [
        ("fog", "Fog warning lifted"), ("gale", "Gale due on Friday"),
        ("heat", "Heatwave ends")]),
}  # fmt: skip
NEW_ENTRY = ("crane", "New crane arrives")


class World(Protocol):
    """What the scenario needs: the home that syncs, and (live only) the other device."""

    home: Path
    host: str
    """The server's host as messages name it."""
    url: str
    """The ``[sync] url``."""
    password: str
    feed_base: str
    """Where the feeds were served (when the answers were recorded)."""
    live: bool
    """A real server: the other device acts, and the server's state can be checked."""

    def phone_mark(self, title: str, tag: str, on: bool) -> None: ...

    def phone_unsubscribe(self, feed_url: str) -> None: ...

    def add_entry(self, feed: str, entry: tuple[str, str]) -> None: ...

    def serve_feed(self, name: str, title: str, items: list[tuple[str, str]]) -> None:
        """Serve one more feed beside the others (for ``reader feed add``)."""
        ...

    def server_feeds(self) -> set[str]:
        """The feed URLs the account is subscribed to (live only)."""
        ...

    def server_unread_and_starred(self) -> tuple[set[str], set[str]]:
        """Titles unread and starred on the server (live only)."""
        ...


def configure(world: World, password: str) -> None:
    path = world.home / "config" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "[sync]\n"
        'service = "greader"\n'
        f"url = {json.dumps(world.url)}\n"
        'user = "admin"\n'
        f"password_command = {json.dumps('printf %s ' + password)}\n"
    )


def sync(world: World, *args: str) -> subprocess.CompletedProcess[str]:
    return run_reader(world.home, "sync", *args)


def line(world: World) -> str:
    done = sync(world)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def stories(world: World) -> dict[str, dict[str, Any]]:
    listed = json.loads(run_reader(world.home, "list", "--json").stdout)
    return {story["title"]: story for story in listed}


def greader_scenario(world: World) -> None:
    """First sync, nothing new, push, pull, conflicts, a new entry, a subscription gone,
    a wrong password."""
    configure(world, world.password)
    world.phone_mark("Night ferry returns", "read", True)
    world.phone_mark("Harbour bonds rally", "starred", True)
    assert line(world) == "pulled 3 feeds, 9 stories, 1 read mark, 1 star; pushed nothing"
    here = stories(world)
    assert [t for t, s in here.items() if s["read"]] == ["Night ferry returns"]
    assert [t for t, s in here.items() if s["bookmarked"]] == ["Harbour bonds rally"]
    assert here["Tide gauge replaced"]["url"] == f"{world.feed_base}/tide.html"
    assert here["Tide gauge replaced"]["site"] == "Harbour News"
    shown = run_reader(world.home, "show", here["Heatwave ends"]["id"], "--json")
    assert json.loads(shown.stdout)["body"] == "About Heatwave ends."
    feeds = json.loads(run_reader(world.home, "feed", "list", "--json").stdout)
    assert sorted(f["url"] for f in feeds) == [f"{world.feed_base}/{n}" for n in sorted(FEEDS)]
    assert len(json.loads(run_reader(world.home, "list", "--tag", "Local", "--json").stdout)) == 7

    assert line(world) == "pulled 0 stories; pushed nothing"

    run_reader(world.home, "mark-read", here["Tide gauge replaced"]["id"])
    run_reader(world.home, "bookmark", here["Rye loaf price steady"]["id"])
    assert line(world) == "pulled 0 stories; pushed 1 read mark, 1 star"
    if world.live:
        unread, starred = world.server_unread_and_starred()
        assert "Tide gauge replaced" not in unread
        assert starred == {"Harbour bonds rally", "Rye loaf price steady"}

    world.phone_mark("Gulls count rises", "read", True)
    world.phone_mark("Quay wall repaired", "starred", True)
    world.phone_mark("Harbour bonds rally", "starred", False)
    assert line(world) == "pulled 0 stories, 1 read mark, 2 stars; pushed nothing"
    here = stories(world)
    assert here["Gulls count rises"]["read"] and here["Quay wall repaired"]["bookmarked"]
    assert not here["Harbour bonds rally"]["bookmarked"]

    # Conflicts: both read the same story (agree); read here, starred there (merge).
    run_reader(world.home, "mark-read", here["Fog warning lifted"]["id"])
    world.phone_mark("Fog warning lifted", "read", True)
    run_reader(world.home, "mark-read", here["Harbour bonds rally"]["id"])
    world.phone_mark("Harbour bonds rally", "starred", True)
    assert line(world) == "pulled 0 stories, 1 star; pushed 1 read mark"
    here = stories(world)
    assert here["Fog warning lifted"]["read"]
    assert here["Harbour bonds rally"]["read"] and here["Harbour bonds rally"]["bookmarked"]
    if world.live:
        unread, starred = world.server_unread_and_starred()
        assert not {"Fog warning lifted", "Harbour bonds rally"} & unread
        assert "Harbour bonds rally" in starred

    world.add_entry("harbour.xml", NEW_ENTRY)
    assert line(world) == "pulled 1 story; pushed nothing"
    assert NEW_ENTRY[1] in stories(world)

    world.phone_unsubscribe(f"{world.feed_base}/weather.xml")
    assert line(world) == "pulled 0 stories; pushed nothing; 1 feed gone from the server"
    feeds = json.loads(run_reader(world.home, "feed", "list", "--json").stdout)
    assert sorted(f["url"] for f in feeds) == [
        f"{world.feed_base}/harbour.xml",
        f"{world.feed_base}/markets.xml",
    ]
    assert len(stories(world)) == 10  # the feed's stories stay, as `feed remove` leaves them

    configure(world, "not-the-password")
    refused = sync(world)
    assert refused.returncode == 1
    assert refused.stderr.strip() == f"reader: sync: login refused by {world.host}"
    assert "not-the-password" not in refused.stdout + refused.stderr
    configure(world, world.password)
    assert line(world) == "pulled 0 stories; pushed nothing"

    # `feed add` and `feed remove` change the server's subscriptions too.
    extra = f"{world.feed_base}/extra.xml"
    world.serve_feed("extra.xml", "Extra", [("extra", "Extra story")])
    added = run_reader(world.home, "feed", "add", extra, "--tag", "Extra")
    assert added.returncode == 0, added.stderr
    assert (added.stdout.strip(), added.stderr) == (
        f"subscribed to Extra ({extra}): 1 story",
        "",
    )
    if world.live:
        assert extra in world.server_feeds()
    assert line(world) == "pulled 0 stories; pushed nothing"  # the server's entry is that story
    removed = run_reader(world.home, "feed", "remove", extra)
    assert removed.returncode == 0, removed.stderr
    if world.live:
        assert extra not in world.server_feeds()
    assert line(world) == "pulled 0 stories; pushed nothing"
    assert "Extra story" in stories(world)
