"""Every control counts, links open at their moment and speed, limits are stated and refused with their numbers,
and a lab the server runs slower than its speed says so (docs/web.md, "Live labs in the page")."""

from __future__ import annotations

import json
import math
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from app.live.links import link_chars

from .conftest import PageLog, Server
from .labs import assert_no_serious_axe_violation, lesson_url, open_lab, open_lab_slide, set_speed, wait_for_virtual_time

pytestmark = pytest.mark.browser


def errors_received(page: Page) -> list[dict]:
    """Every error frame the page's lab sockets receive from now on."""
    errors: list[dict] = []

    def watch(ws) -> None:
        ws.on("framereceived", lambda data: errors.append(json.loads(data)) if '"type":"error"' in data else None)

    page.on("websocket", watch)
    return errors


def press_slider(page: Page, slider, key: str, times: int, gap_ms: int = 30) -> None:
    slider.focus()
    for _ in range(times):
        page.keyboard.press(key)
        page.wait_for_timeout(gap_ms)


def test_fifteen_arrow_presses_30_ms_apart_end_at_16(page: Page, server: Server, page_log: PageLog) -> None:
    """The issue's case: the partitions slider from 6, fifteen presses, ended at 13 when frames of the older run put it back."""
    root = open_lab(page, server.url, "kafka-partitioner", "partitioning")
    slider = root.locator('[data-lab-setting="partitions"] [role="slider"]')
    expect(slider).to_have_attribute("aria-valuetext", "partitions=6")
    press_slider(page, slider, "ArrowRight", 15)
    expect(slider).to_have_attribute("aria-valuetext", "partitions=16")
    expect(root.locator("[data-part-moves]")).to_have_attribute("data-to", "16")  # the run has it: the server's frames say 16
    expect(root.locator("[data-part-columns] .part-column")).to_have_count(16)
    page.wait_for_timeout(500)  # and no later frame moves it back
    expect(slider).to_have_attribute("aria-valuetext", "partitions=16")
    press_slider(page, slider, "ArrowLeft", 4)
    expect(root.locator("[data-part-moves]")).to_have_attribute("data-to", "12")
    assert not page_log.console_errors, page_log.console_errors


def test_controls_refused_for_rate_are_sent_again_and_the_latest_value_lands(page: Page, server_with) -> None:
    running = server_with(lab_messages_per_sec=1)  # a bucket of 2
    errors = errors_received(page)
    # Each control the page sends goes with a no-op that spends the same allowance (a seek the server refuses),
    # as a second tab or a hurried script would: the page's own pacing is not enough, and refusals come back.
    page.add_init_script("""(() => {
        const send = WebSocket.prototype.send;
        WebSocket.prototype.send = function (text) {
            send.call(this, text);
            if (!text.includes('"ack"') && !text.includes('"t":-1')) send.call(this, JSON.stringify({ v: 1, type: "seek", t: -1 }));
        };
    })()""")
    root = open_lab(page, running.server.url, "kafka-acks", "acks", speed=None)
    acks = root.locator('[data-lab-setting="acks"] [role="slider"]')
    press_slider(page, acks, "ArrowLeft", 2, gap_ms=0)   # all -> 1 -> 0
    press_slider(page, acks, "ArrowRight", 1, gap_ms=0)  # -> 1
    mis = root.locator('[data-lab-setting="min.insync.replicas"] [role="slider"]')
    press_slider(page, mis, "ArrowLeft", 1, gap_ms=0)    # 2 -> 1
    root.get_by_role("button", name="Pause").click()
    expect(root).to_have_attribute("data-playback", "paused", timeout=10000)
    page.wait_for_function("el => el.querySelector('[data-lab-marks]').textContent.includes('min.insync.replicas=1')",
                           arg=root.element_handle(), timeout=10000)
    # The page's own controls (they carry an id) were refused for rate, and sent again.
    assert any(e["code"] == "rate_limited" and "id" in e and "retry_ms" in e for e in errors), errors
    expect(acks).to_have_attribute("aria-valuetext", "acks=1")
    expect(mis).to_have_attribute("aria-valuetext", "min.insync.replicas=1")
    marks = root.locator("[data-lab-marks]").inner_text()
    assert marks.rstrip().endswith("min.insync.replicas=1") and "acks=1" in marks  # latest values, in the order asked


def test_a_link_and_a_reload_open_the_run_at_its_moment_and_speed(context: BrowserContext, page: Page, server: Server) -> None:
    root = open_lab(page, server.url, "kafka-acks", "acks", speed=None)
    slider = root.locator("[data-lab-speed]")
    slider.focus()
    page.keyboard.press("End")
    page.keyboard.press("ArrowLeft")  # 1/2 of real time
    expect(slider).to_have_attribute("aria-valuetext", "1/2 of real time")
    root.locator('[data-fault="kill_broker"]').first.click()
    wait_for_virtual_time(root, 2500)
    root.get_by_role("button", name="Pause").click()
    expect(root).to_have_attribute("data-playback", "paused")
    now = float(root.get_attribute("data-lab-now"))
    page.wait_for_function("() => new URL(location.href).searchParams.get('paused') === '1'")
    query = parse_qs(urlsplit(page.url).query)
    assert query["speed"] == ["0.5"] and float(query["t"][0]) == round(now / 1000, 1) and "kill_broker" in query["log"][0]

    # Opened elsewhere, the link lands at once at that moment and speed, paused, the kill on its timeline.
    other = context.new_page()
    other.add_init_script("""new MutationObserver((_, observer) => {
        const lab = document.querySelector("[data-lab-now]");
        if (lab) { window.firstNow = Number(lab.dataset.labNow); observer.disconnect(); }
    }).observe(document, { attributes: true, subtree: true, attributeFilter: ["data-lab-now"] });""")
    other.goto(page.url)
    shared = other.locator('[data-lab="acks"]')
    shared.scroll_into_view_if_needed()
    expect(shared).to_have_attribute("data-playback", "paused")
    t = round(now / 100) * 100
    expect(shared).to_have_attribute("data-lab-now", f"{t:g}")
    assert other.evaluate("window.firstNow") == t  # seeking there at once: no frame of the run at 0 was drawn
    expect(shared.locator("[data-lab-speed]")).to_have_attribute("aria-valuetext", "1/2 of real time")
    expect(shared.locator("[data-lab-marks]")).to_contain_text("kill broker")
    other.close()

    # A reload mid-run, playing: it goes on from where it was (the URL is at most 2 s behind), not from 0.
    root.get_by_role("button", name="Play").click()
    wait_for_virtual_time(root, now + 1500)
    before = float(root.get_attribute("data-lab-now"))
    page.reload()
    root = page.locator('[data-lab="acks"]')
    root.scroll_into_view_if_needed()
    expect(root).to_have_attribute("data-playback", "playing")
    assert float(root.get_attribute("data-lab-now")) >= before - 2000 * 0.5 - 100
    expect(root.locator("[data-lab-speed]")).to_have_attribute("aria-valuetext", "1/2 of real time")


def test_copy_link_says_what_it_shares_and_copies_it(context: BrowserContext, page: Page, server: Server,
                                                      artifacts: Path) -> None:
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.url)
    root = open_lab(page, server.url, "kafka-batching", "batching", speed=None)
    set_speed(page, root, 1.0)
    for _ in range(3):
        root.locator("[data-batching-flush]").click()
    wait_for_virtual_time(root, 2000)
    root.get_by_role("button", name="Pause").click()
    expect(root).to_have_attribute("data-playback", "paused")
    seconds = float(root.get_attribute("data-lab-now")) / 1000
    what = f"this run paused at {seconds:.1f} s, speed 1× (real time), 3 actions"
    expect(root.locator("[data-lab-share-what]")).to_have_text(what)
    copy = root.get_by_role("button", name="Copy link")
    assert copy.get_attribute("aria-describedby") == root.locator("[data-lab-share-what]").get_attribute("id")
    copy.click()
    expect(root.locator("[data-lab-share-said]")).to_have_text(f"Link copied: {what}.")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == root.get_attribute("data-lab-shared")
    query = parse_qs(urlsplit(copied).query)
    # The link's moment to the tenth of a second, rounded half up as the page does and written as a number ("2" at 2.0 s).
    assert float(query["t"][0]) == math.floor(seconds * 10 + 0.5) / 10
    assert query["speed"] == ["1"] and query["paused"] == ["1"]
    assert len(json.loads(query["log"][0])) == 3
    # The actions line states both limits; its count is the server's (app/live/links.py), character for character.
    actions = root.locator("[data-lab-actions]")
    expect(actions).to_contain_text("3 of the 100 actions a run keeps")
    expect(actions).to_contain_text("of the 6000 characters a link may hold")
    settings = {k: v[0] for k, v in query.items() if k not in ("seed", "log", "t", "speed", "paused")}
    assert int(actions.get_attribute("data-chars")) == link_chars(int(query["seed"][0]), settings, json.loads(query["log"][0]))
    root.locator("[data-lab-timeline]").scroll_into_view_if_needed()
    page.screenshot(path=artifacts / "lab-copy-link.png")


def test_copy_link_without_the_clipboard_api_falls_back_and_says_so(page: Page, server: Server) -> None:
    page.add_init_script("Object.defineProperty(Navigator.prototype, 'clipboard', { get: () => undefined });")
    root = open_lab(page, server.url, "kafka-acks", "acks")
    wait_for_virtual_time(root, 500)
    root.get_by_role("button", name="Copy link").click()
    field = root.locator("[data-lab-share-field]")
    expect(field).to_be_visible()
    assert field.input_value() == root.get_attribute("data-lab-shared") and "/lessons/kafka-acks" in field.input_value()
    said = root.locator("[data-lab-share-said]")
    expect(said).to_contain_text("this run at")
    assert said.inner_text().startswith(("Link copied:", "This browser did not let the page copy"))
    assert page.evaluate("document.activeElement === document.querySelector('[data-lab-share-field]')")


def test_the_action_list_stops_at_its_number_and_shows_repeats_once(page: Page, server: Server) -> None:
    """400 flushes gave 400 labels and a 20 KB link: now one mark, "flush ×100", and the 101st refused by its number."""
    root = open_lab(page, server.url, "kafka-batching", "batching")
    flush = root.locator("[data-batching-flush]")
    flush.evaluate("button => { for (let i = 0; i < 130; i++) button.click(); }")
    expect(root.locator("[data-lab-actions]")).to_contain_text("100 of the 100 actions", timeout=15000)
    expect(root.locator("[data-lab-status]")).to_contain_text("this run holds 100 actions already")
    marks = root.locator("[data-lab-marks] li")
    expect(marks).to_have_count(1)
    expect(marks.first).to_contain_text("flush ×100")
    assert len(urlsplit(page.url).query) < 6000


def test_limits_are_stated_beside_their_inputs_and_refused_with_their_numbers(page: Page, server: Server,
                                                                             artifacts: Path) -> None:
    root = open_lab(page, server.url, "kafka-partitioner", "partitioning")
    expect(root.locator("label[for='part-key-input']")).to_contain_text("at most 256 bytes of UTF-8")
    box = root.locator("[data-key-input]")
    assert box.get_attribute("maxlength") is None  # nothing cut short silently
    box.fill("k" * 300)
    expect(root.locator("[data-key-count]")).to_have_text("300 of at most 256 bytes")
    page.keyboard.press("Enter")
    expect(root.locator("[data-key-error]")).to_have_text("Not hashed: key may be at most 256 bytes in UTF-8; got 300")
    root.locator("[data-part-key]").screenshot(path=artifacts / "lab-key-limit.png")
    box.fill("k" * 256)
    page.keyboard.press("Enter")
    expect(root.locator("[data-part-key]")).to_have_attribute("data-key", "k" * 256)

    root = open_lab(page, server.url, "kafka-compression", "compression")
    root.locator("[data-compare-payload]").select_option("text")
    expect(root.locator("label[for='compression-text']")).to_contain_text("at most 4096 bytes of UTF-8")
    text = root.get_by_label("Your text")
    assert text.get_attribute("maxlength") is None
    text.fill("é" * 2100)
    expect(root.locator("[data-text-count]")).to_have_text("4200 of at most 4096 bytes")
    root.get_by_role("button", name="Compare all codecs").click()
    expect(root.locator("[data-compare-error]")).to_contain_text("at most 4096 bytes in UTF-8; got 4200")
    expect(root.locator("[data-compare-table] tbody tr")).to_have_count(0)  # no table of other data beside the error
    # Under 4096 bytes, but 9 characters each in a link: the server refuses it by the link's number, beside the box.
    text.fill("語" * 1300)
    root.get_by_role("button", name="Use this text for the live run").click()
    expect(root.locator("[data-text-error]")).to_contain_text("over the 6000 a link may hold")
    root.locator("[data-compression-compare]").screenshot(path=artifacts / "lab-text-limit.png")


def test_a_lab_the_server_runs_slower_than_its_speed_says_so(page: Page, server_with, artifacts: Path) -> None:
    # A tick may take 50 µs of the server's time: it stops before the virtual time it asked for.
    running = server_with(lab_tick_budget_ms=0.05)
    root = open_lab(page, running.server.url, "kafka-acks", "acks")
    status = root.locator("[data-lab-status]")
    expect(status).to_contain_text("The server is running this lab slower than its speed: at", timeout=10000)
    expect(status).to_contain_text("% of real time.")
    expect(root.locator("[data-lab-pace]")).to_contain_text("the server is busy with other labs")
    # Both written by the same frame: the exact pace beside, the live region in tens.
    said, exact = root.evaluate("el => [el.querySelector('[data-lab-status]').textContent, el.querySelector('[data-lab-pace]').textContent]")
    pct = exact.split(": ")[1].split("%")[0]
    assert pct == "under 1" or int(pct) < 99
    assert (f"about {int(pct) // 10 * 10}%" if pct != "under 1" and int(pct) >= 10 else "under 10%") in said, (said, exact)
    expect(root.locator("[data-lab-pace]")).to_contain_text("% of the chosen speed")
    root.locator("[data-lab-status]").scroll_into_view_if_needed()
    page.screenshot(path=artifacts / "lab-slow-pace.png")
    assert_no_serious_axe_violation(page)


def test_projector_screenshots_of_a_closed_lab_and_the_copy_link(context: BrowserContext, page: Page, server_with,
                                                               artifacts: Path) -> None:
    running = server_with(lab_max_sessions=1)
    root = open_lab_slide(page, running.server.url, "kafka-acks", "acks")
    wait_for_virtual_time(root, 1000)
    page.screenshot(path=artifacts / "lab-projector-share.png")
    other = context.new_page()
    other.set_viewport_size({"width": 1920, "height": 1080})
    other.goto(lesson_url(running.server.url, "kafka-acks", projector="1"))
    refused = other.locator('[data-lab="acks"]')
    for _ in range(30):
        if refused.is_visible():
            break
        other.keyboard.press("ArrowRight")
    expect(refused.locator("[data-lab-closed-why]")).to_contain_text("at most 1 lab at once")
    other.screenshot(path=artifacts / "lab-projector-refused.png")
    assert_no_serious_axe_violation(other)
    other.close()


def test_the_control_channel_keeps_the_latest_value_the_order_and_resends(page: Page, server: Server) -> None:
    """static/js/lab/controls.js on its own, with a fake socket: exact messages, no timing."""
    page.goto(server.url + "/")
    result = page.evaluate("""async () => {
        const { ControlChannel } = await import("/static/js/lab/controls.js");
        const sent = [];
        const ch = new ControlChannel((type, fields) => sent.push([type, fields.id, fields.value ?? fields.action ?? null]));
        ch.send("pause");                        // before hello: waits
        ch.start({ messages_per_sec: 30, message_burst: 60 }, [["load", { t: 5000 }]]);
        for (let v = 7; v <= 16; v++) ch.send("set_config", { name: "partitions", value: v });
        const parked = ch.pending("set_config:partitions");
        ch.send("fault", { action: "flush", broker: null });  // the value asked for before it goes first
        const afterFault = sent.slice();
        ch.confirm(3);
        const stillPending = ch.pending("set_config:partitions");
        ch.confirm(5);
        const settled = ch.pending("set_config:partitions");
        ch.send("set_config", { name: "partitions", value: 8 });   // id 6, on its way
        ch.send("set_config", { name: "partitions", value: 9 });   // parked behind it
        const resent = ch.refused({ id: 6, code: "rate_limited", retry_ms: 0 });  // 8 is superseded by 9: only 9 goes
        await new Promise((r) => setTimeout(r, 100));             // a token again (30 a second)
        ch.send("speed", { value: 0.5 });                          // id 8
        const again = ch.refused({ id: 8, code: "rate_limited", retry_ms: 0 });
        await new Promise((r) => setTimeout(r, 100));
        const kept = ch.refused({ id: 99, code: "bad_value" });    // not ours: shown to the learner
        return { sent, parked, afterFault, stillPending, settled, resent, again, kept };
    }""")
    assert result["afterFault"] == [["load", 1, None], ["pause", 2, None], ["set_config", 3, 7], ["set_config", 4, 16],
                                     ["fault", 5, "flush"]]
    assert result["parked"] and result["stillPending"] and not result["settled"]
    assert result["sent"][5:] == [["set_config", 6, 8], ["set_config", 7, 9], ["speed", 8, 0.5], ["speed", 9, 0.5]]
    assert result["resent"] and result["again"] and not result["kept"]
