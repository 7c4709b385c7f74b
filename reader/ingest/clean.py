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
    return _UNSAFE.sub("", _ESCAPES.sub("", _NEWLINES.sub("\n", text)))


def clean_line(text: str) -> str:
    """``clean_text`` for a one-line field: newlines and tabs become spaces."""
    return " ".join(clean_text(text).split())


_NOT_WORD = re.compile(r"[\W_]+")


def title_key(title: str) -> str:
    """A folded form of a title for matching headlines to stories.

    ``Río Grande rowers win ‘Café Cup’ — again`` and
    ``Rio Grande rowers win 'Cafe Cup' again`` have the same key.
    """
    decomposed = unicodedata.normalize("NFKD", title)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NOT_WORD.sub(" ", stripped.casefold()).strip()
