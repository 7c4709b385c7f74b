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


# -- FreshRSS, a real Google Reader API server (recording by hand; CI replays) ---------------


class FreshRSS:
    """A FreshRSS instance made from a source tree (brought in by hand, never committed):
    copied into ``folder``, its stock subscriptions (a public host) replaced by an empty
    OPML, installed with SQLite and one user, served by ``php -S`` on 127.0.0.1."""

    user = "admin"
    password = "admin-password-for-tests"
    api_password = "api-password-for-tests"

    def __init__(self, source: Path, folder: Path) -> None:
        self.root = folder / "FreshRSS"
        shutil.copytree(source, self.root, ignore=shutil.ignore_patterns(".git"))
        (self.root / "opml.default.xml").write_text(
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<opml version="2.0"><head><title>empty</title></head><body></body></opml>\n'
        )
        for stale in (self.root / "data").glob("users/*"):
            if stale.is_dir() and stale.name != "_":  # a user installed in the source tree
                shutil.rmtree(stale)
        (self.root / "data" / "config.php").unlink(missing_ok=True)
        self.php("cli/do-install.php", "--default-user", self.user, "--auth-type", "form",
                 "--api-enabled", "--db-type", "sqlite")  # fmt: skip
        self.php("cli/create-user.php", "--user", self.user, "--password", self.password,
                 "--api-password", self.api_password, "--feed-ttl-default", "1")  # fmt: skip
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.url = f"{self.base}/api/greader.php"
        self.fever_url = f"{self.base}/api/fever.php"
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def version(self) -> str:
        text = (self.root / "constants.php").read_text()
        return text.split("FRESHRSS_VERSION = '", 1)[1].split("'", 1)[0]

    def php(self, script: str, *args: str, check: bool = True) -> str:
        done = subprocess.run(
            ["php", script, *args], cwd=self.root, capture_output=True, text=True, timeout=600
        )
        if check and done.returncode != 0:
            raise RuntimeError(f"php {script} failed: {done.stdout[-1000:]}{done.stderr[-1000:]}")
        return done.stdout + done.stderr

    def subscribe(self, feeds: dict[str, tuple[str, str]]) -> None:
        """Subscribe to ``{feed URL: (folder, title)}`` and fetch them."""
        groups: dict[str, list[str]] = {}
        for url, (group, title) in feeds.items():
            groups.setdefault(group, []).append(
                f'<outline type="rss" text="{title}" title="{title}" xmlUrl="{url}"/>'
            )
        body = "".join(
            f'<outline text="{g}" title="{g}">{"".join(o)}</outline>' for g, o in groups.items()
        )
        opml = self.root.parent / "subscriptions.opml"
        opml.write_text(f'<?xml version="1.0"?><opml version="2.0"><body>{body}</body></opml>')
        self.php("cli/import-for-user.php", "--user", self.user, "--filename", str(opml))
        self.fetch()

    def fetch(self) -> str:
        """Refresh every feed now (what its cron job does): the feeds' time to live is a
        second, and the HTTP cache (800 s) is emptied first."""
        for cached in (self.root / "data" / "cache").glob("*"):
            if cached.is_file() and cached.name != "index.html":
                cached.unlink()
        time.sleep(1.1)
        done = self.php("cli/actualize-user.php", "--user", self.user, check=False)
        if "actualized" not in done:
            raise RuntimeError(f"FreshRSS did not refresh: {done[-1000:]}")
        return done

    def start(self) -> None:
        self._process = subprocess.Popen(
            ["php", "-S", f"127.0.0.1:{self.port}", "-t", "p/"],
            cwd=self.root,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url, timeout=5):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("php -S did not start in 30 s")

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.wait(10)
            self._process = None


class Phone:
    """Another device on the same Google Reader account (plain urllib, none of reader's
    code): marks entries and unsubscribes, straight at the server."""

    def __init__(self, url: str, user: str, password: str) -> None:
        self.url = url
        data = f"Email={user}&Passwd={password}".encode()
        with urllib.request.urlopen(f"{url}/accounts/ClientLogin", data, timeout=30) as r:
            answer = r.read().decode()
        self.auth = answer.split("Auth=", 1)[1].split()[0]
        self.token = self._call("/reader/api/0/token").decode().strip()

    def _call(self, path: str, form: list[tuple[str, str]] | None = None) -> bytes:
        from urllib.parse import urlencode

        data = urlencode([*form, ("T", self.token)]).encode() if form is not None else None
        request = urllib.request.Request(
            self.url + path, data, {"Authorization": f"GoogleLogin auth={self.auth}"}
        )
        with urllib.request.urlopen(request, timeout=30) as answer:
            return bytes(answer.read())

    def entries(self) -> dict[str, str]:
        """Entry id (long form) by title."""
        path = "/reader/api/0/stream/contents/user/-/state/com.google/reading-list?n=1000"
        items = json.loads(self._call(path + "&output=json"))["items"]
        return {item["title"]: item["id"] for item in items}

    def mark(self, title: str, tag: str, on: bool) -> None:
        """``tag``: ``read`` or ``starred``."""
        entry = self.entries()[title]
        state = f"user/-/state/com.google/{tag}"
        self._call("/reader/api/0/edit-tag", [("i", entry), ("a" if on else "r", state)])

    def feeds(self) -> set[str]:
        subs = json.loads(self._call("/reader/api/0/subscription/list?output=json"))
        return {sub["url"] for sub in subs["subscriptions"]}

    def unsubscribe(self, feed_url: str) -> None:
        subs = json.loads(self._call("/reader/api/0/subscription/list?output=json"))
        stream = next(s["id"] for s in subs["subscriptions"] if s["url"] == feed_url)
        self._call("/reader/api/0/subscription/edit", [("ac", "unsubscribe"), ("s", stream)])

    def ids(self, stream: str, exclude: str = "") -> set[str]:
        query = f"?output=json&n=10000&s={stream}" + (f"&xt={exclude}" if exclude else "")
        refs = json.loads(self._call("/reader/api/0/stream/items/ids" + query))["itemRefs"]
        return {ref["id"] for ref in refs}


# -- recording a real server's answers, and replaying them -------------------------------------

RECORDED_SESSION = "admin/recorded-session"
RECORDED_TOKEN = "recorded-edit-token"
_VOLATILE = {"ck", "T"}


def exchange_key(request: Request, right_password: str) -> str:
    """What identifies a request in a recording: method, path, query and form (sorted),
    without the edit token; the password only as ``<right>`` or ``<wrong>``."""

    def pairs(items: list[tuple[str, str]]) -> list[tuple[str, str]]:
        shown = []
        for name, value in items:
            if name in _VOLATILE:
                continue
            if name == "Passwd":
                value = "<right>" if value == right_password else "<wrong>"
            shown.append((name, value))
        return sorted(shown)

    return json.dumps([request.method, request.path, pairs(request.query), pairs(request.form)])


@contextmanager
def recording_proxy(
    upstream: str, base_path: str, right_password: str
) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """A proxy on 127.0.0.1 in front of ``upstream`` (``http://127.0.0.1:PORT``) that
    records each exchange under ``base_path`` (``/api/greader.php``), with the session,
    the edit token and the password replaced (never written to a recording)."""
    recorded: list[dict[str, Any]] = []
    secrets: dict[str, str] = {}

    def handle(request: Request) -> Answer:
        from urllib.parse import urlencode

        headers = {}
        if "authorization" in request.headers:
            headers["Authorization"] = "GoogleLogin auth=" + secrets.get(
                request.headers["authorization"].split("auth=", 1)[-1], "?"
            )
        form = [(k, secrets.get(v, v) if k == "T" else v) for k, v in request.form]
        query = f"?{urlencode(request.query)}" if request.query else ""
        data = urlencode(form).encode() if request.method == "POST" else None
        sent = urllib.request.Request(
            upstream + request.path + query, data, headers, method=request.method
        )
        try:
            with urllib.request.urlopen(sent, timeout=120) as response:
                status, body, kind = response.status, response.read(), response.headers
        except urllib.error.HTTPError as error:
            status, body, kind = error.code, error.read(), error.headers
        text = body.decode("utf-8")
        if request.path.endswith("/accounts/ClientLogin") and "Auth=" in text:
            real = text.split("Auth=", 1)[1].split()[0]
            secrets[RECORDED_SESSION] = real
            text = text.replace(real, RECORDED_SESSION)
        if request.path.endswith("/reader/api/0/token") and status == 200:
            secrets[RECORDED_TOKEN] = text.strip()
            text = RECORDED_TOKEN + "\n"
        content_type = kind.get("Content-Type", "text/plain")
        relative = Request(request.method, request.path[len(base_path) :], request.query,
                           request.form, {})  # fmt: skip
        recorded.append(
            {
                "key": json.loads(exchange_key(relative, right_password)),
                "status": status,
                "content_type": content_type,
                "body": text,
            }
        )
        return Answer(status, text.encode(), content_type)

    with serve_api(handle) as (url, _):
        yield url + base_path, recorded


class Replay:
    """Answers recorded from a real server, served again: each request gets the next
    answer recorded for the same key; one with none left (the client asks something
    the real server was never asked) gets HTTP 500 and is listed in ``misses``."""

    def __init__(
        self,
        exchanges: list[dict[str, Any]],
        right_password: str,
        base_path: str,
        replace: dict[str, str] | None = None,
    ) -> None:
        """``replace``: strings of the recording to replace everywhere (where the feeds
        were served then, with where they are served now)."""
        self.base_path = base_path
        self.answers: dict[str, list[dict[str, Any]]] = {}
        for exchange in exchanges:
            key, body = json.dumps(exchange["key"]), exchange["body"]
            for old, new in (replace or {}).items():
                key = key.replace(json.dumps(old)[1:-1], json.dumps(new)[1:-1])
                body = body.replace(json.dumps(old)[1:-1], json.dumps(new)[1:-1])
            self.answers.setdefault(key, []).append({**exchange, "body": body})
        self.right_password = right_password
        self.misses: list[str] = []

    def handle(self, request: Request) -> Answer:
        if not request.path.startswith(self.base_path):
            self.misses.append(f"outside the API: {request.path}")
            return Answer(404, b"Not Found", "text/plain")
        request.path = request.path[len(self.base_path) :]
        if not request.path.endswith("/accounts/ClientLogin"):
            sent = request.headers.get("authorization", "")
            if sent != f"GoogleLogin auth={RECORDED_SESSION}":
                self.misses.append(f"no session on {request.path}")
                return Answer(401, b"Unauthorized", "text/plain")
        if request.method == "POST" and ("/edit" in request.path or "quickadd" in request.path):
            if dict(request.form).get("T") != RECORDED_TOKEN:
                self.misses.append(f"no edit token on {request.path}")
                return Answer(401, b"Unauthorized", "text/plain")
        key = exchange_key(request, self.right_password)
        waiting = self.answers.get(key)
        if not waiting:
            self.misses.append(key)
            return Answer(500, b"not recorded", "text/plain")
        answer = waiting.pop(0)
        return Answer(answer["status"], answer["body"].encode(), answer["content_type"])

    def unused(self) -> list[str]:
        return [key for key, left in self.answers.items() for _ in left]


def load_recording(name: str) -> dict[str, Any]:
    """``tests/fixtures/sync/freshrss-*/NAME.json`` (the newest FreshRSS recorded)."""
    folders = sorted(RECORDINGS.glob("freshrss-*"))
    if not folders:
        raise FileNotFoundError("no FreshRSS recordings in tests/fixtures/sync")
    data: dict[str, Any] = json.loads((folders[-1] / f"{name}.json").read_text())
    return data
