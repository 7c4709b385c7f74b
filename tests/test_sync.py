"""Sync's settings and password, and the answers no real server gives on purpose: hostile
text, endless paging, errors, redirects, timeouts, huge answers, expired sessions.

Every server is on 127.0.0.1 (``sync_servers.serve_api``): a few lines of Fever or
Google Reader each, enough to say the one wrong thing a test is about.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sync_servers import Answer, Request, python_command, serve_api, write_sync_config
from unread_helpers import assert_unread_exact, plain_unread

from reader.base.paths import resolve_paths
from reader.store import Store, StoryFilter
from reader.sync.config import Secret, load_sync_settings
from reader.sync.errors import ConfigError, PasswordUnavailable, ServerFailed, Unreachable
from reader.sync.fever import FeverClient
from reader.sync.http import HttpClient

from conftest import run_reader

USER, PASSWORD = "alice", "pw-for-tests-1"
KEY = hashlib.md5(f"{USER}:{PASSWORD}".encode()).hexdigest()


def fever(items: list[dict[str, object]], *, unread: str = "", saved: str = "",
          pages: Callable[[int], list[dict[str, object]]] | None = None,
          ) -> Callable[[Request], Answer]:  # fmt: skip
    """A Fever endpoint with one feed and these items (all at once after since_id=0)."""

    def handle(request: Request) -> Answer:
        query = dict(request.query)
        if dict(request.form).get("api_key") != KEY:
            return Answer(200, b'{"api_version": 3, "auth": 0}')
        data: dict[str, object] = {"api_version": 3, "auth": 1}
        if "feeds" in query:
            data["feeds"] = [{"id": 1, "title": "Hostile \x1b]0;owned\x07Feed",
                              "url": "http://127.0.0.1:9/feed.xml"}]  # fmt: skip
            data["groups"], data["feeds_groups"] = [], []
        if "items" in query:
            since = int(query.get("since_id", "0"))
            data["items"] = pages(since) if pages else (items if since == 0 else [])
        if "unread_item_ids" in query:
            data["unread_item_ids"] = unread
        if "saved_item_ids" in query:
            data["saved_item_ids"] = saved
        return Answer(200, json.dumps(data).encode())

    return handle


@contextmanager
def fever_home(home: Path, handle: Callable[[Request], Answer]) -> Iterator[str]:
    with serve_api(handle) as (base, _):
        write_sync_config(home, service="fever", url=f"{base}/fever", user=USER,
                          password_command=f"printf %s {PASSWORD}")  # fmt: skip
        yield base.split("/")[2]


def item(n: int, **fields: object) -> dict[str, object]:
    return {"id": n, "feed_id": 1, "title": f"Item {n}", "html": f"<p>Text {n}</p>",
            "url": f"http://127.0.0.1:9/{n}.html", "created_on_time": 1764583200 + n,
            **fields}  # fmt: skip


# -- settings and the password ---------------------------------------------------------------


def test_no_sync_table_says_how_to_set_it_up(home: Path) -> None:
    done = run_reader(home, "sync")
    assert done.returncode == 1
    assert done.stderr.startswith("reader: sync is not set up: add a [sync] table to ")


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"service": "rss", "url": "https://x.example", "user": "a", "password": "p"},
         'service must be "greader" or "fever"'),
        ({"service": "fever", "user": "a", "password": "p"}, "needs url"),
        ({"service": "fever", "url": "ftp://x.example", "user": "a", "password": "p"},
         "url must be an http(s) address"),
        ({"service": "fever", "url": "https://a:secret@x.example", "user": "a",
          "password": "p"}, "url must not hold a user name or password"),
        ({"service": "fever", "url": "https://x.example", "user": "a"},
         "needs password_command, password_file or password"),
        ({"service": "fever", "url": "https://x.example", "user": "a", "password": "p",
          "password_file": "/x"}, "takes one of password_file, password, not several"),
        ({"service": "fever", "url": "https://x.example", "user": "a", "password": "p",
          "max_items": 0}, "max_items must be a whole number above 0"),
    ],
)  # fmt: skip
def test_wrong_settings_name_the_setting(home: Path, settings: dict, message: str) -> None:
    config = write_sync_config(home, **settings)
    with pytest.raises(ConfigError) as caught:
        load_sync_settings(config)
    assert message in str(caught.value)
    assert str(caught.value).startswith(f"sync: {config}: [sync] ")
    assert "secret" not in str(caught.value)


def test_password_file_only_its_owner_may_read(home: Path, tmp_path: Path) -> None:
    secret = tmp_path / "rss-password"
    secret.write_text("hunter2-file\nsecond line is not the password\n")
    config = write_sync_config(home, service="fever", url="https://x.example", user="a",
                               password_file=str(secret))  # fmt: skip
    settings = load_sync_settings(config)
    assert settings is not None
    for mode in (0o644, 0o640, 0o604, 0o620):
        secret.chmod(mode)
        with pytest.raises(PasswordUnavailable) as caught:
            settings.password()
        assert str(caught.value) == (
            f"sync: password_file {secret} is open to group or others (mode {mode:o}); "
            f"run: chmod 600 {secret}"
        )
    secret.chmod(0o600)
    assert settings.password() == "hunter2-file"
    assert repr(settings.password()) == "Secret('***')"
    assert "hunter2" not in repr(settings)
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo, 0o600)
    write_sync_config(home, service="fever", url="https://x.example", user="a",
                      password_file=str(fifo))  # fmt: skip
    fifo_settings = load_sync_settings(config)
    assert fifo_settings is not None
    with pytest.raises(PasswordUnavailable, match="is not a regular file"):
        fifo_settings.password()  # and it did not wait for a writer


def test_password_command_runs_without_a_shell(home: Path, tmp_path: Path) -> None:
    touched = tmp_path / "touched"
    config = write_sync_config(home, service="fever", url="https://x.example", user="a",
                               password_command=f"echo hunter2; touch {touched}")  # fmt: skip
    settings = load_sync_settings(config)
    assert settings is not None
    assert settings.password() == f"hunter2; touch {touched}"  # echo got it all as words
    assert not touched.exists()


def test_password_command_failures_do_not_show_its_output(home: Path) -> None:
    code = "import sys; print('hunter2'); print('hunter2', file=sys.stderr); sys.exit(3)"
    config = write_sync_config(home, service="fever", url="https://x.example", user="a",
                               password_command=python_command(code))  # fmt: skip
    settings = load_sync_settings(config)
    assert settings is not None
    with pytest.raises(PasswordUnavailable) as caught:
        settings.password()
    assert str(caught.value).endswith("failed (exit status 3)")
    assert "hunter2" not in str(caught.value)
    write_sync_config(home, service="fever", url="https://x.example", user="a",
                      password_command="no-such-password-manager show rss")  # fmt: skip
    missing = load_sync_settings(config)
    assert missing is not None
    with pytest.raises(PasswordUnavailable, match="no-such-password-manager not found"):
        missing.password()


def test_a_password_in_the_config_works_with_a_warning(home: Path) -> None:
    with serve_api(fever([item(1)])) as (base, _):
        config = write_sync_config(home, service="fever", url=f"{base}/fever", user=USER,
                                   password=PASSWORD)  # fmt: skip
        done = run_reader(home, "sync", "--json")
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip() == (
        f"reader: sync: the password is written in {config}; password_command or "
        "password_file keep it out of the config"
    )
    report = json.loads(done.stdout)
    assert report["stories"] == 1
    assert PASSWORD not in done.stdout and KEY not in done.stdout
    for path in [*(home / "data").rglob("*"), *(home / "cache").rglob("*")]:
        if path.is_file():
            data = path.read_bytes()
            assert PASSWORD.encode() not in data and KEY.encode() not in data, path


def test_plain_http_to_another_host_is_warned_about(home: Path) -> None:
    config = write_sync_config(home, service="fever", url="http://rss.example.org/fever",
                               user="a", password_command="pass show rss")  # fmt: skip
    settings = load_sync_settings(config)
    assert settings is not None
    assert settings.warnings == (
        "sync: rss.example.org is reached over plain http: the password travels unencrypted",
    )
    assert isinstance(Secret("x"), str)


# -- hostile answers ---------------------------------------------------------------------------


def test_hostile_text_is_cleaned_and_bad_links_dropped(home: Path) -> None:
    items = [
        item(1, title="Red \x1b[31malert\x1b[0m \u202eevil", author="Mallory\x07",
             html="<p>Body \x1b]52;c;cGF5bG9hZA==\x07with a clipboard write</p>"),
        item(2, url="javascript:alert(1)", title="Script link"),
        item(3, url="http://127.0.0.1:9/a\x1b[2Jb.html", title="Escape in the link"),
        item(4, title=["not", "a", "string"], html={"no": "html"}),
        {"id": "not a number", "feed_id": 1, "title": "Bad id"},
        "not an object",
    ]  # fmt: skip
    with fever_home(home, fever(items, unread="1,2,3,4,x,,5")):
        done = run_reader(home, "sync")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "pulled 1 feed, 4 stories; pushed nothing"
    listed = json.loads(run_reader(home, "list", "--json").stdout)
    by_id = {story["title"]: story for story in listed}
    assert set(by_id) == {"Red alert evil", "Script link", "Escape in the link",
                          "http://127.0.0.1:9/4.html"}  # fmt: skip
    assert by_id["Script link"]["url"] is None
    assert by_id["Escape in the link"]["url"] == "http://127.0.0.1:9/ab.html"
    assert by_id["Red alert evil"]["site"] == "Hostile Feed"
    shown = json.loads(run_reader(home, "show", by_id["Red alert evil"]["id"], "--json").stdout)
    assert shown["body"] == "Body with a clipboard write"
    assert shown["author"] == "Mallory"
    everything = run_reader(home, "export", "--format", "json").stdout
    assert not any(ch in everything for ch in "\x1b\x07\u202e")


def test_a_syncs_read_marks_keep_the_unread_list_exact(home: Path) -> None:
    items = [item(n) for n in range(1, 7)]
    with fever_home(home, fever(items, unread="2,4,6")):
        assert run_reader(home, "sync").returncode == 0
    with Store(resolve_paths(home)) as store:
        assert len(plain_unread(store)) == 3
        assert_unread_exact(store)
    with fever_home(home, fever(items, unread="1,2,4")):  # 6 read there now
        done = run_reader(home, "sync")
        assert done.returncode == 0, done.stderr
    with Store(resolve_paths(home)) as store:
        unread = store.list_stories(StoryFilter(unread=True))
        assert sorted(s.title for s in unread) == ["Item 2", "Item 4"]
        assert_unread_exact(store)


def test_an_entry_too_big_is_cut(home: Path) -> None:
    with fever_home(home, fever([item(1, html="<p>" + "x" * 3_000_000 + "</p>")])):
        assert run_reader(home, "sync").returncode == 0
    (story,) = json.loads(run_reader(home, "list", "--json").stdout)
    body = json.loads(run_reader(home, "show", story["id"], "--json").stdout)["body"]
    assert 1_900_000 < len(body) <= 2 * 1024 * 1024


def test_paging_that_never_ends_is_stopped(home: Path) -> None:
    with fever_home(home, fever([], pages=lambda since: [item(1), item(2)])) as host:
        done = run_reader(home, "sync")
    assert done.returncode == 1
    assert done.stderr.strip() == f"reader: sync: {host} sent the same page of entries twice"


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (Answer(500, b"oops", "text/plain"), "{host} answered HTTP 500 to groups&feeds"),
        (Answer(200, b"<html>Welcome</html>", "text/html"),
         "{url} is not a Fever API (it answered with no JSON)"),
        (Answer(200, b'{"hello": "world"}'), "{url} is not a Fever API (no api_version)"),
        (Answer(405, b"no", "text/plain"), "{url} is not a Fever API (HTTP 405)"),
        (Answer(302, b"", "text/plain", {"Location": "http://127.0.0.1:1/elsewhere"}),
         "{host} redirects POST /fever to http://127.0.0.1:1/elsewhere; put the address "
         "it names in [sync] url"),
    ],
)  # fmt: skip
def test_a_broken_server_is_one_line(home: Path, answer: Answer, message: str) -> None:
    with fever_home(home, lambda request: answer) as host:
        done = run_reader(home, "sync")
    assert done.returncode == 1
    expected = message.format(host=host, url=f"http://{host}/fever")
    assert done.stderr.strip() == f"reader: sync: {expected}"
    assert done.stdout == ""


def test_a_server_that_does_not_answer_in_time(home: Path) -> None:
    def slow(request: Request) -> Answer:
        time.sleep(3)
        return Answer(200, b"{}")

    with serve_api(slow) as (base, _):
        config = write_sync_config(home, service="fever", url=f"{base}/fever", user=USER,
                                   password_command="printf x")  # fmt: skip
        settings = load_sync_settings(config)
        assert settings is not None
        client = FeverClient(settings, HttpClient(settings.url, timeout=1))
        started = time.monotonic()
        with pytest.raises(Unreachable) as caught:
            client.subscriptions()
    assert time.monotonic() - started < 2.5
    assert str(caught.value) == f"sync: {base.split('/')[2]} timed out after 1 s"


def test_an_answer_over_the_cap_is_refused(home: Path) -> None:
    big = json.dumps({"api_version": 3, "auth": 1, "items": [], "pad": "x" * 200_000}).encode()
    with serve_api(lambda request: Answer(200, big)) as (base, _):
        client = HttpClient(f"{base}/fever", max_bytes=100_000)
        with pytest.raises(ServerFailed) as caught:
            client.post("", [("api_key", "k")])
    assert "sent an answer over" in str(caught.value)


def test_https_certificates_are_checked(home: Path, tmp_path: Path) -> None:
    """A self-signed certificate is refused: sync sends no password to it."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    port = listener.getsockname()[1]

    def accept() -> None:
        try:
            conn, _ = listener.accept()
            with context.wrap_socket(conn, server_side=True):
                pass
        except (ssl.SSLError, OSError):
            pass

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    write_sync_config(home, service="fever", url=f"https://127.0.0.1:{port}/fever", user=USER,
                      password_command=f"printf %s {PASSWORD}")  # fmt: skip
    done = run_reader(home, "sync")
    listener.close()
    assert done.returncode == 1
    assert done.stderr.startswith(f"reader: sync: 127.0.0.1:{port}: TLS failed (")
    assert "its certificate must be valid for that name" in done.stderr


# -- Google Reader: sessions and tokens ------------------------------------------------------


def greader(expire: int = 0, bad_token: int = 0, endless: bool = False,
            state: dict[str, int] | None = None) -> Callable[[Request], Answer]:  # fmt: skip
    """A Google Reader API with one feed and one entry; the first ``expire`` reads after a
    login are refused as an expired session, the first ``bad_token`` writes as a bad
    token (``state`` can move both on: its keys ``expire`` and ``bad_token``); with
    ``endless``, the unread ids page on for ever."""
    state = state if state is not None else {}
    state.update({"session": 0, "refused": 0, "bad": 0, "page": 0, "read": 0})
    state.setdefault("expire", expire)
    state.setdefault("bad_token", bad_token)
    entry = {"id": "tag:google.com,2005:reader/item/000000000000002a", "title": "Only entry",
             "timestampUsec": "1764583200000000", "published": 1764583200,
             "canonical": [{"href": "http://127.0.0.1:9/only.html"}],
             "origin": {"streamId": "feed/1"}, "summary": {"content": "<p>Hi</p>"}}  # fmt: skip

    def handle(request: Request) -> Answer:
        path = request.path.removeprefix("/api/greader.php")
        if path == "/accounts/ClientLogin":
            if dict(request.form).get("Passwd") != PASSWORD:
                return Answer(401, b"Unauthorized", "text/plain")
            state["session"] += 1
            return Answer(200, f"Auth=alice/s{state['session']}\n".encode(), "text/plain")
        if request.headers.get("authorization") != f"GoogleLogin auth=alice/s{state['session']}":
            return Answer(401, b"Unauthorized", "text/plain")
        if request.method == "GET" and state["refused"] < state["expire"]:
            state["refused"] += 1
            return Answer(401, b"Unauthorized", "text/plain")
        if path == "/reader/api/0/token":
            return Answer(200, f"token{state['session']}\n".encode(), "text/plain")
        if path == "/reader/api/0/edit-tag":
            if dict(request.form).get("T") != f"token{state['session']}" or (
                state["bad"] < state["bad_token"]
            ):
                state["bad"] += 1
                return Answer(400, b"bad token", "text/plain",
                              {"X-Reader-Google-Bad-Token": "true"})  # fmt: skip
            if ("a", "user/-/state/com.google/read") in request.form:
                state["read"] = 1
            if ("r", "user/-/state/com.google/read") in request.form:
                state["read"] = 0
            return Answer(200, b"OK", "text/plain")
        if path == "/reader/api/0/subscription/list":
            subs = [{"id": "feed/1", "title": "One", "url": "http://127.0.0.1:9/feed.xml",
                     "categories": [{"id": "user/-/label/Tech", "label": "Tech"}]}]  # fmt: skip
            return Answer(200, json.dumps({"subscriptions": subs}).encode())
        if path.startswith("/reader/api/0/stream/contents/"):
            return Answer(200, json.dumps({"items": [entry]}).encode())
        if path == "/reader/api/0/stream/items/ids":
            if endless:
                state["page"] += 1
                return Answer(
                    200,
                    json.dumps(
                        {"itemRefs": [{"id": "42"}], "continuation": f"c{state['page']}"}
                    ).encode(),
                )
            query = dict(request.query)
            refs = [{"id": "42"}] if query.get("xt") and not state["read"] else []
            return Answer(200, json.dumps({"itemRefs": refs}).encode())
        return Answer(404, b"Not Found", "text/plain")

    return handle


@contextmanager
def greader_home(home: Path, handle: Callable[[Request], Answer]) -> Iterator[str]:
    with serve_api(handle) as (base, _):
        write_sync_config(home, service="greader", url=f"{base}/api/greader.php", user=USER,
                          password_command=f"printf %s {PASSWORD}")  # fmt: skip
        yield base.split("/")[2]


def test_an_expired_session_is_renewed_once(home: Path) -> None:
    with greader_home(home, greader(expire=1)):
        done = run_reader(home, "sync")
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == "pulled 1 feed, 1 story; pushed nothing"
    feeds = json.loads(run_reader(home, "feed", "list", "--json").stdout)
    assert [f["title"] for f in feeds] == ["One"]


def test_a_session_refused_again_after_a_new_login_fails(home: Path) -> None:
    with greader_home(home, greader(expire=1000)) as host:
        done = run_reader(home, "sync")
    assert done.returncode == 1
    assert done.stderr.strip() == (
        f"reader: sync: login refused by {host} (the session was refused, and again after "
        "a new login)"
    )


def test_a_bad_edit_token_is_renewed_once(home: Path) -> None:
    state: dict[str, int] = {}
    with greader_home(home, greader(bad_token=1, state=state)) as host:
        assert run_reader(home, "sync").returncode == 0
        (story,) = json.loads(run_reader(home, "list", "--json").stdout)
        run_reader(home, "mark-read", story["id"])
        done = run_reader(home, "sync")
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == "pulled 0 stories; pushed 1 read mark"
        state["bad_token"] = 1000
        run_reader(home, "mark-unread", story["id"])
        done = run_reader(home, "sync")
        assert done.returncode == 1
        assert done.stderr.strip() == (
            f"reader: sync: login refused by {host} (the edit token was refused, and again "
            "after a new login)"
        )


def test_ids_that_page_for_ever_are_stopped(home: Path) -> None:
    with greader_home(home, greader(endless=True)) as host:
        done = run_reader(home, "sync", timeout=120)
    assert done.returncode == 1
    assert done.stderr.strip() == (
        f"reader: sync: {host} kept paging the unread entries past 1000000 ids; stopped"
    )


def test_a_url_that_is_no_google_reader_api(home: Path) -> None:
    page = Answer(404, b"<html>Not here</html>", "text/html")
    with serve_api(lambda request: page) as (base, _):
        write_sync_config(home, service="greader", url=f"{base}/", user=USER,
                          password_command="printf x")  # fmt: skip
        done = run_reader(home, "sync")
    assert done.returncode == 1
    assert done.stderr.strip() == (
        f"reader: sync: {base} is not a Google Reader API (its ClientLogin answered HTTP 404); "
        "FreshRSS's is at …/api/greader.php"
    )
