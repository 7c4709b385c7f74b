"""The article in an HTML page: headline, Markdown body and metadata.

The page is parsed once with lxml. trafilatura decides which part of the tree is
the article; html2text turns that part into Markdown. What the page declares about
itself (JSON-LD, ``og:``/``article:`` meta, ``<time>``, ``rel=canonical``) supplies
the metadata and, when the extraction comes back empty or far shorter than the
JSON-LD ``articleBody``, the body.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import html2text
import lxml.html
from lxml import etree

from reader.ingest.clean import clean_line, clean_text
from reader.ingest.dates import parse_date

# trafilatura logs a warning for every page it finds nothing in.
logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
logging.getLogger("htmldate").setLevel(logging.CRITICAL)


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


# --------------------------------------------------------------------------- parsing

_PARSER = lxml.html.HTMLParser(
    remove_comments=True, remove_pis=True, collect_ids=False, default_doctype=False
)
_BYTES_PARSER = lxml.html.HTMLParser(
    remove_comments=True, remove_pis=True, collect_ids=False, default_doctype=False,
    encoding="utf-8",
)  # fmt: skip
# What lxml refuses in a str: C0 controls but tab/newline/CR, and lone surrogates.
_UNPARSABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")


def _parse(html: str) -> lxml.html.HtmlElement | None:
    """The page's tree, or None when there is nothing to parse."""
    html = _UNPARSABLE.sub("", html)
    if not html.strip():
        return None
    try:
        return lxml.html.document_fromstring(html, parser=_PARSER)
    except ValueError:  # a str with an XML encoding declaration
        try:
            return lxml.html.document_fromstring(html.encode("utf-8"), parser=_BYTES_PARSER)
        except (ValueError, etree.ParserError):
            return None
    except etree.ParserError:
        return None


def _text(el: lxml.html.HtmlElement) -> str:
    return " ".join(el.text_content().split())


# -------------------------------------------------------------------------- metadata

_ARTICLE_TYPES = re.compile(r"(Article|BlogPosting|LiveBlogPosting|SocialMediaPosting|Report)$")


def _types(obj: dict) -> list[str]:
    kind = obj.get("@type")
    if isinstance(kind, str):
        return [kind]
    return [k for k in kind if isinstance(k, str)] if isinstance(kind, list) else []


def _walk(node: object, out: list[dict], depth: int = 0) -> None:
    """Every JSON-LD object in ``node``: lists, ``@graph`` and ``mainEntity`` unpacked."""
    if depth > 6:
        return
    if isinstance(node, list):
        for item in node:
            _walk(item, out, depth + 1)
    elif isinstance(node, dict):
        out.append(node)
        for key in ("@graph", "mainEntity", "mainEntityOfPage", "itemListElement"):
            if isinstance(node.get(key), list | dict):
                _walk(node[key], out, depth + 1)


def _jsonld(tree: lxml.html.HtmlElement) -> list[dict]:
    """All JSON-LD objects of the page, in order; unreadable blocks skipped."""
    objects: list[dict] = []
    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        raw = (script.text or "").strip()
        if raw.startswith("<!--"):
            raw = raw.removeprefix("<!--").removesuffix("-->").strip()
        raw = raw.rstrip(";")
        try:
            _walk(json.loads(raw, strict=False), objects)
        except (ValueError, RecursionError):
            continue
    return objects


def _name(value: object) -> str | None:
    """A person's or organisation's name from a JSON-LD value (str, object or list)."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, dict):
        name = value.get("name")
        return name.strip() or None if isinstance(name, str) else None
    if isinstance(value, list):
        names = [n for n in (_name(v) for v in value) if n]
        return ", ".join(dict.fromkeys(names)) or None
    return None


def _str(value: object) -> str | None:
    if isinstance(value, list) and value:
        value = value[0]
    return value.strip() or None if isinstance(value, str) else None


@dataclass
class _Meta:
    """What a page declares about itself."""

    meta: dict[str, str]
    article: dict
    site_objects: list[dict]
    title_tag: str | None
    canonical: str | None
    base: str | None


def _meta(tree: lxml.html.HtmlElement, url: str | None) -> _Meta:
    meta: dict[str, str] = {}
    canonical = None
    base = url
    head_seen = False
    for el in tree.iter("meta", "link", "base"):
        tag = el.tag
        if tag == "meta":
            key = el.get("property") or el.get("name") or el.get("itemprop")
            content = el.get("content")
            if key and content and content.strip():
                for k in key.lower().split():
                    meta.setdefault(k, content.strip())
        elif tag == "link":
            if canonical is None and "canonical" in (el.get("rel") or "").lower().split():
                canonical = el.get("href")
        elif not head_seen and el.get("href"):
            base = urljoin(url or "", el.get("href").strip())
            head_seen = True
    objects = _jsonld(tree)
    article = next((o for o in objects if any(_ARTICLE_TYPES.search(t) for t in _types(o))), {})
    title_el = tree.find(".//title")
    title_tag = _text(title_el) if title_el is not None else None
    return _Meta(meta, article, objects, title_tag or None, canonical, base)


def _first(meta: dict[str, str], *keys: str) -> str | None:
    for key in keys:
        if meta.get(key):
            return meta[key]
    return None


_SEPARATORS = re.compile(r"\s+(?:[|\-\u2013\u2014\u00bb\u00b7\u2022/~:]{1,2})\s+")
_FOLD = re.compile(r"[\W_]+")


def _fold(text: str) -> str:
    return _FOLD.sub(" ", text.casefold()).strip()


def _strip_site(title: str, site: str | None, url: str | None, headings: list[str]) -> str:
    """``title`` without a `` | Site Name`` prefix or suffix."""
    parts = _SEPARATORS.split(title)
    if len(parts) < 2:
        return title
    folded_headings = {_fold(h) for h in headings}
    # a heading of the page that is a whole part of the title is the headline
    for i in range(len(parts)):
        for j in range(len(parts), i, -1):
            if (i, j) == (0, len(parts)):
                continue
            candidate = _SEPARATORS.search(title) and _join(title, i, j)
            if candidate and _fold(candidate) in folded_headings:
                return candidate
    names = set()
    if site:
        names.add(_fold(site))
    host = urlsplit(url or "").hostname or ""
    labels = [x for x in host.split(".") if x not in ("www", "com", "org", "net", "co", "uk")]
    # drop parts that are the site: its name or its domain
    first, last = _fold(parts[0]), _fold(parts[-1])
    if last in names or any(last.replace(" ", "") == x for x in labels):
        return _join(title, 0, len(parts) - 1)
    if first in names or any(first.replace(" ", "") == x for x in labels):
        return _join(title, 1, len(parts))
    return title


def _join(title: str, i: int, j: int) -> str:
    """Parts ``i`` to ``j`` of ``title`` as written, separators included."""
    cuts = [0]
    for m in _SEPARATORS.finditer(title):
        cuts.extend((m.start(), m.end()))
    cuts.append(len(title))
    return title[cuts[2 * i] : cuts[2 * j - 1]].strip()


def _title(m: _Meta, site: str | None, url: str | None, tree: lxml.html.HtmlElement) -> str | None:
    headline = _str(m.article.get("headline")) or _str(m.article.get("name"))
    title = (
        headline
        or _first(m.meta, "og:title", "twitter:title", "dc.title", "dcterms.title")
        or m.title_tag
    )
    if not title:
        h1 = tree.find(".//h1")
        return _text(h1) or None if h1 is not None else None
    headings = [_text(h) for h in tree.iter("h1", "h2")][:20]
    return _strip_site(" ".join(title.split()), site, url, headings)


def _author(m: _Meta, tree: lxml.html.HtmlElement) -> str | None:
    author = _name(m.article.get("author")) or _name(m.article.get("creator"))
    if author:
        return author
    for key in ("author", "article:author", "dc.creator", "parsely-author", "sailthru.author"):
        value = m.meta.get(key)
        if value and not value.startswith(("http://", "https://", "/")):
            return value
    for el in tree.xpath('//*[@rel="author" or @itemprop="author"][1]'):
        text = _text(el)
        if 0 < len(text) < 80:
            return re.sub(r"^[Bb]y\s+", "", text)
    return None


_DATE_KEYS = (
    "article:published_time", "og:published_time", "datepublished", "pubdate",
    "publishdate", "dc.date.issued", "dc.date", "dcterms.date", "date",
    "sailthru.date", "parsely-pub-date", "article.published",
)  # fmt: skip


def _published(m: _Meta, tree: lxml.html.HtmlElement) -> str | None:
    for value in (_str(m.article.get("datePublished")), _first(m.meta, *_DATE_KEYS)):
        if value and (date := parse_date(value)):
            return date
    for el in tree.iter("time"):
        value = el.get("datetime")
        if value and (date := parse_date(value)):
            return date
    return None


def _site(m: _Meta) -> str | None:
    site = _first(m.meta, "og:site_name", "application-name")
    if site:
        return site
    publisher = _name(m.article.get("publisher"))
    if publisher:
        return publisher
    for obj in m.site_objects:
        if "WebSite" in _types(obj) and _name(obj):
            return _name(obj)
    return None


def _canonical(m: _Meta) -> str | None:
    for href in (m.canonical, m.meta.get("og:url")):
        if href and href.strip():
            absolute = urljoin(m.base or "", href.strip())
            if urlsplit(absolute).scheme in ("http", "https") and urlsplit(absolute).netloc:
                return absolute
    return None


# ------------------------------------------------------------------------------ body

_HI = {"#b": "strong", "#i": "em", "#u": "u", "#t": "code", "#sub": "sub", "#sup": "sup"}


def _to_html(body: etree._Element, base: str | None) -> None:
    """trafilatura's XML body to plain HTML, in place; links made absolute."""
    for el in body.iter():
        tag = el.tag
        rend = el.get("rend")
        if tag == "list":
            el.tag = "ol" if rend == "ol" else "ul"
        elif tag == "item":
            el.tag = "li"
        elif tag == "head":
            el.tag = rend if rend in ("h1", "h2", "h3", "h4", "h5", "h6") else "h3"
        elif tag == "hi":
            el.tag = _HI.get(rend or "", "em")
        elif tag == "ref":
            el.tag = "a"
            target = _resolve(el.get("target"), base)
            el.attrib.clear()
            if target:
                el.set("href", target)
            continue
        elif tag == "quote":
            el.tag = "blockquote"
        elif tag == "code":
            el.tag = "pre"
        elif tag == "lb":
            el.tag = "br"
        elif tag == "row":
            el.tag = "tr"
        elif tag == "cell":
            el.tag = "th" if el.get("role") == "head" else "td"
        elif tag == "graphic":
            el.tag = "span"
            alt = el.get("alt")
            el.text = alt if alt else None
        el.attrib.clear()
    body.tag = "div"


def _converter(baseurl: str) -> html2text.HTML2Text:
    h = html2text.HTML2Text(baseurl=baseurl, bodywidth=0)
    h.ignore_images = True
    h.images_to_alt = True
    h.unicode_snob = True
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


_BLANKS = re.compile(r"\n{3,}")
_TRAILING = re.compile(r"[ \t]+$", re.MULTILINE)


def _markdown(html: str, baseurl: str) -> str:
    text = _converter(baseurl).handle(html)
    text = _TRAILING.sub("", clean_text(text))
    return _BLANKS.sub("\n\n", text).strip()


def _resolve(href: str | None, base: str | None) -> str | None:
    """``href`` made absolute against ``base``; None for script and empty links."""
    href = (href or "").strip()
    if not href or href.lower().startswith(("javascript:", "data:", "vbscript:")):
        return None
    if not base or "://" in href[:12]:
        return href
    try:
        return urljoin(base, href)
    except ValueError:
        return None


_OPTIONS: dict = {}


def _trafilatura(tree: lxml.html.HtmlElement) -> tuple[etree._Element | None, int]:
    """The article element trafilatura chooses and the length of its text."""
    import trafilatura

    # No url: trafilatura would resolve every link of the page; only the article's are.
    doc = trafilatura.bare_extraction(
        tree,
        output_format="html",  # skips the plain-text rendering of the "python" format
        include_comments=False,
        include_formatting=True,
        include_links=True,
        include_tables=True,
        include_images=False,
        with_metadata=False,
        **_OPTIONS,
    )
    if doc is None or doc.body is None:
        return None, 0
    return doc.body, len(doc.raw_text or "")


def _jsonld_body(article: dict, baseurl: str) -> str:
    body = _str(article.get("articleBody")) or ""
    if not body:
        return ""
    if "<" in body and re.search(r"<(p|br|div)\b", body, re.I):
        return _markdown(body, baseurl)
    paragraphs = (" ".join(p.split()) for p in re.split(r"\n\s*\n|\r?\n", body))
    return "\n\n".join(html2text.escape_md_section(p, snob=False) for p in paragraphs if p)


def _body(tree: lxml.html.HtmlElement, m: _Meta, url: str | None) -> str:
    base = m.base or url or ""
    element, length = _trafilatura(tree)
    body = ""
    if element is not None:
        _to_html(element, base or None)
        body = _markdown(etree.tostring(element, encoding="unicode", method="html"), base)
    ld_body = _jsonld_body(m.article, base)
    if len(ld_body) > 500 and len(body) < 0.5 * len(ld_body):
        body = ld_body
    return body


# -------------------------------------------------------------------------------- API


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    return clean_line(value) or None


def extract_article(html: str, url: str | None = None) -> Extracted:
    """The article in ``html`` (fetched from ``url``, if known); never raises."""
    empty = Extracted(None, "", None, None, None, None, None)
    try:
        tree = _parse(html)
    except Exception:  # noqa: BLE001 - a page must never stop an ingest
        return empty
    if tree is None:
        return empty
    try:
        m = _meta(tree, url)
        site = _site(m)
        result = Extracted(
            title=_clean(_title(m, site, url, tree)),
            body="",
            author=_clean(_author(m, tree)),
            published=_published(m, tree),
            site=_clean(site),
            canonical_url=_clean(_canonical(m)),
            description=_clean(
                _first(m.meta, "og:description", "description", "twitter:description")
                or _str(m.article.get("description"))
            ),
        )
    except Exception:  # noqa: BLE001
        result = empty
    try:
        result.body = clean_text(
            _body(tree, m if result is not empty else _Meta({}, {}, [], None, None, url), url)
        )
    except Exception:  # noqa: BLE001
        pass
    return result
