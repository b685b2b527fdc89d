"""Every lesson renders as written: no regex turned into italics, no sum turned into a bullet.

``app.course.lint`` finds Markdown that CommonMark would read as markup where the
writer meant text. The cases below are the two that reached the site (the mTLS
self-check's mapping rule, the monitoring lesson's worked sum) and others of the
same kind; each is also rendered, to show the damage the check prevents.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from app.course.frontmatter import split_front_matter
from app.course.lint import lint_inline, lint_markdown
from app.course.markdown import render_inline, render_slides
from app.paths import CONTENT_DIR

LESSONS = sorted(CONTENT_DIR.glob("*/*.md"))


def lesson_problems(path: Path) -> list[str]:
    """The lint of a lesson file: its body, with line numbers of the file, and each self-check text."""
    meta, body = split_front_matter(path)
    text = path.read_text(encoding="utf-8")
    first_line = text[: len(text) - len(body)].count("\n") + 1
    problems = lint_markdown(body, first_line)
    for n, item in enumerate(meta.self_check, 1):
        for field in ("question", "answer", "explanation"):
            problems += [f"self-check {n} {field}: {p}" for p in lint_inline(getattr(item, field))]
    return problems


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_every_lesson_renders_as_written(path: Path) -> None:
    assert lesson_problems(path) == [], path.name


# The two that reached the site, as they were written.
MAPPING_RULE = "unless ssl.principal.mapping.rules shortens it (for example RULE:^CN=(.*?),.*$/$1/,DEFAULT gives User:alice)."
WORKED_SUM = ("Worked example: one slow Produce request takes 120 ms = 2 queue + 6 local + 105 remote\n"
              "+ 1 response queue + 6 send. (Percentiles don't add up this way.)\n")


def test_a_regex_outside_code_is_found() -> None:
    assert "<em>" in render_inline(MAPPING_RULE)  # the damage: ".*?),." in italics, two asterisks gone
    (problem, *_) = lint_inline(MAPPING_RULE)
    assert "'*'" in problem and "code span" in problem
    fixed = MAPPING_RULE.replace("RULE:^CN=(.*?),.*$/$1/,DEFAULT", "`RULE:^CN=(.*?),.*$/$1/,DEFAULT`")
    assert lint_inline(fixed) == []
    assert "<code>RULE:^CN=(.*?),.*$/$1/,DEFAULT</code>" in render_inline(fixed)


def test_a_sum_wrapped_onto_a_plus_is_found() -> None:
    (slide,) = render_slides(WORKED_SUM)
    assert "<li>1 response queue + 6 send." in slide.html  # the damage
    assert lint_markdown(WORKED_SUM, first_line=70) == [
        "line 71: \"+ 1 response queue + 6 send. (Percentiles don't add up this way.)\" starts a bullet list inside "
        "a paragraph; put a blank line before one you meant, or reflow the text so that no line starts with list, "
        "heading or quote markup"
    ]
    assert lint_markdown(WORKED_SUM.replace("remote\n+ 1", "remote + 1\n")) == []


@pytest.mark.parametrize(
    ("markdown", "found"),
    [
        ("The rate is 2*3*4 records.\n", "'*'"),  # intraword asterisks: 2<em>3</em>4
        ("Match keys with order-.*-eu and .*-us.\n", "'*'"),
        ("The topic __consumer_offsets holds them.\n", "opens emphasis that never closes"),
        ("A config such as\n1. this one starts a list.\n", "numbered list inside a paragraph"),
        ("The total is\n- 3 ms.\n", "bullet list inside a paragraph"),
        ("Partition counts\n# of partitions is 6.\n", "heading inside a paragraph"),
        ("Read this\n> not a quote.\n", "quote inside a paragraph"),
        ("Totals\n---\n", "under text makes it a heading"),
        ("Run kafka-consumer-groups.sh --group <g> for lag.\n", "<g> is raw HTML"),
        ("Exclude follower\\.replication\\.throttled\\.replicas too.\n", "backslash"),
        ("The bound is a &lt; b.\n", "&lt; outside code"),
        ("| a | b |\n|---|---|\n| x*y*z | 1 |\n", "'*'"),  # table cells are checked too
    ],
)
def test_other_markup_that_would_eat_text_is_found(markdown: str, found: str) -> None:
    problems = lint_markdown(markdown)
    assert any(found in p for p in problems), problems


@pytest.mark.parametrize(
    "markdown",
    [
        "acks=all waits for the *whole* ISR, and **NOT_ENOUGH_REPLICAS** (error 19) follows.\n",
        "**Kafka 3.0 (KIP-679):** the default became `acks=all`.\n",
        "*Emphasis*, then `a*b` and `RULE:^CN=(.*?),.*$/$1/,DEFAULT` in code, 2 * 3 as plain text.\n",
        "See [the glossary](/configs#producer-linger.ms_x) and <kbd>p</kbd>.\n",
        "A list after a blank line:\n\n- one\n- two\n",
        "```properties\nsasl.jaas.config=a \\\n  b;\n# *not* a heading\n```\n",
        "Worked example: 120 = 2 queue + 6 local + 105 remote + 1 response queue + 6 send.\n",
    ],
)
def test_ordinary_lesson_markdown_passes(markdown: str) -> None:
    assert lint_markdown(markdown) == []
