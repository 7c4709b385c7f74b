"""reader's helper processes: what they import, and that they end with reader.

Parsing runs in worker processes, forked from a command that runs one thread and
started through multiprocessing's fork server from a process with threads. They must
import reader from where it is installed, never from a ``reader/`` folder in the
current directory (whose code would run), and none may outlive a reader that was
killed.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from http_server import send, serve
from proc_helpers import descendants

from conftest import FIXTURES, run_reader

READER = Path(sys.executable).parent / "reader"  # the console script a user runs
RSS = (FIXTURES / "feeds" / "harbour.rss").read_bytes()
TRAP = "open({marker!r}, 'w').write('ran')\nraise SystemExit('the wrong reader was imported')\n"


def _html_pages(folder: Path, count: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    page = (FIXTURES / "html" / "two-times.html").read_text()
    for n in range(count):
        (folder / f"page{n}.html").write_text(page.replace("Council meets", f"Council {n} meets"))
    return folder


@pytest.fixture
def trap_folder(tmp_path: Path) -> tuple[Path, Path]:
    """A current folder holding a ``reader/`` package that must never be imported."""
    folder, marker = tmp_path / "cwd", tmp_path / "trap-ran"
    (folder / "reader" / "feeds").mkdir(parents=True)
    for init in (folder / "reader" / "__init__.py", folder / "reader" / "feeds" / "__init__.py"):
        init.write_text(TRAP.format(marker=str(marker)))
    return folder, marker


@pytest.mark.skipif(not READER.exists(), reason="no console script next to this Python")
def test_workers_never_import_from_the_current_folder(
    home: Path, tmp_path: Path, trap_folder: tuple[Path, Path]
) -> None:
    cwd, marker = trap_folder
    pages = _html_pages(tmp_path / "pages", 9)  # eight HTML pages start worker processes
    env = {k: v for k, v in os.environ.items() if k != "READER_HOME"}
    ingest = subprocess.run(
        [str(READER), "--home", str(home), "ingest", str(pages)],
        cwd=cwd, capture_output=True, text=True, timeout=120, env=env,
    )  # fmt: skip
    assert ingest.returncode == 0, ingest.stderr
    assert "ingested 9" in ingest.stdout

    routes = {f"/{n}.xml": send(200, RSS.replace(b"harbour", b"h%d" % n)) for n in range(5)}
    with serve(routes) as base:  # reader refresh parses in threads: still nothing from cwd
        listing = "".join(f"{base}{path}\n" for path in routes)
        run_reader(home, "feed", "import", "/dev/stdin", input=listing)
        refresh = subprocess.run(
            [str(READER), "--home", str(home), "refresh"],
            cwd=cwd, capture_output=True, text=True, timeout=120, env=env,
        )  # fmt: skip
    assert refresh.returncode == 0, refresh.stderr
    assert "Traceback" not in refresh.stderr and "BrokenProcessPool" not in refresh.stderr
    assert not marker.exists(), "a reader/ folder in the current directory was imported"


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
def test_no_process_outlives_a_killed_reader(home: Path, tmp_path: Path) -> None:
    pages = _html_pages(tmp_path / "pages", 400)
    process = subprocess.Popen(
        [sys.executable, "-P", "-m", "reader", "--home", str(home), "ingest", str(pages)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    try:
        helpers: set[int] = set()
        deadline = time.monotonic() + 60
        # The workers, one a core (forked: reader ingest runs one thread), two at least.
        while len(helpers) < 2 and time.monotonic() < deadline:
            helpers = descendants(process.pid)
            time.sleep(0.05)
        assert len(helpers) >= 2, "the ingest never started its worker processes"
        process.send_signal(signal.SIGKILL)  # the main process only, as the OOM killer does
        process.wait(10)
        deadline = time.monotonic() + 10
        while any(_alive(pid) for pid in helpers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [pid for pid in helpers if _alive(pid)], "helpers outlived reader"
    finally:
        if process.poll() is None:
            process.kill()
        for pid in descendants(process.pid):
            os.kill(pid, signal.SIGKILL)


_POOLS = """
import os, threading
from reader.plumbing.workers import worker_pool

def parent_of_worker(found):
    pool = worker_pool(1)
    found.append(pool.submit(os.getppid).result() == os.getpid())
    pool.shutdown()

alone, threaded = [], []
parent_of_worker(alone)
helper = threading.Thread(target=parent_of_worker, args=(threaded,))
helper.start()
helper.join()
print(alone[0], threaded[0])
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forks on Linux only")
def test_workers_fork_from_one_thread_and_come_from_the_fork_server_beside_threads() -> None:
    """A command (one thread) forks its workers, which start at once; a process with
    threads has them forked by the fork server (forking it would be unsafe)."""
    ran = subprocess.run(
        [sys.executable, "-P", "-c", _POOLS], capture_output=True, text=True, timeout=120
    )
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.split() == ["True", "False"]
