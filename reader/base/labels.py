"""The short texts a page labels things with: the entries of its headline lists and
breadcrumb, and its site's name.

Pages put more than headlines under "Most read" and in a breadcrumb: the links' icon
glyphs (private-use characters), tab and button labels ("Read selected", "More like
this", "Email a Friend", "Print Article"), separators ("›", "|"), markup a template left
in a link ("<![CDATA[ <source"), bylines. These rules read the text alone; the page's
structure (a link that is a button, a byline's link) is read in ``reader.ingest``.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit

_PRIVATE_USE = re.compile("[\ue000-\uf8ff\U000f0000-\U000ffffd\U00100000-\U0010fffd]")


def without_private_use(text: str) -> str:
    """``text`` without private-use characters (category Co: icon fonts' glyphs), spaces
    folded."""
    if text.isascii():
        return " ".join(text.split())
    text = _PRIVATE_USE.sub(" ", text)
    if any(unicodedata.category(c) == "Co" for c in text):  # (none left: the ranges above)
        text = "".join(c for c in text if unicodedata.category(c) != "Co")
    return " ".join(text.split())


# Markup in a text: a tag, a CDATA section, an escaped tag.
_MARKUP = re.compile(r"<[A-Za-z!/?]|\[CDATA\[|&lt;[A-Za-z!/]", re.I)
_WORDLIKE = re.compile(r"\w")

# What a page labels its buttons, tabs and links to elsewhere with, matched whole
# (case folded, trailing arrows, dots and colons left out).
_UI_LABEL = re.compile(
    r"(?:"
    r"share(?: (?:this|it|on \w+|via \w+|(?:this )?(?:article|story|page|post))?)?"
    r"|tweet(?: this)?|pin it|like|save|follow(?: us)?|subscribe|sign (?:in|up)|log ?in"
    r"|e-?mail(?: (?:a friend|this(?: (?:article|story|page|post))?|us|article|story))?"
    r"|send to a friend|print(?: (?:this(?: (?:article|story|page|post))?|article|story|page))?"
    r"|printer[- ]friendly(?: version)?|comments?|\d+ comments?|leave a comment"
    r"|(?:most )?(?:read|shared|watched|viewed|e-?mailed|commented|popular)(?: selected)?"
    r"|selected|(?:more|fewer|less) like this|(?:read|see|view|show|load) (?:more|all)\b.*"
    r"|more (?:on|from|in|about) \S+(?: \S+){0,2}|more (?:stories|news|articles|videos)"
    r"|next|previous|prev|back to top|top of page|advertisement|sponsored(?: content)?"
    r"|ad ?choices|content preferences|skip to (?:main )?content|close|menu|search"
    r")"
)
_TRAILING = re.compile(r"[\s.:»›>→…\-–—|]+$")
_BYLINE = re.compile(
    r"^(?:by|von|par|por|di|door|av)\s+\S+(?:\s+\S+){0,3}$|^posted by\b", re.I
)  # "By Ann Lee", "Posted by ..."


def is_ui_label(text: str) -> bool:
    """Whether ``text`` is a button's, tab's or share link's label, not a headline."""
    folded = _TRAILING.sub("", " ".join(text.casefold().split()))
    return bool(_UI_LABEL.fullmatch(folded))


def _folded_names(author: str | None) -> set[str]:
    if not author:
        return set()
    names = re.split(r",|;|\band\b|&", author.casefold())
    return {" ".join(n.split()) for n in [author.casefold(), *names]} - {""}


def label_junk(text: str, author: str | None = None) -> str | None:
    """Why ``text`` (a headline list's or breadcrumb's entry, private-use characters
    removed) is not a headline or a section: ``"markup"``, ``"separator"``, ``"label"``
    (a UI label), ``"author"`` (the page's ``author`` or a byline); None when it may be
    one."""
    if _MARKUP.search(text):
        return "markup"
    if not _WORDLIKE.search(text):
        return "separator"
    if is_ui_label(text):
        return "label"
    if _BYLINE.match(text) or " ".join(text.casefold().split()) in _folded_names(author):
        return "author"
    return None


_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://", re.I)
_BARE_HOST = re.compile(r"^(?:www\d?\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)+/?$", re.I)


def site_label(site: str) -> str:
    """A site's name as a name: a URL (``http://www.tmz.com``) becomes its host without
    ``www.`` (``tmz.com``); anything else is returned as it is."""
    value = site.strip()
    if not (_SCHEME.match(value) or (_BARE_HOST.match(value) and value.lower().startswith("www"))):
        return site
    try:
        host = urlsplit(value if _SCHEME.match(value) else f"http://{value}").hostname or ""
    except ValueError:
        host = ""
    host = re.sub(r"^www\d?\.", "", host)
    return host or site
