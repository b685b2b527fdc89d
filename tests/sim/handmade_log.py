"""A replica's log built batch by batch, for tests that need exact offsets, sizes and timestamps; and
a run's follower stopped for a while, to fall behind its leader's retention or cleaner."""

from __future__ import annotations

from typing import Any

from app.sim import Scenario
from app.sim.config import resolve_topic
from app.sim.log import Log, LogEntry
from app.sim.partition import TopicPartition
from app.sim.producer.producer import EPOCH_MS
from app.sim.record_index import index_batch
from app.sim.records import decode_batch, encode_batch


def make_log(**configs: Any) -> Log:
    """A log with these topic configs (dots as underscores: segment_bytes=100), defaults otherwise."""
    log = Log(config=resolve_topic({k.replace("_", "."): v for k, v in configs.items()}, "4.0"))
    log.tp = TopicPartition("t", 0)
    return log


def append(log: Log, records: list[tuple[bytes | None, bytes | None]], at_ms: int = 0, codec: str = "none",
           producer_id: int = -1, producer_epoch: int = -1, base_sequence: int = -1, epoch: int = 0) -> LogEntry:
    """One batch of ``records`` (key, value), all written at EPOCH_MS + ``at_ms``, appended as a leader
    appends it and committed at once (high watermark = log end offset). Record ids are the offsets."""
    base = log.log_end_offset
    ts = EPOCH_MS + at_ms
    data = encode_batch([(k, v, ts, []) for k, v in records], codec, base_offset=base, producer_id=producer_id,
                        producer_epoch=producer_epoch, base_sequence=base_sequence, partition_leader_epoch=epoch)
    entry = LogEntry(base, base + len(records) - 1, epoch, data, list(range(base, base + len(records))), producer_id,
                     producer_epoch, base_sequence, float(at_ms), len(data), ts, index_batch(data))
    log.append(entry)
    log.high_watermark = log.log_end_offset
    return entry


def records(log: Log, below: int | None = None) -> list[tuple[int, bytes | None, bytes | None, int]]:
    """Every record of the log, decoded from its bytes: (offset, key, value, timestamp)."""
    out = []
    for e in log.entries:
        for r in decode_batch(e.data).records:
            if below is None or r.offset < below:
                out.append((r.offset, r.key, r.value, r.timestamp))
    return out


def latest_per_key(recs: list[tuple[int, bytes | None, bytes | None, int]]) -> dict[bytes | None, tuple]:
    """key -> its last record, as a reader of the whole log ends up seeing it."""
    return {r[1]: r for r in recs}


def stop_a_follower(sc: Scenario, at_ms: float, until_ms: float) -> tuple[int, int]:
    """Kill a follower of the first partition at ``at_ms`` and run on to ``until_ms``: (follower, leader)."""
    s = sc.cluster.controller.partitions[0]
    follower = next(b for b in s.replicas if b != s.leader)
    sc.run(at_ms)
    sc.cluster.kill_broker(follower)
    sc.run(until_ms)
    return follower, s.leader
