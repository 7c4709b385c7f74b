"""A long article rendered in stages: the first screen from the first section of the
body only, and in the end the same lines as rendering it whole."""

from __future__ import annotations

from textual.style import Style

from reader.app.article_render import (
    STYLE_NAMES,
    body_sections,
    render_article,
    render_in_stages,
)
from reader.base.models import Story

STYLES = {name: Style() for name in STYLE_NAMES}

PARTS = [
    "A paragraph with *emphasis* and a [link](https://a.example/{n}) number {n}.",
    "1. first item {n}\n\n2. second item, loose\n\n   continued under the item\n\n3. third",
    "```python\nfirst = {n}\n\n\nsecond = first  # blank lines inside the fence\n```",
    "    indented code {n}\n\n    more of it",
    "| a | b |\n| --- | --- |\n| {n} | [x](https://t.example/{n}) |",
    "> a quote {n}\n>\n> its second paragraph",
    "東京の天気は晴れです。「明日」も晴れるでしょう。{n}",
]


def _body(count: int) -> str:
    return "\n\n".join(PARTS[n % len(PARTS)].format(n=n) for n in range(count))


def test_sections_are_cut_only_between_top_level_blocks() -> None:
    body = _body(400)
    sections = list(body_sections(body, 2_000, 5_000))
    assert len(sections) > 5
    assert "".join(sections) == body
    assert 2_000 <= len(sections[0]) < 3_000
    for section in sections[1:]:
        assert not section[0].isspace()
        assert section.count("```") % 2 == 0  # no fence is cut
    short = "just a paragraph"
    assert list(body_sections(short, 2_000, 5_000)) == [short]


def test_the_staged_render_ends_as_the_whole_render_does() -> None:
    story = Story(id="s1", title="Long", source="test", body=_body(600))
    stages = list(render_in_stages(story, 60, STYLES, 40))
    whole = render_article(story, 60, STYLES)
    assert len(stages) == 2
    first, last = stages
    assert not first.complete and first.estimate > 0
    assert 40 <= len(first.lines) < len(last.lines) / 5
    assert [line.plain for line in last.lines] == [line.plain for line in whole.lines]
    assert last.links == whole.links
    assert [line.plain for line in first.lines] == [
        line.plain for line in last.lines[: len(first.lines)]
    ]
    # the estimate is of the right size: within a factor of two of what came
    remaining = len(last.lines) - len(first.lines)
    assert remaining / 2 < first.estimate < remaining * 2


def test_a_cancelled_render_stops_between_sections() -> None:
    story = Story(id="s2", title="Long", source="test", body=_body(600))
    stages = render_in_stages(story, 60, STYLES, 40, cancelled=lambda: True)
    first = next(stages)
    assert not first.complete
    assert list(stages) == []


def test_a_short_story_comes_in_one_stage() -> None:
    story = Story(id="s3", title="Short", source="test", body=_body(3))
    (only,) = render_in_stages(story, 60, STYLES, 40)
    assert only.complete
