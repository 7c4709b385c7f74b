"""The one-line title bar and key bar.

Textual's Header and Footer mount a widget per part and per key, and the Footer
recomposes on every focus change; these are one widget each, which keeps
startup and focus changes cheap.
"""

from __future__ import annotations

from textual.app import RenderResult
from textual.content import Content
from textual.reactive import reactive
from textual.widget import Widget


class TitleBar(Widget):
    """``reader — counts`` across the top."""

    DEFAULT_CSS = """
    TitleBar { height: 1; background: $panel; color: $foreground; }
    """

    status: reactive[str] = reactive("")
    activity: reactive[str] = reactive("")
    """Background work in progress (a feed refresh), shown after the counts."""

    def render(self) -> RenderResult:
        title = Content.styled(" reader", "bold $accent")
        parts: list[tuple[str, str] | Content] = [title]
        if self.status:
            parts.append(("  ·  " + self.status, "$text-muted"))
        if self.activity:
            parts.append(("  ·  " + self.activity, "bold $warning"))
        return Content.assemble(*parts)


class KeyBar(Widget):
    """The keys that work now (the focused pane's and the app's), on one line."""

    DEFAULT_CSS = """
    KeyBar { height: 1; background: $panel; color: $text-muted; }
    """

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, lambda _: self.refresh())

    def render(self) -> RenderResult:
        parts: list[tuple[str, str] | str] = []
        seen: set[str] = set()
        for active in self.screen.active_bindings.values():
            binding = active.binding
            if not binding.show or not active.enabled or binding.action in seen:
                continue
            seen.add(binding.action)
            shown = binding.key_display or self.app.get_key_display(binding)
            parts += [(f" {shown} ", "bold $accent"), (binding.description + " ", "")]
        return Content.assemble(*parts)
