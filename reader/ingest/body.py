"""The article body of an HTML page, as Markdown.

trafilatura decides which part of the tree is the article (fast mode first, its full
cascade when that finds almost nothing); the part is turned back into plain HTML and
html2text writes the Markdown. Hidden elements and datelines go first; link lists,
a heading repeating the headline and an error page's few lines go after. When the
extraction misses most of the page's JSON-LD ``articleBody``, that is the body.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

import lxml.html
from html2text.utils import escape_md_section
from lxml import etree

from reader.base.clean import clean_text
from reader.base.code_blocks import code_language, mark_language
from reader.base.errors import ExtractionFailed, ExtractorUnavailable
from reader.base.html_markdown import (
    Convert,
    converted,
    escape_tags,
    html2text_markdown,
    keep_space,
    mark_images,
    resolve,
    spaces_out,
    tidy_markdown,
)
from reader.base.tables import is_layout_table, marker_text, put_tables, table_markdown
from reader.ingest.metadata import Declared, element_text, fold, json_text, unescape

# trafilatura logs a warning for every page it finds nothing in.
logging.getLogger("trafilatura").setLevel(logging.CRITICAL)


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())


_HIDDEN_XPATH = etree.XPath(
    "//body//*[@hidden or @aria-hidden='true' or contains(@style, 'none')"
    " or contains(@style, 'hidden')]"
)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)


def _drop_hidden(tree: lxml.html.HtmlElement) -> None:
    """Remove what the page hides from readers (``hidden``, ``display: none``, ...).

    An element holding most of the page's text is kept: pages that hide their
    content until a script has run must not lose the article.
    """
    hidden = [
        el
        for el in _HIDDEN_XPATH(tree)
        if el.get("hidden") is not None
        or el.get("aria-hidden") == "true"
        or _HIDDEN_STYLE.search(el.get("style") or "")
    ]
    total = None
    for el in hidden:
        if el.getparent() is None:
            continue
        size = len(el.text_content())
        if size > 2000:
            if total is None:
                total = len(tree.text_content())
            if size > total / 2:
                continue
        el.drop_tree()


# Fast mode (no readability/justext comparison) is both faster and more precise
# on news pages; favor_recall keeps short paragraphs at an article's edges.
_FAST = {"fast": True, "favor_recall": True}
# Below this many characters, fast mode is taken to have missed the article and
# trafilatura's full cascade (readability, justext, baseline) gets a try.
_SHORT = 100
_DECLARED_MIN = 500  # characters of JSON-LD articleBody worth preferring to a poor extraction


def _trafilatura(
    tree: lxml.html.HtmlElement, options: dict[str, Any]
) -> tuple[etree._Element | None, str]:
    """The article trafilatura chooses (its XML body) and its text.

    Raises ``ExtractorUnavailable`` when trafilatura cannot be imported, and
    ``ExtractionFailed`` when it fails on this page.
    """
    try:
        import trafilatura  # here: it takes ~0.2 s to import, which only extraction pays
    except ImportError as exc:
        raise ExtractorUnavailable(
            f"cannot extract the article: trafilatura failed to import ({_one_line(exc)})"
        ) from exc
    try:
        doc = trafilatura.bare_extraction(
            tree,  # copied by trafilatura: the tree is parsed once and reused
            output_format="html",  # skips the plain-text rendering the default format makes
            include_comments=False,
            include_formatting=True,
            include_links=True,  # no url: trafilatura would resolve every link of the page
            include_tables=True,
            include_images=False,  # images are marked in the text instead: _mark_images
            **options,
        )
    except RecursionError as exc:
        raise ExtractionFailed("cannot extract the article: the page is nested too deeply") from exc
    except Exception as exc:  # the extractor's own failure on this page, reported
        why = f"{type(exc).__name__}: {_one_line(exc)}"
        raise ExtractionFailed(f"cannot extract the article: trafilatura failed: {why}") from exc
    if doc is None or isinstance(doc, dict) or doc.body is None:  # (a dict only if asked)
        return None, ""
    return doc.body, doc.raw_text or ""


_HI = {"#b": "strong", "#i": "em", "#u": "u", "#t": "code", "#sub": "sub", "#sup": "sup"}
_TAG_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]*")
_RENAME = {"item": "li", "quote": "blockquote", "lb": "br", "row": "tr"}


def _to_html(
    body: etree._Element, base: str | None, stashed: list[_Stashed] | None = None
) -> tuple[etree._Element, list[str]]:
    """trafilatura's XML body as plain HTML (in place), links made absolute; each data
    table replaced by a marker paragraph (``_marked_tables``, ``_other_tables``), with
    the tables' Markdown."""
    for el in body.iter():
        tag, rend = el.tag, el.get("rend")
        if tag == "list":
            el.tag = "ol" if rend == "ol" else "ul"
        elif tag == "head":
            el.tag = rend if rend in ("h1", "h2", "h3", "h4", "h5", "h6") else "h3"
        elif tag == "hi":
            el.tag = _HI.get(rend or "", "em")
            keep_space(el)
        elif tag == "cell":
            el.tag = "th" if el.get("role") == "head" else "td"
        elif tag == "graphic":
            el.tag = "span"
            el.text = None
        elif tag == "ref":
            el.tag = "a"
            target = resolve(el.get("target"), base)
            el.attrib.clear()
            if target:
                el.set("href", target)
            spaces_out(el)
            continue
        elif tag == "code":
            el.tag = "code" if _inline_code(el) else "pre"
        elif isinstance(tag, str):
            # a broken page can leave tag names lxml will not serialise ('a\ufffdhref=".')
            el.tag = _RENAME.get(tag, tag) if _TAG_NAME.fullmatch(tag) else "span"
        el.attrib.clear()
    body.tag = "div"
    tables = _marked_tables(body, stashed or [])
    _unwrap_layout_tables(body)
    tables = _other_tables(body, tables)
    return body, tables


_INLINE_PARENTS = frozenset(("p", "item", "li", "hi", "ref", "a", "head", "cell", "td", "th"))


def _inline_code(el: etree._Element) -> bool:
    """Whether a ``<code>`` is code inside a sentence (not a block of code of its own).

    trafilatura makes both ``<code>`` in a sentence and ``<pre>`` blocks ``<code>``:
    a one-line one inside a paragraph, or with words either side, stays inline.
    """
    if "\n" in "".join(el.itertext()).strip():
        return False
    parent = el.getparent()
    if parent is None:
        return False
    previous = el.getprevious()
    before = (previous.tail if previous is not None else parent.text) or ""
    return parent.tag in _INLINE_PARENTS or bool(before.strip() or (el.tail or "").strip())


_BLOCKS = frozenset(("p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "pre",
                     "blockquote", "table"))  # fmt: skip


def _unwrap_layout_tables(body: etree._Element) -> None:
    """A table used for layout (a cell holding paragraphs, headings or tables) as blocks.

    html2text runs a table cell's paragraphs together ("further.The Arduino"); a page
    laid out in a table has its article in a cell.
    """
    for table in reversed(list(body.iter("table"))):
        rows = [row for row in table if row.tag == "tr"]
        cells = [cell for row in rows for cell in row if cell.tag in ("td", "th")]
        if not any(child.tag in _BLOCKS for cell in cells for child in cell) and not (
            is_layout_table(table)
        ):
            continue
        table.tag = "div"
        for row in rows:
            row.tag = "div"
            for cell in row:
                if cell.tag in ("td", "th"):
                    cell.tag = "div"


# A data table of the page, in Markdown before trafilatura sees it (``_stash_tables``):
# trafilatura keeps a table's cells but not its colspans, rowspans or caption. The
# first cell carries the table's number through trafilatura; a table of its output
# becomes a paragraph holding a second marker, which the table's Markdown replaces
# after html2text (``_unmark_tables``).
_STASH_MARK = re.compile("\ue004(\\d+)\ue005")


@dataclass
class _Stashed:
    """A page's table as Markdown, with the texts nearest it (nearest first), which
    place it again when trafilatura drops it from between two kept passages."""

    markdown: str
    start: int
    before: list[str]
    after: list[str]


_ANCHOR_MIN = 12  # characters of a text that may place a table
_ANCHORS = 40  # texts looked at either side of a table
_NO_TEXT = frozenset(("script", "style", "noscript", "template"))


def _texts(
    tree: lxml.html.HtmlElement, tables: set[etree._Element]
) -> tuple[list[str], dict[etree._Element, tuple[int, int]]]:
    """The page's texts in document order (spaces folded), and where each of ``tables``
    starts and ends among them."""
    texts: list[str] = []
    starts: dict[etree._Element, int] = {}
    bounds: dict[etree._Element, tuple[int, int]] = {}
    for event, el in etree.iterwalk(tree, events=("start", "end")):
        if event == "start":
            if el in tables:
                starts[el] = len(texts)
            if isinstance(el.tag, str) and el.tag not in _NO_TEXT and el.text:
                texts.append(" ".join(el.text.split()))
        else:
            if el in tables:
                bounds[el] = (starts[el], len(texts))
            if el.tail:
                texts.append(" ".join(el.tail.split()))
    return texts, bounds


def _stash_tables(tree: lxml.html.HtmlElement, base: str | None) -> list[_Stashed]:
    """The page's tables (but layout ones) as Markdown, each marked in its first cell."""
    found = [
        table
        for table in reversed(list(tree.iter("table")))  # innermost first
        if table.getparent() is not None
        and not is_layout_table(table)
        and next(table.iter("td", "th"), None) is not None
    ]
    if not found:
        return []
    texts, bounds = _texts(tree, set(found))
    inside = [False] * len(texts)  # a table's own texts place no table
    for start, end in bounds.values():
        inside[start:end] = [True] * (end - start)
    stashed: list[_Stashed] = []
    for table in found:
        start, end = bounds.get(table, (0, 0))
        window = _ANCHORS * 50
        before = [
            texts[i]
            for i in range(start - 1, max(start - window, 0) - 1, -1)
            if not inside[i] and len(texts[i]) >= _ANCHOR_MIN
        ]
        after = [
            texts[i]
            for i in range(end, min(end + window, len(texts)))
            if not inside[i] and len(texts[i]) >= _ANCHOR_MIN
        ]
        markdown = table_markdown(table, base)
        stashed.append(_Stashed(markdown, start, before[:_ANCHORS], after[:_ANCHORS]))
        first = next(table.iter("td", "th"))
        first.text = f"\ue004{len(stashed) - 1}\ue005" + (first.text or "")
    return stashed


def _replace_table(table: etree._Element, tables: list[str], markdown: str) -> None:
    """Put a marker paragraph for ``markdown`` where ``table`` is."""
    marker = _table_marker(tables, markdown)
    marker.tail = table.tail
    parent = table.getparent()
    if parent is not None:
        parent.replace(table, marker)


def _table_marker(tables: list[str], markdown: str) -> etree._Element:
    tables.append(markdown)
    marker = etree.Element("p")
    marker.text = marker_text(len(tables) - 1)
    return marker


def _marked_tables(body: etree._Element, stashed: list[_Stashed]) -> list[str]:
    """Replace each table that carries a stash marker by the stashed Markdown; put back
    the stashed tables trafilatura dropped from between two passages it kept."""
    tables: list[str] = []
    if not stashed:
        return tables
    used: set[int] = set()
    for table in reversed(list(body.iter("table"))):
        match = _STASH_MARK.search("".join(table.itertext()))
        if match and int(match.group(1)) < len(stashed):
            used.add(int(match.group(1)))
            _replace_table(table, tables, stashed[int(match.group(1))].markdown)
    dropped = sorted((s for i, s in enumerate(stashed) if i not in used), key=lambda s: s.start)
    if dropped:
        _restore_tables(body, dropped, tables)
    return tables


_LEAF_BLOCKS = frozenset(("p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "pre", "blockquote"))
_CONTAINERS = frozenset(("div", "blockquote", "body", "section", "article", "td", "th"))
_ANCHOR_GAP = 300  # characters of kept text at most between a dropped table's neighbours


def _restore_tables(body: etree._Element, dropped: list[_Stashed], tables: list[str]) -> None:
    """Put each of ``dropped`` after the kept passage it followed on the page, when the
    passage it preceded comes right after that one (the table was in the article)."""
    leaves = [
        el
        for el in body.iter(*_LEAF_BLOCKS)
        if not any(d.tag in _LEAF_BLOCKS for d in el.iterdescendants())
    ]
    flow, ends = "", []
    for leaf in leaves:
        flow += " ".join("".join(leaf.itertext()).split()) + " "
        ends.append(len(flow))
    last: dict[etree._Element, etree._Element] = {}
    for table in dropped:
        spot = next((flow.find(t) + len(t) for t in table.before if t in flow), -1)
        if spot < 0:
            continue
        follows = next((flow.find(t, spot) for t in table.after if flow.find(t, spot) >= 0), -1)
        if follows < 0 or follows - spot > _ANCHOR_GAP:
            continue
        target = leaves[next(i for i, end in enumerate(ends) if end >= spot)]
        while (parent := target.getparent()) is not None and parent.tag not in _CONTAINERS:
            target = parent
        marker = _table_marker(tables, table.markdown)
        last.get(target, target).addnext(marker)
        last[target] = marker


def _other_tables(body: etree._Element, tables: list[str]) -> list[str]:
    """Replace the tables left (not stashed, not layout) by their Markdown, as
    trafilatura kept them."""
    for table in reversed(list(body.iter("table"))):
        _replace_table(table, tables, table_markdown(table))
    return tables


def _unmark_tables(markdown: str, tables: list[str]) -> str:
    """The markers of ``_replace_table`` as their tables (a stray one goes), in a
    quote when the marker was; stray stash markers go."""
    if "\ue004" in markdown:
        markdown = _STASH_MARK.sub("", markdown)
    return put_tables(markdown, tables)


_HTML_BLOCK = re.compile(r"<(?:p|br|div|h[1-6]|ul|ol)\b", re.I)


def _markdown(
    html: str,
    images: list[str] | None = None,
    tables: list[str] | None = None,
    convert: Convert = html2text_markdown,
) -> str:
    """HTML as Markdown (``html_markdown``), the markers of ``tables`` their tables."""
    return tidy_markdown(_unmark_tables(converted(html, convert), tables or []), images)


def _jsonld_body(body: str) -> str:
    """A JSON-LD ``articleBody`` as Markdown."""
    if _HTML_BLOCK.search(body):
        return _markdown(body)
    paragraphs = (" ".join(p.split()) for p in body.splitlines())
    text = "\n\n".join(escape_md_section(p, snob=False) for p in paragraphs if p)
    return escape_tags(clean_text(text))


def _drop_headline(body: etree._Element, title: str | None) -> None:
    """Remove a heading at the top of the body that repeats the title."""
    if not title:
        return
    words = set(fold(title).split())
    for el in body[:3]:
        if el.tag != "head":
            continue
        heading = set(fold("".join(el.itertext())).split())
        if words and heading and len(words & heading) / len(words | heading) >= 0.75:
            _remove(el)
            return


def _remove(el: etree._Element) -> None:
    """Remove ``el`` but not the text that follows it."""
    parent, previous = el.getparent(), el.getprevious()
    if parent is None:
        return
    if el.tail and el.tail.strip():
        if previous is not None:
            previous.tail = (previous.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


# A Markdown link, [text](target): its text is group 1.
_MD_LINK = re.compile(r"!?\[((?:[^\[\]\\]|\\.)*)\]\((?:[^()\s]|\([^()\s]*\))*\)")
_MD_IMAGE = re.compile(r"!\[((?:[^\[\]\\]|\\.)*)\]\([^()\s]*\)")
_NON_WORD = re.compile(r"\W+")
_LINK_BLOCK_MIN = 3  # links in a block before it may count as a link list
_LINK_BLOCK_SHARE = 0.8  # share of a block's text inside links that makes it a link list


def _is_link_block(block: str) -> bool:
    """A Markdown block that is (nearly) nothing but links: related, most read, tags."""
    block = _MD_IMAGE.sub(r"\1", block)  # a linked image is a link: [![alt](src)](href)
    links = _MD_LINK.findall(block)
    if len(links) < _LINK_BLOCK_MIN:
        return False
    linked = len(_NON_WORD.sub("", "".join(links)))
    total = len(_NON_WORD.sub("", _MD_LINK.sub(r"\1", block)))
    return not total or linked / total >= _LINK_BLOCK_SHARE


_TABLE_RULE = re.compile(r"^(?:> )*\|(?: :?-{3,}:? \|)+$", re.MULTILINE)


def _big_table(block: str) -> bool:
    """A table of more than two rows: data even when it is mostly links (a menu laid
    out as a table has a row or two)."""
    return bool(_TABLE_RULE.search(block)) and block.count("\n") > 3


def _drop_link_blocks(markdown: str) -> str:
    """Remove link-list blocks (but not tables of links), and a heading left with
    nothing under it."""
    blocks = markdown.split("\n\n")
    kept: list[str] = []
    for i, block in enumerate(blocks):
        if _big_table(block) or not _is_link_block(block):
            kept.append(block)
            continue
        following = blocks[i + 1] if i + 1 < len(blocks) else "#"
        if kept and kept[-1].startswith("#") and following.startswith("#"):
            kept.pop()
    return "\n\n".join(kept)


_ERROR_PAGE = re.compile(
    r"\b(?:404|410)\b|\bnot found\b|\bno longer (?:available|exists)\b"
    r"|\bpage (?:does not|doesn.t) exist|\b(?:could|can) ?not be found\b"
    r"|nicht gefunden|no encontrada|introuvable|non trovata|niet gevonden|não encontrada",
    re.I,
)
# An error page's few lines ("Sorry, that page is gone. Try the search.") are not an
# article; an article whose headline merely says "not found" is longer than this.
_ERROR_PAGE_MAX = 1000


def _is_error_page(tree: lxml.html.HtmlElement, page: Declared) -> bool:
    """Whether the page's ``<title>`` or first ``<h1>`` says it is a 404 page."""
    if page.article:
        return False
    h1 = tree.find(".//h1")
    texts = [page.title_tag or "", element_text(h1) if h1 is not None else ""]
    return any(len(t) < 120 and _ERROR_PAGE.search(t) for t in texts)


def _prepare_times(tree: lxml.html.HtmlElement) -> None:
    """Keep the text of a ``<time>`` inside a sentence; drop a dateline.

    trafilatura deletes every ``<time>`` with its text, which leaves "met on  at
    noon" in sentences, and "Published" alone where a dateline was. The ``<time>``s
    are taken a parent at a time: a paragraph may hold several.
    """
    parents: dict[lxml.html.HtmlElement, list[lxml.html.HtmlElement]] = {}
    for time in tree.iter("time"):
        parent = time.getparent()
        if parent is not None:
            parents.setdefault(parent, []).append(time)
    for parent, times in parents.items():
        dated = sum(len(" ".join(t.itertext()).split()) for t in times)
        around = len(element_text(parent).split()) - dated
        if (
            parent.tag in ("p", "div", "span")
            and len(parent) < 3 + len(times)
            and around <= 3
            and parent.getparent() is not None
        ):
            parent.drop_tree()  # "<p>Published <time>3 May</time></p>"
            continue
        for time in times:
            previous = time.getprevious()
            before = (previous.tail if previous is not None else parent.text) or ""
            if len(before.split()) + len((time.tail or "").split()) > 3:
                time.drop_tag()  # "the meeting on <time>Tuesday</time> at noon"


def _mark_preformatted(tree: lxml.html.HtmlElement) -> None:
    """Put a ``<pre>`` without ``<code>`` into one (trafilatura takes it for a quote),
    keep only the text of the links in it, and mark its language."""
    for pre in list(tree.iter("pre")):
        for link in list(pre.iter("a")):
            link.drop_tag()  # html2text would write it out as [text](url) in the code
        language = code_language(pre)
        code = pre.find(".//code")
        if code is None:
            code = etree.SubElement(pre, "code")
            code.text, pre.text = pre.text, None
            for child in list(pre):
                if child is not code:
                    code.append(child)  # moves the child, with its tail
        if language:
            mark_language(code, language)


def _link_base(page: Declared) -> str | None:
    """What the article's relative links resolve against: the page's address (or its
    ``<base>``), else its canonical address (a page saved to a file has no other)."""
    base = page.base
    if base and "://" in base[:12]:
        return base
    canonical = (page.canonical or "").strip()
    if "://" not in canonical[:12]:
        return base
    try:
        return urljoin(canonical, base or "")
    except ValueError:
        return canonical


@dataclass
class Prepared:
    """The article as the HTML handed to the converter, with the Markdown of its images
    and tables, which go back in for their markers after it."""

    html: str
    images: list[str]
    tables: list[str]


def prepare_body(tree: lxml.html.HtmlElement, page: Declared, title: str | None) -> Prepared | str:
    """The article chosen and made plain HTML, without a heading that repeats ``title``;
    or its final Markdown when no converter is needed (none found, an error page, the
    JSON-LD ``articleBody``).

    Changes ``tree`` (hidden parts and datelines go): read the metadata first.
    """
    _drop_hidden(tree)
    _prepare_times(tree)
    _mark_preformatted(tree)
    images = mark_images(tree, _link_base(page))
    stashed = _stash_tables(tree, _link_base(page))
    element, text = _trafilatura(tree, _FAST)
    if len(text) < _ERROR_PAGE_MAX and _is_error_page(tree, page):
        return ""
    # The page's own declaration wins when the extraction clearly missed most of it, or
    # is that declaration itself (trafilatura's last resort), in one paragraph.
    declared = unescape(json_text(page.article.get("articleBody"))) or ""
    if (len(declared) > _DECLARED_MIN and len(text) < 0.5 * len(declared)) or (
        declared and len(text) < 1.2 * len(declared) and fold(declared) in fold(text)
    ):
        return _jsonld_body(declared)
    if len(text) < _SHORT:
        other, other_text = _trafilatura(tree, {})
        if len(other_text) > len(text):
            element = other
    if element is None:
        return ""
    _drop_headline(element, title)
    html_body, tables = _to_html(element, _link_base(page), stashed)
    return Prepared(etree.tostring(html_body, encoding="unicode", method="html"), images, tables)


def finish_body(prepared: Prepared, convert: Convert = html2text_markdown) -> str:
    """The prepared article as Markdown, through ``convert``, without link lists."""
    return _drop_link_blocks(_markdown(prepared.html, prepared.images, prepared.tables, convert))


def article_body(tree: lxml.html.HtmlElement, page: Declared, title: str | None) -> str:
    """The article body as Markdown, without a heading that repeats ``title``.

    Changes ``tree`` (hidden parts and datelines go): read the metadata first.
    """
    prepared = prepare_body(tree, page, title)
    return prepared if isinstance(prepared, str) else finish_body(prepared)
