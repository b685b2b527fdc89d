"""A session's memory: the estimate held to what Python allocates, the budget that ends a run, the cap it gives."""

from __future__ import annotations

import gc
import json
import tracemalloc

import pytest

from app.live import LABS, LabSession, Limits
from app.live.registry import SessionRegistry
from app.live.session import Playback
from app.settings import Settings


def msg(type_: str, **fields: object) -> str:
    return json.dumps({"v": 1, "type": type_, **fields})


def _allocated_by_run(lab: str, until_ms: float) -> tuple[int, int]:
    """What building and playing the lab's run to ``until_ms`` allocated (tracemalloc), and the estimate."""
    definition = LABS[lab]
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        run = definition.runtime(definition, dict(definition.preset), definition.seed)
        t = 0.0
        while t < until_ms:
            t = min(t + 1000.0, until_ms)
            run.run_until(t)
            run.drain_events()
            run.lab_view(False)  # as each frame does: a view's own scenarios (the throughput lab's twin) catch up
        gc.collect()
        used = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    return used, run.memory_bytes()


# One lab a kind: few records, many (batching), four scenarios (safe-producer), a view's twin (throughput).
@pytest.mark.parametrize("lab,until_ms", [("acks", 60_000), ("batching", 12_000), ("safe-producer", 20_000),
                                          ("throughput", 10_000)])
def test_the_estimate_is_near_what_the_run_allocates(lab: str, until_ms: float) -> None:
    used, estimate = _allocated_by_run(lab, until_ms)
    assert 0.6 <= estimate / used <= 1.4, (lab, used, estimate)  # 0.68 to 1.3 when measured


def test_the_estimate_grows_with_the_run() -> None:
    definition = LABS["batching"]
    run = definition.runtime(definition, dict(definition.preset), definition.seed)
    run.run_until(2000)
    early = run.memory_bytes()
    run.run_until(6000)
    assert run.memory_bytes() > early + 1000 * 50  # thousands of records more, 50 bytes each at least


def _session_over_budget(budget_mb: int = 3) -> LabSession:
    """The batching lab (hundreds of records a second) at real time with a small budget, played a wall second
    at a time as the websocket does (the budget is read once a wall second and at each copy)."""
    s = LabSession(LABS["batching"], Limits(events_per_sec=10**9, memory_bytes=budget_mb << 20), wall_ms=0)
    s.receive(msg("speed", value=1), 0)
    wall = 0.0
    while s.playback is Playback.PLAYING and wall < 120_000:
        wall += 1000.0
        s.tick(wall)
    return s


def test_a_run_at_its_memory_budget_ends_there_and_says_so() -> None:
    s = _session_over_budget()
    assert s.playback is Playback.ENDED
    assert s.stop_ms is not None and s.run.now == s.stop_ms < s.run.end_ms
    assert s.memory_bytes() >= 3 << 20
    frame = s.next_frame(s._wall)
    assert frame is not None and frame["playback"]["state"] == "ended"
    (notice,) = [n for n in frame["notices"] if n["kind"] == "session.memory"]
    assert "3 MB a lab session may use" in notice["text"] and f"{s.stop_ms / 1000:.1f} s" in notice["text"]
    # Nothing more happens in it: a control is refused with the reason; time does not move.
    (error,) = s.receive(msg("fault", action="flush", broker=None), s._wall + 1000)
    assert error["code"] == "ended"
    s.tick(s._wall + 5000)
    assert s.run.now == s.stop_ms


def test_a_run_ended_for_memory_seeks_back_and_plays_to_the_same_end() -> None:
    s = _session_over_budget()
    stop = s.stop_ms
    assert stop is not None
    s.receive(msg("seek", t=stop / 2), s._wall)
    assert s.playback is Playback.PLAYING and s.run.now == pytest.approx(stop / 2)
    wall = s._wall
    while s.playback is Playback.PLAYING:
        wall += 1000.0
        s.tick(wall)
    assert s.run.now == stop


def test_a_link_replays_no_further_than_the_budget() -> None:
    ended = _session_over_budget()
    s = LabSession(LABS["batching"], Limits(events_per_sec=10**9, memory_bytes=3 << 20), wall_ms=0)
    s._load(s.seed, dict(s.start), [], until=100_000)  # as a link's load at t does
    assert s.stop_ms is not None and s.run.now < 100_000
    assert abs(s.run.now - ended.stop_ms) <= 10_000  # read at each copy (10 s apart) rather than each wall second


def test_restart_gives_the_run_its_budget_again() -> None:
    s = _session_over_budget()
    s.receive(msg("restart"), s._wall)
    assert s.stop_ms is None and s.playback is Playback.PLAYING and s.run.now == 0


def test_the_session_cap_follows_from_the_memory_budget() -> None:
    assert Settings(lab_memory_mb=12_000, lab_session_memory_mb=100, workers=1).max_sessions() == 120
    assert Settings(lab_memory_mb=12_000, lab_session_memory_mb=100, workers=2).max_sessions() == 60
    assert Settings(lab_memory_mb=50, lab_session_memory_mb=100, workers=1).max_sessions() == 1  # one at least
    assert Settings(lab_memory_mb=12_000, lab_max_sessions=7).max_sessions() == 7  # set outright
    assert Settings().max_sessions() >= 1


def test_the_last_session_to_close_gives_the_memory_back() -> None:
    given: list[int] = []
    registry = SessionRegistry(2, give_back=lambda: given.append(registry.open))
    assert registry.try_open() and registry.try_open() and not registry.try_open()
    registry.close()
    assert given == []  # one still runs: its pages are in use
    registry.close()
    assert given == [0]


def test_without_a_c_library_to_trim_giving_back_only_collects(monkeypatch: pytest.MonkeyPatch) -> None:
    import app.live.registry as registry_module

    monkeypatch.setattr(registry_module.ctypes.util, "find_library", lambda name: None)  # no libc found (musl, ...)
    trim = registry_module._malloc_trim()
    assert trim() is None  # a no-op, not a call into a library that is not there
    collected: list[int] = []
    monkeypatch.setattr(registry_module.gc, "collect", lambda: collected.append(1) or 0)
    SessionRegistry(1, give_back=trim).give_back()
    assert collected == [1]
