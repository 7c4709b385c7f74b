"""Turn a story into wrapped lines of ``Content`` for the article view.

Pure functions, safe to run in a worker thread. Text from the page is never
parsed as markup: the Markdown body goes through markdown-it, and every piece of
text becomes a ``Content`` span with a style we choose. Raw HTML in a body is
shown as text. Links are not made clickable terminal hyperlinks; they are
numbered, and opened only through the app's confirmation screen.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from textual.content import Content, Span
from textual.style import Style

from reader.app.code_highlight import CODE_STYLES, highlight
from reader.app.dates import long_date
from reader.app.table_render import TableData, table_lines
from reader.app.wrap import wrap_content
from reader.base.clean import clean_line, clean_text
from reader.base.fragments import story_markdown
from reader.base.models import Snippet, Story

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

STYLE_NAMES = (
    "title", "meta", "heading", "link", "quote", "code", "rule", "note", "match", *CODE_STYLES
)  # fmt: skip


@dataclass
class Block:
    """A paragraph-like piece of the article with the prefixes of its lines."""

    content: Content
    first_prefix: Content = field(default_factory=Content)
    prefix: Content = field(default_factory=Content)
    rule: bool = False
    table: TableData | None = None
    """A table, drawn at the width it is wrapped to (``content`` holds its text)."""
    language: str = ""
    """A code block's language: highlighted when wrapped, so that only the blocks of
    the first screen cost anything before it is painted."""


@dataclass
class RenderedArticle:
    """An article wrapped to a width: its lines and the links it contains."""

    story_id: str
    width: int
    lines: list[Content]
    links: list[tuple[str, str]]
    complete: bool = True
    estimate: int = 0
    """Lines still to come when not complete (for the scrollbar meanwhile)."""


def _md_parser() -> MarkdownIt:
    from markdown_it import MarkdownIt  # imported when the first article needs it

    return MarkdownIt("commonmark", {"html": True, "linkify": False}).enable("table")


_PARSER: MarkdownIt | None = None
# Anything that could be Markdown syntax sends a body through the parser.
_MARKDOWN_SIGNS = re.compile(r"[\\*_`\[\]<>#|~!&]|^ {0,3}(?:[-+=]|\d{1,9}[.)])", re.MULTILINE)
_PARAGRAPHS = re.compile(r"\n\s*\n")
FIRST_SECTION = 3_000
"""Characters of a body parsed, at least, before the first screen is shown."""
SECTION = 8_000
"""Characters of a body parsed at a time after the first screen."""


def warm_up() -> None:
    """Import and build the Markdown parser ahead of the first article that needs it."""
    global _PARSER
    if _PARSER is None:
        _PARSER = _md_parser()


def _snippet(snippet: Snippet, styles: dict[str, Style]) -> Content:
    """``match: …text…`` with the matched words highlighted (spans, never markup)."""
    text, matches = clean_line(snippet.text), snippet.matches
    if text != snippet.text:  # cleaned already by the store; if not, offsets are off
        matches = ()
    content = Content.styled(text, styles["meta"])
    for start, end in matches:
        if 0 <= start < end <= len(text):
            content = content.stylize(styles["match"], start, end)
    return Content.styled("match: ", styles["meta"]) + content


def story_blocks(
    story: Story, styles: dict[str, Style]
) -> tuple[list[Block], list[tuple[str, str]]]:
    """The header and body of ``story`` as blocks, plus its links ``(text, url)``."""
    links: list[tuple[str, str]] = []
    body = clean_text(story_markdown(story) or "")  # a feed item's HTML becomes Markdown here
    blocks = header_blocks(story, styles) + body_blocks(body, styles, links)
    return blocks, links


def header_blocks(story: Story, styles: dict[str, Style]) -> list[Block]:
    """The title, the line of what is known about the story (site, date or ``undated``,
    author…), its copies, where a search matched, and the rule under them."""
    blocks = [Block(Content.styled(clean_line(story.title), styles["title"]))]
    meta = [part for part in (story.site, " › ".join(story.section)) if part]
    meta.append(long_date(story.published) if story.published else "undated")
    if story.author:
        meta.append(f"by {story.author}")
    if story.reactions is not None:
        meta.append(f"♥ {story.reactions}")
    if story.bookmarked:
        meta.append("★ bookmarked")
    blocks.append(Block(Content.styled(clean_line(" · ".join(meta)), styles["meta"])))
    if story.also_on:  # the same story on other sites: the related pane opens each
        sites = ", ".join(dict.fromkeys(copy.site or copy.title for copy in story.also_on))
        also = clean_line(f"also on: {sites}")
        blocks.append(Block(Content.styled(also, styles["meta"])))
    if story.snippet is not None and story.snippet.text:  # opened from a search
        blocks.append(Block(_snippet(story.snippet, styles)))
    blocks.append(Block(Content(""), rule=True))
    return blocks


def body_blocks(
    body: str,
    styles: dict[str, Style],
    links: list[tuple[str, str]],
    as_markdown: bool | None = None,
) -> list[Block]:
    """A story's body (cleaned text, or a section of it) as blocks; links found are
    appended to ``links``. ``as_markdown`` None: parsed when it looks like Markdown."""
    if not body.strip():
        return [Block(Content.styled("(This story has no text.)", styles["note"]))]
    if as_markdown is None:
        as_markdown = _MARKDOWN_SIGNS.search(body) is not None
    if as_markdown:
        return markdown_blocks(body, styles, links)
    # plain paragraphs (most text pages): no need for a Markdown parser
    return [Block(Content(" ".join(p.split()))) for p in _PARAGRAPHS.split(body) if p.strip()]


_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")


def body_sections(body: str, first: int, size: int) -> Iterator[str]:
    """``body`` cut into sections that parse as the whole does: the first of about
    ``first`` characters, the others of about ``size``.

    A cut is made only at a blank line followed by a line that starts at the margin (a
    new top-level block: never inside a fenced code block, nor before an indented
    line, which may continue a list item or an indented code block).
    """
    if len(body) <= first:
        yield body
        return
    start = offset = 0
    target = first
    fence = ""
    blank_before = False
    for line in body.split("\n"):
        if fence:
            if line.strip().startswith(fence) and not line.strip().strip(fence[0]):
                fence = ""
        else:
            if blank_before and line[:1] not in ("", " ", "\t") and offset - start >= target:
                yield body[start:offset]
                start, target = offset, size
            opening = _FENCE.match(line)
            if opening:
                fence = opening.group(1)
        blank_before = not line.strip()
        offset += len(line) + 1
    yield body[start:]


def markdown_blocks(
    markdown: str, styles: dict[str, Style], links: list[tuple[str, str]]
) -> list[Block]:
    """Markdown as blocks; links found are appended to ``links``."""
    global _PARSER
    if _PARSER is None:
        _PARSER = _md_parser()
    tokens = _PARSER.parse(markdown)
    blocks: list[Block] = []
    prefixes: list[tuple[str, str]] = []  # (first line, other lines) per nesting level
    list_counters: list[int | None] = []
    pending_item_prefix: str | None = None
    heading = False
    table: TableData | None = None
    row: list[Content] | None = None
    in_head = False

    def prefix_pair() -> tuple[Content, Content]:
        nonlocal pending_item_prefix
        rest = first = "".join(p[1] for p in prefixes)
        if pending_item_prefix is not None:  # the first line of a list item shows its marker
            first = "".join(p[1] for p in prefixes[:-1]) + pending_item_prefix
            pending_item_prefix = None
        quote = any(p[1].startswith("▌") for p in prefixes)
        style = styles["quote"] if quote else Style()
        return Content.styled(first, style), Content.styled(rest, style)

    for token in tokens:
        kind = token.type
        if kind == "heading_open":
            heading = True
        elif kind == "heading_close":
            heading = False
        elif kind == "inline" and row is not None:
            row.append(inline_content(token.children or [], styles, links))
        elif kind == "inline":
            content = inline_content(token.children or [], styles, links)
            if heading:
                content = content.stylize(styles["heading"])
            elif any(p[1].startswith("▌") for p in prefixes):
                content = content.stylize(styles["quote"])
            first, rest = prefix_pair()
            blocks.append(Block(content, first, rest))
        elif kind == "bullet_list_open":
            list_counters.append(None)
        elif kind == "ordered_list_open":
            list_counters.append(int(token.attrGet("start") or 1))
        elif kind in ("bullet_list_close", "ordered_list_close"):
            list_counters.pop()
        elif kind == "list_item_open":
            counter = list_counters[-1] if list_counters else None
            if counter is None:
                marker = "• "
            else:
                marker = f"{counter}. "
                list_counters[-1] = counter + 1
            prefixes.append((marker, " " * len(marker)))
            pending_item_prefix = marker
        elif kind == "list_item_close":
            prefixes.pop()
        elif kind == "blockquote_open":
            prefixes.append(("▌ ", "▌ "))
        elif kind == "blockquote_close":
            prefixes.pop()
        elif kind == "table_open":
            table = TableData()
        elif kind in ("thead_open", "thead_close"):
            in_head = kind == "thead_open"
        elif kind == "tr_open":
            row = []
        elif kind == "tr_close" and table is not None and row is not None:
            if in_head:
                table.header = row
            else:
                table.rows.append(row)
            row = None
        elif kind == "table_close" and table is not None:
            first, rest = prefix_pair()
            blocks.append(Block(Content(table.plain()), first, rest, table=table))
            table = None
        elif kind in ("fence", "code_block"):
            first, rest = prefix_pair()
            code = token.content.rstrip("\n")
            language = token.info.split()[0] if kind == "fence" and token.info.strip() else ""
            blocks.append(
                Block(Content.styled(code, styles["code"]), first, rest, language=language)
            )
        elif kind == "html_block":
            first, rest = prefix_pair()
            blocks.append(Block(Content(token.content.rstrip("\n")), first, rest))
        elif kind == "hr":
            blocks.append(Block(Content(""), rule=True))
    return blocks


def inline_content(
    children: list[Token], styles: dict[str, Style], links: list[tuple[str, str]]
) -> Content:
    """Inline Markdown (emphasis, code, links) as one ``Content`` with spans."""
    text: list[str] = []
    spans: list[Span] = []
    open_spans: list[tuple[int, Style]] = []
    position = 0
    link_start: int | None = None
    link_href = ""

    def add(piece: str) -> None:
        nonlocal position
        text.append(piece)
        position += len(piece)

    for child in children:
        kind = child.type
        if kind in ("text", "html_inline"):
            add(child.content)
        elif kind == "softbreak":
            add(" ")
        elif kind == "hardbreak":
            add("\n")
        elif kind == "code_inline":
            start = position
            add(child.content)
            spans.append(Span(start, position, styles["code"]))
        elif kind in ("strong_open", "em_open"):
            open_spans.append(
                (position, Style(bold=True) if kind[0] == "s" else Style(italic=True))
            )
        elif kind in ("strong_close", "em_close") and open_spans:
            start, style = open_spans.pop()
            spans.append(Span(start, position, style))
        elif kind == "link_open":
            link_start, link_href = position, str(child.attrGet("href") or "")
        elif kind == "link_close" and link_start is not None:
            spans.append(Span(link_start, position, styles["link"]))
            if link_href:
                links.append(("".join(text)[link_start:position], link_href))
                note_start = position
                add(f"[{len(links)}]")
                spans.append(Span(note_start, position, styles["note"]))
            link_start = None
        elif kind == "image":
            # A placeholder with the alt text; the picture's address is listed by L.
            start, alt = position, " ".join(child.content.split())
            src = str(child.attrGet("src") or "")
            if src:
                links.append((f"image: {alt}" if alt else "image", src))
                label = f"image {len(links)}"
            else:
                label = "image"
            add(f"[{label}: {alt}]" if alt else f"[{label}]")
            spans.append(Span(start, position, styles["note"]))
    return Content("".join(text), spans)


def wrap_blocks(
    blocks: list[Block], width: int, styles: dict[str, Style], first: bool = True
) -> list[Content]:
    """Wrap blocks to ``width`` cells, one blank line between blocks.

    ``first`` says whether ``blocks`` starts the article (no blank line before it).
    """
    width = max(width, 10)
    lines: list[Content] = []
    blank = Content("")
    for index, block in enumerate(blocks):
        if index or not first:
            lines.append(blank)
        if block.rule:
            lines.append(Content.styled("─" * width, styles["rule"]))
            continue
        room = max(width - block.prefix.cell_length, 5)
        if block.table is not None:
            drawn = table_lines(block.table, room, styles["rule"], Style(bold=True))
            wrapped = drawn or [blank]
        elif block.language:
            wrapped = highlight(block.content.plain, block.language, styles).wrap(room) or [blank]
        else:
            wrapped = wrap_content(block.content, room) or [blank]
        if not block.prefix and not block.first_prefix:
            lines.extend(wrapped)
            continue
        lines.append(block.first_prefix + wrapped[0])
        lines.extend(block.prefix + line for line in wrapped[1:])
    return lines


def render_article(story: Story, width: int, styles: dict[str, Style]) -> RenderedArticle:
    """``story`` wrapped to ``width``, ready for the article view."""
    blocks, links = story_blocks(story, styles)
    return RenderedArticle(story.id, width, wrap_blocks(blocks, width, styles), links)


def render_in_stages(
    story: Story,
    width: int,
    styles: dict[str, Style],
    screen_lines: int,
    cancelled: Callable[[], bool] = lambda: False,
) -> Iterator[RenderedArticle]:
    """Render ``story`` for showing at once: first enough lines to fill the screen
    (with the rest estimated, so the scrollbar is about right), then all of it.

    Only the first section of a long body is parsed before the first stage, so that
    the first screen costs the same for 2,000 words as for 20,000; the rest is parsed
    a section at a time, and the render stops between sections once ``cancelled()``.
    A short story comes in one stage.
    """
    width = max(width, 10)
    links: list[tuple[str, str]] = []
    body = clean_text(story_markdown(story) or "")  # a feed item's HTML becomes Markdown here
    as_markdown = _MARKDOWN_SIGNS.search(body) is not None
    first = max(screen_lines * width * 3 // 2, FIRST_SECTION)  # text for a screen and a half
    sections = body_sections(body, first, SECTION)
    head = next(sections)
    blocks = header_blocks(story, styles) + body_blocks(head, styles, links, as_markdown)
    lines = wrap_blocks(blocks, width, styles)
    if len(head) < len(body):
        if len(lines) >= screen_lines:
            rest = len(body) - len(head)
            estimate = rest // max(width - 4, 10) + body.count("\n\n", len(head))
            yield RenderedArticle(story.id, width, lines, links, complete=False, estimate=estimate)
            lines = list(lines)  # the stage shown keeps its own
        for section in sections:
            if cancelled():
                return
            section_blocks = body_blocks(section, styles, links, as_markdown)
            lines.extend(wrap_blocks(section_blocks, width, styles, first=False))
    yield RenderedArticle(story.id, width, lines, links)
