"""A base for the app's line-API scroll views (story list, article, headlines)."""

from __future__ import annotations

from rich.style import Style as RichStyle
from textual.scroll_view import ScrollView

from reader.app.messages import PassesOnFailures


class LineView(PassesOnFailures, ScrollView):
    """A ``ScrollView`` that renders line by line and caches its base style.

    ``rich_style`` walks the DOM on every call; a view that draws dozens of lines
    per frame asks for it once per style change instead.
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._cached_base: RichStyle | None = None

    def base_style(self) -> RichStyle:
        """The widget's own (rich) style, cached until its styles change."""
        if self._cached_base is None:
            self._cached_base = self.rich_style
        return self._cached_base

    def notify_style_update(self) -> None:
        self._cached_base = None
        super().notify_style_update()
