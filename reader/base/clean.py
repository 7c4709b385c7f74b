"""Text cleaning shared by every ingest format.

Everything that comes from a page is untrusted. ``clean_text`` removes what must
never reach a terminal: escape sequences with their payloads (CSI, OSC, DCS, APC,
PM, SOS, in their 7-bit ``ESC`` and 8-bit C1 forms), then C0 controls except
newline and tab, DEL, C1 controls and the Unicode bidi embeddings, overrides and
isolates. ``clean_line`` and ``clean_link`` do the same for one-line fields, and
are what the command line and the app apply to every string they print or copy.
``title_key`` folds a headline so that the same title written with other case,
punctuation, quotes, dashes or diacritics matches.
"""

from __future__ import annotations

import re
import unicodedata

# C0 except \t and \n, DEL, C1; plus bidi embeddings/overrides/isolates (Trojan Source).
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_NEWLINES = re.compile("\r\n?|[\u2028\u2029\x85]")

# Escape sequences go with their payloads, so no "[2J", "tmux;" or "Gf=100;AAAA" debris
# is left behind, and each is bounded, so that a stray introducer removes only itself:
# - CSI: ESC [, at most 64 parameter and 8 intermediate bytes, a final byte;
# - the short forms: ESC, intermediates, a final byte (ESC ( B, ESC 7, ESC c...);
# - control strings: OSC (ESC ]), DCS (ESC P), SOS (ESC X), PM (ESC ^) and APC (ESC _),
#   up to ST (ESC \; BEL ends an OSC too). As in a terminal's parser, any other ESC ends
#   the string; and the string must end within its line and within MAX_STRING_PAYLOAD
#   characters. A string that does not end so is not one: only its introducer goes, and
#   the text after it stays. (A terminal would swallow everything up to a terminator
#   wherever it is; a page must not lose its next paragraphs, or a one-line minified
#   HTML page its whole article, to a stray ESC ] that a BEL further on happens to end.)
# - tmux passthrough (ESC P tmux; then the wrapped sequence with every ESC doubled, then
#   ST): the DCS ends at the doubled ESC and the wrapped sequence, whose ST is doubled
#   too, goes on its own; then the outer ST.
# The 8-bit forms (U+009B CSI, U+009D OSC, U+0090 DCS, U+0098 SOS, U+009E PM, U+009F APC,
# U+009C ST) are first rewritten as their 7-bit equivalents. A payload holds no ESC, so
# no attempt to match reads past the next ESC: one pass, linear in the text, and since
# every alternative starts with a literal ESC the engine skips to each as fast as
# str.find.

MAX_STRING_PAYLOAD = 4096
"""The longest control-string payload removed whole: kitty's graphics protocol sends
images in chunks of at most 4096 bytes, and hyperlinks (OSC 8), titles and tmux
passthrough are far shorter. A longer one (a sixel image) loses only its introducer and
leaves printable debris on its own line: ugly but harmless."""

_C1_AS_7_BIT = {
    "\x9b": "\x1b[",
    "\x9d": "\x1b]",
    "\x90": "\x1bP",
    "\x98": "\x1bX",
    "\x9e": "\x1b^",
    "\x9f": "\x1b_",
    "\x9c": "\x1b\\",
}
_ST = "\x1b\x1b?\\\\"  # ESC \, or ESC ESC \ inside tmux passthrough
_SEQUENCE = re.compile(
    "\x1b(?:"
    "\\[[0-?]{0,64}[ -/]{0,8}[@-~]"  # CSI
    f"|\\][^\x1b\x07\n]{{0,{MAX_STRING_PAYLOAD}}}(?:\x07|{_ST})"  # OSC
    f"|P[^\x1b\n]{{0,{MAX_STRING_PAYLOAD}}}(?:{_ST}|\x1b(?=\x1b))"  # DCS, tmux passthrough
    f"|[_^X][^\x1b\n]{{0,{MAX_STRING_PAYLOAD}}}{_ST}"  # APC, PM, SOS
    "|[ -/]{1,8}[0-~]"  # ESC ( B
    "|[0-OQ-WYZ`-~]"  # ESC 7, ESC M, ESC c: any final byte but an introducer's or ST's
    "|[\\[\\]P_^X\\\\]"  # an introducer whose sequence never ends, an ST with nothing open
    ")"
)


def clean_text(text: str) -> str:
    """Normalise line ends to ``\\n``; remove escape sequences and control characters."""
    if "\r" in text or "\u2028" in text or "\u2029" in text or "\x85" in text:
        text = _NEWLINES.sub("\n", text)
    # Everything unsafe is a control (Cc) or format (Cf) character, which str.isprintable
    # rejects: that check runs in C, many times faster than any regex, so text with nothing
    # to remove (nearly all of it) costs one pass.
    if text.replace("\n", " ").replace("\t", " ").isprintable() or not _UNSAFE.search(text):
        return text  # (the second: text with a no-break space, say, but nothing unsafe)
    for c1, seven_bit in _C1_AS_7_BIT.items():
        if c1 in text:
            text = text.replace(c1, seven_bit)
    if "\x1b" in text:
        text = _SEQUENCE.sub("", text)
    return _UNSAFE.sub("", text)


def clean_line(text: str) -> str:
    """``clean_text`` for a one-line field (a title, a site, a message): runs of
    whitespace, newlines and tabs included, become one space."""
    return " ".join(clean_text(text).split())


def clean_link(link: str) -> str:
    """``clean_text`` for a URL (or a path): tabs and newlines are dropped, as a browser's
    URL parser drops them, and leading and trailing spaces go; a link with nothing to
    remove is returned as it is."""
    if link.isprintable():
        return link
    return clean_text(link).replace("\n", "").replace("\t", "").strip()


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
