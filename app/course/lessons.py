"""The course: every lesson in content/, loaded and checked once at start-up."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from app.configs import ConfigDef, Registry
from app.course.frontmatter import FrontMatter, FrontMatterError, split_front_matter
from app.course.markdown import Slide, render_slides

#: The tracks in the order the course map shows them, with their display names.
TRACKS: dict[str, str] = {"kafka": "Apache Kafka", "aws": "AWS"}


class CourseError(ValueError):
    """The lessons, taken together, are inconsistent; the message lists every problem."""


@dataclass(frozen=True)
class Lesson:
    meta: FrontMatter
    slides: tuple[Slide, ...]
    path: Path

    @property
    def slug(self) -> str:
        return self.meta.slug

    @property
    def title(self) -> str:
        return self.meta.title

    @property
    def track(self) -> str:
        return self.meta.track

    @property
    def url(self) -> str:
        return f"/lessons/{self.slug}"


@dataclass(frozen=True)
class Module:
    name: str
    lessons: tuple[Lesson, ...]


class Course:
    """Lessons by slug and by track, in `order`; which lessons use which config."""

    def __init__(self, lessons: list[Lesson]) -> None:
        problems = _problems(lessons)
        if problems:
            raise CourseError("the lessons are inconsistent:\n  " + "\n  ".join(problems))
        self._by_slug = {lesson.slug: lesson for lesson in lessons}
        self._by_track = {
            track: sorted((lesson for lesson in lessons if lesson.track == track), key=lambda lesson: lesson.meta.order)
            for track in TRACKS
        }

    def __iter__(self) -> Iterator[Lesson]:
        for track in TRACKS:
            yield from self._by_track[track]

    def __len__(self) -> int:
        return len(self._by_slug)

    def get(self, slug: str) -> Lesson | None:
        return self._by_slug.get(slug)

    def track(self, track: str) -> list[Lesson]:
        return list(self._by_track[track])

    def modules(self, track: str) -> list[Module]:
        """The track's lessons grouped by module, modules in the order of their first lesson."""
        groups: dict[str, list[Lesson]] = {}
        for lesson in self._by_track[track]:
            groups.setdefault(lesson.meta.module, []).append(lesson)
        return [Module(name, tuple(ls)) for name, ls in groups.items()]

    def position(self, lesson: Lesson) -> tuple[int, int]:
        """(n, total): lesson n of the total in its track, counting from 1."""
        lessons = self._by_track[lesson.track]
        return lessons.index(lesson) + 1, len(lessons)

    def neighbours(self, lesson: Lesson) -> tuple[Lesson | None, Lesson | None]:
        """The previous and next lesson in the same track."""
        lessons = self._by_track[lesson.track]
        i = lessons.index(lesson)
        return (lessons[i - 1] if i > 0 else None, lessons[i + 1] if i + 1 < len(lessons) else None)

    def related(self, lesson: Lesson) -> list[Lesson]:
        return [self._by_slug[slug] for slug in lesson.meta.related]

    def configs_of(self, lesson: Lesson, registry: Registry) -> list[ConfigDef]:
        """Every registry entry a lesson names; a name in several scopes gives several entries."""
        return [d for name in lesson.meta.configs for d in registry.find(name)]

    def lessons_using(self, config: ConfigDef) -> list[Lesson]:
        """The config -> lessons mapping, derived from the lessons' front matter."""
        return [lesson for lesson in self if config.name in lesson.meta.configs]


def load_lesson(path: Path) -> Lesson:
    meta, body = split_front_matter(path)
    if path.parent.name != meta.track:
        raise FrontMatterError(f"{path}: track is {meta.track!r} but the file is in content/{path.parent.name}/")
    return Lesson(meta=meta, slides=tuple(render_slides(body)), path=path)


def load_course(content_dir: Path) -> Course:
    """Every content/<track>/*.md; a bad file raises FrontMatterError naming it."""
    paths = sorted(p for track in TRACKS for p in (content_dir / track).glob("*.md"))
    return Course([load_lesson(p) for p in paths])


def _problems(lessons: list[Lesson]) -> list[str]:
    problems = []
    first_by_slug: dict[str, Lesson] = {}
    first_by_order: dict[tuple[str, int], Lesson] = {}
    for lesson in lessons:
        if lesson.slug in first_by_slug:
            problems.append(f"slug {lesson.slug!r} is used by {first_by_slug[lesson.slug].path} and {lesson.path}")
        first_by_slug.setdefault(lesson.slug, lesson)
        key = (lesson.track, lesson.meta.order)
        if key in first_by_order:
            problems.append(
                f"order {lesson.meta.order} in track {lesson.track} is used by "
                f"{first_by_order[key].path.name} and {lesson.path.name}"
            )
        first_by_order.setdefault(key, lesson)
    for lesson in lessons:
        for slug in lesson.meta.related:
            if slug not in first_by_slug:
                problems.append(f"{lesson.path.name}: related lesson {slug!r} does not exist")
    return problems
