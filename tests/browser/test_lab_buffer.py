"""The buffer lab as a learner sees it: a slow broker fills the buffer, send() blocks, BufferExhaustedException."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from .conftest import PageLog, Server
from .labs import assert_no_serious_axe_violation, open_lab, open_lab_slide, wait_for_virtual_time

pytestmark = pytest.mark.browser

LESSON = "kafka-buffer-memory"


def test_a_slow_broker_fills_the_buffer_and_send_fails_after_max_block_ms(page: Page, server: Server, page_log: PageLog,
                                                                          artifacts: Path) -> None:
    root = open_lab(page, server.url, LESSON, "buffer")
    pool = root.locator("[data-buffer-pool]")
    wait_for_virtual_time(root, 1000)
    expect(pool).to_have_attribute("data-full", "false")
    expect(root.locator("[data-send-state]")).to_contain_text("send() returns at once")
    root.get_by_role("button", name="Slow down broker 0", exact=True).click()
    expect(root.locator('[data-broker="0"]')).to_have_attribute("data-state", "slow")
    expect(pool).to_have_attribute("data-full", "true", timeout=15000)
    expect(pool).to_have_attribute("data-available", "0")
    expect(root.locator("[data-gauge-text]")).to_contain_text("FULL")
    expect(root.locator("[data-buffer-send]")).to_have_attribute("data-blocked", "true", timeout=10000)
    expect(root.locator("[data-send-state]")).to_contain_text("send() is blocked")
    exception = root.locator("[data-exception]")
    expect(exception).to_contain_text("BufferExhaustedException", timeout=15000)
    expect(exception).to_contain_text("Failed to allocate 16384 bytes within the configured max blocking time 2000 ms. "
                                      "Total memory: 1048576 bytes.")
    expect(root.locator("[data-buffer-errors]")).not_to_have_attribute("data-exhausted", "0")
    expect(root.locator('[data-ledger="failed"]')).to_contain_text("BufferExhaustedException")
    expect(root.locator("[data-lab-narration]")).to_contain_text("BufferExhaustedException")
    assert "slow_broker" in page.url
    root.locator("[data-lab-settings]").evaluate("el => el.scrollIntoView({block: 'start'})")
    page.screenshot(path=artifacts / "lab-buffer.png", full_page=False)
    root.screenshot(path=artifacts / "lab-buffer-panel.png")
    assert not page_log.console_errors, page_log.console_errors


def test_max_block_ms_slider_by_keyboard_makes_a_new_producer(page: Page, server: Server) -> None:
    root = open_lab(page, server.url, LESSON, "buffer")
    slider = root.locator('[data-lab-setting="max.block.ms"] [role="slider"]')
    expect(slider).to_have_attribute("aria-valuetext", "max.block.ms=2000")
    slider.focus()
    page.keyboard.press("ArrowRight")
    expect(slider).to_have_attribute("aria-valuetext", "max.block.ms=5000")
    expect(root.locator("[data-lab-notice]")).to_contain_text("New producer created: max.block.ms=5000")
    memory = root.locator('[data-lab-setting="buffer.memory"] [role="slider"]')
    memory.focus()
    page.keyboard.press("Home")
    expect(memory).to_have_attribute("aria-valuetext", "buffer.memory=262144")
    expect(root.locator("[data-gauge-text]")).to_contain_text("of buffer.memory 262,144 bytes")


def test_axe_finds_no_serious_violation_with_the_lab_running(page: Page, server: Server) -> None:
    root = open_lab(page, server.url, LESSON, "buffer")
    wait_for_virtual_time(root, 500)
    root.locator("details.lab-table-box:not(.whatif-table-box) summary").click()
    assert_no_serious_axe_violation(page)


def test_projector_mode_shows_the_buffer_lab_on_its_own_slide(page: Page, server: Server, artifacts: Path) -> None:
    root = open_lab_slide(page, server.url, LESSON, "buffer", log=[[1000, "fault", "slow_broker", 0]])
    wait_for_virtual_time(root, 5500)
    page.locator("main").focus()
    # Projected, the picture's producer carries the BufferPool gauge; the side keeps send() and what it returned.
    expect(root.locator("[data-flow] [data-buffer-used]")).to_be_in_viewport()
    expect(root.locator('[data-flow] [data-client-kind="producer"]')).to_have_attribute("data-blocked", "true", timeout=10000)
    expect(root.locator("[data-buffer-errors]")).to_be_in_viewport()
    expect(root.locator("[data-lab-timeline]")).to_be_in_viewport()
    page.screenshot(path=artifacts / "lab-buffer-projector.png", full_page=False)
