"""Helpers every lab's browser test shares: open a lab fast, wait for it, read what it shows."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Locator, Page, expect


def lesson_url(base_url: str, lesson: str, **state: object) -> str:
    """A lesson's address with ``state`` in its query (settings, seed, log as JSON, t, speed, projector)."""
    query = {k: (json.dumps(v) if k == "log" else v) for k, v in state.items()}
    return f"{base_url}/lessons/{lesson}" + (f"?{urlencode(query)}" if query else "")


def open_lab(page: Page, base_url: str, lesson: str, lab: str, speed: float | None = 1.0, **state: object) -> Locator:
    """Open a lesson's lab with ``state`` in the URL (settings, seed, log), scroll to it (a lab opens its session when
    it comes on screen), wait for its session and set a fast speed."""
    page.goto(lesson_url(base_url, lesson, **state))
    root = page.locator(f'[data-lab="{lab}"]')
    if state.get("projector") is None:
        root.scroll_into_view_if_needed()
        expect(root).to_have_attribute("data-lab-ready", "")
    if speed is not None:
        set_speed(page, root, speed)
    return root


def set_speed(page: Page, root: Locator, speed: float) -> None:
    """Speed by keyboard, as a person would: focus the slider, then End (real time) or arrows."""
    slider = root.locator("[data-lab-speed]")
    slider.focus()
    if speed >= 1:
        page.keyboard.press("End")
    expect(slider).to_have_attribute("aria-valuetext", "real time" if speed >= 1 else slider.get_attribute("aria-valuetext") or "")


def wait_for_virtual_time(root: Locator, ms: float, timeout: float = 15000) -> None:
    root.page.wait_for_function(
        "([el, ms]) => Number(el.dataset.labNow || 0) >= ms", arg=[root.element_handle(), ms], timeout=timeout
    )


def assert_no_serious_axe_violation(page: Page) -> None:
    """axe on the page as it is now: no serious or critical violation, the first targets named if any."""
    results = Axe().run(page)
    serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert not serious, [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in serious]


def open_lab_slide(page: Page, base_url: str, lesson: str, lab: str, **state: object) -> Locator:
    """Open a lesson in projector mode at 1920x1080, page to the lab's slide by keyboard, run at real time."""
    page.set_viewport_size({"width": 1920, "height": 1080})
    root = open_lab(page, base_url, lesson, lab, speed=None, projector="1", **state)
    for _ in range(30):
        if root.is_visible():
            break
        page.keyboard.press("ArrowRight")
    expect(root).to_have_attribute("data-lab-ready", "")  # on screen once its slide is shown, so it opens then
    set_speed(page, root, 1.0)
    return root
