"""Liveness: the app is up and which version it is."""

from __future__ import annotations

from fastapi import APIRouter

from app import __version__
from app.web.deps import CourseDep

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz(course: CourseDep) -> dict[str, str | int]:
    return {"status": "ok", "version": __version__, "lessons": len(course)}
