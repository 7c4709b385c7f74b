"""The newsboat key preset, the keys it adds, undo in the app, and config.toml's keys."""

from __future__ import annotations

from pathlib import Path

from reader.app.app import ReaderApp
from reader.app.keys import PRESETS, READING_BINDINGS, keymap_for
from reader.app.screens import Confirm, HelpScreen
from reader.base.config import KEY_PRESETS, load_config
from reader.base.models import Page
from reader.base.paths import Paths
from reader.store import Store, StoryFilter

from app_helpers import showing, stories, wait_for, wait_ready

NEWEST = "Early Heatwave Expected Across Fenwick Coast as Forecasters Issue Amber Warning"
SECOND = "“We Ran on Heart”: Underdog Rowers From Linmouth Take Regatta Silver"
THIRD = "Dunmore Rovers Clinch Title With Last-Minute Header in Rain-Soaked Final"


def _config(paths: Paths, text: str) -> Path:
    paths.ensure()
    paths.config_file.write_text(text)
    return paths.config_file


def test_keys_can_be_a_preset_name_or_a_table_with_a_preset(paths: Paths) -> None:
    config = load_config(_config(paths, 'keys = "newsboat"\n'))
    assert (config.key_preset, config.keys, config.problems) == ("newsboat", {}, [])
    config = load_config(_config(paths, '[keys]\npreset = "newsboat"\nnext_unread = "x"\n'))
    assert (config.key_preset, config.problems) == ("newsboat", [])
    assert config.keys == {"next_unread": "x"}
    keymap = keymap_for(config.key_preset, config.keys)
    assert keymap["next_unread"] == "x" and keymap["toggle_read"] == "N"
    config = load_config(_config(paths, 'keys = "emacs"\n'))
    assert config.key_preset == "default"
    assert config.problems == [
        f'{paths.config_file}: keys preset \'emacs\' is not one of "default", "newsboat"'
    ]


def test_every_preset_is_known_to_the_config_and_names_real_bindings() -> None:
    assert tuple(PRESETS) == KEY_PRESETS
    ids = {binding.id for binding in READING_BINDINGS}
    for keymap in PRESETS.values():
        assert set(keymap) <= ids


def test_the_newsboat_preset_binds_each_key_once() -> None:
    """Every key in force under the preset does one thing (a clash would lose one)."""
    keymap = keymap_for("newsboat", {})
    seen: dict[str, str] = {}
    for binding in READING_BINDINGS:
        for key in keymap.get(binding.id or "", binding.key).split(","):
            assert key not in seen, f"{key} bound to {seen.get(key)} and {binding.id}"
            seen[key] = binding.id or ""
    for key in ("n", "p", "N", "O", "J", "K", "ctrl+b", "u", "colon", "r", "R"):
        assert key in seen, key


async def test_newsboat_preset_n_p_next_unread_and_N_toggles_read(paths: Paths) -> None:
    _config(paths, 'keys = "newsboat"\n')
    app = ReaderApp(paths)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_ready(pilot)
        await pilot.press("right_square_bracket")  # next story: opening marks it read
        await wait_for(pilot, lambda: showing(app, SECOND))
        await pilot.press("n")  # next unread: past the second
        await wait_for(pilot, lambda: showing(app, THIRD))
        await pilot.press("p")  # the newest, never opened, is still unread
        await wait_for(pilot, lambda: showing(app, NEWEST))
        await wait_for(pilot, lambda: app.reading.story is not None and app.reading.story.read)
        await pilot.press("N")
        await wait_for(pilot, lambda: not app.reading.story.read)
        await pilot.press("right_square_bracket")  # next story, read or not
        await wait_for(pilot, lambda: showing(app, SECOND))
        await pilot.press("left_square_bracket")
        await wait_for(pilot, lambda: showing(app, NEWEST))
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        rows = {binding_id: keys for keys, _, binding_id in app.screen.rows if binding_id}
        assert rows["next_unread"] == "n" and rows["toggle_read"] == "N"
        assert rows["article_links"] == "u  L" and rows["toggle_ranking"] == "T"
        assert rows["command_line"] == ":" and rows["refresh_feeds"] == "r  R"
        assert app.screen.rows[0][0] == 'keys = "newsboat"'


async def test_default_keys_keep_n_p_and_add_N_P_for_unread(paths: Paths) -> None:
    app = ReaderApp(paths)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_ready(pilot)
        await pilot.press("n")
        await wait_for(pilot, lambda: showing(app, SECOND))
        await pilot.press("P")  # back to the newest: unread
        await wait_for(pilot, lambda: showing(app, NEWEST))
        await pilot.press("question_mark")
        rows = {binding_id: keys for keys, _, binding_id in app.screen.rows if binding_id}
        assert rows["next_story"] == "n" and rows["undo"] == "U  ^z"


async def test_J_K_step_through_the_feeds(paths: Paths) -> None:
    with Store(paths) as store:
        for site in ("Alpha Post", "Beta News"):
            store.save_pages([(f"{site}/1", "h", Page(title=f"{site} story", site=site))])
    app = ReaderApp(paths)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_ready(pilot)
        with Store(paths) as store:
            order = [site for site, _, _ in store.sites()]
        await pilot.press("J")
        await wait_for(pilot, lambda: stories(app).query_state.filter.site == order[0])
        await pilot.press("J")
        await wait_for(pilot, lambda: stories(app).query_state.filter.site == order[1])
        await pilot.press("K")
        await wait_for(pilot, lambda: stories(app).query_state.filter.site == order[0])


async def test_U_undoes_a_mark_all_read_exactly(paths: Paths) -> None:
    app = ReaderApp(paths)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_ready(pilot)
        await pilot.press("n")  # opening the second story marks it read
        await wait_for(pilot, lambda: showing(app, SECOND) and app.reading.story.read)
        await pilot.press("A")
        await wait_for(pilot, lambda: isinstance(app.screen, Confirm))
        await pilot.press("y")
        await wait_for(pilot, lambda: app.reading.counts_line.startswith("14 stories · 0 unread"))
        await pilot.press("U")
        await wait_for(pilot, lambda: app.reading.counts_line.startswith("14 stories · 13 unread"))
        assert "undone: 13 stories marked unread again" in _messages(app)
        with Store(paths) as store:
            assert [s.title for s in store.list_stories() if s.read] == [SECOND]
        await wait_for(pilot, lambda: not any(s.read for s in _shown(app) if s.title != SECOND))
        await pilot.press("ctrl+z")  # undone once: nothing more
        await wait_for(pilot, lambda: "Nothing to undo." in _messages(app))


async def test_ctrl_z_undoes_a_bookmark(paths: Paths) -> None:
    app = ReaderApp(paths)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_ready(pilot)
        await pilot.press("b")
        await wait_for(pilot, lambda: app.reading.story.bookmarked)
        await pilot.press("ctrl+z")
        await wait_for(pilot, lambda: not app.reading.story.bookmarked)
        with Store(paths) as store:
            assert store.count(StoryFilter(bookmarked=True)) == 0


def _shown(app: ReaderApp) -> list:
    rows = stories(app)
    return [story for i in range(rows.count) if (story := rows.story_at(i)) is not None]


def _messages(app: ReaderApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


def test_the_help_lists_the_feed_lists_keys_as_bound() -> None:
    from textual.binding import Binding

    from reader.app.keys import help_rows

    def shown(binding: Binding) -> str:
        return binding.key

    rows = help_rows({"feeds_add": "plus"}, shown)
    by_id = {binding_id: keys for keys, _, binding_id in rows if binding_id}
    assert by_id["feeds_add"] == "plus"
    assert by_id["feeds_remove"] == "d"
    assert by_id["feeds_refresh"] == "r"
