"""Same seed and spec -> the same trace, byte for byte; and invariants over random small specs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.sim import Scenario, run_scenario
from tests.sim.conftest import small_spec


def test_same_seed_and_spec_give_an_identical_trace(example_spec):
    example_spec["duration_ms"] = 3000
    example_spec["faults"] = [{"at_ms": 1000, "kill_broker": 1}, {"at_ms": 2000, "restart_broker": 1}]
    a = run_scenario(example_spec, seed=11)
    b = run_scenario(example_spec, seed=11)
    assert a.trace_json() == b.trace_json()
    assert json.dumps(a.metrics, sort_keys=True) == json.dumps(b.metrics, sort_keys=True)
    assert a.ledger == b.ledger


def test_another_seed_gives_another_trace():
    spec = small_spec(workload={"keys": 0})
    assert run_scenario(spec, seed=1).trace_json() != run_scenario(spec, seed=2).trace_json()


def test_per_record_events_can_be_switched_off_without_changing_behaviour():
    spec = small_spec(faults=[{"at_ms": 500, "kill_broker": 0}])
    full = run_scenario(spec, seed=4, trace_records=True)
    lean = run_scenario(spec, seed=4, trace_records=False)
    assert full.ledger == lean.ledger
    assert full.metrics == lean.metrics
    assert [e for e in full.trace if not e["kind"].startswith("record.") or e["kind"] in ("record.retried", "record.blocked")] == lean.trace
    assert any(e["kind"] == "record.sent" for e in full.trace)


@pytest.mark.parametrize("codec", ["none", "zstd"])
def test_logs_that_keep_sizes_only_change_nothing(codec: str):
    spec = small_spec(producer={"compression.type": codec}, faults=[{"at_ms": 500, "kill_broker": 0},
                                                                   {"at_ms": 1200, "restart_broker": 0}])
    kept, sized = Scenario(spec, seed=4), Scenario(spec, seed=4, keep_log_bytes=False)
    full, lean = kept.run_to_end(), sized.run_to_end()
    assert (full.ledger, full.metrics, full.trace) == (lean.ledger, lean.metrics, lean.trace)
    for b, broker in sized.cluster.brokers.items():
        for p, rep in broker.replicas.items():
            kept_log = kept.cluster.brokers[b].replicas[p].log
            assert [e.size for e in rep.log.entries] == [len(e.data) for e in kept_log.entries]
            assert all(e.data is None for e in rep.log.entries)


def test_in_flight_items_carry_send_and_receive_times():
    r = run_scenario(small_spec(duration_ms=200), seed=1)
    sent = [e for e in r.trace if e["kind"] == "request.sent"]
    acks = [e for e in r.trace if e["kind"] == "ack.received"]
    fetched = [e for e in r.trace if e["kind"] == "replica.fetched"]
    assert sent and acks and fetched
    assert all(e["arrive_ms"] > e["send_ms"] for e in sent)
    assert all(e["receive_ms"] > e["send_ms"] for e in acks + fetched)


fault = st.one_of(
    st.fixed_dictionaries({"at_ms": st.integers(0, 1500), "kill_broker": st.integers(0, 3)}),
    st.fixed_dictionaries({"at_ms": st.integers(0, 1500), "restart_broker": st.integers(0, 3)}),
    st.fixed_dictionaries({"at_ms": st.integers(0, 1500), "isolate_broker": st.integers(0, 3)}),
    st.fixed_dictionaries({"at_ms": st.integers(0, 1500), "heal": st.none()}),
    st.fixed_dictionaries({"at_ms": st.integers(0, 1500),
                           "drop_responses": st.fixed_dictionaries({"broker": st.integers(0, 3), "count": st.integers(1, 3)})}),
)


@st.composite
def specs(draw):
    brokers = draw(st.integers(1, 4))
    rf = draw(st.integers(1, brokers))
    faults = [f for f in draw(st.lists(fault, max_size=4))
              if all(v < brokers for k, v in f.items() if k in ("kill_broker", "restart_broker", "isolate_broker"))
              and ("drop_responses" not in f or f["drop_responses"]["broker"] < brokers)]
    acks = draw(st.sampled_from(["all", "1", "0"]))
    return {
        "kafka_version": draw(st.sampled_from(["2.8", "3.x", "4.0"])),
        "cluster": {"brokers": brokers, "racks": ["a", "b"], "broker.session.timeout.ms": draw(st.sampled_from([300, 1000])),
                    "broker.heartbeat.interval.ms": draw(st.sampled_from([100, 150])),
                    "replica.lag.time.max.ms": draw(st.sampled_from([500, 30000]))},
        "topic": {"partitions": draw(st.integers(1, 4)), "replication.factor": rf,
                  "min.insync.replicas": draw(st.integers(1, rf))},
        "producer": {"acks": acks, "linger.ms": draw(st.sampled_from([0, 5, 20])),
                     "enable.idempotence": acks == "all" and draw(st.booleans()), "request.timeout.ms": 500, "delivery.timeout.ms": 2000,
                     "max.in.flight.requests.per.connection": draw(st.sampled_from([1, 5])),
                     "compression.type": draw(st.sampled_from(["none", "lz4"]))},
        "workload": {"records_per_sec": draw(st.sampled_from([50, 500, 2000])), "keys": draw(st.sampled_from([0, 3])),
                     "value_bytes": 50},
        "faults": faults,
        "duration_ms": 2000,
        "settle_ms": 1000,
        "trace": {"records": False},
    }


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(specs(), st.integers(0, 3))
def test_invariants_hold_over_random_specs(spec, seed):
    sc = Scenario(spec, seed)
    result = sc.run_to_end()
    for s in sc.cluster.controller.partitions:
        logs = {b: sc.cluster.brokers[b].replicas[s.tp].log for b in s.replicas}
        for log in logs.values():
            expected = 0
            for e in log.entries:  # offsets contiguous from 0
                assert e.base_offset == expected
                expected = e.last_offset + 1
            assert log.log_end_offset == expected
            assert log.high_watermark <= log.log_end_offset
        if s.leader >= 0:
            hw = logs[s.leader].high_watermark
            for b in s.isr:  # HW <= every ISR member's LEO
                assert hw <= logs[b].log_end_offset
    led = result.ledger
    assert led["acked"] + sum(led["failed"].values()) + led["pending"] == led["sent"]
    if spec["producer"]["acks"] == "all" and spec["topic"]["min.insync.replicas"] >= 2:
        assert led["lost"] == 0  # unclean election is off by default


def test_the_trace_can_keep_only_some_kinds_and_a_scenario_steps_by_hand():
    spec = small_spec(trace={"kinds": ["leader.elected", "broker.down"]}, faults=[{"at_ms": 300, "kill_broker": 0}])
    r = run_scenario(spec, seed=1)
    assert {e["kind"] for e in r.trace} == {"leader.elected", "broker.down"}
    sc = Scenario(small_spec(), seed=1)
    assert sc.now == 0
    while sc.now < 10 and sc.step():
        pass
    assert 10 <= sc.now < 11
    assert any(e["kind"] == "request.sent" for e in sc.trace.events)


GOLDEN = Path(__file__).with_name("golden") / "kill_and_restart.json"


def _golden_run():
    spec = small_spec(producer={"compression.type": "none"}, workload={"records_per_sec": 200, "keys": 4},
                      faults=[{"at_ms": 300, "kill_broker": 1}, {"at_ms": 1200, "restart_broker": 1}], duration_ms=1500)
    return run_scenario(spec, seed=42)


def test_golden_trace_pins_a_whole_scenario():
    """Regenerate with: python -c "from tests.sim.test_determinism import write_golden; write_golden()"."""
    expected = json.loads(GOLDEN.read_text())
    r = _golden_run()
    assert r.ledger == expected["ledger"]
    assert json.loads(r.trace_json()) == expected["trace"]


def write_golden() -> None:
    r = _golden_run()
    GOLDEN.parent.mkdir(exist_ok=True)
    GOLDEN.write_text(json.dumps({"ledger": r.ledger, "trace": json.loads(r.trace_json())}, indent=0, sort_keys=True))
