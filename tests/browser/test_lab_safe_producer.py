"""The safe-producer lab as a learner sees it: the same faults on the recipe and on each version's defaults."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from .conftest import PageLog, Server
from .labs import assert_no_serious_axe_violation, open_lab, open_lab_slide, wait_for_virtual_time

pytestmark = pytest.mark.browser

LESSON = "kafka-safe-producer"
#: Partition 0's leader is broker 1 (seed 13): lose one of its responses, then kill it.
LOG = [[2000, "fault", "drop_responses", 1], [4000, "fault", "kill_broker", 1]]


def column(root, key: str):
    return root.locator(f'.safe-column[data-column="{key}"]')


def test_same_faults_lose_records_only_on_2_8_defaults(page: Page, server: Server, page_log: PageLog, artifacts: Path) -> None:
    root = open_lab(page, server.url, LESSON, "safe-producer", log=LOG)
    wait_for_virtual_time(root, 9000, timeout=30000)
    # Kafka 2.8 defaults (acks=1, no idempotence): the killed leader takes acknowledged records with it.
    expect(column(root, "2.8")).not_to_have_attribute("data-lost", "0", timeout=10000)
    expect(column(root, "2.8").locator("[data-verdict]")).to_have_attribute("data-verdict", "bad")
    # 3.x and 4.0 defaults (acks=all, idempotence): nothing lost, duplicated or reordered.
    for key in ("3.x", "4.0"):
        for name in ("lost", "duplicated", "reordered"):
            expect(column(root, key)).to_have_attribute(f"data-{name}", "0")
        expect(column(root, key).locator("[data-verdict]")).to_contain_text("✓ nothing lost, duplicated or reordered")
    # The recipe loses nothing and keeps order; without idempotence its retries still duplicate.
    for name in ("lost", "reordered"):
        expect(column(root, "recipe")).to_have_attribute(f"data-{name}", "0")
    expect(column(root, "recipe")).not_to_have_attribute("data-duplicated", "0")
    root.locator("[data-safe-columns]").evaluate("el => el.scrollIntoView({block: 'center'})")
    page.screenshot(path=artifacts / "lab-safe-producer.png", full_page=False)
    root.screenshot(path=artifacts / "lab-safe-producer-panel.png")
    assert not page_log.console_errors, page_log.console_errors


def test_each_column_shows_its_versions_defaults(page: Page, server: Server) -> None:
    root = open_lab(page, server.url, LESSON, "safe-producer")
    wait_for_virtual_time(root, 300)
    setting = lambda key, name: column(root, key).locator(f'[data-setting="{name}"] dd')  # noqa: E731
    expect(setting("2.8", "acks")).to_have_text("1 (default)")
    expect(setting("2.8", "enable.idempotence")).to_have_text("false (default)")
    expect(setting("3.x", "acks")).to_have_text("all (default)")
    expect(setting("4.0", "enable.idempotence")).to_have_text("true (default)")
    expect(setting("4.0", "linger.ms")).to_have_text("5 (default)")
    expect(setting("2.8", "linger.ms")).to_have_text("0 (default)")
    expect(setting("recipe", "max.in.flight.requests.per.connection")).to_have_text("1 (set)")
    expect(setting("recipe", "min.insync.replicas")).to_have_text("2 (set)")
    expect(setting("4.0", "min.insync.replicas")).to_have_text("1 (default)")


def test_killing_the_leader_by_keyboard_hits_all_four(page: Page, server: Server) -> None:
    root = open_lab(page, server.url, LESSON, "safe-producer")
    wait_for_virtual_time(root, 1000)
    button = root.locator('[data-safe-faults] [data-fault="kill_broker"]')
    button.focus()
    page.keyboard.press("Enter")
    expect(root.locator("[data-safe-brokers]")).to_contain_text("✕ down", timeout=10000)
    expect(root.locator("[data-lab-narration]")).to_contain_text("in all four clusters", timeout=10000)
    expect(root.locator('[data-safe-faults] [data-fault="restart_broker"]')).to_be_visible()


def test_axe_finds_no_serious_violation_with_the_lab_running(page: Page, server: Server) -> None:
    root = open_lab(page, server.url, LESSON, "safe-producer", log=LOG)
    wait_for_virtual_time(root, 5000, timeout=30000)
    root.locator("details.lab-table-box:not(.whatif-table-box) summary").click()
    assert_no_serious_axe_violation(page)


def test_projector_mode_shows_the_four_columns(page: Page, server: Server, artifacts: Path) -> None:
    root = open_lab_slide(page, server.url, LESSON, "safe-producer", log=LOG)
    wait_for_virtual_time(root, 6000, timeout=30000)
    page.locator("main").focus()
    expect(root.locator("[data-safe-columns]")).to_be_in_viewport()
    page.screenshot(path=artifacts / "lab-safe-producer-projector.png", full_page=False)
