"""The idempotence lab as a learner sees it: lost responses duplicate records unless the producer is idempotent."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from .conftest import PageLog, Server
from .labs import assert_no_serious_axe_violation, open_lab, open_lab_slide, wait_for_virtual_time

pytestmark = pytest.mark.browser

LESSON = "kafka-idempotent-producer"
#: The preset's leader of partition 0 is broker 2 (seed 5); the link loses two of its responses.
LOG = [[1000, "fault", "drop_responses", 2], [2500, "fault", "drop_responses", 2]]


def test_idempotence_off_and_lost_responses_duplicate_records(page: Page, server: Server, page_log: PageLog) -> None:
    root = open_lab(page, server.url, LESSON, "idempotence", log=LOG, **{"enable.idempotence": "false"})
    expect(root.locator("[data-rlab-producer]")).to_contain_text("no producer id (not idempotent)")
    wait_for_virtual_time(root, 4500)
    ledger = root.locator("[data-rlab-ledger]")
    expect(ledger).not_to_have_attribute("data-duplicated", "0", timeout=10000)
    assert int(ledger.locator('[data-ledger="duplicated"]').inner_text()) > 0
    expect(root.locator("[data-rlab-flagged]")).to_contain_text("✕✕ key-")
    expect(root.locator("[data-rlab-flagged]")).to_contain_text("first copy at offset")
    expect(root.locator('[data-rlab-around] [data-duplicate="true"]').last).to_contain_text("✕✕ duplicate")
    expect(root.locator("[data-rlab-answers]")).to_contain_text(re.compile(r"its response (was lost|went down the same broken connection)"))
    assert not page_log.console_errors, page_log.console_errors


def test_idempotence_on_answers_with_the_original_offsets(page: Page, server: Server, artifacts: Path) -> None:
    root = open_lab(page, server.url, LESSON, "idempotence", log=LOG)
    producer = root.locator("[data-rlab-producer]")
    expect(producer).to_contain_text("enable.idempotence=true")
    expect(producer).to_contain_text("producer id 1001, epoch 0")
    wait_for_virtual_time(root, 4500)
    answers = root.locator("[data-rlab-answers]")
    expect(answers.locator('[data-kind="duplicate.rejected"]').first).to_contain_text(
        "recognised producer 1001, sequence", timeout=10000)
    expect(answers).to_contain_text("answered with the first copy's offset")
    ledger = root.locator("[data-rlab-ledger]")
    expect(ledger).to_have_attribute("data-duplicated", "0")
    expect(root.locator("[data-rlab-log] .rlab-seq").first).to_contain_text("seq ")
    root.locator("details.lab-table-box:not(.whatif-table-box) summary").click()
    expect(root.locator("[data-lab-table] tbody tr").first).to_contain_text("1001")
    root.locator("[data-rlab-log]").evaluate("el => el.scrollIntoView({block: 'center'})")
    page.screenshot(path=artifacts / "lab-idempotence.png", full_page=False)
    root.screenshot(path=artifacts / "lab-idempotence-panel.png")


def test_toggling_idempotence_by_keyboard_makes_a_new_producer(page: Page, server: Server) -> None:
    root = open_lab(page, server.url, LESSON, "idempotence")
    slider = root.locator('[data-lab-setting="enable.idempotence"] [role="slider"]')
    expect(slider).to_have_attribute("aria-valuetext", "enable.idempotence=true")
    slider.focus()
    page.keyboard.press("ArrowLeft")
    expect(slider).to_have_attribute("aria-valuetext", "enable.idempotence=false")
    expect(root.locator("[data-lab-notice]")).to_contain_text("New producer created: enable.idempotence=false")
    expect(root.locator("[data-rlab-producer]")).to_have_attribute("data-idempotent", "false")
    button = root.get_by_role("button", name="Lose the leader's next response")
    button.focus()
    page.keyboard.press("Enter")
    expect(root.locator("[data-rlab-ledger]")).not_to_have_attribute("data-duplicated", "0", timeout=15000)


def test_axe_finds_no_serious_violation_with_the_lab_running(page: Page, server: Server) -> None:
    root = open_lab(page, server.url, LESSON, "idempotence", log=LOG)
    wait_for_virtual_time(root, 3500)
    root.locator("details.lab-table-box:not(.whatif-table-box) summary").click()
    assert_no_serious_axe_violation(page)


def test_projector_mode_shows_the_partition_log(page: Page, server: Server, artifacts: Path) -> None:
    root = open_lab_slide(page, server.url, LESSON, "idempotence", log=LOG)
    wait_for_virtual_time(root, 4500)
    page.locator("main").focus()
    expect(root.locator("[data-rlab-log]")).to_be_in_viewport()
    page.screenshot(path=artifacts / "lab-idempotence-projector.png", full_page=False)
