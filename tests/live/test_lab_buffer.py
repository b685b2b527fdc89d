"""The buffer lab's session, stepped by hand: a slowed broker fills buffer.memory, send() blocks, and
BufferExhaustedException follows max.block.ms later; a longer max.block.ms rides the same stall out."""

from __future__ import annotations

import json

import pytest

from app.live import LABS, LabSession
from app.sim import control
from app.sim.faults import SLOW_BROKER_MS


def msg(type_: str, **fields) -> str:
    return json.dumps({"v": 1, "type": type_, **fields})


def run(s: LabSession, until: float) -> list[dict]:
    """Real-time speed: wall ms = virtual ms. Returns the events on the way."""
    events = []
    wall = s._wall
    while s.sc.now < until:
        wall += 50
        s.tick(wall)
        events += s.outbox.events
        s.outbox.ack(s.outbox.seq)
        s.next_frame(wall)
    return events


def slowed(**settings) -> LabSession:
    s = LabSession(LABS["buffer"], wall_ms=0)
    if settings:
        s.receive(msg("load", settings=settings), 0)
    s.receive(msg("speed", value=1), 0)
    run(s, 1000)
    assert s.receive(msg("fault", action="slow_broker", broker=0), s._wall) == []
    return s


def test_the_preset_keeps_the_buffer_mostly_free() -> None:
    s = LabSession(LABS["buffer"], wall_ms=0)
    s.receive(msg("speed", value=1), 0)
    run(s, 3000)
    buf = control.snapshot(s.sc)["buffer"]
    assert buf["total"] == 1048576 and buf["batch_size"] == 16384 and buf["max_block_ms"] == 2000
    assert buf["available"] > buf["total"] // 2 and buf["blocked_since"] is None and buf["slow_brokers"] == {}
    assert s.metrics()["buffer-total-bytes"] == 1048576


def test_a_slow_broker_fills_the_buffer_then_send_fails_after_max_block_ms() -> None:
    s = slowed()
    events = run(s, 9000)
    buf = control.snapshot(s.sc)["buffer"]
    assert buf["slow_brokers"] == {"0": SLOW_BROKER_MS}
    assert buf["available"] < buf["batch_size"]
    blocked = [e for e in events if e["kind"] == "record.blocked"]
    exhausted = [e for e in events if e["kind"] == "buffer.exhausted"]
    assert blocked and exhausted
    # The first failure comes exactly max.block.ms after the first block, with Kafka's words.
    assert exhausted[0]["t"] == pytest.approx(blocked[0]["t"] + 2000)
    assert exhausted[0]["message"].startswith("Failed to allocate 16384 bytes within the configured max blocking time 2000 ms. "
                                              "Total memory: 1048576 bytes. Available memory: 0 bytes.")
    assert s.ledger(0, force=True)["failed"]["BufferExhaustedException"] >= 1
    assert s.metrics()["bufferpool-wait-ratio"] > 0


def test_a_longer_max_block_ms_blocks_but_does_not_fail() -> None:
    s = slowed(**{"max.block.ms": "5000"})
    events = run(s, 12000)
    assert any(e["kind"] == "record.blocked" for e in events)
    assert not any(e["kind"] == "buffer.exhausted" for e in events)


def test_restoring_the_broker_frees_the_buffer() -> None:
    s = slowed()
    run(s, 6000)
    s.receive(msg("fault", action="restore_broker", broker=0), s._wall)
    run(s, 16000)
    buf = control.snapshot(s.sc)["buffer"]
    assert buf["slow_brokers"] == {} and buf["blocked_since"] is None and buf["available"] > buf["total"] // 2


def test_seek_back_then_forward_replays_the_slowdown_exactly() -> None:
    s = slowed()
    run(s, 7000)
    straight = (json.dumps(control.snapshot(s.sc), sort_keys=True), json.dumps(s.ledger(0, force=True), sort_keys=True))
    s.receive(msg("seek", t=500), s._wall)
    assert s.sc.now == 500 and control.snapshot(s.sc)["buffer"]["slow_brokers"] == {}
    run(s, 7000)
    assert (json.dumps(control.snapshot(s.sc), sort_keys=True), json.dumps(s.ledger(0, force=True), sort_keys=True)) == straight


def test_bad_buffer_controls_are_refused_by_name() -> None:
    s = LabSession(LABS["buffer"], wall_ms=0)
    [error] = s.receive(msg("set_config", name="buffer.memory", value="1000"), 0)
    assert error["code"] == "bad_value" and "buffer.memory must be one of" in error["message"]
    [error] = s.receive(msg("fault", action="slow_broker", broker=3), 0)
    assert error["code"] == "bad_value" and "broker id from 0 to 0" in error["message"]
    [error] = s.receive(msg("fault", action="kill_broker", broker=0), 0)
    assert "slow_broker, restore_broker" in error["message"]
