"""Saved HTML pages, single-file MHTML archives and fetched web pages.

The article itself (body, title, author, date, site, canonical URL) comes from
``extract.extract_article``. This module adds what a news page carries around
the article: the breadcrumb, a reaction count, and the related / ranking /
recommended headline lists with their links, found under their headings
("Related", "Most read", "Trending", "Recommended", ...). A page in the seed's
layout (``Current: Home > Markets``, ``Date:``, ``veryGood! (98)``) gives the same
fields as its text dump, plus the links.
"""

from __future__ import annotations

import email
import email.policy
import json
import re
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

from reader.base import lead_image
from reader.base.clean import clean_line, title_key
from reader.base.dates import parse_date
from reader.base.labels import label_junk, site_label, without_private_use
from reader.base.models import Headline, Page
from reader.ingest.decode import DecodeError, decode_html, looks_like_html
from reader.ingest.textpage import _REACTIONS_LINE, HEADINGS

if TYPE_CHECKING:
    from lxml.html import HtmlElement

    from reader.base.models import RawPage

NAME = "html"

_HEADING_TAGS = set(
    "h1 h2 h3 h4 h5 h6 strong b span div p header summary legend caption dt th em section"
    " aside".split()
)
_SKIP_LINK = re.compile(r"^(?:more|see (?:all|more)|view all|next|previous|\d+)$", re.IGNORECASE)
_DATE_TEXT = re.compile(r"^\s*(?:date|published|updated)\s*[:：]\s*(.+?)\s*$", re.IGNORECASE)
_CURRENT = re.compile(r"^\s*current\s*:\s*(.+)$", re.IGNORECASE | re.DOTALL)


def sniff(data: bytes) -> bool:
    return looks_like_html(data)


def parse(raw: RawPage) -> Page:
    """Parse an HTML page (or an MHTML archive holding one)."""
    data, charset, url = raw.data, raw.charset, raw.url
    if _is_mhtml(data):
        data, charset, location = _mhtml_html_part(data)
        url = url or location
    html = decode_html(data, charset)
    return parse_html(html, url or (raw.source if "://" in raw.source else None))


def parse_html(html: str, url: str | None = None) -> Page:
    """Parse decoded HTML; ``url`` (where it came from) makes links absolute."""
    from reader.ingest.extract import extract_article, parse_tree

    tree = parse_tree(html)  # parsed once: the lists are read first, then extraction
    section: list[str] = []
    reactions = date_text = None
    lists: dict[str, list[Headline]] = {"related": [], "ranking": [], "recommended": []}
    if tree is not None:
        base = _base_href(tree) or _canonical(tree) or url
        lists = _headline_lists(tree, base)
        reactions, date_text = _reactions_and_date(tree)
        crumbs = _breadcrumb(tree)
    article = extract_article(html, url, tree=tree)
    if tree is not None:
        section = _without_title(crumbs, article.title)
    published = article.published or (parse_date(date_text) if date_text else None)
    title = article.title or ""
    site = article.site
    if tree is not None:
        title, site = _title_and_site(tree, title, site)
    body = lead_image.in_markdown(
        _drop_title_heading(article.body, title), article.lead_image, article.lead_alt
    )
    if not title and not body.strip():
        raise DecodeError("no title and no article text in this page")
    author = clean_line(article.author) if article.author else None
    for kind, headlines in lists.items():
        lists[kind] = [h for h in headlines if label_junk(h.title, author) != "author"]
    site = clean_line(site_label(site)) if site else None
    return Page(
        title=clean_line(title) or "(untitled page)",
        body=body,
        site=site or None,
        section=section,
        published=published,
        author=author,
        reactions=reactions,
        url=url or article.canonical_url,
        canonical_url=article.canonical_url,
        related=lists["related"],
        ranking=lists["ranking"],
        recommended=lists["recommended"],
    )


# -- MHTML --------------------------------------------------------------------------------


def _is_mhtml(data: bytes) -> bool:
    head = data[:4096].lower()
    return b"mime-version:" in head and b"multipart/related" in head


def _mhtml_html_part(data: bytes) -> tuple[bytes, str | None, str | None]:
    """The first text/html part of an MHTML archive: bytes, charset, Content-Location."""
    message = email.message_from_bytes(data, policy=email.policy.compat32)
    for part in message.walk():
        if part.get_content_type() == "text/html":
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                return payload, part.get_content_charset(), part.get("Content-Location")
    raise DecodeError("MHTML archive without an HTML page in it")


# -- around the article -------------------------------------------------------------------


def _text(element: HtmlElement) -> str:
    return " ".join(element.text_content().split())


def _base_href(tree: HtmlElement) -> str | None:
    for base in tree.iterfind(".//base[@href]"):
        href = base.get("href", "").strip()
        if urlsplit(href).scheme in ("http", "https"):
            return href
    return None


def _headline_lists(tree: HtmlElement, base: str | None) -> dict[str, list[Headline]]:
    """Link lists under the usual headings, in page order.

    Two lists of one kind ("Most read" and "Trending") are joined, the second's
    headlines after the first's; a headline in both (or a list the page repeats
    for another screen size) comes once.
    """
    lists: dict[str, list[Headline]] = {"related": [], "ranking": [], "recommended": []}
    seen: dict[str, set[str]] = {kind: set() for kind in lists}
    for element in tree.iter(*_HEADING_TAGS):
        own = " ".join((element.text or "").split())
        if not own or len(own) > 40 or len(element) > 2:
            continue
        kind = HEADINGS.get(own.rstrip(":").casefold())
        if kind is None:
            continue
        if element.tag in ("span", "div", "p", "em", "section", "aside") and _text(element) != own:
            continue
        for headline in _links_after(element, base):
            key = title_key(headline.title)
            if key not in seen[kind]:
                seen[kind].add(key)
                lists[kind].append(headline)
    return lists


def _links_after(heading: HtmlElement, base: str | None) -> list[Headline]:
    """The links that follow a heading, up to the next heading-like element; not the
    buttons, bylines and labels among them (``_is_headline_link``)."""
    found: list[Headline] = []
    seen: set[str] = set()
    urls: set[str] = set()
    node: HtmlElement | None = heading
    # Walk following siblings; if the heading is alone in its wrapper, climb one level.
    while node is not None and node.getnext() is None and (parent := node.getparent()) is not None:
        node = parent
        if node.tag in ("body", "html"):
            return found
    sibling = node.getnext() if node is not None else None
    while sibling is not None and len(found) < 30:
        if not isinstance(sibling.tag, str):
            sibling = sibling.getnext()
            continue
        own = " ".join((sibling.text or "").split())
        if HEADINGS.get(own.rstrip(":").casefold()) and len(sibling) <= 2:
            break
        for link in sibling.iter("a"):
            href = (link.get("href") or "").strip()
            if not _is_headline_link(link, href, sibling):
                continue
            title = without_private_use(_link_title(link))
            if not title or _SKIP_LINK.match(title) or len(title.split()) < 2 or label_junk(title):
                continue
            absolute = urljoin(base, href) if base and href else (href or None)
            if absolute and urlsplit(absolute).scheme not in ("http", "https"):
                absolute = None
            key = title.casefold()
            if key in seen or (absolute and absolute in urls):
                continue  # (a teaser's second link: its source, an advertiser's name)
            seen.add(key)
            if absolute:
                urls.add(absolute)
            found.append(Headline(clean_line(title), absolute))
        sibling = sibling.getnext()
    return found


_BYLINE_MARK = re.compile(r"byline|author|writer|contributor", re.I)
# A person's page: /authors/ann-lee/, /writer/ann_lee (a short name, no file extension).
_PERSON_PATH = re.compile(
    r"/(?:authors?|writers?|profiles?|contributors?|staff|columnists?|byline)"
    r"/(?:[a-z0-9]+[-_.]){0,3}[a-z0-9]+/?$",
    re.I,
)


# A link that shares the page, mails it or calls: sharer.php?u=, intent/tweet?url=, mailto:
_SHARE = re.compile(
    r"(?:share|sharer|sharing|intent/tweet|submit)\b[^?#]*\?(?:.*&)?(?:u|url|link)=", re.I
)
_OTHER_SCHEME = re.compile(r"(?!https?:|file:)[a-z][a-z0-9+.-]*:", re.I)


def _is_headline_link(link: HtmlElement, href: str, within: HtmlElement) -> bool:
    """Whether ``link`` (inside ``within``) may be a headline: not a button or a link to
    nowhere (``href="#"``, ``javascript:``), not a byline (marked so, or a link to a
    person's page)."""
    if _nowhere(href) or _SHARE.search(href[:2000]) or _OTHER_SCHEME.match(href):
        return False
    if (link.get("role") or "").casefold() == "button" or _PERSON_PATH.search(_path(href)):
        return False
    # the link, and the wrappers around it alone (a byline's <span>, not a teaser's <li>)
    element: HtmlElement | None = link
    while element is not None and (element is link or len(element.findall(".//a")) == 1):
        marker = " ".join(
            (element.get("class", ""), element.get("rel", ""), element.get("itemprop", ""))
        )
        if _BYLINE_MARK.search(marker):
            return False
        if element is within:
            break
        element = element.getparent()
    return True


_NO_TEXT = frozenset(("script", "style", "template", "noscript"))
_HED = re.compile(r"(?:^|[\s_-])hed(?:$|[\s_-])")  # newsroom for headline: data-field="hed"


def _visible_text(element: HtmlElement) -> str:
    """The element's text without its scripts' and templates' (whitespace collapsed)."""
    if not any(isinstance(e.tag, str) and e.tag in _NO_TEXT for e in element.iter()):
        return _text(element)
    parts: list[str] = []

    def walk(el: HtmlElement) -> None:
        if isinstance(el.tag, str) and el.tag in _NO_TEXT:
            return
        parts.append(el.text or "")
        for child in el:
            walk(child)
            parts.append(child.tail or "")

    walk(element)
    return " ".join("".join(parts).split())


def _link_title(link: HtmlElement) -> str:
    """A link's headline: its heading or title element when it wraps a teaser too."""
    for element in link.iter():
        if not isinstance(element.tag, str) or element is link or element.tag in _NO_TEXT:
            continue
        marker = " ".join(
            v for k, v in element.attrib.items() if k in ("class", "itemprop") or k[:5] == "data-"
        ).casefold()
        if (
            element.tag in ("h1", "h2", "h3", "h4", "h5", "h6")
            or "title" in marker
            or "headline" in marker
            or _HED.search(marker)
        ):
            text = _visible_text(element)
            if len(text.split()) >= 2:
                return text
    text = _visible_text(link)
    if len(text) > 160:  # a teaser came along: keep the first sentence-sized part
        text = text[:160].rsplit(" ", 1)[0] + "…"
    return text


def _canonical(tree: HtmlElement) -> str | None:
    for link in tree.iterfind(".//link[@rel='canonical'][@href]"):
        href = link.get("href", "").strip()
        if urlsplit(href).scheme in ("http", "https"):
            return href
    return None


def _without_title(crumbs: list[str], title: str | None) -> list[str]:
    if crumbs and title and crumbs[-1].casefold() == title.casefold():
        return crumbs[:-1]
    return crumbs


def _breadcrumb(tree: HtmlElement) -> list[str]:
    """Sections from JSON-LD BreadcrumbList, a breadcrumb element, or ``Current: A > B``."""
    crumbs: list[str] = []
    for script in tree.iterfind(".//script[@type='application/ld+json']"):
        crumbs = _jsonld_breadcrumb(script.text or "")
        if crumbs:
            break
    if not crumbs:
        for element in tree.iter():
            if not isinstance(element.tag, str) or element.tag in ("script", "style"):
                continue
            marker = " ".join(
                (element.get("class", ""), element.get("id", ""), element.get("aria-label", ""))
            ).casefold()
            own = (element.text or "").lstrip()
            if own[:8].casefold().startswith("current"):  # the seed's "Current: A > B"
                current = _CURRENT.match(_text(element))
                if current and len(current.group(1)) < 200:
                    crumbs = [p.strip() for p in current.group(1).split(">")]
                    break
            if "breadcrumb" not in marker:
                continue
            element = _innermost_breadcrumb(element)
            text = _text(element)
            if len(text) < 300:
                items = [
                    _text(a)
                    for a in element.iter("a", "li", "span")
                    if _text(a) and not (a.tag == "a" and _nowhere(a.get("href")))
                ]
                parts = [p.strip() for p in re.split(r"[>›»/|]", text)] if not items else items
                crumbs = list(dict.fromkeys(p for p in parts if p))
                break
    crumbs = [without_private_use(c) for c in crumbs if c]
    return [clean_line(c) for c in crumbs if c and len(c) < 80 and label_junk(c) is None][:8]


def _marked_breadcrumb(element: HtmlElement) -> bool:
    marker = " ".join((element.get("class", ""), element.get("id", "")))
    return "breadcrumb" in marker.casefold()


def _innermost_breadcrumb(element: HtmlElement) -> HtmlElement:
    """The innermost element marked as a breadcrumb inside ``element`` that holds two
    links or more: a page's breadcrumb box may hold its share and print links too."""
    for inner in element.iterdescendants():
        if (
            isinstance(inner.tag, str)
            and _marked_breadcrumb(inner)
            and len(inner.findall(".//a")) >= 2
        ):
            return _innermost_breadcrumb(inner)
    return element


def _path(href: str) -> str:
    try:
        return urlsplit(href).path
    except ValueError:
        return ""


def _nowhere(href: str | None) -> bool:
    """A link to nowhere: a button (``#``, ``javascript:``) or no address."""
    href = (href or "").strip()
    return not href or href.startswith("#") or href.lower().startswith("javascript:")


def _jsonld_breadcrumb(text: str) -> list[str]:
    try:
        data = json.loads(text)
    except ValueError:
        return []
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            if item.get("@type") == "BreadcrumbList":
                elements = sorted(
                    (e for e in item.get("itemListElement", []) if isinstance(e, dict)),
                    key=lambda e: e.get("position", 0) if isinstance(e.get("position"), int) else 0,
                )
                names = []
                for element in elements:
                    name = element.get("name")
                    inner = element.get("item")
                    if not name and isinstance(inner, dict):
                        name = inner.get("name")
                    if isinstance(name, str):
                        names.append(name)
                return names
            stack.extend(v for v in item.values() if isinstance(v, (dict, list)))
    return []


def _reactions_and_date(tree: HtmlElement) -> tuple[int | None, str | None]:
    """A ``veryGood! (98)``-style reaction count and a ``Date: ...`` line, if shown."""
    reactions = date = None
    body = tree.find("body")
    for element in (body if body is not None else tree).iter():
        if not isinstance(element.tag, str) or element.tag in ("script", "style"):
            continue
        if len(element) > 1:
            continue
        own = (element.text or "").strip()
        if not own or len(own) > 60:
            continue
        text = _text(element) if len(element) else own
        if len(text) > 60:
            continue
        if reactions is None and text.endswith(")"):
            match = _REACTIONS_LINE.match(text)
            if match:
                reactions = int(re.sub(r"[,.]", "", match.group(1)))
        if date is None:
            match = _DATE_TEXT.match(text)
            if match:
                date = match.group(1)
        if reactions is not None and date is not None:
            break
    return reactions, date


_TITLE_SEPARATOR = re.compile(r"^\s*(?:[-–—|:·»]\s*)(.+)$")


def _title_and_site(tree: HtmlElement, title: str, site: str | None) -> tuple[str, str | None]:
    """``TITLE -Site`` / ``TITLE | Site``: when the page's h1 is ``TITLE``, split there."""
    for h1 in tree.iter("h1"):
        heading = _text(h1)
        if heading and len(heading) < len(title) and title.startswith(heading):
            rest = _TITLE_SEPARATOR.match(title[len(heading) :])
            if rest:
                return heading, site or rest.group(1).strip()
        break
    return title, site


def _drop_title_heading(body: str, title: str) -> str:
    """The body without a first heading that only repeats the title."""
    first, _, rest = body.partition("\n")
    if first.startswith("#") and " ".join(first.lstrip("#").split()) == " ".join(title.split()):
        return rest.lstrip("\n")
    return body
