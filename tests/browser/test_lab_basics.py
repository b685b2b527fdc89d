"""The basics lab as a newcomer sees it: a topic's partitions fill offset by offset, a consumer reads them, a second
consumer shares them, and each piece is named with this run's own values."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from .conftest import PageLog, Server
from .flow import wait_for_tokens
from .labs import assert_no_serious_axe_violation, open_lab, wait_for_virtual_time

pytestmark = pytest.mark.browser

LESSON = "kafka-basics"


def test_records_fill_the_partitions_by_offset_and_the_consumer_reads_them(page: Page, server: Server, page_log: PageLog,
                                                                           artifacts: Path) -> None:
    root = open_lab(page, server.url, LESSON, "basics")
    wait_for_virtual_time(root, 4000)
    partitions = root.locator("[data-basics-partitions] [data-partition]")
    expect(partitions).to_have_count(3)
    first = root.locator('[data-basics-partitions] [data-partition="0"]')
    expect(first.locator('[data-offset="0"]')).to_contain_text("key-")
    # A record read is marked in words, not by colour alone; the consumer's position is where it reads next.
    expect(first.locator('[data-read="true"]').first).to_contain_text("✓ read")
    expect(first.locator("[data-position]")).to_have_count(1)
    expect(first.locator("[data-where]")).to_contain_text("readers-0 reads it: position")
    glossary = root.locator("[data-basics-glossary]")
    expect(glossary.locator('[data-term="Topic"]')).to_contain_text("clicks: a named stream of records, split into 3 partitions")
    expect(glossary.locator('[data-term="Key"]')).to_contain_text(re.compile(r"key-\d → \d"))
    # The picture draws the consumer, what it reads, and its fetches travelling.
    consumer = root.locator('[data-flow-scene] [data-client-kind="consumer"]')
    expect(consumer).to_have_attribute("data-state", "consuming")
    expect(consumer).to_contain_text("reads P0, P1, P2")
    wait_for_tokens(page, root, 1)
    page.wait_for_function("el => [...el.querySelectorAll('[data-flow-handles] [data-msg]')].some("
                           "h => h.dataset.kind === 'fetch' && h.dataset.from.startsWith('consumer-'))",
                           arg=root.element_handle(), timeout=15000)
    root.screenshot(path=artifacts / "lab-basics.png")
    assert not page_log.console_errors, page_log.console_errors


def test_a_second_consumer_shares_the_partitions_and_closing_it_gives_them_back_by_keyboard(page: Page, server: Server,
                                                                                           page_log: PageLog) -> None:
    root = open_lab(page, server.url, LESSON, "basics")
    wait_for_virtual_time(root, 2000)
    add = root.get_by_role("button", name="Add a consumer")
    add.focus()
    expect(add).to_be_focused()
    page.keyboard.press("Enter")
    members = root.locator("[data-basics-members] [data-member]")
    expect(members).to_have_count(2)
    second = root.locator('[data-basics-members] [data-member="readers-1"]')
    expect(second).to_have_attribute("data-state", "consuming", timeout=15000)
    expect(second).to_contain_text("reads 1 partition: 2")
    expect(root.locator('[data-basics-members] [data-member="readers-0"]')).to_contain_text("reads 2 partitions: 0, 1")
    expect(root.locator('[data-flow-scene] [data-member="readers-1"]')).to_contain_text("reads P2")
    # Choose readers-1 with the keyboard, then close it.
    target = root.locator("[data-member-target]")
    target.focus()
    target.select_option("readers-1")
    close = root.get_by_role("button", name="Close it: readers-1")
    close.focus()
    page.keyboard.press("Enter")
    expect(second).to_have_attribute("data-state", "closed", timeout=15000)
    expect(root.locator('[data-basics-members] [data-member="readers-0"]')).to_contain_text("reads 3 partitions: 0, 1, 2",
                                                                                           timeout=15000)
    expect(close).to_be_disabled()  # a closed consumer cannot be closed again
    expect(root.locator("[data-lab-narration]")).to_contain_text("readers-1 closed")
    expect(page).to_have_url(re.compile(r"log=.*close_consumer"))
    assert not page_log.console_errors, page_log.console_errors


def test_changing_the_partition_count_recreates_the_topic_with_that_many(page: Page, server: Server) -> None:
    root = open_lab(page, server.url, LESSON, "basics")
    slider = root.get_by_role("slider", name="partitions")
    slider.focus()
    page.keyboard.press("ArrowRight")
    expect(slider).to_have_attribute("aria-valuetext", "partitions=4")
    expect(root.locator("[data-lab-notice]")).to_contain_text("partitions=4")
    expect(root.locator("[data-basics-partitions] [data-partition]")).to_have_count(4)
    expect(root.locator('[data-flow-scene] [data-client-kind="consumer"]')).to_contain_text("reads P0, P1, P2, P3", timeout=15000)


def test_axe_finds_nothing_serious_with_the_lab_running(page: Page, server: Server) -> None:
    root = open_lab(page, server.url, LESSON, "basics")
    wait_for_virtual_time(root, 2000)
    root.locator("details.lab-table-box summary").click()
    expect(root.locator("[data-lab-table] tbody tr")).to_have_count(3)
    assert_no_serious_axe_violation(page)
