"""The live lab in a real browser under load: frames per second drawn, and event-to-frame latency.

Issue 4's benchmark (not a timed test): the acks lab with about 2,000 records in flight
(acks=all, 150 ms between brokers, a heavy workload at real-time speed), drawn by headless
Chromium. It prints

- the page's frame rate: requestAnimationFrame callbacks a second while the lab runs
  (the main thread's headroom; target >= 50),
- the lab frames a second it received and drew (the server sends at most 30),
- event-to-frame latency: from the wall time virtual time reached an event to the wall
  time its frame was drawn (p50, p99; target p99 < 100 ms),
- records in flight (the ledger's "waiting for an answer"), to show the load was there.

Run: ``BROKERLAB_CHROMIUM=/usr/bin/chromium .venv/bin/python bench/lab_frames.py [--seconds 8] [--rate 2500]``
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import socket
import statistics
import threading
import time

import uvicorn
from playwright.sync_api import sync_playwright

from app.live import labs
from app.main import create_app
from app.settings import Settings

LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _heavy_acks(rate: int) -> labs.Lab:
    base = dict(labs.LABS["acks"].base_spec)
    base["workload"] = {**base["workload"], "records_per_sec": rate, "keys": 0}
    return dataclasses.replace(labs.LABS["acks"], base_spec=base, speed=1.0)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0, help="how long to measure (default 8)")
    parser.add_argument("--rate", type=int, default=2500, help="records a second produced (default 2500: about 2,000 in flight)")
    args = parser.parse_args()

    labs.LABS["acks"] = _heavy_acks(args.rate)
    app = create_app(Settings(lab_events_per_sec=1_000_000))
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", ws="websockets-sansio",
                                           lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)

    chromium = os.environ.get("BROKERLAB_CHROMIUM") or None
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True, args=LAUNCH_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        page.goto(f"http://127.0.0.1:{port}/lessons/kafka-acks")
        root = page.locator('[data-lab="acks"]')
        root.scroll_into_view_if_needed()
        page.wait_for_selector('[data-lab="acks"][data-lab-ready]')
        time.sleep(2.0)  # let the in-flight records build up
        page.evaluate("""() => {
            const root = document.querySelector('[data-lab="acks"]');
            root.labStats = { latencies: [], frames: 0 };
            window.__raf = 0;
            const count = () => { window.__raf += 1; requestAnimationFrame(count); };
            requestAnimationFrame(count);
        }""")
        in_flight: list[int] = []
        start = time.monotonic()
        while time.monotonic() - start < args.seconds:
            time.sleep(0.25)
            in_flight.append(int(page.locator('[data-ledger="pending"]').inner_text()))
        elapsed = time.monotonic() - start
        raf, stats = page.evaluate("""() => [window.__raf, document.querySelector('[data-lab="acks"]').labStats]""")
        browser.close()
    server.should_exit = True
    thread.join(timeout=10)

    latencies = stats["latencies"]
    fps = raf / elapsed
    print(f"records produced: {args.rate}/s at real-time speed; measured {elapsed:.1f} s")
    print(f"records in flight (ledger 'waiting for an answer'): median {statistics.median(in_flight):.0f}, max {max(in_flight)}")
    print(f"page frame rate: {fps:.1f} fps (target >= 50): {fps / 50:.2f} x target")
    print(f"lab frames drawn: {stats['frames'] / elapsed:.1f} a second (server sends at most 30)")
    p50, p99 = _percentile(latencies, 0.5), _percentile(latencies, 0.99)
    print(f"event-to-frame latency over {len(latencies)} events: p50 {p50:.1f} ms, p99 {p99:.1f} ms (target < 100): "
          f"{p99 / 100:.2f} x target")


if __name__ == "__main__":
    main()
