"""The related and ranking panes: short lists of headlines that open stories.

A headline that resolves to a cached story opens it; one that doesn't is shown
dim, and choosing it searches the cache for its words. Titles are page text, so
they are given to the list as ``Content`` (never parsed as markup).
"""

from __future__ import annotations

from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from reader.ingest.clean import clean_line
from reader.models import Headline


class HeadlineList(OptionList):
    """Headlines under optional section headings."""

    BINDINGS = [
        Binding("down,j", "cursor_down", "Down", show=False),
        Binding("up,k", "cursor_up", "Up", show=False),
    ]

    DEFAULT_CSS = """
    HeadlineList { background: $surface; }
    HeadlineList > .option-list--option-disabled { color: $primary; text-style: bold; }
    """

    class Followed(Message):
        """The user chose a headline."""

        def __init__(self, headline: Headline) -> None:
            self.headline = headline
            super().__init__()

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._headlines: dict[str, Headline] = {}

    def set_sections(self, sections: list[tuple[str | None, list[Headline]]], empty: str) -> None:
        """Show ``(heading, headlines)`` sections; ``empty`` when there are none."""
        self.clear_options()
        self._headlines.clear()
        options: list[Option] = []
        for heading, headlines in sections:
            if not headlines:
                continue
            if heading:
                options.append(Option(Content(heading), disabled=True))
            for headline in headlines:
                key = f"h{len(self._headlines)}"
                self._headlines[key] = headline
                title = clean_line(headline.title)
                prompt = (
                    Content(title) if headline.article_id else Content.styled(title, "dim italic")
                )
                options.append(Option(prompt, id=key))
        if not options:
            options.append(Option(Content.styled(empty, "dim italic"), disabled=True))
        self.add_options(options)
        self.highlighted = next(
            (i for i, option in enumerate(options) if not option.disabled), None
        )

    @property
    def headlines(self) -> list[Headline]:
        return list(self._headlines.values())

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        headline = self._headlines.get(event.option.id or "")
        if headline is not None:
            self.post_message(self.Followed(headline))
