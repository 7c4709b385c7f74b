"""Fewer malloc arenas for a process whose threads hand big strings to each other.

glibc gives each thread that allocates its own arena (up to eight per core); the
feed documents a refresh's fetching threads read and parse are freed by the storing
thread into those arenas, which keep the memory. Two arenas held a cold refresh of
100,000 items at about 130 MiB instead of 160 (bench/bench_feeds.py).
"""

from __future__ import annotations

import ctypes
import logging

_log = logging.getLogger(__name__)

_M_ARENA_MAX = -8
"""``mallopt``'s parameter number for the arena limit (glibc's malloc.h)."""


def limit_arenas(count: int = 2) -> bool:
    """Let this process's malloc use at most ``count`` arenas; False where the C library
    is not glibc (nothing changes there)."""
    try:  # the process's own symbols: libc is loaded (find_library would run ldconfig)
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError, TypeError):  # not glibc, or no C library found
        _log.debug("mallopt is not available: malloc arenas left as they are")
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    return bool(mallopt(_M_ARENA_MAX, count))
