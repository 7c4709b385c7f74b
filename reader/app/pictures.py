"""Pictures in the article pane: which placeholders become pictures, and how they draw.

The article's lines stay as ``article_render`` wraps them, each picture's placeholder
(``[image 3: A heron on the quay]``) included: it is the caption. A picture is a block
of rows drawn under its placeholder's line, made here as ``Strip``s of half-cell
blocks (``▀`` in two colours: two pixels a cell), which every colour terminal shows,
tmux included. Pictures need the optional ``images`` extra (Pillow); without it the
article shows the placeholders, as it always did.

Half cells need nothing from the terminal. textual-image, which also speaks Kitty's
graphics protocol and Sixel, asks the terminal what it can draw when it is imported
(before Textual starts: about 0.2 s at every start in tmux, and a ZeroDivisionError
in a terminal that reports no size), and its renderers for those protocols write
to the terminal themselves, outside Textual's frames; drawing half cells here keeps
the start as it was and the pictures inside the line-API view.
"""

from __future__ import annotations

import bisect
import concurrent.futures
import logging
import math
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

from rich.color import Color
from rich.segment import Segment
from rich.style import Style as RichStyle
from textual.content import Content
from textual.strip import Strip

from reader.base.config import Config
from reader.base.errors import FetchError, FetchRefused, ImageError
from reader.plumbing.fetch import PUBLIC_ONLY, FetchPolicy, Origin
from reader.plumbing.images import ImageCache, decode_image, fetch_image

if TYPE_CHECKING:
    from PIL.Image import Image

log = logging.getLogger("reader.app")

CACHE_FOLDER = "images"
"""The pictures' folder in the home's cache folder."""
MAX_ROWS = 18
"""The most rows a picture takes."""
MAX_PER_STORY = 24
"""Pictures shown for one story, from the top; the rest keep their placeholders."""
MIN_PIXELS = 16
"""A picture narrower or lower than this (a spacer, a tracking pixel) is not drawn."""
CELL_PIXELS = 10
"""The width of a terminal cell in pixels, for the size a small picture is shown at."""
MEMO_SIZE = 32
"""Decoded pictures kept in memory (a re-wrap or a theme change draws them again)."""


def installed() -> bool:
    """Whether the ``images`` extra (Pillow) can be imported (its top-level package,
    a few lines: the decoders come when the first picture does)."""
    try:
        import PIL  # noqa: F401
    except ImportError:
        return False
    return True


def wanted(config: Config) -> bool:
    """Whether the article shows pictures: the extra is installed and the setting
    (``pictures`` in config.toml, on by default) does not turn them off."""
    return config.pictures is not False and installed()


@dataclass(frozen=True)
class Spot:
    """A picture's placeholder in the article: the line it ends on (the picture goes
    under it), its link number, the picture's URL."""

    line: int
    number: int
    url: str


def find_spots(lines: list[Content], links: list[tuple[str, str]], base: str | None) -> list[Spot]:
    """The pictures of an article, in order: where each ``[image N: alt]`` placeholder
    ends (it may wrap over lines) and the picture's absolute http(s) URL (resolved
    against ``base``)."""
    text = "\n".join(line.plain for line in lines)
    starts = [0]
    for line in lines[:-1]:
        starts.append(starts[-1] + len(line.plain) + 1)
    spots: list[Spot] = []
    position = 0
    tried = 0
    for number, (label, src) in enumerate(links, 1):
        if label != "image" and not label.startswith("image: "):
            continue
        tried += 1
        if tried > 2 * MAX_PER_STORY:  # a page of a thousand pictures: the first ones
            break
        url = urljoin(base, src) if base else src
        if urlsplit(url).scheme.lower() not in ("http", "https"):
            continue
        found = re.compile(rf"\[image\s+{number}[:\]]").search(text, position)
        if found is None:
            continue
        placeholder = f"[image {number}: {label[7:]}]" if label != "image" else f"[image {number}]"
        end = _after(text, found.start(), sum(not ch.isspace() for ch in placeholder))
        spots.append(Spot(bisect.bisect_right(starts, end - 1) - 1, number, url))
        position = end
        if len(spots) == MAX_PER_STORY:
            break
    return spots


def _after(text: str, start: int, visible: int) -> int:
    """The offset in ``text`` just after ``visible`` non-space characters from ``start``
    (wrapping changes only the spaces of a placeholder)."""
    position = start
    while visible and position < len(text):
        visible -= not text[position].isspace()
        position += 1
    return position


def picture_size(width_px: int, height_px: int, room: int) -> tuple[int, int] | None:
    """Columns and rows for a picture of ``width_px`` × ``height_px`` in ``room``
    columns: its natural size or less, at most ``MAX_ROWS``; None for a tiny one."""
    if width_px < MIN_PIXELS or height_px < MIN_PIXELS or room < 1:
        return None
    cols = min(room, math.ceil(width_px / CELL_PIXELS))
    rows = max(1, round(cols * height_px / width_px / 2))  # a cell is two pixels high
    if rows > MAX_ROWS:
        rows = MAX_ROWS
        cols = max(1, min(room, round(rows * 2 * width_px / height_px)))
    return cols, rows


def picture_strips(
    picture: Image, cols: int, rows: int, background: tuple[int, int, int]
) -> list[Strip]:
    """``picture`` drawn in ``cols`` × ``rows`` cells of half blocks, as strips: each
    cell's foreground is its upper pixel, its background the lower one.

    The picture is resized (area averaging) to exactly two pixels a cell;
    transparent parts show ``background``.
    """
    from PIL import Image as PILImage

    if picture.mode == "RGBA":
        flat = PILImage.new("RGB", picture.size, background)
        flat.paste(picture, mask=picture.getchannel("A"))
        picture = flat
    elif picture.mode != "RGB":
        picture = picture.convert("RGB")
    data = picture.resize((cols, rows * 2), PILImage.Resampling.BOX).tobytes()
    styles: dict[bytes, RichStyle] = {}
    strips = []
    line = cols * 3
    for row in range(rows):
        upper, lower = row * 2 * line, (row * 2 + 1) * line
        segments = []
        for x in range(0, line, 3):
            key = data[upper + x : upper + x + 3] + data[lower + x : lower + x + 3]
            style = styles.get(key)
            if style is None:
                style = styles[key] = RichStyle(
                    color=Color.from_rgb(*key[:3]), bgcolor=Color.from_rgb(*key[3:])
                )
            segments.append(Segment("▀", style))
        strips.append(Strip(segments, cols).simplify())
    return strips


class Blocks:
    """The pictures on show in an article: each one's rows under its placeholder's
    line, and the view's rows mapped to the article's lines around them."""

    def __init__(self) -> None:
        self._rows: dict[int, list[Strip]] = {}

    def __bool__(self) -> bool:
        return bool(self._rows)

    @property
    def rows(self) -> int:
        """Rows the pictures take."""
        return sum(len(rows) for rows in self._rows.values())

    def lines(self) -> list[int]:
        """The placeholders' lines that have their picture under them."""
        return sorted(self._rows)

    def put(self, line: int, rows: list[Strip]) -> int:
        """Show ``rows`` under ``line`` (in place of what was there); returns how many
        rows more the article has."""
        grown = len(rows) - len(self._rows.get(line, []))
        self._rows[line] = rows
        return grown

    def locate(self, row: int) -> tuple[int, Strip | None]:
        """What the view's row ``row`` shows: ``(line, None)`` for a line of text, or
        ``(the placeholder's line, strip)`` for a row of a picture."""
        shift = 0
        for line in sorted(self._rows):
            rows = self._rows[line]
            start = line + 1 + shift
            if row < start:
                break
            if row < start + len(rows):
                return line, rows[row - start]
            shift += len(rows)
        return row - shift, None

    def row_of(self, line: int) -> int:
        """The view's row that shows ``line`` (the pictures above push it down)."""
        return line + sum(len(rows) for above, rows in self._rows.items() if above < line)


class Pictures:
    """The pictures the article pane shows: fetched on demand into the capped cache,
    decoded, and the last few kept in memory. Used from one worker thread at a time.

    A picture may come from a private address (a feed served on this machine) only
    on the origin of a feed the user subscribed to; ``named`` lists those feeds' URLs
    (it runs on the worker thread, and may ask a store thread).
    """

    def __init__(self, folder: Path, named: Callable[[], Iterable[str]]) -> None:
        self.cache = ImageCache(folder)
        self._named = named
        self._trusted: frozenset[Origin] = frozenset()
        self._memo: OrderedDict[str, Image] = OrderedDict()
        self._failed: dict[str, str] = {}
        self._lock = threading.Lock()

    def begin(self) -> None:
        """Before a story's pictures: read which origins the user named (feeds may have
        been added since the last story)."""
        try:
            named = list(self._named())
        except (concurrent.futures.CancelledError, TimeoutError) as exc:  # the app is closing
            log.info("pictures: the feeds could not be read: %r", exc)
            return
        origins = set()
        for url in named:
            try:
                origins.add(Origin.of(url))
            except FetchError:
                continue
        self._trusted = frozenset(origins)

    def picture_unless(self, url: str, cancelled: Callable[[], bool]) -> Image | None:
        """``picture(url)`` on a daemon thread of its own, given up (None) as soon as
        ``cancelled()`` says so: a slow server never holds up the app's exit (the
        download ends with its time-out, or with the process)."""
        outcome: list[Image | BaseException] = []
        done = threading.Event()

        def run() -> None:
            try:
                outcome.append(self.picture(url))
            except BaseException as exc:  # handed to the caller's thread, raised there
                outcome.append(exc)
            finally:
                done.set()

        threading.Thread(target=run, name="reader-picture", daemon=True).start()
        while not done.wait(0.05):
            if cancelled():
                return None
        if isinstance(outcome[0], BaseException):
            raise outcome[0]
        return outcome[0]

    def picture(self, url: str) -> Image:
        """The picture at ``url``, decoded; ``FetchError`` (or ``ImageError``) says why not.
        A picture that failed is not asked for again while the app runs."""
        with self._lock:
            if url in self._memo:
                self._memo.move_to_end(url)
                return self._memo[url]
            if url in self._failed:
                raise ImageError(self._failed[url])
        try:
            data = fetch_image(url, self.cache, policy=self._policy(url))
            try:
                picture = decode_image(data)
            except ImageError:
                self.cache.drop(url)  # nothing kept of what does not decode
                raise
        except (ImageError, FetchRefused) as exc:  # not worth another try; a time-out is
            with self._lock:
                self._failed[url] = str(exc)
            raise
        with self._lock:
            self._memo[url] = picture
            while len(self._memo) > MEMO_SIZE:
                self._memo.popitem(last=False)
        return picture

    def _policy(self, url: str) -> FetchPolicy:
        try:
            origin = Origin.of(url)
        except FetchError:
            return PUBLIC_ONLY  # the fetch says why it can't be had
        return FetchPolicy(origin) if origin in self._trusted else PUBLIC_ONLY
