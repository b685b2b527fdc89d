"""The compression lab as a learner sees it: zstd shrinks JSON, random bytes do not shrink, every codec compared."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from .conftest import PageLog, Server
from .labs import assert_no_serious_axe_violation, open_lab, open_lab_slide, wait_for_virtual_time

pytestmark = pytest.mark.browser

LESSON = "kafka-compression"


def shown_ratio(root) -> float:
    return float(root.locator('[data-pl-metric="ratio"]').get_attribute("data-value") or "nan")


def test_zstd_on_json_shows_a_ratio_below_1_and_random_bytes_about_1(page: Page, server: Server, page_log: PageLog,
                                                                     artifacts: Path) -> None:
    root = open_lab(page, server.url, LESSON, "compression")
    slider = root.locator('[data-lab-setting="compression.type"] [role="slider"]')
    expect(slider).to_have_attribute("aria-valuetext", "compression.type=none")
    slider.focus()
    page.keyboard.press("End")
    expect(slider).to_have_attribute("aria-valuetext", "compression.type=zstd")
    expect(root.locator("[data-pl-config]")).to_contain_text("compression.type=zstd")
    expect(root.locator('[data-lab-setting="compression.zstd.level"]')).to_be_visible()
    expect(root.locator('[data-lab-setting="compression.gzip.level"]')).to_be_hidden()
    page.wait_for_function("el => Number(el.dataset.value) > 0 && Number(el.dataset.value) < 0.7",
                           arg=root.locator('[data-pl-metric="ratio"]').element_handle(), timeout=20000)
    assert 0 < shown_ratio(root) < 1
    expect(root.locator('[data-compare-table] tr[data-codec="zstd"]')).to_be_attached(timeout=15000)
    assert float(root.locator('[data-compare-table] tr[data-codec="zstd"]').get_attribute("data-ratio")) < 1
    page.screenshot(path=artifacts / "lab-compression.png", full_page=False)
    root.screenshot(path=artifacts / "lab-compression-panel.png")
    payload = root.locator('[data-lab-setting="payload"] [role="slider"]')
    payload.focus()
    page.keyboard.press("End")
    expect(payload).to_have_attribute("aria-valuetext", "payload=random")
    expect(root.locator("[data-lab-notice]")).to_contain_text("random values")
    page.wait_for_function("el => Math.abs(Number(el.dataset.value) - 1) < 0.05 && el.textContent !== '1.000'",
                           arg=root.locator('[data-pl-metric="ratio"]').element_handle(), timeout=20000)
    assert 0.95 < shown_ratio(root) < 1.05
    assert not page_log.console_errors, page_log.console_errors


def test_pasted_text_is_checked_and_compared(page: Page, server: Server) -> None:
    root = open_lab(page, server.url, LESSON, "compression")
    root.locator("[data-compare-payload]").select_option("text")
    root.get_by_role("button", name="Compare all codecs").click()
    expect(root.locator("[data-compare-error]")).to_contain_text("Paste some text first")
    root.get_by_label("Your text").fill("the quick brown fox jumps over the lazy dog " * 20)
    root.get_by_role("button", name="Compare all codecs").click()
    expect(root.locator("[data-compare-caption]")).to_contain_text("text records")
    assert float(root.locator('[data-compare-table] tr[data-codec="gzip"]').get_attribute("data-ratio")) < 0.5
    expect(root.locator("[data-compare-error]")).to_be_empty()


def test_pasted_text_drives_the_live_run_and_its_link(page: Page, server: Server, page_log: PageLog) -> None:
    root = open_lab(page, server.url, LESSON, "compression", **{"compression.type": "zstd"})
    root.locator("[data-compare-payload]").select_option("text")
    root.get_by_label("Your text").fill("x" * 5000)
    root.get_by_role("button", name="Use this text for the live run").click()
    expect(root.locator("[data-text-error]")).to_contain_text("at most 4096 bytes in UTF-8; got 5000")
    root.get_by_label("Your text").fill("kafka kafka kafka " * 20)
    root.get_by_role("button", name="Use this text for the live run").click()
    expect(root.locator("[data-pl-config]")).to_contain_text("payload: text values")
    page.wait_for_function("el => Number(el.dataset.value) > 0 && Number(el.dataset.value) < 0.3",
                           arg=root.locator('[data-pl-metric="ratio"]').element_handle(), timeout=20000)
    assert 0 < shown_ratio(root) < 0.3
    page.wait_for_function("() => new URL(location.href).searchParams.get('payload') === 'text'", timeout=10000)
    assert "kafka kafka" in page.evaluate("new URL(location.href).searchParams.get('text')")
    page.goto(page.url)  # the link replays the same run, text and all
    root = page.locator('[data-lab="compression"]')
    root.scroll_into_view_if_needed()  # a lab opens its session on screen
    expect(root.locator("[data-pl-config]")).to_contain_text("payload: text values", timeout=15000)
    expect(root.get_by_label("Your text")).to_have_value("kafka kafka kafka " * 20, timeout=15000)
    assert not page_log.console_errors, page_log.console_errors


def test_axe_finds_no_serious_violation_with_the_lab_running(page: Page, server: Server) -> None:
    root = open_lab(page, server.url, LESSON, "compression", **{"compression.type": "gzip"})
    wait_for_virtual_time(root, 800)
    for summary in root.locator("details summary").all():
        summary.click()
    assert_no_serious_axe_violation(page)


def test_projector_mode(page: Page, server: Server, artifacts: Path) -> None:
    root = open_lab_slide(page, server.url, LESSON, "compression", **{"compression.type": "zstd"})
    wait_for_virtual_time(root, 1500)
    page.locator("main").focus()
    expect(root).to_be_visible()
    page.screenshot(path=artifacts / "lab-compression-projector.png", full_page=False)
