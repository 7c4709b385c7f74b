"""Worker processes for CPU work (parsing pages and feeds) beside the storing process.

``worker_pool`` forks them from a process that runs one thread (a command such as
``reader ingest``): they start at once, with everything imported. From a process
with threads (the app, a refresh that fetches in threads) it starts them through
multiprocessing's fork server where there is one, safely: the helper processes start
with Python's safe path (never importing a ``reader/`` folder in the current
directory) and the resource tracker gets a usable stderr even inside the app. Every
worker ends as soon as the main process does, even one that was killed. Used by
``reader.ingest.pipeline`` and ``reader.feeds.refresh``.
"""

from __future__ import annotations

import importlib
import multiprocessing
import os
import select
import signal
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from multiprocessing.context import ForkServerContext


def default_workers() -> int:
    """Parsing processes for big batches: one per core, at most four."""
    return max(1, min(4, os.cpu_count() or 1))


def worker_pool(workers: int, preload: Sequence[str] = ()) -> ProcessPoolExecutor | None:
    """A pool of parsing processes (None when this system cannot start one), whose
    workers start with ``preload``'s modules imported.

    Forked from this process when it runs one thread, on Linux: the workers are up
    in milliseconds, where a fork server first starts a new interpreter and imports
    reader in it (a second of wall time on a loaded machine, before any page is
    parsed). Forking a process with threads is unsafe (a lock another thread held
    stays held in the child), so there ``forkserver``, where there is one: safe even
    when called from a thread. Its helper processes start with Python's safe path, so
    they import reader from where it is installed, never from a ``reader/`` folder in
    the current directory.
    """
    methods = multiprocessing.get_all_start_methods()
    if sys.platform.startswith("linux") and "fork" in methods and threading.active_count() == 1:
        for module in preload:
            importlib.import_module(module)
        try:
            return ProcessPoolExecutor(
                workers,
                mp_context=multiprocessing.get_context("fork"),
                initializer=_worker_start,
                initargs=(os.getpid(),),
            )
        except (OSError, ValueError):
            return None
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else None)
    if preload and isinstance(context, ForkServerContext):
        context.set_forkserver_preload(list(preload))
    try:
        with _safe_path():
            _start_helpers(isinstance(context, ForkServerContext))
        return ProcessPoolExecutor(
            workers, mp_context=context, initializer=_worker_start, initargs=(os.getpid(),)
        )
    except (OSError, ValueError):
        return None


@contextmanager
def _safe_path() -> Iterator[None]:
    """``PYTHONSAFEPATH=1`` while multiprocessing starts its helper processes.

    They run ``python -c``, which puts the current directory first on ``sys.path``,
    and the fork server imports the preloaded modules there: a ``reader/`` folder in
    the current directory would be imported (and its code run) instead of reader.
    """
    before = os.environ.get("PYTHONSAFEPATH")
    os.environ["PYTHONSAFEPATH"] = "1"
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("PYTHONSAFEPATH", None)
        else:
            os.environ["PYTHONSAFEPATH"] = before


def _worker_start(main_pid: int) -> None:
    """A worker process's start.

    Ctrl+C is the main process's to handle (it stops the pool), so workers don't
    each print a traceback. And a worker ends as soon as the main process does, even
    when that one was killed and could not stop the pool: no process outlives reader.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_with, args=(main_pid,), daemon=True).start()


def _exit_with(pid: int) -> None:
    """Wait for process ``pid`` to end, then end this process."""
    try:
        fd = os.pidfd_open(pid)
    except (AttributeError, OSError):  # no pidfd here: ask every half second
        while _alive(pid):
            time.sleep(0.5)
    else:
        select.select([fd], [], [])  # readable once the process has ended
    os._exit(1)  # noqa: SLF001 - the documented way for a child to end at once


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _start_helpers(forkserver: bool) -> None:
    """Start multiprocessing's resource tracker (and fork server) now, with a usable
    stderr and the caller's environment.

    The tracker inherits ``sys.stderr``'s file descriptor. Inside the app that is
    Textual's capture, whose ``fileno()`` is -1, and starting the tracker fails on it
    ("bad value(s) in fds_to_keep"); each starts once, so they start here with the
    process's real stderr.
    """
    from multiprocessing import forkserver as server
    from multiprocessing import resource_tracker

    try:
        usable = sys.stderr is not None and sys.stderr.fileno() >= 0
    except (AttributeError, OSError, ValueError):
        usable = True  # no fileno at all: the helpers do without
    captured = sys.stderr
    if not usable and sys.__stderr__ is not None:
        sys.stderr = sys.__stderr__
    try:
        resource_tracker.ensure_running()
        if forkserver:
            server.ensure_running()
    finally:
        sys.stderr = captured
