"""JSON for the browser: the lesson list and the search index."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from app.web.deps import CourseDep, SearchIndexDep

router = APIRouter(prefix="/api", tags=["api"])


class LessonOut(BaseModel):
    slug: str
    title: str
    track: str
    summary: str
    url: str


class SearchEntryOut(BaseModel):
    kind: str
    title: str
    url: str
    label: str
    summary: str
    text: str


@router.get("/lessons")
def lessons(course: CourseDep) -> list[LessonOut]:
    return [
        LessonOut(slug=lesson.slug, title=lesson.title, track=lesson.track, summary=lesson.meta.summary, url=lesson.url)
        for lesson in course
    ]


@router.get("/search-index")
def search_index(index: SearchIndexDep) -> list[SearchEntryOut]:
    """Every lesson and config; static/js/search.js fetches it once and matches as you type."""
    return [SearchEntryOut(**entry.as_json()) for entry in index]
