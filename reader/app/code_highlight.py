"""Code blocks of a known language, highlighted with Pygments' lexers.

Only the lexer is Pygments': the colours are the theme's (the article pane's
``article--code-*`` styles), so a block reads like the rest of the app in every
theme. A lexer is looked up once per language; a block too long to lex cheaply, a
language Pygments does not know, or a lexer that changes the text shows plain.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from textual.content import Content, Span
from textual.style import Style

if TYPE_CHECKING:
    from pygments.lexer import Lexer
    from pygments.token import _TokenType

CODE_STYLES = ("code-keyword", "code-string", "code-comment", "code-number", "code-name")
MAX_CODE = 50_000
"""Characters of one block highlighted at most (lexing costs ~1 ms per 2,000)."""


@lru_cache(maxsize=64)
def _lexer(language: str) -> Lexer | None:
    from pygments.lexers import get_lexer_by_name  # imported by the first block that needs it
    from pygments.util import ClassNotFound

    try:
        return get_lexer_by_name(language, stripnl=False, stripall=False, ensurenl=False)
    except (ClassNotFound, ValueError):
        return None


@lru_cache(maxsize=512)
def _style_name(token: _TokenType) -> str | None:
    from pygments import token as t

    for kind, name in (
        (t.Comment, "code-comment"),
        (t.String, "code-string"),
        (t.Number, "code-number"),
        (t.Keyword, "code-keyword"),
        (t.Name.Builtin, "code-keyword"),
        (t.Operator.Word, "code-keyword"),
        (t.Name.Tag, "code-keyword"),
        (t.Name.Function, "code-name"),
        (t.Name.Class, "code-name"),
        (t.Name.Decorator, "code-name"),
        (t.Name.Attribute, "code-name"),
    ):
        if t.is_token_subtype(token, kind):
            return name
    return None


def known_language(language: str) -> bool:
    """Whether Pygments has a lexer for ``language`` (a fence's info word)."""
    return bool(language) and _lexer(language.lower()) is not None


@lru_cache(maxsize=256)
def _tokens(code: str, language: str) -> tuple[tuple[int, int, str], ...] | None:
    """Where ``code``'s tokens of each style name are (merged when adjacent), or None
    when it is not to be highlighted. Kept for the next render (a resize, a theme)."""
    lexer = _lexer(language) if language and len(code) <= MAX_CODE else None
    if lexer is None:
        return None
    found: list[tuple[int, int, str]] = []
    position = 0
    for token, value in lexer.get_tokens(code):
        end = position + len(value)
        if code[position:end] != value:  # the lexer changed the text: show it plain
            return None
        name = _style_name(token)
        if name is not None and value.strip():
            if found and found[-1][2] == name and found[-1][1] == position:
                found[-1] = (found[-1][0], end, name)  # '"', 'hi', '"': one span
            else:
                found.append((position, end, name))
        position = end
    return tuple(found) if position == len(code) else None


def highlight(code: str, language: str, styles: dict[str, Style]) -> Content:
    """``code`` in the code style, its tokens coloured when ``language`` is known."""
    spans = [Span(0, len(code), styles["code"])]
    tokens = _tokens(code, language.lower()) if language else None
    if tokens:
        spans += [Span(start, end, styles[name]) for start, end, name in tokens]
    return Content(code, spans)
