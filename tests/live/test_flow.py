"""The frame's ``flow`` section: the messages in flight, bounded, counted exactly, redrawn after a jump."""

from __future__ import annotations

import pytest

from app.live import LABS, LabSession
from app.live.flow import FlowTracker, with_wire
from app.live.outbox import Outbox
from app.sim import Scenario, control
from tests.live.test_session import drain as take, msg


def played(s: LabSession, start: int, stop: int) -> list[dict]:
    """The flow sections of the frames a page acknowledging at once gets from wall ``start`` to ``stop`` (ms)."""
    out = []
    for wall in range(start, stop, 33):
        s.tick(wall)
        frame = s.next_frame(wall)
        if frame is not None:
            s.outbox.ack(frame["seq"])
            assert frame["flow"]["now"] == frame["timeline"]["now"]
            out.append(frame["flow"])
    return out


def in_flight_at(sent: dict[int, dict], lost: dict[int, float], t: float) -> set[int]:
    """Straight from the trace: the messages on the wire at ``t`` (sent, not arrived, not swallowed yet)."""
    return {i for i, e in sent.items() if e["send_ms"] <= t < e["arrive_ms"] and lost.get(i, float("inf")) > t}


def wired_run(lab: str, until: float) -> tuple[dict[int, dict], dict[int, float]]:
    sc = Scenario(with_wire(LABS[lab].build_spec(LABS[lab].preset)), LABS[lab].seed, keep_log_bytes=False)
    control.run_until(sc, until)
    events = control.drain_events(sc)
    return ({e["id"]: e for e in events if e["kind"] == "message.sent"},
            {e["id"]: e["t"] for e in events if e["kind"] == "message.lost"})


def test_every_message_reaches_the_page_once_in_flight_or_as_passed() -> None:
    """Over a stretch of frames, each message is told once: in flight (while it is) or passed (it came and went)."""
    s = LabSession(LABS["acks"], wall_ms=0)
    s.receive(msg("speed", value=0.2), 0)
    told: dict[int, dict] = {}
    frames = played(s, 0, 4000)
    for flow in frames:
        assert not any(flow["omitted"].values())
        for token in flow["in_flight"]:
            assert token["send_ms"] <= flow["now"] < token["arrive_ms"], token
        for token in flow["in_flight"] + flow["passed"]:
            assert token["id"] not in told or flow["redraw"], token
            told[token["id"]] = token
    sent, lost = wired_run("acks", s.sc.now)
    # Every message sent, whether still in flight or done, was told; nothing else was.
    assert set(told) == set(sent)
    assert frames[0]["redraw"] and "topology" in frames[0]
    kinds = {t["type"] for t in told.values()}
    assert {"produce", "produce.response", "fetch", "fetch.response"} <= kinds


def test_the_caps_hold_and_the_left_out_are_counted_exactly() -> None:
    sc = Scenario(with_wire(LABS["acks"].build_spec(LABS["acks"].preset)), 7, keep_log_bytes=False)
    tracker = FlowTracker(max_in_flight=2, max_passed=3)
    assert tracker.frame(sc, 0.0)["redraw"]  # the first frame; what passed before a redraw is history
    total_new = total_passed = 0
    seen: set[int] = set()
    for step in range(1, 60):
        control.run_until(sc, step * 40.0)
        events = control.drain_events(sc)
        tracker.add(events, sc.now)
        flow = tracker.frame(sc, sc.now)
        assert len(flow["in_flight"]) <= 2 and len(flow["passed"]) <= 3
        ids = [t["id"] for t in flow["in_flight"] + flow["passed"]]
        assert not seen & set(ids)
        seen.update(ids)
        total_new += len(flow["in_flight"]) + flow["omitted"]["in_flight"]
        total_passed += len(flow["passed"]) + flow["omitted"]["passed"]
        assert flow["count"] == tracker.in_flight
    sent, _ = wired_run("acks", sc.now)
    # Each message was counted once: told or left out, as new in flight or as passed.
    assert total_new + total_passed == len(sent) > len(seen)


def test_a_standstill_after_a_cap_redraws_the_whole_set() -> None:
    sc = Scenario(with_wire(LABS["acks"].build_spec(LABS["acks"].preset)), 7, keep_log_bytes=False)
    tracker = FlowTracker(max_in_flight=1)
    control.run_until(sc, 800.0)
    tracker.add(control.drain_events(sc), sc.now)
    tracker.frame(sc, sc.now)  # the first frame redraws anyway
    control.run_until(sc, 1200.0)
    tracker.add(control.drain_events(sc), sc.now)
    busy = tracker.frame(sc, sc.now)
    assert busy["omitted"]["in_flight"] > 0 and not busy["redraw"]
    still = tracker.frame(sc, sc.now, standstill=True)
    assert still["redraw"] and len(still["in_flight"]) == 1 and still["omitted"]["in_flight"] == tracker.in_flight - 1


def test_a_seek_back_redraws_the_messages_in_flight_at_that_time() -> None:
    """Seek back past a checkpoint: the redraw holds exactly what the straight run had in flight then."""
    s = LabSession(LABS["acks"], wall_ms=0)
    s.receive(msg("speed", value=1), 0)
    s.tick(250)
    for wall in range(250, 12_500, 250):  # past the first checkpoint (10 s of virtual time)
        s.tick(wall)
        take(s)
    s.receive(msg("pause"), 12_500)
    target = 10_437.5
    s.receive(msg("seek", t=target), 12_500)
    flow = take(s)["flow"]
    assert flow["redraw"] and flow["now"] == target
    sent, lost = wired_run("acks", target)
    assert {t["id"] for t in flow["in_flight"]} == in_flight_at(sent, lost, target) != set()
    assert {t["id"]: (t["send_ms"], t["arrive_ms"]) for t in flow["in_flight"]} == {
        i: (sent[i]["send_ms"], sent[i]["arrive_ms"]) for i in in_flight_at(sent, lost, target)}
    # Forward again from there: the same messages as the straight run, told once more only as new ones.
    s.receive(msg("seek", t=12_000), 12_500)
    again = take(s)["flow"]
    sent, lost = wired_run("acks", 12_000)
    assert {t["id"] for t in again["in_flight"]} == in_flight_at(sent, lost, 12_000)


def test_a_dropped_response_travels_marked_and_an_isolation_swallows_what_it_cuts_off() -> None:
    s = LabSession(LABS["idempotence"], wall_ms=0)
    s.receive(msg("speed", value=1), 0)
    s.tick(600)
    take(s)
    leader = s.sc.partition_view()[0]["leader"]
    s.receive(msg("fault", action="drop_responses", broker=leader), 600)
    marked = [t for flow in played(s, 633, 3000) for t in flow["in_flight"] + flow["passed"] if t.get("lost")]
    assert marked and marked[0]["type"] == "produce.response" and marked[0]["lost"] == "lost"

    s = LabSession(LABS["acks"], wall_ms=0)
    s.receive(msg("speed", value=1), 0)
    s.tick(400)
    take(s)
    s.receive(msg("fault", action="isolate_broker", broker=1), 400)
    swallowed = [e for flow in played(s, 433, 1500)
                 for e in flow["lost"] + [t for t in flow["passed"] if t.get("lost") == "isolated"]]
    assert swallowed
    assert all(e.get("reason", e.get("lost")) == "isolated" for e in swallowed)


def test_the_outbox_counts_messages_but_keeps_them_out_of_its_detail() -> None:
    box = Outbox(detail_cap=2)
    box.add([{"t": 1.0, "kind": "message.sent", "id": i} for i in range(5)] + [{"t": 1.0, "kind": "batch.created"}])
    out = box.take()
    assert out["events"] == [{"t": 1.0, "kind": "batch.created"}]
    assert out["counts"] == {"message.sent": 5, "batch.created": 1} and out["dropped"] == 0


def test_the_topology_names_racks_and_latencies_and_follows_a_slowed_broker() -> None:
    s = LabSession(LABS["buffer"], wall_ms=0)
    first = take(s)["flow"]["topology"]
    name = s.sc.producer.client_id
    assert first["clients"] == [{"name": name, "kind": "producer"}] and [b["broker"] for b in first["brokers"]] == [0]
    assert first["links"] == [{"src": name, "dst": 0, "latency_ms": 5.0}]
    s.tick(100)
    assert "topology" not in take(s)["flow"]  # unchanged: not sent again
    s.receive(msg("fault", action="slow_broker", broker=0), 100)
    slowed = take(s)["flow"]["topology"]
    assert slowed["links"] == [{"src": name, "dst": 0, "latency_ms": 3005.0}]


@pytest.mark.parametrize("lab", ["partitioning", "consumers"])
def test_every_field_of_the_flow_section_is_documented(lab: str) -> None:
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "protocol.md").read_text(encoding="utf-8")
    s = LabSession(LABS[lab], wall_ms=0)
    s.tick(500)
    flow = take(s)["flow"]
    fields = set(flow) | set(flow["topology"]) | set(flow["omitted"]) | set(flow["accumulator"])
    fields |= {k for c in flow["topology"]["clients"] for k in c}
    if lab == "consumers":
        assert "groups" in flow
        fields |= set(flow["groups"]) | {k for m in flow["groups"]["members"].values() for k in m}
    missing = sorted(f for f in fields if f"`{f}`" not in doc)
    assert not missing, f"docs/protocol.md does not document the flow fields: {missing}"


def test_consumers_are_drawn_by_client_id_with_their_state_partitions_and_coordinator() -> None:
    """The picture's consumers are network nodes (message.sent's src and dst), each with its member name; every
    consumer's message travels on a link the topology has; ``groups`` says who reads what and who coordinates."""
    s = LabSession(LABS["consumers"], wall_ms=0)
    s.receive(msg("speed", value=1), 0)
    frames = played(s, 0, 3000)
    topology = frames[0]["topology"]
    consumers = [c for c in topology["clients"] if c["kind"] == "consumer"]
    assert [(c["name"], c["member"]) for c in consumers] == [("consumer-billing-1", "billing-0"),
                                                             ("consumer-billing-2", "billing-1"),
                                                             ("consumer-billing-3", "billing-2")]
    links = {(link["src"], link["dst"]) for link in topology["links"]}
    names = {c["name"] for c in consumers}
    sent = [m for f in frames for m in f["in_flight"] + f["passed"] if m["src"] in names or m["dst"] in names]
    assert {m["type"] for m in sent} >= {"fetch", "fetch.response", "join_group", "sync_group", "find_coordinator"}
    assert all((m["src"], m["dst"]) in links or (m["dst"], m["src"]) in links for m in sent)
    groups = [f["groups"] for f in frames if "groups" in f][-1]
    assert groups["coordinators"] == {"billing": 0}
    assert groups["members"]["billing-0"] == {"client": "consumer-billing-1", "group": "billing", "state": "consuming",
                                              "partitions": [["orders", 0]], "from": [0]}
    # Told only when it changes, and again after a jump.
    assert sum("groups" in f for f in frames) < len(frames) / 4
    s.receive(msg("fault", action="kill_consumer", target="billing-1"), 3000)
    s.tick(3100)
    killed = s.next_frame(3100)["flow"]["groups"]["members"]["billing-1"]
    assert killed["state"] == "killed" and killed["partitions"] == []


def test_a_run_without_consumer_groups_has_no_groups_section() -> None:
    s = LabSession(LABS["acks"], wall_ms=0)
    assert all("groups" not in flow for flow in played(s, 0, 1000))
