"""A page that cannot be extracted is a loud failure, never an empty story.

A missing extractor (trafilatura that fails to import, as it did in a fresh venv)
and a bug in reader stop the ingest with one line naming the page; an extractor
that fails on one page fails that page only. Nothing is stored for a failed page,
so ingesting it again retries instead of saying "unchanged".
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from reader.base.errors import IngestAborted
from reader.ingest import htmlpage
from reader.ingest.pipeline import ingest
from reader.store import Store, StoryFilter

from conftest import FIXTURES, run_reader

HTML = FIXTURES / "html"
BROKEN_TRAFILATURA = """raise ImportError(
    "lxml.html.clean module is now a separate project lxml_html_clean.\\n"
    "Install lxml[html-clean] or lxml_html_clean directly."
)
"""


def _bodies(home: Path) -> list[str]:
    listed = run_reader(home, "list", "--json")
    assert listed.returncode == 0, listed.stderr
    ids = [story["id"] for story in json.loads(listed.stdout)]
    return [json.loads(run_reader(home, "show", i, "--json").stdout)["body"] for i in ids]


def test_two_times_in_one_paragraph_keep_the_body(store: Store) -> None:
    report = ingest(store, [str(HTML / "two-times.html")])
    assert report.failed == 0 and report.ingested == 1
    (story,) = store.iter_stories(StoryFilter(), with_body=True)
    assert "The council met on 1 May and again on 8 May to discuss" in story.body
    assert "Members argued for hours" in story.body
    assert "10:00" not in story.body  # the dateline goes, the sentences stay


def test_extractor_that_cannot_import_is_one_line_and_exit_1(home: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken-site"
    (broken / "trafilatura").mkdir(parents=True)
    (broken / "trafilatura" / "__init__.py").write_text(BROKEN_TRAFILATURA)
    page = tmp_path / "page.html"
    shutil.copy(HTML / "extract-news.html", page)
    env = {**os.environ, "PYTHONPATH": str(broken)}

    failed = run_reader(home, "ingest", str(page), env=env)
    assert failed.returncode == 1
    lines = failed.stderr.strip().splitlines()
    assert len(lines) == 1, failed.stderr
    assert lines[0].startswith(f"reader: {page}: cannot extract the article: trafilatura failed")
    assert "lxml_html_clean" in lines[0]
    assert "Traceback" not in failed.stderr
    assert _bodies(home) == []  # nothing stored for it

    mended = run_reader(home, "ingest", str(page))  # the install is mended: it retries
    assert mended.returncode == 0, mended.stderr
    assert "ingested 1" in mended.stdout and "unchanged 0" in mended.stdout
    (body,) = _bodies(home)
    assert "The keepers' cottage at Gull Point" in body


def test_extractor_failing_on_one_page_fails_that_page(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import trafilatura

    real = trafilatura.bare_extraction

    def fussy(tree: object, **options: object) -> object:
        if "Gull Point" in tree.text_content():  # type: ignore[attr-defined]
            raise TypeError("unexpected node")
        return real(tree, **options)

    monkeypatch.setattr(trafilatura, "bare_extraction", fussy)
    bad, good = tmp_path / "bad.html", tmp_path / "good.html"
    shutil.copy(HTML / "extract-news.html", bad)
    shutil.copy(HTML / "two-times.html", good)
    report = ingest(store, [str(bad), str(good)])
    assert report.failures == [
        (str(bad), "cannot extract the article: trafilatura failed: TypeError: unexpected node")
    ]
    assert report.ingested == 1
    monkeypatch.setattr(trafilatura, "bare_extraction", real)
    again = ingest(store, [str(bad), str(good)])
    assert (again.ingested, again.unchanged, again.failed) == (1, 1, 0)


def test_a_bug_stops_the_ingest_and_keeps_what_was_stored(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pages = [tmp_path / f"{n}.html" for n in ("a", "b", "c")]
    for path in pages:
        shutil.copy(HTML / "two-times.html", path)
    pages[1].write_text(pages[1].read_text().replace("Council meets twice", "Trips a bug"))
    real = htmlpage._title_and_site

    def buggy(tree: object, title: str, site: str | None) -> tuple[str, str | None]:
        if "Trips a bug" in title:
            raise AttributeError("'NoneType' object has no attribute 'text'")
        return real(tree, title, site)  # type: ignore[arg-type]

    monkeypatch.setattr(htmlpage, "_title_and_site", buggy)
    with pytest.raises(IngestAborted) as stopped:
        ingest(store, [str(p) for p in pages])
    assert stopped.value.source == str(pages[1])
    assert stopped.value.reason.startswith("internal error (a bug in reader): AttributeError")
    assert store.count(StoryFilter()) == 1  # a.html, parsed before it, is stored


def _nested(levels: int) -> str:
    text = "<p>" + "The article text is here, and long enough to be an article. " * 8 + "</p>"
    return (
        f"<html><head><title>Deep page</title></head><body>{'<div>' * levels}{text}</body></html>"
    )


def test_a_page_nested_too_deeply_is_a_failure_not_an_empty_story(
    store: Store, tmp_path: Path
) -> None:
    deep, fine = tmp_path / "deep.html", tmp_path / "fine.html"
    deep.write_text(_nested(100_000))
    fine.write_text(_nested(200).replace("Deep page", "Nested page"))
    report = ingest(store, [str(deep), str(fine)])
    assert report.failures == [
        (str(deep), "the page nests its elements too deeply to read (over 256 levels)")
    ]
    (story,) = store.iter_stories(StoryFilter(), with_body=True)
    assert story.title == "Nested page" and "The article text is here" in story.body
