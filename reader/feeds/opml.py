"""Subscription lists: OPML (read and write) and newsboat's ``urls`` file (read)."""

from __future__ import annotations

from xml.etree import ElementTree

from reader.base.errors import ListError
from reader.base.models import Feed
from reader.feeds.newsboat import NewsboatError, read_urls

__all__ = ["ListError", "read_subscriptions", "write_opml"]


def read_subscriptions(text: str) -> list[tuple[str, str | None, list[str]]]:
    """``(url, title, tags)`` for each feed in an OPML document or a newsboat urls file."""
    if text.lstrip().startswith("<"):
        return _read_opml(text)
    return _read_urls(text)


def _read_opml(text: str) -> list[tuple[str, str | None, list[str]]]:
    if "<!ENTITY" in text:
        raise ListError("OPML with entity declarations is refused")
    try:
        root = ElementTree.fromstring(text)
    except ElementTree.ParseError as exc:
        raise ListError(f"not valid OPML: {exc}") from None
    found: list[tuple[str, str | None, list[str]]] = []

    def walk(element: ElementTree.Element, folders: list[str]) -> None:
        for outline in element.findall("outline"):
            url = outline.get("xmlUrl") or outline.get("xmlurl")
            title = outline.get("title") or outline.get("text")
            if url:
                tags = folders + [t for t in (outline.get("category") or "").split(",") if t]
                cleaned = (t.strip("/ ") for t in tags)
                found.append((url.strip(), title, list(dict.fromkeys(t for t in cleaned if t))))
            else:
                walk(outline, folders + ([title] if title else []))

    body = root.find("body")
    walk(body if body is not None else root, [])
    return found


def _read_urls(text: str) -> list[tuple[str, str | None, list[str]]]:
    """The feeds of a newsboat urls file, read by the newsboat importer's own parser
    (its ``query:``, ``exec:`` and ``filter:`` lines have no URL to fetch)."""
    try:
        urls = read_urls(text)
    except NewsboatError as exc:
        raise ListError(str(exc)) from None
    return [(feed.url, feed.title, list(feed.tags)) for feed in urls.feeds]


def write_opml(feeds: list[Feed]) -> str:
    """An OPML 2.0 document that newsboat and other readers import."""
    root = ElementTree.Element("opml", version="2.0")
    head = ElementTree.SubElement(root, "head")
    ElementTree.SubElement(head, "title").text = "reader subscriptions"
    body = ElementTree.SubElement(root, "body")
    folders: dict[str, ElementTree.Element] = {}
    for feed in feeds:
        attributes = {"type": "rss", "text": feed.title or feed.url, "xmlUrl": feed.url}
        if feed.title:
            attributes["title"] = feed.title
        parent = body
        if feed.tags:
            # Readers that know folders (newsboat among them) take the first tag from
            # the folder; OPML 2.0's category attribute carries them all.
            attributes["category"] = ",".join(feed.tags)
            first = feed.tags[0]
            if first not in folders:
                folders[first] = ElementTree.SubElement(body, "outline", {"text": first})
            parent = folders[first]
        ElementTree.SubElement(parent, "outline", attributes)
    ElementTree.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ElementTree.tostring(root, "unicode") + "\n"
