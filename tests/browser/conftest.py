"""A real server on a free port and one headless Chromium for the whole session.

Chromium comes from BROKERLAB_CHROMIUM (`make test` sets it with
tests/browser/find-chromium.sh). Every page fixture records the requests the
page makes and the console errors it logs (a Content-Security-Policy violation
is one), and fails the test if any request leaves the test server.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

from app.main import create_app
from app.settings import Settings

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@dataclass
class Server:
    url: str
    app: FastAPI


@dataclass
class PageLog:
    requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


#: Every test server's address: a page may talk to these and nothing else.
_SERVED: set[str] = set()


class _Running:
    """A uvicorn serving ``app`` on a free port in a thread of this process, until ``stop``."""

    def __init__(self, app: FastAPI) -> None:
        port = _free_port()
        self.uv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", ws="websockets-sansio",
                                                lifespan="off"))
        self.thread = threading.Thread(target=self.uv.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.uv.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                pytest.fail(f"the test server did not start on port {port}")
            time.sleep(0.02)
        self.server = Server(url=f"http://127.0.0.1:{port}", app=app)
        _SERVED.add(self.server.url)

    def stop(self) -> None:
        self.uv.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="session")
def server() -> Iterator[Server]:
    # Settings() reads BROKERLAB_CONTENT_DIR, so the suite can be pointed at other lessons.
    running = _Running(create_app(Settings()))
    yield running.server
    running.stop()


@pytest.fixture
def server_with() -> Iterator[Callable[..., _Running]]:
    """Another server for this test, with settings of its own (``server_with(lab_max_sessions=1)``); ``.stop()`` ends it."""
    started: list[_Running] = []

    def start(**settings: object) -> _Running:
        started.append(_Running(create_app(Settings(**settings))))
        return started[-1]

    yield start
    for running in started:
        running.stop()


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    chromium = os.environ.get("BROKERLAB_CHROMIUM", "").strip()
    if not chromium:
        pytest.fail(
            "BROKERLAB_CHROMIUM is empty: the browser tests need a Chromium. Run them with `make test`, which "
            "finds one with tests/browser/find-chromium.sh (as root it installs Debian's `chromium`), or install "
            "one yourself (`apt-get install chromium` or `.venv/bin/playwright install chromium`) and set "
            "BROKERLAB_CHROMIUM to its path."
        )
    browser = playwright.chromium.launch(executable_path=chromium, headless=True, args=LAUNCH_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    """A fresh context per test: its own localStorage, a 1280x720 window, reduced motion."""
    context = browser.new_context(viewport={"width": 1280, "height": 720}, reduced_motion="reduce")
    context.set_default_timeout(5000)
    yield context
    context.close()


@pytest.fixture
def page_log() -> PageLog:
    return PageLog()


@pytest.fixture
def page(context: BrowserContext, server: Server, page_log: PageLog) -> Iterator[Page]:
    page = context.new_page()
    page.on("request", lambda request: page_log.requests.append(request.url))
    page.on("console", lambda msg: page_log.console_errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda error: page_log.console_errors.append(str(error)))
    yield page
    outside = [url for url in page_log.requests if not url.startswith("data:")
               and not any(url.startswith(served + "/") for served in _SERVED)]
    assert not outside, f"requests left the test server: {outside}"


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def demo_lesson(server: Server):
    """A lesson that shows everything: key settings, several slides, a self-check."""
    course = server.app.state.course
    lessons = list(course)
    rich = [l for l in lessons if l.meta.configs and len(l.slides) >= 3]
    several = [l for l in lessons if len(l.slides) >= 2]
    if not (rich or several):
        pytest.fail("the browser tests need a lesson with at least two `##` sections")
    return (rich or several)[0]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A browser test that fails runs once more before it counts as failed. These tests drive a real Chromium
    against a live server on a machine shared with the rest of the suite, and a few depend on wall-clock timing
    (what was on screen when Pause landed); a second failure is a failure. The flakes seen are listed in the
    issue notes, to be fixed at their cause."""
    for item in items:
        if "tests/browser/" in item.nodeid.replace("\\", "/"):
            item.add_marker(pytest.mark.flaky(reruns=1))
