"""Servers for the sync tests, all on 127.0.0.1: a real Coldsweat (Fever API), a replay
of answers recorded from a real FreshRSS (Google Reader API), and a small server for
the hostile and broken answers no real server gives on purpose.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

HERE = Path(__file__).parent
LAUNCHER = HERE / "coldsweat_launcher.py"
RECORDINGS = HERE / "fixtures" / "sync"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def write_sync_config(home: Path, **settings: object) -> Path:
    """Write ``[sync]`` (and nothing else) to the home's config.toml."""
    lines = ["[sync]"] + [f"{key} = {json.dumps(value)}" for key, value in settings.items()]
    path = home / "config" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# -- a small server for answers of our choosing ------------------------------------------------


@dataclass
class Request:
    """A request as the server saw it."""

    method: str
    path: str
    query: list[tuple[str, str]]
    form: list[tuple[str, str]]
    headers: dict[str, str]


@dataclass
class Answer:
    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[[Request], Answer]


@contextmanager
def serve_api(handle: Handler, port: int = 0) -> Iterator[tuple[str, list[Request]]]:
    """Serve ``handle`` for GET and POST on 127.0.0.1; yields the base URL and the
    requests seen."""
    seen: list[Request] = []

    class RequestHandler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self) -> None:
            split = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode("utf-8") if length else ""
            request = Request(
                self.command,
                split.path,
                parse_qsl(split.query, keep_blank_values=True),
                parse_qsl(body, keep_blank_values=True),
                {k.lower(): v for k, v in self.headers.items()},
            )
            seen.append(request)
            answer = handle(request)
            self.send_response(answer.status)
            self.send_header("Content-Type", answer.content_type)
            for name, value in answer.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            try:
                self.wfile.write(answer.body)
            except (BrokenPipeError, ConnectionResetError):
                pass

        do_GET = _serve  # noqa: N815 - the stdlib's names
        do_POST = _serve  # noqa: N815

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), RequestHandler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()


def rss(title: str, base: str, items: list[tuple[str, str]]) -> bytes:
    """An RSS feed of ``(slug, title)`` items linking to ``base/slug.html``."""
    body = "".join(
        f"<item><title>{t}</title><link>{base}/{slug}.html</link><guid>{slug}</guid>"
        f"<description>&lt;p&gt;About {t}.&lt;/p&gt;</description>"
        f"<pubDate>Mon, 01 Dec 2025 {10 + n % 10:02d}:00:00 GMT</pubDate></item>"
        for n, (slug, t) in enumerate(items)
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>'
        f"<link>{base}/</link>{body}</channel></rss>"
    ).encode()


# -- Coldsweat, a real Fever server ------------------------------------------------------------


def coldsweat_python() -> str | None:
    """The Python of a venv with Coldsweat installed: ``$COLDSWEAT_PYTHON``, else the
    interpreter of a ``coldsweat`` command on the PATH; None when there is neither."""
    chosen = os.environ.get("COLDSWEAT_PYTHON")
    if chosen:  # CI installed it: missing now is a failure, not a reason to skip
        if not Path(chosen).exists():
            raise RuntimeError(f"COLDSWEAT_PYTHON={chosen} does not exist")
        return chosen
    script = shutil.which("coldsweat")
    if script is None:
        return None
    first = Path(script).read_bytes().split(b"\n", 1)[0]
    if first.startswith(b"#!"):
        python = first[2:].decode().strip()
        if Path(python).exists():
            return python
    return None


class Coldsweat:
    """A Coldsweat instance in ``folder``: its SQLite database, one user, and its Fever
    endpoint on 127.0.0.1 while ``running``. Its favicon fetching is off (the launcher)."""

    email = "alice@example.org"
    password = "correct-horse-battery"

    def __init__(self, python: str, folder: Path) -> None:
        self.python = python
        self.folder = folder
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/fever"
        self.env = {
            **os.environ,
            "FLASK_DATABASE_URL": f"sqlite:///{folder / 'coldsweat.db'}",
            "FLASK_SECRET_KEY": "tests only",
        }
        self._process: subprocess.Popen[bytes] | None = None
        folder.mkdir(parents=True, exist_ok=True)
        self.command("setup", self.email, "-p", self.password)

    def command(self, *args: str) -> str:
        done = subprocess.run(
            [self.python, str(LAUNCHER), *args],
            cwd=self.folder,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if done.returncode != 0:
            raise RuntimeError(f"coldsweat {args[0]} failed: {done.stderr[-2000:]}")
        return done.stdout

    def subscribe(self, feeds: dict[str, tuple[str, str]]) -> None:
        """Subscribe to ``{feed URL: (folder, title)}`` and fetch them."""
        outlines = "".join(
            f'<outline text="{group}" title="{group}"><outline type="rss" text="{title}" '
            f'title="{title}" xmlUrl="{url}"/></outline>'
            for url, (group, title) in feeds.items()
        )
        opml = self.folder / "subscriptions.opml"
        opml.write_text(f'<?xml version="1.0"?><opml version="2.0"><body>{outlines}</body></opml>')
        self.command("import", str(opml), self.email, "--fetch")

    def fetch(self) -> None:
        """Refresh every feed (what its cron job does)."""
        self.command("fetch")

    def start(self) -> None:
        self._process = subprocess.Popen(
            [self.python, str(LAUNCHER), "run", "--host", "127.0.0.1", "--port", str(self.port)],
            cwd=self.folder,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                self.call()
                return
            except OSError:
                if self._process.poll() is not None:
                    raise RuntimeError("coldsweat run exited") from None
                time.sleep(0.1)
        raise RuntimeError("coldsweat did not start in 30 s")

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            self._process = None

    def call(self, *commands: str, **form: str) -> dict[str, Any]:
        """A Fever call, as another device would make it (``call("mark", mark="item", ...)``)."""
        import hashlib

        key = hashlib.md5(f"{self.email}:{self.password}".encode()).hexdigest()
        query = "&".join(["api", *commands])
        data = "&".join(f"{k}={v}" for k, v in {"api_key": key, **form}.items()).encode()
        with urllib.request.urlopen(f"{self.url}?{query}", data, timeout=10) as answer:
            result: dict[str, Any] = json.loads(answer.read())
        return result

    def ids(self, name: str) -> set[int]:
        """``unread_item_ids`` or ``saved_item_ids`` as numbers."""
        value = self.call(name)[name]
        return {int(i) for i in str(value).split(",") if i}

    def items(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        since = 0
        while page := self.call("items", f"since_id={since}")["items"]:
            found += page
            since = max(item["id"] for item in page)
        return found


@contextmanager
def coldsweat(folder: Path) -> Iterator[Coldsweat]:
    """A fresh Coldsweat (not started), stopped at the end; ``pytest.skip`` without one."""
    import pytest

    python = coldsweat_python()
    if python is None:
        pytest.skip("Coldsweat is not installed (pip install coldsweat; .ci/run does)")
    server = Coldsweat(python, folder)
    try:
        yield server
    finally:
        server.stop()


def python_command(code: str) -> str:
    """A ``password_command`` running ``code`` with this Python (quoted for shlex)."""
    import shlex

    return shlex.join([sys.executable, "-c", code])
