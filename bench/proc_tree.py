"""A process's children as Linux's /proc lists them, for the benchmarks that measure a
whole process tree (``bench_feeds.py``'s memory, ``bench_ingest.py``'s CPU)."""

from __future__ import annotations

import os
from pathlib import Path


def children(pid: int) -> list[int]:
    """``pid``'s children, from each of its threads' ``children`` file: the measured tree
    alone is read, not every process's ``stat``. Empty once ``pid`` has ended."""
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:  # ended meanwhile
        return []
    found: list[int] = []
    for task in tasks:
        try:
            found.extend(map(int, Path(f"/proc/{pid}/task/{task}/children").read_text().split()))
        except OSError:
            continue
    return found
