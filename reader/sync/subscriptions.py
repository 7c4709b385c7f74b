"""``reader feed add`` and ``feed remove``, and the feed list's add and remove, with
sync set up: the server's subscriptions change too (Google Reader's
``subscription/quickadd`` and ``subscription/edit``). The Fever API has no call for
either: ``FeverClient`` says so, and the feed stays local.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from reader.base.clean import clean_line
from reader.store import Store
from reader.sync.config import SyncSettings
from reader.sync.engine import make_server, open_state
from reader.sync.items import Server
from reader.sync.state import FeedRecord

_log = logging.getLogger(__name__)


@dataclass
class OnServer:
    """What following a subscription change on the sync server came to."""

    problem: str | None = None
    """Why the server's subscriptions could not follow (the feed changed here only)."""
    notes: list[str] = field(default_factory=list)
    """Lines worth telling: the ``[sync]`` table's warnings, a server that cannot
    (Fever keeps its feeds on the server's side: not a failure)."""


def follow_on_server(store: Store, url: str, tags: Sequence[str], add: bool) -> OnServer:
    """With ``[sync]`` set up, subscribe the server's account to ``url`` (in the folder
    of its first tag) or unsubscribe it; without it, nothing. A ``[sync]`` table that
    cannot be read raises its ``SyncError``."""
    from reader.sync.config import load_sync_settings
    from reader.sync.errors import NotSupported, SyncError

    settings = load_sync_settings(store.paths.config_file)
    if settings is None:
        return OnServer()
    done = OnServer(notes=[clean_line(warning) for warning in settings.warnings])
    try:
        if add:
            subscribe(store, settings, url, tags[0] if tags else None)
        else:
            unsubscribe(store, settings, url)
    except NotSupported as exc:
        _log.info("%s: %s", url, exc)
        done.notes.append(clean_line(str(exc)))
    except SyncError as exc:
        where = "subscribed" if add else "unsubscribed"
        done.problem = f"{clean_line(str(exc))}; the feed is {where} here only"
    return done


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
