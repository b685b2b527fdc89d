"""The throughput lab as a learner sees it: the recipe and the defaults on the same records, side by side."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from .conftest import PageLog, Server
from .labs import assert_no_serious_axe_violation, open_lab, open_lab_slide, wait_for_virtual_time

pytestmark = pytest.mark.browser

LESSON = "kafka-high-throughput-producer"


def metric(root, run: str, name: str) -> float:
    return float(root.locator(f'[data-run="{run}"] [data-run-metric="{name}"]').get_attribute("data-value") or "nan")


def test_the_recipe_sends_fewer_bytes_and_keeps_up(page: Page, server: Server, page_log: PageLog, artifacts: Path) -> None:
    root = open_lab(page, server.url, LESSON, "throughput")
    expect(root.locator('[data-run="defaults"] [data-run-config]')).to_contain_text("Kafka 4.0: compression.type=none · batch.size=16384 · linger.ms=5")
    expect(root.locator('[data-run="recipe"] [data-run-config]')).to_contain_text("compression.type=snappy · batch.size=32768 · linger.ms=20")
    wait_for_virtual_time(root, 3000, timeout=30000)
    expect(root.locator("[data-throughput-verdict]")).to_contain_text("The recipe keeps up")
    assert metric(root, "recipe", "wire") < metric(root, "defaults", "wire") / 2
    assert metric(root, "recipe", "request-count") < metric(root, "defaults", "request-count")
    assert metric(root, "recipe", "throughput") > metric(root, "defaults", "throughput")
    page.screenshot(path=artifacts / "lab-throughput.png", full_page=False)
    root.screenshot(path=artifacts / "lab-throughput-panel.png")
    assert not page_log.console_errors, page_log.console_errors


def test_kafka_version_by_keyboard_changes_the_defaults(page: Page, server: Server) -> None:
    root = open_lab(page, server.url, LESSON, "throughput")
    slider = root.locator('[data-lab-setting="kafka_version"] [role="slider"]')
    slider.focus()
    page.keyboard.press("Home")
    expect(slider).to_have_attribute("aria-valuetext", "kafka_version=2.8")
    # Both runs start again: on a busy machine that takes a moment.
    expect(root.locator("[data-lab-notice]")).to_contain_text("Kafka 2.8's producer defaults", timeout=30000)
    expect(root.locator('[data-run="defaults"] [data-run-config]')).to_contain_text(
        "Kafka 2.8: compression.type=none · batch.size=16384 · linger.ms=0", timeout=30000)


def test_axe_finds_no_serious_violation_with_the_lab_running(page: Page, server: Server) -> None:
    root = open_lab(page, server.url, LESSON, "throughput")
    wait_for_virtual_time(root, 800)
    root.locator("details.lab-table-box:not(.whatif-table-box) summary").click()
    assert_no_serious_axe_violation(page)


def test_projector_mode(page: Page, server: Server, artifacts: Path) -> None:
    root = open_lab_slide(page, server.url, LESSON, "throughput")
    wait_for_virtual_time(root, 2500, timeout=30000)
    page.locator("main").focus()
    expect(root).to_be_visible()
    page.screenshot(path=artifacts / "lab-throughput-projector.png", full_page=False)
