"""Fetch pages and feeds over HTTP(S): where a URL may go, timeouts, size caps, redirects.

urllib3 does the protocol work (connection pools, gzip/deflate/brotli); this module
decides where a fetch may connect, follows redirects itself so that every hop is
checked, adds the limits, and turns every failure into a one-line reason such as
``HTTP 404``, ``timed out after 15 s`` or ``not an HTML page: image/png``.

Where a fetch may go (``FetchPolicy``): only ``http(s)``; and a loopback, private,
link-local, unspecified, multicast or reserved address only on the origin (scheme,
host and port) of the URL the user named, typed or subscribed to. A feed at
``http://127.0.0.1:8080/`` may link to pages there, not to ``http://127.0.0.1:22/``.
The check is made on the address the host resolves to, and the connection goes to
that checked address (the Host header and TLS still name the host), so a name that
changes its answer between the check and the connection (DNS rebinding) gains
nothing. The named origin is trusted by name: whatever it resolves to is allowed.

urllib3 rather than httpx: trafilatura needs it anyway, it imports in a third of
the time, and it reads a response with a fraction of the CPU (its parsing is
http.client's, not a pure-Python state machine), which a refresh of hundreds of
feeds on two cores notices.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import socket
import stat
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from reader import __version__
from reader.base.errors import FetchError, FetchRefused

_log = logging.getLogger(__name__)

CONNECT_TIMEOUT_S = 10.0
TOTAL_TIMEOUT_S = 15.0
MAX_BYTES = 10 * 1024 * 1024
MAX_REDIRECTS = 10
USER_AGENT = f"reader/{__version__} (terminal news reader)"
HTML_TYPES = ("text/html", "application/xhtml+xml", "multipart/related", "message/rfc822")
CHUNK = 1 << 16
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_DEFAULT_PORTS = {"http": 80, "https": 443}
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


NOT_HTTP = "is not an http(s) URL"
PRIVATE = "is a private address and not the host you named"
NOT_REGULAR = "is not a regular file"


def is_public_address(address: str | ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Whether ``address`` is a public unicast one: not loopback, private, link-local,
    unspecified, multicast or reserved, nor an IPv6 form (mapped, 6to4, NAT64) of one."""
    ip = ipaddress.ip_address(address) if isinstance(address, str) else address
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            return is_public_address(embedded)
    return ip.is_global and not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_unspecified
        or ip.is_multicast
        or ip.is_reserved
    )


@dataclass(frozen=True)
class Origin:
    """A URL's scheme, host (lower case, IDNA-encoded) and port."""

    scheme: str
    host: str
    port: int

    @classmethod
    def of(cls, url: str) -> Origin:
        """The origin of an http(s) URL; ``FetchRefused`` for another scheme."""
        try:
            split = urlsplit(url.strip())
            port = split.port
        except ValueError:
            raise FetchError("not a valid URL") from None
        scheme = split.scheme.lower()
        if scheme not in _DEFAULT_PORTS:
            raise FetchRefused(url, NOT_HTTP)
        host = (split.hostname or "").rstrip(".")
        if not host:
            raise FetchError("not a valid URL: no host")
        try:
            host = host.encode("idna").decode("ascii") if not host.isascii() else host
        except UnicodeError:
            raise FetchError("not a valid URL: a host name that can't be encoded") from None
        return cls(scheme, host, port or _DEFAULT_PORTS[scheme])

    @property
    def host_header(self) -> str:
        """The ``Host`` header for this origin."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == _DEFAULT_PORTS[self.scheme] else f"{host}:{self.port}"


@dataclass(frozen=True)
class Target:
    """A URL checked against a policy: where to connect, and what to ask for."""

    url: str
    origin: Origin
    addresses: tuple[str, ...]
    path: str


@dataclass(frozen=True)
class FetchPolicy:
    """Where fetches made for one input may connect.

    ``named`` is the origin of the URL the user named (typed, or a feed they
    subscribed to); that origin may be on a private address. Every other URL,
    whatever announced it (a page, a feed, a redirect), must be http(s) and resolve
    to public addresses only. ``FetchPolicy()`` allows public addresses only.
    """

    named: Origin | None = None

    @classmethod
    def named_by_user(cls, url: str) -> FetchPolicy:
        """The policy for a URL the user named, and for what it links to or redirects to."""
        try:
            return cls(Origin.of(url))
        except FetchError:  # not a URL that can be fetched at all: nothing to trust
            return cls()

    def check(self, url: str) -> Target:
        """Resolve ``url``'s host and check every address; ``FetchRefused`` if not allowed."""
        origin = Origin.of(url)
        addresses = resolve(origin.host, origin.port)
        if origin != self.named and not all(is_public_address(a) for a in addresses):
            raise FetchRefused(url, PRIVATE)
        split = urlsplit(url.strip())
        path = (split.path or "/") + (f"?{split.query}" if split.query else "")
        return Target(url, origin, addresses, path)


PUBLIC_ONLY = FetchPolicy()


def resolve(host: str, port: int) -> tuple[str, ...]:
    """The addresses ``host`` resolves to (once: the connection uses these)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise FetchError("host not found") from None
    addresses = tuple(dict.fromkeys(str(info[4][0]) for info in infos))
    if not addresses:
        raise FetchError("host not found")
    return addresses


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
        retries=False,
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
def _get(
    pool: Any, url: str, headers: dict[str, str], total_timeout: float, policy: FetchPolicy
) -> Iterator[tuple[str, Any]]:
    """A streaming GET, redirects followed and each hop checked against ``policy``;
    yields the final URL and the response. Every failure is a ``FetchError``."""
    deadline = time.monotonic() + total_timeout
    for _ in range(MAX_REDIRECTS + 1):
        response = _open(pool, policy.check(url), headers, deadline, total_timeout)
        location = response.headers.get("location")
        if response.status not in REDIRECT_STATUSES or not location:
            break
        _discard(response)
        url = urljoin(url, location)
    else:  # the last redirect was discarded in the loop
        raise FetchError(f"too many redirects (more than {MAX_REDIRECTS})")
    try:
        yield url, response
    except FetchError:
        raise
    except Exception as exc:  # urllib3's and the socket's many errors: one line each
        _log.debug("%s: %r", url, exc)
        raise FetchError(_reason(exc, total_timeout)) from None
    finally:
        response.release_conn()


class NoAddressAnswered(Exception):
    """None of a target's checked addresses took a connection before the deadline.

    ``failure`` is the last connection's error, or None when time ran out first.
    """

    def __init__(self, failure: Exception | None) -> None:
        super().__init__(repr(failure))
        self.failure = failure


def connect(
    pool: Any,
    target: Target,
    method: str,
    headers: dict[str, str],
    deadline: float,
    body: bytes | None = None,
) -> Any:
    """``method`` on ``target``, connecting only to its checked addresses, the next one
    when a connection can't be made; TLS checks the certificate against the host's
    name. The response is not read. Raises ``NoAddressAnswered``; other urllib3 and
    socket errors go to the caller, which words them."""
    import urllib3
    from urllib3 import exceptions as e

    origin = target.origin
    tls = {"server_hostname": origin.host} if origin.scheme == "https" else None
    failure: Exception | None = None
    for address in target.addresses:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        timeout = urllib3.Timeout(connect=min(CONNECT_TIMEOUT_S, remaining), read=remaining)
        try:
            connections = pool.connection_from_host(
                address, origin.port, origin.scheme, pool_kwargs=tls
            )
            return connections.urlopen(
                method,
                target.path,
                body=body,
                headers=headers,
                retries=False,
                redirect=False,
                timeout=timeout,
                preload_content=False,
            )
        except (e.NewConnectionError, e.ConnectTimeoutError) as exc:
            failure = exc  # this address doesn't answer: try the host's next one
    raise NoAddressAnswered(failure)


def _open(
    pool: Any, target: Target, headers: dict[str, str], deadline: float, total_timeout: float
) -> Any:
    """One GET of ``target`` (see ``connect``), its failures worded as ``FetchError``."""
    sent = {**pool.headers, **headers, "Host": target.origin.host_header}
    try:
        return connect(pool, target, "GET", sent, deadline)
    except NoAddressAnswered as exc:
        if exc.failure is None:
            raise FetchError(f"timed out after {total_timeout:g} s") from None
        raise FetchError(_reason(exc.failure, total_timeout)) from None
    except Exception as exc:  # urllib3's and the socket's many errors: one line each
        _log.debug("%s: %r", target.origin.host, exc)
        raise FetchError(_reason(exc, total_timeout)) from None


def _discard(response: Any) -> None:
    """Done with a redirect: keep its connection when its body is small, else drop it."""
    declared = response.headers.get("content-length") or ""
    try:
        if declared.isdigit() and int(declared) <= CHUNK:
            response.drain_conn()
        else:
            response.close()
    except Exception as exc:  # a connection that failed is not reused either way
        _log.debug("dropping a connection after a redirect: %r", exc)
        response.close()
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


def fetch(
    url: str,
    *,
    policy: FetchPolicy = PUBLIC_ONLY,
    total_timeout: float | None = None,
    max_bytes: int | None = None,
) -> Fetched:
    """GET ``url`` where ``policy`` allows, within the limits; ``FetchError`` says why not.

    The default policy allows public addresses only: a URL the user named needs
    ``FetchPolicy.named_by_user(url)``.
    """
    total_timeout = TOTAL_TIMEOUT_S if total_timeout is None else total_timeout
    max_bytes = MAX_BYTES if max_bytes is None else max_bytes
    deadline = time.monotonic() + total_timeout
    headers = {"Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"}
    with _get(_page_client(), url, headers, total_timeout, policy) as (final, response):
        if response.status >= 400:
            raise FetchError(f"HTTP {response.status}")
        content_type = response.headers.get("content-type", "")
        mime = content_type.split(";")[0].strip().lower()
        if mime and mime not in HTML_TYPES:
            raise FetchError(f"not an HTML page: {mime}")
        data = _read(response, max_bytes, deadline, total_timeout, "page")
        return Fetched(final, data, mime, _charset(content_type))


def fetch_media(
    url: str,
    *,
    types: tuple[str, ...],
    max_bytes: int,
    policy: FetchPolicy = PUBLIC_ONLY,
    what: str = "file",
    accept: str | None = None,
) -> Fetched:
    """GET a non-page resource (a picture) whose type is one of ``types``, with the
    same address rules, redirects, timeouts and reasons as ``fetch``; the body is
    read only when its declared type is one of ``types`` and within ``max_bytes``.
    ``accept`` is the Accept header (``types`` by default)."""
    deadline = time.monotonic() + TOTAL_TIMEOUT_S
    headers = {"Accept": accept or ",".join(types)}
    with _get(_page_client(), url, headers, TOTAL_TIMEOUT_S, policy) as (final, response):
        if response.status >= 400:
            raise FetchError(f"HTTP {response.status}")
        content_type = response.headers.get("content-type", "")
        mime = content_type.split(";")[0].strip().lower()
        if mime not in types:
            raise FetchError(f"not a {what}: {mime or 'no content type'}")
        data = _read(response, max_bytes, deadline, TOTAL_TIMEOUT_S, what)
        return Fetched(final, data, mime, None)


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
    if isinstance(exc, e.NameResolutionError):
        return "host not found"
    if isinstance(exc, e.NewConnectionError):  # a ConnectTimeoutError to urllib3
        return _connection_reason(exc)
    if isinstance(exc, e.TimeoutError):
        return f"timed out after {total_timeout:g} s"
    if isinstance(exc, (e.LocationValueError, e.URLSchemeUnknown)):
        return "not an http(s) URL"
    if isinstance(exc, e.DecodeError):
        return f"could not decode the response: {exc}"
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


def read_regular_file(path: Path, max_bytes: int = MAX_FEED_BYTES, what: str = "feed") -> bytes:
    """The bytes of a local file the user named, if it is a regular file within the cap.

    A device, FIFO or directory is refused before it is opened, and again after (it
    may have been swapped); it is opened without blocking, so a FIFO cannot hang us.
    """
    name = str(path)
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            raise FetchRefused(name, NOT_REGULAR)
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise FetchError("no such file") from None
    except OSError as exc:
        raise FetchError(exc.strerror or str(exc)) from None
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise FetchRefused(name, NOT_REGULAR)
        try:
            data = handle.read(max_bytes + 1)
        except OSError as exc:
            raise FetchError(exc.strerror or str(exc)) from None
    if len(data) > max_bytes:
        raise FetchError(_too_large(max_bytes, what))
    return data


@dataclass
class FetchedFeed:
    """A conditional GET of a feed: ``data`` is None when the server said 304."""

    url: str
    data: bytes | None
    etag: str | None
    last_modified: str | None


def fetch_feed(
    pool: Any,
    url: str,
    etag: str | None = None,
    last_modified: str | None = None,
    *,
    policy: FetchPolicy = PUBLIC_ONLY,
) -> FetchedFeed:
    """GET a feed with ``If-None-Match`` / ``If-Modified-Since``, where ``policy``
    allows and within the limits.

    ``pool`` comes from ``client``, shared by the refresh (connection reuse).
    """
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    deadline = time.monotonic() + TOTAL_TIMEOUT_S
    with _get(pool, url, headers, TOTAL_TIMEOUT_S, policy) as (final, response):
        if response.status == 304:
            return FetchedFeed(final, None, etag, last_modified)
        if response.status >= 400:
            raise FetchError(f"HTTP {response.status}")
        data = _read(response, MAX_FEED_BYTES, deadline, TOTAL_TIMEOUT_S, "feed")
        return FetchedFeed(
            final, data, response.headers.get("etag"), response.headers.get("last-modified")
        )
