"""Rendering cost of tables and highlighted code in the article pane.

    python bench/bench_render_tables.py [--runs 20]

2,000- and 20,000-word articles (paragraphs with emphasis and links), plain and with a
6x4 table of links and a 12-line Python block after every tenth paragraph (each block
its own code, the highlight cache emptied before each run, as for a story shown the
first time): the worker's render (Markdown to wrapped lines) as ``render_in_stages``
does it for the pane at 160x48, the first stage (what is painted first) and the whole
article, medians over the runs, interleaved. Add these to ``bench_app``'s key-to-frame
figure for a table-and-code article's paint time.
"""

from __future__ import annotations

import argparse
import statistics
import time

from textual.style import Style

from reader.app import code_highlight
from reader.app.article_render import STYLE_NAMES, render_in_stages
from reader.base.models import Story

_WORDS = (
    "the harbour office publishes tide tables for the quay and the ferry waits for the "
    "tide while volunteers copy figures into the newsletter every Monday morning"
).split()
TABLE = "\n".join(
    [
        "| Day | High water | Height | Note |",
        "| --- | --- | --- | --- |",
        *(
            f"| Day {i} | 0{i}:12 | {i}.1 m | [spring](https://q.example/{i}) tide, calm |"
            for i in range(6)
        ),
    ]
)


def code(n: int) -> str:
    """A 12-line Python block, different for each ``n`` (no cache helps)."""
    lines = (
        f'for line in open("tides-{n}-{i}.txt"):  # day {i}\n    print(line.split()[{i}], {n}.5)'
        for i in range(6)
    )
    return "```python\n" + "\n".join(lines) + "\n```"


def article(words: int, extras: bool) -> str:
    paragraphs = []
    count = 0
    while count < words:
        text = " ".join(_WORDS[(count + i) % len(_WORDS)] for i in range(80))
        paragraphs.append(
            f"{text[:40]} *{text[40:60]}* [{text[60:70]}](https://q.example/a) {text[70:]}"
        )
        count += 80
        if extras and len(paragraphs) % 10 == 0:
            paragraphs += [TABLE, code(len(paragraphs))]
    return "\n\n".join(paragraphs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    styles = {name: Style(bold=True) for name in STYLE_NAMES}
    cases = {
        (words, extras): Story(
            id=f"{words}{extras}", title="Tides", source="bench", body=article(words, extras)
        )
        for words in (2_000, 20_000)
        for extras in (False, True)
    }
    first: dict[tuple[int, bool], list[float]] = {case: [] for case in cases}
    whole: dict[tuple[int, bool], list[float]] = {case: [] for case in cases}
    for _ in range(args.runs + 2):
        for case, story in cases.items():
            code_highlight._tokens.cache_clear()  # as the first time a story is shown
            start = time.perf_counter()
            stages = render_in_stages(story, 53, styles, 56)
            next(stages)
            first[case].append(time.perf_counter() - start)
            for _ in stages:
                pass
            whole[case].append(time.perf_counter() - start)
    print(f"render at 53 columns, medians of {args.runs} runs (ms)")
    for (words, extras), times in first.items():
        kind = "tables + code" if extras else "plain"
        print(
            f"{words:>6,} words, {kind:<13}: first stage {statistics.median(times[2:]) * 1000:6.1f}"
            f", whole {statistics.median(whole[(words, extras)][2:]) * 1000:6.1f}"
        )


if __name__ == "__main__":
    main()
