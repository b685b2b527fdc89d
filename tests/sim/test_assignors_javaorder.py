"""The Java orders Kafka's assignors fall back on: String.hashCode/compareTo, HashMap iteration, Uuid."""

from __future__ import annotations

from app.sim.consumer.javaorder import (
    JavaHashSet, grown_capacity, hashmap_order, java_string_hash, java_string_key, topic_partition_hash,
)
from app.sim.coordinator.topic_ids import uuid_bits, uuid_hash, uuid_sort_key, uuid_to_string


def test_string_hash_code_matches_java() -> None:
    assert java_string_hash("") == 0
    assert java_string_hash("A") == 65
    assert java_string_hash("hello") == 99162322
    assert java_string_hash("polygenelubricants") == -2**31  # the well-known Integer.MIN_VALUE hash
    assert java_string_hash("\U0001F600") == 0xD83D * 31 + 0xDE00  # two UTF-16 code units


def test_string_order_is_by_utf16_code_units() -> None:
    # Java: '\uFFFF' > '\uD83D' (the emoji's high surrogate); Python compares code points the other way.
    assert java_string_key("\uFFFF") > java_string_key("\U0001F600")
    assert "\uFFFF" < "\U0001F600"
    assert sorted(["b", "B", "a", "ab"], key=java_string_key) == ["B", "a", "ab", "b"]


def test_hashmap_order_is_bucket_order_then_insertion_order() -> None:
    assert grown_capacity(12) == 16 and grown_capacity(13) == 32
    # 16 and 0 share bucket 0 in a table of 16; 1 comes next whatever the insertion order.
    assert hashmap_order([1, 16, 0], lambda k: k) == [16, 0, 1]
    assert hashmap_order([1, 0, 16], lambda k: k) == [0, 16, 1]
    assert hashmap_order(["B", "A", "C"], java_string_hash) == ["A", "B", "C"]


def test_java_hash_set_first_follows_buckets_and_re_adds() -> None:
    s: JavaHashSet[tuple[str, int]] = JavaHashSet(lambda tp: topic_partition_hash(*tp))
    for p in range(3):
        s.add(("t", p))
    first = s.first()
    assert first in {("t", 0), ("t", 1), ("t", 2)}
    s.remove(first)
    assert s.first() != first and len(s) == 2


def test_uuid_round_trip_order_and_hash() -> None:
    topic_id = uuid_to_string(-1, 5)
    assert len(topic_id) == 22 and uuid_bits(topic_id) == (-1, 5)
    assert uuid_sort_key(uuid_to_string(-1, 0)) < uuid_sort_key(uuid_to_string(0, 0))  # signed, as compareTo
    # Uuid.hashCode: (int) (xor >> 32) ^ (int) xor
    assert uuid_hash(uuid_to_string(0x0000000100000002, 0)) == 3
