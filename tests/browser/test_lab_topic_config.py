"""The topic-configuration lab and the lab terminal as a learner uses them: keyboard only, output read back."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from .conftest import PageLog, Server
from .labs import assert_no_serious_axe_violation, open_lab, open_lab_slide

pytestmark = pytest.mark.browser

LESSON = "kafka-topic-configuration"
BOOT = "--bootstrap-server localhost:9092"


def terminal(root: Locator) -> Locator:
    return root.locator("[data-terminal]")


def type_line(page: Page, root: Locator, line: str) -> None:
    field = terminal(root).locator("[data-terminal-input]")
    field.focus()
    page.keyboard.type(line)
    page.keyboard.press("Enter")


def output(root: Locator) -> Locator:
    return terminal(root).locator("[data-terminal-output]")


def test_a_topic_created_in_the_terminal_appears_in_the_picture(page: Page, server: Server, page_log: PageLog,
                                                                artifacts: Path) -> None:
    root = open_lab(page, server.url, LESSON, "topic-config")
    expect(terminal(root).locator(".term-panel")).to_be_visible()  # open from the start in this lab
    type_line(page, root, f"kafka-topics.sh {BOOT} --create --topic payments --partitions 6 --replication-factor 3")
    expect(output(root)).to_contain_text("Created topic payments.")
    card = root.locator('[data-topic="payments"]')
    expect(card.locator("[data-partition]")).to_have_count(6)
    # rack-aware: each partition's three replicas in three racks
    for p in range(6):
        text = card.locator(f'[data-partition="{p}"] .tc-replicas').inner_text()
        assert {"az-a", "az-b", "az-c"} <= set(text.replace("(", " ").replace(")", " ").split()), text
    type_line(page, root, f"kafka-topics.sh {BOOT} --describe --topic payments")
    expect(output(root)).to_contain_text("PartitionCount: 6\tReplicationFactor: 3")
    expect(output(root)).to_contain_text("\tTopic: payments\tPartition: 5\tLeader: ")
    page.set_viewport_size({"width": 1280, "height": 720})
    terminal(root).scroll_into_view_if_needed()
    page.screenshot(path=artifacts / "lab-topic-config-terminal.png")
    root.screenshot(path=artifacts / "lab-topic-config-panel.png")
    assert not page_log.console_errors, page_log.console_errors


def test_compression_type_gzip_is_narrated_with_the_sizes(page: Page, server: Server, page_log: PageLog) -> None:
    root = open_lab(page, server.url, LESSON, "topic-config")
    type_line(page, root, f"kafka-configs.sh {BOOT} --alter --entity-type topics --entity-name orders "
                          "--add-config compression.type=gzip")
    expect(output(root)).to_contain_text("Completed updating config for topic orders.")
    narration = root.locator("[data-lab-narration]")
    # the orders producer sends uncompressed one-record batches: the leader rebuilds the next one with gzip
    expect(narration).to_contain_text(re.compile(r"Broker \d recompressed batch #\d+ of orders-\d from none to gzip "
                                                 r"\(level -1\): \d+ bytes sent, \d+ stored\."), timeout=10000)
    assert not page_log.console_errors, page_log.console_errors


def test_history_completion_and_the_console_tools_by_keyboard(page: Page, server: Server) -> None:
    root = open_lab(page, server.url, LESSON, "topic-config")
    field = terminal(root).locator("[data-terminal-input]")
    field.focus()
    page.keyboard.type("kafka-top")
    page.keyboard.press("Tab")
    expect(field).to_have_value("kafka-topics ")
    page.keyboard.type(f"{BOOT} --cre")
    page.keyboard.press("Tab")
    expect(field).to_have_value(f"kafka-topics {BOOT} --create ")
    page.keyboard.type("--topic notes --config max.message.bytes=200")
    page.keyboard.press("Enter")
    expect(output(root)).to_contain_text("Created topic notes.")
    page.keyboard.press("ArrowUp")
    expect(field).to_have_value(f"kafka-topics {BOOT} --create --topic notes --config max.message.bytes=200")
    page.keyboard.press("Control+a")
    page.keyboard.press("Delete")
    # a console producer: its prompt is ">", lines until Ctrl+D; a line over max.message.bytes is refused
    page.keyboard.type(f"kafka-console-producer {BOOT} --topic notes")
    page.keyboard.press("Enter")
    expect(terminal(root).locator("[data-terminal-prompt]")).to_have_text(">")
    page.keyboard.type("hello")
    page.keyboard.press("Enter")
    page.wait_for_timeout(1500)
    page.keyboard.type("x" * 300)
    page.keyboard.press("Enter")
    expect(output(root)).to_contain_text("org.apache.kafka.common.errors.RecordTooLargeException: The request included a "
                                         "message larger than the max message size the server will accept.",
                                         timeout=10000)
    page.keyboard.press("Control+d")
    expect(terminal(root).locator("[data-terminal-prompt]")).to_have_text("$ ", timeout=10000)
    # a console consumer streams until Ctrl+C
    page.keyboard.type(f"kafka-console-consumer {BOOT} --topic notes --from-beginning")
    page.keyboard.press("Enter")
    expect(output(root)).to_contain_text(re.compile(r"--from-beginning\nhello\n"), timeout=15000)
    page.keyboard.press("Control+c")
    expect(output(root)).to_contain_text("Processed a total of 1 messages")
    expect(terminal(root).locator("[data-terminal-prompt]")).to_have_text("$ ")


def test_the_port_of_zookeeper_is_explained(page: Page, server: Server) -> None:
    root = open_lab(page, server.url, LESSON, "topic-config")
    type_line(page, root, "kafka-topics.sh --bootstrap-server localhost:2181 --list")
    expect(output(root)).to_contain_text("[brokerlab] Port 2181 is ZooKeeper's client port, not a Kafka listener.")
    expect(output(root)).to_contain_text("could not be established. Node may not be available.")
    page.keyboard.press("Control+c")
    expect(terminal(root).locator("[data-terminal-prompt]")).to_have_text("$ ")
    type_line(page, root, "kafka-topics.sh --zookeeper localhost:2181 --list")
    expect(output(root)).to_contain_text("zookeeper is not a recognized option")


def test_every_lab_has_the_terminal_behind_a_button(page: Page, server: Server) -> None:
    root = open_lab(page, server.url, "kafka-acks", "acks")
    toggle = terminal(root).locator("[data-terminal-toggle]")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(terminal(root).locator(".term-panel")).to_be_hidden()
    toggle.focus()
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(terminal(root).locator("[data-terminal-input]")).to_be_focused()
    page.keyboard.type(f"kafka-topics {BOOT} --describe --topic orders")
    page.keyboard.press("Enter")
    expect(output(root)).to_contain_text("Topic: orders\tTopicId: ")
    expect(output(root)).to_contain_text("Configs: min.insync.replicas=2")


def test_axe_and_projector_mode(page: Page, server: Server, artifacts: Path) -> None:
    root = open_lab(page, server.url, LESSON, "topic-config")
    type_line(page, root, f"kafka-configs {BOOT} --entity-type topics --entity-name orders --describe --all")
    expect(output(root)).to_contain_text("All configs for topic orders are:")
    assert_no_serious_axe_violation(page)
    page.emulate_media(color_scheme="dark")
    assert_no_serious_axe_violation(page)
    slide = open_lab_slide(page, server.url, LESSON, "topic-config")
    type_line(page, slide, f"kafka-topics {BOOT} --create --topic projector --partitions 3 --replication-factor 3")
    card = slide.locator('[data-topic="projector"]')
    expect(card).to_be_visible()
    # the picture redraws its cards on each frame: scroll in one step of the page's own script
    page.evaluate("document.querySelector('[data-topic=projector]').scrollIntoView({block: 'center'})")
    page.screenshot(path=artifacts / "lab-topic-config-projector.png")
