"""A story's Markdown wrapped for a terminal, as the article pane wraps it: prose lines
broken at spaces and, in Chinese, Japanese and Korean text, where Unicode's rules
allow (``base.line_break``), with quote prefixes repeated and list items hanging;
code blocks and tables left as they are."""

from __future__ import annotations

import re

from reader.base.line_break import wrap_text

_LEAD = re.compile(r"((?:> ?)*)((?:[-*+]|\d{1,9}[.)])\s+)?")
_QUOTE = re.compile(r"(?:> ?)*")
_FENCE = re.compile(r"^(?:> ?)*(```|~~~)")


def wrap_markdown(markdown: str, width: int) -> str:
    """``markdown`` with each prose line at most ``width`` cells wide where it can be."""
    width = max(width, 20)
    out: list[str] = []
    in_code = False
    for line in markdown.split("\n"):
        if _FENCE.match(line):
            in_code = not in_code
            out.append(line)
            continue
        if in_code or len(line) <= width // 2 or _keep(line):
            out.append(line)
            continue
        lead = _LEAD.match(line)
        quote, marker = (lead.group(1), lead.group(2) or "") if lead else ("", "")
        text = line[len(quote) + len(marker) :]
        hang = quote + " " * len(marker)
        pieces = wrap_text(text, max(width - len(hang), 10))
        out.append(quote + marker + pieces[0] if pieces else line)
        out.extend(hang + piece for piece in pieces[1:])
    return "\n".join(out)


def _keep(line: str) -> bool:
    """A line that is not prose: a table row, indented code, a rule."""
    quote = _QUOTE.match(line)
    bare = line[quote.end() :] if quote else line
    return bare.startswith(("|", "    ", "\t", "┌", "│", "├", "└", "---"))
