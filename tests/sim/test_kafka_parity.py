"""Producer behaviour checked line by line against Apache Kafka's client source.

Each test names the Kafka code it follows: ExponentialBackoff, Sender.sendProducerData,
RecordAccumulator.drainBatchesForOneNode / shouldStopDrainBatchesForPartition,
BufferPool.allocate, ProducerConfig's idempotence rules, the 2.8 ZooKeeper session timeout, and
TransactionManager's unresolved sequences and epoch bumps.
"""

from __future__ import annotations

import pytest

from app.configs import ConfigException
from app.sim import Scenario, SpecError, parse_spec
from app.sim.config import resolve_producer
from app.sim.errors import Errors
from app.sim.producer.transaction_manager import TransactionManager
from tests.sim.conftest import small_spec


def _idle(**overrides):
    spec = small_spec(workload={"records_per_sec": 0}, duration_ms=1000, **overrides)
    return Scenario(spec, seed=1)


# -- A: ExponentialBackoff.backoff ------------------------------------------------------------
def test_retry_backoff_jitters_then_caps_at_the_max_in_whole_ms():
    sender = Scenario(small_spec(), 0).producer.sender
    values = [sender._backoff(attempt) for attempt in (3, 4, 9) for _ in range(200)]
    assert max(values) == 1000  # min((long) (rand(0.8, 1.2) * term), maxInterval): never above the max
    assert all(v == int(v) for v in values)  # (long) cast: whole milliseconds
    assert min(sender._backoff(9) for _ in range(200)) >= 800


def test_retry_backoff_above_its_max_is_a_static_backoff_of_the_max():
    # CommonClientConfigs.warnDisablingExponentialBackoff: "A static backoff with value '<max>' will be applied."
    cfg = resolve_producer({"retry.backoff.ms": 2000}, "4.0")
    assert (cfg["retry.backoff.ms"], cfg["retry.backoff.max.ms"]) == (2000, 1000)
    sender = Scenario(small_spec(producer={"retry.backoff.ms": 2000}), 0).producer.sender
    assert {sender._backoff(a) for a in range(6)} == {1000.0}


def test_retry_backoff_on_2_8_is_constant_retry_backoff_ms():
    sender = Scenario(small_spec(kafka_version="2.8", producer={"acks": "all", "retry.backoff.ms": 2000}), 0).producer.sender
    assert {sender._backoff(a) for a in range(6)} == {2000.0}


# -- B: Sender wake-up after a drain -----------------------------------------------------------
def test_a_batch_behind_a_drained_one_is_sent_without_waiting_for_the_answer():
    # Two full batches on one partition: drain takes one per partition, then the Sender
    # polls again at once (pollTimeout = 0), so the second goes out at the same instant.
    sc = _idle(producer={"linger.ms": 1000, "batch.size": 200})
    sc.ledger.reserve(4)
    sc.producer.send_many([(i, b"k", b"x" * 90) for i in range(4)])
    sc.run(0.5)  # well before any answer (1 ms each way)
    sent = sc.trace.of("request.sent")
    assert len(sent) >= 2 and all(e["t"] == 0 for e in sent)


def test_a_pass_that_can_send_nothing_does_not_spin():
    # In-flight limit 1 reached with more batches queued: no zero-delay wake-up loop.
    sc = _idle(producer={"linger.ms": 1000, "batch.size": 200, "max.in.flight.requests.per.connection": 1,
                         "enable.idempotence": False})
    sc.ledger.reserve(6)
    sc.producer.send_many([(i, b"k", b"x" * 90) for i in range(6)])
    calls = []
    orig = sc.producer.sender.run_once

    def counting():
        calls.append(sc.now)
        orig()

    sc.producer.sender.run_once = counting
    sc.run(0.5)
    assert len(calls) < 10


# -- C/E: RecordAccumulator drain ----------------------------------------------------------------
def _one_broker(**producer):
    spec = small_spec(cluster={"brokers": 1, "racks": ["a"]},
                      topic={"partitions": 3, "replication.factor": 1, "min.insync.replicas": 1},
                      producer={"linger.ms": 0, **producer}, workload={"records_per_sec": 0}, duration_ms=1000)
    return Scenario(spec, seed=1)


def _key_for(p, part: int) -> bytes:
    return next(k for k in (f"k{i}".encode() for i in range(1000)) if p.keyed.partition(k) == part)


def test_drain_index_is_the_last_partition_visited():
    sc = _one_broker(**{"linger.ms": 1000})
    p = sc.producer
    sc.ledger.reserve(3)
    p.send_many([(part, _key_for(p, part), b"v") for part in range(3)])
    p.accumulator.drain_index[0] = 0
    out = p.drain(0, sc.now)
    assert len(out) == 3
    # updateDrainIndex(node, drainIndex) runs before the index moves on (KAFKA-13834):
    # after visiting 0, 1, 2 the next drain starts at 2.
    assert p.accumulator.drain_index[0] == 2


def test_a_retried_batch_waits_until_it_is_first_in_flight_and_stops_the_drain():
    sc = _one_broker(**{"batch.size": 200, "enable.idempotence": True})
    p = sc.producer
    assert p.idempotent
    part = p.keyed.partition(b"k")
    sc.ledger.reserve(11)
    p.send_many([(i, b"k", b"x" * 90) for i in range(4)])
    sc.run(0.5)
    p.sender.run_once()  # both batches of the partition sent; no answer yet
    inflight = sorted(p.inflight_batches[part], key=lambda b: b.base_sequence)
    assert len(inflight) >= 2
    first, second = inflight[0], inflight[1]
    # The second batch fails retriably while the first is still out.
    p.sender._complete(second, Errors.NOT_ENOUGH_REPLICAS, -1, sc.now)
    second.backoff_ms = 0.0
    # Another partition on the same broker has a sendable batch too.
    other = next(q for q in range(3) if q != part)
    p.send_many([(10, _key_for(p, other), b"v")])
    p.accumulator.drain_index[0] = p.metadata.partitions_by_leader[0].index(part)
    assert p.txn.should_stop_drain(part, second)  # baseSequence != firstInFlightSequence
    assert p.drain(0, sc.now) == []  # Kafka breaks: the other partition is not drained either
    assert p.accumulator.batches[part][0] is second
    # Once the first batch has its answer, the retry is first in flight and goes.
    p.complete_batch(first, 0, sc.now)
    assert not p.txn.should_stop_drain(part, second)


# -- D: BufferPool.allocate's message ------------------------------------------------------------
def test_buffer_exhausted_message_names_batch_size_as_poolable_size():
    spec = {"kafka_version": "4.0", "cluster": {"brokers": 1},
            "topic": {"name": "t", "partitions": 1, "replication.factor": 1},
            "producer": {"buffer.memory": 50000, "max.block.ms": 1000, "max.request.size": 60000},
            "workload": {"records_per_sec": 100, "keys": 0, "value": "random", "value_bytes": 20000},
            "faults": [{"at_ms": 0, "kill_broker": 0}], "duration_ms": 1500, "settle_ms": 0,
            "trace": {"records": False}}
    sc = Scenario(spec, seed=1)
    sc.run(1500)
    events = sc.trace.of("buffer.exhausted")
    assert events
    msg = events[0]["message"]
    assert msg.endswith("Poolable size: 16384 bytes")
    assert "Failed to allocate 16384 bytes" not in msg  # the request is bigger than batch.size


# -- F: idempotence config rules by version --------------------------------------------------------
def test_2_8_idempotence_forces_acks_all_when_acks_is_not_set():
    cfg = resolve_producer({"enable.idempotence": True}, "2.8")
    assert cfg["enable.idempotence"] is True and cfg["acks"] == -1
    with pytest.raises(ConfigException, match="Must set acks to all") as err:
        resolve_producer({"enable.idempotence": True, "acks": "1"}, "2.8")
    assert err.value.name == "acks" and err.value.value == "1"
    with pytest.raises(ConfigException, match="to at most 5 to use the idempotent producer") as err:
        resolve_producer({"enable.idempotence": True, "max.in.flight.requests.per.connection": 6}, "2.8")
    assert err.value.name == "max.in.flight.requests.per.connection"
    assert resolve_producer({"max.in.flight.requests.per.connection": 10}, "2.8")["acks"] == 1  # idempotence off


def test_3_x_defaulted_idempotence_is_disabled_by_more_than_5_in_flight():
    cfg = resolve_producer({"max.in.flight.requests.per.connection": 10}, "3.x")
    assert cfg["enable.idempotence"] is False and cfg["acks"] == -1
    with pytest.raises(ConfigException, match="Must set max.in.flight.requests.per.connection to at most 5") as err:
        resolve_producer({"enable.idempotence": True, "max.in.flight.requests.per.connection": 10}, "3.x")
    assert err.value.name == "max.in.flight.requests.per.connection" and err.value.value == 10


def test_4_0_refuses_more_than_5_in_flight_even_when_idempotence_is_only_defaulted():
    # trunk ProducerConfig: the in-flight check runs whenever idempotence is on, before acks=1 turns it off.
    with pytest.raises(ConfigException, match="must be set to at most 5. Current value is 10.") as err:
        resolve_producer({"acks": "1", "max.in.flight.requests.per.connection": 10}, "4.0")
    assert err.value.name == "max.in.flight.requests.per.connection"
    assert resolve_producer({"acks": "1", "enable.idempotence": False,
                             "max.in.flight.requests.per.connection": 10}, "4.0")["enable.idempotence"] is False


# -- G: 2.8 runs on ZooKeeper ---------------------------------------------------------------------
def test_2_8_cluster_notices_a_dead_broker_after_the_zookeeper_session_timeout():
    configs = {v: parse_spec({"kafka_version": v})["cluster"]["configs"] for v in ("2.8", "3.x", "4.0")}
    assert configs["2.8"]["broker.session.timeout.ms"] == 18000
    assert configs["3.x"]["broker.session.timeout.ms"] == 9000
    assert configs["4.0"]["broker.session.timeout.ms"] == 9000
    explicit = parse_spec({"kafka_version": "2.8", "cluster": {"broker.session.timeout.ms": 1000}})
    assert explicit["cluster"]["configs"]["broker.session.timeout.ms"] == 1000
    zk = parse_spec({"kafka_version": "2.8", "cluster": {"zookeeper.session.timeout.ms": 6000}})
    assert zk["cluster"]["configs"]["broker.session.timeout.ms"] == 6000


def test_2_8_leader_moves_only_after_18_s():
    spec = small_spec(kafka_version="2.8", producer={"acks": "all"}, workload={"records_per_sec": 0}, duration_ms=20000)
    del spec["cluster"]["broker.session.timeout.ms"]
    sc = Scenario(spec, seed=1)
    s = sc.cluster.controller.partitions[0]
    old = s.leader
    sc.cluster.kill_broker(old)
    sc.run(17999)
    assert s.leader == old
    sc.run(18001)
    assert s.leader != old


class _Batch:
    """Just what TransactionManager reads of a ProducerBatch."""

    def __init__(self, base_sequence: int, records: int = 10, attempts: int = 1) -> None:
        self.partition, self.base_sequence, self.record_count, self.attempts = 0, base_sequence, records, attempts
        self.producer_epoch, self.sequence_reset = 0, False

    @property
    def last_sequence(self) -> int:
        return self.base_sequence + self.record_count - 1

    def reset_producer_state(self, epoch: int, seq: int) -> None:
        self.producer_epoch, self.base_sequence, self.sequence_reset = epoch, seq, True


def _sent(tm: TransactionManager, inflight: list[set], n: int) -> list[_Batch]:
    batches = [_Batch(tm.sequence_for(0, 10)) for _ in range(n)]
    inflight[0].update(batches)
    return batches


def test_an_expired_batch_that_later_batches_follow_needs_no_epoch_bump() -> None:
    """maybeResolveSequences: once nothing is in flight, a last ack right before the next sequence
    proves the expired batch was written; the epoch stays."""
    inflight: list[set] = [set()]
    tm = TransactionManager(1, inflight)
    a, b = _sent(tm, inflight, 2)
    inflight[0].discard(a)
    tm.on_failed(a, "TimeoutException", expired=True, adjust=False)
    assert tm.unresolved == {0: 10}
    assert tm.should_stop_drain(0, _Batch(-1))  # no new batch while the sequence is unknown
    tm.maybe_resolve_sequences()
    assert tm.unresolved  # b is still in flight
    inflight[0].discard(b)
    tm.on_acked(b)
    tm.maybe_resolve_sequences()
    assert not tm.unresolved and not tm.bump_if_needed() and tm.epoch == 0
    assert tm.sequence_for(0, 10) == 20


def test_an_expired_batch_nothing_followed_bumps_the_epoch_and_restarts_at_0() -> None:
    inflight: list[set] = [set()]
    tm = TransactionManager(1, inflight)
    a, b = _sent(tm, inflight, 2)
    tm.on_acked(a)
    inflight[0].discard(a)
    inflight[0].discard(b)
    tm.on_failed(b, "TimeoutException", expired=True, adjust=False)
    tm.maybe_resolve_sequences()
    assert tm.bump_if_needed() and tm.epoch == 1
    assert tm.sequence_for(0, 10) == 0


def test_a_bump_rewrites_the_partitions_batches_in_flight_in_order() -> None:
    """startSequencesAtBeginning: the batches still in flight get the new epoch and sequences from 0."""
    inflight: list[set] = [set()]
    tm = TransactionManager(1, inflight)
    a, b, c = _sent(tm, inflight, 3)
    inflight[0].discard(a)
    tm.on_failed(a, "MESSAGE_TOO_LARGE", expired=False, adjust=True)
    assert tm.bump_if_needed()
    assert [(x.producer_epoch, x.base_sequence, x.sequence_reset) for x in (b, c)] == [(1, 0, True), (1, 10, True)]
    assert tm.sequence_for(0, 10) == 20


# -- Partition.effectiveMinIsr (3.7+) against the value as set (2.8) ---------------------------------
@pytest.mark.parametrize(("version", "refused"), [("2.8", True), ("3.x", False), ("4.0", False)])
def test_min_insync_above_the_replication_factor_refuses_writes_only_on_2_8(version, refused):
    spec = small_spec(kafka_version=version, topic={"replication.factor": 1, "min.insync.replicas": 2},
                      producer={"acks": "all", "enable.idempotence": True, "delivery.timeout.ms": 2000},
                      duration_ms=500, settle_ms=2000)
    sc = Scenario(spec, seed=1)
    r = sc.run_to_end()
    errors = {e["error"] for e in r.trace if e["kind"] == "produce.error" and e.get("side") == "broker"}
    assert ("NOT_ENOUGH_REPLICAS" in errors) is refused
    assert (r.ledger["acked"] == 0) is refused
    assert r.metrics["broker"]["UnderMinIsrPartitionCount"] == (3 if refused else 0)


# -- H: KRaft sessions run from the last heartbeat ------------------------------------------------
def _fenced_at(kafka_version: str, fault: str, at_ms: float, until_ms: float = 25000) -> float:
    spec = small_spec(kafka_version=kafka_version, workload={"records_per_sec": 0}, duration_ms=until_ms)
    del spec["cluster"]["broker.session.timeout.ms"], spec["cluster"]["broker.heartbeat.interval.ms"]
    sc = Scenario(spec, seed=1)
    sc.run(at_ms)
    getattr(sc.cluster, fault)(1)
    sc.run(until_ms)
    return next(e["t"] for e in sc.trace.of("broker.fenced") if e["broker"] == 1)


def test_a_crash_is_noticed_a_session_timeout_after_the_last_heartbeat():
    # Heartbeats every 2000 ms from registration at 0: a crash at 2500 ms last reached the
    # controller at 2000 ms, so the broker is fenced at 11000 ms, 8.5 s after the crash.
    assert _fenced_at("4.0", "kill_broker", 2500) == 11000
    assert _fenced_at("4.0", "kill_broker", 3999) == 11000
    assert _fenced_at("4.0", "kill_broker", 4000) == 13000
    assert _fenced_at("4.0", "isolate", 2500) == 11000
    # ZooKeeper mode (2.8): counted from the crash.
    assert _fenced_at("2.8", "kill_broker", 2500) == 20500


def test_a_restarted_broker_heartbeats_from_its_new_registration():
    spec = small_spec(workload={"records_per_sec": 0}, duration_ms=3000)
    sc = Scenario(spec, seed=1)  # session 500 ms, heartbeat 100 ms
    sc.run(1000)
    sc.cluster.kill_broker(1)
    sc.run(1600)  # fenced at 1500; the restart registers at once
    sc.cluster.restart_broker(1)
    assert sc.cluster.registered_at[1] == 1600
    sc.run(1750)
    sc.cluster.kill_broker(1)  # last heartbeat 1700, so fenced at 2200
    sc.run(3000)
    assert [e["t"] for e in sc.trace.of("broker.fenced") if e["broker"] == 1][-1] == 2200


def test_an_isolation_that_was_healed_does_not_fence_a_later_one_early():
    spec = small_spec(workload={"records_per_sec": 0}, duration_ms=3000)
    sc = Scenario(spec, seed=1)
    sc.run(1000)
    sc.cluster.isolate(1)
    sc.run(1200)
    sc.cluster.heal(1)
    sc.run(1450)
    sc.cluster.isolate(1)  # last heartbeat 1400: fenced at 1900, not at the first isolation's 1500
    sc.run(1899)
    assert not sc.trace.of("broker.fenced")
    sc.run(3000)
    assert sc.trace.of("broker.fenced")[0]["t"] == 1900


def test_a_heartbeat_too_slow_for_the_session_is_refused_with_kafkas_words():
    with pytest.raises(SpecError, match=r"broker.heartbeat.interval.ms \(2000 ms\) must be less than or equal to "
                                        r"half of the broker.session.timeout.ms \(3000 ms\)") as err:
        parse_spec({"cluster": {"broker.session.timeout.ms": 3000}})
    assert err.value.path == "cluster.broker.heartbeat.interval.ms"
    # ZooKeeper mode has no broker heartbeats to check.
    assert parse_spec({"kafka_version": "2.8", "cluster": {"broker.session.timeout.ms": 3000}})
