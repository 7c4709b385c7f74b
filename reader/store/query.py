"""Full-text queries built from what the user typed, so that any text is a safe query.

FTS5 has a query language of its own (``AND``, ``OR``, ``NOT``, ``NEAR``, ``*``, ``^``,
``:`` column filters, ``"`` phrases, parentheses). None of the user's text is ever read
as that language: it is split into words the way the index's tokenizer (``unicode61``,
see ``schema.py``) splits text, and each word goes into the query as a quoted FTS5
string. So ``covid-19`` is the tokens ``covid`` ``19``, searched as the phrase
``"covid 19"`` (the index keeps token positions), and ``AND`` is just the word "and".

What is read from the text:

* words are runs of letters and digits (Unicode categories L*, N*, Co, and combining
  marks Mn inside a word); everything else separates them, as in the index;
* a word typed with punctuation inside it (``U.S.``, ``didn't``, ``Wi-Fi``, ``AT&T``)
  is a phrase of its tokens, and so is text in double quotes (``"harbour bonds"``); an
  unbalanced quote is ignored;
* a ``*`` right after a word of two characters or more makes it a prefix (``gov*``);
* filters (``parse_query``), each a whitespace-separated piece outside quotes:
  ``site:NAME`` (the story's site name, or the address of its feed, contains NAME;
  any case),
  ``tag:NAME`` (its feed carries that tag; any case), ``is:unread``, ``is:read``,
  ``is:bookmarked``, ``before:DATE`` (published before that day) and ``after:DATE``
  (on that day or later), where DATE is ``2026-11-30``, ``2026-11``, ``2026`` or a time
  back from now (``24h``, ``7d``, ``2w``); ``-`` in front negates one
  (``-site:bbc``). Several ``site:`` (or ``tag:``) filters mean any of them. A value
  may be quoted (``site:"BBC News"``). A filter that cannot be read (``is:green``,
  ``before:soon``, ``site:`` with nothing after it) is words, like ``foo:bar``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from reader.base.ranking import COMMON_WORDS

MAX_TERMS = 32
"""A query keeps at most this many distinct terms (the first ones): past that, a long
pasted text only makes the search slower."""

MIN_PREFIX = 2
"""A prefix needs this many characters: ``t*`` would read most of the index."""

_FUNCTION_WORDS = frozenset(
    "a an and are as at be but by can did do does for had has he her his how i if in is it "
    "its me my new no not of on or our out she so than the to up was we were who why you "
    "cant didnt doesnt dont isnt wont".split()
)

STOPWORDS = COMMON_WORDS | _FUNCTION_WORDS
"""Words left out of a headline search (unless the headline has nothing else)."""

_WORD_START = {"L", "N"}


def _is_token_char(char: str) -> bool:
    category = unicodedata.category(char)
    return category[0] in _WORD_START or category in ("Co", "Mn")


def tokens(text: str) -> list[str]:
    """The tokens of ``text`` as the index's ``unicode61`` tokenizer splits it (case and
    accents are left as typed: FTS5 folds them when it reads the query).

    A token must hold a letter, digit or private-use character: a lone combining mark
    is not a word.
    """
    found: list[str] = []
    current: list[str] = []
    for char in text + " ":
        if _is_token_char(char):
            current.append(char)
        elif current:
            token = "".join(current)
            if any(unicodedata.category(c) != "Mn" for c in token):
                found.append(token)
            current = []
    return found


@dataclass(frozen=True)
class Term:
    """One thing to look for: a word, or a phrase of adjacent tokens; maybe a prefix."""

    tokens: tuple[str, ...]
    prefix: bool = False

    @property
    def key(self) -> str:
        """The term folded, for comparing terms and spotting stopwords."""
        return " ".join(self.tokens).lower() + ("*" if self.prefix else "")

    def fts(self) -> str:
        """The term as an FTS5 string: quoted, so nothing in it is query syntax."""
        quoted = '"' + " ".join(self.tokens).replace('"', '""') + '"'
        return quoted + "*" if self.prefix else quoted

    def telling(self) -> bool:
        """Whether the term tells stories apart: not a stopword, not a lone character."""
        joined = "".join(self.tokens).lower()
        return len(joined) >= 2 and joined not in STOPWORDS


_PHRASE = re.compile(r'"([^"]*)"(\*?)')
_PREFIX = re.compile(r"\*+$")


def _word_term(word: str, allow_prefix: bool) -> Term | None:
    found = tokens(word)
    if not found:
        return None
    prefix = False
    if allow_prefix and _PREFIX.search(word):
        before = _PREFIX.sub("", word)
        prefix = bool(before) and _is_token_char(before[-1]) and len(found[-1]) >= MIN_PREFIX
    return Term(tuple(found), prefix)


def _phrase_term(text: str, prefix: bool) -> Term | None:
    found = tokens(text)
    if not found:
        return None
    return Term(tuple(found), prefix and len(found[-1]) >= MIN_PREFIX)


def terms(text: str, syntax: bool = True) -> list[Term]:
    """The distinct terms of ``text``, in order, at most ``MAX_TERMS``.

    With ``syntax`` (what a user types) double quotes make phrases and a trailing ``*``
    a prefix; without it (a headline) quotes and stars are punctuation like any other.
    """
    pieces: list[tuple[str, bool, bool]] = []  # (text, is a quoted phrase, is a prefix)
    rest = text
    if syntax:
        position = 0
        for match in _PHRASE.finditer(text):
            pieces.append((text[position : match.start()], False, False))
            pieces.append((match.group(1), True, bool(match.group(2))))
            position = match.end()
        rest = text[position:]
    pieces.append((rest, False, False))
    found: list[Term] = []
    seen: set[str] = set()
    for piece, quoted, prefix in pieces:
        if quoted:
            candidates = [_phrase_term(piece, prefix)]
        else:
            candidates = [_word_term(word, syntax) for word in piece.replace('"', " ").split()]
        for term in candidates:
            if term is not None and term.key not in seen:
                seen.add(term.key)
                found.append(term)
    return found[:MAX_TERMS]


def match_all(text: str) -> str | None:
    """An FTS5 expression for stories holding every term of ``text`` (None: no words)."""
    found = terms(text)
    return " ".join(term.fts() for term in found) or None


def match_any(text: str) -> str | None:
    """An FTS5 expression for stories holding any telling term of a headline ``text``
    (all of its terms when none is telling), for ranking by bm25; None: no words."""
    found = terms(text, syntax=False)
    telling = [term for term in found if term.telling()] or found
    return " OR ".join(term.fts() for term in telling) or None


# -- filters ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """What a search's filters ask of a story besides its words (none: no constraint)."""

    sites: tuple[str, ...] = ()
    """Folded names: the story's site, or its feed's host, contains one of them."""
    not_sites: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    """Folded tags: the story's feed carries one of them."""
    not_tags: tuple[str, ...] = ()
    read: bool | None = None
    bookmarked: bool | None = None
    before: str | None = None
    """An ISO 8601 prefix: the story was published before it."""
    after: str | None = None
    """An ISO 8601 prefix: the story was published at it or later."""
    contradictory: bool = False
    """Filters no story can pass (``is:read is:unread``)."""

    def __bool__(self) -> bool:
        return self != _NO_FILTERS


_NO_FILTERS = Filters()


@dataclass(frozen=True)
class ParsedQuery:
    """A typed search: its words (what ``match_all`` reads) and its filters."""

    text: str
    filters: Filters = field(default_factory=Filters)


_FILTER_KEYS = "site|tag|is|before|after"
# A filter (at the start of the text or after whitespace, ending at whitespace or the
# end) or a quoted phrase; scanned left to right, so a filter inside quotes stays words.
_PIECE = re.compile(
    rf"(?:(?<=\s)|^)(?P<neg>-?)(?P<key>{_FILTER_KEYS}):"
    r'(?:"(?P<quoted>[^"]*)"|(?P<value>[^\s"]+))(?=\s|$)'
    r'|"[^"]*"',
    re.IGNORECASE,
)
NEGATED_FILTER = re.compile(rf"-(?:{_FILTER_KEYS}):\S", re.IGNORECASE)
"""The start of a negated filter (``-site:bbc``), which a command line must not take
for an option."""
_RELATIVE = re.compile(r"(\d{1,4})([hdw])", re.IGNORECASE)
_DATE = re.compile(r"\d{4}(?:-\d{2}(?:-\d{2})?)?")
_HOURS = {"h": 1, "d": 24, "w": 24 * 7}
_IS = {
    "unread": ("read", False),
    "read": ("read", True),
    "bookmarked": ("bookmarked", True),
    "bookmark": ("bookmarked", True),
}


def parse_date_bound(value: str, now: datetime) -> str | None:
    """``value`` of a ``before:``/``after:`` filter as an ISO 8601 prefix to compare
    stored dates with, or None if it is no date: ``2026-11-30``, ``2026-11``, ``2026``,
    or ``24h``/``7d``/``2w`` back from ``now`` (its time zone is dropped)."""
    if relative := _RELATIVE.fullmatch(value):
        hours = int(relative.group(1)) * _HOURS[relative.group(2).lower()]
        try:
            moment = now - timedelta(hours=hours)
        except OverflowError:
            return None
        return moment.replace(tzinfo=None).isoformat(timespec="seconds")
    if not _DATE.fullmatch(value):
        return None
    parts = value.split("-")
    try:
        datetime(
            int(parts[0]),
            int(parts[1]) if len(parts) > 1 else 1,
            int(parts[2]) if len(parts) > 2 else 1,
        )
    except ValueError:
        return None
    return value


def _with_filter(
    filters: Filters, negated: bool, key: str, value: str, now: datetime
) -> Filters | None:
    """``filters`` with one more, or None if ``key:value`` is no filter (it stays words)."""
    folded = " ".join(value.split()).casefold()
    if not folded:
        return None
    if key == "site":
        if negated:
            return replace(filters, not_sites=(*filters.not_sites, folded))
        return replace(filters, sites=(*filters.sites, folded))
    if key == "tag":
        if negated:
            return replace(filters, not_tags=(*filters.not_tags, folded))
        return replace(filters, tags=(*filters.tags, folded))
    if key == "is":
        if folded not in _IS:
            return None
        attr, wanted = _IS[folded]
        wanted = wanted != negated
        current = filters.read if attr == "read" else filters.bookmarked
        if current is not None and current != wanted:
            return replace(filters, contradictory=True)
        if attr == "read":
            return replace(filters, read=wanted)
        return replace(filters, bookmarked=wanted)
    bound = parse_date_bound(folded, now)
    if bound is None:
        return None
    if (key == "before") != negated:  # -after:D is before:D
        before = bound if filters.before is None else min(bound, filters.before)
        return replace(filters, before=before)
    after = bound if filters.after is None else max(bound, filters.after)
    return replace(filters, after=after)


def parse_query(text: str, now: datetime | None = None) -> ParsedQuery:
    """Split what the user typed into its words and its filters (see the module's
    docstring); any text is a query, and a piece that is no filter stays words.
    ``now`` (default: the time now, UTC) is what relative dates count back from."""
    moment = now or datetime.now(UTC)
    filters = Filters()
    kept: list[str] = []
    position = 0
    for match in _PIECE.finditer(text):
        key = match.group("key")
        if key is None:  # a phrase: kept whole
            continue
        value = match.group("quoted") if match.group("value") is None else match.group("value")
        found = _with_filter(filters, bool(match.group("neg")), key.lower(), value, moment)
        if found is None:
            continue
        filters = found
        kept.append(text[position : match.start()])
        position = match.end()
    kept.append(text[position:])
    return ParsedQuery(" ".join(kept) if len(kept) > 1 else text, filters)
