"""Tracking parameters out of a link, so that the link can be a story's identity.

The same article reached from two feeds, or from a newsletter, often differs only in
``utm_*``, ``fbclid`` or ``ref`` parameters. ``strip_tracking`` removes those and
nothing else: the rest of the link stays byte for byte as it was (parameters keep
their order and their encoding), and a link with nothing to remove is returned as it
is, so the ids of stories whose links carry no tracking do not change.

courlan's ``clean_url`` is not used for this: it sorts the parameters, re-encodes
them and drops default ports, which would change the id of every story whose link
has a query, and its tracker pattern also drops parameters such as ``source`` or
``session`` that can pick a page.
"""

from __future__ import annotations

from urllib.parse import unquote

__all__ = ["is_tracking_parameter", "strip_tracking"]

_PREFIXES = ("utm_", "mtm_", "pk_", "itm_", "ga_", "_hs", "oly_", "vero_", "hsa_")
_NAMES = frozenset(
    {
        "fbclid",
        "gclid",
        "gclsrc",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "twclid",
        "ttclid",
        "yclid",
        "igshid",
        "li_fat_id",
        "mc_cid",
        "mc_eid",
        "mkt_tok",
        "_ga",
        "_gl",
        "ref",
        "ref_src",
        "ref_url",
        "referrer",
        "cmpid",
        "xtor",
        "at_medium",
        "at_campaign",
        "wt_mc",
        "s_cid",
        "spm",
        "smid",
    }
)


def is_tracking_parameter(name: str) -> bool:
    """Whether a query parameter named ``name`` only tracks who followed the link."""
    key = unquote(name).strip().lower()
    return key in _NAMES or key.startswith(_PREFIXES)


def strip_tracking(link: str) -> str:
    """``link`` without its tracking parameters (only for ``http``/``https`` links).

    Anything that is not a web link (a file path, a ``feed#guid`` key) is returned as
    it is, and so is a web link with no tracking parameter in it.
    """
    if not link[:8].lower().startswith(("http://", "https://")):
        return link
    head, hash_mark, fragment = link.partition("#")
    base, question, query = head.partition("?")
    if not question:
        return link
    parts = query.split("&")
    kept = [part for part in parts if not is_tracking_parameter(part.partition("=")[0])]
    if len(kept) == len(parts):
        return link
    kept = [part for part in kept if part]
    cleaned = base + ("?" + "&".join(kept) if kept else "")
    return cleaned + hash_mark + fragment
