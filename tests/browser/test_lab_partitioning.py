"""The partitioning lab as a learner sees it: a typed key's partition, keys moving with the partition count,
null keys by Kafka version, other clients' hashes."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from app.sim import murmur2, partition_for_key
from app.sim.murmur2 import librdkafka_crc32_partition

from .conftest import PageLog, Server
from .labs import assert_no_serious_axe_violation, open_lab, open_lab_slide, wait_for_virtual_time

pytestmark = pytest.mark.browser

LESSON = "kafka-partitioner"


def type_key(page: Page, root, key: str) -> None:
    box = root.locator("[data-key-input]")
    box.fill("")
    box.type(key)
    page.keyboard.press("Enter")
    expect(root.locator("[data-part-key]")).to_have_attribute("data-key", key)


def test_a_typed_keys_partition_equals_partition_for_key(page: Page, server: Server, page_log: PageLog, artifacts: Path) -> None:
    root = open_lab(page, server.url, LESSON, "partitioning")
    for key in ("21", "order-42", "user-1", "", "Grüße 🙂", "key-7"):
        type_key(page, root, key)
        data = key.encode()
        expect(root.locator("[data-key-partition]")).to_have_attribute("data-partition", str(partition_for_key(data, 6)))
        expect(root.locator("[data-key-murmur2]")).to_have_text(str(murmur2(data)))
        expect(root.locator("[data-key-positive]")).to_have_text(str(murmur2(data) & 0x7FFFFFFF))
        expect(root.locator("[data-key-modulo]")).to_have_text(f"{murmur2(data) & 0x7FFFFFFF} % 6 = {partition_for_key(data, 6)}")
        expect(root.locator("[data-key-bytes]")).to_contain_text(data.hex(" ") if data else "empty")
    # Other clients: librdkafka's CRC-32 puts order-42 elsewhere (the lesson's self-check).
    type_key(page, root, "order-42")
    crc = root.locator("[data-key-clients] tbody tr").nth(1)
    expect(crc).to_contain_text(str(librdkafka_crc32_partition(b"order-42", 6)))
    expect(crc).to_contain_text("different")
    # The negative hash of "21" and abs(): the note says why Kafka clears the sign bit.
    type_key(page, root, "21")
    expect(root.locator("[data-key-note]")).to_contain_text("abs(murmur2)")
    # The running producer put each generated key where partition_for_key says.
    wait_for_virtual_time(root, 3000)
    table = root.locator("[data-keys-table] tbody")
    for i in range(12):
        cell = table.locator(f'tr[data-key="key-{i}"] td').nth(4)
        text = cell.inner_text()
        assert text in ("not sent yet", str(partition_for_key(f"key-{i}".encode(), 6))), (i, text)
    expect(root.locator('[data-null-runs] [data-strategy="uniform-sticky"]')).to_contain_text("batches")
    root.locator("[data-part-key]").evaluate("el => el.scrollIntoView({block: 'start'})")
    page.screenshot(path=artifacts / "lab-partitioning.png", full_page=False)
    root.screenshot(path=artifacts / "lab-partitioning-panel.png")
    assert not page_log.console_errors, page_log.console_errors


def test_bad_keys_are_refused_with_a_reason(page: Page, server: Server) -> None:
    root = open_lab(page, server.url, LESSON, "partitioning")
    expect(root.locator("[data-part-key]")).to_have_attribute("data-key", "order-42")
    root.locator("[data-key-input]").evaluate("el => { el.removeAttribute('maxlength'); el.value = 'é'.repeat(200); }")
    root.locator("[data-key-form] button").click()
    expect(root.locator("[data-key-error]")).to_contain_text("at most 256 bytes in UTF-8; got 400")
    response = page.request.post(f"{server.url}/api/labs/partitioning/key", data='{"key": "\\ud800", "partitions": 6}',
                                 headers={"content-type": "application/json"})
    assert response.status == 422 and "lone surrogate" in response.text()
    response = page.request.post(f"{server.url}/api/labs/partitioning/key", data={"key": "a", "partitions": 0})
    assert response.status == 422


def test_partition_slider_by_keyboard_moves_keys(page: Page, server: Server) -> None:
    root = open_lab(page, server.url, LESSON, "partitioning")
    slider = root.locator('[data-lab-setting="partitions"] [role="slider"]')
    expect(slider).to_have_attribute("aria-valuetext", "partitions=6")
    for _ in range(40):
        page.keyboard.press("Tab")
        if slider.evaluate("el => el === document.activeElement"):
            break
    else:
        pytest.fail("Tab never reached the partitions slider")
    moves = root.locator("[data-part-moves]")
    page.keyboard.press("ArrowRight")
    expect(moves).to_have_attribute("data-to", "7")
    page.keyboard.press("ArrowRight")
    expect(slider).to_have_attribute("aria-valuetext", "partitions=8")
    expect(moves).to_have_attribute("data-to", "8")
    expect(moves).to_have_attribute("data-from", "7")
    moved = [f"key-{i}" for i in range(12) if partition_for_key(f"key-{i}".encode(), 7) != partition_for_key(f"key-{i}".encode(), 8)]
    expect(moves).to_have_attribute("data-moved", str(len(moved)))
    for key in moved:
        expect(root.locator(f'[data-keys-table] tr[data-key="{key}"]')).to_have_attribute("data-moved", "true")
    expect(root.locator("[data-moved-text]")).to_contain_text(f"{len(moved)} of 12 generated keys moved")
    expect(root.locator("[data-part-columns] .part-column")).to_have_count(8)
    expect(root.locator("[data-lab-notice]")).to_contain_text("created the topic again with partitions=8")
    expect(root.locator("[data-lab-notice]")).to_contain_text("you add partitions to the existing topic")
    expect(root.locator("[data-moved-text]")).to_contain_text("the records already written stay where they are")
    expect(root.locator("[data-key-partition]")).to_have_attribute("data-partition", str(partition_for_key(b"order-42", 8)))
    expect(root.locator("[data-null-runs]")).to_have_attribute("data-partitions", "8", timeout=15000)


def test_null_keys_side_by_side(page: Page, server: Server) -> None:
    root = open_lab(page, server.url, LESSON, "partitioning")
    runs = root.locator("[data-null-runs]")
    expect(runs.locator("[data-strategy]")).to_have_count(3, timeout=15000)
    expect(runs.locator('[data-strategy="round-robin"]')).to_contain_text("records per batch: 1 ")
    expect(runs.locator('[data-strategy="sticky"]')).to_contain_text("Kafka 2.4 to 3.2")
    expect(runs.locator('[data-strategy="uniform-sticky"]')).to_contain_text("Kafka 3.3 and later")


def test_axe_finds_no_serious_violation_with_the_lab_running(page: Page, server: Server) -> None:
    root = open_lab(page, server.url, LESSON, "partitioning")
    wait_for_virtual_time(root, 1000)
    expect(root.locator("[data-null-runs] [data-strategy]")).to_have_count(3, timeout=15000)
    assert_no_serious_axe_violation(page)


def test_projector_mode_shows_the_partitioning_lab(page: Page, server: Server, artifacts: Path) -> None:
    root = open_lab_slide(page, server.url, LESSON, "partitioning")
    wait_for_virtual_time(root, 2000)
    expect(root.locator("[data-null-runs] [data-strategy]")).to_have_count(3, timeout=15000)
    page.locator("main").focus()
    expect(root.locator("[data-part-key]")).to_be_in_viewport()
    page.screenshot(path=artifacts / "lab-partitioning-projector.png", full_page=False)
