"""The retries lab as a learner sees it: in-flight 5 plus transient errors reorder keys; in-flight 1 does not."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from .conftest import PageLog, Server
from .labs import assert_no_serious_axe_violation, open_lab, open_lab_slide, wait_for_virtual_time

pytestmark = pytest.mark.browser

LESSON = "kafka-retries"
#: The preset's leader of partition 0 is broker 0 (seed 3); the link injects errors at fixed virtual times.
LOG = [[1000, "fault", "error_not_enough_replicas", 0], [2000, "fault", "error_not_enough_replicas", 0],
       [3000, "fault", "error_not_leader_or_follower", 0]]


def test_in_flight_5_with_injected_errors_shows_reordered_keys(page: Page, server: Server, page_log: PageLog,
                                                               artifacts: Path) -> None:
    root = open_lab(page, server.url, LESSON, "retries", log=LOG)
    expect(root.locator("[data-rlab-producer]")).to_contain_text("max.in.flight.requests.per.connection=5")
    expect(root.locator("[data-rlab-producer]")).to_contain_text("enable.idempotence=false")
    wait_for_virtual_time(root, 4500)
    ledger = root.locator("[data-rlab-ledger]")
    expect(ledger).not_to_have_attribute("data-reordered", "0", timeout=10000)
    assert int(ledger.locator('[data-ledger="reordered"]').inner_text()) > 0
    assert int(ledger.locator('[data-ledger="retried"]').inner_text()) > 0
    expect(root.locator("[data-rlab-keys]")).not_to_have_attribute("data-count", "0")
    expect(root.locator("[data-rlab-flagged]")).to_contain_text("⇄ key-")
    expect(root.locator("[data-rlab-answers]")).to_contain_text("NOT_ENOUGH_REPLICAS")
    # The latest reordered record is shown with its neighbours, marked in words and symbols, not colour alone.
    marked = root.locator('[data-rlab-around] [data-reordered="true"]')
    expect(marked.first).to_contain_text("⇄ reordered")
    key = marked.last.get_attribute("data-key")
    sent = [int(t.split("#")[1]) for t in root.locator(f'[data-rlab-around] [data-key="{key}"] .rlab-sent').all_inner_texts()]
    assert sent != sorted(sent), sent  # in offset order, that key's send order goes back
    root.locator("[data-rlab-around]").evaluate("el => el.scrollIntoView({block: 'center'})")
    page.screenshot(path=artifacts / "lab-retries.png", full_page=False)
    root.screenshot(path=artifacts / "lab-retries-panel.png")
    assert not page_log.console_errors, page_log.console_errors


def test_in_flight_1_keeps_every_key_in_order(page: Page, server: Server) -> None:
    root = open_lab(page, server.url, LESSON, "retries", log=LOG, **{"max.in.flight.requests.per.connection": 1})
    expect(root.locator("[data-rlab-producer]")).to_contain_text("max.in.flight.requests.per.connection=1")
    wait_for_virtual_time(root, 5000)
    ledger = root.locator("[data-rlab-ledger]")
    expect(ledger.locator('[data-ledger="retried"]')).not_to_have_text("0", timeout=10000)
    expect(ledger).to_have_attribute("data-reordered", "0")
    expect(root.locator("[data-rlab-keys]")).to_have_attribute("data-count", "0")
    expect(root.locator('[data-rlab-log] [data-reordered="true"]')).to_have_count(0)
    expect(root.locator("[data-rlab-around]")).to_be_hidden()


def test_a_fault_button_and_a_slider_work_by_keyboard(page: Page, server: Server) -> None:
    root = open_lab(page, server.url, LESSON, "retries")
    wait_for_virtual_time(root, 500)
    button = root.locator('[data-fault="error_not_enough_replicas"]')
    button.focus()
    page.keyboard.press("Enter")
    expect(root.locator("[data-rlab-answers]")).to_contain_text("answered NOT_ENOUGH_REPLICAS", timeout=10000)
    page.wait_for_function("() => location.search.includes('error_not_enough_replicas')")  # the link holds the fault
    slider = root.locator('[data-lab-setting="max.in.flight.requests.per.connection"] [role="slider"]')
    slider.focus()
    page.keyboard.press("Home")
    expect(slider).to_have_attribute("aria-valuetext", "max.in.flight.requests.per.connection=1")
    expect(root.locator("[data-lab-notice]")).to_contain_text("New producer created")
    expect(root.locator("[data-rlab-producer]")).to_contain_text("max.in.flight.requests.per.connection=1")


def test_axe_finds_no_serious_violation_with_the_lab_running(page: Page, server: Server) -> None:
    root = open_lab(page, server.url, LESSON, "retries", log=LOG)
    wait_for_virtual_time(root, 3500)
    root.locator("details.lab-table-box:not(.whatif-table-box) summary").click()
    assert_no_serious_axe_violation(page)


def test_projector_mode_shows_the_partition_log(page: Page, server: Server, artifacts: Path) -> None:
    root = open_lab_slide(page, server.url, LESSON, "retries", log=LOG)
    wait_for_virtual_time(root, 4500)
    page.locator("main").focus()
    expect(root.locator("[data-rlab-log]")).to_be_in_viewport()
    page.screenshot(path=artifacts / "lab-retries-projector.png", full_page=False)
