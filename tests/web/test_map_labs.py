"""The course map marks exactly the lessons that end with a live lab, in words, and its legend says what the mark means."""

from __future__ import annotations

import shutil
from html.parser import HTMLParser
from pathlib import Path

from fastapi.testclient import TestClient

from app.course.lessons import Course
from app.main import create_app
from app.settings import Settings


class _MapParser(HTMLParser):
    """Each lesson item of the map (li[data-lesson]) with the labs its badges name and the text they show."""

    def __init__(self) -> None:
        super().__init__()
        self.badges: dict[str, list[str]] = {}  # lesson slug -> data-lab-badge values inside its item
        self.badge_texts: list[str] = []
        self.legend: str | None = None
        self._lesson: str | None = None
        self._in_badge = 0  # open elements inside the current badge, so its text is collected
        self._in_legend = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "li" and "data-lesson" in found:
            self._lesson = found["data-lesson"]
            self.badges[self._lesson or ""] = []
        if "data-lab-badge" in found:
            if self._lesson is None:
                raise AssertionError(f"a lab badge outside any lesson item: {found}")
            self.badges[self._lesson].append(found["data-lab-badge"] or "")
            self.badge_texts.append("")
            self._in_badge = 1
        elif self._in_badge:
            self._in_badge += 1
        if "data-map-legend" in found:
            self.legend = ""
            self._in_legend = 1
        elif self._in_legend:
            self._in_legend += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "li":
            self._lesson = None
        if self._in_badge:
            self._in_badge -= 1
        if self._in_legend:
            self._in_legend -= 1

    def handle_data(self, data: str) -> None:
        if self._in_badge:
            self.badge_texts[-1] += data
        if self._in_legend:
            self.legend = (self.legend or "") + data


def read_map(client: TestClient) -> _MapParser:
    parser = _MapParser()
    parser.feed(client.get("/").text)
    return parser


def test_the_map_marks_exactly_the_lessons_with_a_lab(real_client: TestClient, real_app) -> None:
    course: Course = real_app.state.course
    with_labs = {lesson.slug: lesson.meta.lab for lesson in course if lesson.meta.lab}
    assert with_labs, "no lesson has a lab: this test would prove nothing"
    found = read_map(real_client)
    assert set(found.badges) == {lesson.slug for lesson in course}
    assert {slug: labs for slug, labs in found.badges.items() if labs} == {slug: [lab] for slug, lab in with_labs.items()}


def test_the_mark_is_a_word_and_the_legend_explains_it(real_client: TestClient, real_app) -> None:
    found = read_map(real_client)
    labs = sum(1 for lesson in real_app.state.course if lesson.meta.lab)
    assert found.badge_texts and {" ".join(text.split()) for text in found.badge_texts} == {"Live lab"}
    legend = " ".join((found.legend or "").split())
    assert legend.startswith("Live lab marks the "), legend
    assert f"the {labs} lessons that end with a live lab" in legend


def test_a_course_without_labs_has_no_mark_and_no_legend(sample_client: TestClient) -> None:
    found = read_map(sample_client)
    assert found.badges and not any(found.badges.values())
    assert found.legend is None


def test_a_lab_added_to_a_lesson_is_marked_on_the_map(tmp_path: Path, sample_content: Path) -> None:
    content = Path(shutil.copytree(sample_content, tmp_path / "content"))
    path = content / "kafka" / "kafka-retries.md"
    path.write_text(path.read_text(encoding="utf-8").replace("order: 2\n", "order: 2\nlab: retries\n"), encoding="utf-8")
    found = read_map(TestClient(create_app(Settings(content_dir=content))))
    assert {slug: labs for slug, labs in found.badges.items() if labs} == {"kafka-retries": ["retries"]}
    assert "Live lab marks the lesson that ends with a live lab:" in " ".join((found.legend or "").split())
