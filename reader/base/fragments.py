"""HTML fragments (a feed item's content) as Markdown for reading, or as plain text.

A feed refresh stores an item's HTML with a plain-text rendering of it, which is
cheap (a regular expression) and all that search needs. html2text turns the HTML
into Markdown when the story is read: that costs about 0.3 ms an item, which is
nothing for one story but most of a cold refresh for ten thousand.
"""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING

from reader.base.clean import clean_text

if TYPE_CHECKING:
    from reader.base.models import Story

_INVISIBLE = re.compile(r"<(script|style|template)\b.*?</\1\s*>|<!--.*?-->", re.I | re.S)
_BLOCK_END = re.compile(
    r"</?(?:p|div|br|li|h[1-6]|tr|blockquote|pre|section|article)\b[^>]*>", re.I
)
_TAG = re.compile(r"<[^>]*>")
_BLANKS = re.compile(r"\n\s*\n\s*")


def html_to_text(fragment: str) -> str:
    """The words of an HTML fragment (cleaned), a paragraph a line, for the full-text index.

    Runs of spaces are left as they are: the index does not see them, and
    collapsing them would cost more than the rest of this together.
    """
    text = _INVISIBLE.sub(" ", fragment)
    text = _BLANKS.sub("\n", _TAG.sub("", _BLOCK_END.sub("\n", text)))
    if "&" not in text:
        return text.strip()
    # A numeric reference can make a control character; the rest was cleaned already.
    return clean_text(html.unescape(text)).strip()


_EMPHASIS = ("em", "strong", "b", "i", "u")


def _prepare(fragment: str, base: str | None) -> tuple[str, list[str], list[str]]:
    """``fragment`` made ready for the converter as a page's article is
    (``base.html_markdown``): links absolute (a script link loses its address) with
    their spaces kept, images numbered markers (spacers and tracking pixels gone),
    tables taken out (``base.tables.tables_out``) and code blocks' languages marked;
    with the images' and the tables' Markdown. When lxml cannot read it, the
    fragment as it was."""
    import lxml.html
    from lxml import etree

    from reader.base.code_blocks import code_language, mark_language
    from reader.base.html_markdown import keep_space, mark_images, resolve, spaces_out
    from reader.base.tables import tables_out

    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError):
        return fragment, [], []
    for link in root.iter("a"):
        href = resolve(link.get("href"), base)
        link.attrib.clear()
        if href:
            link.set("href", href)
        spaces_out(link)
    for emphasis in root.iter(*_EMPHASIS):
        keep_space(emphasis)
    images = mark_images(root, base)
    tables = tables_out(root, base)
    for pre in root.iter("pre"):
        language = code_language(pre)
        if language:
            code = pre.find(".//code")
            mark_language(code if code is not None else pre, language)
    return lxml.html.tostring(root, encoding="unicode", method="html"), images, tables


def html_to_markdown(fragment: str, base: str | None = None) -> str:
    """An HTML fragment as Markdown, the way a page's article becomes Markdown
    (``base.html_markdown``): relative links resolve against ``base``; tables are
    well-formed pipe tables (``base.tables``), layout tables their cells; a code
    block whose language is named is fenced with it; images ``![alt](src)``."""
    from reader.base.html_markdown import converted, tidy_markdown
    from reader.base.tables import put_tables

    html, images, tables = _prepare(fragment, base)
    return tidy_markdown(put_tables(converted(html), tables), images)


def story_markdown(story: Story) -> str | None:
    """The Markdown to show for ``story``: its body as stored, or for a feed item the
    Markdown made now from its HTML (None when the story was read without its body).

    The one place where a story read from the store becomes Markdown: the app calls
    it while rendering the article off the UI thread, the command line for ``show``
    and ``export``.
    """
    if story.body_html is None:
        return story.body
    return html_to_markdown(story.body_html, story.body_base)
