"""Cleaning untrusted text: escape sequences go with their payloads, and only they go.

Property tests (Hypothesis) over ``clean_text`` and the text-page parser, and the
reproductions of issue 10 (a stray ``ESC ]`` that erased the rest of a page; payload
debris such as ``tmux;``, ``q#0;2;`` and ``Gf=100;AAAA``).
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader.base.clean import (
    _NEWLINES,
    MAX_STRING_PAYLOAD,
    clean_line,
    clean_link,
    clean_text,
)
from reader.ingest.htmlpage import parse_html
from reader.ingest.textpage import parse_text

from conftest import FIXTURES, PAGES

BONDS = (PAGES / "harbour-bonds.txt").read_text(encoding="utf-8")
SEED_HTML = (FIXTURES / "html" / "seed-layout.html").read_text(encoding="utf-8")

FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
"""What must never leave clean_text: C0 but tab and newline, ESC, DEL, C1, bidi controls."""

# -- strategies ---------------------------------------------------------------------------

# str.isprintable: not "Other" or "Separator", except the ASCII space.
printable = st.characters(exclude_categories=("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp", "Zs"))
text_part = st.text(st.one_of(printable, st.sampled_from(" \n\t")), max_size=20)
payload = st.text(printable | st.just(" "), max_size=120)

csi = st.builds(
    lambda intro, params, middle, final: intro + params + middle + final,
    st.sampled_from(["\x1b[", "\x9b"]),
    st.text(st.sampled_from("0123456789:;<=>?"), max_size=64),
    st.text(st.sampled_from(" !\"#$%&'()*+,-./"), max_size=8),
    st.sampled_from([chr(c) for c in range(0x40, 0x7F)]),
)
osc = st.builds(
    lambda intro, body, end: intro + body + end,
    st.sampled_from(["\x1b]", "\x9d"]),
    payload,
    st.sampled_from(["\x07", "\x1b\\", "\x9c"]),
)
other_string = st.builds(  # DCS, APC, PM, SOS
    lambda intro, body, end: intro + body + end,
    st.sampled_from(["\x1bP", "\x90", "\x1b_", "\x9f", "\x1b^", "\x9e", "\x1bX", "\x98"]),
    st.text(printable | st.sampled_from(" \x07"), max_size=120),
    st.sampled_from(["\x1b\\", "\x9c"]),
)
short_escape = st.one_of(  # ESC ( B, ESC 7, ESC c ...
    st.builds(
        lambda middle, final: "\x1b" + middle + final,
        st.text(st.sampled_from(" !\"#$%&'()*+,-./"), min_size=1, max_size=8),
        st.sampled_from([chr(c) for c in range(0x30, 0x7F)]),
    ),
    st.sampled_from([f"\x1b{chr(c)}" for c in range(0x30, 0x7F) if chr(c) not in "[]P_^X\\"]),
)
seven_bit = st.one_of(
    csi.filter(lambda s: s.startswith("\x1b")),
    osc.filter(lambda s: s.startswith("\x1b") and "\x9c" not in s),
    other_string.filter(lambda s: s.startswith("\x1b") and "\x9c" not in s),
)
tmux = seven_bit.map(lambda inner: "\x1bPtmux;" + inner.replace("\x1b", "\x1b\x1b") + "\x1b\\")
sequence = st.one_of(csi, osc, other_string, short_escape, tmux)
stray_opener = st.sampled_from(
    ["\x1b]", "\x9d", "\x1bP", "\x90", "\x1b_", "\x9f", "\x1b^", "\x9e", "\x1bX", "\x98"]
)

LINE_BREAKS = "\r\n\x85\u2028\u2029"
hostile_token = st.one_of(
    st.characters(),
    st.sampled_from(
        list("\x1b\x07\x9b\x9c\x9d\x90\x98\x9e\x9f\x7f\x85\r\n\t[]P_^X\\;0123m")
        + ["\u202a", "\u202e", "\u2066", "\u2069", "\u2028", "\u2029", "\x1b\\", "\x1b["]
    ),
    sequence,
    stray_opener,
)
hostile = st.lists(hostile_token, max_size=60).map("".join)
one_line = st.lists(
    hostile_token.filter(lambda t: not any(c in LINE_BREAKS for c in t)), max_size=60
).map("".join)


def interleave(parts: list[tuple[str, str]]) -> tuple[str, str]:
    """``(text, sequence)`` pairs as one input, and the text alone: what must survive."""
    return "".join(t + s for t, s in parts), "".join(t for t, _ in parts)


# -- clean_text properties ----------------------------------------------------------------


@given(hostile)
def test_nothing_unsafe_survives_any_text(text: str) -> None:
    cleaned = clean_text(text)
    assert FORBIDDEN.search(cleaned) is None
    assert "\r" not in cleaned and "\u2028" not in cleaned and "\u2029" not in cleaned
    assert clean_text(cleaned) == cleaned  # idempotent


@given(hostile)
def test_cleaning_only_removes(text: str) -> None:
    """The output is the input (line ends normalised) with characters taken out."""
    cleaned = iter(clean_text(text))
    source = iter(_NEWLINES.sub("\n", text))
    assert all(char in source for char in cleaned)  # a subsequence


@given(st.lists(st.tuples(text_part, sequence), max_size=12), text_part)
def test_text_around_complete_sequences_survives_in_order(
    parts: list[tuple[str, str]], tail: str
) -> None:
    given_text, expected = interleave(parts)
    assert clean_text(given_text + tail) == expected + tail


@given(st.lists(st.tuples(text_part, st.one_of(sequence, stray_opener)), max_size=12), text_part)
def test_a_stray_introducer_removes_only_itself(parts: list[tuple[str, str]], tail: str) -> None:
    """Mixed with complete sequences, before them or after, on one line or several."""
    given_text, expected = interleave(parts)
    assert clean_text(given_text + tail) == expected + tail


@given(hostile)
def test_clean_line_and_clean_link_are_one_safe_line(text: str) -> None:
    for cleaned in (clean_line(text), clean_link(text)):
        assert FORBIDDEN.search(cleaned) is None
        assert "\n" not in cleaned and "\t" not in cleaned


# -- the text-page parser -----------------------------------------------------------------

BONDS_LINES = BONDS.split("\n")
FIRST_PARAGRAPH = 4  # breadcrumb, title, View, Date:, then the body


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(hostile, st.integers(0, len(BONDS_LINES)))
def test_the_text_parser_takes_any_line_anywhere(text: str, at: int) -> None:
    lines = [*BONDS_LINES[:at], text, *BONDS_LINES[at:]]
    page = parse_text("\n".join(lines), "hostile")
    for field in (page.title, page.body, page.site or "", *page.section):
        assert FORBIDDEN.search(field) is None
    for headline in page.related + page.ranking + page.recommended:
        assert FORBIDDEN.search(headline.title) is None


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(one_line, st.integers(0, 1000))
def test_after_a_stray_osc_the_page_keeps_its_paragraphs_reactions_and_lists(
    text: str, where: int
) -> None:
    """``ESC ]`` and any junk inside one body paragraph: everything else is untouched."""
    expected = parse_text(BONDS, "bonds")
    lines = list(BONDS_LINES)
    paragraph = lines[FIRST_PARAGRAPH]
    cut = where % (len(paragraph) + 1)
    lines[FIRST_PARAGRAPH] = paragraph[:cut] + "\x1b]" + text + paragraph[cut:]
    page = parse_text("\n".join(lines), "hostile")
    assert page.body.split("\n\n")[1:] == expected.body.split("\n\n")[1:]
    assert page.reactions == 98
    assert page.related == expected.related
    assert page.ranking == expected.ranking
    assert page.recommended == expected.recommended
    assert (page.title, page.site, page.section) == (
        expected.title,
        expected.site,
        expected.section,
    )


# -- the reproductions --------------------------------------------------------------------


def test_a_stray_osc_in_a_text_page_keeps_the_rest_of_the_page() -> None:
    text = BONDS.replace("Bonds issued by the", "Bonds issued by a stray \x1b]the", 1)
    page = parse_text(text, "stray")
    paragraphs = page.body.split("\n\n")
    assert len(paragraphs) == 11
    assert paragraphs[0].startswith("Bonds issued by a stray the Harbour City port authority")
    assert paragraphs[-1] == "Repairs are expected to take eighteen months once money is found."
    assert page.reactions == 98
    assert [len(page.related), len(page.ranking), len(page.recommended)] == [10, 8, 8]


def test_a_stray_osc_in_an_html_page_keeps_the_rest_of_the_page() -> None:
    expected = parse_html(SEED_HTML)
    html = SEED_HTML.replace("<p>Bonds issued by", "<p>Bonds \x1b]issued by", 1)
    page = parse_html(html)
    assert page.body == expected.body
    assert len(page.body) > 1000
    assert page.reactions == 98
    for kind in ("related", "ranking", "recommended"):
        assert getattr(page, kind) == getattr(expected, kind)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("a\x1bPtmux;\x1b\x1b]0;owned\x07\x1b\\b", "ab"),  # tmux passthrough, OSC inside
        ("a\x1bPtmux;\x1b\x1b]52;c;aGk=\x1b\x1b\\\x1b\\b", "ab"),  # ... its ST doubled
        ("a\x1bPtmux;\x1b\x1b_Gf=100;AAAA\x1b\x1b\\\x1b\\b", "ab"),  # kitty through tmux
        ("a\x1bPq#0;2;0;0;0#1;2;100;100;0#1~~@@vv@@~~@@~~$-\x1b\\b", "ab"),  # sixel
        ("a\x1b_Gf=100;AAAA\x1b\\b", "ab"),  # kitty graphics APC
        ("a\x9fGf=100;AAAA\x9cb", "ab"),  # ... in 8-bit form
        ("a\x1b]8;;https://evil.example/\x1b\\link\x1b]8;;\x1b\\b", "alinkb"),  # OSC 8
        ("a\x9d8;;https://evil.example/\x9clink\x9d8;;\x07b", "alinkb"),
        ("a\x1b]0;title\x07b", "ab"),
        ("a\x1bXsos\x1b\\b\x98sos\x9cc", "abc"),
        ("a\x1b^pm\x1b\\b\x9epm\x9cc", "abc"),
        ("a\x90dcs\x9cb", "ab"),
        ("a\x1b[38;2;255;0;0mred\x1b[0m b\x9b2J", "ared b"),
        ("a\x1b(Bb\x1b7c\x1b8d\x1bce\x1bMf", "abcdef"),
        ("RTL \u202eexe.txt\u202c and \u2066isolate\u2069", "RTL exe.txt and isolate"),
        ("del\x7f nul\x00 bell\x07 c1\x85next", "del nul bell c1\nnext"),
    ],
)
def test_sequences_go_with_their_payloads(raw: str, clean: str) -> None:
    assert clean_text(raw) == clean


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("stray \x1b]osc\nnext line\x07", "stray osc\nnext line"),  # a string ends in its line
        ("stray \x1bPdcs then \x1b[1mbold\x1b[0m\x1b\\", "stray dcs then bold"),  # or at an ESC
        ("unfinished \x1b[12;", "unfinished 12;"),
        ("at the end \x1b", "at the end "),
        ("8-bit \x9d stray, then ST-less text", "8-bit  stray, then ST-less text"),
    ],
)
def test_an_unterminated_sequence_removes_only_its_introducer(raw: str, clean: str) -> None:
    assert clean_text(raw) == clean


def test_a_control_string_is_bounded_in_length() -> None:
    longest = "\x1b]" + "x" * MAX_STRING_PAYLOAD + "\x07"
    assert clean_text(f"a{longest}b") == "ab"
    too_long = "\x1b_G" + "A" * MAX_STRING_PAYLOAD + "\x1b\\"
    assert clean_text(f"a{too_long}b") == "aG" + "A" * MAX_STRING_PAYLOAD + "b"


def test_many_stray_introducers_on_one_line_are_not_quadratic() -> None:
    """Two million characters of stray introducers on one line: linear work is about
    a second; a pattern that rescans to the line's end from each one (quadratic) would
    take hours. The bound is wide, so a loaded machine cannot make this fail."""
    import threading

    texts = [unit * (2_000_000 // len(unit)) for unit in ("\x1bPa", "\x9dab", "\x1b\x1b]a")]
    texts.append(("\x1b]" + "x" * 5000) * 400)
    worker = threading.Thread(target=lambda: [clean_text(text) for text in texts], daemon=True)
    worker.start()
    worker.join(timeout=60)
    assert not worker.is_alive(), "cleaning stray introducers took over a minute"


def test_text_with_nothing_to_remove_is_returned_as_it_is() -> None:
    prose = BONDS * 3
    assert clean_text(prose) is prose
    assert clean_link("https://example.org/a b") == "https://example.org/a b"


def test_clean_link_drops_what_a_browser_drops() -> None:
    assert clean_link(" https://ex\tample.org/\npath\x9b\u202e\x7f ") == "https://example.org/path"
