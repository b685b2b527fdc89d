"""The batching lab as a learner sees it: batches fill, leave for a reason, and linger.ms grows them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from .conftest import PageLog, Server
from .labs import assert_no_serious_axe_violation, open_lab, open_lab_slide, wait_for_virtual_time

pytestmark = pytest.mark.browser

LESSON = "kafka-batching"


def shown_batch_size(root) -> float:
    return float(root.locator('[data-pl-metric="batch_size_avg"]').get_attribute("data-value") or 0)


def test_raising_linger_ms_raises_the_average_batch_size_shown(page: Page, server: Server, page_log: PageLog,
                                                              artifacts: Path) -> None:
    root = open_lab(page, server.url, LESSON, "batching", **{"linger.ms": "0"})
    # linger.ms=0 sends a request per record or two: the heaviest run, so allow a loaded machine time.
    wait_for_virtual_time(root, 1200, timeout=40000)
    small = shown_batch_size(root)
    assert small > 0
    expect(root.locator("[data-batching-departed] li").first).to_contain_text("linger.ms ran out")
    page.screenshot(path=artifacts / "lab-batching.png", full_page=False)
    root.screenshot(path=artifacts / "lab-batching-panel.png")
    root = open_lab(page, server.url, LESSON, "batching", **{"linger.ms": "50"})
    expect(root.locator('[data-lab-setting="linger.ms"] [role="slider"]')).to_have_attribute("aria-valuetext", "linger.ms=50")
    wait_for_virtual_time(root, 1200, timeout=40000)
    big = shown_batch_size(root)
    assert big > 4 * small, (small, big)
    expect(root.locator("[data-pl-config]")).to_contain_text("linger.ms=50")
    assert not page_log.console_errors, page_log.console_errors


def test_a_small_batch_size_sends_full_batches(page: Page, server: Server) -> None:
    root = open_lab(page, server.url, LESSON, "batching", **{"linger.ms": "100", "batch.size": "1024"})
    wait_for_virtual_time(root, 1500)
    expect(root.locator('[data-batching-departed] li[data-reason="full"]').first).to_contain_text("full: batch.size reached")
    assert shown_batch_size(root) <= 1024 + 200


def test_linger_slider_by_keyboard_makes_a_new_producer(page: Page, server: Server) -> None:
    root = open_lab(page, server.url, LESSON, "batching")
    slider = root.locator('[data-lab-setting="linger.ms"] [role="slider"]')
    expect(slider).to_have_attribute("aria-valuetext", "linger.ms=5")
    slider.focus()
    page.keyboard.press("ArrowRight")
    expect(slider).to_have_attribute("aria-valuetext", "linger.ms=6")
    expect(root.locator("[data-lab-notice]")).to_contain_text("New producer created: linger.ms=6")
    expect(root.locator("[data-pl-config]")).to_contain_text("linger.ms=6")


def test_what_if_curve_marks_the_current_linger(page: Page, server: Server, artifacts: Path) -> None:
    root = open_lab(page, server.url, LESSON, "batching")
    wait_for_virtual_time(root, 500)
    root.locator("[data-whatif-setting]").select_option("linger.ms")
    root.get_by_role("button", name="Run the what-if curve").click()
    box = root.locator("[data-whatif]")
    expect(box).to_have_attribute("data-whatif-points", re.compile(r"\d+"), timeout=30000)
    # Eleven points unless the server's time budget cut the sweep short (then the status says so).
    assert int(box.get_attribute("data-whatif-points") or 0) >= 5
    expect(box.locator("tr[data-current]")).to_contain_text("linger.ms=5 (now)")
    expect(box.locator(".chart-mark").first).to_be_attached()
    box.screenshot(path=artifacts / "lab-batching-whatif.png")


def test_axe_finds_no_serious_violation_with_the_lab_running(page: Page, server: Server) -> None:
    root = open_lab(page, server.url, LESSON, "batching")
    wait_for_virtual_time(root, 800)
    for summary in root.locator("details summary").all():
        summary.click()
    assert_no_serious_axe_violation(page)


def test_projector_mode(page: Page, server: Server, artifacts: Path) -> None:
    root = open_lab_slide(page, server.url, LESSON, "batching")
    wait_for_virtual_time(root, 1500)
    page.locator("main").focus()
    expect(root).to_be_visible()
    page.screenshot(path=artifacts / "lab-batching-projector.png", full_page=False)


def test_flush_button_sends_batches_labelled_flush(page: Page, server: Server) -> None:
    root = open_lab(page, server.url, LESSON, "batching", **{"linger.ms": "100"})
    wait_for_virtual_time(root, 1000)
    root.get_by_role("button", name="Call producer.flush()").click()
    expect(root.locator('[data-batching-departed] li[data-reason="flush"]').first).to_contain_text("flush()")
    expect(root.locator("[data-lab-narration]")).to_contain_text("flush():", timeout=5000)


def test_at_its_starting_speed_no_figure_says_measuring_and_empty_charts_draw_no_ticks(page: Page, server: Server) -> None:
    """At 1/50 of real time the first half second of the run takes 25 s: meanwhile the figures say what the run did so far."""
    page.goto(f"{server.url}/lessons/{LESSON}")
    root = page.locator('[data-lab="batching"]')
    expect(root).to_have_attribute("data-lab-ready", "")
    ready = page.evaluate("performance.now()")
    page.wait_for_function("el => el.querySelectorAll('[data-pl-metric][data-measured]').length > 0", arg=root.element_handle())
    page.wait_for_function("el => [...el.querySelectorAll('[data-pl-metric]')].every(d => d.textContent.includes('so far'))",
                           arg=root.element_handle(), timeout=4000)
    assert page.evaluate("performance.now()") - ready < 2000 + 500  # within 2 s of the lab's start (and the page's own latency)
    assert not any("measuring" in t for t in root.locator("[data-pl-metric]").all_inner_texts())
    # No finished half second yet: the charts say so, with no ticks for a scale nothing set.
    charts = root.locator("[data-chart]")
    assert charts.count() and all(c.get_attribute("data-empty") is not None for c in charts.all())
    assert root.locator("[data-chart] .chart-tick").count() == 0
    expect(charts.first).to_contain_text("no data yet")
