"""Pictures through Kitty's graphics protocol: what is written to the terminal (whole
escape sequences, a PNG of the right size, tmux's passthrough), the placeholder cells
that show it, which terminals get it, and the app drawing with it."""

from __future__ import annotations

import base64
import io
import re

from PIL import Image
from rich.cells import cell_len
from test_pictures import FIRST, SECOND, Served, _no_pictures_running, served, subscribed

from reader.app.app import ReaderApp
from reader.app.graphics import (
    CELL_PIXELS,
    PLACEHOLDER,
    HalfCells,
    Kitty,
    choose,
    painter_for,
    placeholder_strips,
)
from reader.base.config import load_config
from reader.base.paths import Paths

from app_helpers import article, showing, wait_for, wait_ready

__all__ = ["served", "subscribed"]  # the picture server's fixtures, used here too

APC = re.compile(r"\x1b_G([^;\x1b]*)(?:;([A-Za-z0-9+/=]*))?\x1b\\")


def commands(written: list[str]) -> list[tuple[dict[str, str], str]]:
    """Each write as (keys, payload); every write must be one whole sequence."""
    out = []
    for sequence in written:
        found = APC.fullmatch(sequence)
        assert found is not None, sequence[:80]
        keys = dict(pair.split("=", 1) for pair in found.group(1).split(","))
        out.append((keys, found.group(2) or ""))
    return out


def picture(size: tuple[int, int]) -> Image.Image:
    return Image.new("RGB", size, (200, 40, 40))


def test_which_terminals_get_kittys_protocol() -> None:
    assert choose(None, {"TERM": "xterm-kitty"}) == "kitty"
    assert choose(True, {"TERM": "xterm-256color", "KITTY_WINDOW_ID": "3"}) == "kitty"
    assert choose("auto", {"TERM": "xterm-ghostty"}) == "kitty"
    assert choose(None, {"TERM_PROGRAM": "ghostty"}) == "kitty"
    assert choose(None, {"TERM": "xterm-256color"}) == "blocks"
    # tmux passes the protocol on only with allow-passthrough: half cells unless asked
    assert choose(None, {"TERM": "xterm-kitty", "TMUX": "/tmp/tmux-0/default,1,0"}) == "blocks"
    assert choose("kitty", {"TERM": "screen"}) == "kitty"
    assert choose("blocks", {"TERM": "xterm-kitty"}) == "blocks"
    assert isinstance(painter_for("blocks", {"TERM": "xterm-kitty"}), HalfCells)
    assert isinstance(painter_for(None, {"TERM": "xterm-kitty"}), Kitty)


def test_the_setting_takes_the_ways_of_drawing(tmp_path) -> None:
    path = tmp_path / "config.toml"
    for value in ("auto", "kitty", "blocks"):
        path.write_text(f'pictures = "{value}"\n')
        assert load_config(path).pictures == value
    path.write_text('pictures = "sixel"\n')
    config = load_config(path)
    assert config.pictures is None
    assert "'pictures' must be" in config.problems[0]


def test_a_picture_is_sent_whole_as_a_png_with_a_virtual_placement() -> None:
    written: list[str] = []
    kitty = Kitty(write=written.append)
    rows = kitty.strips(picture((3000, 2000)), 60, 18, (0, 0, 0))
    sent = commands(written)
    first, _ = sent[0]
    assert first["a"] == "T" and first["U"] == "1" and first["f"] == "100"
    assert (first["c"], first["r"]) == ("60", "18")
    image_id = int(first["i"])
    assert 0 < image_id < 1 << 24
    assert [keys["m"] for keys, _ in sent] == ["1"] * (len(sent) - 1) + ["0"]
    assert all(len(payload) <= 4096 for _, payload in sent)
    assert all(set(keys) <= {"m", "q"} for keys, _ in sent[1:])  # only the first has keys
    png = Image.open(io.BytesIO(base64.b64decode("".join(p for _, p in sent))))
    assert png.format == "PNG"
    assert png.width <= 60 * CELL_PIXELS[0] and png.height <= 18 * CELL_PIXELS[1]
    assert abs(png.width / png.height - 1.5) < 0.01  # shrunk, not stretched
    # The rows: placeholders numbering each cell, coloured with the picture's id.
    assert len(rows) == 18
    for strip in rows:
        assert strip.cell_length == 60
        (segment,) = list(strip)
        assert cell_len(segment.text) == 60
        assert segment.text.count(PLACEHOLDER) == 60
        assert segment.style is not None and segment.style.color is not None
        red, green, blue = segment.style.color.get_truecolor()
        assert (red << 16) | (green << 8) | blue == image_id
    assert len({strip.text.split(PLACEHOLDER)[1][0] for strip in rows}) == 18  # row marks
    cells = rows[2].text.split(PLACEHOLDER)[1:]
    assert len({cell[0] for cell in cells}) == 1  # the same row mark across the row
    assert len({cell[1] for cell in cells}) == 60  # a column mark each


def test_a_small_picture_is_sent_at_its_own_size() -> None:
    written: list[str] = []
    Kitty(write=written.append).strips(picture((40, 30)), 4, 2, (0, 0, 0))
    payload = "".join(p for _, p in commands(written))
    assert Image.open(io.BytesIO(base64.b64decode(payload))).size == (40, 30)


def test_forgetting_deletes_the_pictures_and_their_data() -> None:
    written: list[str] = []
    kitty = Kitty(write=written.append)
    for _ in range(2):
        kitty.strips(picture((100, 100)), 10, 5, (0, 0, 0))
    ids = [keys["i"] for keys, _ in commands(written) if keys.get("a") == "T"]
    written.clear()
    kitty.forget()
    assert [(k["a"], k["d"], k["i"]) for k, _ in commands(written)] == [("d", "I", i) for i in ids]
    written.clear()
    kitty.forget()
    assert written == []  # nothing twice


def test_inside_tmux_each_sequence_goes_through_its_passthrough() -> None:
    written: list[str] = []
    Kitty(write=written.append, tmux=True).strips(picture((50, 50)), 5, 3, (0, 0, 0))
    for sequence in written:
        assert sequence.startswith("\x1bPtmux;\x1b\x1b_G") and sequence.endswith("\x1b\\")
        inner = sequence[len("\x1bPtmux;") : -2].replace("\x1b\x1b", "\x1b")
        assert APC.fullmatch(inner)


def test_a_closed_terminal_leaves_the_rows_blank_and_the_app_running() -> None:
    def closed(text: str) -> None:
        raise OSError("Bad file descriptor")

    rows = Kitty(write=closed).strips(picture((100, 100)), 10, 5, (0, 0, 0))
    assert len(rows) == 5


def test_placeholders_stop_at_the_marks_there_are() -> None:
    rows = placeholder_strips(7, 3, 2)
    assert [strip.cell_length for strip in rows] == [3, 3]


async def test_the_app_draws_with_kittys_protocol(paths: Paths, subscribed: Served) -> None:
    written: list[str] = []
    app = ReaderApp(paths)
    async with app.run_test(size=(120, 60)) as pilot:
        view = article(app)
        view.painter = Kitty(write=written.append)
        await wait_ready(pilot)
        assert showing(app, FIRST)
        await wait_for(pilot, lambda: view.picture_rows > 0 and _no_pictures_running(app))
        sent = [keys for keys, _ in commands(written) if keys.get("a") == "T"]
        assert len(sent) == 2  # the PNG and the JPEG; the hostile ones sent nothing
        screen = "".join(
            "".join(segment.text for segment in view.render_line(y)) for y in range(60)
        )
        assert screen.count(PLACEHOLDER) == sum(int(k["c"]) * int(k["r"]) for k in sent)
        assert "▀" not in screen
        written.clear()
        await pilot.press("j", "enter")
        await wait_for(pilot, lambda: showing(app, SECOND))
        await wait_for(pilot, lambda: view.picture_rows > 0 and _no_pictures_running(app))
        done = commands(written)
        deleted = [keys["i"] for keys, _ in done if keys.get("a") == "d"]
        assert sorted(deleted) == sorted(keys["i"] for keys in sent)  # the first story's
        assert [keys["a"] for keys, _ in done if "a" in keys][-1] == "T"  # then its own
