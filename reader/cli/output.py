"""What the command line prints: story lines, a story, exports and JSON, all cleaned.

Every string from a page passes ``clean_line``/``clean_link``/``clean_text`` on its
way out, so nothing a page holds can reach the terminal as a control sequence.
"""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Iterable
from typing import IO, Any

from reader.base.clean import clean_line, clean_link, clean_text
from reader.base.errors import ReaderError
from reader.base.fragments import story_markdown
from reader.base.models import LIST_KINDS, Story


class CommandError(ReaderError):
    """A failure to report as one line and exit 1."""


def print_json(data: Any, indent: int | None = 2) -> None:
    json.dump(safe(data), sys.stdout, ensure_ascii=False, indent=indent)
    sys.stdout.write("\n")


def safe(data: Any) -> Any:
    """``data`` for JSON output, every string in it cleaned as for the terminal."""
    if isinstance(data, str):
        return clean_text(data)
    if isinstance(data, dict):
        return {key: safe(value) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return [safe(value) for value in data]
    return data


def print_stories(stories: Iterable[Story], as_json: bool) -> None:
    """A line a story, or a JSON list of them (without bodies), each printed as it
    comes: the list is written a story at a time, the same text ``print_json`` makes
    of the whole list, so memory stays flat however long it is."""
    if not as_json:
        for story in stories:
            print(format_row(story))
        return
    opened = False
    for story in stories:
        item = json.dumps(safe(story.to_dict(with_body=False)), ensure_ascii=False, indent=2)
        sys.stdout.write(("[\n  " if not opened else ",\n  ") + item.replace("\n", "\n  "))
        opened = True
    sys.stdout.write("\n]\n" if opened else "[]\n")


def format_row(story: Story) -> str:
    """One line of ``reader list``: id, date, unread/bookmark marks, site, title."""
    date = clean_line(story.published or "")[:10].ljust(10)
    marks = ("•" if not story.read else " ") + ("★" if story.bookmarked else " ")
    more = f" +{story.sources - 1}" if story.sources > 1 else ""  # other sites carry it
    site = (clean_line(story.site or "")[: 22 - len(more)] + more).ljust(22)
    return f"{story.id}  {date}  {marks}  {site}  {clean_line(story.title)}"


def format_story(story: Story, width: int | None = None, wrap: bool = False) -> str:
    """A story as readable text: header, body (its tables drawn in ``width`` cells, by
    default the terminal's; with ``wrap``, its prose wrapped to them), then its
    headline lists."""
    if width is None:
        width = min(shutil.get_terminal_size((100, 24)).columns, 160)
    meta = [clean_line(part) for part in (story.site, " > ".join(story.section)) if part]
    if story.published:
        meta.append(clean_line(story.published.replace("T", " ")))
    if story.author:
        meta.append(f"by {clean_line(story.author)}")
    if story.reactions is not None:
        meta.append(f"{story.reactions} reactions")
    flags = ["bookmarked" if story.bookmarked else "", "read" if story.read else "unread"]
    title = clean_line(story.title)
    lines = [title, " · ".join(meta)] if meta else [title]
    link = clean_link(story.url or story.source)
    lines.append(" · ".join(filter(None, [f"id {story.id}", *flags, link])))
    if story.also_on:
        sites = ", ".join(clean_line(copy.site or copy.url or copy.id) for copy in story.also_on)
        lines.append(f"Also on: {sites}")
    # Only `reader show` draws a story: the other commands never import these.
    from reader.cli.text_tables import draw_tables
    from reader.cli.text_wrap import wrap_markdown

    body = clean_text(story_markdown(story) or "")
    lines += ["", draw_tables(wrap_markdown(body, width) if wrap else body, width), ""]
    for kind, heading in zip(LIST_KINDS, ("Related", "Ranking", "Recommended"), strict=True):
        headlines = getattr(story, kind)
        if headlines:
            lines.append(heading)
            for h in headlines:
                where = f"  [{h.article_id}]" if h.article_id else "  (not cached)"
                lines.append(f"  - {clean_line(h.title)}{where}")
            lines.append("")
    return "\n".join(lines)


def write_export(stories: Any, fmt: str, out: IO[str]) -> int:
    """Write stories as ``json``, ``jsonl`` or ``md``; return how many were written."""
    count = 0
    if fmt == "json":
        out.write("[")
        for story in stories:
            out.write(",\n" if count else "\n")
            out.write(json.dumps(safe(story.to_dict()), ensure_ascii=False))
            count += 1
        out.write("\n]\n" if count else "]\n")
    elif fmt == "jsonl":
        for story in stories:
            out.write(json.dumps(safe(story.to_dict()), ensure_ascii=False) + "\n")
            count += 1
    else:
        out.write("# Reading list\n")
        for story in stories:
            out.write("\n" + export_markdown(story))
            count += 1
    return count


def export_markdown(story: Story) -> str:
    """One story of the Markdown reading list."""
    meta = [clean_line(part) for part in (story.site, (story.published or "")[:10]) if part]
    if story.bookmarked:
        meta.append("bookmarked")
    lines = [f"## {clean_line(story.title)}", ""]
    if meta:
        lines += [f"*{' · '.join(meta)}*", ""]
    lines += [f"Source: <{clean_link(story.url or story.source)}>", ""]
    body = story_markdown(story)
    if body:
        lines += [clean_text(body), ""]
    related = [clean_line(h.title) for h in story.related]
    if related:
        lines += ["Related: " + "; ".join(related), ""]
    lines.append("---")
    return "\n".join(lines) + "\n"
