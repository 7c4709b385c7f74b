"""Where a line of text may break, following Unicode's line breaking rules (UAX #14)
for Chinese, Japanese and Korean text: the part of them that text without spaces needs.

Text without CJK characters breaks after spaces, as everywhere else in the app; in
CJK text a line may also break between any two ideographs, kana or Hangul
syllables, except that no line begins with closing punctuation, a full stop or
comma, a small kana, a prolonged sound mark or an iteration mark (UAX #14 classes
CL, CP, EX, IS, NS), and no line ends with opening punctuation (OP). Two-dot and
three-dot leaders and doubled dashes stay together (IN, B2). Widths are in terminal
cells, measured by the ``cell_width`` the caller gives (the app gives rich's).

Pure functions, no imports beyond the standard library.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache

# Characters a line may not begin with: closing brackets and quotes (CL, CP), ! ? (EX),
# , . : ; (IS), and the non-starters (NS): small kana, ー, iteration marks, ‐ ゠ and
# the like. Western ones too, so that "(東京)" never leaves ")" alone at a line start.
NO_START = frozenset(
    "」』）】〕〉》〙〗〛｝］｣、。，．・：；？！‼⁇⁈⁉〟”’›»)]},.:;?!%"
    "ーヽヾゝゞ々〻ゕゖ"
    "ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿ"
    "ｧｨｩｪｫｬｭｮｯｰ゛゜‐゠–〜～℃°‰′″"
)
# Characters a line may not end with: opening brackets and quotes (OP, and the opening
# quotation marks that CJK text uses as brackets).
NO_END = frozenset("「『（【〔〈《〘〖〚｛［｢〝“‘‹«([{$£¥￥＄")
# Pairs that stay together: leaders (IN) and doubled dashes (B2).
_KEEP_TOGETHER = frozenset("…‥—")

_CJK = re.compile(
    "[\u1100-\u11ff\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3100-\u31ff\u3200-\u9fff"
    "\ua960-\ua97f\uac00-\ud7ff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0003ffff]"
)


def has_cjk(text: str) -> bool:
    """Whether ``text`` holds a CJK character (and so needs ``break_offsets``)."""
    return _CJK.search(text) is not None


@lru_cache(maxsize=4096)
def _breaks_around(char: str) -> bool:
    """Whether a line may break before or after ``char`` without a space (ID-like)."""
    return _CJK.match(char) is not None and not unicodedata.category(char).startswith("Z")


def default_cell_width(char: str) -> int:
    """Cells ``char`` takes in a terminal: 2 for wide East Asian characters, 0 for
    combining marks and format characters, else 1."""
    if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def may_break(before: str, after: str) -> bool:
    """Whether a line may end with ``before`` and the next begin with ``after``, two
    adjacent characters (spaces are handled by ``break_offsets``)."""
    if after in NO_START or before in NO_END:
        return False
    if before == after and before in _KEEP_TOGETHER:
        return False
    if before.isspace():
        return not after.isspace()
    if after.isspace():
        return False
    return _breaks_around(before) or _breaks_around(after)


def break_offsets(
    text: str, width: int, cell_width: Callable[[str], int] = default_cell_width
) -> list[int]:
    """Offsets in ``text`` (one line, no newlines) where each wrapped line after the
    first begins, so that every line fits in ``width`` cells.

    Spaces at the end of a line do not count (the caller strips them); a word or run
    of unbreakable text wider than ``width`` is folded where it reaches the edge.
    """
    width = max(width, 1)
    offsets: list[int] = []
    line_start = 0
    used = 0  # cells from line_start up to the current character, spaces included
    last_break = -1  # the latest offset after line_start where a line may begin
    used_at_break = 0  # cells of the line before last_break
    previous = ""
    for index, char in enumerate(text):
        if index > line_start and may_break(previous, char):
            last_break, used_at_break = index, used
        cells = cell_width(char)
        while used + cells > width and index > line_start and not char.isspace():
            if last_break > line_start:  # break at the latest opportunity
                offsets.append(last_break)
                line_start, used = last_break, used - used_at_break
                last_break = -1
            else:  # nowhere to break: fold here, or a character earlier before a closing one
                fold = index - 1 if text[index] in NO_START and index - 1 > line_start else index
                offsets.append(fold)
                line_start, used = fold, sum(cell_width(c) for c in text[fold:index])
        used += cells
        previous = char
    return offsets


def wrap_text(
    text: str, width: int, cell_width: Callable[[str], int] = default_cell_width
) -> list[str]:
    """``text`` wrapped to ``width`` cells, trailing spaces of each line removed."""
    cuts = [0, *break_offsets(text, width, cell_width), len(text)]
    return [text[start:end].rstrip() for start, end in zip(cuts, cuts[1:], strict=False)]
