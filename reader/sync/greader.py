"""The Google Reader API (FreshRSS, Miniflux, Inoreader, The Old Reader, BazQux).

ClientLogin gives a session (``Authorization: GoogleLogin auth=…``); writes also
carry an edit token (``T``). An expired session or token is renewed once per sync,
then the sync fails. Entries come from ``stream/contents`` of the reading list, a
page at a time with ``continuation``; the marks from ``stream/items/ids``: unread as
the reading list *excluding* read (``xt=``; FreshRSS answers ``s=…/read`` with
unread entries too), starred as the starred stream. Entry ids come in a long form
(``tag:google.com,2005:reader/item/`` and 16 hex digits) and a short one (decimal,
signed on some servers); both become the unsigned decimal here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any

from reader.sync.config import SyncSettings
from reader.sync.errors import LoginRefused, NotAnApi, PagingRunaway, ServerFailed
from reader.sync.http import HttpClient, Pairs, Response, json_answer
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

API = "/reader/api/0"
READING_LIST = "user/-/state/com.google/reading-list"
READ = "user/-/state/com.google/read"
STARRED = "user/-/state/com.google/starred"
LABEL = "user/-/label/"
PAGE = 1000
"""Entries asked for a page (Google's own limit; servers may send fewer)."""
ID_PAGE = 10_000
MAX_ID_PAGES = 100
"""At most a million ids of each mark: past that the server's paging is broken."""
WRITE_BATCH = 250
"""Entries named in one ``edit-tag`` or ``stream/items/contents`` request."""
_LONG_ID = re.compile(r"^tag:google\.com,2005:reader/item/([0-9a-fA-F]{1,16})$")
_STATE = re.compile(r"^user/[^/]*/state/com\.google/(read|starred)$")
_LABEL = re.compile(r"^user/[^/]*/label/(.+)$")
_MASK = (1 << 64) - 1


def entry_id(value: object) -> str | None:
    """An entry id in either form as the unsigned decimal; None if it is neither."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value & _MASK)
    if not isinstance(value, str):
        return None
    long = _LONG_ID.match(value)
    if long:
        return str(int(long.group(1), 16))
    if re.fullmatch(r"-?[0-9]{1,20}", value):
        return str(int(value) & _MASK)
    return None


class GReaderClient:
    """A Google Reader API account: ``settings.url`` is the API's base
    (FreshRSS: ``https://host/api/greader.php``)."""

    can_edit_subscriptions = True

    def __init__(self, settings: SyncSettings, http: HttpClient | None = None) -> None:
        self.settings = settings
        self.http = http or HttpClient(settings.url)
        self.host = self.http.host
        self._auth: str | None = None
        self._token: str | None = None
        self._renewed = False

    @property
    def requests(self) -> int:
        return self.http.requests

    def close(self) -> None:
        self.http.close()

    # -- the session ---------------------------------------------------------------------

    def login(self) -> None:
        """ClientLogin with the user and password: ``LoginRefused`` when they are wrong."""
        answer = self.http.post(
            "/accounts/ClientLogin",
            [("Email", self.settings.user), ("Passwd", self.settings.password())],
        )
        if answer.status in (401, 403):
            raise LoginRefused(self.host)
        if answer.status >= 500:
            raise ServerFailed(f"sync: {self.host} answered HTTP {answer.status} to the login")
        auth = None
        if answer.status == 200:
            for line in answer.text().splitlines():
                name, _, value = line.partition("=")
                if name.strip() == "Auth" and value.strip():
                    auth = value.strip()
        if auth is None or not auth.isprintable() or len(auth) > 4096:
            raise NotAnApi(
                f"sync: {self.settings.url} is not a Google Reader API (its ClientLogin "
                f"answered HTTP {answer.status}); FreshRSS's is at …/api/greader.php"
            )
        self._auth = auth
        self._token = None

    def _headers(self) -> dict[str, str]:
        if self._auth is None:
            self.login()
        return {"Authorization": f"GoogleLogin auth={self._auth}"}

    def _renew(self, why: str) -> None:
        """Log in again, once per sync; the second time the session is refused, fail."""
        if self._renewed:
            raise LoginRefused(self.host, f" ({why}, and again after a new login)")
        self._renewed = True
        self.login()

    def _send(self, method: str, path: str, pairs: Pairs, token: bool = False) -> Response:
        """One API call with the session (and for a write, the edit token); a session or
        token the server refuses is renewed once, then the call is made again."""
        for attempt in (1, 2):
            sent = [*pairs, ("T", self._edit_token())] if token else list(pairs)
            if method == "GET":
                answer = self.http.get(API + path, sent, headers=self._headers())
            else:
                answer = self.http.post(API + path, sent, headers=self._headers())
            bad_token = answer.headers.get("x-reader-google-bad-token", "").lower() == "true"
            if not (answer.status == 401 or bad_token):
                return answer
            why = "the edit token was refused" if token else "the session was refused"
            if attempt == 2:
                raise LoginRefused(self.host, f" ({why}, and again after a new login)")
            self._renew(why)
        raise AssertionError("unreachable")

    def _get(self, path: str, query: Pairs, what: str) -> dict[str, Any]:
        return self._json(self._send("GET", path, [*query, ("output", "json")]), what)

    def _edit_token(self) -> str:
        if self._token is None:
            answer = self._send("GET", "/token", ())
            self._check(answer, "the edit token")
            token = answer.text().strip()
            if not token or not token.isprintable() or len(token) > 1024:
                raise ServerFailed(f"sync: {self.host} sent no usable edit token")
            self._token = token
        return self._token

    def _post(self, path: str, form: Pairs, what: str) -> Response:
        """A write with the edit token."""
        answer = self._send("POST", path, form, token=True)
        self._check(answer, what)
        return answer

    def _check(self, answer: Response, what: str) -> None:
        if answer.status == 401:
            raise LoginRefused(self.host, " (the session was refused after a new login)")
        if answer.status == 404:
            raise NotAnApi(f"sync: {self.host} has no {what} (HTTP 404): not a Google Reader API?")
        if answer.status >= 400:
            raise ServerFailed(f"sync: {self.host} answered HTTP {answer.status} to {what}")

    def _json(self, answer: Response, what: str) -> dict[str, Any]:
        self._check(answer, what)
        data = json_answer(answer, self.host, what)
        if not isinstance(data, dict):
            raise ServerFailed(f"sync: {self.host} answered {what} with no JSON object")
        return data

    # -- reading -------------------------------------------------------------------------

    def subscriptions(self) -> list[Subscription]:
        data = self._get("/subscription/list", (), "the subscription list")
        found = []
        for raw in _objects(data.get("subscriptions")):
            sid, url = identifier(raw.get("id")), link(raw.get("url"))
            if sid is None:
                continue
            if url is None and sid.startswith("feed/"):
                url = link(sid[5:])  # some servers name the feed by its URL only
            if url is None:
                continue
            categories = _objects(raw.get("categories"))
            labels = [c.get("label") or _label(c.get("id")) for c in categories]
            found.append(
                Subscription(sid, url, text(raw.get("title")), link(raw.get("htmlUrl")),
                             folders(labels))
            )  # fmt: skip
        return found

    def pull(self, cursor: str | None, limit: int) -> Pull:
        """Entries crawled since ``cursor`` (microseconds), oldest first; with no cursor
        (a first sync), the newest ``limit`` entries."""
        since = int(cursor) if cursor and cursor.isdigit() else None
        query: list[tuple[str, str]] = [("n", str(min(PAGE, limit)))]
        if since is None:
            query.append(("r", "n"))
        else:
            # ``ot`` is in whole seconds: from the second after the newest entry seen. A
            # server that commits a refresh's entries at once (FreshRSS) gives them one
            # second, so asking for that second again would fetch them all again; an
            # unread entry that came later in the same second is fetched by id (the
            # engine fetches every unread entry it has not seen).
            query += [("r", "o"), ("ot", str(since // 1_000_000 + 1))]
        result = Pull(cursor=cursor)
        newest = since or 0
        for items in self._pages(f"/stream/contents/{READING_LIST}", query, "the reading list"):
            for raw in items:
                entry = _entry(raw)
                if entry is None or (since and entry.crawled_us and entry.crawled_us <= since):
                    continue  # one seen already (a server whose ``ot`` is not so exact)
                result.entries.append(entry)
                newest = max(newest, entry.crawled_us or 0)
            if len(result.entries) >= limit:
                result.complete = False
                break
        if newest:
            result.cursor = str(newest)
        return result

    def _pages(self, path: str, query: Pairs, what: str) -> Iterator[list[dict[str, Any]]]:
        """The ``items`` of each page of a stream, following ``continuation``."""
        seen: set[str] = set()
        continuation = ""
        for _ in range(MAX_ID_PAGES * 10):
            extra = [("c", continuation)] if continuation else []
            data = self._get(path, [*query, *extra], what)
            yield list(_objects(data.get("items")))
            continuation = _continuation(data, seen, self.host, what)
            if not continuation:
                return
        raise PagingRunaway(f"sync: {self.host} kept paging {what}; stopped")

    def _ids(self, stream: str, exclude: str | None, what: str) -> set[str]:
        """Every entry id in ``stream`` (less ``exclude``): the whole list, or an error."""
        query = [("s", stream), ("n", str(ID_PAGE))]
        if exclude:
            query.append(("xt", exclude))
        ids: set[str] = set()
        seen: set[str] = set()
        continuation = ""
        for _ in range(MAX_ID_PAGES):
            extra = [("c", continuation)] if continuation else []
            data = self._get("/stream/items/ids", [*query, *extra], what)
            refs = data.get("itemRefs")
            if refs is not None and not isinstance(refs, list):
                raise ServerFailed(f"sync: {self.host} answered {what} without a list of ids")
            for ref in _objects(refs):
                found = entry_id(ref.get("id"))
                if found is not None:
                    ids.add(found)
            continuation = _continuation(data, seen, self.host, what)
            if not continuation:
                return ids
        raise PagingRunaway(
            f"sync: {self.host} kept paging {what} past {MAX_ID_PAGES * ID_PAGE} ids; stopped"
        )

    def unread_ids(self) -> set[str]:
        return self._ids(f"{READING_LIST}", READ, "the unread entries")

    def starred_ids(self) -> set[str]:
        return self._ids(STARRED, None, "the starred entries")

    def entries(self, ids: Sequence[str]) -> list[Entry]:
        """The entries with these ids (those the server still has)."""
        found: list[Entry] = []
        for start in range(0, len(ids), WRITE_BATCH):
            chunk = ids[start : start + WRITE_BATCH]
            answer = self._send("POST", "/stream/items/contents", [("i", i) for i in chunk])
            data = self._json(answer, "entries by id")
            found += [e for e in map(_entry, _objects(data.get("items"))) if e is not None]
        return found

    # -- writing -------------------------------------------------------------------------

    def mark(
        self, ids: Sequence[str], *, read: bool | None = None, starred: bool | None = None
    ) -> None:
        """Set read and/or starred on these entries (``edit-tag``, a batch at a time)."""
        changes = [(READ, read), (STARRED, starred)]
        for tag, on in changes:
            if on is None:
                continue
            for start in range(0, len(ids), WRITE_BATCH):
                chunk = ids[start : start + WRITE_BATCH]
                form = [("i", i) for i in chunk] + [("a" if on else "r", tag)]
                self._post("/edit-tag", form, "a change of marks (edit-tag)")

    def subscribe(self, url: str, folder: str | None = None) -> Subscription | None:
        answer = self._post("/subscription/quickadd", [("quickadd", url)], "quickadd")
        data = json_answer(answer, self.host, "quickadd")
        stream = identifier(data.get("streamId")) if isinstance(data, dict) else None
        if stream is None:
            raise ServerFailed(f"sync: {self.host} did not subscribe to the feed")
        if folder:
            self._post(
                "/subscription/edit",
                [("ac", "edit"), ("s", stream), ("a", LABEL + folder)],
                "a subscription's folder",
            )
        return Subscription(stream, url, folders=(folder,) if folder else ())

    def unsubscribe(self, subscription_id: str) -> None:
        self._post(
            "/subscription/edit",
            [("ac", "unsubscribe"), ("s", subscription_id)],
            "an unsubscription",
        )


def _objects(value: object) -> Iterator[dict[str, Any]]:
    """The dicts in a list (anything else in it is skipped)."""
    if isinstance(value, list):
        yield from (item for item in value if isinstance(item, dict))


def _label(value: object) -> str | None:
    match = _LABEL.match(value) if isinstance(value, str) else None
    return match.group(1) if match else None


def _continuation(data: dict[str, Any], seen: set[str], host: str, what: str) -> str:
    """The next page's token; the same token twice means the paging would never end."""
    token = data.get("continuation")
    if not isinstance(token, str | int) or isinstance(token, bool) or token in ("", 0):
        return ""
    token = str(token)
    if token in seen or len(token) > 1000 or not token.isprintable():
        raise PagingRunaway(f"sync: {host} sent the same page of {what} twice; stopped")
    seen.add(token)
    return token


def _entry(raw: dict[str, Any]) -> Entry | None:
    """An item of ``stream/contents``; None when it has no id or no feed."""
    eid = entry_id(raw.get("id"))
    origin = raw.get("origin") if isinstance(raw.get("origin"), dict) else {}
    feed = identifier(origin.get("streamId")) if origin else None
    if eid is None or feed is None:
        return None
    url = None
    for key in ("canonical", "alternate"):
        for ref in _objects(raw.get(key)):
            url = url or link(ref.get("href"))
    body = ""
    for key in ("content", "summary"):
        part = raw.get(key)
        if isinstance(part, dict) and isinstance(part.get("content"), str):
            body = html(part["content"])
            break
    states = {m.group(1) for c in raw.get("categories") or [] if isinstance(c, str)
              for m in [_STATE.match(c)] if m}  # fmt: skip
    crawled = raw.get("timestampUsec")
    crawled_us = int(crawled) if isinstance(crawled, str) and crawled.isdigit() else None
    if crawled_us is None:
        msec = raw.get("crawlTimeMsec")
        crawled_us = int(msec) * 1000 if isinstance(msec, str) and msec.isdigit() else None
    return Entry(
        id=eid,
        feed_id=feed,
        title=text(raw.get("title")) or "",
        url=url,
        html=body,
        author=text(raw.get("author"), 200),
        published=epoch_iso(raw.get("published")),
        crawled_us=crawled_us,
        read="read" in states,
        starred="starred" in states,
    )
