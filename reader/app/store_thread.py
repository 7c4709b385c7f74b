"""One thread that owns the app's store connection.

SQLite connections belong to one thread, and the UI thread must never wait on a
query. Widgets call ``await store.call(fn, ...)`` from async workers: ``fn`` runs
on this thread with the open ``Store`` as its first argument.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from reader.base.paths import Paths
from reader.store import Store

T = TypeVar("T")


class StoreThread:
    """Runs store calls, one at a time, on a dedicated thread."""

    def __init__(self, paths: Paths) -> None:
        self._paths = paths
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="reader-store")
        self._store: Store | None = None

    def _run(self, fn: Callable[..., T], args: tuple[Any, ...]) -> T:
        if self._store is None:
            self._store = Store(self._paths)
        return fn(self._store, *args)

    def submit(self, fn: Callable[..., T], *args: Any) -> Future[T]:
        """Queue ``fn(store, *args)``; the future resolves with its result."""
        return self._executor.submit(self._run, fn, args)

    async def call(self, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn(store, *args)`` on the store thread and await the result."""
        return await asyncio.wrap_future(self.submit(fn, *args))

    def close(self) -> None:
        """Close the connection (on its own thread) and stop the thread."""

        def close() -> None:
            if self._store is not None:
                self._store.close()
                self._store = None

        try:
            self._executor.submit(close).result(timeout=5)
        except Exception:  # closing must never stop the app from exiting
            pass
        self._executor.shutdown(wait=False, cancel_futures=True)
