"""Annotated dependencies the routers share: the course, the registry, the templates."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates

from app.configs import Registry
from app.course.lessons import Course
from app.course.search import Entry


def _course(request: Request) -> Course:
    return request.app.state.course


def _registry(request: Request) -> Registry:
    return request.app.state.registry


def _templates(request: Request) -> Jinja2Templates:
    return request.app.state.templates


def _search_index(request: Request) -> list[Entry]:
    return request.app.state.search_index


CourseDep = Annotated[Course, Depends(_course)]
RegistryDep = Annotated[Registry, Depends(_registry)]
TemplatesDep = Annotated[Jinja2Templates, Depends(_templates)]
SearchIndexDep = Annotated[list[Entry], Depends(_search_index)]
