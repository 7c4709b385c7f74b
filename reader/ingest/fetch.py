"""Fetch a page over HTTP(S): timeouts, a size cap, a redirect cap, compression.

httpx does the protocol work (redirects, gzip/deflate/brotli); this module adds
the limits and turns every failure into a one-line reason such as ``HTTP 404``,
``timed out after 15 s`` or ``not an HTML page: image/png``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from reader import __version__

CONNECT_TIMEOUT_S = 10.0
TOTAL_TIMEOUT_S = 15.0
MAX_BYTES = 10 * 1024 * 1024
MAX_REDIRECTS = 10
USER_AGENT = f"reader/{__version__} (terminal news reader)"
HTML_TYPES = ("text/html", "application/xhtml+xml", "multipart/related", "message/rfc822")


class FetchError(Exception):
    """A URL could not be fetched; the message is the reason, for one line of output."""


@dataclass
class Fetched:
    """A fetched page: the URL it finally came from, its bytes and declared charset."""

    url: str
    data: bytes
    content_type: str
    charset: str | None


def fetch(url: str, *, total_timeout: float | None = None, max_bytes: int | None = None) -> Fetched:
    """GET ``url`` within the limits; raise ``FetchError`` with the reason otherwise."""
    import httpx

    total_timeout = TOTAL_TIMEOUT_S if total_timeout is None else total_timeout
    max_bytes = MAX_BYTES if max_bytes is None else max_bytes
    deadline = time.monotonic() + total_timeout
    timeout = httpx.Timeout(total_timeout, connect=min(CONNECT_TIMEOUT_S, total_timeout))
    headers = {
        "User-Agent": USER_AGENT,
        "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5",
    }
    try:
        with (
            httpx.Client(
                follow_redirects=True, max_redirects=MAX_REDIRECTS, timeout=timeout, headers=headers
            ) as client,
            client.stream("GET", url) as response,
        ):
            if response.status_code >= 400:
                raise FetchError(f"HTTP {response.status_code}")
            content_type = response.headers.get("content-type", "")
            mime = content_type.split(";")[0].strip().lower()
            if mime and mime not in HTML_TYPES:
                raise FetchError(f"not an HTML page: {mime}")
            declared = response.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise FetchError(_too_large(max_bytes))
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise FetchError(_too_large(max_bytes))
                if time.monotonic() > deadline:
                    raise FetchError(f"timed out after {total_timeout:g} s")
                chunks.append(chunk)
            return Fetched(str(response.url), b"".join(chunks), mime, response.charset_encoding)
    except FetchError:
        raise
    except Exception as exc:
        raise FetchError(_reason(exc, total_timeout)) from None


def _reason(exc: Exception, total_timeout: float) -> str:
    """One line saying why a request failed."""
    import httpx

    if isinstance(exc, httpx.TooManyRedirects):
        return f"too many redirects (more than {MAX_REDIRECTS})"
    if isinstance(exc, httpx.TimeoutException):
        return f"timed out after {total_timeout:g} s"
    if isinstance(exc, httpx.UnsupportedProtocol):
        return "not an http(s) URL"
    if isinstance(exc, httpx.DecodingError):
        return f"could not decode the response: {exc}"
    if isinstance(exc, (httpx.HTTPError, OSError)):
        return _connection_reason(exc)
    raise exc


def _too_large(max_bytes: int) -> str:
    return f"page too large (over {max_bytes // (1024 * 1024)} MB)"


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
    client: object, url: str, etag: str | None = None, last_modified: str | None = None
) -> FetchedFeed:
    """GET a feed with ``If-None-Match`` / ``If-Modified-Since``, within the limits.

    ``client`` is an ``httpx.Client`` shared by the refresh (connection reuse).
    """
    import httpx

    assert isinstance(client, httpx.Client)
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    deadline = time.monotonic() + TOTAL_TIMEOUT_S
    try:
        with client.stream("GET", url, headers=headers) as response:
            if response.status_code == 304:
                return FetchedFeed(str(response.url), None, etag, last_modified)
            if response.status_code >= 400:
                raise FetchError(f"HTTP {response.status_code}")
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > MAX_FEED_BYTES:
                    raise FetchError(_too_large(MAX_FEED_BYTES).replace("page", "feed"))
                if time.monotonic() > deadline:
                    raise FetchError(f"timed out after {TOTAL_TIMEOUT_S:g} s")
                chunks.append(chunk)
            return FetchedFeed(
                str(response.url),
                b"".join(chunks),
                response.headers.get("etag"),
                response.headers.get("last-modified"),
            )
    except FetchError:
        raise
    except Exception as exc:
        raise FetchError(_reason(exc, TOTAL_TIMEOUT_S)) from None


def feed_client(threads: int) -> object:
    """An ``httpx.Client`` for refreshing feeds: shared connections, the usual limits."""
    import httpx

    return httpx.Client(
        follow_redirects=True,
        max_redirects=MAX_REDIRECTS,
        timeout=httpx.Timeout(TOTAL_TIMEOUT_S, connect=CONNECT_TIMEOUT_S),
        headers={"User-Agent": USER_AGENT},
        limits=httpx.Limits(max_connections=threads, max_keepalive_connections=threads),
    )
