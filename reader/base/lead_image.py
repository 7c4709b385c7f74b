"""A story's lead picture: the one a page declares for itself (``og:image``) or a feed
item carries beside its text (``media:content``, ``media:thumbnail``, an image
enclosure, a JSON Feed ``image``), put at the top of the body unless the body shows
it already. It then reads like any picture of the body: a numbered placeholder, a
line of ``L``, drawn where pictures are on."""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urljoin, urlsplit

from reader.base.clean import clean_line
from reader.base.html_markdown import markdown_image


def picture_url(value: object, base: str | None) -> str | None:
    """``value`` as an absolute http(s) URL, or None."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        url = urljoin(base or "", value.strip())
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url


def _key(url: str) -> str:
    """A picture's URL without its query and fragment (sizes, crops, trackers)."""
    parts = urlsplit(url)
    return f"{parts.netloc.lower()}{parts.path}"


def shows(text: str, url: str) -> bool:
    """Whether ``text`` (a body's Markdown or HTML) already has the picture at ``url``."""
    if _key(url) in text:
        return True
    path = urlsplit(url).path  # a relative src in a feed item's HTML
    return len(path.strip("/")) > 1 and path in text


def in_markdown(body: str, url: str | None, alt: str | None = None) -> str:
    """``body`` with the lead picture above it, unless it has none or shows it."""
    if not url or shows(body, url):
        return body
    return f"{markdown_image(url, clean_line(alt or ''))}\n\n{body}" if body else body


def in_html(content: str, url: str | None, alt: str | None = None) -> str:
    """A feed item's HTML with its lead picture above it, unless it shows it already."""
    if not url or not content.strip() or shows(content, url):
        return content
    picture = f'<p><img src="{html.escape(url)}" alt="{html.escape(clean_line(alt or ""))}"></p>'
    return picture + content


def from_feed_item(entry: Mapping[str, Any], base: str | None) -> tuple[str | None, str | None]:
    """A feed item's picture and its alt text: ``media:content`` that is an image, then
    ``media:thumbnail``, then an image enclosure (feedparser's and fastfeedparser's
    shapes)."""
    for media in _dicts(entry.get("media_content")):
        kind = str(media.get("medium") or media.get("type") or "")
        if kind == "image" or kind.startswith("image/"):
            url = picture_url(media.get("url"), base)
            if url:
                return url, _text(media.get("description") or media.get("title"))
    for media in _dicts(entry.get("media_thumbnail")):
        url = picture_url(media.get("url"), base)
        if url:
            return url, None
    for enclosure in _dicts(entry.get("enclosures")):
        if str(enclosure.get("type") or "").startswith("image/"):
            url = picture_url(enclosure.get("href") or enclosure.get("url"), base)
            if url:
                return url, None
    return None, None


def _dicts(value: object) -> Iterable[Mapping[str, Any]]:
    if isinstance(value, list):
        return [item for item in value if isinstance(item, Mapping)]
    return []


def _text(value: object) -> str | None:
    return clean_line(value) if isinstance(value, str) else None
