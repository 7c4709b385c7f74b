"""Headline lists and breadcrumbs hold headlines and sections, and a site is a name.

Each rule is tried on a small page of its own: the text rules of ``base.labels`` and
the page-structure rules of ``ingest.htmlpage``.
"""

from __future__ import annotations

import pytest

from reader.base.labels import is_ui_label, label_junk, site_label, without_private_use
from reader.base.models import Page
from reader.ingest.htmlpage import parse_html

URL = "https://q.example/news/quay-notice"
ARTICLE = "<p>" + "The ferry timetable changes in June, the harbour office said. " * 20 + "</p>"


def _page(around: str, head: str = "", author: str = "Ada Fenwick") -> Page:
    html = (
        f"<html><head><title>Quay notice</title><meta name='author' content='{author}'>{head}"
        f"</head><body><article><h1>Quay notice</h1>{ARTICLE}</article>{around}</body></html>"
    )
    return parse_html(html, URL)


def _most_read(items: str, author: str = "Ada Fenwick") -> list[str]:
    page = _page(f"<aside><h2>Most read</h2><ol>{items}</ol></aside>", author=author)
    return [h.title for h in page.ranking]


# -- text rules ---------------------------------------------------------------------------


def test_private_use_glyphs_go() -> None:
    assert without_private_use("More like this\ue066") == "More like this"
    assert without_private_use("\U000f0001Ferry \ue009 back") == "Ferry back"
    assert without_private_use("Café  “Cup” — again") == "Café “Cup” — again"


@pytest.mark.parametrize(
    "label",
    [
        "Email a Friend", "Print Article", "Read selected", "More like this", "Fewer like this",
        "View More Trending Stories »", "More on Amazon", "Share on Facebook", "12 comments",
        "See all", "Printer-friendly version", "Most read", "Sponsored content",
    ],
)  # fmt: skip
def test_ui_labels_are_not_headlines(label: str) -> None:
    assert is_ui_label(label)
    assert label_junk(label) == "label"


@pytest.mark.parametrize(
    "headline",
    [
        "Print shops close as the harbour empties",
        "More on the ferry strike: what we know",
        "Share prices fall after port audit",
        "Email scam targets island pensioners",
        "Read the room: a guide for new councillors",
        "Selected poems of the quay",
    ],
)
def test_headlines_that_start_like_labels_stay(headline: str) -> None:
    assert label_junk(headline) is None


@pytest.mark.parametrize(
    ("entry", "why"),
    [
        ("<![CDATA[ <source…", "markup"),
        ("&lt;img src=x&gt; Ferry", "markup"),
        ("›", "separator"),
        (" | ", "separator"),
        ("»", "separator"),
        ("By Ada Fenwick", "author"),
        ("Ada Fenwick", "author"),
        ("Ben Holt", "author"),  # one of the page's two authors
    ],
)
def test_markup_separators_and_bylines(entry: str, why: str) -> None:
    assert label_junk(entry, author="Ada Fenwick and Ben Holt") == why


def test_a_site_is_a_name_never_a_url() -> None:
    assert site_label("http://www.tmz.com") == "tmz.com"
    assert site_label("https://news.example.org/") == "news.example.org"
    assert site_label("www.tmz.com") == "tmz.com"
    assert site_label("TMZ") == "TMZ"
    assert site_label("Mac & i") == "Mac & i"
    assert site_label("heise.de") == "heise.de"  # a domain is a fine name as it is


# -- the page's structure -----------------------------------------------------------------


def test_the_site_of_a_page_that_declares_a_url() -> None:
    page = _page("", head="<meta property='og:site_name' content='http://www.tmz.com'>")
    assert page.site == "tmz.com"


def test_bylines_in_a_headline_list_go() -> None:
    titles = _most_read(
        "<li><a href='/a'>Tram depot budget approved</a>"
        " <span><a class='c-byline__link' href='/authors/laura-bliss/'>Laura Bliss</a></span></li>"
        "<li><a href='/b'>Bakery wins bread prize</a>"
        " <a href='/writer/anna_silman/'>Anna Silman</a></li>"
        "<li><a href='/c'>Harbour bridge closed</a> <a href='/d'>Ada Fenwick</a></li>"
        "<li><a href='/news/people/mayor-opens-the-new-quay.html'>Mayor opens the new quay</a></li>"
    )
    assert titles == [
        "Tram depot budget approved",
        "Bakery wins bread prize",
        "Harbour bridge closed",
        "Mayor opens the new quay",  # /people/ here is a section, not a person's page
    ]


def test_a_teaser_marked_as_an_author_s_keeps_its_headline() -> None:
    titles = _most_read(
        "<li class='has-author'><a href='/a'>Tram depot budget approved</a>"
        " <a class='author' href='/staff/ben-holt'>Ben Holt</a></li>"
    )
    assert titles == ["Tram depot budget approved"]


def test_buttons_labels_and_glyphs_in_a_headline_list_go() -> None:
    titles = _most_read(
        "<li><a href='#' role='tab'>Read<span> selected</span></a></li>"
        "<li><a href='/a'>Tram depot budget approved</a></li>"
        "<li><a href='#0' role='button'><b>Fewer like this</b><i>\ue009</i></a></li>"
        "<li><a href='/x'>More like this\ue066</a></li>"
        "<li><a href='javascript:void(0)'>Load more stories</a></li>"
        "<li><a href='/trending'>View More Trending Stories »</a></li>"
        "<li><a href='/b'>Bakery wins \ue066bread prize</a></li>"
    )
    assert titles == ["Tram depot budget approved", "Bakery wins bread prize"]


def test_a_teaser_s_second_link_to_the_same_page_goes() -> None:
    titles = _most_read(
        "<li><a href='/ad?id=1'>IFC Markets. Forex &amp; CFD trading</a>"
        " <a href='/ad?id=1'>IFC Markets</a></li>"
        "<li><a href='/b'>Bakery wins bread prize</a></li>"
    )
    assert titles == ["IFC Markets. Forex & CFD trading", "Bakery wins bread prize"]


def test_a_script_in_a_link_is_not_its_headline() -> None:
    titles = _most_read(
        "<li><a href='/a'><div><picture><script type='text/template'><![CDATA[ <source"
        " srcset='x.jpg'> ]]></script></picture></div>"
        "<span data-field='hed'>Tram depot budget approved</span>"
        " <span class='blurb'>The council agreed the money on Tuesday night.</span></a></li>"
    )
    assert titles == ["Tram depot budget approved"]


def test_breadcrumb_separators_go() -> None:
    page = _page(
        "<nav class='breadcrumb'><a href='/'>Accueil</a> <span>›</span>"
        " <a href='/monde'>Monde</a></nav>"
    )
    assert page.section == ["Accueil", "Monde"]


def test_a_breadcrumb_box_s_share_and_print_links_are_not_sections() -> None:
    page = _page(
        "<div id='breadcrumb_ctr'><div id='breadcrumb_rdr'>"
        "<span><a href='/'>WebMD Home</a></span> <span><a href='/news'>Health News</a></span>"
        "</div><div><a href='#' onclick='mail()'>Email a Friend</a>"
        " <a rel='nofollow' href='?print=true'>Print Article</a></div>"
        "<ul><li><a href='/rhinitis'>Rhinitis</a></li></ul></div>"
    )
    assert page.section == ["WebMD Home", "Health News"]


def test_a_breadcrumb_without_its_own_box_loses_its_labels() -> None:
    page = _page(
        "<div class='breadcrumb'><a href='/'>Home</a> <a href='/news'>News</a>"
        " <a href='#'>Share</a> <a href='?print=1'>Print</a></div>"
    )
    assert page.section == ["Home", "News"]


def test_share_and_mail_links_in_a_headline_list_go() -> None:
    titles = _most_read(
        "<li><a href='https://www.facebook.com/sharer/sharer.php?u=https%3A%2F%2Fq.example%2Fa'>"
        "Share the tram depot story</a></li>"
        "<li><a href='https://twitter.com/intent/tweet?text=x&url=https%3A%2F%2Fq.example'>"
        "Tweet the tram depot story</a></li>"
        "<li><a href='mailto:?subject=Tram'>Send the tram depot story to a friend</a></li>"
        "<li><a href='/a'>Tram depot budget approved</a></li>"
        "<li><a href='/news/share-prices-fall'>Share prices fall after port audit</a></li>"
    )
    assert titles == ["Tram depot budget approved", "Share prices fall after port audit"]


def test_a_saved_page_s_relative_headline_links_stay() -> None:
    html = (
        "<html><head><title>Quay notice</title></head><body><article><h1>Quay notice</h1>"
        f"{ARTICLE}</article><aside><h2>Most read</h2><ol>"
        "<li><a href='tram.html'>Tram depot budget approved</a></li>"
        "<li><a href='file:///C:/saved/bakery.html'>Bakery wins bread prize</a></li>"
        "</ol></aside></body></html>"
    )
    page = parse_html(html)  # read from a file: no address to resolve against
    assert [h.title for h in page.ranking] == [
        "Tram depot budget approved",
        "Bakery wins bread prize",
    ]
