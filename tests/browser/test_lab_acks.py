"""The acks lab as a learner sees it: brokers die, the ISR shrinks, acks=1 loses records."""

from __future__ import annotations

import dataclasses
import re
from urllib.parse import quote
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from app.live import LABS

from .conftest import PageLog, Server
from .labs import assert_no_serious_axe_violation, open_lab, open_lab_slide, wait_for_virtual_time

pytestmark = pytest.mark.browser

LESSON = "kafka-acks"


def test_killing_a_broker_shrinks_the_isr_on_screen(page: Page, server: Server, page_log: PageLog, artifacts: Path) -> None:
    root = open_lab(page, server.url, LESSON, "acks")
    partition = root.locator('[data-partition="0"]')
    expect(partition).to_have_attribute("data-isr-size", "3")
    wait_for_virtual_time(root, 1000)
    follower = partition.locator('[data-role="follower"]').first.get_attribute("data-replica")
    root.get_by_role("button", name=f"Kill broker {follower}", exact=True).click()
    expect(root.locator(f"div[data-broker=\"{follower}\"]")).to_have_attribute("data-state", "down")
    expect(partition).to_have_attribute("data-isr-size", "2", timeout=10000)
    expect(partition.locator(f'[data-replica="{follower}"]')).to_have_attribute("data-in-isr", "false")
    expect(partition.locator("[data-isr]")).to_contain_text("(2 of 3)")
    narration = root.locator("[data-lab-narration]")
    expect(narration).to_contain_text(f"Broker {follower} is down.")
    # Said in words, not hidden behind the routine lines of the same second ("(and 3 more)").
    expect(narration).to_contain_text("Partition 0: the ISR shrank to brokers ", timeout=10000)
    page.screenshot(path=artifacts / "lab-acks.png", full_page=False)
    root.screenshot(path=artifacts / "lab-acks-panel.png")
    assert not page_log.console_errors, page_log.console_errors


def test_acks_1_with_a_killed_leader_shows_lost_records(page: Page, server: Server) -> None:
    root = open_lab(page, server.url, LESSON, "acks", acks="1")
    expect(root.locator("[data-acks-producer]")).to_contain_text("acks=1")
    wait_for_virtual_time(root, 2000)
    leader = root.locator('[data-partition="0"] [data-role="leader"]').get_attribute("data-replica")
    root.get_by_role("button", name=f"Kill broker {leader}", exact=True).click()
    ledger = root.locator("[data-acks-ledger]")
    expect(ledger).not_to_have_attribute("data-lost", "0", timeout=15000)
    assert int(ledger.locator('[data-ledger="lost"]').inner_text()) > 0
    expect(root.locator("[data-lab-narration]")).to_contain_text(re.compile(r"Partition 0: broker \d is the new leader"))
    # The link now holds the kill: opening it replays the same run.
    expect(page).to_have_url(re.compile(r"log=.*kill_broker"))


def test_a_setting_slider_works_by_keyboard_alone(page: Page, server: Server) -> None:
    root = open_lab(page, server.url, LESSON, "acks")
    slider = root.locator('[data-lab-setting="acks"] [role="slider"]')
    expect(slider).to_have_attribute("aria-valuetext", "acks=all")
    for _ in range(40):
        page.keyboard.press("Tab")
        if slider.evaluate("el => el === document.activeElement"):
            break
    else:
        pytest.fail("Tab never reached the acks slider")
    page.keyboard.press("ArrowLeft")
    expect(slider).to_have_attribute("aria-valuetext", "acks=1")
    expect(root.locator("[data-lab-notice]")).to_contain_text("New producer created: acks=1")
    expect(root.locator("[data-acks-producer]")).to_contain_text("acks=1")
    page.keyboard.press("Home")
    expect(slider).to_have_attribute("aria-valuetext", "acks=0")
    expect(root.locator("[data-acks-producer]")).to_contain_text("acks=0")
    assert "acks=0" in page.url or "acks" in page.url


def test_axe_finds_no_serious_violation_with_the_lab_running(page: Page, server: Server) -> None:
    root = open_lab(page, server.url, LESSON, "acks")
    wait_for_virtual_time(root, 500)
    root.locator("details.lab-table-box:not(.whatif-table-box) summary").click()
    assert_no_serious_axe_violation(page)


def test_projector_mode_gives_the_lab_its_own_slide(page: Page, server: Server, artifacts: Path) -> None:
    root = open_lab_slide(page, server.url, LESSON, "acks")
    wait_for_virtual_time(root, 1500)
    page.locator("main").focus()
    expect(root).to_be_visible()
    expect(root.locator("[data-acks-ledger]")).to_be_in_viewport()
    page.screenshot(path=artifacts / "lab-acks-projector.png", full_page=False)
    # Arrow keys and PageUp/PageDown on a lab's slider move the slider, not the slides.
    indicator = page.locator("[data-slide-indicator]").inner_text()
    slider = root.locator('[data-lab-setting="acks"] [role="slider"]')
    slider.focus()
    before = slider.get_attribute("aria-valuetext")
    for key in ("ArrowLeft", "PageUp", "ArrowRight", "PageDown"):
        page.keyboard.press(key)
        if key == "ArrowLeft":
            expect(slider).not_to_have_attribute("aria-valuetext", before or "")
        expect(root).to_be_visible()
        assert page.locator("[data-slide-indicator]").inner_text() == indicator


def test_the_timeline_goes_back_and_forward_again_by_keyboard(page: Page, server: Server, page_log: PageLog) -> None:
    """Pause, Home on the timeline (back to 0), End (back to where the run was): the same ledger again.

    End seeks to the horizon as frames show it, rounded to the microsecond; the server takes that.
    """
    root = open_lab(page, server.url, LESSON, "acks")
    wait_for_virtual_time(root, 1500)
    root.get_by_role("button", name="Pause").click()
    expect(root.get_by_role("button", name="Play")).to_be_visible()
    page.wait_for_timeout(500)  # the frames already on their way before the pause
    ledger = root.locator("[data-acks-ledger]")
    clock = root.locator("[data-lab-clock]")
    expect(clock).to_have_text(re.compile(r"^(\S+) s / \1 s$"))
    before, at = ledger.text_content() or "", clock.text_content() or ""
    timeline = root.locator("[data-lab-timeline] [data-slider]")
    timeline.focus()
    page.keyboard.press("Home")
    expect(clock).to_have_text(re.compile(r"^0\.00 s / "))
    page.keyboard.press("End")
    expect(clock).to_have_text(at)
    expect(ledger).to_have_text(before)
    assert not root.locator("[data-lab-status]").inner_text().startswith("Error"), root.locator("[data-lab-status]").inner_text()
    assert not page_log.console_errors, page_log.console_errors


def test_a_second_kill_is_refused_and_the_reason_stays_on_screen(page: Page, server: Server, page_log: PageLog) -> None:
    """A double click on Kill logs one fault; the refusal of the second is readable, not erased by the next frame."""
    root = open_lab(page, server.url, LESSON, "acks")
    wait_for_virtual_time(root, 500)
    root.get_by_role("button", name="Kill broker 0", exact=True).dblclick()
    status = root.locator("[data-lab-status]")
    expect(status).to_have_text("Not done: kill_broker: broker 0 is already down; nothing to do")
    page.wait_for_timeout(1500)  # frames keep arriving at real time meanwhile
    expect(status).to_have_text("Not done: kill_broker: broker 0 is already down; nothing to do", timeout=100)
    expect(root.locator("[data-lab-marks] li")).to_have_count(1)
    expect(root.locator("[data-lab-marks] li")).to_contain_text("kill broker 0")
    assert not page_log.console_errors, page_log.console_errors


def test_at_the_end_of_the_run_play_replays_it_from_the_start(page: Page, server: Server, page_log: PageLog,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """A run that reached its end offers "Replay from start": the same run again from 0, the fault included."""
    short = dataclasses.replace(LABS["acks"], base_spec={**LABS["acks"].base_spec, "duration_ms": 2500})
    monkeypatch.setitem(LABS, "acks", short)
    root = open_lab(page, server.url, LESSON, "acks")
    root.get_by_role("button", name="Kill broker 0", exact=True).click()
    expect(root).to_have_attribute("data-playback", "ended", timeout=15000)
    status = root.locator("[data-lab-status]")
    expect(status).to_contain_text("The run has ended.")
    clock = root.locator("[data-lab-clock]")
    expect(clock).to_have_text("2.50 s / 2.50 s")
    acks = root.get_by_role("slider", name="acks")
    acks.focus()
    page.keyboard.press("Home")  # refused: the run has ended; the slider goes back to what the run has
    expect(status).to_contain_text("Not done: the run has ended")
    expect(acks).to_have_attribute("aria-valuetext", "acks=all")
    root.get_by_role("button", name="Replay from start").click()
    expect(status).not_to_contain_text("Not done")  # the refusal belonged to the run before the jump
    expect(root).to_have_attribute("data-playback", "playing")
    expect(root.get_by_role("button", name="Pause")).to_be_visible()
    assert float(root.get_attribute("data-lab-now") or "1e9") < 2500
    # The replay kills broker 0 again at the same virtual time, from the log.
    expect(root.locator("[data-lab-marks] li")).to_have_count(1)
    expect(root.locator('div[data-broker="0"]')).to_have_attribute("data-state", "down", timeout=15000)
    expect(root).to_have_attribute("data-playback", "ended", timeout=15000)
    assert not page_log.console_errors, page_log.console_errors


def test_a_link_cut_short_says_its_log_could_not_be_read(page: Page, server: Server, page_log: PageLog) -> None:
    cut = quote('[[1415.3,"fault","kill_broker",1]')  # the closing bracket lost, as a chat app may cut a link
    page.goto(f"{server.url}/lessons/{LESSON}?acks=1&log={cut}")
    root = page.locator('[data-lab="acks"]')
    root.scroll_into_view_if_needed()  # a lab opens its session on screen
    expect(root).to_have_attribute("data-lab-ready", "")
    expect(root.locator("[data-lab-notice]")).to_contain_text("could not be read (was it cut short?)")
    expect(root.get_by_role("slider", name="acks")).to_have_attribute("aria-valuetext", "acks=1")  # the rest still applies
    assert not page_log.console_errors, page_log.console_errors


@pytest.mark.parametrize("query", ["acks=2", "log=" + quote('[[100,"fault","kill_broker",7]]')])
def test_a_link_the_server_cannot_replay_says_so_and_keeps_saying_it(page: Page, server: Server, query: str) -> None:
    """The refusal arrives before the first frame is drawn; that frame's reset must not wipe it."""
    page.goto(f"{server.url}/lessons/{LESSON}?{query}")
    root = page.locator('[data-lab="acks"]')
    root.scroll_into_view_if_needed()  # a lab opens its session on screen
    expect(root).to_have_attribute("data-lab-ready", "")
    notice = root.locator("[data-lab-notice]")
    expect(notice).to_contain_text("This link's run could not be replayed")
    expect(root.locator("[data-lab-narration]")).to_contain_text("Error:")
    page.wait_for_timeout(1500)  # frames keep coming
    expect(notice).to_contain_text("the lab runs its preset instead")
    expect(root.locator("[data-lab-status]")).to_contain_text("Not done:")
