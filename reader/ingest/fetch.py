"""Fetch pages and feeds over HTTP(S): timeouts, size caps, a redirect cap, compression.

urllib3 does the protocol work (connection pools, redirects, gzip/deflate/brotli);
this module adds the limits and turns every failure into a one-line reason such as
``HTTP 404``, ``timed out after 15 s`` or ``not an HTML page: image/png``.

urllib3 rather than httpx: trafilatura needs it anyway, it imports in a third of
the time, and it reads a response with a fraction of the CPU (its parsing is
http.client's, not a pure-Python state machine), which a refresh of hundreds of
feeds on two cores notices.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from reader import __version__

CONNECT_TIMEOUT_S = 10.0
TOTAL_TIMEOUT_S = 15.0
MAX_BYTES = 10 * 1024 * 1024
MAX_REDIRECTS = 10
USER_AGENT = f"reader/{__version__} (terminal news reader)"
HTML_TYPES = ("text/html", "application/xhtml+xml", "multipart/related", "message/rfc822")
CHUNK = 1 << 16


class FetchError(Exception):
    """A URL could not be fetched; the message is the reason, for one line of output."""


@dataclass
class Fetched:
    """A fetched page: the URL it finally came from, its bytes and declared charset."""

    url: str
    data: bytes
    content_type: str
    charset: str | None


def client(connections: int = 8) -> Any:
    """A connection pool (``urllib3.PoolManager``) with our headers; thread-safe."""
    import urllib3

    headers = urllib3.util.make_headers(accept_encoding=True)
    headers["User-Agent"] = USER_AGENT
    try:  # the same certificates as browsers ship, where the system has none
        import certifi

        ca_certs: str | None = certifi.where()
    except ImportError:
        ca_certs = None
    return urllib3.PoolManager(
        num_pools=connections * 4,
        maxsize=connections,
        headers=headers,
        ca_certs=ca_certs,
        retries=urllib3.Retry(
            total=None, connect=0, read=0, status=0, other=0, redirect=MAX_REDIRECTS
        ),
    )


_shared: Any = None
_shared_lock = threading.Lock()


def _page_client() -> Any:
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = client()
        return _shared


@contextmanager
def _get(pool: Any, url: str, headers: dict[str, str], total_timeout: float) -> Iterator[Any]:
    """A streaming GET; every failure becomes a ``FetchError`` with its reason."""
    import urllib3

    timeout = urllib3.Timeout(connect=min(CONNECT_TIMEOUT_S, total_timeout), read=total_timeout)
    try:
        response = pool.request("GET", url, headers=headers, timeout=timeout, preload_content=False)
    except Exception as exc:
        raise FetchError(_reason(exc, total_timeout)) from None
    try:
        yield response
    except FetchError:
        raise
    except Exception as exc:
        raise FetchError(_reason(exc, total_timeout)) from None
    finally:
        response.release_conn()


def _read(response: Any, max_bytes: int, deadline: float, total_timeout: float, what: str) -> bytes:
    """The body, decompressed, within the size cap and the deadline."""
    declared = response.headers.get("content-length")
    encoded = response.headers.get("content-encoding")
    if declared and declared.isdigit() and int(declared) > max_bytes and not encoded:
        raise FetchError(_too_large(max_bytes, what))
    chunks: list[bytes] = []
    size = 0
    for chunk in response.stream(CHUNK):
        size += len(chunk)
        if size > max_bytes:
            raise FetchError(_too_large(max_bytes, what))
        if time.monotonic() > deadline:
            raise FetchError(f"timed out after {total_timeout:g} s")
        chunks.append(chunk)
    return b"".join(chunks)


def fetch(url: str, *, total_timeout: float | None = None, max_bytes: int | None = None) -> Fetched:
    """GET ``url`` within the limits; raise ``FetchError`` with the reason otherwise."""
    total_timeout = TOTAL_TIMEOUT_S if total_timeout is None else total_timeout
    max_bytes = MAX_BYTES if max_bytes is None else max_bytes
    deadline = time.monotonic() + total_timeout
    headers = {"Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"}
    with _get(_page_client(), url, headers, total_timeout) as response:
        if response.status >= 400:
            raise FetchError(f"HTTP {response.status}")
        content_type = response.headers.get("content-type", "")
        mime = content_type.split(";")[0].strip().lower()
        if mime and mime not in HTML_TYPES:
            raise FetchError(f"not an HTML page: {mime}")
        data = _read(response, max_bytes, deadline, total_timeout, "page")
        return Fetched(_final_url(response, url), data, mime, _charset(content_type))


def _final_url(response: Any, url: str) -> str:
    """The URL the response came from, after redirects."""
    from urllib.parse import urljoin

    for step in response.retries.history if response.retries else ():
        if step.redirect_location:
            url = urljoin(url, step.redirect_location)
    return url


def _charset(content_type: str) -> str | None:
    """The ``charset`` parameter of a Content-Type header."""
    for param in content_type.split(";")[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip(" \"'"):
            return value.strip(" \"'")
    return None


def _reason(exc: Exception, total_timeout: float) -> str:
    """One line saying why a request failed."""
    from urllib3 import exceptions as e

    if isinstance(exc, e.MaxRetryError) and exc.reason is not None:
        if isinstance(exc.reason, e.ResponseError):
            return f"too many redirects (more than {MAX_REDIRECTS})"
        return _reason(exc.reason, total_timeout)
    if isinstance(exc, e.TimeoutError):
        return f"timed out after {total_timeout:g} s"
    if isinstance(exc, (e.LocationValueError, e.URLSchemeUnknown)):
        return "not an http(s) URL"
    if isinstance(exc, e.DecodeError):
        return f"could not decode the response: {exc}"
    if isinstance(exc, e.NameResolutionError):
        return "host not found"
    if isinstance(exc, (e.HTTPError, OSError)):
        return _connection_reason(exc)
    raise exc


def _too_large(max_bytes: int, what: str = "page") -> str:
    return f"{what} too large (over {max_bytes // (1024 * 1024)} MB)"


def _connection_reason(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    for known, reason in (
        ("Name or service not known", "host not found"),
        ("nodename nor servname", "host not found"),
        ("Connection refused", "connection refused"),
    ):
        if known in text:
            return reason
    return f"could not connect: {text.splitlines()[0][:200]}"


MAX_FEED_BYTES = 20 * 1024 * 1024


@dataclass
class FetchedFeed:
    """A conditional GET of a feed: ``data`` is None when the server said 304."""

    url: str
    data: bytes | None
    etag: str | None
    last_modified: str | None


def fetch_feed(
    pool: Any, url: str, etag: str | None = None, last_modified: str | None = None
) -> FetchedFeed:
    """GET a feed with ``If-None-Match`` / ``If-Modified-Since``, within the limits.

    ``pool`` comes from ``client``, shared by the refresh (connection reuse).
    """
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    deadline = time.monotonic() + TOTAL_TIMEOUT_S
    with _get(pool, url, headers, TOTAL_TIMEOUT_S) as response:
        final = _final_url(response, url)
        if response.status == 304:
            return FetchedFeed(final, None, etag, last_modified)
        if response.status >= 400:
            raise FetchError(f"HTTP {response.status}")
        data = _read(response, MAX_FEED_BYTES, deadline, TOTAL_TIMEOUT_S, "feed")
        return FetchedFeed(
            final, data, response.headers.get("etag"), response.headers.get("last-modified")
        )
