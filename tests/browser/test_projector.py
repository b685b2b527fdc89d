"""Projector mode: big type, one slide at a time, keys to move, blank and leave."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from .conftest import PageLog, Server

pytestmark = pytest.mark.browser


def _font_px(page: Page) -> float:
    return float(page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)"))


def _visible_slide(page: Page) -> list[str]:
    return page.eval_on_selector_all("[data-slide]", "els => els.filter(e => e.checkVisibility()).map(e => e.dataset.slide)")


def test_p_turns_projector_mode_on_and_keys_move_blank_and_leave(
    page: Page, server: Server, demo_lesson, page_log: PageLog, artifacts: Path
) -> None:
    page.goto(server.url + demo_lesson.url)
    html = page.locator("html")
    # A live lab is a slide of its own, and the self-check is the last one.
    slides = len(demo_lesson.slides) + (1 if demo_lesson.meta.lab else 0) + 1
    assert len(_visible_slide(page)) == slides  # reading mode shows every section
    page.keyboard.press("p")
    expect(html).to_have_attribute("data-mode", "projector")
    assert _font_px(page) >= 28
    assert _visible_slide(page) == ["1"]
    expect(page.locator("[data-slide-indicator]")).to_have_text(f"Slide 1 / {slides}")
    expect(page.locator("[data-chrome]").first).to_be_hidden()
    page.keyboard.press("ArrowRight")
    assert _visible_slide(page) == ["2"]
    expect(page.locator("[data-slide-indicator]")).to_have_text(f"Slide 2 / {slides}")
    page.screenshot(path=artifacts / "projector.png")
    page.keyboard.press("ArrowLeft")
    assert _visible_slide(page) == ["1"]
    page.keyboard.press("PageDown")
    assert _visible_slide(page) == ["2"]
    page.keyboard.press("PageUp")
    assert _visible_slide(page) == ["1"]
    page.keyboard.press("ArrowLeft")  # already at the first slide: stays there
    assert _visible_slide(page) == ["1"]

    page.keyboard.press("b")
    expect(page.locator("[data-blank-screen]")).to_be_visible()
    page.keyboard.press("b")
    expect(page.locator("[data-blank-screen]")).to_be_hidden()

    page.keyboard.press("Escape")
    expect(html).not_to_have_attribute("data-mode", "projector")
    assert len(_visible_slide(page)) == slides
    assert _font_px(page) < 28
    assert not page_log.console_errors, page_log.console_errors


def test_query_parameter_opens_projector_mode_and_reads_well_at_1920(
    page: Page, server: Server, demo_lesson, artifacts: Path
) -> None:
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(server.url + demo_lesson.url + "?projector=1")
    expect(page.locator("html")).to_have_attribute("data-mode", "projector")
    assert _font_px(page) >= 28
    assert _visible_slide(page) == ["1"]
    page.keyboard.press("ArrowRight")
    page.screenshot(path=artifacts / "projector-1920.png")
    page.keyboard.press("Escape")
    assert "projector" not in page.url


def test_the_button_enters_projector_mode_and_buttons_move(page: Page, server: Server, demo_lesson) -> None:
    page.goto(server.url + demo_lesson.url)
    page.locator("[data-projector-toggle]").click()
    expect(page.locator("html")).to_have_attribute("data-mode", "projector")
    page.locator("[data-slide-next]").click()
    assert _visible_slide(page) == ["2"]
    page.locator("[data-projector-exit]").click()
    expect(page.locator("html")).not_to_have_attribute("data-mode", "projector")


def test_shortcuts_can_be_switched_off_and_stay_off(page: Page, server: Server, demo_lesson) -> None:
    page.goto(server.url + demo_lesson.url)
    setting = page.locator("[data-shortcuts-setting]")
    setting.uncheck()
    page.locator("h1").click()
    page.keyboard.press("p")
    expect(page.locator("html")).not_to_have_attribute("data-mode", "projector")
    page.reload()
    expect(setting).not_to_be_checked()
    page.keyboard.press("p")
    expect(page.locator("html")).not_to_have_attribute("data-mode", "projector")
    # The visible button still works, and so do the arrows and Escape.
    page.locator("[data-projector-toggle]").click()
    expect(page.locator("html")).to_have_attribute("data-mode", "projector")
    page.keyboard.press("b")
    expect(page.locator("[data-blank-screen]")).to_be_hidden()
    page.keyboard.press("ArrowRight")
    assert _visible_slide(page) == ["2"]
    page.keyboard.press("Escape")
    expect(page.locator("html")).not_to_have_attribute("data-mode", "projector")


def test_typing_p_in_the_search_box_is_not_a_shortcut(page: Page, server: Server, demo_lesson) -> None:
    page.goto(server.url + demo_lesson.url)
    page.locator("[data-search-input]").press_sequentially("producer")
    expect(page.locator("html")).not_to_have_attribute("data-mode", "projector")


def test_the_self_check_is_the_last_slide(page: Page, server: Server, demo_lesson) -> None:
    page.goto(server.url + demo_lesson.url + "?projector=1")
    next_slide = page.locator("[data-slide-next]")
    for _ in range(60):
        if next_slide.is_disabled():
            break
        page.keyboard.press("ArrowRight")
    check = page.locator("[data-self-check]")
    expect(check).to_be_visible()
    assert _visible_slide(page) == [check.get_attribute("data-slide")]
    check.locator("summary").first.click()
    expect(check.locator("[data-answer]").first).to_have_attribute("open", "")
