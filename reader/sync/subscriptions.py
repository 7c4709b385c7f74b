"""``reader feed add`` and ``feed remove`` with sync set up: the server's subscriptions
change too (Google Reader's ``subscription/quickadd`` and ``subscription/edit``). The
Fever API has no call for either: ``FeverClient`` says so, and the feed stays local.
"""

from __future__ import annotations

from reader.store import Store
from reader.sync.config import SyncSettings
from reader.sync.engine import make_server, open_state
from reader.sync.items import Server
from reader.sync.state import FeedRecord


def subscribe(
    store: Store, settings: SyncSettings, url: str, folder: str | None, server: Server | None = None
) -> None:
    """Subscribe the account to ``url`` (in ``folder``); raises a ``SyncError`` if not."""
    server = server or make_server(settings)
    try:
        server.login()
        added = server.subscribe(url, folder)
    finally:
        server.close()
    if added is not None:
        with open_state(store, settings) as state, state.transaction():
            # subscribed here first: a later sync that finds it gone leaves it here
            state.set_feed(FeedRecord(added.id, url, added.folders, ours=False))


def unsubscribe(
    store: Store, settings: SyncSettings, url: str, server: Server | None = None
) -> bool:
    """Unsubscribe the account from ``url``; False when the server does not have it."""
    server = server or make_server(settings)
    try:
        if not server.can_edit_subscriptions:
            server.unsubscribe(url)  # Fever: raises the SyncError that says it cannot
        server.login()
        found = [sub for sub in server.subscriptions() if sub.url == url]
        for sub in found:
            server.unsubscribe(sub.id)
    finally:
        server.close()
    with open_state(store, settings) as state, state.transaction():
        for sub in found:
            state.drop_feed(sub.id)
    return bool(found)
