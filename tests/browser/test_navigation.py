"""What a learner does: find a lesson from the map by keyboard, check an answer, search."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from .conftest import PageLog, Server

pytestmark = pytest.mark.browser


def test_course_map_shows_both_tracks(page: Page, server: Server, page_log: PageLog, artifacts: Path) -> None:
    page.goto(server.url + "/")
    expect(page.locator("h1")).to_have_text("Course map")
    for track in ("kafka", "aws"):
        expect(page.locator(f'[data-track="{track}"] h2')).to_be_visible()
    course = server.app.state.course
    expect(page.locator("[data-lesson-link]")).to_have_count(len(course))
    page.screenshot(path=artifacts / "map.png", full_page=False)
    assert not page_log.console_errors, page_log.console_errors


def test_a_lesson_is_reached_by_keyboard_alone(page: Page, server: Server, demo_lesson) -> None:
    page.goto(server.url + "/")
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()
    target = page.locator(f'[data-lesson-link="{demo_lesson.slug}"]')
    for _ in range(120):
        page.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement"):
            break
    else:
        pytest.fail(f"Tab never reached the link to {demo_lesson.slug}")
    page.keyboard.press("Enter")
    expect(page).to_have_url(server.url + demo_lesson.url)
    expect(page.locator("h1")).to_have_text(demo_lesson.title)


def test_skip_link_moves_focus_to_main(page: Page, server: Server) -> None:
    page.goto(server.url + "/configs")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()


def test_lesson_page_and_self_check_answer(page: Page, server: Server, demo_lesson, page_log: PageLog, artifacts: Path) -> None:
    page.goto(server.url + demo_lesson.url)
    n, total = server.app.state.course.position(demo_lesson)
    expect(page.locator("[data-lesson-position]")).to_have_text(f"Lesson {n} of {total}")
    expect(page.locator("[data-key-settings] tbody tr")).to_have_count(
        len(server.app.state.course.configs_of(demo_lesson, server.app.state.registry))
    )
    page.screenshot(path=artifacts / "lesson.png")
    first = page.locator("[data-question='1']")
    answer = first.locator(".answer")
    expect(answer).to_be_hidden()
    first.locator("summary").focus()
    page.keyboard.press("Enter")
    expect(answer).to_be_visible()
    expect(first.locator("details")).to_have_attribute("open", "")
    first.screenshot(path=artifacts / "self-check.png")
    assert not page_log.console_errors, page_log.console_errors


def test_search_finds_a_lesson_and_a_config(page: Page, server: Server, demo_lesson) -> None:
    page.goto(server.url + "/")
    box = page.locator("[data-search-input]")
    word = max(re.findall(r"[A-Za-z][A-Za-z.]+", demo_lesson.title), key=len)
    box.fill(word.lower())
    hit = page.locator("[data-search-results] a", has_text=demo_lesson.title).first
    expect(hit).to_be_visible()
    # Keyboard: ArrowDown into the list, down to the lesson, Enter opens it.
    box.press("ArrowDown")
    expect(page.locator("[data-search-results] a").first).to_be_focused()
    for _ in range(10):
        if hit.evaluate("el => el === document.activeElement"):
            break
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page).to_have_url(server.url + demo_lesson.url)
    page.wait_for_load_state("load")
    if demo_lesson.meta.configs:
        config = demo_lesson.meta.configs[0]
        page.locator("[data-search-input]").fill(config)
        expect(page.locator("[data-search-hit='config']", has_text=config).first).to_be_visible()


def test_search_page_updates_as_you_type_with_htmx(page: Page, server: Server, demo_lesson) -> None:
    page.goto(server.url + "/search")
    page.locator("#search-page-q").press_sequentially(demo_lesson.title.split()[-1].lower(), delay=20)
    expect(page.locator("[data-search-page-results] a", has_text=demo_lesson.title).first).to_be_visible()


def test_glossary_filter(page: Page, server: Server, artifacts: Path) -> None:
    page.goto(server.url + "/configs")
    page.screenshot(path=artifacts / "glossary.png")
    entries = page.locator("[data-config-entry]")
    total = entries.count()
    page.locator("[data-config-filter]").fill("linger.ms producer")
    expect(page.locator("#producer-linger\\.ms")).to_be_visible()
    shown = page.locator("[data-config-entry]:visible")
    texts = shown.evaluate_all("els => els.map(e => e.dataset.filterText)")
    assert texts and all("linger.ms" in t and "producer" in t for t in texts)
    assert len(texts) < total
    expect(page.locator("[data-config-filter-status]")).to_have_text(f"{len(texts)} of {total} settings")


def test_dark_theme_toggle_is_remembered(page: Page, server: Server, demo_lesson, artifacts: Path) -> None:
    page.goto(server.url + demo_lesson.url)
    toggle = page.locator("[data-theme-toggle]")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    toggle.click()
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    page.reload()
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    expect(toggle).to_have_attribute("aria-pressed", "true")
    page.screenshot(path=artifacts / "lesson-dark.png")
    page.goto(server.url + "/")
    page.screenshot(path=artifacts / "map-dark.png")


def test_unknown_page_is_a_404_page(page: Page, server: Server) -> None:
    response = page.goto(server.url + "/lessons/no-such-lesson")
    assert response is not None and response.status == 404
    expect(page.locator("h1")).to_have_text("Page not found")
