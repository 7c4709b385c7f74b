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
* a ``*`` right after a word of two characters or more makes it a prefix (``gov*``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

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
