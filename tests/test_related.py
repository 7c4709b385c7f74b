"""Related stories from the whole story (issue 12): ``Store.related`` and ``reader related``."""

from __future__ import annotations

import json
from pathlib import Path

from reader.ingest.pipeline import ingest_items
from reader.store import Store, story_id

from conftest import run_reader


def page(title: str, body: str, site: str = "Site") -> bytes:
    return f"Current:Home > News{title} -{site}\n{title}\nDate:2025-01-01\n{body}\n".encode()


STORIES = [
    ("bonds", "Harbour bonds sold", "The harbour authority sold bonds to pay for quay repairs."),
    ("quay", "Quay wall repairs begin", "Repairs to the harbour quay wall began, paid by bonds."),
    ("tolls", "Harbour tolls rise", "The harbour authority raises tolls for ships at the quay."),
    ("rowers", "Rowers win regatta", "The rowing club won the regatta on the river."),
    ("choir", "Choir sings at the fair", "A choir sang songs at the autumn fair."),
    ("cakes", "Bakers sell cakes", "Bakers sold cakes at the autumn fair in the square."),
    ("copy", "Harbor bonds are sold", "The harbour authority sold bonds to pay for quay repairs."),
]


def _fill(store: Store) -> None:
    ingest_items(store, [(source, page(title, body)) for source, title, body in STORIES])


def test_related_ranks_by_the_body_and_leaves_copies_out(store: Store) -> None:
    _fill(store)
    found = store.related(story_id("bonds"), limit=5)
    ids = [entry.id for entry in found]
    assert ids[:2] and set(ids[:2]) == {story_id("quay"), story_id("tolls")}
    assert story_id("copy") not in ids and story_id("bonds") not in ids
    assert [e.score for e in found] == sorted((e.score for e in found), reverse=True)
    assert store.related("000000000000") == []


def test_related_limit_and_a_story_with_nothing_in_common(store: Store) -> None:
    _fill(store)
    assert len(store.related(story_id("bonds"), limit=1)) == 1
    ingest_items(store, [("alone", page("Zzyzx", "Qwertyuiop asdfghjkl."))])
    assert store.related(story_id("alone")) == []


def test_cli_related(home: Path, tmp_path: Path) -> None:
    for source, title, body in STORIES:
        (tmp_path / f"{source}.txt").write_bytes(page(title, body))
    assert run_reader(home, "ingest", str(tmp_path)).returncode == 0
    sid = next(
        s["id"]
        for s in json.loads(run_reader(home, "list", "--json").stdout)
        if s["title"] == "Harbour bonds sold"
    )
    result = run_reader(home, "related", sid[:6], "--limit", "2", "--json")
    assert result.returncode == 0, result.stderr
    entries = json.loads(result.stdout)
    assert len(entries) == 2
    assert set(entries[0]) == {"id", "title", "site", "url", "score"}
    assert {e["title"] for e in entries} == {"Quay wall repairs begin", "Harbour tolls rise"}
    plain = run_reader(home, "related", sid)
    assert plain.returncode == 0 and "Quay wall repairs begin" in plain.stdout
    missing = run_reader(home, "related", "ffffffff")
    assert missing.returncode == 1 and missing.stderr.startswith("reader: ")
