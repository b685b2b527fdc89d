"""Segments and retention: rolling, deleting whole segments by time and by size, the log start offset.

Expected segment boundaries are computed from segment.bytes and the sizes of the batches each
replica appended (a leader appends one batch per produce request, a follower what one fetch
brought); runs are stepped in virtual time around the retention checks.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.sim import Scenario, SpecError, parse_spec
from app.sim.producer.producer import EPOCH_MS
from app.sim.retention import delete_old_segments
from tests.sim.handmade_log import append, make_log, stop_a_follower

TP = ("orders", 0)


def _spec(cluster: dict[str, Any] | None = None, **topic: Any) -> dict[str, Any]:
    """One partition on 3 brokers, 1000 records/s for 4 s; links of 10 ms, so a follower's fetch brings
    several batches; the retention check every second from 1 s on."""
    return {"cluster": {"brokers": 3, "latency_ms": 10, "log.retention.check.interval.ms": 1000,
                        "log.initial.task.delay.ms": 1000, **(cluster or {})},
            "topic": {"partitions": 1, "replication.factor": 3, "segment.bytes": 4096, **topic},
            "producer": {"linger.ms": 5, "compression.type": "lz4"},
            "workload": {"records_per_sec": 1000, "keys": 30, "value_bytes": 100},
            "duration_ms": 4000, "trace": {"records": False}}


def _log(sc: Scenario, broker: int):
    return sc.cluster.brokers[broker].replicas[TP].log


def _rolled_bases(chunks: list[list], segment_bytes: int) -> list[int]:
    """Segment base offsets from the chunks of batches appended, by LogSegment.shouldRoll's size rule."""
    bases, size = [0], 0
    for chunk in chunks:
        n = sum(e.size for e in chunk)
        if size and size > segment_bytes - n:
            bases.append(chunk[0].base_offset)
            size = 0
        size += n
    return bases


def test_the_leader_rolls_per_batch_and_a_follower_per_fetch_at_segment_bytes():
    spec = _spec(cluster={"log.retention.check.interval.ms": 10**9, "log.initial.task.delay.ms": 10**9})
    spec["producer"]["acks"] = 1  # the producer does not wait for the followers: their fetches bring 4 or 5 batches
    sc = Scenario(spec, seed=2)
    sc.run_to_end()
    leader = sc.cluster.controller.partitions[0].leader
    log = _log(sc, leader)
    assert [s.base_offset for s in log.segments] == _rolled_bases([[e] for e in log.entries], 4096)
    assert len(log.segments) > 50 and all(s.size <= 4096 for s in log.segments)
    differ = False
    for b in sc.cluster.brokers:
        if b == leader:
            continue
        follower = _log(sc, b)
        fetched = [(e["from_offset"], e["to_offset"]) for e in sc.trace.of("replica.fetched") if e["broker"] == b]
        chunks = [[e for e in follower.entries if lo <= e.base_offset < hi] for lo, hi in fetched]
        assert [s.base_offset for s in follower.segments] == _rolled_bases(chunks, 4096)
        differ = differ or [s.base_offset for s in follower.segments] != [s.base_offset for s in log.segments]
    assert differ  # each replica rolls its own segments
    assert sc.trace.count("segment.rolled") == sum(len(_log(sc, b).segments) - 1 for b in sc.cluster.brokers)


def test_segment_ms_rolls_by_the_records_timestamps():
    sc = Scenario(_spec(**{"segment.bytes": 10**9, "segment.ms": 700}), seed=2)
    sc.run_to_end()
    log = _log(sc, sc.cluster.controller.partitions[0].leader)
    bases, first = [0], log.entries[0].max_timestamp
    for e in log.entries[1:]:
        if e.max_timestamp - first > 700:
            bases.append(e.base_offset)
            first = e.max_timestamp
    assert [s.base_offset for s in log.segments] == bases and len(bases) == 6  # 4 s of data in 0.7 s steps
    assert {e["reason"] for e in sc.trace.of("segment.rolled")} == {"segment.ms"}


def _expected_start(log, retention_bytes: int) -> int:
    """The oldest segments go while what is left stays at least retention.bytes, and each of them ends at
    or below the high watermark."""
    segs = log.segments
    excess, i = sum(s.size for s in segs) - retention_bytes, 0
    while i < len(segs) - 1 and segs[i + 1].base_offset <= log.high_watermark and excess - segs[i].size >= 0:
        excess -= segs[i].size
        i += 1
    return segs[i].base_offset


def test_retention_bytes_moves_the_log_start_offset_to_a_segment_boundary_exactly():
    sc = Scenario(_spec(**{"retention.bytes": 20000}), seed=2)
    leader = sc.cluster.controller.partitions[0].leader
    starts = []
    for check in (1000, 2000, 3000):
        sc.run(check - 0.5)
        log = _log(sc, leader)
        expected = _expected_start(log, 20000)
        sc.run(check)
        assert log.log_start_offset == expected
        assert expected > (starts[-1] if starts else 0)
        assert log.size_bytes >= 20000
        starts.append(expected)
    deleted = [e for e in sc.trace.of("log.retention") if e["broker"] == leader]
    assert [(e["t"], e["reason"], e["log_start_offset"]) for e in deleted] == [
        (t, "retention.bytes", start) for t, start in zip((1000, 2000, 3000), starts)]
    result = sc.run_to_end()
    in_log = result.ledger["in_log"]
    assert result.ledger["deleted"] == result.ledger["acked"] - in_log and result.ledger["lost"] == 0


def test_retention_ms_deletes_the_segments_whose_newest_record_is_older():
    sc = Scenario(_spec(**{"retention.ms": 1000}), seed=2)
    leader = sc.cluster.controller.partitions[0].leader
    sc.run(2999.5)
    log = _log(sc, leader)
    now = EPOCH_MS + 3000
    expired = 0
    while now - log.segments[expired].max_timestamp > 1000:
        expired += 1
    expected = log.segments[expired].base_offset
    sc.run(3000)
    assert log.log_start_offset == expected
    assert log.segments[0].max_timestamp >= now - 1000
    assert all(e.last_offset >= expected for e in log.entries)


def test_followers_delete_their_own_segments_and_follow_the_leaders_log_start_offset():
    sc = Scenario(_spec(**{"retention.bytes": 20000}), seed=2)
    result = sc.run_to_end()
    leader = sc.cluster.controller.partitions[0].leader
    events = sc.trace.of("log.retention")
    own = {(e["t"], e["broker"]): e["log_start_offset"] for e in events if e["reason"] == "retention.bytes"}
    # Somewhere a follower's own segments ended elsewhere than the leader's ...
    assert any(start != own[(t, leader)] for (t, b), start in own.items() if b != leader)
    # ... and it then took the leader's log start offset from a fetch, and deleted below it at its next check.
    assert any(e["reason"] == "log.start.offset" and e["broker"] != leader for e in events)
    starts = {b: _log(sc, b).log_start_offset for b in sc.cluster.brokers}
    assert len(set(starts.values())) == 1
    assert result.ledger["lost"] == 0


def test_retention_never_passes_the_high_watermark_and_can_take_the_active_segment():
    log = make_log(segment_bytes=100, retention_bytes=0)
    for i in range(5):
        append(log, [(b"k", b"%d" % i)])  # a segment a batch
    log.high_watermark = 3
    assert delete_old_segments(log, EPOCH_MS) and log.log_start_offset == 3  # segments ending at or below 3
    log.high_watermark = log.log_end_offset
    gone = delete_old_segments(log, EPOCH_MS)
    # Everything breached retention, the active segment too: the log rolls, then deletes the rest.
    assert [e.base_offset for _, batches, _ in gone for e in batches] == [3, 4]
    assert log.log_start_offset == log.log_end_offset == 5 and [s.base_offset for s in log.segments] == [5]
    assert not log.entries and log.size_bytes == 0
    assert log.epochs == [(0, 5)]  # the epoch cache starts at the log start offset (truncateFromStart)
    assert delete_old_segments(log, EPOCH_MS) == []  # an empty active segment never goes


def test_retention_ms_minus_one_keeps_everything_and_compaction_alone_never_deletes():
    for configs in ({"retention_ms": -1}, {"retention_ms": 0, "cleanup_policy": "compact"}):
        log = make_log(segment_bytes=100, **configs)
        for i in range(3):
            append(log, [(b"k", b"%d" % i)])
        assert delete_old_segments(log, EPOCH_MS + 10**9) == [] and log.log_start_offset == 0


def test_a_follower_below_the_leaders_log_start_offset_starts_again_there():
    spec = _spec(cluster={"broker.session.timeout.ms": 500, "broker.heartbeat.interval.ms": 100,
                          "replica.lag.time.max.ms": 300}, **{"retention.bytes": 20000})
    sc = Scenario(spec, seed=2)
    follower, leader = stop_a_follower(sc, 300, 2500)
    stopped = _log(sc, follower).log_end_offset
    leader_start = _log(sc, leader).log_start_offset
    assert leader_start > stopped
    sc.cluster.restart_broker(follower)
    result = sc.run_to_end()
    (truncated,) = [e for e in sc.trace.of("log.truncated") if e["broker"] == follower]
    assert truncated["reason"] == "offset out of range" and truncated["from_offset"] == stopped
    assert truncated["to_offset"] >= leader_start  # the leader's log start offset when the fetch was answered
    log = _log(sc, follower)
    assert log.log_end_offset == _log(sc, leader).log_end_offset == 4000
    assert log.log_start_offset == _log(sc, leader).log_start_offset
    assert result.ledger["lost"] == 0 and result.ledger["deleted"] > 0


def test_the_retention_check_runs_on_its_schedule_and_restarts_with_the_broker():
    spec = _spec(cluster={"log.retention.check.interval.ms": 700, "log.initial.task.delay.ms": 300,
                          "broker.session.timeout.ms": 500, "broker.heartbeat.interval.ms": 100},
                 **{"retention.ms": 100, "segment.bytes": 1024})
    sc = Scenario(spec, seed=2)
    sc.run(1100)
    sc.cluster.kill_broker(2)
    sc.run(2000)
    sc.cluster.restart_broker(2)  # registers at once: its session expired
    sc.run_to_end()
    times = {b: sorted({e["t"] for e in sc.trace.of("log.retention") if e["broker"] == b}) for b in range(3)}
    assert times[0] == times[1] == [300, 1000, 1700, 2400, 3100, 3800, 4500]
    assert times[2] == [300, 1000] + [2300, 3000, 3700, 4400]  # dead from 1100; again 300 ms after 2000


def test_compacted_logs_wait_for_the_cleaner_and_get_nothing_without_it():
    spec = _spec(cluster={"log.cleaner.enable": False}, **{"cleanup.policy": "compact,delete", "retention.ms": 100})
    sc = Scenario(spec, seed=2)
    sc.run_to_end()
    assert not sc.trace.count("log.retention") and not sc.trace.count("log.cleaned")
    assert all(_log(sc, b).log_start_offset == 0 for b in range(3))


def test_a_brokers_log_configs_are_the_default_of_every_topic_that_does_not_set_its_own():
    def topic(cluster: dict, **configs: Any) -> dict:
        return parse_spec({"cluster": cluster, "topic": configs})["topic"]["configs"]

    assert topic({"log.retention.ms": 60000})["retention.ms"] == 60000
    assert topic({"log.retention.ms": 60000}, **{"retention.ms": 5000})["retention.ms"] == 5000
    assert topic({"log.retention.minutes": 2})["retention.ms"] == 120000
    assert topic({"log.retention.minutes": 2, "log.retention.ms": 7})["retention.ms"] == 7
    assert topic({"log.retention.hours": 1})["retention.ms"] == 3600000
    assert topic({"log.roll.hours": 1})["segment.ms"] == 3600000
    assert topic({"log.retention.bytes": 5000})["retention.bytes"] == 5000
    assert topic({"log.cleanup.policy": "compact"})["cleanup.policy"] == ["compact"]
    assert topic({"log.cleaner.delete.retention.ms": 5})["delete.retention.ms"] == 5
    assert topic({"log.cleaner.min.cleanable.ratio": 0.1})["min.cleanable.dirty.ratio"] == 0.1
    assert topic({"log.segment.bytes": 2**20})["segment.bytes"] == 2**20
    assert topic({})["segment.bytes"] == 2**30 and topic({})["retention.ms"] == 604800000
    # KIP-1030: the broker's log.segment.bytes is at least 1 MiB from 4.0; 14 bytes before, as a topic's still is.
    with pytest.raises(SpecError, match=r"cluster\.log\.segment\.bytes: .*Value must be at least 1048576"):
        parse_spec({"cluster": {"log.segment.bytes": 1000}})
    assert parse_spec({"kafka_version": "3.x", "cluster": {"log.segment.bytes": 1000}})["topic"]["configs"]["segment.bytes"] == 1000
    with pytest.raises(SpecError, match=r"cluster\.log\.segment\.bytes: .*Value must be at least 14"):
        parse_spec({"kafka_version": "2.8", "cluster": {"log.segment.bytes": 13}})
    with pytest.raises(SpecError, match=r"topic\.segment\.bytes: .*Value must be at least 14"):
        parse_spec({"topic": {"segment.bytes": 13}})
    with pytest.raises(SpecError, match=r"topic\.min\.cleanable\.dirty\.ratio: .*no more than 1"):
        parse_spec({"topic": {"min.cleanable.dirty.ratio": 1.5}})


def _invariants(sc: Scenario, starts: dict) -> None:
    for b, broker in sc.cluster.brokers.items():
        for tp, rep in broker.replicas.items():
            log = rep.log
            assert log.log_start_offset >= starts.get((b, tp), 0)  # never back
            starts[(b, tp)] = log.log_start_offset
            assert log.high_watermark >= log.log_start_offset
            assert log.log_end_offset >= log.high_watermark
            entries = log.entries
            assert all(a.last_offset < e.base_offset for a, e in zip(entries, entries[1:]))
            assert not entries or entries[-1].last_offset < log.log_end_offset
            segs = log.segments
            assert all(a.base_offset < s.base_offset for a, s in zip(segs, segs[1:]))
            assert segs[0].base_offset <= log.log_start_offset or not entries
            assert sum(s.size for s in segs) == log.size_bytes == sum(e.size for e in entries)
            # The cleaned part of a compacted log holds each key once.
            cleaned = [(e.base_offset + d, k) for e in entries if e.index is not None
                       for d, k in zip(e.index.deltas, e.index.keys)
                       if log.log_start_offset <= e.base_offset + d < log.cleaner_checkpoint]
            keys = [k for _, k in cleaned]
            assert len(keys) == len(set(keys))
            offsets = [o for o, _ in cleaned]
            assert offsets == sorted(set(offsets))


@st.composite
def _retention_specs(draw) -> dict[str, Any]:
    policy = draw(st.sampled_from(["delete", "compact", "compact,delete"]))
    topic = {"partitions": draw(st.integers(1, 2)), "replication.factor": 3, "cleanup.policy": policy,
             "segment.bytes": draw(st.integers(14, 6000)),
             "retention.ms": draw(st.sampled_from([-1, 200, 800, 2000])),
             "retention.bytes": draw(st.sampled_from([-1, 0, 3000, 20000])),
             "min.cleanable.dirty.ratio": draw(st.sampled_from([0.0, 0.2, 0.5, 0.9])),
             "delete.retention.ms": draw(st.sampled_from([0, 300, 86400000]))}
    faults = []
    if draw(st.booleans()):
        at = draw(st.integers(100, 1500))
        faults = [{"at_ms": at, "kill_broker": draw(st.integers(0, 2))},
                  {"at_ms": at + draw(st.integers(100, 1500)), "restart_broker": draw(st.integers(0, 2))}]
    return {"cluster": {"brokers": 3, "broker.session.timeout.ms": 500, "broker.heartbeat.interval.ms": 100,
                        "replica.lag.time.max.ms": 400, "log.initial.task.delay.ms": draw(st.integers(0, 500)),
                        "log.retention.check.interval.ms": draw(st.integers(50, 1000)),
                        "log.cleaner.backoff.ms": draw(st.integers(50, 1000))},
            "topic": topic, "faults": faults,
            "producer": {"linger.ms": draw(st.sampled_from([0, 5, 20])),
                         "compression.type": draw(st.sampled_from(["none", "lz4"]))},
            "workload": {"records_per_sec": draw(st.integers(100, 2000)), "keys": draw(st.integers(1, 40)),
                         "value_bytes": draw(st.integers(5, 200))},
            "duration_ms": 2500, "settle_ms": 500, "trace": {"records": False}}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_retention_specs(), st.integers(0, 3), st.booleans())
def test_retention_and_compaction_keep_the_logs_invariants(spec: dict[str, Any], seed: int, keep_bytes: bool):
    sc = Scenario(spec, seed=seed, keep_log_bytes=keep_bytes)
    starts: dict = {}
    t = 0.0
    while t < sc.end_ms:
        t += 100
        sc.run(t)
        _invariants(sc, starts)
    result = sc.result()
    assert result.ledger["lost"] == 0  # acks=all, no unclean election: retention and the cleaner lose nothing
