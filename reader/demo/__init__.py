"""The built-in demo stories, loaded on an empty home so a newcomer never meets an empty app."""

from __future__ import annotations

from collections.abc import Iterator
from importlib import resources

from reader.base.models import RawPage
from reader.ingest.pipeline import IngestReport, Item, ingest_items
from reader.store import Store

DEMO_SCHEME = "demo:"


def demo_items() -> Iterator[Item]:
    """The demo pages shipped inside the package, as ingest items."""
    pages = resources.files(__package__).joinpath("pages")
    for entry in sorted(pages.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".txt"):
            yield RawPage(DEMO_SCHEME + entry.name, entry.read_bytes())


def load_demo(store: Store) -> IngestReport:
    """Ingest the demo stories into ``store``."""
    return ingest_items(store, demo_items())


def load_demo_if_empty(store: Store) -> IngestReport | None:
    """Load the demo when the cache has no story and there is no bookmark."""
    if not store.is_empty():
        return None
    return load_demo(store)
