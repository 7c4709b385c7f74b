"""Text cleaning shared by every ingest format.

Everything that comes from a page is untrusted. ``clean_text`` removes what must
never reach a terminal (C0 controls except newline and tab, DEL, C1 controls
including ESC-less CSI, and Unicode bidi overrides); ``title_key`` folds a headline
so that the same title written with other case, punctuation, quotes, dashes or
diacritics matches.
"""

from __future__ import annotations

import re
import unicodedata

# C0 except \t and \n, DEL, C1; plus bidi embeddings/overrides/isolates (Trojan Source).
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_NEWLINES = re.compile("\r\n?|[\u2028\u2029\x85]")
# Whole escape sequences go first, so no "[2J" debris is left behind: OSC (title,
# clipboard, hyperlinks) up to BEL or ST, then CSI, then any other two-byte ESC form.
_ESCAPES = re.compile(
    "\x1b\\][^\x07\x1b]*(?:\x07|\x1b\\\\)?|[\x1b\x9b]\\[?[0-?]*[ -/]*[@-~]|\x1b[@-Z\\\\-_]"
)


def clean_text(text: str) -> str:
    """Normalise line ends to ``\\n`` and strip control characters and ESC."""
    if "\r" in text or "\u2028" in text or "\u2029" in text or "\x85" in text:
        text = _NEWLINES.sub("\n", text)
    if "\x1b" in text or "\x9b" in text:
        text = _ESCAPES.sub("", text)
    # Everything unsafe is a control (Cc) or format (Cf) character, which str.isprintable
    # rejects: that check runs in C, many times faster than the regex.
    if text.replace("\n", " ").replace("\t", " ").isprintable():
        return text
    return _UNSAFE.sub("", text)


def clean_line(text: str) -> str:
    """``clean_text`` for a one-line field: newlines and tabs become spaces."""
    return " ".join(clean_text(text).split())


_NOT_WORD = re.compile(r"[\W_]+")
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def title_key(title: str) -> str:
    """A folded form of a title for matching headlines to stories.

    ``Río Grande rowers win ‘Café Cup’ — again`` and
    ``Rio Grande rowers win 'Cafe Cup' again`` have the same key.
    """
    if not title.isascii():
        title = _COMBINING.sub("", unicodedata.normalize("NFKD", title))
    return _NOT_WORD.sub(" ", title.casefold()).strip()
