"""The seed's text layout, parsed exactly, and its variants."""

from __future__ import annotations

import codecs

import pytest

from reader.ingest.decode import DecodeError
from reader.ingest.formats import RawPage
from reader.ingest.formats import parse_page as parse_raw
from reader.ingest.textpage import parse_text

from conftest import PAGES, SEED


def parse_page(data: bytes, source: str):  # noqa: ANN201 - a Page
    return parse_raw(RawPage(source, data))


BONDS = (PAGES / "harbour-bonds.txt").read_text(encoding="utf-8")
BONDS_TITLE = "Harbour City bonds rally as port authority “Café Fund” — clears audit"


def test_seed_page_parses_exactly() -> None:
    page = parse_page(SEED.read_bytes(), str(SEED))
    assert page.title == (
        "Russian Foreign Minister Lavrov arrives in North Korea, Russian state media say"
    )
    assert page.site == "Aspire Money Growth"
    assert page.section == ["Home", "Markets"]
    assert page.published == "2025-04-25T10:43:55"
    assert page.reactions == 98
    paragraphs = page.body.split("\n\n")
    assert len(paragraphs) == 11
    assert paragraphs[0].startswith("Russian Foreign Minister Sergey Lavrov arrived")
    assert paragraphs[-1].endswith("early 1990s.")
    for marker in ("View", "Date:", "veryGood!"):
        assert marker not in page.body
    assert [len(page.related), len(page.ranking), len(page.recommended)] == [10, 8, 8]
    assert page.related[0].title == "Tom Holland's New Venture Revealed"
    assert page.ranking[-1].title.startswith("Gen Z wants an inheritance")
    assert page.recommended[0].title.startswith("Sarah J. Maas books explained")
    assert page.recommended[-1].title.endswith("high home insurance costs")


def test_fixture_in_seed_layout_gives_every_field() -> None:
    page = parse_text(BONDS, "bonds")
    assert page.title == BONDS_TITLE
    assert page.site == "Aspire Money Growth"
    assert page.section == ["Home", "Markets"]
    assert page.published == "2025-04-25T10:43:55"
    assert page.reactions == 98
    paragraphs = page.body.split("\n\n")
    assert len(paragraphs) == 11
    assert paragraphs[0].startswith("Bonds issued by the Harbour City")
    assert paragraphs[-1] == "Repairs are expected to take eighteen months once money is found."
    assert [len(page.related), len(page.ranking), len(page.recommended)] == [10, 8, 8]
    assert page.related[0].title == "Rio Grande rowers win 'Cafe Cup' again"
    assert page.recommended[0].title == "Five walks along the old harbour wall."
    assert page.recommended[-1].title == "Harbour choir records its first album"


def _variants() -> dict[str, bytes]:
    text = BONDS
    return {
        "crlf": text.replace("\n", "\r\n").encode("utf-8"),
        "utf8-bom": codecs.BOM_UTF8 + text.encode("utf-8"),
        "utf16-bom": text.encode("utf-16"),
        "utf16-be-bom": codecs.BOM_UTF16_BE + text.encode("utf-16-be"),
        "cp1252": text.encode("cp1252"),
    }


@pytest.mark.parametrize("name", list(_variants()))
def test_encodings_and_line_ends_parse_the_same(name: str) -> None:
    page = parse_page(_variants()[name], name)
    assert page.title == BONDS_TITLE
    assert page.site == "Aspire Money Growth"
    assert page.section == ["Home", "Markets"]
    assert page.reactions == 98
    assert len(page.body.split("\n\n")) == 11
    assert "“Café Fund”" in page.title
    assert "\r" not in page.body


def test_date_without_time_and_other_sections() -> None:
    text = BONDS.replace("Date:2025-04-25 10:43:55", "Date:2025-04-25").replace(
        "Current:Home > Markets", "Current: Home > World > Europe "
    )
    page = parse_text(text, "x")
    assert page.published == "2025-04-25"
    assert page.section == ["Home", "World", "Europe"]
    assert page.title == BONDS_TITLE


def test_missing_reactions_view_and_lists() -> None:
    text = BONDS.replace("veryGood! (98)\n", "").replace("View\n", "")
    text = text[: text.index("Ranking\n")]  # no ranking and no recommendation list
    page = parse_text(text, "x")
    assert page.reactions is None
    assert len(page.related) == 10
    assert page.ranking == [] and page.recommended == []
    assert len(page.body.split("\n\n")) == 11


def test_list_heading_words_inside_the_body_stay_in_the_body() -> None:
    text = BONDS.replace("The city council is expected", "Popular\nThe city council is expected")
    page = parse_text(text, "x")
    assert "Popular" in page.body.split("\n\n")
    assert len(page.ranking) == 8


def test_text_in_no_known_layout_is_a_plain_story() -> None:
    page = parse_page(b"Notes from the meeting\n\nWe agreed on three things.\nThen left.", "n")
    assert page.title == "Notes from the meeting"
    assert page.body == "We agreed on three things.\n\nThen left."
    assert page.site is None and page.section == [] and page.published is None


def test_paragraphs_that_look_like_markdown_render_as_text() -> None:
    page = parse_text("Title\n# not a heading\n- not a list\n1. not a list\n> no quote", "x")
    assert page.body.split("\n\n") == [
        "\\# not a heading",
        "\\- not a list",
        "1\\. not a list",
        "\\> no quote",
    ]


def test_control_characters_and_escapes_are_stripped_but_markup_is_kept_literally() -> None:
    raw = (
        "Current:Home > News[bold red]ALERT[/]\x1b]0;owned\x07 -Site\x1b[2J\n"
        "[bold red]ALERT[/]\x1b]0;owned\x07\n"
        "Body \x1b]52;c;aGk=\x07with\x07 bell\x9b31m and \u202eRTL.\n"
    )
    page = parse_page(raw.encode("utf-8"), "x")
    assert page.title == "[bold red]ALERT[/]"
    assert page.site == "Site"
    assert page.body == "Body with bell and RTL."
    for text in (page.title, page.body, page.site):
        assert not any(ord(c) < 32 or 0x7F <= ord(c) <= 0x9F for c in text)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty file"),
        (b"   \n\n  ", "empty file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary file"),
    ],
)
def test_bad_bytes_fail_with_a_reason(data: bytes, reason: str) -> None:
    with pytest.raises(DecodeError, match=reason):
        parse_page(data, "x")


def test_html_is_routed_away_from_the_text_parser() -> None:
    page = parse_page(
        b"<!DOCTYPE html><html><title>Hi</title><body><p>Hello.</p></body></html>", "x"
    )
    assert page.title == "Hi"


def test_headlines_lose_runs_of_whitespace_of_any_kind() -> None:
    """A headline kept as it is (single spaces) or squashed (tabs, runs, no-break
    spaces, a bullet or number followed by more than one space)."""
    text = (
        "Title line\nBody paragraph.\nRelated\n"
        "- Plain headline here\n"
        "-\t\tTabbed  after a bullet\n"
        "3.   Numbered\u00a0with a no-break space\n"
        "Run  of   spaces\n"
        "\u2022 Dot\u2003em space\n"
    )
    page = parse_text(text, "s")
    assert [h.title for h in page.related] == [
        "Plain headline here",
        "Tabbed after a bullet",
        "Numbered with a no-break space",
        "Run of spaces",
        "Dot em space",
    ]
