"""Choosing a partition: keyed murmur2, and the three null-key strategies Kafka has had.

``BuiltInPartitioner`` models Kafka's class of that name (KIP-794, 3.3+: uniform
sticky, switching after batch.size bytes, adaptive weighting by queue length);
``StickyPartitioner`` models the 2.4-3.2 ``StickyPartitionCache`` (KIP-480);
``RoundRobinPartitioner`` models the <= 2.3 ``DefaultPartitioner`` for null keys.
Left out: custom partitioner classes and partitioner.availability.timeout.ms.
"""

from __future__ import annotations

import random
from enum import Enum

from app.sim.murmur2 import partition_for_key


class NullKeyStrategy(Enum):
    ROUND_ROBIN = "round-robin"
    STICKY = "sticky"
    UNIFORM_STICKY = "uniform-sticky"

    @classmethod
    def for_version(cls, version: str) -> "NullKeyStrategy":
        # 2.8 is in the 2.4-3.2 sticky range; "3.x" stands for the latest 3.x, past 3.3.
        return cls.STICKY if version == "2.8" else cls.UNIFORM_STICKY


class KeyedPartitioner:
    """murmur2(key) & 0x7fffffff % numPartitions, memoised per key (same answer, computed once)."""

    __slots__ = ("num_partitions", "_cache")

    def __init__(self, num_partitions: int) -> None:
        self.num_partitions = num_partitions
        self._cache: dict[bytes, int] = {}

    def partition(self, key: bytes) -> int:
        p = self._cache.get(key)
        if p is None:
            p = self._cache[key] = partition_for_key(key, self.num_partitions)
        return p

    def partitions(self, keys: list[bytes]) -> list[int]:
        """``partition`` of each key; a C-level pass when every key has been seen before."""
        parts = list(map(self._cache.get, keys))
        if None in parts:
            parts = list(map(self.partition, keys))
        return parts


class RoundRobinPartitioner:
    """<= 2.3: a counter per topic over the available partitions, starting at a random value."""

    def __init__(self, rng: random.Random) -> None:
        self.counter = rng.getrandbits(31)

    def partition(self, available: list[int]) -> int:
        p = available[self.counter % len(available)]
        self.counter = (self.counter + 1) & 0x7FFFFFFF
        return p


class StickyPartitioner:
    """2.4-3.2 (KIP-480): stay on one partition until a new batch is created, then move to another."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.current: int | None = None

    def partition(self, available: list[int]) -> int:
        if self.current is None or self.current not in available:
            self.current = available[self.rng.randrange(len(available))]
        return self.current

    def on_new_batch(self, previous: int, available: list[int]) -> int:
        """StickyPartitionCache.nextPartition: a random *different* available partition."""
        if self.current == previous or self.current is None:
            if len(available) > 1:
                choices = [p for p in available if p != previous]
                self.current = choices[self.rng.randrange(len(choices))]
            elif available:
                self.current = available[0]
        return self.current


class BuiltInPartitioner:
    """3.3+ (KIP-794): switch after batch.size bytes (2x if the last batch is not full).

    The next partition is random, or with adaptive partitioning weighted by how
    few batches wait in each partition's queue: weight = max queue + 1 - queue.
    Example: queues [0, 2, 1] give weights [3, 1, 2], so partition 0 is chosen
    half the time and the busy partition 1 a sixth.
    """

    def __init__(self, rng: random.Random, sticky_batch_size: int, adaptive: bool) -> None:
        self.rng = rng
        self.sticky_batch_size = sticky_batch_size
        self.adaptive = adaptive
        self.current: int | None = None
        self.produced_bytes = 0
        self.queue_sizes: dict[int, int] | None = None

    def partition(self, available: list[int]) -> int:
        if self.current is None or self.current not in available:
            self.next_partition(available)
        return self.current  # type: ignore[return-value]

    def next_partition(self, available: list[int]) -> None:
        self.produced_bytes = 0
        sizes = self.queue_sizes
        if not self.adaptive or not sizes or len(available) < 2:
            self.current = available[self.rng.randrange(len(available))]
            return
        top = max(sizes.get(p, 0) for p in available)
        weights = [top + 1 - sizes.get(p, 0) for p in available]
        pick = self.rng.randrange(sum(weights))
        for p, w in zip(available, weights):
            if pick < w:
                self.current = p
                return
            pick -= w

    def update(self, appended_bytes: int, enable_switch: bool, available: list[int]) -> None:
        """BuiltInPartitioner.updatePartitionInfo after an append to the sticky partition."""
        self.produced_bytes += appended_bytes
        if (self.produced_bytes >= self.sticky_batch_size and enable_switch) or self.produced_bytes >= 2 * self.sticky_batch_size:
            self.next_partition(available)
