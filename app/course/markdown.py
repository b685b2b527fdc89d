"""Lesson bodies from Markdown to HTML, cut into slides at each `##` heading."""

from __future__ import annotations

import re
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.token import Token

# html=True lets a lesson carry a <figure> or a <kbd>. The lessons are ours,
# reviewed in git like code, so raw HTML is trusted input; the app's
# Content-Security-Policy still refuses inline scripts should one slip in.
_md = MarkdownIt("commonmark", {"html": True}).enable("table")


#: Ids the lesson page itself uses (templates/lesson.html and its partials); a
#: heading with the same text gets "-2" so that every id on the page stays unique.
PAGE_IDS = frozenset({"main", "site-search", "site-search-status", "key-settings", "self-check", "related"})


@dataclass(frozen=True)
class Slide:
    """One `##` section of a lesson: a slide in projector mode."""

    title: str  # the `##` heading text; "" for the introduction before the first one
    anchor: str  # the id of the heading, "" for the introduction
    html: str


def slugify(text: str) -> str:
    """A heading's text as an id: lower case, words joined by '-' ("Acks = all" -> "acks-all")."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug or "section"


def render_slides(body: str) -> list[Slide]:
    """The body as slides. A leading `#` heading is dropped: the page prints the title itself."""
    tokens = _md.parse(body)
    if tokens and tokens[0].type == "heading_open" and tokens[0].tag == "h1":
        tokens = tokens[3:]
    _add_heading_ids(tokens)
    chunks: list[list[Token]] = [[]]
    for token in tokens:
        if token.type == "heading_open" and token.tag == "h2":
            chunks.append([])
        chunks[-1].append(token)
    slides = []
    for chunk in chunks:
        if not chunk:
            continue
        is_section = chunk[0].type == "heading_open" and chunk[0].tag == "h2"
        title = chunk[1].content if is_section else ""
        anchor = str(chunk[0].attrGet("id")) if is_section else ""
        html = _md.renderer.render(chunk, _md.options, {})
        slides.append(Slide(title=title, anchor=anchor, html=html))
    return slides


def parse_blocks(body: str) -> list[Token]:
    """The block tokens of a body as the renderer sees them (each with its source lines in ``map``)."""
    return _md.parse(body)


def render_inline(text: str) -> str:
    """A short text (a self-check answer) with inline Markdown: `code`, *emphasis*, links."""
    return _md.renderInline(text)


def _add_heading_ids(tokens: list[Token]) -> None:
    seen: dict[str, int] = dict.fromkeys(PAGE_IDS, 1)
    for i, token in enumerate(tokens):
        if token.type != "heading_open":
            continue
        base = slugify(tokens[i + 1].content)
        count = seen.get(base, 0)
        seen[base] = count + 1
        token.attrSet("id", base if count == 0 else f"{base}-{count + 1}")
