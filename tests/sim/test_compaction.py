"""Log compaction: the cleaner keeps the latest record per key, as Kafka's LogCleaner does.

Exact expectations on logs built batch by batch (tests/sim/handmade_log.py) and on whole
runs stepped in virtual time; kafka-python reads the batches the cleaner rewrote.
"""

from __future__ import annotations

import warnings
from typing import Any

import pytest

from app.sim import Scenario, log_cleaner
from app.sim.batch_filter import DELETE_HORIZON_MASK
from app.sim.producer.producer import EPOCH_MS
from app.sim.records import decode_batch, read_batch_header
from tests.sim.handmade_log import append, latest_per_key, make_log, records, stop_a_follower

T0 = EPOCH_MS


def _clean(log, at_ms: int) -> log_cleaner.CleanerStats | None:
    """One pass of the cleaner over this one log at EPOCH_MS + at_ms: None if it is not dirty enough."""
    ltc = log_cleaner.grab_filthiest([(log.tp, log)], T0 + at_ms)
    if ltc is None:
        return None
    return log_cleaner.clean(ltc, T0 + at_ms)[1]


def _kafka_python_batch():
    with warnings.catch_warnings():
        # kafka-python 3.0 reads its protocol schemas with importlib.resources' read_text at import time,
        # deprecated since Python 3.11.
        warnings.filterwarnings("ignore", r"(read_text|open_text) is deprecated", DeprecationWarning)
        from kafka.record.default_records import DefaultRecordBatch
    return DefaultRecordBatch


def _spec(cleaner: bool = True, **topic: Any) -> dict[str, Any]:
    return {"cluster": {"brokers": 3, "log.cleaner.backoff.ms": 500, "log.cleaner.enable": cleaner},
            "topic": {"partitions": 1, "replication.factor": 3, "cleanup.policy": "compact", "segment.bytes": 2048,
                      **topic},
            "producer": {"linger.ms": 5, "compression.type": "lz4"},
            "workload": {"records_per_sec": 1000, "keys": 30, "value_bytes": 50},
            "duration_ms": 4000, "trace": {"records": False}}


def _replica_log(sc: Scenario, broker: int):
    return sc.cluster.brokers[broker].replicas[("orders", 0)].log


def test_compaction_keeps_the_latest_value_per_key_on_every_replica():
    full = Scenario(_spec(cleaner=False), seed=3)
    full.run_to_end()
    sc = Scenario(_spec(), seed=3)
    result = sc.run_to_end()
    assert sc.trace.count("log.cleaned") > 3
    for b in range(3):
        written = records(_replica_log(full, b))
        log = _replica_log(sc, b)
        end = log.cleaner_checkpoint
        assert end > 3000
        # Below the cleaner's checkpoint: each key's last record there; above it: everything written.
        last = {key: offset for offset, key, _, _ in written if offset < end}
        expected = [r for r in written if r[0] >= end or last[r[1]] == r[0]]
        assert records(log) == expected
        assert latest_per_key(records(log)) == latest_per_key(written)
        assert log.log_end_offset == 4000
    assert result.ledger["lost"] == 0
    in_leader = len(records(_replica_log(sc, sc.cluster.controller.partitions[0].leader)))
    assert result.ledger["compacted"] == 4000 - in_leader


def _tombstone_log():
    """a=1, b=1, a=null, c=1: one batch a segment (70 bytes each, segment.bytes 100)."""
    log = make_log(cleanup_policy="compact", segment_bytes=100, delete_retention_ms=1000)
    for key, value in [(b"a", b"1"), (b"b", b"1"), (b"a", None), (b"c", b"1")]:
        append(log, [(key, value)])
    return log


def _dirty(log, n: int, at_ms: int) -> None:
    """n more batches of new keys, enough to make the log dirty again."""
    for i in range(n):
        append(log, [(b"k%d" % (log.log_end_offset + i), b"x")], at_ms=at_ms)


def test_a_tombstone_stays_delete_retention_ms_after_its_first_cleaning_then_goes():
    log = _tombstone_log()
    stats = _clean(log, 5000)
    # a=1 is superseded; the tombstone is the latest of a: kept, stamped with its delete horizon.
    assert (stats.records_removed, stats.tombstones_kept, stats.tombstones_removed) == (1, 1, 0)
    assert [(o, k, v) for o, k, v, _ in records(log)] == [(1, b"b", b"1"), (2, b"a", None), (3, b"c", b"1")]
    tombstone = next(e for e in log.entries if e.base_offset == 2)
    header = read_batch_header(tombstone.data)
    assert tombstone.delete_horizon == T0 + 5000 + 1000
    assert header.attributes & DELETE_HORIZON_MASK and header.base_timestamp == T0 + 6000
    assert decode_batch(tombstone.data).records[0].timestamp == T0  # the record keeps its own timestamp
    _dirty(log, 6, 5500)
    stats = _clean(log, 5999)  # one millisecond before the horizon
    assert stats.tombstones_kept == 1 and (2, b"a", None, T0) in records(log)
    _dirty(log, 12, 6000)
    stats = _clean(log, 6000)
    assert (stats.tombstones_kept, stats.tombstones_removed) == (0, 1)
    assert all(key != b"a" for _, key, _, _ in records(log))


def test_the_active_segment_is_never_cleaned():
    log = make_log(cleanup_policy="compact", segment_bytes=200)
    append(log, [(b"a", b"1"), (b"b", b"1")])
    append(log, [(b"a", b"2"), (b"b", b"2")])  # 2 x 80 bytes: the first segment
    append(log, [(b"a", b"3")])  # 160 + 70 > 200: rolls, the active segment starts at offset 4
    append(log, [(b"b", b"3")])
    active = log.segments[-1]
    active_entries = [e for e in log.entries if e.base_offset >= active.base_offset]
    assert len(log.segments) == 2 and active_entries
    stats = _clean(log, 0)
    assert log.cleaner_checkpoint == active.base_offset
    assert [e for e in log.entries if e.base_offset >= active.base_offset] == active_entries  # the same objects
    # The older values of a and b are only superseded inside the active segment: the cleaner does not see that.
    assert stats.records_removed == 2
    assert [(o, k, v) for o, k, v, _ in records(log)] == [(2, b"a", b"2"), (3, b"b", b"2"), (4, b"a", b"3"),
                                                         (5, b"b", b"3")]


def test_no_cleaning_while_the_dirty_ratio_is_at_or_below_min_cleanable_dirty_ratio():
    log = make_log(cleanup_policy="compact", segment_bytes=100)
    for i in range(4):
        append(log, [(b"k%d" % i, b"1")])
    _clean(log, 0)  # all dirty: ratio 1.0
    append(log, [(b"k9", b"1")])
    append(log, [(b"k8", b"1")])
    # A segment a batch of 71 bytes: 3 clean, then k3=1 (dirty now that it is not active), k9=1, and k8 active.
    assert [e.size for e in log.entries] == [71] * 6 and len(log.segments) == 6
    ltc = log_cleaner.log_to_clean(log.tp, log, T0)
    assert (ltc.clean_bytes, ltc.cleanable_bytes) == (213, 142)
    assert ltc.cleanable_ratio == 0.4
    assert _clean(log, 0) is None
    log.config["min.cleanable.dirty.ratio"] = 0.39  # a topic config takes effect at once
    assert _clean(log, 0) is not None and log.cleaner_checkpoint == log.segments[-1].base_offset


def test_min_and_max_compaction_lag():
    log = make_log(cleanup_policy="compact", segment_bytes=100, min_compaction_lag_ms=1000, min_cleanable_dirty_ratio=0.1)
    append(log, [(b"a", b"1")], at_ms=0)
    append(log, [(b"a", b"2")], at_ms=500)
    append(log, [(b"a", b"3")], at_ms=900)  # active
    # At 1200 only the first segment is older than the lag: it alone is cleanable, with nothing newer to drop it.
    assert log_cleaner.cleanable_offsets(log, T0 + 1200) == (0, 1)
    stats = _clean(log, 1200)
    assert stats.records_removed == 0 and log.cleaner_checkpoint == 1
    assert _clean(log, 1499) is None  # offset 1 is still younger than the lag
    assert _clean(log, 1500).records_removed == 1
    # max.compaction.lag.ms: a log past it is cleaned whatever its dirty ratio.
    log = make_log(cleanup_policy="compact", segment_bytes=100, min_cleanable_dirty_ratio=0.99, max_compaction_lag_ms=2000)
    for i in range(3):
        append(log, [(b"a", b"%d" % i)], at_ms=0)
    _clean(log, 0)
    append(log, [(b"b", b"1")], at_ms=100)
    append(log, [(b"b", b"2")], at_ms=100)
    # The oldest dirty segment's first batch (a=2) was written at 0; the dirty ratio is 140 / 210.
    assert _clean(log, 2000) is None  # 2000 ms after it: not past the lag yet
    assert log_cleaner.log_to_clean(log.tp, log, T0 + 2001).need_compaction_now
    assert _clean(log, 2001).removed_ids == [1]  # a=1 (b=1's newer value is in the active segment)


def test_offsets_keep_their_gaps():
    log = make_log(cleanup_policy="compact", segment_bytes=300)
    append(log, [(b"a", b"1"), (b"b", b"1"), (b"c", b"1")])
    append(log, [(b"a", b"2"), (b"d", b"1"), (b"b", b"2")])
    append(log, [(b"e", b"1")])
    append(log, [(b"a", b"3")])  # rolls into the active segment
    before = [(e.base_offset, e.last_offset) for e in log.entries]
    _clean(log, 0)
    assert [(o, k) for o, k, _, _ in records(log)] == [(2, b"c"), (3, b"a"), (4, b"d"), (5, b"b"), (6, b"e"), (7, b"a")]
    # Batches keep their first and last offsets (the producer's last sequence is in the last one).
    assert [(e.base_offset, e.last_offset) for e in log.entries] == before
    assert read_batch_header(log.entries[0].data).last_offset_delta == 2
    assert log.log_end_offset == 8
    assert log.read(1, 10_000)[0].base_offset == 0  # a fetch inside a gap gets the batch holding the next record


def test_a_follower_catches_up_over_the_gaps_of_a_compacted_leader():
    spec = _spec()
    spec["cluster"].update({"replica.lag.time.max.ms": 1000, "broker.session.timeout.ms": 500,
                            "broker.heartbeat.interval.ms": 100})
    sc = Scenario(spec, seed=5)
    follower, leader = stop_a_follower(sc, 500, 3000)
    stopped_at = _replica_log(sc, follower).log_end_offset
    leader_log = _replica_log(sc, leader)
    assert leader_log.cleaner_checkpoint > stopped_at  # the leader compacted past where the follower stopped
    ahead = [e for e in leader_log.entries if e.base_offset >= stopped_at]
    assert any(b.base_offset > a.last_offset + 1 for a, b in zip(ahead, ahead[1:]))  # gaps to fetch over
    sc.cluster.restart_broker(follower)
    sc.run_to_end()
    log = _replica_log(sc, follower)
    # A fetch that started in a gap would stall the follower short of the leader's end.
    assert log.log_end_offset == leader_log.log_end_offset == 4000
    assert latest_per_key(records(log)) == latest_per_key(records(leader_log))


def test_compact_delete_compacts_and_deletes_on_the_cleaners_schedule():
    spec = _spec(**{"cleanup.policy": "compact,delete", "retention.ms": 1500})
    spec["workload"]["keys"] = 5000  # most keys written once: retention, not the cleaner, removes them
    spec["cluster"]["log.retention.check.interval.ms"] = 10**9  # the retention check never sees compacted logs
    sc = Scenario(spec, seed=3)
    result = sc.run_to_end()
    retention = sc.trace.of("log.retention")
    assert sc.trace.count("log.cleaned") and retention
    assert {e["reason"] for e in retention} == {"retention.ms"}
    assert {e["t"] % 500 for e in retention} == {0}  # cleaner passes: every log.cleaner.backoff.ms
    for b in range(3):
        log = _replica_log(sc, b)
        # The last pass, at 5000 ms, deleted every segment whose newest record was older than 1500 ms.
        assert log.log_start_offset == log.segments[0].base_offset > 0
        assert log.segments[0].largest_timestamp() >= EPOCH_MS + 5000 - 1500
    assert result.ledger["deleted"] > 0 and result.ledger["compacted"] > 0 and result.ledger["lost"] == 0


def test_a_producers_last_batch_stays_even_when_every_record_in_it_is_superseded():
    log = make_log(cleanup_policy="compact", segment_bytes=100)
    append(log, [(b"a", b"1"), (b"b", b"1")], producer_id=7, producer_epoch=2, base_sequence=10)
    append(log, [(b"a", b"2")])
    append(log, [(b"b", b"2")])
    append(log, [(b"c", b"1")])  # active
    _clean(log, 0)
    kept = log.entries[0]
    header = read_batch_header(kept.data)
    assert kept.record_ids == [] and kept.size == len(kept.data) == 61
    assert (header.base_offset, header.last_offset_delta, header.records_count) == (0, 1, 0)
    assert (header.producer_id, header.producer_epoch, header.base_sequence) == (7, 2, 10)
    assert header.base_timestamp == -1 and header.max_timestamp == T0
    DefaultRecordBatch = _kafka_python_batch()
    batch = DefaultRecordBatch(kept.data)
    assert batch.validate_crc() and list(batch) == []


@pytest.mark.parametrize("codec", ["none", "gzip", "snappy", "lz4", "zstd"])
def test_a_rewritten_batch_is_a_real_v2_batch_kafka_python_reads(codec: str):
    DefaultRecordBatch = _kafka_python_batch()
    log = make_log(cleanup_policy="compact", segment_bytes=14)  # the least: a segment a batch
    append(log, [(b"a", b"1"), (b"b", b"1"), (b"c", b"1"), (b"d", None)], at_ms=10, codec=codec, producer_id=3,
           producer_epoch=0, base_sequence=0, epoch=4)
    append(log, [(b"b", b"2")], at_ms=20, codec=codec, producer_id=3, producer_epoch=0, base_sequence=4, epoch=4)
    append(log, [(b"x", b"1")], at_ms=30, codec=codec)  # the active segment
    _clean(log, 1000)
    rewritten = log.entries[0]
    batch = DefaultRecordBatch(rewritten.data)
    assert batch.validate_crc()
    codec_id = ["none", "gzip", "snappy", "lz4", "zstd"].index(codec)
    assert (batch.base_offset, batch.last_offset_delta, batch.producer_id, batch.producer_epoch, batch.base_sequence,
            batch.leader_epoch, batch.compression_type) == (0, 3, 3, 0, 0, 4, codec_id)
    assert [(r.offset, r.key, r.value, r.timestamp) for r in batch] == [
        (0, b"a", b"1", T0 + 10), (2, b"c", b"1", T0 + 10), (3, b"d", None, T0 + 10)]
    assert batch.first_timestamp == T0 + 1000 + 86400000  # the delete horizon, for the tombstone at offset 3
    assert batch.max_timestamp == T0 + 10


def test_a_compacted_topic_refuses_records_without_a_key():
    spec = _spec()
    spec["workload"]["keys"] = 0
    result = Scenario(spec, seed=1).run_to_end()
    assert result.ledger["failed"] == {"INVALID_RECORD": result.ledger["sent"]}
    assert result.ledger["acked"] == 0


def test_a_log_of_sizes_only_compacts_the_same_records():
    def survivors(keep: bool, codec: str):
        spec = _spec()
        spec["producer"]["compression.type"] = codec
        sc = Scenario(spec, seed=3, keep_log_bytes=keep)
        sc.run_to_end()
        log = _replica_log(sc, sc.cluster.controller.partitions[0].leader)
        return [(e.base_offset, e.last_offset, tuple(e.record_ids)) for e in log.entries], [e.size for e in log.entries]

    for codec in ("none", "lz4"):
        with_bytes, sizes = survivors(True, codec)
        without, estimated = survivors(False, codec)
        assert with_bytes == without
        if codec == "none":
            assert sizes == estimated  # uncompressed: the kept records' sizes add up exactly
