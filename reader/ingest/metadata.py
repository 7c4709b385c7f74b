"""What an HTML page declares about itself, and its headline.

JSON-LD (``@graph`` and lists unpacked), ``og:``/``article:``/Dublin Core/Twitter
meta, ``<time>`` elements and ``rel=canonical`` give the title, site, author, date,
canonical URL and description; the headline loses a site name that its ``<title>``
appends. Every reader here takes the tree ``extract.parse_tree`` made.
"""

from __future__ import annotations

import html as htmllib
import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree

from reader.base.dates import parse_date
from reader.base.lead_image import picture_url


def element_text(el: lxml.html.HtmlElement) -> str:
    """The element's text, whitespace collapsed."""
    return " ".join(el.text_content().split())


def unescape(value: str | None) -> str | None:
    """JSON-LD strings are sometimes HTML-escaped (``&amp;``, ``&#8217;``)."""
    return htmllib.unescape(value) if value and "&" in value else value


# ------------------------------------------------------------ what the page declares


@dataclass
class Declared:
    """What a page declares about itself."""

    url: str | None
    meta: dict[str, str] = field(default_factory=dict)  # lowercased name/property -> content
    article: dict[str, Any] = field(default_factory=dict)  # the JSON-LD article object, if any
    jsonld: list[dict[str, Any]] = field(default_factory=list)
    title_tag: str | None = None
    canonical: str | None = None
    base: str | None = None  # the address relative links resolve against


_ARTICLE_TYPES = re.compile(r"(Article|BlogPosting|SocialMediaPosting|Report)$")


def _types(obj: dict[str, Any]) -> list[str]:
    kind = obj.get("@type")
    if isinstance(kind, str):
        return [kind]
    return [k for k in kind if isinstance(k, str)] if isinstance(kind, list) else []


def _walk(node: object, out: list[dict[str, Any]], depth: int = 0) -> None:
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


def _jsonld(tree: lxml.html.HtmlElement) -> list[dict[str, Any]]:
    """All JSON-LD objects of the page, in order; unreadable blocks are skipped."""
    objects: list[dict[str, Any]] = []
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


def read_declared(tree: lxml.html.HtmlElement, url: str | None) -> Declared:
    page = Declared(url=url, base=url)
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
    page.title_tag = (element_text(title) or None) if title is not None else None
    return page


def first_meta(meta: dict[str, str], *keys: str) -> str | None:
    return next((meta[key] for key in keys if meta.get(key)), None)


def json_text(value: object) -> str | None:
    """A JSON-LD text value (the first, for a list)."""
    if isinstance(value, list) and value:
        value = value[0]
    return (value.strip() or None) if isinstance(value, str) else None


def _name(value: object) -> str | None:
    """A person's or organisation's name from a JSON-LD value (text, object or list)."""
    if isinstance(value, str):
        return unescape(value.strip()) or None
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


def fold(text: str) -> str:
    return _NOT_WORD.sub(" ", text.casefold()).strip()


def _overlap(a: str, b: str) -> float:
    """Share of the words of ``a`` that are in ``b``."""
    words, others = fold(a).split(), set(fold(b).split())
    return sum(w in others for w in words) / len(words) if words else 0.0


def _site_names(site: str | None, url: str | None) -> set[str]:
    """Folded forms a site's name takes in a title: its name and its domain's labels."""
    names = {fold(site)} if site else set()
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
        folded = fold(part)
        return folded in names or folded.replace(" ", "") in names

    def run(i: int, j: int) -> str:
        return title[bounds[2 * i] : bounds[2 * j - 1]].strip()

    while last - first > 1 and is_site(parts[last - 1]):
        last -= 1
    while last - first > 1 and is_site(parts[first]):
        first += 1
    kept = last
    for end in range(last, first, -1):
        if fold(run(first, end)) in headings:
            kept = end
            break
    else:
        if from_title_tag and last == len(parts) and last - first > 1:
            tail, head = parts[last - 1].split(), run(first, last - 1).split()
            if len(tail) <= 4 and len(head) >= 3:
                kept = last - 1
    dropped = parts[kept].strip() if last == len(parts) and kept == last - 1 else None
    return run(first, kept), dropped


def read_title(
    page: Declared, site: str | None, tree: lxml.html.HtmlElement
) -> tuple[str | None, str | None]:
    """The headline, and a site name its ``<title>`` suggests (see ``_strip_site``).

    The headline comes from JSON-LD, else Dublin Core, Open Graph or Twitter meta,
    else ``<title>``, else the first ``<h1>``.
    """
    headline = unescape(json_text(page.article.get("headline")))
    name = unescape(json_text(page.article.get("name")))
    if headline and name and fold(headline) != fold(name) and page.title_tag:
        # the two disagree: keep the one that covers more of the page's <title>
        if _overlap(page.title_tag, name) > _overlap(page.title_tag, headline):
            headline = name
    title = headline or name
    from_title_tag = False
    if not title:
        title = first_meta(
            page.meta, "dc:title", "dcterm:title", "dcterms:title", "dc.title", "dcterms.title",
            "og:title", "title", "twitter:title", "parsely-title", "sailthru.title",
        )  # fmt: skip
    if not title and page.title_tag:
        title, from_title_tag = page.title_tag, True
    if not title:
        h1 = tree.find(".//h1")
        return (element_text(h1) or None) if h1 is not None else None, None
    headings = {fold(element_text(h)) for h in tree.iter("h1", "h2")} - {""}
    names = _site_names(site, page.url)
    return _strip_site(" ".join(title.split()), names, headings, from_title_tag)


# ----------------------------------------------------------------- other metadata


def site_name(page: Declared) -> str | None:
    site = first_meta(page.meta, "og:site_name")
    if site:
        return site
    publisher = _name(page.article.get("publisher"))
    if publisher:
        return publisher
    for obj in page.jsonld:
        if "WebSite" in _types(obj) and _name(obj.get("name")):
            return _name(obj.get("name"))
    return first_meta(page.meta, "application-name", "apple-mobile-web-app-title")


_BY = re.compile(r"^(?:by|von|par|por|di|door|av)\s+", re.I)


def author_name(page: Declared, tree: lxml.html.HtmlElement) -> str | None:
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
        text = element_text(el)
        if 0 < len(text) < 80:
            return _BY.sub("", text)
    return None


_DATE_KEYS = (
    "article:published_time", "og:published_time", "datepublished", "pubdate", "publishdate",
    "dc.date.issued", "dcterms.issued", "dc:date", "dc.date", "dcterms.date", "date",
    "sailthru.date", "parsely-pub-date",
)  # fmt: skip


def published_date(page: Declared, tree: lxml.html.HtmlElement) -> str | None:
    for value in (json_text(page.article.get("datePublished")), first_meta(page.meta, *_DATE_KEYS)):
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


def canonical_url(page: Declared) -> str | None:
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


def description(page: Declared) -> str | None:
    """The page's own summary of itself (meta, else JSON-LD)."""
    return first_meta(page.meta, "og:description", "description", "twitter:description") or (
        unescape(json_text(page.article.get("description")))
    )


_LEAD_IMAGE_KEYS = (
    "og:image:secure_url", "og:image:url", "og:image", "twitter:image", "twitter:image:src"
)  # fmt: skip


def lead_image(page: Declared) -> tuple[str | None, str | None]:
    """The picture the page declares for itself (``og:image``, Twitter's, JSON-LD's
    ``image``), absolute, and its alt text; (None, None) when it declares none."""
    alt = first_meta(page.meta, "og:image:alt", "twitter:image:alt")
    declared = first_meta(page.meta, *_LEAD_IMAGE_KEYS)
    if declared is None:
        image = page.article.get("image")
        if isinstance(image, list) and image:
            image = image[0]
        if isinstance(image, dict):
            image = image.get("url") or image.get("contentUrl")
        declared = image if isinstance(image, str) else None
    url = picture_url(unescape(declared), page.base)
    return (url, unescape(alt)) if url else (None, None)
