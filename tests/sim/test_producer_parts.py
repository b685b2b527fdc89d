"""The producer's parts stepped by hand: accumulator readiness, buffer pool, partitioners, backoff."""

from __future__ import annotations

import random

from app.sim import Scenario
from app.sim.producer.buffer_pool import BufferPool
from app.sim.producer.partitioner import BuiltInPartitioner, KeyedPartitioner, RoundRobinPartitioner, StickyPartitioner
from tests.sim.conftest import small_spec


def _idle(linger: int, **producer):
    spec = small_spec(producer={"linger.ms": linger, **producer}, workload={"records_per_sec": 0}, duration_ms=1000)
    return Scenario(spec, seed=1)


def test_a_batch_waits_linger_ms_then_is_ready_for_reason_linger():
    sc = _idle(20)
    p = sc.producer
    sc.ledger.reserve(1)
    p.send_many([(0, b"k", b"v" * 10)])
    part = p.keyed.partition(b"k")
    ready, delay, _ = p.accumulator.ready(sc.now, p.metadata.leader)
    assert ready == {} and delay == 20
    sc.run(19)
    assert sc.trace.of("batch.ready") == []
    sc.run(21)
    ready_events = sc.trace.of("batch.ready")
    assert ready_events[0]["reason"] == "linger" and ready_events[0]["t"] == 20 and ready_events[0]["partition"] == part


def test_a_second_batch_makes_the_first_ready_for_reason_full():
    sc = _idle(1000, **{"batch.size": 200})
    p = sc.producer
    sc.ledger.reserve(3)
    p.send_many([(i, b"k", b"x" * 90) for i in range(3)])
    sc.run(0.5)
    reasons = [e["reason"] for e in sc.trace.of("batch.ready")]
    assert reasons and reasons[0] == "full"


def test_flush_makes_batches_ready_for_reason_flush():
    sc = _idle(1000)
    sc.ledger.reserve(1)
    sc.producer.send_many([(0, b"k", b"v")])
    sc.producer.flush()
    sc.run(1)
    assert sc.trace.of("batch.ready")[0]["reason"] == "flush"


def test_a_flush_ends_when_the_batches_it_found_are_answered_while_the_application_keeps_sending():
    # RecordAccumulator.awaitFlushCompletion waits on the results incomplete at the call, so later batches linger
    # again; the flush must not last as long as something is incomplete (with steady sends: for ever).
    sc = Scenario(small_spec(producer={"linger.ms": 200}, workload={"records_per_sec": 5000}, duration_ms=3000), seed=1)
    sc.run(1000)
    sc.producer.flush()
    sc.run(3000)
    flushed = [e["t"] for e in sc.trace.of("batch.ready") if e["reason"] == "flush"]
    later = [e["reason"] for e in sc.trace.of("batch.ready") if e["t"] > 1500]
    assert flushed and max(flushed) < 1500, flushed
    assert later and set(later) <= {"linger", "full"}, later


def test_record_batch_sizes_follow_batch_size():
    sc = _idle(0, **{"batch.size": 16384})
    sc.ledger.reserve(200)
    sc.producer.send_many([(i, None, b"v" * 100) for i in range(200)])
    created = sc.trace.of("batch.created")
    assert created[0]["buffer"] == 16384


def test_buffer_pool_hands_out_whole_buffers_and_wakes_a_waiter():
    pool = BufferPool(3 * 16384, 16384)
    assert pool.try_allocate(16384) and pool.try_allocate(16384) and pool.try_allocate(16384)
    assert not pool.try_allocate(16384)
    woke: list[int] = []
    pool.add_waiter(lambda: woke.append(pool.available))
    assert not pool.try_allocate(10)  # a waiter is ahead
    pool.deallocate(16384)
    assert woke == [16384]


def test_keyed_partitioner_is_murmur2_positive_modulo():
    assert KeyedPartitioner(3).partition(b"21") == 0
    assert KeyedPartitioner(1000).partition(b"123456789") == 566


def test_round_robin_cycles_over_available_partitions():
    rr = RoundRobinPartitioner(random.Random(0))
    first = rr.partition([0, 1, 2])
    assert [rr.partition([0, 1, 2]) for _ in range(3)] == [(first + i) % 3 for i in range(1, 4)]


def test_sticky_partitioner_moves_to_another_partition_on_a_new_batch():
    sticky = StickyPartitioner(random.Random(0))
    p = sticky.partition([0, 1, 2])
    assert sticky.partition([0, 1, 2]) == p
    q = sticky.on_new_batch(p, [0, 1, 2])
    assert q != p and sticky.partition([0, 1, 2]) == q


def test_uniform_sticky_switches_after_batch_size_bytes():
    up = BuiltInPartitioner(random.Random(0), 1000, adaptive=False)
    p = up.partition([0, 1, 2, 3])
    up.update(999, True, [0, 1, 2, 3])
    assert up.current == p
    up.update(1, False, [0, 1, 2, 3])  # the last batch is not full: wait for 2x
    assert up.produced_bytes == 1000
    up.update(1, True, [0, 1, 2, 3])
    assert up.produced_bytes == 0  # switched (perhaps to the same partition, as Kafka allows)


def test_null_keys_by_version_and_explicit_strategy():
    assert Scenario(small_spec(kafka_version="2.8"), 0).producer.strategy.value == "sticky"
    assert Scenario(small_spec(kafka_version="4.0"), 0).producer.strategy.value == "uniform-sticky"
    assert Scenario(small_spec(producer={"partitioner": "round-robin"}), 0).producer.strategy.value == "round-robin"


def test_round_robin_null_keys_spread_one_record_per_partition():
    sc = Scenario(small_spec(producer={"partitioner": "round-robin", "linger.ms": 1000},
                             workload={"records_per_sec": 0}), 0)
    sc.ledger.reserve(6)
    sc.producer.send_many([(i, None, b"v") for i in range(6)])
    assert [len(dq[0].record_ids) for dq in sc.producer.accumulator.batches] == [2, 2, 2]


def test_retry_backoff_doubles_to_the_max_with_jitter():
    sender = Scenario(small_spec(), 0).producer.sender
    for attempt, base in [(0, 100), (1, 200), (2, 400), (3, 800), (4, 1000), (9, 1000)]:
        b = sender._backoff(attempt)
        assert 0.8 * base <= b <= 1.2 * base
    old = Scenario(small_spec(kafka_version="2.8", producer={"acks": "all"}), 0).producer.sender
    assert old._backoff(5) == 100  # before KIP-580 the backoff is constant
