"""Code blocks keep the language their page names, through html2text.

Highlighters mark a block's language with classes (language-python, lang-js,
highlight-source-rust on GitHub, brush: php for SyntaxHighlighter, sourceCode haskell
for pandoc) or a data-lang attribute. ``mark_language`` puts the language at the start
of the code as a marker (it survives trafilatura, which keeps no attributes, and
html2text); ``fence_code`` turns the indented block html2text writes into a fenced one
with that language, which the article pane highlights.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lxml import etree

_LANGUAGE_CLASS = re.compile(
    r"(?:^|\s)(?:language-|lang-|highlight-source-|highlight-|brush:\s*|sourceCode\s+)"
    r"([A-Za-z][A-Za-z0-9_+#.-]{0,29})(?=\s|$|;)"
)
_NOT_LANGUAGES = frozenset(("none", "plain", "plaintext", "text", "txt", "nohighlight", "source"))
_CODE_MARK = re.compile("\ue002([^\ue003\n]*)\ue003")


def code_language(el: etree._Element) -> str | None:
    """The language a ``<pre>`` (or its ``<code>``, or the box around it) declares."""
    code = el.find(".//code")
    parent = el.getparent()
    candidates = [code, el, parent, parent.getparent() if parent is not None else None]
    for candidate in candidates:
        if candidate is None:
            continue
        lang = candidate.get("data-lang") or ""
        if re.fullmatch(r"[A-Za-z][A-Za-z0-9_+#.-]{0,29}", lang):
            return lang.lower()
        for match in _LANGUAGE_CLASS.finditer(candidate.get("class") or ""):
            name = match.group(1).lower()
            if name not in _NOT_LANGUAGES:
                return name
    return None


_END = "\ue009"  # where a marked block ends: the next block may be code too


def mark_language(code: etree._Element, language: str) -> None:
    """Put ``language``'s marker at the start of ``code``'s text and an end marker after
    it (see ``fence_code``)."""
    code.text = f"\ue002{language}\ue003" + (code.text or "").lstrip("\n")
    last = code[-1] if len(code) else None
    if last is not None:
        last.tail = (last.tail or "").rstrip() + _END
    else:
        code.text = (code.text or "").rstrip() + _END


def fence_code(markdown: str) -> str:
    """An indented code block that starts with a language marker as a fenced block
    with that language; a marker anywhere else (code made inline) goes."""
    if "\ue002" not in markdown:
        return markdown.replace(_END, "")
    lines = markdown.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        match = _CODE_MARK.search(line)
        indent = len(line) - len(line.lstrip(" "))
        if match is None or indent < 4 or match.start() != indent:
            out.append(_CODE_MARK.sub("", line).replace(_END, ""))
            i += 1
            continue
        code = [line[match.end() :]]
        i += 1
        while (
            _END not in code[-1]
            and i < len(lines)
            and (not lines[i].strip() or len(lines[i]) - len(lines[i].lstrip(" ")) >= indent)
            and lines[i][indent : indent + 1] != "\ue002"  # the next block
        ):
            code.append(_CODE_MARK.sub("", lines[i])[indent:])
            i += 1
        code[-1] = code[-1].replace(_END, "")
        while code and not code[-1].strip():
            code.pop()
            i -= 1  # the blank lines after the block stay
        fence = "`" * max(
            3, 1 + max((len(m) for m in re.findall("`+", "\n".join(code))), default=0)
        )
        outer = " " * (indent - 4)
        out += [
            f"{outer}{fence}{match.group(1)}",
            *(outer + c if c else c for c in code),
            outer + fence,
        ]
    return "\n".join(out)
