"""The HTML pages: course map, lessons, config glossary, search results."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse

from app.course.search import search
from app.web.deps import CourseDep, RegistryDep, SearchIndexDep, TemplatesDep

router = APIRouter(tags=["pages"], default_response_class=HTMLResponse)

SYLLABUS_SLUG = "aws-syllabus"


@router.get("/", name="course_map")
def course_map(request: Request, course: CourseDep, templates: TemplatesDep) -> HTMLResponse:
    return templates.TemplateResponse(
        request, "index.html", {"course": course, "syllabus": course.get(SYLLABUS_SLUG), "page": "map"}
    )


@router.get("/lessons/{slug}", name="lesson")
def lesson(slug: str, request: Request, course: CourseDep, registry: RegistryDep, templates: TemplatesDep) -> HTMLResponse:
    found = course.get(slug)
    if found is None:
        raise HTTPException(status_code=404, detail=f"There is no lesson called {slug!r}.")
    n, total = course.position(found)
    previous, following = course.neighbours(found)
    return templates.TemplateResponse(
        request,
        "lesson.html",
        {
            "lesson": found,
            "position": n,
            "total": total,
            "previous": previous,
            "next": following,
            "related": course.related(found),
            "configs": course.configs_of(found, registry),
            "page": "lesson",
        },
    )


@router.get("/configs", name="glossary")
def glossary(request: Request, course: CourseDep, registry: RegistryDep, templates: TemplatesDep) -> HTMLResponse:
    entries = [(config, course.lessons_using(config)) for config in registry]
    return templates.TemplateResponse(request, "configs.html", {"entries": entries, "page": "glossary"})


@router.get("/search", name="search")
def search_page(
    request: Request,
    index: SearchIndexDep,
    templates: TemplatesDep,
    q: Annotated[str, Query(max_length=200, description="words to find in lessons and configs")] = "",
) -> HTMLResponse:
    hits = search(index, q)
    context = {"q": q, "hits": hits, "page": "search"}
    # htmx asks for the results alone as you type; a plain GET gets the whole page.
    if request.headers.get("hx-request") == "true":
        return templates.TemplateResponse(request, "_search_results.html", context)
    return templates.TemplateResponse(request, "search.html", context)
