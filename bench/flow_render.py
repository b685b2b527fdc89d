"""The cluster picture under load in a real browser: frames a second with 2,000 tokens in flight, and event-to-pixel latency.

Issue 11's benchmark (not a timed test). The acks lab runs at real-time speed in headless Chromium at
1920x1080, projected (the picture fills the slide), and the page keeps 2,000 tokens in flight on the
picture's own links (synthetic ones added on top of the simulator's, each crossing its link in 2 to 8
s of virtual time). It prints, in one run:

- frames a second the page draws (requestAnimationFrame callbacks, and the picture's own paints)
  with the picture, against the same page without it (the tables-only page: the picture's module is
  replaced by one that draws nothing); target >= 58;
- latency from a simulator event to its first drawn pixel: from the wall time virtual time reached a
  message's send time (the frame's server wall clock, its virtual now and the speed date it) to the
  wall time of the paint that first drew its token; p50 and p99, target p99 < 50 ms; the tables-only
  page's event-to-frame latency (static/js/lab/lab.js) beside it.

Run: ``BROKERLAB_CHROMIUM=/usr/bin/chromium .venv/bin/python bench/flow_render.py [--seconds 8] [--tokens 2000]``
"""

from __future__ import annotations

import argparse
import os
import socket
import threading
import time

import uvicorn
from playwright.sync_api import Page, sync_playwright

from app.main import create_app
from app.settings import Settings

LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TARGET_FPS = 58.0
TARGET_P99_MS = 50.0
#: What the tables-only page loads instead of the picture: lab.js finds no picture and draws its panels alone.
NO_PICTURE = "export function createPicture() { return null; }\n"

#: Keeps ``n`` synthetic tokens in flight on the picture's links, at the page's virtual time.
KEEP_TOKENS = """(el, n) => {
  const p = el.querySelector('[data-flow]').flowPicture;
  const links = [...p.layout.links.values()];
  let id = 1e9;
  let seed = 7;
  const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  const top = () => {
    const now = p.now();
    let live = 0;
    for (const t of p.tokens.tokens.values()) if (t.id >= 1e9) live += 1;
    for (; live < n; live++) {
      const link = links[Math.floor(rnd() * links.length)];
      const back = link.response && rnd() < 0.5;
      const span = 2000 + rnd() * 6000;
      const send = now - rnd() * span;
      const type = typeof link.src === 'string' ? (back ? 'produce.response' : 'produce') : (rnd() < 0.5 ? 'fetch' : 'fetch.response');
      p.tokens.add({ id: id++, type, src: back ? link.dst : link.src, dst: back ? link.src : link.dst, send_ms: send,
                     arrive_ms: send + span, bytes: 1000, batches: [], results: [], partitions: [] });
    }
  };
  top();
  setInterval(top, 100);
}"""

COUNT_FRAMES = """el => {
  window.__raf = 0;
  const count = () => { window.__raf += 1; requestAnimationFrame(count); };
  requestAnimationFrame(count);
  el.labStats = { latencies: [], frames: 0 };
  const f = el.querySelector('[data-flow]');
  if (f.flowStats) { f.flowStats.latencies = []; f.flowStats.paints = 0; f.flowStats.paintMs = 0; }
}"""

READ = """el => {
  const f = el.querySelector('[data-flow]');
  return { raf: window.__raf, lab: el.labStats, flow: f.flowStats || null, tokens: Number(f.dataset.flowCount || 0) };
}"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def _open_slide(page: Page, url: str) -> None:
    page.goto(url)
    root = page.locator('[data-lab="acks"]')
    for _ in range(40):
        if root.is_visible():
            break
        page.keyboard.press("ArrowRight")
    # A lab opens its session once it is on screen (its slide shown).
    page.wait_for_selector('[data-lab="acks"][data-lab-ready]', state="attached")
    slider = root.locator("[data-lab-speed]")
    slider.focus()
    page.keyboard.press("End")  # real time
    page.locator("main").focus()


def _measure(page: Page, seconds: float) -> dict:
    root = page.locator('[data-lab="acks"]')
    root.evaluate(COUNT_FRAMES)
    start = time.monotonic()
    time.sleep(seconds)
    out = root.evaluate(READ)
    out["elapsed"] = time.monotonic() - start
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0, help="how long to measure each page (default 8)")
    parser.add_argument("--tokens", type=int, default=2000, help="tokens kept in flight on the picture (default 2000)")
    parser.add_argument("--frames", type=float, default=30.0,
                        help="lab_frames_per_sec, the frames a second the server sends at most (default 30, the setting's default)")
    args = parser.parse_args()

    app = create_app(Settings(lab_events_per_sec=1_000_000, lab_frames_per_sec=args.frames))
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", ws="websockets-sansio",
                                           lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    url = f"http://127.0.0.1:{port}/lessons/kafka-acks?projector=1"

    chromium = os.environ.get("BROKERLAB_CHROMIUM") or None
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True, args=LAUNCH_ARGS)
        # The tables-only page: the same lesson and lab, the picture's module swapped for one that draws nothing.
        base = browser.new_page(viewport={"width": 1920, "height": 1080})
        base.route("**/static/js/flow/picture.js", lambda route: route.fulfill(body=NO_PICTURE, content_type="text/javascript"))
        _open_slide(base, url)
        time.sleep(2.0)
        baseline = _measure(base, args.seconds)
        base.close()

        page = browser.new_page(viewport={"width": 1920, "height": 1080})
        _open_slide(page, url)
        root = page.locator('[data-lab="acks"]')
        page.wait_for_function("el => el.querySelector('[data-flow]').flowPicture.layout", arg=root.element_handle())
        root.evaluate(KEEP_TOKENS, args.tokens)
        time.sleep(2.0)
        picture = _measure(page, args.seconds)
        browser.close()
    server.should_exit = True
    thread.join(timeout=10)

    base_fps = baseline["raf"] / baseline["elapsed"]
    fps = picture["raf"] / picture["elapsed"]
    paints = picture["flow"]["paints"] / picture["elapsed"]
    paint_ms = picture["flow"]["paintMs"] / max(1, picture["flow"]["paints"])
    lat = picture["flow"]["latencies"]
    base_lat = baseline["lab"]["latencies"]
    p50, p99 = _percentile(lat, 0.5), _percentile(lat, 0.99)
    b50, b99 = _percentile(base_lat, 0.5), _percentile(base_lat, 0.99)
    print(f"acks lab at real-time speed, projected at 1920x1080, {args.seconds:.0f} s measured per page, "
          f"server frames at most {args.frames:g} a second")
    print(f"tokens drawn at the end: {picture['tokens']} (kept at {args.tokens} synthetic plus the simulator's own)")
    print(f"tables-only page: {base_fps:.1f} frames/s; event-to-frame latency p50 {b50:.1f} ms, p99 {b99:.1f} ms over {len(base_lat)} events")
    print(f"with the picture: {fps:.1f} frames/s ({paints:.1f} picture paints/s) = {fps / TARGET_FPS:.2f} x target "
          f"({TARGET_FPS:.0f}), {fps / base_fps:.2f} x the tables-only page; {paint_ms:.1f} ms of script a paint")
    print(f"event to first drawn pixel over {len(lat)} messages: p50 {p50:.1f} ms, p99 {p99:.1f} ms = {p99 / TARGET_P99_MS:.2f} x target "
          f"(< {TARGET_P99_MS:.0f} ms), {p99 / b99:.2f} x the tables-only page's event-to-frame p99")


if __name__ == "__main__":
    main()
