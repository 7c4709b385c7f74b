"""The article in an HTML page: headline, Markdown body and metadata.

The page is parsed once with lxml. trafilatura decides which part of the tree is
the article; html2text turns that part into Markdown. What the page declares about
itself (JSON-LD, ``og:``/``article:``/Dublin Core meta, ``<time>``, ``rel=canonical``)
supplies the metadata and, when the extraction comes back far shorter than the
JSON-LD ``articleBody``, the body.
"""

from __future__ import annotations

import html as htmllib
import json
import logging
import re
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import html2text
import lxml.html
from lxml import etree

from reader.ingest.clean import clean_line, clean_text
from reader.ingest.dates import parse_date
from reader.ingest.errors import (
    ExtractionFailed,
    ExtractorUnavailable,
    PageError,
    is_content_error,
)

# trafilatura logs a warning for every page it finds nothing in.
logging.getLogger("trafilatura").setLevel(logging.CRITICAL)


@dataclass
class Extracted:
    """An article pulled out of a page; every string is free of control characters."""

    title: str | None
    body: str
    author: str | None
    published: str | None
    site: str | None
    canonical_url: str | None
    description: str | None


_log = logging.getLogger(__name__)


def extract_article(
    html: str, url: str | None = None, tree: lxml.html.HtmlElement | None = None
) -> Extracted:
    """The article in ``html`` (fetched from ``url``, if known).

    ``tree`` is the page already parsed with ``parse_tree`` (it may be changed).
    A page without an article (a 404 page, a page of links) gives an empty body.
    Raises ``ExtractionFailed`` when the extractor fails on this page, and
    ``ExtractorUnavailable`` when it cannot run at all: never an empty body instead.
    """
    result = Extracted(None, "", None, None, None, None, None)
    if tree is None:
        tree = parse_tree(html)
    if tree is None:
        return result
    page = _Page(url=url)
    try:
        page = _declared(tree, url)
        site = _site(page)
        title, site_in_title = _title(page, site, tree)
        result.title = _line(title)
        result.site = _line(site or site_in_title)
        result.author = _line(_author(page, tree))
        result.published = _published(page, tree)
        result.canonical_url = _line(_canonical(page))
        result.description = _line(
            _first(page.meta, "og:description", "description", "twitter:description")
            or _unescape(_str(page.article.get("description")))
        )
    except Exception as exc:  # bad content: keep what was found, still try the body
        if not is_content_error(exc):
            raise
        _log.info("%s: metadata given up: %r", url or "page", exc)
    try:
        result.body = _body(tree, page, result.title)
    except RecursionError as exc:
        raise ExtractionFailed("cannot extract the article: the page is nested too deeply") from exc
    return result


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())


# --------------------------------------------------------------------------- parsing

_PARSER_OPTIONS = {
    "remove_comments": True, "remove_pis": True, "collect_ids": False, "default_doctype": False,
}  # fmt: skip
_SURROGATE = re.compile("[\ud800-\udfff]")  # lxml refuses lone surrogates


def parse_tree(html: str) -> lxml.html.HtmlElement | None:
    """The page parsed with lxml as extraction wants it, or None when there is nothing.

    Control characters and terminal escape sequences go first, whole: lxml refuses
    most of them, and their debris ("[2J") must not reach the text. Raises
    ``PageError`` for a page nested deeper than the parser reads (libxml2 stops at
    256 levels and drops everything below: the article would be lost in silence).
    """
    html = _SURROGATE.sub("", clean_text(html))
    if not html.strip():
        return None
    parser = lxml.html.HTMLParser(**_PARSER_OPTIONS)  # its own: it holds the error log
    try:
        tree = lxml.html.document_fromstring(html, parser=parser)
    except ValueError:  # a str that starts with an XML encoding declaration
        parser = lxml.html.HTMLParser(encoding="utf-8", **_PARSER_OPTIONS)
        try:
            tree = lxml.html.document_fromstring(html.encode("utf-8"), parser=parser)
        except (ValueError, etree.ParserError):
            return None
    except etree.ParserError:
        return None
    for error in parser.error_log:
        if error.type == etree.ErrorTypes.ERR_RESOURCE_LIMIT:
            if "depth" in error.message:
                raise PageError("the page nests its elements too deeply to read (over 256 levels)")
            raise PageError(f"the page is beyond the HTML parser's limits: {error.message}")
    if _ODD_TAG.search(html):
        _rename_bad_tags(tree)
    return tree


# A tag name with a character lxml may refuse to handle later: "<span,class=", "<spa:".
_ODD_TAG = re.compile(r"<[A-Za-z][\w.-]*[^\w\s/>.-]")


def _rename_bad_tags(tree: lxml.html.HtmlElement) -> None:
    """Make elements whose tag name lxml would refuse to copy or rename ``<span>``s.

    A damaged page yields them (``<span,class="k">``), and trafilatura then fails.
    """
    for el in tree.iter():
        tag = el.tag
        if isinstance(tag, str) and not tag.isalnum():
            try:
                el.tag = tag
            except ValueError:
                el.tag = "span"


def _text(el: lxml.html.HtmlElement) -> str:
    """The element's text, whitespace collapsed."""
    return " ".join(el.text_content().split())


def _line(value: str | None) -> str | None:
    """A one-line field, cleaned; None when empty."""
    return (clean_line(value) or None) if value else None


def _unescape(value: str | None) -> str | None:
    """JSON-LD strings are sometimes HTML-escaped (``&amp;``, ``&#8217;``)."""
    return htmllib.unescape(value) if value and "&" in value else value


# ------------------------------------------------------------ what the page declares


@dataclass
class _Page:
    """What a page declares about itself."""

    url: str | None
    meta: dict[str, str] = field(default_factory=dict)  # lowercased name/property -> content
    article: dict = field(default_factory=dict)  # the JSON-LD article object, if any
    jsonld: list[dict] = field(default_factory=list)
    title_tag: str | None = None
    canonical: str | None = None
    base: str | None = None  # the address relative links resolve against


_ARTICLE_TYPES = re.compile(r"(Article|BlogPosting|SocialMediaPosting|Report)$")


def _types(obj: dict) -> list[str]:
    kind = obj.get("@type")
    if isinstance(kind, str):
        return [kind]
    return [k for k in kind if isinstance(k, str)] if isinstance(kind, list) else []


def _walk(node: object, out: list[dict], depth: int = 0) -> None:
    """Collect every JSON-LD object in ``node``, unpacking lists and ``@graph``."""
    if depth > 5:
        return
    if isinstance(node, list):
        for item in node:
            _walk(item, out, depth + 1)
    elif isinstance(node, dict):
        out.append(node)
        for key in ("@graph", "mainEntity"):
            if isinstance(node.get(key), list | dict):
                _walk(node[key], out, depth + 1)


def _jsonld(tree: lxml.html.HtmlElement) -> list[dict]:
    """All JSON-LD objects of the page, in order; unreadable blocks are skipped."""
    objects: list[dict] = []
    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        raw = (script.text or "").strip()
        for start, end in (("<!--", "-->"), ("<![CDATA[", "]]>"), ("//<![CDATA[", "//]]>")):
            if raw.startswith(start):
                raw = raw.removeprefix(start).removesuffix(end).strip()
        try:
            _walk(json.loads(raw.rstrip(";"), strict=False), objects)
        except (ValueError, RecursionError):
            continue
    return objects


def _declared(tree: lxml.html.HtmlElement, url: str | None) -> _Page:
    page = _Page(url=url, base=url)
    base_seen = False
    for el in tree.iter("meta", "link", "base"):
        if el.tag == "meta":
            key = el.get("property") or el.get("name") or el.get("itemprop")
            content = el.get("content")
            if key and content and content.strip():
                for k in key.lower().split():
                    page.meta.setdefault(k, content.strip())
        elif el.tag == "link":
            if page.canonical is None and "canonical" in (el.get("rel") or "").lower().split():
                page.canonical = el.get("href")
        elif not base_seen and el.get("href"):
            base_seen = True
            try:
                page.base = urljoin(url or "", el.get("href", "").strip())
            except ValueError:
                pass
    page.jsonld = _jsonld(tree)
    page.article = next(
        (o for o in page.jsonld if any(_ARTICLE_TYPES.search(t) for t in _types(o))), {}
    )
    title = tree.find(".//head/title")
    if title is None:
        title = tree.find(".//title")
    page.title_tag = (_text(title) or None) if title is not None else None
    return page


def _first(meta: dict[str, str], *keys: str) -> str | None:
    return next((meta[key] for key in keys if meta.get(key)), None)


def _str(value: object) -> str | None:
    """A JSON-LD text value (the first, for a list)."""
    if isinstance(value, list) and value:
        value = value[0]
    return (value.strip() or None) if isinstance(value, str) else None


def _name(value: object) -> str | None:
    """A person's or organisation's name from a JSON-LD value (text, object or list)."""
    if isinstance(value, str):
        return _unescape(value.strip()) or None
    if isinstance(value, dict):
        return _name(value.get("name")) if isinstance(value.get("name"), str) else None
    if isinstance(value, list):
        names = [n for n in (_name(v) for v in value[:10]) if n]
        return ", ".join(dict.fromkeys(names)) or None
    return None


# --------------------------------------------------------------------------- title

# Between a headline and a site name: " | ", " - ", " – ", " — ", " · ", " » ", " :: ", " / ".
_SEPARATOR = re.compile(r"\s+(?:[|\-\u2013\u2014\u00b7\u00bb\u2022/~]|::)\s+")
_NOT_WORD = re.compile(r"[\W_]+")


def _fold(text: str) -> str:
    return _NOT_WORD.sub(" ", text.casefold()).strip()


def _overlap(a: str, b: str) -> float:
    """Share of the words of ``a`` that are in ``b``."""
    words, others = _fold(a).split(), set(_fold(b).split())
    return sum(w in others for w in words) / len(words) if words else 0.0


def _site_names(site: str | None, url: str | None) -> set[str]:
    """Folded forms a site's name takes in a title: its name and its domain's labels."""
    names = {_fold(site)} if site else set()
    host = urlsplit(url or "").hostname or ""
    generic = {"www", "com", "org", "net", "co", "uk", "news", "m", "amp", "edu", "gov"}
    names.update(label for label in host.split(".") if label and label not in generic)
    return names - {""}


def _strip_site(
    title: str, names: set[str], headings: set[str], from_title_tag: bool
) -> tuple[str, str | None]:
    """``title`` without a site name before or after a separator, and that name.

    A part is dropped when it is the site's name or domain. When what is left
    starts with the text of one of the page's ``<h1>``/``<h2>``, that heading is the
    headline. A ``<title>`` whose last part is short
    (``Headline – My blog``) loses it even when the site's name is unknown. The
    second value is a single last part dropped by those two rules: the likely name
    of a site that does not declare one.
    """
    seps = list(_SEPARATOR.finditer(title))
    if not seps:
        return title, None
    bounds = [0, *(x for m in seps for x in m.span()), len(title)]
    parts = [title[bounds[i] : bounds[i + 1]] for i in range(0, len(bounds), 2)]
    first, last = 0, len(parts)  # the kept run of parts: parts[first:last]

    def is_site(part: str) -> bool:
        folded = _fold(part)
        return folded in names or folded.replace(" ", "") in names

    def run(i: int, j: int) -> str:
        return title[bounds[2 * i] : bounds[2 * j - 1]].strip()

    while last - first > 1 and is_site(parts[last - 1]):
        last -= 1
    while last - first > 1 and is_site(parts[first]):
        first += 1
    kept = last
    for end in range(last, first, -1):
        if _fold(run(first, end)) in headings:
            kept = end
            break
    else:
        if from_title_tag and last == len(parts) and last - first > 1:
            tail, head = parts[last - 1].split(), run(first, last - 1).split()
            if len(tail) <= 4 and len(head) >= 3:
                kept = last - 1
    dropped = parts[kept].strip() if last == len(parts) and kept == last - 1 else None
    return run(first, kept), dropped


def _title(
    page: _Page, site: str | None, tree: lxml.html.HtmlElement
) -> tuple[str | None, str | None]:
    """The headline, and a site name its ``<title>`` suggests (see ``_strip_site``).

    The headline comes from JSON-LD, else Dublin Core, Open Graph or Twitter meta,
    else ``<title>``, else the first ``<h1>``.
    """
    headline = _unescape(_str(page.article.get("headline")))
    name = _unescape(_str(page.article.get("name")))
    if headline and name and _fold(headline) != _fold(name) and page.title_tag:
        # the two disagree: keep the one that covers more of the page's <title>
        if _overlap(page.title_tag, name) > _overlap(page.title_tag, headline):
            headline = name
    title = headline or name
    from_title_tag = False
    if not title:
        title = _first(
            page.meta, "dc:title", "dcterm:title", "dcterms:title", "dc.title", "dcterms.title",
            "og:title", "title", "twitter:title", "parsely-title", "sailthru.title",
        )  # fmt: skip
    if not title and page.title_tag:
        title, from_title_tag = page.title_tag, True
    if not title:
        h1 = tree.find(".//h1")
        return (_text(h1) or None) if h1 is not None else None, None
    headings = {_fold(_text(h)) for h in tree.iter("h1", "h2")} - {""}
    names = _site_names(site, page.url)
    return _strip_site(" ".join(title.split()), names, headings, from_title_tag)


# ----------------------------------------------------------------- other metadata


def _site(page: _Page) -> str | None:
    site = _first(page.meta, "og:site_name")
    if site:
        return site
    publisher = _name(page.article.get("publisher"))
    if publisher:
        return publisher
    for obj in page.jsonld:
        if "WebSite" in _types(obj) and _name(obj.get("name")):
            return _name(obj.get("name"))
    return _first(page.meta, "application-name", "apple-mobile-web-app-title")


_BY = re.compile(r"^(?:by|von|par|por|di|door|av)\s+", re.I)


def _author(page: _Page, tree: lxml.html.HtmlElement) -> str | None:
    author = _name(page.article.get("author")) or _name(page.article.get("creator"))
    if author:
        return author
    for key in (
        "author", "article:author", "dc:creator", "dc.creator", "parsely-author",
        "sailthru.author", "byl",
    ):  # fmt: skip
        value = page.meta.get(key)
        if value and not value.startswith(("http://", "https://", "/")):
            return _BY.sub("", value)
    for el in tree.xpath('//*[@rel="author" or @itemprop="author"]')[:1]:
        text = _text(el)
        if 0 < len(text) < 80:
            return _BY.sub("", text)
    return None


_DATE_KEYS = (
    "article:published_time", "og:published_time", "datepublished", "pubdate", "publishdate",
    "dc.date.issued", "dcterms.issued", "dc:date", "dc.date", "dcterms.date", "date",
    "sailthru.date", "parsely-pub-date",
)  # fmt: skip


def _published(page: _Page, tree: lxml.html.HtmlElement) -> str | None:
    for value in (_str(page.article.get("datePublished")), _first(page.meta, *_DATE_KEYS)):
        if value and (date := parse_date(value)):
            return date
    # a <time> marked as the publication's, else one in the article, else the first
    for path in (_PUBLISHED_TIME, _ARTICLE_TIME, _ANY_TIME):
        for value in path(tree)[:3]:
            if date := parse_date(value):
                return date
    return None


_PUBLISHED_TIME = etree.XPath("//time[@itemprop='datePublished' or @pubdate]/@datetime")
_ARTICLE_TIME = etree.XPath("//article//time/@datetime")
_ANY_TIME = etree.XPath("//time/@datetime")


def _canonical(page: _Page) -> str | None:
    """``<link rel=canonical>`` or ``og:url``, absolute; None when neither is usable."""
    for href in (page.canonical, page.meta.get("og:url")):
        if not href or not href.strip():
            continue
        try:
            absolute = urljoin(page.base or "", href.strip())
            parts = urlsplit(absolute)
        except ValueError:
            continue
        if parts.scheme in ("http", "https") and parts.netloc:
            return absolute
    return None


# ---------------------------------------------------------------------------- body

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


def _trafilatura(tree: lxml.html.HtmlElement, options: dict) -> tuple[etree._Element | None, str]:
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
            include_images=False,
            **options,
        )
    except RecursionError as exc:
        raise ExtractionFailed("cannot extract the article: the page is nested too deeply") from exc
    except Exception as exc:  # the extractor's own failure on this page, reported
        why = f"{type(exc).__name__}: {_one_line(exc)}"
        raise ExtractionFailed(f"cannot extract the article: trafilatura failed: {why}") from exc
    if doc is None or doc.body is None:
        return None, ""
    return doc.body, doc.raw_text or ""


_HI = {"#b": "strong", "#i": "em", "#u": "u", "#t": "code", "#sub": "sub", "#sup": "sup"}
_TAG_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]*")
_RENAME = {"item": "li", "quote": "blockquote", "code": "pre", "lb": "br", "row": "tr"}
_NO_LINK = ("javascript:", "data:", "vbscript:", "about:")


def _resolve(href: str | None, base: str | None) -> str | None:
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


def _to_html(body: etree._Element, base: str | None) -> etree._Element:
    """trafilatura's XML body as plain HTML (in place), links made absolute."""
    for el in body.iter():
        tag, rend = el.tag, el.get("rend")
        if tag == "list":
            el.tag = "ol" if rend == "ol" else "ul"
        elif tag == "head":
            el.tag = rend if rend in ("h1", "h2", "h3", "h4", "h5", "h6") else "h3"
        elif tag == "hi":
            el.tag = _HI.get(rend or "", "em")
        elif tag == "cell":
            el.tag = "th" if el.get("role") == "head" else "td"
        elif tag == "graphic":
            el.tag = "span"
            el.text = None
        elif tag == "ref":
            el.tag = "a"
            target = _resolve(el.get("target"), base)
            el.attrib.clear()
            if target:
                el.set("href", target)
            continue
        elif isinstance(tag, str):
            # a broken page can leave tag names lxml will not serialise ('a\ufffdhref=".')
            el.tag = _RENAME.get(tag, tag) if _TAG_NAME.fullmatch(tag) else "span"
        el.attrib.clear()
    body.tag = "div"
    return body


def _converter() -> html2text.HTML2Text:
    h = html2text.HTML2Text(bodywidth=0)  # no hard wrapping
    h.ignore_images = True
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


_BLANK_LINES = re.compile(r"\n{3,}")
_TRAILING_SPACE = re.compile(r"[ \t]+$", re.MULTILINE)
_HTML_BLOCK = re.compile(r"<(?:p|br|div|h[1-6]|ul|ol)\b", re.I)


_LIST_BLOCK = re.compile(r"^  (?:[-*+]|\d+\.) ")


def _dedent_lists(block: str) -> str:
    """html2text indents top-level list items by two spaces: take them back."""
    if not _LIST_BLOCK.match(block):
        return block
    return "\n".join(line.removeprefix("  ") for line in block.split("\n"))


_TAG_LIKE = re.compile(r"<(?=[A-Za-z/!?])")
_CODE_SPAN = re.compile(r"(`+).*?\1")


def _escape_tags(text: str) -> str:
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


def _markdown(html: str) -> str:
    """HTML as Markdown: blank lines between blocks, no trailing whitespace, no raw HTML."""
    text = _converter().handle(html)
    text = _escape_tags(clean_text(_SPACED_PUNCTUATION.sub("", text)))
    text = _BLANK_LINES.sub("\n\n", _TRAILING_SPACE.sub("", text)).strip("\n")
    return "\n\n".join(_dedent_lists(block) for block in text.split("\n\n")).strip()


def _jsonld_body(body: str) -> str:
    """A JSON-LD ``articleBody`` as Markdown."""
    if _HTML_BLOCK.search(body):
        return _markdown(body)
    paragraphs = (" ".join(p.split()) for p in body.splitlines())
    text = "\n\n".join(html2text.escape_md_section(p, snob=False) for p in paragraphs if p)
    return _escape_tags(clean_text(text))


def _drop_headline(body: etree._Element, title: str | None) -> None:
    """Remove a heading at the top of the body that repeats the title."""
    if not title:
        return
    words = set(_fold(title).split())
    for el in body[:3]:
        if el.tag != "head":
            continue
        heading = set(_fold("".join(el.itertext())).split())
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
_NON_WORD = re.compile(r"\W+")
_LINK_BLOCK_MIN = 3  # links in a block before it may count as a link list
_LINK_BLOCK_SHARE = 0.8  # share of a block's text inside links that makes it a link list


def _is_link_block(block: str) -> bool:
    """A Markdown block that is (nearly) nothing but links: related, most read, tags."""
    links = _MD_LINK.findall(block)
    if len(links) < _LINK_BLOCK_MIN:
        return False
    linked = len(_NON_WORD.sub("", "".join(links)))
    total = len(_NON_WORD.sub("", _MD_LINK.sub(r"\1", block)))
    return not total or linked / total >= _LINK_BLOCK_SHARE


def _drop_link_blocks(markdown: str) -> str:
    """Remove link-list blocks, and a heading left with nothing under it."""
    blocks = markdown.split("\n\n")
    kept: list[str] = []
    for i, block in enumerate(blocks):
        if not _is_link_block(block):
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


def _is_error_page(tree: lxml.html.HtmlElement, page: _Page) -> bool:
    """Whether the page's ``<title>`` or first ``<h1>`` says it is a 404 page."""
    if page.article:
        return False
    h1 = tree.find(".//h1")
    texts = [page.title_tag or "", _text(h1) if h1 is not None else ""]
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
        around = len(_text(parent).split()) - dated
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


def _body(tree: lxml.html.HtmlElement, page: _Page, title: str | None) -> str:
    """The article body as Markdown, without a heading that repeats ``title``.

    Changes ``tree`` (hidden parts and datelines go): read the metadata first.
    """
    _drop_hidden(tree)
    _prepare_times(tree)
    element, text = _trafilatura(tree, _FAST)
    if len(text) < _ERROR_PAGE_MAX and _is_error_page(tree, page):
        return ""
    # The page's own declaration wins when the extraction clearly missed most of it, or
    # is that declaration itself (trafilatura's last resort), in one paragraph.
    declared = _unescape(_str(page.article.get("articleBody"))) or ""
    if (len(declared) > _DECLARED_MIN and len(text) < 0.5 * len(declared)) or (
        declared and len(text) < 1.2 * len(declared) and _fold(declared) in _fold(text)
    ):
        return _jsonld_body(declared)
    if len(text) < _SHORT:
        other, other_text = _trafilatura(tree, {})
        if len(other_text) > len(text):
            element = other
    if element is None:
        return ""
    _drop_headline(element, title)
    html = etree.tostring(_to_html(element, page.base), encoding="unicode", method="html")
    return _drop_link_blocks(_markdown(html))
