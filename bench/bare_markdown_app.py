"""The reference point: a bare Textual app that shows one Markdown article, then exits.

python bench/bare_markdown_app.py [WORDS]
"""

from __future__ import annotations

import sys

from textual.app import App, ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Markdown

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from gen_pages import article_markdown  # noqa: E402


class BareMarkdownApp(App[None]):
    def __init__(self, words: int) -> None:
        super().__init__()
        self.words = words

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Markdown(article_markdown(self.words))

    def on_mount(self) -> None:
        self.call_after_refresh(self.exit)


if __name__ == "__main__":
    BareMarkdownApp(int(sys.argv[1]) if len(sys.argv) > 1 else 2000).run()
