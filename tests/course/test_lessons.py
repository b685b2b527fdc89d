from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app.configs import registry
from app.course.frontmatter import FrontMatterError
from app.course.lessons import Course, CourseError, load_course
from app.paths import CONTENT_DIR


@pytest.fixture
def content(tmp_path: Path, sample_content: Path) -> Path:
    """A private copy of the sample course, free to break."""
    return Path(shutil.copytree(sample_content, tmp_path / "content"))


def test_course_loads_in_order_with_modules_positions_and_neighbours(sample_content: Path) -> None:
    course = load_course(sample_content)
    assert [l.slug for l in course.track("kafka")] == ["kafka-acks", "kafka-retries"]
    acks, retries = course.track("kafka")
    assert course.position(retries) == (2, 2)
    assert course.neighbours(acks) == (None, retries)
    assert [(m.name, len(m.lessons)) for m in course.modules("kafka")] == [("Producer", 2)]
    assert [l.slug for l in course.related(acks)] == ["aws-syllabus"]


def test_config_to_lessons_mapping_comes_from_front_matter(sample_content: Path) -> None:
    course = load_course(sample_content)
    linger = registry().get("producer", "linger.ms")
    assert [l.slug for l in course.lessons_using(linger)] == ["kafka-acks"]


def test_duplicate_order_in_a_track_is_refused(content: Path) -> None:
    path = content / "kafka" / "kafka-retries.md"
    path.write_text(path.read_text().replace("order: 2", "order: 1"))
    with pytest.raises(CourseError, match="order 1 in track kafka is used by kafka-acks.md and kafka-retries.md"):
        load_course(content)


def test_duplicate_slug_across_tracks_is_refused(content: Path) -> None:
    shutil.copy(content / "kafka" / "kafka-retries.md", content / "aws" / "kafka-retries.md")
    with pytest.raises(FrontMatterError, match="track is 'kafka' but the file is in content/aws/"):
        load_course(content)


def test_unknown_related_lesson_is_refused(content: Path) -> None:
    path = content / "aws" / "aws-syllabus.md"
    path.write_text(path.read_text().replace("related: [kafka-acks]", "related: [kafka-nothing]"))
    with pytest.raises(CourseError, match="aws-syllabus.md: related lesson 'kafka-nothing' does not exist"):
        load_course(content)


# The real course in content/: what the lesson writers must keep true.


@pytest.fixture(scope="module")
def course() -> Course:
    return load_course(CONTENT_DIR)


def test_real_course_loads(course: Course) -> None:
    # Loading checks unique slugs, unique order per track and that `related` slugs exist.
    assert len(course) == len(list(CONTENT_DIR.glob("*/*.md")))


def test_every_config_a_lesson_names_is_in_the_registry(course: Course) -> None:
    missing = [(l.slug, name) for l in course for name in l.meta.configs if not registry().find(name)]
    assert not missing


def test_orders_in_each_track_run_from_one_without_gaps(course: Course) -> None:
    for track in ("kafka", "aws"):
        orders = [l.meta.order for l in course.track(track)]
        assert orders == list(range(1, len(orders) + 1)), f"{track}: orders {orders}"


def test_every_lesson_has_sections_for_projector_mode(course: Course) -> None:
    without = [l.slug for l in course if not any(s.title for s in l.slides)]
    assert not without, f"lessons without a `##` section: {without}"
