"""The sync client's HTTP: GET and POST to the one server the user configured.

urllib3 with certifi's certificates (HTTPS is verified), a connect timeout, a total
deadline per request and a size cap on every answer. ``FetchPolicy`` (the same one
feeds use) checks the address: the server the user named may be on a private or
loopback address, and the connection goes to the address that was checked. Redirects
are not followed: a redirect is reported with where it leads, so the user can put
that address in ``[sync] url`` (a client that followed it would send the password on).

Nothing here logs or reports a request's form, headers or credentials: a message
names the server's host, the method and the path.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit

from reader import __version__
from reader.base.clean import clean_line, clean_link
from reader.base.errors import FetchError, FetchRefused
from reader.plumbing.fetch import FetchPolicy, NoAddressAnswered, connect
from reader.sync.errors import ServerFailed, SyncError, Unreachable

TOTAL_TIMEOUT_S = 60.0
"""A page of a thousand entries can take a while on a small server."""
MAX_BYTES = 64 * 1024 * 1024
"""The biggest answer read: a page of entries with their full text."""
CHUNK = 1 << 16
USER_AGENT = f"reader/{__version__} (terminal news reader; sync)"

log = logging.getLogger("reader.sync")

Pairs = Sequence[tuple[str, str]]


@dataclass(frozen=True)
class Response:
    """An answer: its status, a few headers (lower-case names) and its body."""

    status: int
    content_type: str
    headers: dict[str, str]
    body: bytes

    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class HttpClient:
    """Requests to the server at ``base_url``; counts them (``requests``) for the report."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = TOTAL_TIMEOUT_S,
        max_bytes: int = MAX_BYTES,
    ) -> None:
        import urllib3

        self.base_url = base_url.rstrip("/")
        self.host = urlsplit(self.base_url).netloc.rpartition("@")[2]
        self.policy = FetchPolicy.named_by_user(self.base_url)
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.requests = 0
        try:  # the same certificates as browsers ship, where the system has none
            import certifi

            ca_certs: str | None = certifi.where()
        except ImportError:
            ca_certs = None
        self._pool = urllib3.PoolManager(
            num_pools=4, maxsize=2, ca_certs=ca_certs, cert_reqs="CERT_REQUIRED", retries=False
        )

    def close(self) -> None:
        self._pool.clear()

    def url(self, path: str) -> str:
        """``path`` under the base URL (``path`` starts with ``/``)."""
        return self.base_url + path

    def get(self, path: str, query: Pairs = (), headers: dict[str, str] | None = None) -> Response:
        return self.request("GET", path, query=query, headers=headers)

    def post(
        self,
        path: str,
        form: Pairs,
        query: Pairs = (),
        headers: dict[str, str] | None = None,
    ) -> Response:
        return self.request("POST", path, query=query, form=form, headers=headers)

    def request(
        self,
        method: str,
        path: str,
        *,
        query: Pairs = (),
        form: Pairs | None = None,
        headers: dict[str, str] | None = None,
    ) -> Response:
        """One request; ``Unreachable`` or ``ServerFailed`` say in one line why it failed.

        Any status comes back (the API clients read 401 and 404 their own way) except a
        redirect, which is an error naming where it leads.
        """
        url = self.url(path) + (("&" if "?" in path else "?") + urlencode(query) if query else "")
        shown = f"{method} {clean_link(urlsplit(url).path)}"
        try:
            target = self.policy.check(url)
        except FetchRefused as exc:
            raise SyncError(f"sync: {self.host} {exc.reason}") from None
        except FetchError as exc:
            raise Unreachable(f"sync: {self.host}: {exc}") from None
        sent = {
            "User-Agent": USER_AGENT,
            "Accept-Encoding": "gzip, deflate",
            "Host": target.origin.host_header,
            **(headers or {}),
        }
        body: bytes | None = None
        if form is not None:
            body = urlencode(form).encode("ascii")
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.monotonic()
        deadline = started + self.timeout
        self.requests += 1
        response = self._open(method, target, sent, body, deadline)
        try:
            status = response.status
            if status in (301, 302, 303, 307, 308):
                where = clean_link(urljoin(url, response.headers.get("location", "")))[:200]
                raise ServerFailed(
                    f"sync: {self.host} redirects {shown} to {where}; "
                    "put the address it names in [sync] url"
                )
            data = self._read(response, deadline)
        finally:
            response.release_conn()
        log.debug("%s %s: %s in %.2f s", self.host, shown, status, time.monotonic() - started)
        wanted = ("location", "x-reader-google-bad-token", "www-authenticate")
        return Response(
            status,
            response.headers.get("content-type", "").split(";")[0].strip().lower(),
            {name: response.headers[name] for name in wanted if name in response.headers},
            data,
        )

    def _open(
        self, method: str, target: Any, headers: dict[str, str], body: bytes | None, deadline: float
    ) -> Any:
        """Connect to the checked addresses in turn (``plumbing.fetch.connect``)."""
        try:
            return connect(self._pool, target, method, headers, deadline, body)
        except NoAddressAnswered as exc:
            if exc.failure is None:
                raise Unreachable(f"sync: {self.host} timed out after {self.timeout:g} s") from None
            raise self._failure(exc.failure) from None
        except Exception as exc:
            raise self._failure(exc) from None

    def _read(self, response: Any, deadline: float) -> bytes:
        """The body, decompressed, within the size cap and the deadline."""
        declared = response.headers.get("content-length") or ""
        encoded = response.headers.get("content-encoding")
        if declared.isdigit() and int(declared) > self.max_bytes and not encoded:
            raise ServerFailed(self._too_large())
        chunks: list[bytes] = []
        size = 0
        try:
            for chunk in response.stream(CHUNK):
                size += len(chunk)
                if size > self.max_bytes:
                    raise ServerFailed(self._too_large())
                if time.monotonic() > deadline:
                    raise Unreachable(f"sync: {self.host} timed out after {self.timeout:g} s")
                chunks.append(chunk)
        except SyncError:
            raise
        except Exception as exc:
            raise self._failure(exc) from None
        return b"".join(chunks)

    def _too_large(self) -> str:
        return f"sync: {self.host} sent an answer over {self.max_bytes // (1024 * 1024)} MB"

    def _failure(self, exc: Exception) -> SyncError:
        """One line saying why a request failed."""
        from urllib3 import exceptions as e

        if isinstance(exc, e.MaxRetryError) and exc.reason is not None:
            return self._failure(exc.reason)
        if isinstance(exc, e.SSLError):
            return ServerFailed(
                f"sync: {self.host}: TLS failed ({clean_line(str(exc))[:160]}); "
                "its certificate must be valid for that name"
            )
        if isinstance(exc, e.NameResolutionError):
            return Unreachable(f"sync: {self.host}: host not found")
        if isinstance(exc, e.NewConnectionError):  # a ConnectTimeoutError to urllib3
            if "refused" in str(exc):
                return Unreachable(f"sync: {self.host}: connection refused")
            return Unreachable(f"sync: {self.host}: could not connect")
        if isinstance(exc, e.TimeoutError):
            return Unreachable(f"sync: {self.host} timed out after {self.timeout:g} s")
        if isinstance(exc, e.DecodeError):
            return ServerFailed(f"sync: {self.host} sent an answer that does not decode")
        text = str(exc)
        if "Connection refused" in text:
            return Unreachable(f"sync: {self.host}: connection refused")
        if isinstance(exc, (e.ProtocolError, e.NewConnectionError, ConnectionError)):
            return Unreachable(f"sync: {self.host}: could not connect ({type(exc).__name__})")
        if isinstance(exc, (e.HTTPError, OSError)):
            return ServerFailed(f"sync: {self.host}: {clean_line(text)[:200]}")
        raise exc


def json_answer(response: Response, host: str, what: str) -> Any:
    """The JSON of an answer; ``ServerFailed`` when it is not JSON."""
    import json

    try:
        return json.loads(response.body)
    except (ValueError, RecursionError):
        raise ServerFailed(f"sync: {host} answered {what} with no JSON") from None
