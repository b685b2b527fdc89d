"""A classroom on one server: N learners, each with their own lab websocket, measured from one run.

Issue 10's benchmark (not a timed test). It starts ``brokerlab serve`` in a process of its own
(``--workers``), then N learners in this process, each on its own websocket lab (the labs in
turn) at the lab's default speed, acknowledging every frame as a page does. Phases:

1. steady: frames a second per session (mean and worst), p99 gap between frames, pace (virtual
   time gained / speed x wall time), the server's CPU and resident memory per session;
2. burst: every learner changes a producer setting in the same second; the time until a frame
   shows the new value (p50, p99);
3. close: every page goes; the time until the server is idle, and its memory after.

Then the **live overhead ratio**: the server's CPU per session-second over what the bare
simulation (the labs' runtimes, no frames) needs for the same virtual time; and, in this
process, a seek to the end of each lab's run and one what-if curve per lab.

The learners share this machine's cores with the server (a page's JSON is parsed with orjson
to keep their share small); the figures include that contention.

Run: ``.venv/bin/python bench/classroom.py [--learners 100] [--workers 2] [--seconds 10]``
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from typing import Any

import orjson
import psutil
import websockets

from app.live.labs import LABS
from app.live.session import LabSession, Limits
from app.settings import Settings


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


@dataclass
class Learner:
    lab: str
    ws: Any = None
    hello: dict[str, Any] = field(default_factory=dict)
    arrivals: list[float] = field(default_factory=list)
    #: (wall s, virtual now, speed) of each frame
    clock: list[tuple[float, float, float]] = field(default_factory=list)
    refused: str | None = None
    want: tuple[str, Any] | None = None
    asked_at: float = 0.0
    answered_in: float | None = None
    errors: list[str] = field(default_factory=list)

    async def run(self, url: str) -> None:
        try:
            self.ws = await websockets.connect(url, max_size=2**24, open_timeout=30)
        except Exception as exc:  # noqa: BLE001 - a refused learner is a figure, not a crash
            self.refused = f"connect: {exc}"
            return
        try:
            async for raw in self.ws:
                now = time.perf_counter()
                msg = orjson.loads(raw)
                kind = msg.get("type")
                if kind == "hello":
                    self.hello = msg
                elif kind == "error":
                    self.errors.append(msg.get("code", "?"))
                    if msg.get("code") == "too_many_sessions":
                        self.refused = "too_many_sessions"
                elif kind == "frame":
                    self.arrivals.append(now)
                    tl = msg["timeline"]
                    self.clock.append((now, tl["now"], msg["playback"]["speed"]))
                    if self.want and self.answered_in is None and msg["settings"].get(self.want[0]) == self.want[1]:
                        self.answered_in = now - self.asked_at
                    await self.ws.send(orjson.dumps({"v": 1, "type": "ack", "seq": msg["seq"]}).decode())
        except websockets.ConnectionClosed:
            pass

    def change(self) -> None:
        """A producer setting (or a topic one) set to another value, as a slider or a choice does."""
        settings = self.hello["lab"]["settings"]
        pick = next((s for s in settings if s["scope"] == "producer" and not s.get("text")), None) or \
            next((s for s in settings if s["scope"] == "topic"), None)
        if pick is None:
            return
        current = self.hello["lab"]["preset"].get(pick["name"])
        if pick.get("choices"):
            value = next(c for c in pick["choices"] if c != current)
        else:
            value = pick["high"] if current != pick["high"] else pick["low"]
        self.want = (pick["name"], value)
        self.asked_at = time.perf_counter()
        asyncio.ensure_future(self.ws.send(orjson.dumps({"v": 1, "type": "set_config", "name": pick["name"], "value": value}).decode()))


def _window(learner: Learner, start: float, end: float) -> tuple[float, float, list[float], float | None]:
    """frames/s, worst gap, gaps, pace of one learner between ``start`` and ``end`` (wall s)."""
    times = [t for t in learner.arrivals if start <= t <= end]
    gaps = [b - a for a, b in zip(times, times[1:])]
    fps = len(times) / (end - start)
    clock = [c for c in learner.clock if start <= c[0] <= end]
    pace = None
    if len(clock) >= 2:
        (w0, v0, speed), (w1, v1, _) = clock[0], clock[-1]
        if w1 > w0:
            pace = (v1 - v0) / (speed * (w1 - w0) * 1000.0)
    return fps, max(gaps, default=end - start), gaps, pace


def _tree(proc: psutil.Process) -> list[psutil.Process]:
    return [proc, *proc.children(recursive=True)]


def _cpu(proc: psutil.Process) -> float:
    total = 0.0
    for p in _tree(proc):
        try:
            t = p.cpu_times()
            total += t.user + t.system
        except psutil.NoSuchProcess:
            pass
    return total


def _rss(proc: psutil.Process) -> float:
    total = 0
    for p in _tree(proc):
        try:
            total += p.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return total / 2**20


def _bare_cost(lab_name: str, v0: float, v1: float) -> float:
    """CPU seconds the lab's runtime alone (no frames, no ledger audits) takes from virtual v0 to v1."""
    lab = LABS[lab_name]
    run = lab.runtime(lab, dict(lab.preset), lab.seed)
    run.run_until(v0)
    run.drain_events()
    started = time.process_time()
    run.run_until(v1)
    run.drain_events()
    return time.process_time() - started


async def classroom(args: argparse.Namespace) -> None:
    port = _free_port()
    env = {**os.environ, "BROKERLAB_LAB_MAX_SESSIONS": str(args.max_sessions)} if args.max_sessions else dict(os.environ)
    server = subprocess.Popen([os.path.join(os.path.dirname(sys.executable), "brokerlab"), "serve", "--port", str(port),
                               "--workers", str(args.workers)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    proc = psutil.Process(server.pid)
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1).read()
                break
            except OSError:
                await asyncio.sleep(0.1)
        await asyncio.sleep(1.0)
        rss_start = _rss(proc)
        names = list(LABS)
        learners = [Learner(names[i % len(names)]) for i in range(args.learners)]
        tasks = []
        for learner in learners:
            tasks.append(asyncio.create_task(learner.run(f"ws://127.0.0.1:{port}/ws/labs/{learner.lab}")))
            await asyncio.sleep(args.ramp / max(1, args.learners))
        await asyncio.sleep(3.0)  # every session past its first frames and first checkpoint
        live = [ln for ln in learners if ln.refused is None and ln.hello]
        print(f"learners {args.learners}, workers {args.workers}, labs in turn: {', '.join(names)}")
        print(f"sessions open {len(live)}, refused {len(learners) - len(live)}"
              + (f" ({learners[-1].refused})" if len(live) < len(learners) else ""))

        # 1. steady
        cpu0, t0 = _cpu(proc), time.perf_counter()
        v_start = {id(ln): (ln.clock[-1][1] if ln.clock else 0.0) for ln in live}
        await asyncio.sleep(args.seconds)
        t1, cpu1 = time.perf_counter(), _cpu(proc)
        v_end = {id(ln): (ln.clock[-1][1] if ln.clock else 0.0) for ln in live}
        rss_steady = _rss(proc)
        fps, worst, gaps, paces = [], [], [], []
        for ln in live:
            f, w, g, p = _window(ln, t0, t1)
            fps.append(f)
            worst.append(w)
            gaps += g
            if p is not None:
                paces.append(p)
        server_cpu = cpu1 - cpu0
        per_session_cpu = server_cpu / max(1, len(live)) / (t1 - t0)
        print(f"frames/s per session: mean {statistics.fmean(fps):.1f}, worst {min(fps):.1f} (target >= 25)")
        print(f"gap between frames: p50 {_pct(gaps, 0.5) * 1000:.0f} ms, p99 {_pct(gaps, 0.99) * 1000:.0f} ms, "
              f"worst {max(worst) * 1000:.0f} ms (target p99 < 100)")
        print(f"pace: mean {statistics.fmean(paces):.3f}, worst {min(paces):.3f} (target >= 0.99)")
        print(f"server CPU: {server_cpu / (t1 - t0):.2f} cores, {per_session_cpu * 1000:.1f} ms per session-second")
        print(f"server memory: {rss_start:.0f} MB at start, {rss_steady:.0f} MB steady, "
              f"{(rss_steady - rss_start) / max(1, len(live)):.1f} MB per session (target <= 20)")

        # 2. burst: everyone changes a setting in the same second
        for ln in live:
            ln.change()
            await asyncio.sleep(1.0 / max(1, len(live)))
        await asyncio.sleep(args.burst_wait)
        answered = [ln.answered_in for ln in live if ln.want and ln.answered_in is not None]
        unanswered = sum(1 for ln in live if ln.want and ln.answered_in is None)
        if answered:
            print(f"slider burst: answered p50 {_pct(answered, 0.5) * 1000:.0f} ms, p99 {_pct(answered, 0.99) * 1000:.0f} ms, "
                  f"{unanswered} unanswered after {args.burst_wait:g} s (target p99 < 500)")

        # 3. every page closes
        await asyncio.gather(*(ln.ws.close() for ln in live if ln.ws is not None), return_exceptions=True)
        closed = time.perf_counter()
        idle_at = None
        while time.perf_counter() - closed < 60:
            c0, w0 = _cpu(proc), time.perf_counter()
            await asyncio.sleep(0.1)
            if (_cpu(proc) - c0) / (time.perf_counter() - w0) < 0.05:
                idle_at = w0
                break
        await asyncio.sleep(2.0)
        rss_after = _rss(proc)
        print(f"idle after the last close: {'%.2f s' % (idle_at - closed) if idle_at else 'not within 60 s'} (target < 1 s)")
        print(f"memory after: {rss_after:.0f} MB, {rss_after / rss_start:.2f} x the start (target <= 1.10)")
        for task in tasks:
            task.cancel()

        # the live overhead: server CPU per session-second over the bare runtime's for the same virtual time
        by_lab: dict[str, list[tuple[float, float]]] = {}
        for ln in live:
            by_lab.setdefault(ln.lab, []).append((v_start[id(ln)], v_end[id(ln)]))
        bare = 0.0
        for name, spans in by_lab.items():
            v0 = statistics.fmean(a for a, _ in spans)
            v1 = statistics.fmean(b for _, b in spans)
            bare += _bare_cost(name, v0, v1) * len(spans)
        print(f"live overhead ratio: {server_cpu / bare:.2f} (server {server_cpu:.2f} s CPU, bare runtimes {bare:.2f} s "
              "for the same virtual time; target <= 1.5)")
        errors = sorted({e for ln in learners for e in ln.errors})
        if errors:
            print(f"error codes seen: {', '.join(errors)}")
    finally:
        server.terminate()
        server.wait(timeout=10)


def seeks_and_curves() -> None:
    """A seek to the end of each lab's run (from a fresh session: the worst case), and one what-if curve per lab."""
    from app.live.labs.whatif import sweep

    budget = Settings().lab_session_memory_mb << 20  # as the server runs them: a run ends at its memory budget
    for name, lab in LABS.items():
        session = LabSession(lab, Limits(memory_bytes=budget))
        end = session.run.end_ms
        started = time.perf_counter()
        session.horizon = end  # as if the run had got there: the seek replays it all
        session.handle({"v": 1, "type": "seek", "t": end})
        first = time.perf_counter() - started
        if session.stop_ms is not None:  # ended at the budget: the seek back goes to the middle of what it ran
            end = session.stop_ms
            print(f"  {name}: the run reached its {budget >> 20} MiB budget at {end / 1000:.0f} s")
        started = time.perf_counter()
        session.handle({"v": 1, "type": "seek", "t": end / 2})
        back = time.perf_counter() - started
        curve = None
        numeric = next((s for s in lab.settings if s.low is not None and s.scope.value != "creation"), None)
        if numeric is not None:
            started = time.perf_counter()
            try:
                sweep(lab, numeric.name, {}, None)
                curve = time.perf_counter() - started
            except Exception as exc:  # noqa: BLE001 - a lab without a curve says why
                curve = None
                print(f"  {name}: no curve for {numeric.name}: {exc}")
        print(f"{name:>14}: seek to {end / 1000:.0f} s from 0: {first * 1000:.0f} ms; back to the middle: {back * 1000:.0f} ms"
              + (f"; what-if curve of {numeric.name}: {curve * 1000:.0f} ms" if curve is not None else ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=100)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--seconds", type=float, default=10.0, help="the steady window (default 10)")
    parser.add_argument("--ramp", type=float, default=5.0, help="seconds over which the learners arrive")
    parser.add_argument("--burst-wait", type=float, default=5.0)
    parser.add_argument("--max-sessions", type=int, default=0, help="BROKERLAB_LAB_MAX_SESSIONS (0: the server's own)")
    parser.add_argument("--no-seeks", action="store_true", help="skip the seek and what-if timings")
    args = parser.parse_args()
    asyncio.run(classroom(args))
    if not args.no_seeks:
        seeks_and_curves()


if __name__ == "__main__":
    main()
