"""Big ingests: pages parsed in worker processes, stored in batches.

A batch goes on past a bad page met in the middle of it (one failure naming the page,
the rest stored, in order), an unchanged page is told by its hash in the workers, and
a batch stops at a page that stops it with what came before stored.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from proc_helpers import children

from reader.base.errors import IngestAborted
from reader.ingest import pipeline
from reader.ingest.pipeline import ingest_items, iter_inputs
from reader.store import Store, StoryFilter

from conftest import run_reader

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from gen_pages import generate  # noqa: E402


def _pages(folder: Path, count: int) -> list[Path]:
    generate(folder, count)
    return sorted(folder.iterdir())


def test_a_bad_page_in_the_middle_of_a_pooled_batch_fails_alone(
    store: Store, tmp_path: Path
) -> None:
    pages = _pages(tmp_path / "pages", 300)
    binary, empty = pages[130], pages[211]
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    empty.write_bytes(b"")
    seen: list[tuple[str, str]] = []
    report = ingest_items(
        store,
        iter_inputs([str(tmp_path / "pages")]),
        on_failure=lambda source, reason: seen.append((source, reason)),
        batch_size=100,  # three batches: the pool starts at the first
        workers=2,
    )
    assert (
        seen
        == report.failures
        == [
            (str(binary), "binary file, not a text page"),
            (str(empty), "empty file"),
        ]
    )
    assert (report.ingested, report.failed) == (298, 2)
    assert store.count(StoryFilter()) == 298
    stored = {story.source for story in store.iter_stories(StoryFilter(), with_body=False)}
    assert stored == {str(p) for p in pages} - {str(binary), str(empty)}


def test_pages_ingested_again_are_unchanged_by_their_hash(store: Store, tmp_path: Path) -> None:
    pages = _pages(tmp_path / "pages", 250)
    first = ingest_items(store, iter_inputs([str(tmp_path / "pages")]), batch_size=100, workers=2)
    assert (first.ingested, first.unchanged) == (250, 0)
    changed = pages[7].read_text(encoding="utf-8").replace("\nView\n", "\nView\nA new start.\n")
    pages[7].write_text(changed, encoding="utf-8")
    again = ingest_items(store, iter_inputs([str(tmp_path / "pages")]), batch_size=100, workers=2)
    assert (again.ingested, again.updated, again.unchanged, again.failed) == (0, 1, 249, 0)
    (story,) = [
        s for s in store.iter_stories(StoryFilter(), with_body=True) if s.source == str(pages[7])
    ]
    assert story.body.startswith("A new start.")


def test_a_long_small_batch_goes_to_the_workers(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One batch whose pages would take long here goes to worker processes: a page
    that a worker process parses fails there as it would here."""
    _pages(tmp_path / "pages", 40)
    started: list[int] = []
    real = pipeline.worker_pool

    def pool(workers: int, preload: tuple[str, ...] = ()) -> object:
        started.append(workers)
        return real(workers, preload)

    monkeypatch.setattr(pipeline, "worker_pool", pool)
    monkeypatch.setattr(pipeline, "POOL_WORTH_S", 0.0)  # any parsing is worth the pool
    report = ingest_items(store, iter_inputs([str(tmp_path / "pages")]), workers=2)
    assert started == [2] and (report.ingested, report.failed) == (40, 0)
    assert store.count(StoryFilter()) == 40


def test_a_few_pages_are_parsed_here(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _pages(tmp_path / "pages", pipeline.MIN_POOL_PAGES - 1)
    monkeypatch.setattr(pipeline, "POOL_WORTH_S", 0.0)
    monkeypatch.setattr(pipeline, "worker_pool", lambda *a, **k: pytest.fail("a pool started"))
    report = ingest_items(store, iter_inputs([str(tmp_path / "pages")]), workers=2)
    assert report.ingested == pipeline.MIN_POOL_PAGES - 1


def test_a_stop_in_a_batch_keeps_the_pages_before_it(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pages = _pages(tmp_path / "pages", 30)
    real = pipeline.parse_item

    def buggy(raw: pipeline.RawPage) -> object:
        if raw.source == str(pages[12]):
            raise AttributeError("'NoneType' object has no attribute 'text'")
        return real(raw)

    monkeypatch.setattr(pipeline, "parse_item", buggy)  # in this process: one batch, few pages
    monkeypatch.setattr(pipeline, "POOL_WORTH_S", 1e9)
    with pytest.raises(IngestAborted) as stopped:
        ingest_items(store, iter_inputs([str(tmp_path / "pages")]), batch_size=5, workers=1)
    assert stopped.value.source == str(pages[12])
    assert stopped.value.reason.startswith("internal error (a bug in reader): AttributeError")
    assert store.count(StoryFilter()) == 12  # the twelve pages before it, nothing after


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_the_command_reports_bad_files_of_a_big_folder_and_exits_1(
    home: Path, tmp_path: Path
) -> None:
    pages = _pages(tmp_path / "pages", 1500)  # two batches: parsed in worker processes
    bad = pages[700]
    bad.unlink()
    os.mkfifo(bad)
    result = run_reader(home, "ingest", str(tmp_path / "pages"))
    assert result.returncode == 1
    assert result.stderr.splitlines() == [f"reader: {bad}: not a regular file"]
    assert "ingested 1499, updated 0, unchanged 0, failed 1" in result.stdout


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
def test_a_killed_worker_stops_the_ingest_with_one_line(home: Path, tmp_path: Path) -> None:
    import signal
    import subprocess
    import time

    from conftest import FIXTURES

    pages = tmp_path / "pages"
    pages.mkdir()
    page = (FIXTURES / "html" / "two-times.html").read_text()
    for n in range(400):
        (pages / f"page{n:03d}.html").write_text(page.replace("Council meets", f"Council {n}"))
    process = subprocess.Popen(
        [sys.executable, "-P", "-m", "reader", "--home", str(home), "ingest", str(pages)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline, workers = time.monotonic() + 60, []
        while not workers and time.monotonic() < deadline and process.poll() is None:
            workers = children(process.pid)
            time.sleep(0.05)
        assert workers, "the ingest never started its worker processes"
        os.kill(workers[0], signal.SIGKILL)  # as the OOM killer would
        out, err = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 1
    (line,) = err.strip().splitlines()
    assert line.startswith(f"reader: {pages}/page") and line.endswith(
        ": a worker process parsing from this page on ended abruptly"
    )
    assert "; stopped" in out
