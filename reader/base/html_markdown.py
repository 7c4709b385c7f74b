"""HTML made Markdown: the one converter for pages and feed items.

A page's article (``reader.ingest.body``, once trafilatura has chosen it) and a feed
item's HTML (``reader.base.fragments``, when the story is read) take the same steps:
links resolved and their spaces kept (``resolve``, ``spaces_out``, ``keep_space``),
images made numbered markers that become ``![alt](src)`` (``mark_images``, spacers and
tracking pixels dropped), html2text configured once (``html2text_markdown``), and
the same tidying of what it wrote (``tidy_markdown``). html2text is imported when
first needed: listing stories never loads it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import urljoin

from reader.base.clean import clean_text
from reader.base.code_blocks import fence_code

if TYPE_CHECKING:
    import html2text
    import lxml.html
    from lxml import etree

_NO_LINK = ("javascript:", "data:", "vbscript:", "about:")


def resolve(href: str | None, base: str | None) -> str | None:
    """``href`` made absolute against ``base``; None for script, in-page and empty links."""
    href = (href or "").strip()
    if not href or href.startswith("#") or href.lower().startswith(_NO_LINK):
        return None
    if not base or "://" in href[:12]:
        return href
    try:
        return urljoin(base, href)
    except ValueError:
        return None


# html2text strips the first text inside emphasis, so "<b>by <a>Ann</a></b>" read
# "**by[Ann](...)**"; a marker after that text's last space keeps the space, and goes
# after the conversion.
KEEP_SPACE = "\ue00a"


def keep_space(emphasis: etree._Element) -> None:
    """Mark the space that ends an emphasis's first text when an element follows it."""
    text = emphasis.text or ""
    if len(emphasis) and text.strip() and text[-1].isspace():
        emphasis.text = text + KEEP_SPACE


def spaces_out(link: etree._Element) -> None:
    """Move the spaces at the ends of a link's text outside it.

    ``<a>Mashable </a>reports`` would read "Mashable[1]reports" once the link is numbered.
    """
    last = link[-1] if len(link) else None
    text = (last.tail if last is not None else link.text) or ""
    if text and text[-1].isspace():
        if last is not None:
            last.tail = text.rstrip()
        else:
            link.text = text.rstrip()
        if not (link.tail or "")[:1].isspace():
            link.tail = " " + (link.tail or "")
    first = link.text or ""
    if first and first[0].isspace():
        link.text = first.lstrip()
        previous, parent = link.getprevious(), link.getparent()
        if previous is not None:
            previous.tail = (previous.tail or "").rstrip() + " "
        elif parent is not None:
            parent.text = (parent.text or "").rstrip() + " "


Convert = Callable[[str], str]
"""An HTML-to-Markdown converter: the one step a bench may swap (``converted``)."""


def _converter() -> html2text.HTML2Text:
    import html2text

    h = html2text.HTML2Text(bodywidth=0)  # no hard wrapping
    h.ignore_images = True  # (none left: mark_images made them markers)
    h.images_to_alt = True
    h.unicode_snob = True  # keep typographic quotes and dashes
    h.skip_internal_links = True
    h.inline_links = True
    h.protect_links = False
    h.wrap_links = False
    h.wrap_list_items = False
    h.use_automatic_links = True
    h.emphasis_mark = "*"
    h.ul_item_mark = "-"
    h.pad_tables = False
    return h


def html2text_markdown(html: str) -> str:
    """HTML as html2text writes it, configured as reader reads it (no wrapping, inline
    links, typographic characters kept)."""
    return _converter().handle(html)


_BLANK_LINES = re.compile(r"\n{3,}")
_TRAILING_SPACE = re.compile(r"[ \t]+$", re.MULTILINE)


_LIST_BLOCK = re.compile(r"^  (?:[-*+]|\d+\.) ")


def _dedent_lists(block: str) -> str:
    """html2text indents top-level list items by two spaces: take them back."""
    if not _LIST_BLOCK.match(block):
        return block
    return "\n".join(line.removeprefix("  ") for line in block.split("\n"))


_TAG_LIKE = re.compile(r"<(?=[A-Za-z/!?])")
_CODE_SPAN = re.compile(r"(`+).*?\1")


def escape_tags(text: str) -> str:
    """Backslash-escape text that a Markdown renderer would take for raw HTML (``<b>``).

    Code (fenced, indented or inline) shows its text as is and is left alone.
    """
    if "<" not in text:
        return text
    lines, fenced = text.split("\n"), False
    for i, line in enumerate(lines):
        if line.lstrip().startswith("```"):
            fenced = not fenced
        elif not fenced and "<" in line and not line.startswith(("    ", "\t")):
            spans = [m.span() for m in _CODE_SPAN.finditer(line)]
            lines[i] = "".join(
                part if any(a <= j < b for a, b in spans) else _TAG_LIKE.sub(r"\\<", part)
                for j, part in _pieces(line, spans)
            )
    return "\n".join(lines)


def _pieces(line: str, spans: list[tuple[int, int]]) -> list[tuple[int, str]]:
    """``line`` cut at the bounds of ``spans``: (start, text) pairs."""
    cuts = sorted({0, len(line), *(x for span in spans for x in span)})
    return [(a, line[a:b]) for a, b in zip(cuts, cuts[1:], strict=False) if b > a]


# html2text puts a space between closing emphasis and most punctuation: "**Ann** , who".
_SPACED_PUNCTUATION = re.compile(r"(?<=\S\*) (?=[,;:)%]|['\u2019]s\b)")


def converted(html: str, convert: Convert = html2text_markdown) -> str:
    """``html`` through ``convert``, the marks of ``keep_space`` gone."""
    return convert(html).replace(KEEP_SPACE, "")


def tidy_markdown(text: str, images: list[str] | None = None) -> str:
    """What the converter wrote (its tables put back) as the Markdown stored and shown:
    code fenced with its language, the markers of ``images`` (``mark_images``) made
    ``![alt](src)``, blank lines between blocks, no trailing whitespace, no raw HTML."""
    text = fence_code(unmark_images(text, images or []))
    text = escape_tags(clean_text(_SPACED_PUNCTUATION.sub("", text)))
    text = _BLANK_LINES.sub("\n\n", _TRAILING_SPACE.sub("", text)).strip("\n")
    return "\n\n".join(_dedent_lists(block) for block in text.split("\n\n")).strip()


# An image in the text: trafilatura's choice of the article changes when it is asked to
# keep images (webmd-2 loses nine tenths of its text), so each <img> becomes a marker
# in the text, and the marker becomes ![alt](src) in the Markdown.
_IMAGE_MARK = re.compile("\ue000(\\d+)\ue001")
_MD_ESCAPE = re.compile(r"([\\\[\]])")


def mark_images(tree: lxml.html.HtmlElement, base: str | None) -> list[str]:
    """Replace each ``<img>`` in the body by a numbered marker; their Markdown, in order."""
    images: list[str] = []
    for img in list(tree.iter("img")):
        if img.getparent() is None:
            continue
        src = resolve(img.get("src") or img.get("data-src"), base) or ""
        if not src.lower().startswith(("http://", "https://")):
            src = ""  # (file: and the like: nothing to open)
        alt = " ".join((img.get("alt") or "").split())
        if _SPACER.search(src) or (not alt and (not src or _tiny(img))):
            img.drop_tree()
            continue
        images.append(markdown_image(src, alt))
        marker = f"\ue000{len(images) - 1}\ue001"
        img.tail = marker + (img.tail or "")
        img.drop_tree()  # keeps the tail, the marker
    return images


_SPACER = re.compile(r"/(?:clear|spacer|blank|pixel|transparent)\.gif\b", re.I)


def _tiny(img: lxml.html.HtmlElement) -> bool:
    """An image declared a few pixels wide or high (a spacer, a tracking pixel)."""
    return any(
        (img.get(side) or "").strip() in ("0", "1", "2", "1px") for side in ("width", "height")
    )


def markdown_image(src: str, alt: str) -> str:
    """``![alt](src)``, with what would end either escaped."""
    src = src.replace(" ", "%20").replace("(", "%28").replace(")", "%29")
    alt = _MD_ESCAPE.sub(r"\\\1", alt)
    return f"![{alt}]({src})"


def unmark_images(markdown: str, images: list[str]) -> str:
    """The markers of ``_mark_images`` as ``![alt](src)`` (a stray one goes)."""
    if "\ue000" not in markdown:
        return markdown

    def image(match: re.Match[str]) -> str:
        index = int(match.group(1))
        return images[index] if index < len(images) else ""

    return _IMAGE_MARK.sub(image, markdown)
