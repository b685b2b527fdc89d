from __future__ import annotations

from app.course.markdown import render_inline, render_slides, slugify


def test_each_h2_section_is_a_slide_with_the_intro_first() -> None:
    slides = render_slides("# Title\n\nIntro.\n\n## First one\n\nA.\n\n### Detail\n\nB.\n\n## Second\n\nC.\n")
    assert [s.title for s in slides] == ["", "First one", "Second"]
    assert slides[0].html == "<p>Intro.</p>\n"  # the `#` title is dropped: the page prints it
    assert '<h2 id="first-one">First one</h2>' in slides[1].html
    assert '<h3 id="detail">Detail</h3>' in slides[1].html
    assert slides[2].anchor == "second"


def test_tables_and_trusted_html_render() -> None:
    (slide,) = render_slides("## T\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n<kbd>p</kbd>\n")
    assert "<table>" in slide.html and "<td>2</td>" in slide.html
    assert "<kbd>p</kbd>" in slide.html


def test_repeated_headings_get_distinct_ids() -> None:
    slides = render_slides("## Demo\n\n## Demo\n")
    assert [s.anchor for s in slides] == ["demo", "demo-2"]


def test_headings_never_reuse_the_pages_own_ids() -> None:
    slides = render_slides("## Self-check\n\n## Key settings\n")
    assert [s.anchor for s in slides] == ["self-check-2", "key-settings-2"]


def test_slugify_and_inline() -> None:
    assert slugify("acks = all (replicas acks)") == "acks-all-replicas-acks"
    assert render_inline("`acks=all` is *safe*") == "<code>acks=all</code> is <em>safe</em>"
