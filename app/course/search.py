"""The search index: every lesson and every config as a few words and a link.

The browser fetches the index once (static/js/search.js) and matches as you
type; the /search page runs the same match on the server, for use without
JavaScript. A query matches an entry when each of its words occurs in the
entry's text.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from app.configs import Registry
from app.course.lessons import TRACKS, Course


@dataclass(frozen=True)
class Entry:
    kind: str  # "lesson" | "config"
    title: str
    url: str
    label: str  # "Kafka lesson 3", "producer config"
    summary: str
    text: str  # lower-case words to match against

    def as_json(self) -> dict[str, str]:
        return asdict(self)


def build_index(course: Course, registry: Registry) -> list[Entry]:
    entries = []
    for lesson in course:
        n, _ = course.position(lesson)
        words = [lesson.title, lesson.meta.summary, lesson.meta.module, *lesson.meta.configs]
        words += [slide.title for slide in lesson.slides]
        entries.append(
            Entry(
                kind="lesson",
                title=lesson.title,
                url=lesson.url,
                label=f"{TRACKS[lesson.track]} lesson {n}",
                summary=lesson.meta.summary,
                text=" ".join(words).lower(),
            )
        )
    for config in registry:
        entries.append(
            Entry(
                kind="config",
                title=config.name,
                url=f"/configs#{config.anchor}",
                label=f"{config.scope} config",
                summary=config.doc,
                text=" ".join([config.name, config.scope, config.doc]).lower(),
            )
        )
    return entries


def search(index: list[Entry], query: str, limit: int = 50) -> list[Entry]:
    words = query.lower().split()
    if not words:
        return []
    hits = [e for e in index if all(w in e.text for w in words)]
    # A word in the title is a better hit than a word in the summary.
    hits.sort(key=lambda e: (not all(w in e.title.lower() for w in words), e.kind != "lesson"))
    return hits[:limit]
