"""Modal screens: help, confirm-before-opening a URL, a one-line prompt, pickers."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option


class HelpScreen(ModalScreen[None]):
    """Every key, as currently bound (rebinding in config.toml shows here too)."""

    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close")]

    def __init__(self, rows: list[tuple[str, str, str]]) -> None:
        super().__init__()
        self.rows = rows

    def compose(self) -> ComposeResult:
        width = max(len(keys) for keys, _, _ in self.rows) + 2
        lines = [Content.styled("Keys", "bold"), Content("")]
        for keys, text, binding_id in self.rows:
            lines.append(
                Content.assemble(
                    (keys.ljust(width), "bold $accent"),
                    text,
                    (f"  {binding_id}" if binding_id else "", "dim"),
                )
            )
        lines += [
            Content(""),
            Content.styled(
                "Rebind keys in config.toml: under [keys], the dim name = the keys, "
                'e.g. next_story = "n,ctrl+n".',
                "dim",
            ),
            Content.styled("Esc closes this screen.", "dim"),
        ]
        with VerticalScroll(id="help-box"):
            yield Static(Content("\n").join(lines), id="help-text")


class Confirm(ModalScreen[bool]):
    """A yes/no question: ``y`` or the first button says yes; ``n`` or Escape, no."""

    BINDINGS = [
        Binding("escape,n", "dismiss(False)", "Cancel"),
        Binding("y", "dismiss(True)", "Yes"),
    ]

    def __init__(self, question: str, detail: str, yes: str) -> None:
        super().__init__()
        self.question = question
        self.detail = detail
        self.yes = yes

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Label(Content(self.question))
            yield Label(Content.styled(self.detail, "bold $accent"), id="confirm-detail")
            yield Button(Content(f"{self.yes} (y)"), id="yes", variant="primary")
            yield Button(Content("Cancel (n)"), id="no")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")


class ConfirmOpen(Confirm):
    """Ask before a URL from a page is handed to the browser."""

    def __init__(self, url: str) -> None:
        super().__init__("Open this address in your browser?", url, "Open")
        self.url = url


class PromptScreen(ModalScreen[str | None]):
    """A one-line question (search words, a path to ingest)."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, title: str, placeholder: str = "", value: str = "") -> None:
        super().__init__()
        self.prompt_title = title
        self.placeholder = placeholder
        self.value = value

    def compose(self) -> ComposeResult:
        with Vertical(id="prompt-box"):
            yield Label(Content(self.prompt_title))
            yield Input(value=self.value, placeholder=self.placeholder, id="prompt-input")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)


class PickScreen(ModalScreen[str | None]):
    """Choose one of a few labelled values (a site, an article link)."""

    BINDINGS = [Binding("escape,q", "dismiss(None)", "Cancel")]

    def __init__(self, title: str, choices: list[tuple[str, str]]) -> None:
        super().__init__()
        self.pick_title = title
        self.choices = choices

    def compose(self) -> ComposeResult:
        with Vertical(id="pick-box"):
            yield Label(Content(self.pick_title))
            yield OptionList(
                *[Option(Content(label), id=str(i)) for i, (label, _) in enumerate(self.choices)],
                id="pick-list",
            )

    def relabel(self, labels: dict[str, str]) -> None:
        """Give the choices of these values new labels (counts that came after the
        list was shown), in place: the highlight stays where it is."""
        choices = self.query_one("#pick-list", OptionList)
        for index, (_, value) in enumerate(self.choices):
            if value in labels:
                self.choices[index] = (labels[value], value)
                choices.replace_option_prompt_at_index(index, Content(labels[value]))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.choices[int(event.option.id or 0)][1])
