"""The leader recompressing batches into the topic's compression.type (LogValidator's rebuild).

Oracles: kafka-python's DefaultRecordBatch reads every stored batch (its CRC, codec, producer
state and records, decompressed with its own codec bindings), and zlib reads the gzip member.
"""

from __future__ import annotations

import warnings
import zlib
from typing import Any

import pytest

from app.sim import Scenario
from app.sim.consumer.fetcher import Fetcher
from app.sim.partition import TopicPartition
from app.sim.recompression import needs_rebuild, rebuild, target_compression
from app.sim.records import decode_batch, encode_batch, read_batch_header
from app.sim.records.header import RECORD_BATCH_OVERHEAD

CODEC_IDS = {"none": 0, "gzip": 1, "snappy": 2, "lz4": 3, "zstd": 4}


def _kafka_python_batch():
    with warnings.catch_warnings():
        # kafka-python 3.0 reads its protocol schemas with importlib.resources' read_text at import time,
        # deprecated since Python 3.11.
        warnings.filterwarnings("ignore", r"(read_text|open_text) is deprecated", DeprecationWarning)
        from kafka.record.default_records import DefaultRecordBatch
    return DefaultRecordBatch


def _spec(topic_codec: str | None, producer_codec: str = "lz4", **topic: Any) -> dict[str, Any]:
    if topic_codec is not None:
        topic["compression.type"] = topic_codec
    return {"kafka_version": "4.0", "cluster": {"brokers": 3},
            "topic": {"name": "orders", "partitions": 2, "replication.factor": 3, **topic},
            "producer": {"compression.type": producer_codec, "linger.ms": 5},
            "workload": {"records_per_sec": 2000, "keys": 20, "value": "json", "value_bytes": 200},
            "duration_ms": 1000, "trace": {"records": False}}


def _run(spec: dict[str, Any], keep: bool = True) -> tuple[Scenario, Any]:
    sc = Scenario(spec, seed=4, keep_log_bytes=keep)
    return sc, sc.run_to_end()


def _logs(sc: Scenario) -> dict[tuple[int, int], list]:
    """(broker, partition) -> that replica's batches."""
    return {(b, p): broker.replicas[("orders", p)].log.entries
            for b, broker in sc.cluster.brokers.items() for p in range(2)}


def _records(batch) -> list[tuple]:
    return [(r.offset, r.timestamp, r.key, r.value) for r in batch]


def test_a_gzip_topic_stores_an_lz4_producer_s_batches_as_gzip_on_every_replica():
    DefaultRecordBatch = _kafka_python_batch()
    plain, _ = _run(_spec(None))
    sc, result = _run(_spec("gzip"))
    assert result.ledger["acked"] == result.ledger["sent"] > 0
    sent_as, stored_as = _logs(plain), _logs(sc)
    assert [len(v) for v in stored_as.values()] == [len(v) for v in sent_as.values()]
    for key, entries in stored_as.items():
        for before, after in zip(sent_as[key], entries):
            producer_batch, batch = DefaultRecordBatch(before.data), DefaultRecordBatch(after.data)
            assert producer_batch.compression_type == CODEC_IDS["lz4"]
            assert batch.validate_crc() and batch.compression_type == CODEC_IDS["gzip"]
            # zlib reads the records part as one gzip member
            assert len(zlib.decompress(after.data[RECORD_BATCH_OVERHEAD:], 16 + zlib.MAX_WBITS)) > 0
            assert _records(batch) == _records(producer_batch)
            assert (batch.base_offset, batch.last_offset_delta, batch.first_timestamp, batch.max_timestamp,
                    batch.leader_epoch) == (producer_batch.base_offset, producer_batch.last_offset_delta,
                                            producer_batch.first_timestamp, producer_batch.max_timestamp,
                                            producer_batch.leader_epoch)
            assert after.size == len(after.data)
    leader = sc.cluster.controller.partitions[0].leader
    assert stored_as[(leader, 0)] is not stored_as[((leader + 1) % 3, 0)]
    # followers copy the leader's bytes as they are
    for p in range(2):
        lead = sc.cluster.controller.partitions[p].leader
        assert all([e.data for e in stored_as[(b, p)]] == [e.data for e in stored_as[(lead, p)]] for b in range(3))


def test_the_idempotent_producer_s_id_epoch_and_sequences_survive():
    DefaultRecordBatch = _kafka_python_batch()
    plain, _ = _run(_spec(None))
    sc, _ = _run(_spec("zstd"))
    sent_as, stored_as = _logs(plain), _logs(sc)
    checked = 0
    for key, entries in stored_as.items():
        for before, after in zip(sent_as[key], entries):
            a, b = DefaultRecordBatch(before.data), DefaultRecordBatch(after.data)
            assert b.compression_type == CODEC_IDS["zstd"]
            assert (b.producer_id, b.producer_epoch, b.base_sequence) == (a.producer_id, a.producer_epoch,
                                                                          a.base_sequence)
            assert b.producer_id >= 0 and b.base_sequence >= 0  # idempotence is on by default in 4.0
            assert (after.producer_id, after.base_sequence) == (before.producer_id, before.base_sequence)
            checked += 1
    assert checked > 10


def test_producer_keeps_the_producer_s_codec_and_bytes():
    plain, plain_result = _run(_spec(None))
    sc, result = _run(_spec("producer"))
    assert [[e.data for e in v] for v in _logs(sc).values()] == [[e.data for e in v] for v in _logs(plain).values()]
    assert sc.trace.count("batch.recompressed") == 0
    assert all("ProduceMessageConversions" not in b for b in result.metrics["broker"]["brokers"].values())


def test_the_same_codec_is_stored_in_place_whatever_the_topic_s_level():
    # LogValidator compares codec types only: an lz4 topic at level 17 keeps an lz4 producer's level-9 bytes.
    plain, _ = _run(_spec(None))
    sc, _ = _run(_spec("lz4", **{"compression.lz4.level": 17}))
    assert [[e.data for e in v] for v in _logs(sc).values()] == [[e.data for e in v] for v in _logs(plain).values()]
    assert sc.trace.count("batch.recompressed") == 0


def test_uncompressed_decompresses():
    DefaultRecordBatch = _kafka_python_batch()
    sc, _ = _run(_spec("uncompressed", "snappy"))
    for entries in _logs(sc).values():
        for e in entries:
            batch = DefaultRecordBatch(e.data)
            assert batch.compression_type == 0 and batch.validate_crc()
            assert all(r.value.startswith(b"{") for r in batch)  # the json payload, readable as it is


def test_a_producer_sending_none_is_compressed_by_the_topic():
    sc, result = _run(_spec("gzip", "none"))
    events = [e for e in result.trace if e["kind"] == "batch.recompressed"]
    assert events and all(e["source"] == "none" and e["target"] == "gzip" for e in events)
    assert sum(e["bytes_after"] for e in events) < sum(e["bytes_before"] for e in events) / 2


def test_sizes_are_the_same_when_the_log_keeps_sizes_only():
    with_bytes, _ = _run(_spec("gzip"), keep=True)
    sizes_only, _ = _run(_spec("gzip"), keep=False)
    kept, estimated = _logs(with_bytes), _logs(sizes_only)
    assert all(e.data is None for v in estimated.values() for e in v)
    assert [[e.size for e in v] for v in kept.values()] == [[e.size for e in v] for v in estimated.values()]


def test_the_event_and_the_metric():
    sc, result = _run(_spec("gzip"))
    events = [e for e in result.trace if e["kind"] == "batch.recompressed"]
    appended = [e for e in result.trace if e["kind"] == "produce.appended"]
    assert len(events) == len(appended)
    for ev, app in zip(events, appended):
        assert (ev["broker"], ev["partition"], ev["batch"], ev["topic"]) == (app["broker"], app["partition"],
                                                                              app["batch"], app["topic"])
        assert (ev["source"], ev["target"], ev["level"]) == ("lz4", "gzip", -1)
        assert ev["bytes_after"] == app["bytes"] != ev["bytes_before"]
    per_broker = result.metrics["broker"]["brokers"]
    converted = {b: row.get("ProduceMessageConversions", 0) for b, row in per_broker.items()}
    assert sum(converted.values()) == sum(e["records"] for e in events) == result.ledger["acked"]
    for b, n in converted.items():
        assert n == sum(e["records"] for e in events if e["broker"] == int(b))


def test_the_topic_s_gzip_level_is_used():
    def stored(level: int) -> int:
        sc, _ = _run(_spec("gzip", "none", **{"compression.gzip.level": level}))
        return sum(e.size for v in _logs(sc).values() for e in v)

    assert stored(9) < stored(1)


def test_a_rebuilt_batch_over_max_message_bytes_is_message_too_large():
    # Random bytes do not compress: gzip's header, trailer and block framing make every rebuilt batch
    # bigger than the producer's, so a limit at the producer's largest batch refuses the rebuilt ones.
    spec = _spec(None, "none")
    spec["workload"] = {"records_per_sec": 2000, "keys": 0, "value": "random", "value_bytes": 512}
    plain, plain_result = _run(spec)
    largest = max(e.size for v in _logs(plain).values() for e in v)
    assert plain_result.ledger["acked"] == plain_result.ledger["sent"]
    spec["topic"].update({"compression.type": "gzip", "max.message.bytes": largest})
    sc, result = _run(spec)
    grown = [e for e in result.trace if e["kind"] == "batch.recompressed"]
    assert grown and all(e["bytes_after"] > e["bytes_before"] for e in grown)
    assert result.ledger["failed"].get("MESSAGE_TOO_LARGE", 0) > 0
    assert all(e.size <= largest for v in _logs(sc).values() for e in v)


def test_rebuild_keeps_the_header_fields_kafka_keeps():
    records = [(b"k%d" % i, b"v" * 50, 1700000000000 + 3 * i, [("h", b"x")]) for i in range(6)]
    data = encode_batch(records, compression_type="snappy", producer_id=7, producer_epoch=2, base_sequence=40)
    header = read_batch_header(data)
    assert needs_rebuild(header, ("zstd", 3)) and not needs_rebuild(header, ("snappy", None))
    assert not needs_rebuild(header, None)
    rebuilt, count = rebuild(data, ("zstd", 3))
    batch = decode_batch(rebuilt)
    assert count == 6 and batch.compression_type == "zstd"
    assert (batch.producer_id, batch.producer_epoch, batch.base_sequence, batch.base_timestamp, batch.max_timestamp,
            batch.last_offset_delta) == (7, 2, 40, 1700000000000, 1700000000015, 5)
    assert [(r.key, r.value, r.timestamp, r.headers) for r in batch.records] == records


@pytest.mark.parametrize(("config", "expected"), [
    ({"compression.type": "producer"}, None),
    ({"compression.type": "uncompressed"}, ("none", None)),
    ({"compression.type": "snappy"}, ("snappy", None)),
    ({"compression.type": "gzip", "compression.gzip.level": 4}, ("gzip", 4)),
    ({"compression.type": "lz4"}, ("lz4", 9)),
    ({"compression.type": "zstd", "compression.zstd.level": -5}, ("zstd", -5)),
])
def test_target_compression_follows_log_config(config: dict[str, Any], expected: Any):
    assert target_compression(config) == expected


def _group_spec(topic_codec: str) -> dict[str, Any]:
    return {"kafka_version": "4.0", "cluster": {"brokers": 3},
            "topics": [{"name": "orders", "partitions": 1, "replication.factor": 3, "compression.type": topic_codec}],
            "producers": [{"topic": "orders", "compression.type": "lz4", "linger.ms": 5,
                           "workload": {"records_per_sec": 500, "keys": 10, "value": "json", "value_bytes": 100}}],
            "consumer_groups": [{"group.id": "billing", "topics": ["orders"], "members": 1}],
            "duration_ms": 6000}


def test_the_consumer_reads_the_topic_s_codec():
    plain = Scenario(_group_spec("producer"), seed=2, keep_log_bytes=True).run_to_end()
    sc = Scenario(_group_spec("gzip"), seed=2, keep_log_bytes=True)
    result = sc.run_to_end()
    # what the group consumed (from where it joined) is the same as when the log keeps the producer's lz4
    assert result.groups["billing"]["consumed"] == plain.groups["billing"]["consumed"] > 0
    entries = sc.cluster.brokers[sc.cluster.controller.partitions[0].leader].replicas[("orders", 0)].log.entries
    assert read_batch_header(entries[0].data).compression_type == "gzip"
    got = Fetcher(sc.groups.member("billing-0"))._records(TopicPartition("orders", 0), entries[:1], 0)
    assert [(r.key, r.value) for r in got] == [(r.key, r.value) for r in decode_batch(entries[0].data).records]
    assert got and all(r.value.startswith(b"{") for r in got)
