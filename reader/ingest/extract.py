"""The article in an HTML page: headline, Markdown body and metadata.

The page is parsed once with lxml (``parse_tree``, here). What the page declares
about itself (JSON-LD, ``og:``/``article:``/Dublin Core meta, ``<time>``,
``rel=canonical``) supplies the metadata (``metadata``); trafilatura decides which
part of the tree is the article and html2text turns that part into Markdown
(``body``), unless the extraction comes back far shorter than the JSON-LD
``articleBody``, which is then the body.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

import lxml.html
from lxml import etree

from reader.base.clean import clean_line, clean_text
from reader.base.errors import ExtractionFailed, PageError, is_content_error
from reader.ingest import metadata
from reader.ingest.body import article_body


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
    lead_image: str | None = None
    """The picture the page declares for itself (``og:image``), absolute."""
    lead_alt: str | None = None


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
    page = metadata.Declared(url=url)
    try:
        page = metadata.read_declared(tree, url)
        site = metadata.site_name(page)
        title, site_in_title = metadata.read_title(page, site, tree)
        result.title = _line(title)
        result.site = _line(site or site_in_title)
        result.author = _line(metadata.author_name(page, tree))
        result.published = metadata.published_date(page, tree)
        result.canonical_url = _line(metadata.canonical_url(page))
        result.description = _line(metadata.description(page))
        result.lead_image, result.lead_alt = metadata.lead_image(page)
    except Exception as exc:  # bad content: keep what was found, still try the body
        if not is_content_error(exc):
            raise
        _log.info("%s: metadata given up: %r", url or "page", exc)
    try:
        result.body = article_body(tree, page, result.title)
    except RecursionError as exc:
        raise ExtractionFailed("cannot extract the article: the page is nested too deeply") from exc
    return result


# --------------------------------------------------------------------------- parsing

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
    parser = _parser()  # its own: it holds the error log
    try:
        tree = lxml.html.document_fromstring(html, parser=parser)
    except ValueError:  # a str that starts with an XML encoding declaration
        parser = _parser(encoding="utf-8")
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


# Every element an HtmlElement, looked up in C: lxml.html's own lookup is a Python
# method called for each element Python touches (a tenth of a page's parse), and only
# adds form classes, which nothing here uses.
_ELEMENTS = etree.ElementDefaultClassLookup(
    element=lxml.html.HtmlElement,
    comment=lxml.html.HtmlComment,
    pi=lxml.html.HtmlProcessingInstruction,
    entity=lxml.html.HtmlEntity,
)


def _parser(encoding: str | None = None) -> lxml.html.HTMLParser:
    parser = lxml.html.HTMLParser(
        encoding=encoding,
        remove_comments=True,
        remove_pis=True,
        collect_ids=False,
        default_doctype=False,
    )
    parser.set_element_class_lookup(_ELEMENTS)
    return parser


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


def _line(value: str | None) -> str | None:
    """A one-line field, cleaned; None when empty."""
    return (clean_line(value) or None) if value else None
