"""No control character from a page or a feed reaches standard output, standard error
or the clipboard (issue 10, defect 5): links are cleaned where stories are stored, and
everything the command line prints is cleaned as the app cleans what it shows."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from reader.app.app import ReaderApp
from reader.app.screens import ConfirmOpen
from reader.base.models import Headline, Page
from reader.base.paths import Paths
from reader.ingest.pipeline import ingest
from reader.store import Store
from reader.store.rows import prepare

from app_helpers import wait_ready
from conftest import FIXTURES, run_reader

FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
DIRT = "\x9b2J\u202e\x7f\x9d0;owned\x9c"
"""An 8-bit CSI, a bidi override, DEL and an 8-bit OSC: what a hostile link carried."""
RSS = (FIXTURES / "feeds" / "harbour.rss").read_bytes()
NIGHT_MARKET = "https://harbour.example/news/night-market"


def assert_clean(text: str) -> None:
    found = FORBIDDEN.search(text)
    assert found is None, f"{found.group()!r} in {text[max(0, found.start() - 40) :]!r}"


def outputs(home: Path, story_id: str) -> dict[str, str]:
    """Everything the story-printing commands write, stdout and stderr together."""
    commands = {
        "show": ["show", story_id],
        "show --json": ["show", story_id, "--json"],
        "list": ["list"],
        "list --json": ["list", "--json"],
        "search": ["search", "night"],
        "search --json": ["search", "night", "--json"],
        "export md": ["export", "--format", "md"],
        "export json": ["export", "--format", "json"],
        "export jsonl": ["export", "--format", "jsonl"],
        "bookmark": ["bookmark", story_id],
    }
    printed = {}
    for name, args in commands.items():
        result = run_reader(home, *args)
        assert result.returncode == 0, (name, result.stderr)
        printed[name] = result.stdout + result.stderr
    return printed


def test_feed_item_links_never_reach_the_terminal(home: Path, tmp_path: Path) -> None:
    feed = RSS.replace(
        b"<link>https://harbour.example/news/night-market</link>",
        f"<link>https://harbour.example/news/night{DIRT[:3]}-market{DIRT[3:]}</link>".encode(),
    )
    (tmp_path / "feed.rss").write_bytes(feed)
    added = run_reader(home, "feed", "add", str(tmp_path / "feed.rss"))
    assert added.returncode == 0, added.stderr
    stories = json.loads(run_reader(home, "list", "--json").stdout)
    night = next(s for s in stories if s["title"] == "Night market returns")
    assert night["url"] == NIGHT_MARKET
    printed = outputs(home, night["id"])
    for text in printed.values():
        assert_clean(text)
    assert NIGHT_MARKET in printed["show"]
    assert f"Source: <{NIGHT_MARKET}>" in printed["export md"]


def test_an_html_pages_links_are_cleaned_at_ingest(store: Store, tmp_path: Path) -> None:
    html = (FIXTURES / "html" / "seed-layout.html").read_text(encoding="utf-8")
    html = html.replace(
        'href="https://aspire.example/markets/harbour-city-bonds"',
        'href="https://aspire.example/markets/harbour-\x9b2J&#x202e;city-bonds\x7f"',
    ).replace(
        'href="/markets/quay-wall-collapse--what-we-know-so-far"',
        'href="/markets/quay-wall\x9d8;;x\x9c-collapse--what-we-know-so-far&#x2066;"',
    )
    (tmp_path / "page.html").write_text(html, encoding="utf-8")
    report = ingest(store, [str(tmp_path / "page.html")])
    assert report.failed == 0, report.failures
    (listed,) = store.list_stories()
    story = store.get(listed.id)
    assert story.canonical_url == "https://aspire.example/markets/harbour-city-bonds"
    assert story.url == story.canonical_url
    assert (
        story.related[1].url
        == "https://aspire.example/markets/quay-wall-collapse--what-we-know-so-far"
    )
    for headline in story.related + story.ranking + story.recommended:
        assert_clean(headline.url or "")


def test_every_link_of_a_page_is_cleaned_where_it_is_stored(store: Store) -> None:
    page = Page(
        title="Dirty links",
        body="Body.",
        url=f"https://example.org/a{DIRT}\n",
        canonical_url=f"\thttps://example.org/{DIRT}b",
        related=[Headline("One", f"https://example.org/{DIRT}c")],
    )
    store.save_pages([(f"https://example.org/source{DIRT}", "hash", page)])
    (listed,) = store.list_stories()
    story = store.get(listed.id)
    assert story.url == "https://example.org/a"
    assert story.canonical_url == "https://example.org/b"
    assert story.source == "https://example.org/source"
    assert story.related[0].url == "https://example.org/c"


def _dirty_row(paths: Paths) -> str:
    """A story stored before links were cleaned (prepare bypassed); returns its id."""
    page = Page(title="Night market returns", body="Stalls are back.", url=NIGHT_MARKET)
    row = prepare("https://harbour.example/old", "hash", page)._replace(
        url=f"https://harbour.example/news/night{DIRT}-market",
        title=f"Night market\x1b]0;owned\x07 returns{DIRT}",
        site="Harbour\u202e News",
        author=f"Ines\x7f Quay{DIRT}",
        body=f"Stalls are back.\x1b[2J\x9b31m{DIRT}",
        lists=json.dumps({"related": [[f"Fish\u202e quay{DIRT}", f"https://x.example/{DIRT}"]]}),
    )
    with Store(paths) as store:
        store.save_rows([row])
    return row.id


def test_text_stored_unclean_is_cleaned_on_output(home: Path, paths: Paths) -> None:
    story_id = _dirty_row(paths)
    printed = outputs(home, story_id)
    for text in printed.values():
        assert_clean(text)
    assert "https://harbour.example/news/night-market" in printed["show"]
    assert "Night market returns" in printed["list"]
    shown = json.loads(printed["show --json"])
    assert shown["url"] == "https://harbour.example/news/night-market"
    assert shown["related"][0]["url"] == "https://x.example/"


def test_error_messages_are_cleaned(home: Path, tmp_path: Path) -> None:
    bad = tmp_path / "evil\x1b]0;owned\x07\u202ename.html"
    bad.write_bytes(b"")
    result = run_reader(home, "ingest", str(bad))
    assert result.returncode == 1
    assert_clean(result.stdout + result.stderr)
    assert "evilname.html" in result.stderr


@pytest.mark.parametrize("key", ["y", "o"])
async def test_the_app_copies_and_opens_the_cleaned_link(
    paths: Paths, key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _dirty_row(paths)
    app = ReaderApp(paths)
    copied: list[str] = []
    monkeypatch.setattr(app, "copy_to_clipboard", copied.append)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_ready(pilot)
        await pilot.press(key)
        if key == "y":
            assert copied == ["https://harbour.example/news/night-market"]
        else:
            assert isinstance(app.screen, ConfirmOpen)
            assert app.screen.url == "https://harbour.example/news/night-market"
