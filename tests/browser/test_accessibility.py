"""axe on every page, in both themes, and in projector mode; nothing fetched from elsewhere."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page

from .conftest import PageLog, Server

pytestmark = pytest.mark.browser

_axe = Axe()


def _serious(page: Page) -> list[str]:
    violations = _axe.run(page).response["violations"]
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:5]}"
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]


def _pages(server: Server) -> list[str]:
    return ["/", "/configs", "/search?q=producer", "/lessons/no-such-lesson"] + [l.url for l in server.app.state.course]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_serious_axe_violations_on_any_page(browser: Browser, server: Server, scheme: str) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 720}, color_scheme=scheme, reduced_motion="reduce")
    page = context.new_page()
    found = {}
    try:
        for path in _pages(server):
            page.goto(server.url + path)
            problems = _serious(page)
            if problems:
                found[path] = problems
    finally:
        context.close()
    assert not found, "axe found serious or critical violations:\n" + "\n".join(
        f"{path}:\n  " + "\n  ".join(problems) for path, problems in found.items()
    )


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_serious_axe_violations_in_projector_mode(page: Page, server: Server, demo_lesson, scheme: str) -> None:
    page.emulate_media(color_scheme=scheme)
    page.goto(server.url + demo_lesson.url + "?projector=1")
    assert page.evaluate("document.documentElement.dataset.mode") == "projector"
    problems = _serious(page)
    assert not problems, "\n".join(problems)


def test_no_request_leaves_the_server(page: Page, server: Server, page_log: PageLog) -> None:
    for path in _pages(server):
        page.goto(server.url + path)  # waits for the load event: every script, style and image
    with page.expect_response(lambda r: r.url.endswith("/api/search-index")):
        page.locator("[data-search-input]").fill("kafka")
    assert any(url.endswith("/api/search-index") for url in page_log.requests)
    outside = [url for url in page_log.requests if not url.startswith(server.url + "/")]
    assert not outside, f"requests left the test server: {outside}"
