"""The Fever API (FreshRSS, Miniflux, tt-rss with its plugin, yarr, Coldsweat).

Every call is a POST to the one endpoint (``?api&items&since_id=…``) with the API
key, the MD5 of ``user:password``, in the form. Entries come 50 at a time, oldest
first, after ``since_id``; the marks as comma-separated lists of ids
(``unread_item_ids``, ``saved_item_ids``); a mark is one ``mark=item`` call per
entry. Fever cannot add or remove subscriptions, and says nothing of when an entry
was marked.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from reader.sync.config import SyncSettings
from reader.sync.errors import LoginRefused, NotAnApi, NotSupported, PagingRunaway, ServerFailed
from reader.sync.http import HttpClient, json_answer
from reader.sync.items import (
    Entry,
    Pull,
    Subscription,
    epoch_iso,
    folders,
    html,
    identifier,
    link,
    text,
)

PAGE = 50
"""What a Fever server sends a page (the API's own number)."""
MAX_PAGES = 10_000


class FeverClient:
    """A Fever API account: ``settings.url`` is the endpoint (FreshRSS:
    ``https://host/api/fever.php``; Coldsweat: ``https://host/fever``)."""

    can_edit_subscriptions = False

    def __init__(self, settings: SyncSettings, http: HttpClient | None = None) -> None:
        self.settings = settings
        self.http = http or HttpClient(settings.url)
        self.host = self.http.host
        self._key: str | None = None

    @property
    def requests(self) -> int:
        return self.http.requests

    def close(self) -> None:
        self.http.close()

    def _call(self, *command: tuple[str, str], form: Sequence[tuple[str, str]] = ()) -> Any:
        """One API call; the answer's JSON object, once its ``auth`` says the key is good."""
        if self._key is None:
            secret = f"{self.settings.user}:{self.settings.password()}"
            self._key = hashlib.md5(secret.encode("utf-8"), usedforsecurity=False).hexdigest()
        what = "&".join(name for name, _ in command) or "the login"
        answer = self.http.post("", [("api_key", self._key), *form], [("api", ""), *command])
        if answer.status in (401, 403):
            raise LoginRefused(self.host)
        if 400 <= answer.status < 500:
            raise NotAnApi(f"sync: {self.settings.url} is not a Fever API (HTTP {answer.status})")
        if answer.status >= 400:
            raise ServerFailed(f"sync: {self.host} answered HTTP {answer.status} to {what}")
        try:
            data = json_answer(answer, self.host, what)
        except ServerFailed:
            raise NotAnApi(
                f"sync: {self.settings.url} is not a Fever API (it answered with no JSON)"
            ) from None
        if not isinstance(data, dict) or "api_version" not in data:
            raise NotAnApi(f"sync: {self.settings.url} is not a Fever API (no api_version)")
        if data.get("auth") != 1:
            raise LoginRefused(self.host)
        return data

    def login(self) -> None:
        """Nothing to do: every call carries the key, and the first says if it is good."""

    def subscriptions(self) -> list[Subscription]:
        data = self._call(("groups", ""), ("feeds", ""))
        names = {
            identifier(g.get("id")): text(g.get("title"), 200) for g in _objects(data, "groups")
        }
        in_groups: dict[str, list[str]] = {}
        for pair in _objects(data, "feeds_groups"):
            group = names.get(identifier(pair.get("group_id")))
            for feed in _numbers(pair.get("feed_ids")):
                if group:
                    in_groups.setdefault(feed, []).append(group)
        found = []
        for raw in _objects(data, "feeds"):
            fid, url = identifier(raw.get("id")), link(raw.get("url"))
            if fid is None or url is None:
                continue
            found.append(
                Subscription(fid, url, text(raw.get("title")), link(raw.get("site_url")),
                             folders(in_groups.get(fid, ())))
            )  # fmt: skip
        return found

    def pull(self, cursor: str | None, limit: int) -> Pull:
        """Entries after ``cursor`` (the highest id seen), 50 a call, up to ``limit``."""
        since = int(cursor) if cursor and cursor.isdigit() else 0
        result = Pull(cursor=str(since))
        for _ in range(MAX_PAGES):
            data = self._call(("items", ""), ("since_id", str(since)))
            page = [e for e in map(_entry, _objects(data, "items")) if e is not None]
            if not page:
                return result
            top = max(int(e.id) for e in page)
            if top <= since:  # the server ignores since_id: it would never end
                raise PagingRunaway(f"sync: {self.host} sent the same page of entries twice")
            result.entries += [e for e in page if int(e.id) > since]
            since = top
            result.cursor = str(since)
            if len(result.entries) >= limit:
                result.complete = False
                return result
        raise PagingRunaway(f"sync: {self.host} kept paging entries; stopped")

    def _id_list(self, name: str) -> set[str]:
        data = self._call((name, ""))
        value = data.get(name)
        if not isinstance(value, str | int) or isinstance(value, bool):
            raise ServerFailed(f"sync: {self.host} answered {name} without a list of ids")
        return set(_numbers(value))

    def unread_ids(self) -> set[str]:
        return self._id_list("unread_item_ids")

    def starred_ids(self) -> set[str]:
        return self._id_list("saved_item_ids")

    def entries(self, ids: Sequence[str]) -> list[Entry]:
        found: list[Entry] = []
        for start in range(0, len(ids), PAGE):
            chunk = ",".join(ids[start : start + PAGE])
            data = self._call(("items", ""), ("with_ids", chunk))
            found += [e for e in map(_entry, _objects(data, "items")) if e is not None]
        return found

    def mark(
        self, ids: Sequence[str], *, read: bool | None = None, starred: bool | None = None
    ) -> None:
        """One ``mark`` call per entry and change (Fever takes one id at a time)."""
        changes = []
        if read is not None:
            changes.append("read" if read else "unread")
        if starred is not None:
            changes.append("saved" if starred else "unsaved")
        for change in changes:
            for eid in ids:
                self._call(form=[("mark", "item"), ("as", change), ("id", eid)])

    def subscribe(self, url: str, folder: str | None = None) -> Subscription | None:
        raise NotSupported(
            "sync: the Fever API cannot add subscriptions; add the feed on the server "
            "and the next sync brings it"
        )

    def unsubscribe(self, subscription_id: str) -> None:
        raise NotSupported(
            "sync: the Fever API cannot remove subscriptions; remove the feed on the server"
        )


def _objects(data: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = data.get(key)
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _numbers(value: object) -> list[str]:
    """The ids in a comma-separated list (or one number); anything else in it is skipped."""
    if isinstance(value, int) and not isinstance(value, bool):
        return [str(value)]
    if not isinstance(value, str):
        return []
    return [part for part in (p.strip() for p in value.split(",")) if part.isdigit()]


def _entry(raw: dict[str, Any]) -> Entry | None:
    eid, feed = raw.get("id"), raw.get("feed_id")
    if isinstance(eid, str) and eid.isdigit():
        eid = int(eid)
    if isinstance(feed, str) and feed.isdigit():
        feed = int(feed)
    if not isinstance(eid, int) or isinstance(eid, bool) or eid < 0 or not isinstance(feed, int):
        return None
    return Entry(
        id=str(eid),
        feed_id=str(feed),
        title=text(raw.get("title")) or "",
        url=link(raw.get("url")),
        html=html(raw.get("html")),
        author=text(raw.get("author"), 200),
        published=epoch_iso(raw.get("created_on_time")),
        read=bool(raw.get("is_read")) if raw.get("is_read") in (0, 1, True, False) else None,
        starred=bool(raw.get("is_saved")) if raw.get("is_saved") in (0, 1, True, False) else None,
    )
