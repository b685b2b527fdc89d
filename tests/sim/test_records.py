"""v2 record batches: sizes, bytes, CRC, and kafka-python as an oracle both ways."""

from __future__ import annotations

import random
import socket
import struct
import time
import warnings
from collections.abc import Iterator

import pytest
from crc32c import crc32c
from hypothesis import given, settings
from hypothesis import strategies as st

from app.sim.compression import CODEC_IDS, CODECS, to_float32
from app.sim.records import (
    RECORD_BATCH_OVERHEAD,
    BatchBuilder,
    CorruptRecordException,
    decode_batch,
    decode_batches,
    encode_batch,
    estimate_size_upper_bound,
    read_batch_header,
    record_size_in_bytes,
    with_base_offset,
)
from app.sim.records.encode import RecordSections
from bench.mock_cluster import MockCluster, find_librdkafka

with warnings.catch_warnings():
    # kafka-python 3.0 reads its protocol schemas with importlib.resources
    # read_text/open_text at import time, deprecated since Python 3.11.
    warnings.filterwarnings("ignore", r"(read_text|open_text) is deprecated", DeprecationWarning)
    from kafka.record.default_records import (
        DefaultRecordBatch,
        DefaultRecordBatchBuilder,
    )

TS = 1_764_072_000_000


def _records(n: int, key_len: int | None, value_len: int) -> list[tuple[bytes | None, bytes, int, list]]:
    key = None if key_len is None else b"k" * key_len
    return [(key, b"v" * value_len, TS, []) for _ in range(n)]


@pytest.mark.parametrize(
    ("count", "key_len", "value_len", "size"),
    # kafka-reference section 3, checked there with kafka-python.
    [(1, 4, 5, 77), (1, 3, 5, 76), (1, None, 5, 73), (10, 3, 5, 211), (64, 3, 5, 1021), (65, 3, 5, 1037),
     (100, 10, 100, 11997)],
)
def test_uncompressed_sizes(count: int, key_len: int | None, value_len: int, size: int) -> None:
    assert len(encode_batch(_records(count, key_len, value_len))) == size


def test_148_records_of_100_bytes_fit_a_default_batch() -> None:
    builder = BatchBuilder("none", None, 16384, None, 1.0)
    while builder.has_room_for(TS, None, b"x" * 100):
        builder.append(TS, None, b"x" * 100)
    assert builder.record_count == 148
    assert builder.estimated_size_in_bytes() == 16277 == len(builder.close())


def test_first_record_always_fits_even_past_the_limit() -> None:
    builder = BatchBuilder("none", None, 100, None, 1.0)
    assert builder.has_room_for(TS, None, b"x" * 5000)
    builder.append(TS, None, b"x" * 5000)
    assert builder.is_full()
    assert not builder.has_room_for(TS, None, b"")
    assert len(builder.close()) > 5000


def test_record_and_upper_bound_sizes_match_kafka_python() -> None:
    rng = random.Random(11)
    for _ in range(500):
        key = None if rng.random() < 0.2 else rng.randbytes(rng.randrange(0, 300))
        value = None if rng.random() < 0.1 else rng.randbytes(rng.choice([0, 5, 63, 64, 200, 9000, 40000]))
        headers = [(f"h{i}-é", None if rng.random() < 0.3 else rng.randbytes(rng.randrange(0, 80)))
                   for i in range(rng.randrange(0, 4))]
        od, tsd = rng.randrange(0, 70000), rng.randrange(-100, 10**7)
        assert record_size_in_bytes(od, tsd, key, value, headers) == DefaultRecordBatchBuilder.size_in_bytes(
            od, tsd, key, value, headers
        )
        assert estimate_size_upper_bound(key, value, headers) == DefaultRecordBatchBuilder.estimate_size_in_bytes(
            key, value, headers
        )


def _mixed_records(n: int = 60) -> list[tuple[bytes | None, bytes | None, int, list]]:
    rng = random.Random(5)
    out = []
    for i in range(n):
        key = None if i % 7 == 0 else f"customer-{i % 13}".encode()
        value = None if i % 11 == 5 else b'{"order":%d,"total":%d.50,"status":"PAID"}' % (i, rng.randrange(999))
        headers = [("trace-id", b"%016x" % rng.getrandbits(64)), ("tombstone?", None)] if i % 4 == 0 else []
        out.append((key, value, TS - 5 if i == 9 else TS + i * 3, headers))
    return out


def _kafka_python_records(data: bytes) -> tuple[DefaultRecordBatch, list[tuple]]:
    """kafka-python's view of a batch, after it checked the CRC (it must come before iterating)."""
    batch = DefaultRecordBatch(bytearray(data))
    assert batch.validate_crc()
    records = [(r.key, r.value, r.timestamp, list(r.headers)) for r in batch]
    return batch, records


@pytest.mark.parametrize("codec", CODECS)
def test_kafka_python_reads_our_batches(codec: str) -> None:
    records = _mixed_records()
    data = encode_batch(records, codec, base_offset=1000, producer_id=7, producer_epoch=2, base_sequence=40)
    batch, read = _kafka_python_records(data)
    assert batch.compression_type == CODEC_IDS[codec]
    assert (batch.base_offset, batch.producer_id, batch.producer_epoch, batch.base_sequence) == (1000, 7, 2, 40)
    assert batch.last_offset == 1000 + len(records) - 1
    assert read == [(k, v, t, h) for k, v, t, h in records]


@pytest.mark.parametrize("codec", CODECS)
def test_we_read_kafka_python_batches(codec: str) -> None:
    records = _mixed_records()
    builder = DefaultRecordBatchBuilder(2, CODEC_IDS[codec], False, 7, 2, 40, 10**6)
    for offset, (key, value, ts, headers) in enumerate(records):
        builder.append(offset, ts, key, value, headers)
    data = bytes(builder.build())
    batch = decode_batch(data)
    # kafka-python falls back to no compression when it does not pay; these records compress.
    assert batch.compression_type == codec
    assert [(r.key, r.value, r.timestamp, r.headers) for r in batch.records] == records
    assert [r.offset for r in batch.records] == list(range(len(records)))
    assert (batch.producer_id, batch.producer_epoch, batch.base_sequence) == (7, 2, 40)


def test_uncompressed_bytes_equal_kafka_pythons() -> None:
    records = _mixed_records()
    builder = DefaultRecordBatchBuilder(2, 0, False, -1, -1, -1, 10**6)
    for offset, (key, value, ts, headers) in enumerate(records):
        builder.append(offset, ts, key, value, headers)
    # kafka-python leaves partitionLeaderEpoch 0 for the broker; the Java client writes -1.
    assert encode_batch(records, partition_leader_epoch=0) == bytes(builder.build())


@pytest.mark.parametrize("codec", CODECS)
def test_round_trip_every_codec(codec: str) -> None:
    records = _mixed_records()
    data = encode_batch(records, codec, base_offset=50, partition_leader_epoch=3, is_transactional=True,
                        producer_id=9, producer_epoch=0, base_sequence=0)
    batch = decode_batch(data)
    assert batch.magic == 2
    assert batch.compression_type == codec
    assert batch.is_transactional and not batch.is_control
    assert batch.partition_leader_epoch == 3
    assert batch.records_count == len(batch.records) == len(records)
    assert batch.base_timestamp == records[0][2]
    assert batch.max_timestamp == max(r[2] for r in records)
    assert batch.size_in_bytes == len(data) == batch.batch_length + 12
    assert [(r.key, r.value, r.timestamp, r.headers) for r in batch.records] == records
    assert [r.offset for r in batch.records] == list(range(50, 50 + len(records)))
    assert batch.records[9].timestamp_delta < 0  # out-of-order timestamp survives


@pytest.mark.parametrize("level", [1, 12])
def test_levels_round_trip(level: int) -> None:
    records = _mixed_records()
    for codec in ("gzip", "lz4", "zstd"):
        data = encode_batch(records, codec, compression_level=level if codec != "gzip" else min(level, 9))
        assert [(r.key, r.value, r.timestamp, r.headers) for r in decode_batch(data).records] == records


def test_explicit_base_timestamp() -> None:
    batch = decode_batch(encode_batch([(None, b"a", TS + 10, [])], base_timestamp=TS))
    assert batch.base_timestamp == TS
    assert batch.records[0].timestamp_delta == 10 and batch.records[0].timestamp == TS + 10


def test_big_values_and_offset_deltas_beyond_the_varint_table() -> None:
    records = [(b"k", b"x" * 40000, TS, [])] + [(None, b"y", TS + 40000, [])] * 40000
    data = encode_batch(records, "lz4")
    _, read = _kafka_python_records(data)
    assert len(read) == 40001
    ours = decode_batch(data)
    assert ours.records[-1].offset_delta == 40000 and ours.records[0].value == b"x" * 40000


def test_header_fields_and_crc_range() -> None:
    data = encode_batch(_mixed_records(), "snappy", base_offset=5, producer_id=3, producer_epoch=1, base_sequence=9)
    header = read_batch_header(data)
    assert header.base_offset == 5 and header.magic == 2 and header.compression_type == "snappy"
    assert header.batch_length == len(data) - 12
    assert header.crc == crc32c(data[21:])
    assert header.last_offset_delta == header.records_count - 1 == 59
    assert (header.producer_id, header.producer_epoch, header.base_sequence) == (3, 1, 9)


def test_with_base_offset_leaves_the_crc_valid() -> None:
    data = encode_batch(_mixed_records(), "gzip")
    moved = with_base_offset(data, 123_456, partition_leader_epoch=8)
    assert moved[16:] == data[16:]  # magic, CRC and everything it covers unchanged
    batch = decode_batch(moved)
    assert batch.base_offset == 123_456 and batch.partition_leader_epoch == 8
    assert batch.records[0].offset == 123_456
    _kafka_python_records(moved)
    assert read_batch_header(with_base_offset(data, 9)).partition_leader_epoch == -1


def test_flipped_byte_is_a_crc_error() -> None:
    data = bytearray(encode_batch(_mixed_records()))
    data[200] ^= 0x01
    stored = read_batch_header(data).crc
    with pytest.raises(CorruptRecordException, match=f"CRC mismatch: stored {stored}, computed "):
        decode_batch(bytes(data))


def test_flipped_byte_in_the_attributes_is_a_crc_error() -> None:
    data = bytearray(encode_batch(_mixed_records()))
    data[22] ^= 0x01
    with pytest.raises(CorruptRecordException, match="CRC mismatch"):
        decode_batch(bytes(data))


def test_truncated_batches() -> None:
    data = encode_batch(_mixed_records())
    with pytest.raises(CorruptRecordException, match=f"truncated: need {len(data)} bytes, have {len(data) - 1}"):
        decode_batch(data[:-1])
    with pytest.raises(CorruptRecordException, match="truncated: need 61 bytes for a batch header, have 30"):
        decode_batch(data[:30])


def test_bad_magic() -> None:
    data = bytearray(encode_batch(_mixed_records()))
    data[16] = 1
    with pytest.raises(CorruptRecordException, match="unsupported magic 1"):
        decode_batch(bytes(data))


def test_record_count_mismatch_is_corrupt() -> None:
    # A batch whose header claims one record less than it holds, with a valid CRC.
    data = bytearray(encode_batch([(None, b"a", TS, []), (None, b"b", TS, [])]))
    data[57:61] = (1).to_bytes(4, "big")
    data[17:21] = crc32c(bytes(data[21:])).to_bytes(4, "big")
    with pytest.raises(CorruptRecordException, match="bytes left over after the 1 records"):
        decode_batch(bytes(data))


def test_decode_batches_reads_a_log() -> None:
    a = encode_batch([(None, b"a", TS, [])], base_offset=0)
    b = encode_batch([(None, b"b", TS, []), (None, b"c", TS, [])], "zstd", base_offset=1)
    batches = decode_batches(a + b)
    assert [r.offset for batch in batches for r in batch.records] == [0, 1, 2]
    assert decode_batch(a + b).records_count == 1


def test_null_key_and_value_and_empty_ones_differ() -> None:
    records = [(None, None, TS, []), (b"", b"", TS, []), (b"k", None, TS, [("", b"")])]
    batch = decode_batch(encode_batch(records))
    read = [(r.key, r.value, r.headers) for r in batch.records]
    assert read == [(None, None, []), (b"", b"", []), (b"k", None, [("", b"")])]


# --- BatchBuilder -----------------------------------------------------------


def test_builder_tracks_uncompressed_size_and_ratio_like_memory_records_builder() -> None:
    records = _mixed_records()
    builder = BatchBuilder("gzip", None, 16384, None, 1.0)
    for key, value, ts, headers in records:
        builder.append(ts, key, value, headers)
    plain = encode_batch(records)
    assert builder.uncompressed_bytes_written() == len(plain)
    data = builder.close(0, 4, 0, 0, -1)
    assert builder.size_in_bytes == len(data)
    assert builder.compression_ratio == to_float32((len(data) - 61) / (len(plain) - 61))
    assert builder.estimated_size_in_bytes() == len(data)
    assert decode_batch(data).compression_type == "gzip"


def test_estimated_size_uses_java_float_arithmetic() -> None:
    builder = BatchBuilder("lz4", None, 16384, None, 0.37)
    for i in range(100):
        builder.append(TS, None, b"%05d" % i * 20)
    u = builder.uncompressed_records_size
    expected = 61 + int(to_float32(to_float32(u * to_float32(0.37)) * to_float32(1.05)))
    assert builder.estimated_size_in_bytes() == expected


def test_compressing_builder_fits_fewer_records_with_a_pessimistic_ratio() -> None:
    def fill(codec: str, ratio: float) -> int:
        builder = BatchBuilder(codec, None, 16384, None, ratio)
        while builder.has_room_for(TS, None, b"x" * 100):
            builder.append(TS, None, b"x" * 100)
        return builder.record_count

    assert fill("none", 1.0) == 148
    assert fill("gzip", 1.0) == 141  # 1.05 safety factor: 61 + 141 records * 1.05 <= 16384
    assert fill("gzip", 0.25) > 500


def _reference_has_room(builder: BatchBuilder, ts: int, key: bytes | None, value: bytes) -> bool:
    # MemoryRecordsBuilder.hasRoomFor with the exact float estimate.
    if builder.record_count == 0:
        return True
    estimate = builder._estimated_bytes_written()
    if builder.write_limit <= estimate:
        return False
    size = record_size_in_bytes(builder.record_count, ts - builder.first_timestamp, key, value, [])
    return builder.write_limit >= estimate + size


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(["gzip", "lz4", "zstd", "snappy", "none"]),
    st.floats(min_value=0.05, max_value=2.0),
    st.integers(min_value=0, max_value=40000),
    st.lists(st.integers(min_value=0, max_value=3000), min_size=1, max_size=80),
)
def test_has_room_for_fast_path_equals_the_exact_rule(
    codec: str, ratio: float, limit: int, sizes: list[int]
) -> None:
    builder = BatchBuilder(codec, None, limit, None, ratio)
    for n in sizes:
        value = b"v" * n
        assert builder.has_room_for(TS, None, value) == _reference_has_room(builder, TS, None, value)
        builder.append(TS, None, value)


@settings(max_examples=100, deadline=None)
@given(
    st.sampled_from(["gzip", "none"]),
    st.integers(min_value=0, max_value=5000),
    st.lists(
        st.tuples(st.integers(min_value=-50, max_value=500), st.integers(min_value=0, max_value=700)), max_size=60
    ),
)
def test_try_append_is_has_room_for_then_append(codec: str, limit: int, records: list[tuple[int, int]]) -> None:
    a = BatchBuilder(codec, None, limit, None, 0.5)
    b = BatchBuilder(codec, None, limit, None, 0.5)
    for ts_offset, size in records:
        value = b"v" * size
        fits = a.has_room_for(TS + ts_offset, None, value)
        if fits:
            a.append(TS + ts_offset, None, value)
        assert b.try_append(TS + ts_offset, None, value) == fits
    assert a.close() == b.close()


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_mangled_records_raise_corrupt_record_exception(data: st.DataObject) -> None:
    # Damage the records section, then fix the CRC so the parser itself is tested.
    original = bytearray(encode_batch(_mixed_records(8)))
    section = original[61:]
    for _ in range(data.draw(st.integers(min_value=1, max_value=4))):
        i = data.draw(st.integers(min_value=0, max_value=len(section) - 1))
        section[i] = data.draw(st.integers(min_value=0, max_value=255))
    cut = data.draw(st.integers(min_value=0, max_value=len(section)))
    section = section[:cut] if data.draw(st.booleans()) else section
    mangled = bytearray(original[:61]) + section
    mangled[8:12] = (len(mangled) - 12).to_bytes(4, "big")
    mangled[17:21] = crc32c(bytes(mangled[21:])).to_bytes(4, "big")
    try:
        decode_batch(bytes(mangled))
    except CorruptRecordException:
        pass


def test_close_again_rewrites_only_the_header() -> None:
    builder = BatchBuilder("zstd", None, 16384, None, 1.0)
    for key, value, ts, headers in _mixed_records():
        builder.append(ts, key, value, headers)
    first = builder.close(0, 5, 0, 0, -1)
    retry = builder.close(0, 6, 1, 0, -1)
    assert first[61:] == retry[61:]
    assert decode_batch(retry).producer_id == 6
    with pytest.raises(RuntimeError, match="closed for record appends"):
        builder.append(TS, None, b"late")
    assert not builder.has_room_for(TS, None, b"late")


def test_empty_builder_closes_to_nothing() -> None:
    builder = BatchBuilder("gzip", None, 16384, None, 1.0)
    assert builder.close() == b""
    assert builder.compression_ratio == 1.0 and builder.size_in_bytes == 0
    assert encode_batch([]) == b""


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"is_transactional": True}, "Cannot write transactional messages without a valid producer ID"),
        ({"producer_id": 1}, "Invalid negative producer epoch"),
        ({"producer_id": 1, "producer_epoch": 0}, "Invalid negative sequence number used"),
    ],
)
def test_producer_state_is_validated(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        encode_batch([(None, b"v", TS, [])], **kwargs)


def test_overhead_constant() -> None:
    assert RECORD_BATCH_OVERHEAD == 61


# --- librdkafka (confluent-kafka) as an oracle ------------------------------
#
# A librdkafka mock cluster is created through the C API of the librdkafka that
# confluent-kafka bundles (the Python API cannot size topics; bench/mock_cluster.py
# holds the helper, shared with test_murmur2.py and the benchmark).  Our batches go in
# with a hand-written ProduceRequest v3 and are read back by a real
# confluent-kafka Consumer with check.crcs; batches written by a real
# confluent-kafka Producer come out with a hand-written FetchRequest v4 and are
# decoded by decode_batches.


class _Broker:
    """A 1-broker librdkafka mock cluster and a raw Kafka-protocol connection to it."""

    def __init__(self, cluster: MockCluster) -> None:
        self._cluster = cluster
        self.bootstrap_servers = cluster.bootstrap_servers
        host, port = self.bootstrap_servers.split(":")
        self._sock = socket.create_connection((host, int(port)), timeout=10)
        self._correlation_id = 0

    def create_topic(self, name: str) -> None:
        self._cluster.create_topic(name, 1)

    def _call(self, api_key: int, version: int, body: bytes) -> bytes:
        self._correlation_id += 1
        request = struct.pack(">hhih", api_key, version, self._correlation_id, 6) + b"oracle" + body
        self._sock.sendall(struct.pack(">i", len(request)) + request)
        size = struct.unpack(">i", self._recv(4))[0]
        response = self._recv(size)
        assert struct.unpack_from(">i", response)[0] == self._correlation_id
        return response[4:]

    def _recv(self, n: int) -> bytes:
        buf = b""
        while len(buf) < n:
            chunk = self._sock.recv(n - len(buf))
            assert chunk, "broker closed the connection"
            buf += chunk
        return buf

    @staticmethod
    def _topic_partition(topic: str) -> bytes:
        return struct.pack(">ih", 1, len(topic)) + topic.encode() + struct.pack(">ii", 1, 0)

    def produce(self, topic: str, batch: bytes) -> int:
        """ProduceRequest v3 (acks=1) of one batch to partition 0; returns the base offset."""
        body = struct.pack(">hhi", -1, 1, 5000) + self._topic_partition(topic) + struct.pack(">i", len(batch)) + batch
        response = self._call(0, 3, body)
        pos = 4 + 2 + len(topic) + 4  # topics count, topic name, partitions count
        _, error, base_offset = struct.unpack_from(">ihq", response, pos)
        assert error == 0, f"produce error {error}"
        return base_offset

    def fetch(self, topic: str, offset: int) -> tuple[int, bytes]:
        """FetchRequest v4 for partition 0 from ``offset``; returns (high watermark, record bytes)."""
        body = struct.pack(">iiiib", -1, 100, 1, 10_000_000, 0) + self._topic_partition(topic)
        response = self._call(1, 4, body + struct.pack(">qi", offset, 10_000_000))
        pos = 4 + 4 + 2 + len(topic) + 4  # throttle, topics count, topic name, partitions count
        _, error, high_watermark, _, aborted = struct.unpack_from(">ihqqi", response, pos)
        assert error == 0, f"fetch error {error}"
        pos += 26 + max(aborted, 0) * 16
        (size,) = struct.unpack_from(">i", response, pos)
        return high_watermark, response[pos + 4 : pos + 4 + size]

    def close(self) -> None:
        self._sock.close()
        self._cluster.close()


@pytest.fixture(scope="module")
def broker() -> Iterator[_Broker]:
    pytest.importorskip("confluent_kafka")
    lib = find_librdkafka()
    if lib is None:
        pytest.skip("confluent-kafka wheel without a bundled librdkafka (needed for its mock cluster API)")
    mock = _Broker(MockCluster(lib, brokers=1))
    yield mock
    mock.close()


def _oracle_records(n: int) -> list[tuple[bytes, bytes, int, list[tuple[str, bytes]]]]:
    return [(b"k%d" % i, b'{"n":%d,"pad":"%s"}' % (i, b"abc" * 30), TS + i, [("trace", b"%d" % i)])
            for i in range(n)]


def test_librdkafka_consumer_reads_our_batches(broker: _Broker) -> None:
    from confluent_kafka import Consumer, KafkaError, TopicPartition

    broker.create_topic("ours")
    sent = []
    for codec in CODECS:
        records = _oracle_records(20)
        assert broker.produce("ours", encode_batch(records, codec)) == len(sent)
        sent.extend(records)
    consumer = Consumer({"bootstrap.servers": broker.bootstrap_servers, "group.id": "oracle", "check.crcs": True,
                         "enable.partition.eof": True})
    consumer.assign([TopicPartition("ours", 0, 0)])
    received = []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        msg = consumer.poll(0.5)
        if msg is None:
            continue
        if msg.error():
            assert msg.error().code() == KafkaError._PARTITION_EOF, msg.error()
            break
        received.append((msg.key(), msg.value(), msg.timestamp()[1], msg.headers()))
    consumer.close()
    assert received == sent


@pytest.mark.parametrize("codec", CODECS)
def test_we_read_librdkafka_batches(broker: _Broker, codec: str) -> None:
    from confluent_kafka import Producer

    topic = f"theirs-{codec}"
    broker.create_topic(topic)
    producer = Producer({"bootstrap.servers": broker.bootstrap_servers, "compression.codec": codec,
                         "linger.ms": 20, "enable.idempotence": True})
    sent = _oracle_records(300)
    for key, value, ts, headers in sent:
        producer.produce(topic, key=key, value=value, timestamp=ts, headers=headers)
    assert producer.flush(30) == 0
    received, batches, offset = [], [], 0
    while True:
        high_watermark, raw = broker.fetch(topic, offset)
        if offset >= high_watermark:
            break
        for batch in decode_batches(raw):
            batches.append(batch)
            received.extend((r.key, r.value, r.timestamp, r.headers) for r in batch.records)
            offset = batch.next_offset
    assert received == sent
    assert {b.compression_type for b in batches} == {codec}
    assert all(b.producer_id >= 0 and b.base_sequence >= 0 for b in batches)  # idempotent batches


def test_bytes_like_keys_and_values_are_copied_when_appended():
    """A bytearray or memoryview is taken as its bytes at append time, as Kafka copies the record."""
    key, value = bytearray(b"key-1"), bytearray(b"value")
    builder = BatchBuilder("lz4", None, 16384, 1_700_000_000_000)
    builder.append(1_700_000_000_000, key, memoryview(value))
    key[0:3], value[0:5] = b"xyz", b"VALUE"  # the caller reuses its buffers before the batch closes
    record = decode_batch(builder.close()).records[0]
    assert (record.key, record.value) == (b"key-1", b"value")
    assert encode_batch([(bytearray(b"k"), memoryview(b"v"), 5, [])]) == encode_batch([(b"k", b"v", 5, [])])


def test_null_keys_and_values_encode_after_the_reused_pieces_are_emptied():
    """The producer's table of encoded keys and values is emptied when full; null keys and values still encode."""
    sections = RecordSections()
    count = RecordSections.MAX_ENTRIES + 10  # fills the tables, which are emptied, then takes null ones
    records = [(b"k%d" % i, b"v%d" % i, 5, []) for i in range(count)] + [(None, None, 5, [])]
    builder = BatchBuilder("none", None, 10**9, 5, sections=sections)
    for key, value, ts, headers in records:
        builder.append(ts, key, value, headers)
    decoded = decode_batch(builder.close()).records
    assert (decoded[-1].key, decoded[-1].value) == (None, None)
    assert [(r.key, r.value) for r in decoded[:-1]] == [(k, v) for k, v, _, _ in records[:-1]]
