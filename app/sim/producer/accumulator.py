"""Batches waiting to be sent, one queue per partition.

Models ``org.apache.kafka.clients.producer.internals.RecordAccumulator``
(append/ready/drain/expiredBatches); leaves out transactions, batch splitting
and the per-node drain of several topics (the simulator produces to one topic).
"""

from __future__ import annotations

import math
from collections import deque
from typing import Any, Callable

from app.sim.producer.batch import ProducerBatch
from app.sim.producer.buffer_pool import BufferPool
from app.sim.records import BatchBuilder, estimate_size_upper_bound
from app.sim.records.encode import RecordSections

EPS = 1e-6


class RecordAccumulator:
    """``batches[p]`` is partition p's deque; the first batch is the next to send."""

    def __init__(self, topic: str, num_partitions: int, cfg: dict[str, Any], pool: BufferPool,
                 ratio_estimator: Any, codec: str, level: int | None) -> None:
        self.topic = topic
        self.batches: list[deque[ProducerBatch]] = [deque() for _ in range(num_partitions)]
        # The last batch of each deque while it still takes records (None once closed or gone).
        self.open_batch: list[ProducerBatch | None] = [None] * num_partitions
        self.batch_size: int = cfg["batch.size"]
        self.linger_ms: float = cfg["linger.ms"]
        self.delivery_timeout_ms: float = cfg["delivery.timeout.ms"]
        self.pool = pool
        self.estimator = ratio_estimator
        self.codec = codec
        self.level = level
        #: The batches that had no answer yet when flush() was called and still have none: a flush is in progress
        #: until they are answered, not until nothing is incomplete (RecordAccumulator.awaitFlushCompletion waits on
        #: the incomplete results copied at the flush), so batches the application keeps sending are not flushed forever.
        self.flush_awaits: set[ProducerBatch] = set()
        #: close() was called: every batch is sendable (RecordAccumulator.closed)
        self.closed = False
        self.muted: set[int] = set()
        self.drain_index: dict[int, int] = {}
        self.incomplete: set[ProducerBatch] = set()
        self._next_batch_id = 0
        # Encoded keys and values of this producer's records, reused by every batch it builds.
        self.sections = RecordSections()

    def new_batch_size(self, key: bytes | None, value: bytes | None, headers: list) -> int:
        """max(batch.size, an upper bound on a batch holding just this record)."""
        bound = estimate_size_upper_bound(key, value, headers)
        return bound if bound > self.batch_size else self.batch_size

    def new_batch(self, partition: int, size: int, now: float, timestamp: int) -> ProducerBatch:
        """A fresh batch on a buffer of ``size`` bytes the caller already took from the pool."""
        ratio = self.estimator.estimation(self.topic, self.codec)
        builder = BatchBuilder(self.codec, self.level, size, timestamp, ratio, self.sections)
        self._next_batch_id += 1
        batch = ProducerBatch(self._next_batch_id, self.topic, partition, builder, now, size, size)
        self.batches[partition].append(batch)
        self.open_batch[partition] = batch
        self.incomplete.add(batch)
        return batch

    def ready(self, now: float, leader_of: Callable[[int], int]) -> tuple[dict[int, list[tuple[ProducerBatch, str]]], float, bool]:
        """Nodes with something sendable, the time until the next check, and whether a leader is unknown.

        A partition's first batch is sendable when more than one batch waits or it is
        full ("full"), it waited linger.ms or, on a retry, its backoff ("linger" or
        "backoff"), the pool has waiters ("exhausted"), a flush is in progress ("flush"), or the
        producer is closing ("close").
        """
        ready: dict[int, list[tuple[ProducerBatch, str]]] = {}
        next_delay = math.inf
        unknown_leader = False
        exhausted = bool(self.pool.waiters)
        flushing = bool(self.flush_awaits)
        closing = self.closed
        linger = self.linger_ms
        muted = self.muted
        for p, dq in enumerate(self.batches):
            if not dq:
                continue
            leader = leader_of(p)
            if leader < 0:
                unknown_leader = True
                continue
            if p in muted:
                continue
            batch = dq[0]
            waited = now - batch.last_attempt_ms
            # EPS: float times must not leave a batch a hair short of its linger forever.
            if batch.attempts > 0:
                time_to_wait = batch.backoff_ms
                if waited + EPS < time_to_wait:  # backing off: not sendable whatever else holds
                    if time_to_wait - waited < next_delay:
                        next_delay = time_to_wait - waited
                    continue
            else:
                time_to_wait = linger
            full = len(dq) > 1 or batch.is_full()
            expired = waited + EPS >= time_to_wait
            if full or expired or exhausted or flushing or closing:
                if full:
                    reason = "full"
                elif expired:
                    reason = "backoff" if batch.attempts > 0 else "linger"
                elif flushing:
                    reason = "flush"
                elif closing:
                    reason = "close"
                else:
                    reason = "exhausted"
                ready.setdefault(leader, []).append((batch, reason))
            elif time_to_wait - waited < next_delay:
                next_delay = time_to_wait - waited
        return ready, next_delay, unknown_leader

    def expired_batches(self, now: float) -> list[ProducerBatch]:
        """Queued batches past delivery.timeout.ms since creation (KIP-91), oldest first per partition."""
        out: list[ProducerBatch] = []
        limit = self.delivery_timeout_ms
        for dq in self.batches:
            while dq and now - dq[0].created_ms >= limit:
                out.append(dq.popleft())
        return out

    def reenqueue(self, batch: ProducerBatch, now: float, backoff_ms: float, in_sequence_order: bool) -> None:
        """Put a retried batch back at the front; with idempotence, in sequence order (insertInSequenceOrder)."""
        batch.attempts += 1
        batch.last_attempt_ms = now
        batch.backoff_ms = backoff_ms
        batch.in_flight = False
        batch.reported_ready = False
        dq = self.batches[batch.partition]
        if in_sequence_order and batch.base_sequence >= 0:
            i = 0
            while i < len(dq) and 0 <= dq[i].base_sequence < batch.base_sequence:
                i += 1
            dq.insert(i, batch)
        else:
            dq.appendleft(batch)

    def has_undrained(self) -> bool:
        return any(self.batches)
