"""Partition hashing against Kafka's test vectors and two real clients."""

from __future__ import annotations

import random
import warnings
from collections.abc import Iterator

import mmh3
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.sim.murmur2 import (
    fnv1a_partition,
    librdkafka_crc32_partition,
    murmur2,
    murmur3_partition,
    partition_for_key,
    to_positive,
)
from bench.mock_cluster import MockCluster, find_librdkafka

with warnings.catch_warnings():
    # kafka-python 3.0 reads its protocol schemas with importlib.resources
    # read_text/open_text at import time, deprecated since Python 3.11.
    warnings.filterwarnings("ignore", r"(read_text|open_text) is deprecated", DeprecationWarning)
    from kafka.partitioner.default import murmur2 as kafka_python_murmur2


# Apache Kafka, clients/src/test/java/org/apache/kafka/common/utils/UtilsTest.java
KAFKA_VECTORS = {
    b"21": -973932308,
    b"foobar": -790332482,
    b"a-little-bit-long-string": -985981536,
    b"a-little-bit-longer-string": -1486304829,
    b"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8": -58897971,
    b"abc": 479470107,
}


@pytest.mark.parametrize(("key", "expected"), KAFKA_VECTORS.items())
def test_kafka_utils_test_vectors(key: bytes, expected: int) -> None:
    assert murmur2(key) == expected


@pytest.mark.parametrize(
    ("key", "unsigned"),
    [(b"kafka", 0xD067CF64), (b"1234", 0x9FC97B14), (b"", 0x106E08D9)],
)
def test_librdkafka_vectors_are_the_same_hash_read_unsigned(key: bytes, unsigned: int) -> None:
    # librdkafka's rdmurmur2.c unit test prints the uint32 of the same hash.
    assert murmur2(key) & 0xFFFFFFFF == unsigned


@pytest.mark.parametrize(
    ("key", "partition"),
    [(b"", 681), (b"a", 524), (b"ab", 434), (b"abc", 107), (b"123456789", 566)],
)
def test_kafka_python_thousand_partition_vectors(key: bytes, partition: int) -> None:
    assert partition_for_key(key, 1000) == partition


def test_to_positive_is_not_abs() -> None:
    h = murmur2(b"21")
    assert partition_for_key(b"21", 3) == to_positive(h) % 3 == 0
    assert abs(h) % 3 == 2


def test_result_is_a_signed_32_bit_int() -> None:
    values = [murmur2(bytes([i]) * i) for i in range(64)]
    assert all(-(2**31) <= v < 2**31 for v in values)
    assert any(v < 0 for v in values)


def test_agrees_with_kafka_python_on_5000_random_keys() -> None:
    rng = random.Random(20261125)
    for _ in range(5000):
        key = rng.randbytes(rng.randrange(0, 64))
        # kafka-python returns the hash as an unsigned 32-bit int.
        assert murmur2(key) & 0xFFFFFFFF == kafka_python_murmur2(key)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200), st.integers(min_value=1, max_value=10_000))
def test_partition_matches_kafka_python_formula(key: bytes, n: int) -> None:
    assert partition_for_key(key, n) == (kafka_python_murmur2(key) & 0x7FFFFFFF) % n


def test_partition_count_must_be_positive() -> None:
    for fn in (partition_for_key, librdkafka_crc32_partition, fnv1a_partition, murmur3_partition):
        with pytest.raises(ValueError, match="num_partitions must be >= 1, got 0"):
            fn(b"k", 0)


@pytest.mark.parametrize(
    ("key", "fnv1a_32"),
    # Reference FNV-1a 32-bit values (isthe.com/chongo/tech/comp/fnv); all three are negative as int32.
    [(b"", 0x811C9DC5), (b"a", 0xE40C292C), (b"foobar", 0xBF9CF968)],
)
def test_fnv1a_is_sarama_hash_partitioner(key: bytes, fnv1a_32: int) -> None:
    signed = fnv1a_32 - 2**32
    # Sarama: int32(h) % n truncates toward zero in Go, then a negative result is negated.
    go_remainder = -(-signed % 1000)
    assert fnv1a_partition(key, 1000) == -go_remainder == abs(signed) % 1000


def test_sarama_abs_differs_from_java_style_mask() -> None:
    # Sarama's NewReferenceHashPartitioner masks instead; for a negative hash
    # the two usually disagree.
    key, h = b"foobar", 0xBF9CF968
    assert fnv1a_partition(key, 7) == abs(h - 2**32) % 7 == 4
    assert (h & 0x7FFFFFFF) % 7 == 5


def test_murmur3_is_x86_32_seed_0() -> None:
    assert mmh3.hash(b"hello", 0, signed=False) == 0x248BFA47
    assert murmur3_partition(b"hello", 1000) == (0x248BFA47 & 0x7FFFFFFF) % 1000


def test_clients_disagree_on_some_keys() -> None:
    keys = [f"customer-{i}".encode() for i in range(100)]
    java = [partition_for_key(k, 6) for k in keys]
    assert java != [librdkafka_crc32_partition(k, 6) for k in keys]
    assert java != [fnv1a_partition(k, 6) for k in keys]


# --- librdkafka (confluent-kafka) as an oracle ------------------------------
#
# The mock cluster auto-creates topics with 4 partitions and its controller id
# is not a broker, so AdminClient.create_topics times out.  Instead
# bench/mock_cluster.py (shared with the benchmark) starts one from C with
# topics of the partition counts wanted, and a normal Python Producer connects
# to its bootstrap servers.

PARTITION_COUNTS = (1, 3, 7, 100)


@pytest.fixture(scope="module")
def mock_cluster() -> Iterator[MockCluster]:
    pytest.importorskip("confluent_kafka")
    lib = find_librdkafka()
    if lib is None:
        pytest.skip("confluent-kafka wheel without a bundled librdkafka (needed for its mock cluster API)")
    cluster = MockCluster(lib, brokers=3)
    for n in PARTITION_COUNTS:
        cluster.create_topic(f"p{n}", n)
    yield cluster
    cluster.close()


def _delivered_partitions(bootstrap: str, partitioner: str, keys: list[bytes]) -> list[tuple[bytes, int, int]]:
    from confluent_kafka import Producer

    producer = Producer({"bootstrap.servers": bootstrap, "partitioner": partitioner, "linger.ms": 5})
    delivered: list[tuple[bytes, int, int]] = []
    for n in PARTITION_COUNTS:
        for key in keys:

            def on_delivery(err: object, msg: object, n: int = n) -> None:
                assert err is None, err
                delivered.append((msg.key(), n, msg.partition()))  # type: ignore[attr-defined]

            producer.produce(f"p{n}", key=key, value=b"v", on_delivery=on_delivery)
    assert producer.flush(30) == 0
    return delivered


def _oracle_keys() -> list[bytes]:
    rng = random.Random(3)
    keys = [rng.randbytes(rng.randrange(1, 24)) for _ in range(1500)]
    return keys + [f"order-{i}".encode() for i in range(500)] + [b""]


def test_librdkafka_murmur2_random_agrees(mock_cluster: MockCluster) -> None:
    keys = _oracle_keys()
    delivered = _delivered_partitions(mock_cluster.bootstrap_servers, "murmur2_random", keys)
    assert len(delivered) == len(keys) * len(PARTITION_COUNTS)
    assert [p for _, n, p in delivered] == [partition_for_key(k, n) for k, n, _ in delivered]


def test_librdkafka_consistent_agrees(mock_cluster: MockCluster) -> None:
    keys = _oracle_keys()
    delivered = _delivered_partitions(mock_cluster.bootstrap_servers, "consistent", keys)
    assert len(delivered) == len(keys) * len(PARTITION_COUNTS)
    assert [p for _, n, p in delivered] == [librdkafka_crc32_partition(k, n) for k, n, _ in delivered]
