"""When a lab holds a session: it starts on screen or when used, pauses in a hidden tab and closes after a while
there, reopens where it was; refused or closed, it says so on every control and offers Retry (docs/web.md)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Locator, Page, expect

from .conftest import PageLog, Server
from .labs import assert_no_serious_axe_violation, lesson_url, open_lab, set_speed, wait_for_virtual_time

pytestmark = pytest.mark.browser

LESSON = "kafka-acks"


def set_hidden(page: Page, hidden: bool) -> None:
    """The tab hidden or shown, as the browser tells a page: document.hidden, visibilityState, visibilitychange."""
    page.evaluate("""hidden => {
        Object.defineProperty(document, "hidden", { configurable: true, get: () => hidden });
        Object.defineProperty(document, "visibilityState", { configurable: true, get: () => hidden ? "hidden" : "visible" });
        document.dispatchEvent(new Event("visibilitychange"));
    }""", hidden)


def sockets_opened(page: Page) -> list[str]:
    opened: list[str] = []
    page.on("websocket", lambda ws: opened.append(ws.url))
    return opened


def open_sessions(server: Server) -> int:
    return server.app.state.lab_sessions.open


def assert_locked(root: Locator, reason: str) -> None:
    """Every control that needs the session disabled and described by the reason, which is shown and announced."""
    why = root.locator("[data-lab-closed-why]")
    expect(why).to_contain_text(reason)
    expect(why).to_have_attribute("role", "alert")
    why_id = why.get_attribute("id")
    for name in ("Play", "Pause", "Step to next event", "Restart (same seed)", "Reset to preset"):
        button = root.get_by_role("button", name=name, exact=True)
        if button.count():
            expect(button).to_be_disabled()
            assert why_id in (button.get_attribute("aria-describedby") or "")
            assert reason in (button.get_attribute("title") or "")
    for slider in root.locator("[role='slider']").all():
        if slider.locator("xpath=ancestor::*[@data-lab-offline]").count():
            continue
        expect(slider).to_have_attribute("aria-disabled", "true")
    expect(root.get_by_role("button", name="Retry")).to_be_enabled()
    expect(root.get_by_role("button", name="Copy link")).to_be_enabled()  # what the page has can still be shared


def test_a_lab_off_screen_opens_no_socket_until_it_is_on_screen(page: Page, server: Server) -> None:
    opened = sockets_opened(page)
    page.goto(lesson_url(server.url, LESSON))
    root = page.locator('[data-lab="acks"]')
    expect(root.locator("[data-lab-status]")).to_have_text("The lab starts when it is on screen.")
    page.wait_for_timeout(800)
    assert opened == [] and root.get_attribute("data-lab-ready") is None
    root.scroll_into_view_if_needed()
    expect(root).to_have_attribute("data-lab-ready", "")
    assert len(opened) == 1 and opened[0].endswith("/ws/labs/acks")


def test_a_control_used_before_the_lab_is_on_screen_opens_it_and_counts(page: Page, server: Server) -> None:
    opened = sockets_opened(page)
    page.goto(lesson_url(server.url, LESSON))
    root = page.locator('[data-lab="acks"]')
    page.wait_for_timeout(300)
    assert opened == []
    # A click that does not scroll (a script, an assistive tool): the lab opens, and the click's pause is applied.
    root.locator("[data-lab-play]").evaluate("""el => {
        el.dispatchEvent(new PointerEvent("pointerdown", { bubbles: true }));
        el.click();
    }""")
    expect(root).to_have_attribute("data-lab-ready", "")
    expect(root).to_have_attribute("data-playback", "paused")
    assert len(opened) == 1


def test_a_hidden_tab_pauses_then_closes_its_lab_and_reopens_it_where_it_was(page: Page, server_with) -> None:
    running = server_with(lab_hidden_seconds=0.5)
    root = open_lab(page, running.server.url, LESSON, "acks")
    wait_for_virtual_time(root, 1500)
    set_hidden(page, True)
    expect(root).to_have_attribute("data-playback", "paused")
    expect(root).not_to_have_attribute("data-lab-ready", "")  # closed after 0.5 s hidden
    expect(root.locator("[data-lab-status]")).to_contain_text("Paused while this tab is hidden")
    for _ in range(50):
        if open_sessions(running.server) == 0:
            break
        page.wait_for_timeout(100)
    assert open_sessions(running.server) == 0
    hidden_at = float(root.get_attribute("data-lab-now"))
    set_hidden(page, False)
    expect(root).to_have_attribute("data-lab-ready", "")
    expect(root).to_have_attribute("data-playback", "playing")
    page.wait_for_function("([el, t]) => Number(el.dataset.labNow) > t", arg=[root.element_handle(), hidden_at])
    first = float(root.get_attribute("data-lab-now"))
    assert first >= hidden_at  # reopened at its moment, not at 0
    expect(root.locator("[data-lab-speed]")).to_have_attribute("aria-valuetext", "real time")  # and its speed
    expect(root.locator("[data-lab-closed-why]")).to_be_empty()


def test_a_short_hide_pauses_and_resumes_the_same_session(page: Page, server: Server) -> None:
    opened = sockets_opened(page)
    root = open_lab(page, server.url, LESSON, "acks")
    set_hidden(page, True)
    expect(root).to_have_attribute("data-playback", "paused")
    set_hidden(page, False)
    expect(root).to_have_attribute("data-playback", "playing")
    assert len(opened) == 1


def test_a_refused_lab_says_why_on_every_control_and_retries_by_itself(context: BrowserContext, page: Page, server_with,
                                                                       artifacts: Path) -> None:
    running = server_with(lab_max_sessions=1)
    first = open_lab(page, running.server.url, LESSON, "acks")
    other = context.new_page()
    other.goto(lesson_url(running.server.url, LESSON))
    root = other.locator('[data-lab="acks"]')
    root.scroll_into_view_if_needed()
    assert_locked(root, "this server runs at most 1 lab at once")
    expect(root.locator("[data-lab-closed-why]")).to_contain_text("The lab could not start")
    expect(root.locator("[data-lab-retry-in]")).to_contain_text("Trying again by itself in")
    root.locator(".lab-closed").scroll_into_view_if_needed()
    other.screenshot(path=artifacts / "lab-refused.png")
    assert_no_serious_axe_violation(other)
    expect(first).to_have_attribute("data-lab-ready", "")
    page.close()  # a place frees: the refused lab gets it by itself, with backoff
    expect(root).to_have_attribute("data-lab-ready", "", timeout=15000)
    expect(root.locator("[data-lab-closed-why]")).to_be_empty()
    expect(root.get_by_role("button", name="Step to next event")).to_be_enabled()
    expect(root.locator("[data-lab-speed]")).not_to_have_attribute("aria-disabled", "true")
    assert root.locator("[data-lab-play]").get_attribute("aria-describedby") is None
    other.close()


def test_an_idle_lab_closes_and_retry_reopens_it_at_the_same_moment_and_speed(page: Page, server_with, page_log: PageLog,
                                                                              artifacts: Path) -> None:
    running = server_with(lab_idle_seconds=1.5)
    root = open_lab(page, running.server.url, LESSON, "acks", speed=None)
    set_speed(page, root, 1.0)
    wait_for_virtual_time(root, 1200)
    root.get_by_role("button", name="Pause").click()
    expect(root).to_have_attribute("data-playback", "paused")
    paused_at = root.get_attribute("data-lab-now")
    assert_locked(root, "nobody used this lab for 1.5 s")
    expect(root.locator("[data-lab-closed-why]")).to_contain_text(f"Retry reopens this run at {float(paused_at) / 1000:.1f} s, real time")
    expect(root.locator("[data-lab-retry-in]")).to_be_empty()  # idle: no retry by itself
    root.screenshot(path=artifacts / "lab-idle-closed.png")
    root.get_by_role("button", name="Retry").click()
    expect(root).to_have_attribute("data-lab-ready", "")
    expect(root).to_have_attribute("data-playback", "paused")
    expect(root).to_have_attribute("data-lab-now", paused_at)
    expect(root.locator("[data-lab-speed]")).to_have_attribute("aria-valuetext", "real time")
    expect(root.get_by_role("button", name="Play")).to_be_enabled()
    assert not page_log.console_errors, page_log.console_errors


def test_a_lab_whose_server_went_away_says_so(page: Page, server_with) -> None:
    running = server_with()
    root = open_lab(page, running.server.url, LESSON, "acks")
    running.stop()
    why = root.locator("[data-lab-closed-why]")
    expect(why).not_to_be_empty(timeout=15000)
    assert any(words in why.inner_text() for words in ("server is restarting", "connection to the server was lost",
                                                       "could not reach the server"))
    assert_locked(root, why.inner_text().split(" Retry reopens")[0])
    expect(root.locator("[data-lab-retry-in]")).to_contain_text("Trying again by itself")
