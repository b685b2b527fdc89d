"""LabSession without a socket: wall time passed in by hand, so every outcome is exact."""

from __future__ import annotations

import dataclasses
import json

import pytest

from app.live import LABS, LabSession, Limits
import app.live.session as session_module
from app.live.session import MAX_CHECKPOINTS
from app.live.outbox import Outbox


def msg(type_: str, **fields) -> str:
    return json.dumps({"v": 1, "type": type_, **fields})


def drain(s: LabSession) -> dict:
    """Acknowledge everything and take the next frame."""
    s.outbox.ack(s.outbox.seq)
    frame = s.next_frame()
    assert frame is not None
    return frame


def state_of(s: LabSession) -> tuple:
    frame = drain(s)
    return (frame["timeline"]["now"], json.dumps(frame["state"], sort_keys=True), json.dumps(s.ledger(0, force=True), sort_keys=True),
            json.dumps(frame["totals"], sort_keys=True), frame["settings"])


def test_wall_time_paces_virtual_time_at_the_chosen_speed() -> None:
    s = LabSession(LABS["acks"], wall_ms=0)
    assert s.receive(msg("speed", value=0.5), 0) == []
    s.tick(1000)
    assert s.sc.now == 500.0
    s.receive(msg("pause"), 1000)
    s.tick(5000)
    assert s.sc.now == 500.0
    s.receive(msg("resume"), 5000)
    s.tick(5100)
    assert s.sc.now == 550.0


def test_step_runs_exactly_the_next_instant_with_an_event() -> None:
    s = LabSession(LABS["acks"], wall_ms=0)
    s.tick(100)
    nxt = s.sc.sim.peek()
    s.receive(msg("step"), 100)
    assert s.paused and s.sc.now == nxt
    assert s.sc.sim.peek() > nxt


def test_seek_back_then_forward_is_the_straight_run() -> None:
    lab = LABS["acks"]
    straight = LabSession(lab, wall_ms=0)
    straight.receive(msg("speed", value=1), 0)
    straight.tick(2000)
    straight.receive(msg("set_config", name="acks", value="1"), 2000)
    straight.tick(3000)
    leader = straight.sc.partition_view()[0]["leader"]
    straight.receive(msg("fault", action="kill_broker", broker=leader), 3000)
    straight.tick(4500)
    straight.receive(msg("set_config", name="min.insync.replicas", value=1), 4500)
    straight.tick(8000)
    want = state_of(straight)
    assert straight.ledger(0, force=True)["lost"] > 0  # acks=1 and a killed leader: acknowledged records gone

    straight.receive(msg("seek", t=1234.5), 8001)
    assert straight.sc.now == 1234.5
    assert drain(straight)["reset"] is True
    rebuilt = straight.sc
    straight.receive(msg("seek", t=8000), 8002)
    assert straight.sc is rebuilt  # forward: the run goes on from 1234.5, no replay from 0
    assert state_of(straight) == want

    # A link (seed, start settings, log) replays the same run in a new session.
    link = straight.link()
    other = LabSession(lab, wall_ms=0)
    other.receive(json.dumps({"v": 1, "type": "load", **link}), 0)
    other.receive(msg("speed", value=1), 0)
    other.tick(8000)
    assert state_of(other)[:3] == want[:3]


def test_a_new_control_after_seeking_back_drops_the_old_future() -> None:
    s = LabSession(LABS["acks"], wall_ms=0)
    s.receive(msg("speed", value=1), 0)
    s.tick(1000)
    s.receive(msg("fault", action="kill_broker", broker=0), 1000)
    s.tick(2000)
    s.receive(msg("seek", t=500), 2000)
    s.receive(msg("fault", action="isolate_broker", broker=1), 2000)
    assert [e[2] for e in s.log] == ["isolate_broker"]
    assert s.horizon == 500


def test_producer_configs_need_a_new_producer_topic_configs_do_not() -> None:
    s = LabSession(LABS["acks"], wall_ms=0)
    s.tick(100)
    first = s.sc.producer
    s.receive(msg("set_config", name="min.insync.replicas", value=3), 100)
    assert s.sc.producer is first
    assert s.sc.cluster.controller.topic_configs["orders"]["min.insync.replicas"] == 3
    s.receive(msg("set_config", name="acks", value="1"), 100)
    assert s.sc.producer is not first and s.sc.producer.cfg["acks"] == 1
    notices = [n["kind"] for n in drain(s)["notices"]]
    assert notices == ["topic.altered", "producer.created"]


def test_replication_factor_recreates_the_topic_and_restarts() -> None:
    s = LabSession(LABS["acks"], wall_ms=0)
    s.tick(1000)
    s.receive(msg("set_config", name="replication.factor", value=2), 1000)
    assert s.sc.now == 0 and all(len(p["replicas"]) == 2 for p in s.sc.partition_view())
    assert drain(s)["notices"][0]["kind"] == "topic.created"


def test_acks_all_with_too_few_replicas_fails_with_not_enough_replicas() -> None:
    s = LabSession(LABS["acks"], wall_ms=0)
    s.receive(msg("speed", value=1), 0)
    s.receive(msg("set_config", name="min.insync.replicas", value=3), 0)
    s.receive(msg("fault", action="kill_broker", broker=2), 0)
    s.tick(40000)
    ledger = s.ledger(0, force=True)
    assert "NOT_ENOUGH_REPLICAS" in json.dumps(s.outbox.totals) or s.outbox.totals["produce.error"] > 0
    assert ledger["lost"] == 0


def test_outbox_coalesces_with_exact_counts_and_bounded_detail() -> None:
    box = Outbox(detail_cap=10, window=1)
    box.take()  # seq 1, unacknowledged: the page is behind
    assert not box.can_send()
    for i in range(1000):
        box.add([{"t": i, "kind": "record.sent"}, {"t": i, "kind": "replica.fetched"}])
    box.add([{"t": 1000, "kind": "broker.down", "broker": 1}])
    assert len(box.events) == 11  # ten in detail, and the important one kept besides
    box.ack(1)
    frame = box.take()
    assert frame["counts"] == {"record.sent": 1000, "replica.fetched": 1000, "broker.down": 1}
    assert frame["dropped"] == 1990
    assert frame["events"][-1]["kind"] == "broker.down"


def test_the_event_budget_slows_the_run_down() -> None:
    s = LabSession(LABS["acks"], Limits(events_per_sec=50), wall_ms=0)  # no tick cap: the budget alone slows it
    s.receive(msg("speed", value=1), 0)
    s.tick(900)
    assert s.throttled and s.sc.now < 900
    assert drain(s)["playback"]["throttled"] is True


def test_acks_all_never_shows_a_lost_record_while_leaders_change() -> None:
    """Mid-run a new leader's high watermark trails its log; the lab must not call its records lost."""
    s = LabSession(LABS["acks"], wall_ms=0)
    s.receive(msg("speed", value=1), 0)
    s.tick(2000)
    leader = s.sc.partition_view()[0]["leader"]
    s.receive(msg("fault", action="kill_broker", broker=leader), 2000)
    for wall in range(2050, 6000, 50):
        s.tick(wall)
        assert s.ledger(wall, force=True)["lost"] == 0, wall


def test_a_long_tick_falls_behind_instead_of_catching_up() -> None:
    """A server slower than the chosen speed must not ask the next tick to make up all the lost wall time."""
    s = LabSession(LABS["acks"], Limits(max_tick_ms=250.0), wall_ms=0)
    s.receive(msg("speed", value=1), 0)
    s.tick(5000)  # five wall seconds since the last tick, as if the machine had stalled
    assert s.sc.now == pytest.approx(250.0)
    assert s.throttled


def test_a_seek_to_the_horizon_as_frames_round_it_is_taken() -> None:
    """Frames give times rounded to the microsecond; the page seeks to what it was shown."""
    s = LabSession(LABS["acks"], wall_ms=0)
    s.receive(msg("speed", value=1), 0)
    s.tick(2000.0005)
    s.receive(msg("pause"), 2001)
    horizon = s.horizon
    shown = drain(s)["timeline"]["horizon"]
    assert shown > horizon  # rounded up by a hair
    s.receive(msg("seek", t=100), 2002)
    assert s.receive(msg("seek", t=shown), 2003) == []
    assert s.sc.now == horizon
    errors = s.receive(msg("seek", t=shown + 0.001), 2004)
    assert errors[0]["message"].startswith(f"seek t must be from 0 to {shown} ms")


def test_a_fault_that_changes_nothing_is_refused_not_logged() -> None:
    s = LabSession(LABS["acks"], wall_ms=0)
    s.receive(msg("speed", value=1), 0)
    s.tick(500)
    assert s.receive(msg("fault", action="kill_broker", broker=0), 500) == []
    for action, broker, words in [("kill_broker", 0, "broker 0 is already down"),
                                  ("restart_broker", 1, "broker 1 is already up"),
                                  ("heal", 2, "broker 2 is not isolated"), ("heal", None, "no broker is isolated")]:
        reply = s.receive(msg("fault", action=action, broker=broker), 501)
        assert reply[0]["code"] == "bad_value" and words in reply[0]["message"], reply
    assert s.receive(msg("fault", action="isolate_broker", broker=2), 502) == []
    assert "already isolated" in s.receive(msg("fault", action="isolate_broker", broker=2), 503)[0]["message"]
    # Broker 0 restarts within its old session (the lab's broker.session.timeout.ms is 1 s): it waits.
    assert s.receive(msg("fault", action="restart_broker", broker=0), 504) == []
    assert s.sc.cluster.restarting == {0}
    assert "already restarting" in s.receive(msg("fault", action="restart_broker", broker=0), 505)[0]["message"]
    assert [e[2] for e in s.log] == ["kill_broker", "isolate_broker", "restart_broker"]


def test_after_the_end_controls_are_refused_and_the_last_frame_is_exact() -> None:
    s = LabSession(LABS["acks"], wall_ms=0)
    s.receive(msg("speed", value=1), 0)
    end = s.sc.end_ms
    t = 0.0
    last = None
    while s.sc.now < end:
        t += 5000
        s.tick(t)
        frame = s.next_frame(t)
        if frame is not None:
            last = frame
            s.receive(msg("ack", seq=frame["seq"]), t)
    frame = s.next_frame(t) or last
    assert frame is not None and frame["playback"]["state"] == "ended"
    assert frame["ledger"] == s.ledger(t, force=True)  # not a sample from up to 250 ms before
    reply = s.receive(msg("fault", action="kill_broker", broker=0), t)
    assert reply[0]["code"] == "ended"
    assert s.receive(msg("set_config", name="acks", value="1"), t)[0]["code"] == "ended"
    assert s.receive(msg("step"), t)[0]["code"] == "ended"
    assert s.log == [] and not s.paused


def test_a_stretch_without_events_still_moves_the_clock_and_reaches_ended() -> None:
    """The last tick into the run's end may hold no event; its frame must still say "ended"."""
    s = LabSession(dataclasses.replace(LABS["acks"], base_spec={**LABS["acks"].base_spec, "duration_ms": 2000}), wall_ms=0)
    s.receive(msg("speed", value=1), 0)
    s.tick(1999.999)
    drain(s)
    assert s.sc.sim.peek() > 2000  # the premise: nothing happens in the last microsecond
    s.tick(2000)
    frame = drain(s)
    assert frame["events"] == [] and frame["timeline"]["now"] == 2000.0
    assert frame["playback"]["state"] == "ended"


def _view(s: LabSession) -> str:
    view = s.run.lab_view(exact=True)
    return json.dumps(view, sort_keys=True) if view is not None else ""


@pytest.mark.parametrize("name", ["acks", "batching", "buffer", "idempotence", "retries", "safe-producer", "throughput"])
def test_a_seek_back_from_a_checkpoint_is_the_straight_run(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A seek back starts from the last copy of the run before the target (not from 0), and lands
    on exactly the run a straight replay gives, the lab's own view included."""
    lab = LABS[name]
    fault = lab.faults[0] if lab.faults else None

    def play(until: float) -> LabSession:
        s = LabSession(lab, Limits(events_per_sec=10**9), wall_ms=0)
        s.receive(msg("speed", value=1), 0)
        s.tick(12_000)
        if fault is not None:
            assert s.receive(msg("fault", action=fault, broker=None if fault == "flush" else 0), 12_000) == []
        s.tick(until)
        return s

    s = play(35_000)
    assert 2 <= len(s._checkpoints) <= MAX_CHECKPOINTS and s._checkpoints[-1].now <= 35_000
    monkeypatch.setattr(s, "_start_run", lambda: pytest.fail("the seek replayed the run from 0"))
    s.receive(msg("seek", t=25_000), 35_001)
    straight = play(25_000)
    assert s.sc.now == straight.sc.now == 25_000
    assert state_of(s) == state_of(straight)
    assert _view(s) == _view(straight)
    # Forward again from the restored copy: the straight run to 35 s.
    s.receive(msg("seek", t=35_000), 35_002)
    again = play(35_000)
    assert state_of(s) == state_of(again) and _view(s) == _view(again)


def _play_in_ticks(s: LabSession, until: float) -> None:
    """Real time in ticks of 250 ms, as the websocket drives a session."""
    while s._wall < until:
        s.tick(min(s._wall + 250, until))


def test_a_control_after_seeking_back_drops_the_checkpoints_after_it() -> None:
    s = LabSession(LABS["acks"], wall_ms=0)
    s.receive(msg("speed", value=1), 0)
    _play_in_ticks(s, 45_000)
    assert [round(c.now) for c in s._checkpoints] == [10_000, 20_000, 30_000, 40_000]
    s.receive(msg("seek", t=15_000), 45_001)
    s.receive(msg("fault", action="kill_broker", broker=1), 45_002)
    assert [round(c.now) for c in s._checkpoints] == [10_000]  # later copies were of the old future
    _play_in_ticks(s, 60_000)
    s.receive(msg("seek", t=22_000), 60_001)
    other = LabSession(LABS["acks"], wall_ms=0)
    other.receive(json.dumps({"v": 1, "type": "load", **s.link()}), 0)
    other.receive(msg("speed", value=1), 0)
    other.tick(22_000)
    assert state_of(s)[:3] == state_of(other)[:3]


def test_checkpoints_stay_few_however_long_the_run() -> None:
    s = LabSession(LABS["acks"], wall_ms=0)
    s.receive(msg("speed", value=1), 0)
    _play_in_ticks(s, 300_000)
    assert len(s._checkpoints) <= MAX_CHECKPOINTS
    gaps = {round(b.now - a.now) for a, b in zip(s._checkpoints, s._checkpoints[1:])}
    assert max(gaps) <= 20_000  # a seek back replays at most one gap: 20 s of a 300 s run


def test_a_refused_link_is_refused_as_a_link() -> None:
    """Whatever part of a link is bad, the error's ref is load: the page says the shared run did not replay."""
    s = LabSession(LABS["acks"], wall_ms=0)
    before = s.sc
    for bad in ({"settings": {"acks": "2"}}, {"log": [[100, "fault", "kill_broker", 7]]}, {"seed": -1}):
        [error] = s.receive(msg("load", **bad), 0)
        assert (error["type"], error["code"], error["ref"]) == ("error", "bad_value", "load"), error
    assert s.sc is before  # the run goes on


def test_faults_that_change_nothing_or_name_no_broker_they_use_are_refused() -> None:
    buffer = LabSession(LABS["buffer"], wall_ms=0)
    assert buffer.receive(msg("fault", action="restore_broker", broker=0), 0)[0]["message"].endswith(
        "broker 0 is not slowed down; nothing to do")
    assert buffer.receive(msg("fault", action="slow_broker", broker=0), 0) == []
    assert "already slowed down" in buffer.receive(msg("fault", action="slow_broker", broker=0), 0)[0]["message"]
    batching = LabSession(LABS["batching"], wall_ms=0)
    assert "takes broker null" in batching.receive(msg("fault", action="flush", broker=0), 0)[0]["message"]
    assert batching.receive(msg("fault", action="flush", broker=None), 0) == []


def test_pasted_text_with_a_lone_surrogate_is_refused_by_name() -> None:
    s = LabSession(LABS["compression"], wall_ms=0)
    for message in (msg("set_config", name="text", value="\ud800 abc"), msg("load", settings={"text": "\udfff abc"})):
        [error] = s.receive(message, 0)
        assert error["code"] == "bad_value" and "lone surrogate" in error["message"], error


def test_a_message_that_raises_by_mistake_keeps_the_session(monkeypatch, caplog) -> None:
    s = LabSession(LABS["acks"], wall_ms=0)

    def broken(msg: dict) -> None:
        raise KeyError("a bug")

    monkeypatch.setattr(s, "_on_pause", broken)
    [error] = s.receive(msg("pause"), 0)
    assert error["code"] == "internal_error" and "the run goes on" in error["message"]
    assert "raised instead of being refused" in caplog.text
    monkeypatch.undo()
    assert s.receive(msg("pause"), 0) == [] and s.paused


def test_a_forward_seek_starts_from_a_copy_of_the_run_on_the_way(monkeypatch: pytest.MonkeyPatch) -> None:
    """Back to 1 s, then forward to 35 s: the run restarts from the copy at 30 s, not from 1 s, and
    lands where the straight run is."""
    s = LabSession(LABS["acks"], Limits(events_per_sec=10**9), wall_ms=0)
    s.receive(msg("speed", value=1), 0)
    s.tick(40_000)
    s.receive(msg("pause"), 40_000)
    want = _view(s), s.sc.partition_view()
    s.receive(msg("seek", t=1000), 40_000)
    ran_from = []
    advance = s._advance
    monkeypatch.setattr(s, "_advance", lambda t, notify: (ran_from.append(s.sc.now), advance(t, notify))[1])
    s.receive(msg("seek", t=40_000), 40_000)
    assert min(ran_from) >= 30_000
    assert (_view(s), s.sc.partition_view()) == want


def test_copies_of_a_busy_run_stay_within_their_share_of_the_memory_budget() -> None:
    budget = 8 << 20
    s = LabSession(LABS["acks"], Limits(events_per_sec=10**9, memory_bytes=budget), wall_ms=0)  # 40 records a second
    s.receive(msg("speed", value=1), 0)
    s.tick(120_000)
    kept = s._checkpoints
    assert sum(c.bytes for c in kept) <= budget * session_module.CHECKPOINT_SHARE and len(kept) >= 2
    assert s._checkpoint_every > session_module.CHECKPOINT_MS  # thinned: wider spacing
