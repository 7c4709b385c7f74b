"""`reader show` in a terminal wraps prose as the article pane does: at spaces, and in
CJK text where Unicode's rules allow; code, tables and rules stay as they are."""

from __future__ import annotations

from rich.cells import cell_len

from reader.base.line_break import NO_START
from reader.cli.text_wrap import wrap_markdown

JAPANESE = "東京都は「港湾債」を発行し、一時間で完売した。" * 6
ENGLISH = "The harbour bonds sold out within the hour, traders said on the quay. " * 4
CODE = "```python\n" + "x = 1  # " + "long comment " * 12 + "\n```"
TABLE = "| a | b |\n| --- | --- |\n| " + "cell " * 30 + "| 2 |"


def test_cjk_prose_breaks_by_the_rules_and_fits() -> None:
    lines = wrap_markdown(JAPANESE, 40).split("\n")
    assert len(lines) > 1
    assert all(cell_len(line) <= 40 for line in lines)
    assert not any(line[0] in NO_START for line in lines)
    assert "".join(lines) == JAPANESE


def test_quotes_and_list_items_keep_their_shape() -> None:
    lines = wrap_markdown(f"> {ENGLISH}\n\n- {ENGLISH}\n\n12. {ENGLISH}", 50).split("\n")
    quoted = [line for line in lines if line.startswith(">")]
    assert len(quoted) > 2 and all(cell_len(line) <= 50 for line in lines)
    item = lines[lines.index("") + 1 :]
    assert item[0].startswith("- The harbour") and item[1].startswith("  ")
    numbered = lines[len(lines) - lines[::-1].index("") :]
    assert numbered[0].startswith("12. ") and numbered[1].startswith("    ")
    words = " ".join(line.lstrip("> -0123456789.") for line in quoted).split()
    assert words == ENGLISH.split()


def test_code_tables_and_short_lines_are_left_alone() -> None:
    text = f"{CODE}\n\n{TABLE}\n\n    indented {'code ' * 20}\n\nShort line."
    assert wrap_markdown(text, 40) == text
