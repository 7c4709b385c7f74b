"""What a sync server answers with, as plain types, and the checks every field passes.

Both APIs' clients turn a server's JSON into these; nothing else of the answer goes
on. A server is untrusted input like any feed: each string is checked for its type,
cut to a length and cleaned of control characters (titles, names and links here; an
entry's HTML later, on the path feed items take); a malformed entry is skipped, not
fatal.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from reader.base.clean import clean_line, clean_link

MAX_TITLE = 1000
MAX_URL = 4000
MAX_HTML = 2 * 1024 * 1024
"""An entry's HTML beyond this is cut: no article needs more."""
MAX_ID = 200


@dataclass(frozen=True)
class Subscription:
    """A feed the account follows on the server."""

    id: str
    """The server's id for it (greader ``feed/…``, fever a number)."""
    url: str
    """The feed's own address: the subscription's identity in reader."""
    title: str | None = None
    site_url: str | None = None
    folders: tuple[str, ...] = ()
    """Its folders (greader categories, fever groups): tags in reader."""


@dataclass(frozen=True)
class Entry:
    """One entry on the server, with its marks there."""

    id: str
    feed_id: str
    title: str
    url: str | None
    html: str
    author: str | None = None
    published: str | None = None
    """ISO 8601, UTC."""
    crawled_us: int | None = None
    """When the server took the entry in, in microseconds (greader only)."""
    read: bool | None = None
    starred: bool | None = None


@dataclass
class Pull:
    """New entries since a cursor, and the cursor to start from next time."""

    entries: list[Entry] = field(default_factory=list)
    cursor: str | None = None
    complete: bool = True
    """False when the pull stopped at ``max_items``: the next sync goes on."""


class Server(Protocol):
    """What the engine needs of a server; ``GReaderClient`` and ``FeverClient`` are two."""

    host: str
    can_edit_subscriptions: bool

    @property
    def requests(self) -> int:
        """How many requests this client has made."""
        ...

    def login(self) -> None: ...

    def subscriptions(self) -> list[Subscription]: ...

    def pull(self, cursor: str | None, limit: int) -> Pull: ...

    def unread_ids(self) -> set[str]: ...

    def starred_ids(self) -> set[str]: ...

    def entries(self, ids: Sequence[str]) -> list[Entry]: ...

    def mark(self, ids: Sequence[str], *, read: bool | None = None,
             starred: bool | None = None) -> None: ...  # fmt: skip

    def subscribe(self, url: str, folder: str | None = None) -> Subscription | None: ...

    def unsubscribe(self, subscription_id: str) -> None: ...

    def close(self) -> None: ...


def text(value: object, limit: int = MAX_TITLE) -> str | None:
    """A one-line string field, cleaned and cut; None for anything else or empty."""
    if not isinstance(value, str):
        return None
    cleaned = clean_line(value[: limit * 2])[:limit]
    return cleaned or None


def link(value: object) -> str | None:
    """An http(s) link field, cleaned; None for anything else (``javascript:``, files)."""
    if not isinstance(value, str):
        return None
    cleaned = clean_link(value[: MAX_URL * 2])[:MAX_URL]
    return cleaned if cleaned.lower().startswith(("http://", "https://")) else None


def html(value: object) -> str:
    """An entry's HTML, cut to ``MAX_HTML`` (cleaned later with every feed item)."""
    return value[:MAX_HTML] if isinstance(value, str) else ""


def identifier(value: object) -> str | None:
    """An id the server gave (a string or a number), as a short printable string."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and 0 < len(value) <= MAX_ID and value.isprintable():
        return value
    return None


def epoch_iso(seconds: object) -> str | None:
    """A Unix time (a number, or digits) as ISO 8601 in UTC; None if it is no such time."""
    if isinstance(seconds, str) and seconds.strip().isdigit():
        seconds = int(seconds)
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds <= 0:
        return None
    try:
        return datetime.fromtimestamp(seconds, UTC).isoformat()
    except (OverflowError, OSError, ValueError):
        return None


def folders(names: Iterable[object]) -> tuple[str, ...]:
    """Folder names, cleaned, without repeats."""
    return tuple(dict.fromkeys(n for n in (text(x, 200) for x in names) if n))
