"""The reading layout, driven with Pilot: reading mode (z), ``text_width``, the story
list's site and date columns, undated stories."""

from __future__ import annotations

from pathlib import Path

from reader.app.app import ReaderApp
from reader.base.config import load_config
from reader.base.models import Page
from reader.base.paths import Paths
from reader.store import Store

from app_helpers import article, stories, wait_for, wait_ready


def _config(paths: Paths, text: str) -> ReaderApp:
    paths.config_file.parent.mkdir(parents=True, exist_ok=True)
    paths.config_file.write_text(text, encoding="utf-8")
    return ReaderApp(paths)


def _list_lines(app: ReaderApp) -> list[str]:
    view = stories(app)
    return [view.render_line(y).text for y in range(min(view.count, view.size.height))]


async def test_z_gives_the_article_the_whole_width_and_back(paths: Paths) -> None:
    app = ReaderApp(paths)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_ready(pilot)
        side = app.reading.query_one("#side")
        narrow = article(app).region.width
        assert stories(app).region.width > 0 and side.region.width > 0
        await pilot.press("z")
        await wait_for(pilot, lambda: article(app).region.width == 160)
        assert stories(app).region.width == 0 and side.region.width == 0
        assert app.focused is article(app)
        # the article is wrapped again to the new width
        await wait_for(pilot, lambda: article(app).rendered.width > narrow)
        assert max(len(line) for line in article(app).plain_lines) > narrow
        await pilot.press("n")  # keys keep working in the wide view
        await wait_for(pilot, lambda: stories(app).cursor == 1)
        await pilot.press("z")
        await wait_for(pilot, lambda: article(app).region.width == narrow)
        assert stories(app).region.width > 0 and side.region.width > 0


async def test_z_on_a_narrow_screen_hides_whichever_list_shows(paths: Paths) -> None:
    app = ReaderApp(paths)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_ready(pilot)
        await pilot.press("l", "z")
        await wait_for(pilot, lambda: article(app).region.width == 80)
        assert app.reading.query_one("#side").region.width == 0
        await pilot.press("z")
        await wait_for(pilot, lambda: article(app).region.width < 80)
        assert app.reading.query_one("#side").region.width > 0


async def test_text_width_caps_the_article_lines(paths: Paths) -> None:
    app = _config(paths, "text_width = 40\n")
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_ready(pilot)
        lines = article(app).plain_lines
        assert max(len(line) for line in lines) <= 40
        assert max(len(line) for line in lines) >= 35  # the cap, not the pane
        await pilot.press("z")  # wider pane: still the cap
        await wait_for(pilot, lambda: article(app).region.width == 160)
        await pilot.pause(0.2)
        assert max(len(line) for line in article(app).plain_lines) <= 40


def test_text_width_setting_is_read_and_checked(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("text_width = 72\n", encoding="utf-8")
    assert load_config(path).text_width == 72
    assert not load_config(path).problems
    path.write_text('text_width = "wide"\n', encoding="utf-8")
    config = load_config(path)
    assert config.text_width == 0
    assert config.problems == [f"{path}: 'text_width' must be a whole number (0: no limit)"]
    path.write_text("text_width = -3\n", encoding="utf-8")
    assert load_config(path).problems


async def test_the_list_shows_the_site_when_wide_and_more_title_when_narrow(
    paths: Paths,
) -> None:
    app = ReaderApp(paths)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_ready(pilot)
        first = _list_lines(app)[0]
        assert first.rstrip().endswith("Northwind Daily")  # the site, after the title
        assert "Early Heatwave" in first
    app = ReaderApp(paths)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_ready(pilot)
        first = _list_lines(app)[0]
        assert "05/27 Early Heatwave Expect" in first  # 21 characters of title or more
        assert "Northwind" not in first


async def test_undated_stories_say_so_in_the_list_and_the_article(paths: Paths) -> None:
    url = "https://undated.example/notes/harbour.html"
    page = Page(title="Harbour notes without a date", site="Undated Notes", body="Text.")
    with Store(paths) as store:
        store.save_pages([(url, "undated", page)])
    app = ReaderApp(paths)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_ready(pilot)
        lines = _list_lines(app)
        row = next(line for line in lines if "Harbour notes" in line)
        assert row.startswith("●    —   Harbour notes")  # a dash where the date goes
        today = __import__("datetime").date.today().isoformat()
        assert today not in row  # not its ingest time shown as a date
        index = next(i for i, line in enumerate(lines) if "Harbour notes" in line)
        stories(app).open_index(index)
        await wait_for(
            pilot,
            lambda: any("Harbour notes" in line for line in article(app).plain_lines),
        )
        assert "Undated Notes · undated" in article(app).plain_lines[2]
