"""Markdown that would not render as written: checks over a lesson's source.

A lesson is prose with code and sums in it, and CommonMark reads some characters
as markup wherever they stand. A regex such as ^CN=(.*?),.*$ written as plain text
loses its asterisks to an <em>; a sum wrapped so that a line starts with "+ 1"
becomes a bullet; <name> is raw HTML (lessons may carry some) that the browser
hides; a backslash before punctuation vanishes. None of these is an error to the
renderer, so the page just shows something else. These checks find them in the
source, so that code goes in a code span and a sum is reflowed.

The rules a lesson keeps, and that ``lint_markdown`` and ``lint_inline`` check:

- Emphasis wraps words: an opening ``*``/``_`` run stands after a space, the start
  or an opening bracket or quote, a closing one before a space, the end or
  punctuation, and each closes the last one opened. Any other ``*`` or ``_`` that
  CommonMark could read as a delimiter belongs in a code span.
- No backslash and no character reference (``&lt;``) outside code.
- Raw HTML only for the tags in ``ALLOWED_TAGS``.
- A list, a heading, a quote or a rule never starts on the line right after a line
  of text (there it interrupts the paragraph: the "+ 1" bullet); headings are
  ``#`` headings, never text underlined with ``---`` or ``===``.
"""

from __future__ import annotations

import re

from markdown_it.token import Token

from app.course.markdown import parse_blocks

#: Raw HTML a lesson may use (kept to what templates style).
ALLOWED_TAGS = frozenset({"kbd", "figure", "figcaption", "br", "abbr", "sub", "sup"})

#: Blocks that CommonMark lets interrupt a paragraph, and that a writer meant only after a blank line.
_INTERRUPTING = {"bullet_list_open", "ordered_list_open", "heading_open", "blockquote_open", "hr", "html_block"}

_OPENS_BEFORE = set(" \t\n([{\"'“‘—–/-")  # what may stand just before an opening delimiter
_CLOSES_AFTER = set(" \t\n.,;:!?)]}\"'”’—–/-")  # what may stand just after a closing delimiter
_DELIMITER_RUN = re.compile(r"\*+|_+")
_TAG = re.compile(r"</?([A-Za-z][A-Za-z0-9-]*)")
_CHARACTER_REFERENCE = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def lint_markdown(body: str, first_line: int = 1) -> list[str]:
    """Problems in a lesson body, each "line N: ..." with N counted from ``first_line``."""
    tokens = parse_blocks(body)
    lines = body.splitlines()
    # The line just after each paragraph (token.map ends are exclusive): a block starting there interrupted it.
    after_paragraph = {t.map[1] for t in tokens if t.type == "paragraph_open" and t.map}
    problems: list[str] = []
    for token in tokens:
        if not token.map:
            continue
        start = token.map[0]
        where = f"line {start + first_line}"
        if token.type in _INTERRUPTING and start in after_paragraph:
            problems.append(f"{where}: {lines[start].strip()!r} starts a {_block_name(token)} inside a paragraph; "
                            "put a blank line before one you meant, or reflow the text so that no line starts with "
                            "list, heading or quote markup")
        if token.type == "heading_open" and token.markup in ("=", "-"):
            problems.append(f"{where}: a line of {token.markup * 3} under text makes it a heading; use '## '")
        if token.type == "html_block":
            problems += [f"{where}: {p}" for p in _tag_problems(token.content)]
        if token.type == "inline":
            problems += [f"{where}: {p}" for p in lint_inline(token.content)]
    return problems


def lint_inline(text: str) -> list[str]:
    """Problems in one run of inline Markdown: a paragraph, a table cell, a self-check answer."""
    masked = _mask_code(text)
    problems = _emphasis_problems(text, masked)
    if "\\" in masked:
        problems.append(f"a backslash outside code: {_around(text, masked.index(chr(92)))}; "
                        "CommonMark drops it before punctuation, so put the text in a code span")
    for match in _CHARACTER_REFERENCE.finditer(masked):
        problems.append(f"{match.group()} outside code is turned into a character; put it in a code span")
    problems += _tag_problems(masked)
    return problems


def _mask_code(text: str) -> str:
    """``text`` with every code span, link destination and autolink replaced by letters (a word to its neighbours)."""
    out = []
    i = 0
    while i < len(text):
        if text[i] == "`":
            run = len(text[i:]) - len(text[i:].lstrip("`"))
            close = re.compile(r"(?<!`)" + "`" * run + r"(?!`)").search(text, i + run)
            if close:
                out.append("x" * (close.end() - i))
                i = close.end()
                continue
            out.append("`" * run)
            i += run
            continue
        if text.startswith("](", i):
            end = text.find(")", i)
            if end > 0:
                out.append("](" + "x" * (end - i - 2) + ")")
                i = end + 1
                continue
        autolink = re.compile(r"<[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*>").match(text, i)
        if autolink:
            out.append("x" * len(autolink.group()))
            i = autolink.end()
            continue
        out.append(text[i])
        i += 1
    return "".join(out)


def _emphasis_problems(text: str, masked: str) -> list[str]:
    """Delimiter runs that do not wrap words, found in ``masked`` (code hidden) and quoted from ``text``."""
    problems = []
    stack: list[tuple[str, int]] = []  # open delimiter runs: (run, index)
    for match in _DELIMITER_RUN.finditer(masked):
        run, i = match.group(), match.start()
        before = masked[i - 1] if i > 0 else " "
        after = masked[match.end()] if match.end() < len(masked) else " "
        if run[0] == "_" and before.isalnum() and after.isalnum():
            continue  # NOT_ENOUGH_REPLICAS: CommonMark never reads an intraword _ as emphasis
        opens = before in _OPENS_BEFORE and not after.isspace()
        closes = not before.isspace() and after in _CLOSES_AFTER
        if stack and closes and stack[-1][0] == run:
            stack.pop()
        elif opens and len(run) <= 2:
            stack.append((run, i))
        elif before.isspace() and after.isspace():
            continue  # "2 * 3": a lone delimiter between spaces is plain text
        else:
            problems.append(f"{run!r} in {_around(text, i)} is read as emphasis markup; "
                            "emphasis wraps words, anything else with * or _ goes in a code span")
    problems += [f"{run!r} in {_around(text, i)} opens emphasis that never closes; put the text in a code span"
                 for run, i in stack]
    return problems


def _tag_problems(text: str) -> list[str]:
    return [f"<{match.group(1)}> is raw HTML, which the page passes on and the browser hides; "
            "write it in a code span" for match in _TAG.finditer(text) if match.group(1).lower() not in ALLOWED_TAGS]


def _block_name(token: Token) -> str:
    return {"bullet_list_open": "bullet list", "ordered_list_open": "numbered list", "heading_open": "heading",
            "blockquote_open": "quote", "hr": "horizontal rule", "html_block": "HTML block"}[token.type]


def _around(text: str, i: int, width: int = 24) -> str:
    return repr(text[max(0, i - width): i + width].replace("\n", " "))
