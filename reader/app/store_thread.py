"""One thread that owns one store connection.

SQLite connections belong to one thread, and the UI thread must never wait on a
query. The app and its widgets call ``await store.call(fn, ...)`` from async
workers: ``fn`` runs on this thread with the open ``Store`` as its first argument.
``call`` is typed with ``ParamSpec``, so each call's arguments are checked against
``fn``'s signature (``store.call(Store.set_read, story_id, True)``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Concatenate, ParamSpec, TypeVar

from reader.base.paths import Paths
from reader.store import READING_CACHE_MIB, Store

P = ParamSpec("P")
T = TypeVar("T")

log = logging.getLogger("reader.app")


class StoreThread:
    """Runs store calls, one at a time, on a dedicated thread with its own connection."""

    def __init__(
        self, paths: Paths, name: str = "store", cache_mib: int = READING_CACHE_MIB
    ) -> None:
        """A thread for ``paths``' store, its connection opened on first use with
        ``cache_mib`` of SQLite page cache a database (``Store``'s ``cache_mib``)."""
        self._paths = paths
        self.name = name
        self._cache_mib = cache_mib
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"reader-{name}")
        self._store: Store | None = None

    def _run(self, fn: Callable[[Store], T]) -> T:
        if self._store is None:
            self._store = Store(self._paths, cache_mib=self._cache_mib)
        return fn(self._store)

    def submit(
        self, fn: Callable[Concatenate[Store, P], T], /, *args: P.args, **kwargs: P.kwargs
    ) -> Future[T]:
        """Queue ``fn(store, *args, **kwargs)``; the future resolves with its result."""
        return self._executor.submit(self._run, lambda store: fn(store, *args, **kwargs))

    async def call(
        self, fn: Callable[Concatenate[Store, P], T], /, *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """Run ``fn(store, *args, **kwargs)`` on this thread and await the result."""
        return await asyncio.wrap_future(self.submit(fn, *args, **kwargs))

    def close(self) -> None:
        """Close the connection (on its own thread) and stop the thread."""

        def close() -> None:
            if self._store is not None:
                self._store.close()
                self._store = None

        try:
            self._executor.submit(close).result(timeout=5)
        except Exception as exc:  # closing must never stop the app from exiting
            log.warning("closing the %s connection: %r", self.name, exc)
        self._executor.shutdown(wait=False, cancel_futures=True)
