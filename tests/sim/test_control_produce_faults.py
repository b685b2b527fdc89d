"""Produce faults (app/sim/faults.py): a leader that refuses its next batches, or loses its next response."""

from __future__ import annotations

from app.sim import Scenario, control

SPEC = {"cluster": {"brokers": 3, "latency_ms": 5.0}, "topic": {"name": "t", "partitions": 1, "replication.factor": 3},
        "producer": {"acks": "all", "enable.idempotence": False, "linger.ms": 5, "request.timeout.ms": 1000},
        "workload": {"records_per_sec": 20, "keys": 3}, "duration_ms": 5000, "settle_ms": 2000}


def test_an_injected_error_refuses_exactly_the_next_two_appends_and_they_are_retried() -> None:
    sc = Scenario(SPEC, 1)
    control.run_until(sc, 1000)
    leader = sc.partition_view()[0]["leader"]
    control.drain_events(sc)
    control.inject_fault(sc, "error_not_enough_replicas", leader)
    control.run_until(sc, 3000)
    events = control.drain_events(sc)
    refused = [e for e in events if e["kind"] == "produce.error" and e.get("side") == "broker"]
    assert [e["error"] for e in refused] == ["NOT_ENOUGH_REPLICAS"] * 2
    # One request in flight at this rate, so the batch's retry is the leader's next batch and is refused too.
    assert len({e["batch"] for e in refused}) == 1
    assert sum(1 for e in events if e["kind"] == "record.retried") == 2
    result = sc.run_to_end().ledger
    assert result["failed"] == {} and result["lost"] == 0 and result["acked"] == result["sent"]


def test_a_follower_is_not_refused_a_batch_it_does_not_lead() -> None:
    sc = Scenario(SPEC, 1)
    follower = next(b for b in sc.cluster.brokers if b != sc.partition_view()[0]["leader"])
    control.inject_fault(sc, "error_not_leader_or_follower", follower, {"count": 3})
    control.run_until(sc, 2000)
    assert not [e for e in control.drain_events(sc) if e["kind"] == "produce.error"]


def test_a_lost_response_is_appended_but_never_heard() -> None:
    """One lost answer silences its connection: answers come in order, so the later ones are lost too
    until request.timeout.ms closes it; every request on it is retried on a new connection."""
    sc = Scenario(SPEC, 1)
    control.run_until(sc, 1000)
    control.inject_fault(sc, "drop_responses", sc.partition_view()[0]["leader"])
    control.run_until(sc, 4000)
    events = control.drain_events(sc)
    dropped = [e["request"] for e in events if e["kind"] == "response.dropped"]
    timeout = next(e for e in events if e["kind"] == "request.timeout")
    assert timeout["request"] == dropped[0]
    disconnected = {e["request"] for e in events if e["kind"] == "request.disconnected"}
    assert set(dropped) <= disconnected  # each lost answer's request failed with the connection
    heard = [e["request"] for e in events if e["kind"] == "ack.received"]
    assert not set(heard) & set(dropped) and max(heard) > max(dropped)  # answers again on the new connection
    assert sc.run_to_end().ledger["duplicated"] >= len(dropped)  # no idempotence: each retry is appended again
