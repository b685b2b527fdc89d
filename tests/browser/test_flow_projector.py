"""Every lab with its picture, in reading mode at 1280x720 and projected at 1280x720 and 1920x1080.

Projected, the whole lab is one slide that fits the screen, with the picture, the timeline and the
narration in view, and the picture reads from the back of a room. Screenshots of each lab go to
test-artifacts/ (flow-<lab>-1280.png, flow-<lab>-projector-1280.png, flow-<lab>-projector-1920.png).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from .conftest import PageLog, Server
from .flow import wait_for_tokens
from .labs import open_lab

pytestmark = pytest.mark.browser

LESSONS = {"basics": "kafka-basics", "consumers": "kafka-consumers", "acks": "kafka-acks", "batching": "kafka-batching", "buffer": "kafka-buffer-memory", "compression": "kafka-compression",
           "throughput": "kafka-high-throughput-producer", "idempotence": "kafka-idempotent-producer",
           "partitioning": "kafka-partitioner", "retries": "kafka-retries", "safe-producer": "kafka-safe-producer",
           "security": "kafka-security-together"}


def _fits(page: Page, root: Locator) -> None:
    """No scrolling, and the picture, the timeline and the narration inside the screen."""
    height = page.evaluate("innerHeight")
    assert page.evaluate("document.documentElement.scrollHeight") <= height + 1
    for sel in ("[data-flow-stage]", "[data-lab-timeline]", "[data-lab-narration]", "[data-lab-play]"):
        box = root.locator(sel).bounding_box()
        assert box and box["y"] >= 0 and box["y"] + box["height"] <= height + 1, (sel, box, height)
    stage = root.locator("[data-flow-stage]").bounding_box()
    assert stage and stage["height"] >= 0.3 * height, stage  # the picture is the slide's largest part


@pytest.mark.parametrize("lab", list(LESSONS))
def test_the_lab_fits_a_projected_slide_and_the_picture_reads_from_afar(page: Page, server: Server, page_log: PageLog,
                                                                        artifacts: Path, lab: str) -> None:
    root = open_lab(page, server.url, LESSONS[lab], lab, speed=None)
    wait_for_tokens(page, root, 1)
    page.wait_for_timeout(1500)
    root.locator("[data-flow]").screenshot(path=artifacts / f"flow-{lab}-1280.png")
    page.locator("main").focus()
    page.keyboard.press("p")
    expect(page.locator("html")).to_have_attribute("data-mode", "projector")
    for _ in range(40):
        if root.is_visible():
            break
        page.keyboard.press("ArrowRight")
    page.wait_for_timeout(600)
    _fits(page, root)
    page.screenshot(path=artifacts / f"flow-{lab}-projector-1280.png")
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.wait_for_timeout(800)
    _fits(page, root)
    # From the back of a room: the picture's labels at least 18 px tall, a produce request at least 16 px.
    label = root.locator("[data-flow-scene] .flow-title").first.bounding_box()
    assert label and label["height"] >= 18, label
    scale = root.locator("[data-flow]").evaluate("f => f.flowPicture.fit.scale")
    assert 13 * scale >= 16, scale
    page.screenshot(path=artifacts / f"flow-{lab}-projector-1920.png")
    assert not page_log.console_errors, page_log.console_errors
