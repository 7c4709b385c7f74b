"""How a picture reaches the terminal: half-cell blocks, or Kitty's graphics protocol.

Half cells (``pictures.picture_strips``) work in every colour terminal, tmux
included. Where the terminal speaks Kitty's graphics protocol (kitty, Ghostty), a
picture is sent once as a PNG with a *virtual placement* (``U=1``), and the article's
rows under its placeholder hold Kitty's Unicode placeholders: ``U+10EEEE`` with two
combining marks that say the cell's row and column, coloured with the picture's id.
Those are ordinary cells to Textual: they scroll, clip and repaint with the text, so
nothing is drawn outside Textual's frames. Only the picture's bytes go to the terminal
beside them, written whole, one escape sequence a call, to the stream Textual writes
its frames to.

Which one is used: ``pictures = "kitty"`` or ``"blocks"`` in config.toml, else Kitty's
protocol where the environment names a terminal that has it (``TERM=xterm-kitty``,
``KITTY_WINDOW_ID``, ``TERM=xterm-ghostty``) outside tmux, else half cells. Nothing is
asked of the terminal at start. Sixel is not used: a Sixel picture is pixels at the
cursor, which the next repaint of the cells under it erases.
"""

from __future__ import annotations

import base64
import io
import logging
import random
import sys
import threading
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Literal, Protocol

from rich.color import Color
from rich.segment import Segment
from rich.style import Style as RichStyle
from textual.strip import Strip

from reader.app.pictures import picture_strips

if TYPE_CHECKING:
    from PIL.Image import Image

log = logging.getLogger("reader.app")

Kind = Literal["blocks", "kitty"]
CHUNK = 4096
"""Base64 bytes in one escape sequence (the protocol's limit)."""
CELL_PIXELS = (16, 32)
"""Pixels sent a cell at most (Kitty scales the picture to its cells)."""
PLACEHOLDER = "\U0010eeee"
# Kitty's rowcolumn-diacritics.txt: the combining marks that number rows and columns.
_DIACRITICS = (
    "\u0305\u030d\u030e\u0310\u0312\u033d\u033e\u033f\u0346\u034a\u034b\u034c\u0350\u0351"
    "\u0352\u0357\u035b\u0363\u0364\u0365\u0366\u0367\u0368\u0369\u036a\u036b\u036c\u036d"
    "\u036e\u036f\u0483\u0484\u0485\u0486\u0487\u0592\u0593\u0594\u0595\u0597\u0598\u0599"
    "\u059c\u059d\u059e\u059f\u05a0\u05a1\u05a8\u05a9\u05ab\u05ac\u05af\u05c4\u0610\u0611"
    "\u0612\u0613\u0614\u0615\u0616\u0617\u0657\u0658\u0659\u065a\u065b\u065d\u065e\u06d6"
    "\u06d7\u06d8\u06d9\u06da\u06db\u06dc\u06df\u06e0\u06e1\u06e2\u06e4\u06e7\u06e8\u06eb"
    "\u06ec\u0730\u0732\u0733\u0735\u0736\u073a\u073d\u073f\u0740\u0741\u0743\u0745\u0747"
    "\u0749\u074a\u07eb\u07ec\u07ed\u07ee\u07ef\u07f0\u07f1\u07f3\u0816\u0817\u0818\u0819"
    "\u081b\u081c\u081d\u081e\u081f\u0820\u0821\u0822\u0823\u0825\u0826\u0827\u0829\u082a"
    "\u082b\u082c\u082d\u0951\u0953\u0954\u0f82\u0f83\u0f86\u0f87\u135d\u135e\u135f\u17dd"
    "\u193a\u1a17\u1a75\u1a76\u1a77\u1a78\u1a79\u1a7a\u1a7b\u1a7c\u1b6b\u1b6d\u1b6e\u1b6f"
    "\u1b70\u1b71\u1b72\u1b73\u1cd0\u1cd1\u1cd2\u1cda\u1cdb\u1ce0\u1dc0\u1dc1\u1dc3\u1dc4"
    "\u1dc5\u1dc6\u1dc7\u1dc8\u1dc9\u1dcb\u1dcc\u1dd1\u1dd2\u1dd3\u1dd4\u1dd5\u1dd6\u1dd7"
    "\u1dd8\u1dd9\u1dda\u1ddb\u1ddc\u1ddd\u1dde\u1ddf\u1de0\u1de1\u1de2\u1de3\u1de4\u1de5"
    "\u1de6\u1dfe\u20d0\u20d1\u20d4\u20d5\u20d6\u20d7\u20db\u20dc\u20e1\u20e7\u20e9\u20f0"
)
MAX_CELLS = len(_DIACRITICS)
"""The most rows or columns a placeholder can number."""


def choose(setting: bool | str | None, environ: Mapping[str, str]) -> Kind:
    """The way pictures are drawn for config.toml's ``pictures`` and the environment."""
    if setting == "kitty":
        return "kitty"
    if setting == "blocks":
        return "blocks"
    if "TMUX" in environ:  # tmux passes Kitty's sequences on only when told to
        return "blocks"
    term = environ.get("TERM", "")
    if term in ("xterm-kitty", "xterm-ghostty") or "KITTY_WINDOW_ID" in environ:
        return "kitty"
    if environ.get("TERM_PROGRAM", "").lower() == "ghostty":
        return "kitty"
    return "blocks"


class Painter(Protocol):
    """Turns a decoded picture into the rows that show it, and lets go of them."""

    def strips(
        self, picture: Image, cols: int, rows: int, background: tuple[int, int, int]
    ) -> list[Strip]:
        """``picture`` in ``cols`` × ``rows`` cells (on a worker thread)."""
        ...

    def forget(self) -> None:
        """The pictures drawn so far are no longer on show."""
        ...


class HalfCells:
    """Half-cell blocks: two pixels a cell, in the cells' colours."""

    def strips(
        self, picture: Image, cols: int, rows: int, background: tuple[int, int, int]
    ) -> list[Strip]:
        return picture_strips(picture, cols, rows, background)

    def forget(self) -> None:
        return None


def stderr_write(text: str) -> None:
    """Write to the stream Textual writes its frames to, whole, then flush."""
    stream = sys.__stderr__
    if stream is None:
        raise OSError("the terminal's stream is closed")
    stream.write(text)
    stream.flush()


class Kitty:
    """Kitty's graphics protocol with Unicode placeholders.

    ``write`` takes one whole escape sequence a call (``stderr_write`` in the app);
    ``tmux`` wraps each in tmux's passthrough (it needs ``allow-passthrough on``).
    """

    def __init__(self, write: Callable[[str], None] = stderr_write, tmux: bool = False) -> None:
        self._write = write
        self._tmux = tmux
        self._sent: list[int] = []
        self._lock = threading.Lock()
        self._next_id = random.randrange(1, 1 << 23)

    def strips(
        self, picture: Image, cols: int, rows: int, background: tuple[int, int, int]
    ) -> list[Strip]:
        cols, rows = min(cols, MAX_CELLS), min(rows, MAX_CELLS)
        image_id = self._new_id()
        self._send_picture(image_id, picture, cols, rows)
        return placeholder_strips(image_id, cols, rows)

    def forget(self) -> None:
        with self._lock:
            sent, self._sent = self._sent, []
        for image_id in sent:  # the picture's data too (d=I), so the terminal frees it
            self._command(f"a=d,d=I,i={image_id},q=2")

    def _new_id(self) -> int:
        with self._lock:
            image_id = self._next_id
            self._next_id = self._next_id % ((1 << 24) - 1) + 1
            self._sent.append(image_id)
        return image_id

    def _send_picture(self, image_id: int, picture: Image, cols: int, rows: int) -> None:
        payload = base64.standard_b64encode(png_for(picture, cols, rows)).decode("ascii")
        first = True
        for start in range(0, len(payload), CHUNK):
            more = int(start + CHUNK < len(payload))
            chunk = payload[start : start + CHUNK]
            if first:
                keys = f"a=T,U=1,f=100,i={image_id},c={cols},r={rows},q=2,m={more}"
                first = False
            else:
                keys = f"m={more},q=2"
            self._command(keys, chunk)

    def _command(self, keys: str, payload: str = "") -> None:
        sequence = f"\x1b_G{keys};{payload}\x1b\\" if payload else f"\x1b_G{keys}\x1b\\"
        if self._tmux:
            sequence = "\x1bPtmux;" + sequence.replace("\x1b", "\x1b\x1b") + "\x1b\\"
        try:
            self._write(sequence)
        except (OSError, ValueError) as exc:  # a closed terminal: the rows stay blank
            log.info("pictures: the terminal took no picture: %r", exc)


def png_for(picture: Image, cols: int, rows: int) -> bytes:
    """``picture`` as a PNG no bigger than ``cols`` × ``rows`` cells need."""
    from PIL import Image as PILImage

    most = (cols * CELL_PIXELS[0], rows * CELL_PIXELS[1])
    if picture.width > most[0] or picture.height > most[1]:
        picture = picture.copy()
        picture.thumbnail(most, PILImage.Resampling.LANCZOS)
    if picture.mode not in ("RGB", "RGBA"):
        picture = picture.convert("RGBA" if "transparency" in picture.info else "RGB")
    out = io.BytesIO()
    picture.save(out, format="PNG", compress_level=1)
    return out.getvalue()


def placeholder_strips(image_id: int, cols: int, rows: int) -> list[Strip]:
    """The rows of Unicode placeholders that show picture ``image_id``: each cell says
    its row and column; the colour says the picture (24 bits)."""
    style = RichStyle(
        color=Color.from_rgb((image_id >> 16) & 255, (image_id >> 8) & 255, image_id & 255)
    )
    strips = []
    for row in range(rows):
        mark = _DIACRITICS[row]
        text = "".join(PLACEHOLDER + mark + _DIACRITICS[col] for col in range(cols))
        strips.append(Strip([Segment(text, style)], cols))
    return strips


def painter_for(setting: bool | str | None, environ: Mapping[str, str]) -> Painter:
    """The painter the app uses for config.toml's ``pictures``."""
    kind = choose(setting, environ)
    if kind == "kitty":
        return Kitty(tmux="TMUX" in environ)
    return HalfCells()
