"""Java's orders, where Kafka's assignors let them decide an assignment.

Kafka's assignors sort most things, but some choices fall to the iteration order
of a ``java.util.HashMap``/``HashSet`` (which member keeps its surplus partitions
in ``AbstractStickyAssignor``'s constrained builder, which member is index 0 in
``UniformHeterogeneousAssignmentBuilder``) or to ``String.compareTo``, which
compares UTF-16 code units, not code points as Python does.  This module
reproduces those orders so the simulator's assignments are Kafka's.

A HashMap iterates its table bucket by bucket; bucket = spread(hashCode) &
(capacity - 1), spread(h) = h ^ (h >>> 16); inside a bucket, entries keep the
order they were put in (a resize splits a bucket without reordering it).  The
one thing this module cannot know is the insertion order of keys that share a
bucket, which in Kafka comes from another map's order (the JoinGroup response,
the coordinator's TimelineHashMap); it inserts in ``String.compareTo`` order.
Buckets of 8 or more (tree bins) are not modelled: they need a table of 64 and
a run of hash collisions that ids and partition numbers do not produce.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from typing import Generic, TypeVar

__all__ = [
    "java_string_key", "java_string_hash", "topic_partition_hash", "grown_capacity",
    "hashmap_order", "JavaHashSet",
]

K = TypeVar("K", bound=Hashable)

_DEFAULT_CAPACITY = 16  # HashMap.DEFAULT_INITIAL_CAPACITY


def java_string_key(value: str) -> bytes:
    """A sort key that orders strings as Java's ``String.compareTo`` (UTF-16 code units)."""
    return value.encode("utf-16-be", "surrogatepass")


def _int32(value: int) -> int:
    value &= 0xFFFFFFFF
    return value - (1 << 32) if value & 0x80000000 else value


def java_string_hash(value: str) -> int:
    """``String.hashCode``: s[0]*31^(n-1) + ... + s[n-1] over UTF-16 code units, as int32."""
    data = java_string_key(value)
    h = 0
    for i in range(0, len(data), 2):
        h = (31 * h + (data[i] << 8 | data[i + 1])) & 0xFFFFFFFF
    return _int32(h)


def topic_partition_hash(topic: str, partition: int) -> int:
    """``TopicPartition.hashCode``: 31 * (31 + partition) + topic.hashCode()."""
    return _int32(31 * (31 + partition) + java_string_hash(topic))


def grown_capacity(size: int, initial: int = _DEFAULT_CAPACITY) -> int:
    """The table length of a HashMap created with ``initial`` capacity after ``size`` puts.

    It doubles whenever the size passes 3/4 of the table (the load factor 0.75).
    """
    capacity = initial
    while size > capacity * 3 // 4:
        capacity *= 2
    return capacity


def _bucket(hash_code: int, capacity: int) -> int:
    h = hash_code & 0xFFFFFFFF
    return (h ^ (h >> 16)) & (capacity - 1)


def hashmap_order(keys: Iterable[K], hash_code: Callable[[K], int], capacity: int | None = None) -> list[K]:
    """The iteration order of a HashMap into which ``keys`` were put in the order given.

    ``capacity`` defaults to that of a ``new HashMap<>()`` grown by those puts.
    """
    ordered = list(keys)
    table = capacity if capacity is not None else grown_capacity(len(ordered))
    slots = sorted((_bucket(hash_code(key), table), index) for index, key in enumerate(ordered))
    return [ordered[index] for _, index in slots]


class JavaHashSet(Generic[K]):
    """A ``new HashSet<>()`` that keeps Java's iteration order through adds and removes.

    Each element remembers when it was (last) added; iteration is by bucket, then
    by that stamp, which is the order of a bucket's linked list in Java.
    """

    def __init__(self, hash_code: Callable[[K], int]) -> None:
        self._hash_code = hash_code
        self._stamps: dict[K, int] = {}
        self._clock = 0
        self._capacity = _DEFAULT_CAPACITY

    def add(self, element: K) -> None:
        if element in self._stamps:
            return
        self._stamps[element] = self._clock
        self._clock += 1
        self._capacity = max(self._capacity, grown_capacity(len(self._stamps)))  # tables never shrink

    def remove(self, element: K) -> None:
        del self._stamps[element]

    def __len__(self) -> int:
        return len(self._stamps)

    def __contains__(self, element: object) -> bool:
        return element in self._stamps

    def first(self) -> K:
        """What ``iterator().next()`` returns."""
        return min(self._stamps, key=lambda e: (_bucket(self._hash_code(e), self._capacity), self._stamps[e]))
