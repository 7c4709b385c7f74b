"""A small HTTP server on 127.0.0.1 for fetch tests (never the internet)."""

from __future__ import annotations

import gzip
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Route = Callable[[BaseHTTPRequestHandler], None]


def send(status: int, body: bytes = b"", content_type: str = "text/html; charset=utf-8",
         headers: dict[str, str] | None = None) -> Route:  # fmt: skip
    def route(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    return route


def gzipped(body: bytes) -> Route:
    return send(200, gzip.compress(body), headers={"Content-Encoding": "gzip"})


def brotlied(body: bytes) -> Route:
    import brotli

    return send(200, brotli.compress(body), headers={"Content-Encoding": "br"})


def redirect(to: str) -> Route:
    return send(302, b"", headers={"Location": to})


def slow(seconds: float) -> Route:
    def route(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html")
        handler.end_headers()
        handler.wfile.write(b"<html><body>")
        handler.wfile.flush()
        time.sleep(seconds)
        handler.wfile.write(b"</body></html>")

    return route


def held(started: threading.Semaphore, release: threading.Event, timeout: float = 30) -> Route:
    """A feed download that starts (``started`` is released) and then waits for
    ``release`` (at most ``timeout`` seconds) before it ends."""

    def route(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/rss+xml")
        handler.end_headers()
        handler.wfile.write(b"<rss><channel>")
        handler.wfile.flush()
        started.release()
        release.wait(timeout)

    return route


def endless(chunk: bytes = b"<p>" + b"x" * 65536 + b"</p>") -> Route:
    """A page that never stops (no Content-Length): for the size cap."""

    def route(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html")
        handler.end_headers()
        try:
            for _ in range(400):  # bounded: at most ~26 MB
                handler.wfile.write(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass

    return route


@contextmanager
def serve(routes: dict[str, Route]) -> Iterator[str]:
    """Serve ``routes`` on 127.0.0.1; yields the base URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
            route = routes.get(self.path.split("?")[0])
            (route or send(404, b"not found"))(self)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
