"""Whole scenarios with exact expectations about what Kafka would do."""

from __future__ import annotations

import json

from app.sim import Scenario, run_scenario
from tests.sim.conftest import small_spec


def kinds(result) -> set[str]:
    return {e["kind"] for e in result.trace}


def test_example_spec_runs_as_written(example_spec):
    """Broker 1 dies at 2 s: it stays in every ISR until the controller fences it when its session
    expires (broker.session.timeout.ms, 9 s), so acks=all waits on all partitions meanwhile; the
    restart at 6 s cannot register before then either. Nothing is lost, duplicated or reordered."""
    r = run_scenario(example_spec, seed=7)
    led = r.ledger
    assert led["sent"] == 50000
    assert led["lost"] == 0 and led["duplicated"] == 0 and led["reordered"] == 0
    assert led["failed"] == {}
    assert led["in_log"] >= led["acked"] > 9000  # the first 2 s, then the stall
    restarting = next(e for e in r.trace if e["kind"] == "broker.restarting")
    assert restarting["t"] == 6000 and restarting["registers_at"] == 11000
    assert {e["t"] for e in r.trace if e["kind"] in ("broker.fenced", "leader.elected", "broker.up")} == {11000}
    assert {"broker.down", "broker.up", "leader.elected", "isr.shrunk"} <= kinds(r)
    json.dumps(r.trace)  # JSON-serialisable
    assert r.metrics["broker"]["UnderReplicatedPartitions"] == 6  # broker 1 registered at the very end


def test_acks_all_survives_one_broker_down():
    spec = small_spec(faults=[{"at_ms": 500, "kill_broker": 0}], duration_ms=3000)
    r = run_scenario(spec, seed=1)
    assert r.ledger["lost"] == 0
    assert r.ledger["failed"] == {}
    assert r.ledger["acked"] == r.ledger["sent"] == 3000
    assert "broker.fenced" in kinds(r)


def test_acks_all_two_brokers_down_refuses_with_not_enough_replicas():
    # NOT_ENOUGH_REPLICAS is retriable: the producer retries until delivery.timeout.ms, then fails the batch.
    spec = small_spec(faults=[{"at_ms": 500, "kill_broker": 0}, {"at_ms": 500, "kill_broker": 1}],
                      duration_ms=3000, settle_ms=6000)
    r = run_scenario(spec, seed=1)
    errors = {e["error"] for e in r.trace if e["kind"] == "produce.error"}
    assert "NOT_ENOUGH_REPLICAS" in errors
    assert r.ledger["lost"] == 0
    assert r.ledger["failed"].get("TimeoutException", 0) > 0
    assert r.metrics["broker"]["UnderMinIsrPartitionCount"] == 3


def test_acks_all_two_brokers_down_without_retries_fails_with_the_error_itself():
    spec = small_spec(producer={"retries": 0}, faults=[{"at_ms": 500, "kill_broker": 0}, {"at_ms": 500, "kill_broker": 1}],
                      duration_ms=3000)
    r = run_scenario(spec, seed=1)
    assert r.ledger["failed"].get("NOT_ENOUGH_REPLICAS", 0) > 0
    assert r.ledger["lost"] == 0


def _acks1_spec(acks):
    # Followers fetch over a slow link (100 ms each way), so the leader acks records they never see.
    links = [{"from": a, "to": b, "latency_ms": 100} for a in range(3) for b in range(3) if a < b]
    return small_spec(producer={"acks": acks}, network={"links": links},
                      topic={"partitions": 1, "min.insync.replicas": 1},
                      faults=[{"at_ms": 1000, "kill_broker": 0}, {"at_ms": 1000, "kill_broker": 1},
                              {"at_ms": 1000, "kill_broker": 2}, {"at_ms": 1100, "restart_broker": 1},
                              {"at_ms": 1100, "restart_broker": 2}, {"at_ms": 2500, "restart_broker": 0}],
                      duration_ms=3000)


def test_acks_1_loses_acked_records_when_the_leader_dies_before_followers_fetch():
    spec = small_spec(producer={"acks": 1},
                      network={"links": [{"from": a, "to": b, "latency_ms": 150} for a in range(3) for b in range(3) if a < b]},
                      topic={"partitions": 1, "min.insync.replicas": 1},
                      faults=[{"at_ms": 1000, "kill_broker": "LEADER"}, {"at_ms": 2500, "restart_broker": "LEADER"}],
                      duration_ms=3000)
    leader = _leader_of_partition_0(spec)
    for f in spec["faults"]:
        for k in ("kill_broker", "restart_broker"):
            if k in f:
                f[k] = leader
    r = run_scenario(spec, seed=3)
    assert r.ledger["lost"] > 0
    truncated = [e for e in r.trace if e["kind"] == "log.truncated"]
    assert truncated and truncated[0]["broker"] == leader and truncated[0]["records"] > 0
    assert any(e["kind"] == "leader.elected" and e["previous"] == leader for e in r.trace)


def _leader_of_partition_0(spec) -> int:
    from app.sim import Scenario

    probe = Scenario(spec | {"faults": []}, seed=3)
    return probe.cluster.controller.partitions[0].leader


def test_acks_all_does_not_lose_records_in_the_same_situation():
    spec = small_spec(network={"links": [{"from": a, "to": b, "latency_ms": 150} for a in range(3) for b in range(3) if a < b]},
                      topic={"partitions": 1, "min.insync.replicas": 2}, duration_ms=3000)
    leader = _leader_of_partition_0(spec)
    spec["faults"] = [{"at_ms": 1000, "kill_broker": leader}, {"at_ms": 2500, "restart_broker": leader}]
    r = run_scenario(spec, seed=3)
    assert r.ledger["lost"] == 0


def _dropped(idempotence: bool, in_flight: int):
    spec = small_spec(producer={"enable.idempotence": idempotence, "max.in.flight.requests.per.connection": in_flight},
                      workload={"records_per_sec": 2000, "keys": 5},
                      faults=[{"at_ms": 300, "drop_responses": {"broker": b, "count": 3}} for b in range(3)],
                      duration_ms=2000, settle_ms=3000)
    return run_scenario(spec, seed=5)


def test_dropped_responses_duplicate_records_without_idempotence():
    r = _dropped(False, 1)
    assert r.ledger["duplicated"] > 0
    assert r.ledger["lost"] == 0
    assert "response.dropped" in kinds(r)
    assert r.ledger["reordered"] == 0  # in-flight 1 keeps order even through retries


def test_dropped_responses_never_duplicate_with_idempotence():
    r = _dropped(True, 5)
    assert r.ledger["duplicated"] == 0
    assert r.ledger["reordered"] == 0
    assert "duplicate.rejected" in kinds(r)
    assert r.ledger["acked"] == r.ledger["sent"]


def _transient_not_enough_replicas(idempotence: bool, version: str = "4.0"):
    # min.insync 3 of RF 3: while one broker is fenced every write gets NOT_ENOUGH_REPLICAS; batches
    # retried with backoff come back to the front of the queue one by one, so a later batch can go first.
    # 20 ms each way keeps several batches of one partition in flight at once.
    spec = small_spec(kafka_version=version,
                      producer={"enable.idempotence": idempotence, "max.in.flight.requests.per.connection": 5},
                      cluster={"latency_ms": 20},
                      topic={"min.insync.replicas": 3}, workload={"records_per_sec": 2000, "keys": 5},
                      faults=[{"at_ms": 300, "kill_broker": 2}, {"at_ms": 1200, "restart_broker": 2}],
                      duration_ms=2000, settle_ms=3000)
    return run_scenario(spec, seed=5)


def test_in_flight_5_without_idempotence_reorders_a_key():
    r = _transient_not_enough_replicas(False)
    assert r.ledger["reordered"] > 0
    assert r.ledger["lost"] == 0


def test_in_flight_5_without_retries_needed_keeps_order():
    """A broker handles one connection's requests one at a time, in order (it mutes the connection
    until it has answered), so five requests in flight reorder nothing unless one is retried."""
    spec = {"cluster": {"brokers": 3, "latency_ms": 20}, "topic": {"name": "t", "partitions": 3, "replication.factor": 3},
            "producer": {"acks": "all", "linger.ms": 0, "enable.idempotence": False},
            "workload": {"records_per_sec": 2000, "keys": 10, "value_bytes": 50}, "duration_ms": 5000, "settle_ms": 2000}
    r = run_scenario(spec, seed=2)
    sent = [e for e in r.trace if e["kind"] == "request.sent"]
    appended = [e["batch"] for e in r.trace if e["kind"] == "produce.appended"]
    assert "record.retried" not in kinds(r)
    out, most = {}, 0
    for e in r.trace:
        if e["kind"] in ("request.sent", "ack.received"):
            out[e["broker"]] = out.get(e["broker"], 0) + (1 if e["kind"] == "request.sent" else -1)
            most = max(most, out[e["broker"]])
    assert most > 1  # several requests to one broker were in flight at once
    by_broker = {}
    for s in sent:
        by_broker.setdefault(s["broker"], []).extend(b[1] for b in s["batches"])
    leaders = {e["batch"]: e["broker"] for e in r.trace if e["kind"] == "produce.appended"}
    for broker, batches in by_broker.items():
        assert [b for b in appended if leaders[b] == broker] == batches  # appended in the order sent
    assert r.ledger["reordered"] == 0 and r.ledger["acked"] == r.ledger["sent"]


def test_in_flight_5_with_idempotence_keeps_order():
    r = _transient_not_enough_replicas(True)
    assert r.ledger["reordered"] == 0
    assert r.ledger["duplicated"] == 0
    assert r.ledger["lost"] == 0
    assert r.ledger["acked"] == r.ledger["sent"]


def test_slow_broker_fills_buffer_memory_then_send_fails_after_max_block_ms():
    spec = small_spec(producer={"buffer.memory": 65536, "max.block.ms": 300, "request.timeout.ms": 30000,
                                "delivery.timeout.ms": 60000},
                      workload={"records_per_sec": 5000},
                      faults=[{"at_ms": 200, "add_latency": {"broker": b, "ms": 5000}} for b in range(3)],
                      duration_ms=1500)
    r = run_scenario(spec, seed=2)
    assert r.ledger["failed"].get("BufferExhaustedException", 0) > 0
    blocked = [e for e in r.trace if e["kind"] == "record.blocked"]
    exhausted = [e for e in r.trace if e["kind"] == "buffer.exhausted"]
    assert blocked and exhausted
    blocked_at = {e["record"]: e["t"] for e in blocked}
    assert all(round(e["t"] - blocked_at[e["record"]], 6) == 300 for e in exhausted)
    assert exhausted[0]["message"].startswith("Failed to allocate 16384 bytes within the configured max blocking time 300 ms.")
    assert r.metrics["producer"]["bufferpool-wait-ratio"] > 0


def test_larger_linger_gives_larger_batches():
    sizes = []
    for linger in (0, 20, 100):
        r = run_scenario(small_spec(producer={"linger.ms": linger}, workload={"records_per_sec": 2000}), seed=1)
        sizes.append(r.metrics["producer"]["batch-size-avg"])
    assert sizes[0] < sizes[1] < sizes[2]


def _rate(codec: str, value: str, value_bytes: int = 200) -> float:
    spec = small_spec(producer={"compression.type": codec, "linger.ms": 50},
                      workload={"records_per_sec": 3000, "value": value, "value_bytes": value_bytes}, duration_ms=1000)
    return run_scenario(spec, seed=1).metrics["producer"]["compression-rate-avg"]


def test_gzip_and_zstd_shrink_json_more_than_lz4_and_snappy():
    rates = {c: _rate(c, "json") for c in ("gzip", "zstd", "lz4", "snappy")}
    assert max(rates["gzip"], rates["zstd"]) < min(rates["lz4"], rates["snappy"]) < 0.5


def test_random_bytes_do_not_shrink():
    # Only the record framing (lengths, keys, zero attributes) compresses: about 1% of 1 KB records.
    for codec in ("gzip", "lz4", "zstd", "snappy"):
        assert _rate(codec, "random", 1000) >= 0.98


def test_isr_shrinking_under_a_waiting_request_gives_not_enough_replicas_after_append_on_2_8():
    # Broker 2 dies while acks=all requests wait for it; when it is fenced the ISR drops below
    # min.insync.replicas 3 with the data already in the leader's log. A 2.8 leader then moves
    # the high watermark over it and answers NOT_ENOUGH_REPLICAS_AFTER_APPEND.
    r = _transient_not_enough_replicas(False, "2.8")
    errors = [e for e in r.trace if e["kind"] == "produce.error" and e.get("side") == "broker"]
    names = {e["error"] for e in errors}
    assert {"NOT_ENOUGH_REPLICAS", "NOT_ENOUGH_REPLICAS_AFTER_APPEND"} <= names
    assert r.ledger["duplicated"] > 0  # the appended data is retried without idempotence


def test_under_min_isr_the_high_watermark_stays_and_waiting_requests_time_out():
    """Since 3.7 (KAFKA-15583) a leader under min.insync.replicas does not move the high watermark:
    the requests waiting for the fenced broker get no answer at all, not AFTER_APPEND."""
    r = _transient_not_enough_replicas(False, "4.0")
    fenced = next(e["t"] for e in r.trace if e["kind"] == "broker.fenced")
    back = next(e["t"] for e in r.trace if e["kind"] == "isr.expanded")
    errors = {e["error"] for e in r.trace if e["kind"] == "produce.error" and e.get("side") == "broker"}
    assert "NOT_ENOUGH_REPLICAS_AFTER_APPEND" not in errors
    assert not [e for e in r.trace if e["kind"] == "hw.advanced" and fenced < e["t"] < back]
    assert any(e["kind"] == "request.timeout" for e in r.trace)  # the producer gave up waiting, and retried
    assert r.ledger["acked"] == r.ledger["sent"] and r.ledger["lost"] == 0


def test_idempotence_through_expired_batches_neither_loses_nor_duplicates():
    """min.insync 3 with two brokers down: batches wait, are retried, and expire after delivery.timeout.ms.

    An expired batch may have been written, so Kafka bumps the epoch only once the partition has
    nothing in flight (TransactionManager.maybeResolveSequences), and every new epoch starts its
    sequences at 0. The outage outlasts the delivery timeout several times, so several bumps.
    """
    spec = {"kafka_version": "4.0", "cluster": {"brokers": 3},
            "topic": {"name": "t", "partitions": 1, "replication.factor": 3, "min.insync.replicas": 3},
            "producer": {"delivery.timeout.ms": 3000, "request.timeout.ms": 1000, "linger.ms": 5},
            "workload": {"records_per_sec": 200, "keys": 0, "value_bytes": 50},
            "faults": [{"at_ms": 1000, "kill_broker": 1}, {"at_ms": 1000, "kill_broker": 2},
                       {"at_ms": 6000, "restart_broker": 1}, {"at_ms": 6000, "restart_broker": 2}],
            "duration_ms": 12000, "settle_ms": 3000}
    sc = Scenario(spec, 1)
    r = sc.run_to_end()
    assert r.ledger["failed"].get("TimeoutException", 0) > 0 and "duplicate.rejected" in kinds(r)
    assert r.ledger["duplicated"] == 0 and r.ledger["lost"] == 0 and r.ledger["reordered"] == 0
    assert r.ledger["in_log"] > r.ledger["acked"]  # some records reported as failed were written after all
    entries = sc.cluster.brokers[0].replicas[("t", 0)].log.entries
    epochs = [e.producer_epoch for e in entries]
    assert epochs == sorted(epochs) and epochs[-1] == sc.producer.producer_epoch > 0
    for epoch in set(epochs):
        first = next(e for e in entries if e.producer_epoch == epoch)
        assert first.base_sequence == 0  # each epoch's sequences start again at 0