"""The app keeps going: failed workers become notices, text selection copies, the
history steps back and forward, and no class leans on a private Textual name."""

from __future__ import annotations

import importlib
import pkgutil
import sqlite3
from pathlib import Path

import pytest
from textual.app import App
from textual.dom import DOMNode
from textual.screen import Screen
from textual.scroll_view import ScrollView
from textual.widget import Widget

import reader.app
from reader.app.app import ReaderApp
from reader.app.history import History
from reader.base.paths import Paths
from reader.store import Store

from app_helpers import article, showing, stories, wait_for, wait_ready

SECOND = "“We Ran on Heart”: Underdog Rowers From Linmouth Take Regatta Silver"


def _messages(app: ReaderApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


# -- selection and copy -----------------------------------------------------------------


async def test_selecting_article_text_and_copying_puts_it_on_the_clipboard(
    paths: Paths,
) -> None:
    app = ReaderApp(paths)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_ready(pilot)
        view = article(app)
        first, second = view.plain_lines[:2]
        # The pane has a border and one column of padding: content starts at (2, 1).
        await pilot.mouse_down(view, offset=(2, 1))
        await pilot.hover(view, offset=(12, 2))
        await pilot.mouse_up(view, offset=(12, 2))
        await pilot.pause()
        await pilot.press("ctrl+c")
        await pilot.pause()
        assert app.clipboard == f"{first}\n{second[:11]}"
        assert app.is_running


async def test_dragging_across_every_pane_and_copying_keeps_the_app_running(
    paths: Paths,
) -> None:
    app = ReaderApp(paths)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_ready(pilot)
        await pilot.mouse_down("#stories", offset=(5, 3))
        await pilot.hover("#ranking", offset=(10, 5))
        await pilot.mouse_up("#ranking", offset=(10, 5))
        await pilot.pause()
        await pilot.press("ctrl+c")
        await pilot.pause()
        assert app.is_running and app.return_code is None
        assert article(app).plain_lines[0] in app.clipboard  # the article, whole


# -- failed workers -----------------------------------------------------------------------


async def test_a_store_error_in_a_worker_is_a_notice_and_the_app_carries_on(
    paths: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    def locked(*args: object, **kwargs: object) -> None:
        raise sqlite3.OperationalError("database is locked")

    app = ReaderApp(paths)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_ready(pilot)
        monkeypatch.setattr(Store, "set_read", locked)
        await pilot.press("u")  # the mark is saved in a worker, on the store thread
        await wait_for(pilot, lambda: any("database is locked" in m for m in _messages(app)))
        assert app.is_running and app.return_code is None
        assert any(
            m == "saving the mark failed: OperationalError: database is locked"
            for m in _messages(app)
        )
        monkeypatch.undo()
        await pilot.press("n")  # the app still reads
        await wait_for(pilot, lambda: showing(app, SECOND))


async def test_a_failed_list_load_in_a_pane_reaches_the_one_handler(
    paths: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object) -> None:
        raise RuntimeError("a bug in counting")

    app = ReaderApp(paths)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_ready(pilot)
        monkeypatch.setattr(Store, "count", broken)
        await pilot.press("f")  # the story list loads in its own worker
        await wait_for(pilot, lambda: any("a bug in counting" in m for m in _messages(app)))
        assert "loading the list failed: RuntimeError: a bug in counting" in _messages(app)
        assert app.is_running


async def test_a_cache_damaged_while_reading_says_which_file_and_what_to_do(
    paths: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    def malformed(*args: object, **kwargs: object) -> None:
        raise sqlite3.DatabaseError("database disk image is malformed")

    app = ReaderApp(paths)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_ready(pilot)
        monkeypatch.setattr(Store, "set_bookmark", malformed)
        await pilot.press("b")
        await wait_for(pilot, lambda: any("malformed" in m for m in _messages(app)))
        message = next(m for m in _messages(app) if "malformed" in m)
        assert str(paths.cache_db) in message and "reader repair" in message
        assert app.is_running


async def test_a_failed_refresh_is_a_notice_and_r_works_again(
    paths: Paths, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import reader.feeds.refresh

    from conftest import FIXTURES

    feed = tmp_path / "harbour.rss"
    feed.write_bytes((FIXTURES / "feeds" / "harbour.rss").read_bytes())
    with Store(paths) as store:
        store.add_feed(str(feed))

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the refresh broke")

    app = ReaderApp(paths)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_ready(pilot)
        with monkeypatch.context() as patch:
            patch.setattr(reader.feeds.refresh, "refresh", broken)
            await pilot.press("r")
            await wait_for(pilot, lambda: any("the refresh broke" in m for m in _messages(app)))
            await wait_for(pilot, lambda: not app.refreshing)
        assert "refresh failed: RuntimeError: the refresh broke" in _messages(app)
        await pilot.press("r")  # not "A refresh is already running."
        await wait_for(pilot, lambda: stories(app).count == 17, timeout=20)
        assert app.is_running


async def test_marking_read_during_a_refresh_stays_responsive(
    paths: Paths, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The refresh runs on its own store thread: the reader's store thread is free.

    The refresh below holds its thread for 30 s; waiting behind it would take that long.
    """
    import threading
    import time

    import reader.feeds.refresh

    started, release = threading.Event(), threading.Event()

    def slow_refresh(*args: object, **kwargs: object) -> object:
        started.set()
        release.wait(30)  # a long refresh, holding the jobs thread
        raise RuntimeError("stopped by the test")

    with Store(paths) as store:
        store.add_feed(str(tmp_path / "never-read.rss"))
    monkeypatch.setattr(reader.feeds.refresh, "refresh", slow_refresh)
    app = ReaderApp(paths)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_ready(pilot)
        await pilot.press("r")
        await wait_for(pilot, started.is_set)
        start = time.monotonic()
        await pilot.press("u")
        await wait_for(pilot, lambda: app.reading.story is not None and app.reading.story.read)
        took = time.monotonic() - start
        release.set()
        await wait_for(pilot, lambda: not app.refreshing)
    assert took < 5.0, f"marking read took {took:.2f} s during a refresh"


# -- history ----------------------------------------------------------------------------


def test_history_steps_back_and_forward_and_a_visit_drops_what_lay_ahead() -> None:
    history = History(maxlen=3)
    assert history.back() is None and history.current is None
    for story in ("a", "b", "c"):
        history.visit(story)
    history.visit("c")  # the story already shown: nothing new
    assert history.behind == ["a", "b"]
    assert history.back() == "b" and history.back() == "a" and history.back() is None
    assert history.forward() == "b" and history.ahead == ["c"]
    history.visit("d")
    assert history.ahead == [] and history.behind == ["a", "b"]
    history.visit("e")  # three at most: the oldest goes
    assert history.behind == ["b", "d"] and history.current == "e"


# -- no private Textual names -----------------------------------------------------------

HOOKS = {
    # Textual's documented places to override or set
    "BINDINGS", "CSS_PATH", "COMMANDS", "COMPONENT_CLASSES", "DEFAULT_CSS",
    "HORIZONTAL_BREAKPOINTS", "TITLE", "compose", "get_default_screen", "get_selection",
    "notify_style_update", "on_mount", "on_unmount", "render", "render_line",
    "selection_updated",
}  # fmt: skip


def _app_classes() -> list[type[DOMNode]]:
    classes: list[type[DOMNode]] = []
    for info in pkgutil.iter_modules(reader.app.__path__, "reader.app."):
        module = importlib.import_module(info.name)
        classes += [
            value
            for value in vars(module).values()
            if isinstance(value, type)
            and issubclass(value, DOMNode)
            and value.__module__ == module.__name__
        ]
    return classes


def _textual_names(cls: type) -> set[str]:
    return {
        name for base in cls.__mro__ if base.__module__.startswith("textual") for name in vars(base)
    }


def test_no_app_class_overrides_a_textual_name_it_should_not() -> None:
    clashes = []
    for cls in _app_classes():
        textual = _textual_names(cls)
        automatic = set(vars(type("Probe", (cls,), {})))  # what Textual adds to any subclass
        for name in set(vars(cls)) - automatic:
            if name.startswith("__") or name not in textual or name in HOOKS:
                continue
            clashes.append(f"{cls.__name__}.{name}")
    assert clashes == []


async def test_no_app_object_sets_a_private_textual_attribute(paths: Paths) -> None:
    app = ReaderApp(paths)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_ready(pilot)
        plain: dict[type, set[str]] = {
            App: set(vars(App())),
            Screen: set(vars(Screen())),
            ScrollView: set(vars(ScrollView())),
            Widget: set(vars(Widget())),
        }
        clashes = []
        for node in [app, *app.reading.walk_children(with_self=True)]:
            if not type(node).__module__.startswith("reader."):
                continue
            base = next(b for b in type(node).__mro__ if b in plain)
            textual = plain[base] | _textual_names(type(node))
            own = {n for n in vars(node) if n.startswith("_") and not n.startswith("__")}
            set_by_textual = {n for n in own if n in textual}
            ours = {  # the names our own __init__ methods use
                n
                for klass in type(node).__mro__
                if klass.__module__.startswith("reader.") and "__init__" in vars(klass)
                for n in vars(klass)["__init__"].__code__.co_names
            }
            clashes += [f"{type(node).__name__}.{n}" for n in sorted(set_by_textual & ours)]
        assert clashes == []
