"""The application factory: settings in, a FastAPI app with every router out."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from app import __version__
from app.configs import registry
from app.course.lessons import load_course
from app.course.search import build_index
from app.settings import Settings
from app.live import LABS
from app.live.registry import SessionRegistry
from app.web import api, errors, health, live, pages
from app.web.cpu_pool import CpuPool
from app.web.hosts import TrustedHostMiddleware, allowed_hosts
from app.web.security import SecurityHeadersMiddleware
from app.web.templating import make_templates


def create_app(settings: Settings | None = None) -> FastAPI:
    """Load and check the lessons once, then wire the routers.

    A broken lesson fails here, at start-up, with the file name, rather than on
    the first request for it.
    """
    settings = settings or Settings()
    # The interactive API docs load their scripts from a CDN; the course must work offline.
    app = FastAPI(title="Brokerlab", version=__version__, docs_url=None, redoc_url=None, openapi_url="/api/openapi.json",
                  lifespan=_lifespan)
    course = load_course(settings.content_dir)
    for lesson in course:
        if lesson.meta.lab is not None and lesson.meta.lab not in LABS:
            raise ValueError(f"lesson {lesson.slug}: lab {lesson.meta.lab!r} does not exist; labs: {', '.join(LABS)}")
    app.state.settings = settings
    app.state.course = course
    app.state.registry = registry()
    app.state.search_index = build_index(course, app.state.registry)
    app.state.templates = make_templates(settings.templates_dir)
    app.state.lab_sessions = SessionRegistry(settings.max_sessions())
    app.state.cpu_pool = CpuPool()
    app.state.templates.env.globals["labs"] = LABS
    app.state.allowed_hosts = allowed_hosts(settings)

    # Added first, so it runs inside SecurityHeadersMiddleware: a refused Host still gets the security headers.
    app.add_middleware(TrustedHostMiddleware, allowed=app.state.allowed_hosts)
    app.add_middleware(SecurityHeadersMiddleware)
    app.mount("/static", StaticFiles(directory=settings.static_dir), name="static")
    app.include_router(pages.router)
    app.include_router(api.router)
    app.include_router(health.router)
    app.include_router(live.router)
    errors.install(app)
    return app


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """A served app starts a process for heavy requests at once (the first what-if curve is as quick as the next)
    and stops its processes when it stops."""
    app.state.cpu_pool.warm()
    try:
        yield
    finally:
        app.state.cpu_pool.shutdown()
