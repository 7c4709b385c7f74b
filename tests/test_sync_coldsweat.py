"""Sync end to end against a real Fever server: Coldsweat, on 127.0.0.1, subscribed to
feeds served from 127.0.0.1. Skipped only when Coldsweat is not installed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from http_server import send, serve
from sync_servers import Coldsweat, coldsweat, rss, write_sync_config

from conftest import run_reader

HARBOUR = [("tide", "Tide gauge replaced"), ("ferry", "Night ferry returns"),
           ("quay", "Quay wall repaired"), ("gulls", "Gulls count rises")]  # fmt: skip
MARKETS = [("bonds", "Harbour bonds rally"), ("rye", "Rye loaf price steady")]


class World:
    """A Coldsweat server with two feeds (folders Local and Money), and a home set up
    to sync with it."""

    def __init__(self, server: Coldsweat, feeds: dict[str, Any], base: str, home: Path) -> None:
        self.server, self.feeds, self.base, self.home = server, feeds, base, home

    def sync(self, *args: str) -> Any:
        done = run_reader(self.home, "sync", *args)
        return done

    def stories(self) -> dict[str, dict[str, Any]]:
        """The home's stories by title."""
        listed = json.loads(run_reader(self.home, "list", "--json").stdout)
        return {story["title"]: story for story in listed}

    def item(self, title: str) -> int:
        """The server's id for the entry with this title."""
        return next(i["id"] for i in self.server.items() if i["title"] == title)

    def mark_on_server(self, title: str, mark_as: str) -> None:
        """What another device does: mark an entry read, unread, saved or unsaved."""
        self.server.call(mark="item", **{"as": mark_as}, id=str(self.item(title)))


@pytest.fixture
def world(tmp_path: Path, home: Path) -> Iterator[World]:
    with coldsweat(tmp_path / "coldsweat") as server:
        routes: dict[str, Any] = {}
        with serve(routes) as base:
            routes["/harbour.xml"] = send(
                200, rss("Harbour News", base, HARBOUR), "application/rss+xml"
            )
            routes["/markets.xml"] = send(200, rss("Markets", base, MARKETS), "application/rss+xml")
            server.subscribe(
                {
                    f"{base}/harbour.xml": ("Local", "Harbour News"),
                    f"{base}/markets.xml": ("Money", "Markets"),
                }
            )
            server.start()
            write_sync_config(
                home, service="fever", url=server.url, user=server.email,
                password_command=f"printf '%s\\n' {server.password}",
            )  # fmt: skip
            yield World(server, routes, base, home)


def test_first_sync_pulls_feeds_folders_stories_and_marks(world: World) -> None:
    world.mark_on_server("Night ferry returns", "read")
    world.mark_on_server("Harbour bonds rally", "saved")
    done = world.sync()
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "pulled 2 feeds, 6 stories, 1 read mark, 1 star; pushed nothing"
    assert done.stderr == ""  # the password comes from a command: no warning
    stories = world.stories()
    assert set(stories) == {title for _, title in HARBOUR + MARKETS}
    assert [t for t, s in stories.items() if s["read"]] == ["Night ferry returns"]
    assert [t for t, s in stories.items() if s["bookmarked"]] == ["Harbour bonds rally"]
    assert stories["Tide gauge replaced"]["url"] == f"{world.base}/tide.html"
    assert stories["Tide gauge replaced"]["site"] == "Harbour News"
    feeds = json.loads(run_reader(world.home, "feed", "list", "--json").stdout)
    assert sorted(f["url"] for f in feeds) == [
        f"{world.base}/harbour.xml",
        f"{world.base}/markets.xml",
    ]
    local = run_reader(world.home, "list", "--tag", "Local", "--json")
    assert len(json.loads(local.stdout)) == 4
    shown = json.loads(
        run_reader(world.home, "show", stories["Quay wall repaired"]["id"], "--json").stdout
    )
    assert shown["body"] == "About Quay wall repaired."
    # Nothing new: a second sync moves nothing.
    again = world.sync()
    assert again.stdout.strip() == "pulled 0 stories; pushed nothing"


def test_marks_made_here_are_pushed_once(world: World) -> None:
    assert world.sync().returncode == 0
    stories = world.stories()
    assert run_reader(world.home, "mark-read", stories["Tide gauge replaced"]["id"]).returncode == 0
    assert (
        run_reader(world.home, "bookmark", stories["Rye loaf price steady"]["id"]).returncode == 0
    )
    done = world.sync("--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert (report["read_pushed"], report["stars_pushed"]) == (1, 1)
    assert (report["read_pulled"], report["stars_pulled"], report["stories"]) == (0, 0, 0)
    assert world.item("Tide gauge replaced") not in world.server.ids("unread_item_ids")
    assert world.server.ids("saved_item_ids") == {world.item("Rye loaf price steady")}
    # Undone here: pushed as unread and unsaved.
    run_reader(world.home, "mark-unread", stories["Tide gauge replaced"]["id"])
    run_reader(world.home, "unbookmark", stories["Rye loaf price steady"]["id"])
    assert world.sync().stdout.strip() == "pulled 0 stories; pushed 1 read mark, 1 star"
    assert world.item("Tide gauge replaced") in world.server.ids("unread_item_ids")
    assert world.server.ids("saved_item_ids") == set()
    assert world.sync().stdout.strip() == "pulled 0 stories; pushed nothing"


def test_marks_made_on_the_server_are_pulled(world: World) -> None:
    assert world.sync().returncode == 0
    world.mark_on_server("Gulls count rises", "read")
    world.mark_on_server("Quay wall repaired", "saved")
    assert world.sync().stdout.strip() == "pulled 0 stories, 1 read mark, 1 star; pushed nothing"
    stories = world.stories()
    assert stories["Gulls count rises"]["read"] and stories["Quay wall repaired"]["bookmarked"]
    world.mark_on_server("Gulls count rises", "unread")
    world.mark_on_server("Quay wall repaired", "unsaved")
    assert world.sync().stdout.strip() == "pulled 0 stories, 1 read mark, 1 star; pushed nothing"
    stories = world.stories()
    assert not stories["Gulls count rises"]["read"]
    assert not stories["Quay wall repaired"]["bookmarked"]


def test_new_entries_arrive_on_the_next_sync(world: World) -> None:
    assert world.sync().returncode == 0
    world.feeds["/harbour.xml"] = send(
        200, rss("Harbour News", world.base, [*HARBOUR, ("crane", "New crane arrives")]),
        "application/rss+xml",
    )  # fmt: skip
    world.server.fetch()
    done = world.sync("--json")
    report = json.loads(done.stdout)
    assert (report["stories"], report["entries"]) == (1, 1)
    assert "New crane arrives" in world.stories()


def test_offline_marks_wait_for_the_server_and_go_once(world: World) -> None:
    assert world.sync().returncode == 0
    stories = world.stories()
    world.server.stop()
    run_reader(world.home, "mark-read", stories["Quay wall repaired"]["id"])
    run_reader(world.home, "bookmark", stories["Night ferry returns"]["id"])
    offline = world.sync()
    assert offline.returncode == 1
    assert offline.stdout == ""
    host = world.server.url.split("/")[2]
    assert offline.stderr.strip() == f"reader: sync: {host}: connection refused"
    # Marked while offline, and still here after the failed sync.
    assert world.stories()["Quay wall repaired"]["read"]
    world.server.start()
    assert world.sync().stdout.strip() == "pulled 0 stories; pushed 1 read mark, 1 star"
    assert world.item("Quay wall repaired") not in world.server.ids("unread_item_ids")
    assert world.server.ids("saved_item_ids") == {world.item("Night ferry returns")}
    assert world.sync().stdout.strip() == "pulled 0 stories; pushed nothing"


def test_conflicts_follow_the_readme_rule(world: World) -> None:
    """Per entry and mark: the side that changed since the last sync wins; both sides
    making the same change agree; different marks of one entry merge."""
    assert world.sync().returncode == 0
    stories = world.stories()
    ids = {title: story["id"] for title, story in stories.items()}
    # Both sides read the same story: no push, no pull.
    run_reader(world.home, "mark-read", ids["Tide gauge replaced"])
    world.mark_on_server("Tide gauge replaced", "read")
    # Read here, starred there: both marks hold on both sides.
    run_reader(world.home, "mark-read", ids["Harbour bonds rally"])
    world.mark_on_server("Harbour bonds rally", "saved")
    # Read here; there it was read and made unread again before this sync (changed and
    # changed back): unchanged there, so the change here wins.
    run_reader(world.home, "mark-read", ids["Gulls count rises"])
    world.mark_on_server("Gulls count rises", "read")
    world.mark_on_server("Gulls count rises", "unread")
    done = world.sync("--json")
    report = json.loads(done.stdout)
    assert (report["read_pushed"], report["stars_pushed"]) == (2, 0)
    assert (report["read_pulled"], report["stars_pulled"]) == (0, 1)
    unread = world.server.ids("unread_item_ids")
    for title in ("Tide gauge replaced", "Harbour bonds rally", "Gulls count rises"):
        assert world.item(title) not in unread
        assert world.stories()[title]["read"]
    assert world.stories()["Harbour bonds rally"]["bookmarked"]
    assert world.server.ids("saved_item_ids") == {world.item("Harbour bonds rally")}
    # Now unread there, bookmarked here: each side's one change goes to the other.
    world.mark_on_server("Tide gauge replaced", "unread")
    run_reader(world.home, "bookmark", ids["Tide gauge replaced"])
    assert world.sync().stdout.strip() == "pulled 0 stories, 1 read mark; pushed 1 star"
    tide = world.stories()["Tide gauge replaced"]
    assert (tide["read"], tide["bookmarked"]) == (False, True)
    assert world.item("Tide gauge replaced") in world.server.ids("unread_item_ids")


def test_a_story_already_read_here_stays_read_and_the_server_hears(
    world: World, home: Path
) -> None:
    """A feed followed here before sync was set up: its stories read here are the same
    stories (their link is their identity), and their marks go to the server."""
    run_reader(home, "feed", "add", f"{world.base}/markets.xml")
    listed = json.loads(run_reader(home, "list", "--json").stdout)
    rye = next(s["id"] for s in listed if s["title"] == "Rye loaf price steady")
    run_reader(home, "mark-read", rye)
    done = world.sync()
    assert done.stdout.strip() == "pulled 1 feed, 4 stories; pushed 1 read mark"
    assert world.item("Rye loaf price steady") not in world.server.ids("unread_item_ids")
    assert len(world.stories()) == 6


def test_wrong_password_is_one_line_and_never_shown(world: World) -> None:
    write_sync_config(
        world.home, service="fever", url=world.server.url, user=world.server.email,
        password="not-the-password-42",
    )  # fmt: skip
    done = world.sync("--json")
    host = world.server.url.split("/")[2]
    assert done.returncode == 1
    assert done.stderr.splitlines()[-1] == f"reader: sync: login refused by {host}"
    assert "password is written in" in done.stderr.splitlines()[0]
    assert "not-the-password-42" not in done.stdout + done.stderr
    for path in [*(world.home / "data").rglob("*"), *(world.home / "cache").rglob("*")]:
        if path.is_file():
            assert b"not-the-password-42" not in path.read_bytes(), path


def test_a_url_that_is_not_the_api_says_so(world: World) -> None:
    root = world.server.url.rsplit("/", 1)[0] + "/"
    write_sync_config(
        world.home, service="fever", url=root, user=world.server.email,
        password_command=f"printf '%s\\n' {world.server.password}",
    )  # fmt: skip
    done = world.sync()
    assert done.returncode == 1
    assert done.stderr.strip().startswith(f"reader: sync: {root.rstrip('/')} is not a Fever API")


def test_a_deleted_cache_gets_its_unread_and_starred_stories_back(world: World) -> None:
    world.mark_on_server("Gulls count rises", "read")
    assert world.sync().returncode == 0
    stories = world.stories()
    run_reader(world.home, "bookmark", stories["Quay wall repaired"]["id"])
    assert world.sync().stdout.strip() == "pulled 0 stories; pushed 1 star"
    (world.home / "cache" / "stories.sqlite3").unlink()
    done = world.sync("--json")
    assert done.returncode == 0, done.stderr
    back = world.stories()
    # Every unread and starred story is back; the one read on the server is not needed.
    assert set(back) == {title for _, title in HARBOUR + MARKETS} - {"Gulls count rises"}
    assert back["Quay wall repaired"]["bookmarked"]
    report = json.loads(done.stdout)
    assert (report["read_pushed"], report["stars_pushed"], report["stars_pulled"]) == (0, 0, 0)


def test_a_first_sync_of_many_entries_gets_every_unread_one(tmp_path: Path, home: Path) -> None:
    """Coldsweat pages ``since_id`` in its own order, not by id: a page's highest id does
    not mean every lower one came. Unread entries that paging missed are fetched by id."""
    with coldsweat(tmp_path / "coldsweat") as server:
        routes: dict[str, Any] = {}
        with serve(routes) as base:
            feeds = {}
            for n in range(3):
                items = [(f"f{n}-{i}", f"Feed {n} story {i}") for i in range(40)]
                routes[f"/f{n}.xml"] = send(
                    200, rss(f"Feed {n}", base, items), "application/rss+xml"
                )
                feeds[f"{base}/f{n}.xml"] = ("Group", f"Feed {n}")
            server.subscribe(feeds)
            server.start()
            write_sync_config(
                home, service="fever", url=server.url, user=server.email,
                password_command=f"printf '%s\\n' {server.password}",
            )  # fmt: skip
            done = run_reader(home, "sync")
            assert done.returncode == 0, done.stderr
            assert done.stdout.strip() == "pulled 3 feeds, 120 stories; pushed nothing"


def test_refresh_syncs_and_fetches_only_the_feeds_the_server_lacks(
    world: World, tmp_path: Path
) -> None:
    local = tmp_path / "local.rss"
    local.write_bytes(rss("Local File", "http://127.0.0.1:9", [("note", "A local note")]))
    assert run_reader(world.home, "feed", "add", str(local)).returncode == 0
    done = run_reader(world.home, "refresh")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "pulled 2 feeds, 6 stories; pushed nothing",
        "refreshed 1 feed: 0 new, 0 updated stories, 0 not modified, 0 failed",
    ]
    assert len(world.stories()) == 7
    world.server.stop()  # the server's feeds wait for it; the local one is still fetched
    offline = run_reader(world.home, "refresh", "--json")
    assert offline.returncode == 1
    report = json.loads(offline.stdout)
    host = world.server.url.split("/")[2]
    assert report["sync"] == {"error": f"sync: {host}: connection refused"}
    assert (report["feeds"], report["failures"]) == (1, [])


def test_feed_add_with_fever_says_the_server_cannot(world: World) -> None:
    assert world.sync().returncode == 0
    world.feeds["/extra.xml"] = send(200, rss("Extra", world.base, [("x", "Extra story")]),
                                     "application/rss+xml")  # fmt: skip
    done = run_reader(world.home, "feed", "add", f"{world.base}/extra.xml")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("subscribed to Extra")
    assert done.stderr.strip() == (
        "reader: sync: the Fever API cannot add subscriptions; add the feed on the server "
        "and the next sync brings it"
    )
    # It stays this machine's own feed: a sync leaves it, a refresh fetches it.
    assert world.sync().stdout.strip() == "pulled 0 stories; pushed nothing"
    feeds = json.loads(run_reader(world.home, "feed", "list", "--json").stdout)
    assert f"{world.base}/extra.xml" in {f["url"] for f in feeds}


async def test_r_in_the_app_syncs(world: World) -> None:
    from reader.app.app import ReaderApp
    from reader.base.paths import resolve_paths

    from app_helpers import stories as story_list
    from app_helpers import wait_for, wait_ready

    app = ReaderApp(resolve_paths(world.home))
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_ready(pilot)  # the demo stories of an empty home
        await pilot.press("r")
        await wait_for(pilot, lambda: not app.refreshing, timeout=30)
        await wait_for(pilot, lambda: story_list(app).count == 14 + 6, timeout=10)
        messages = [str(n.message) for n in app._notifications]
        assert "pulled 2 feeds, 6 stories; pushed nothing" in messages
        assert app.return_code is None
