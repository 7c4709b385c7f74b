"""Line breaking of CJK text (reader.base.line_break) and its use in the article wrap."""

from __future__ import annotations

import pytest
from rich.cells import cell_len, get_character_cell_size
from textual.content import Content

from reader.app.wrap import wrap_content
from reader.base.line_break import NO_END, NO_START, break_offsets, has_cjk, wrap_text

JAPANESE = (
    "「東京」は日本の首都である。人口は約千四百万人で、世界最大級の都市圏を形成している。"
    "ちょっと待ってください！『源氏物語』（げんじものがたり）は、平安時代中期に成立した"
    "日本の長編物語・小説である。人々はコーヒーを飲む。"
)
CHINESE = "中文句子，包含标点符号。还有“引号”和（括号）的测试……完毕。【注意】这是最后一句话：结束！"


def _wrap(text: str, width: int) -> list[str]:
    return wrap_text(text, width, get_character_cell_size)


@pytest.mark.parametrize("text", [JAPANESE, CHINESE])
@pytest.mark.parametrize("width", range(6, 41))
def test_no_line_starts_with_closing_punctuation_or_ends_with_an_opening_one(
    text: str, width: int
) -> None:
    lines = _wrap(text, width)
    assert "".join(lines) == text  # nothing lost, nothing added
    for line in lines:
        assert cell_len(line) <= width, (width, line)
        assert line, width
    for line in lines[1:]:
        assert line[0] not in NO_START, (width, lines)
    for line in lines[:-1]:
        assert line[-1] not in NO_END, (width, lines)
        assert cell_len(line) >= width - 6, (width, lines)  # lines are filled, not cut short


def test_ideographs_without_spaces_wrap_at_the_width_in_double_cells() -> None:
    lines = _wrap("日本語の文章は空白なしで書かれる", 10)
    assert lines == ["日本語の文", "章は空白な", "しで書かれ", "る"]
    # an odd width leaves one cell empty rather than splitting a wide character
    assert _wrap("日本語の文章", 5) == ["日本", "語の", "文章"]


def test_kinsoku_pushes_a_character_down_with_the_punctuation_after_it() -> None:
    # "。" may not start the third line, so "る" goes down with it
    assert _wrap("これは文章である。次へ", 8) == ["これは文", "章であ", "る。次へ"]
    # "「" may not end a line
    assert _wrap("ああああ「引用」", 10) == ["ああああ", "「引用」"]
    # leaders stay together
    assert "……" in "".join(line for line in _wrap("まだまだ……です", 10) if "…" in line)


def test_latin_text_breaks_after_spaces_as_before() -> None:
    text = "The harbour office publishes tide tables for the quay"
    for width in (10, 17, 25):
        assert _wrap(text, width) == [line.plain for line in Content(text).wrap(width)]


def test_mixed_text_keeps_latin_words_whole() -> None:
    lines = _wrap("Python 3.11 で asyncio を使う方法を説明します", 12)
    assert "asyncio" in " ".join(lines).split()
    assert all(cell_len(line) <= 12 for line in lines)
    assert lines[0] == "Python 3.11"


def test_a_word_wider_than_the_line_is_folded() -> None:
    assert _wrap("Supercalifragilistic", 8) == ["Supercal", "ifragili", "stic"]
    assert break_offsets("", 10) == []


def test_has_cjk() -> None:
    assert has_cjk("The 東京 office") and has_cjk("서울") and has_cjk("「")
    assert not has_cjk("Café “quoted” — naïve")


def test_article_wrap_keeps_styles_and_breaks_cjk() -> None:
    content = Content("「東京」は日本の首都である。") + Content("code").stylize("bold")
    lines = wrap_content(content, 10)
    assert [line.plain for line in lines] == ["「東京」は", "日本の首都", "である。", "code"]
    assert lines[-1].spans  # the bold span came along
    plain = Content("plain words only, wrapped as Textual does")
    assert [line.plain for line in wrap_content(plain, 12)] == [
        line.plain for line in plain.wrap(12)
    ]


def test_table_cells_wrap_cjk_text_too() -> None:
    from textual.style import Style

    from reader.app.table_render import TableData, table_lines

    text = "今日の潮位表は「満潮」「干潮」の時刻を、港湾事務所が毎朝更新したものです。"
    table = TableData(
        header=[Content("港"), Content("説明")], rows=[[Content("横浜"), Content(text)]]
    )
    for width in range(24, 40):  # Content.wrap started a cell's line with "」" or "。" in 9
        lines = [line.plain for line in table_lines(table, width, Style(), Style())]
        cells = [part.strip() for line in lines for part in line.split("│")[1:-1]]
        assert not any(cell[:1] in NO_START for cell in cells if cell), (width, lines)
        assert all(cell_len(line) <= width for line in lines)
