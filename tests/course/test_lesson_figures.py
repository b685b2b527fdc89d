"""Figures quoted in lessons are recomputed here, so a lesson never shows numbers the code no longer gives."""

from __future__ import annotations

import random
import re

import pytest

from app.configs import registry
from app.paths import CONTENT_DIR
from app.sim import run_scenario
from app.sim.murmur2 import murmur2, partition_for_key
from app.sim.payloads import make_payload_generator
from app.sim.records import RECORD_BATCH_OVERHEAD, encode_batch


CODECS = ("none", "lz4", "snappy", "gzip", "zstd")


def _lesson(slug: str) -> str:
    return (CONTENT_DIR / "kafka" / f"{slug}.md").read_text(encoding="utf-8")


def sample_batch_sizes() -> dict[str, int]:
    """The compression lesson's sample: 100 JSON orders of 130 bytes (seed 7) as one v2 batch, bytes per codec."""
    values = make_payload_generator("json", 130, random.Random(7))
    records = [(f"order-{i}".encode(), values.next(), 1_700_000_000_000 + i, []) for i in range(100)]
    return {codec: len(encode_batch(records, codec)) for codec in CODECS}


def test_compression_lesson_table_matches_the_generator() -> None:
    rows = re.findall(r"^\| (none|lz4|snappy|gzip|zstd) \| (\d+) \| ([\d.]+) \|", _lesson("kafka-compression"), flags=re.MULTILINE)
    assert {codec for codec, _, _ in rows} == set(CODECS)
    sizes = sample_batch_sizes()
    records_part = sizes["none"] - RECORD_BATCH_OVERHEAD  # only the records after the 61-byte header are compressed
    for codec, quoted_bytes, quoted_ratio in rows:
        assert int(quoted_bytes) == sizes[codec], codec
        assert quoted_ratio == f"{(sizes[codec] - RECORD_BATCH_OVERHEAD) / records_part:.2f}", codec
    assert RECORD_BATCH_OVERHEAD == 61


def test_high_throughput_lesson_quotes_the_compression_lessons_shares() -> None:
    # "gzip 27%, zstd 27%, snappy 39% and lz4 43%": the whole batch against the uncompressed batch.
    shares = dict(re.findall(r"\b(lz4|snappy|gzip|zstd) (\d+)%", _lesson("kafka-high-throughput-producer")))
    assert set(shares) == set(CODECS) - {"none"}
    sizes = sample_batch_sizes()
    assert shares == {codec: str(round(100 * sizes[codec] / sizes["none"])) for codec in shares}


def test_partitioner_lesson_examples() -> None:
    assert murmur2(b"21") == -973932308
    assert partition_for_key(b"21", 3) == 0
    assert abs(murmur2(b"21")) % 3 == 2
    assert partition_for_key(b"user-1", 6) == 2
    assert partition_for_key(b"user-1", 8) == 4
    assert partition_for_key(b"order-42", 6) == 0


#: One broker of three dies: a zone of the cluster-architecture lesson's layout, with Kafka's own timeouts.
ZONE_LOSS = {
    "kafka_version": "4.0",
    "cluster": {"brokers": 3, "racks": ["use1-az1", "use1-az2", "use1-az3"]},
    "topic": {"name": "orders", "partitions": 6, "replication.factor": 3, "min.insync.replicas": 2},
    "producer": {},
    "workload": {"records_per_sec": 200, "keys": 12, "value": "json", "value_bytes": 60},
    "faults": [{"at_ms": 3000, "kill_broker": 1}],
    "duration_ms": 16000,
    "trace": {"records": False},
}


def test_after_a_zone_loss_acks_all_waits_until_the_controller_fences_the_dead_broker() -> None:
    """What kafka-acks and kafka-cluster-architecture say, as the simulator shows it: the dead replica stays in
    the ISR until the controller fences it, broker.session.timeout.ms after its last heartbeat (KRaft's
    ReplicationControlManager.handleBrokerFenced); meanwhile no acks=all write is acknowledged; then all are."""
    session = registry().get("broker", "broker.session.timeout.ms").default_for("4.0")
    heartbeat = registry().get("broker", "broker.heartbeat.interval.ms").default_for("4.0")
    result = run_scenario(ZONE_LOSS, seed=1)
    died = ZONE_LOSS["faults"][0]["at_ms"]
    fenced = next(e["t"] for e in result.trace if e["kind"] == "broker.fenced")
    assert died + session - heartbeat <= fenced <= died + session
    acked = [e["t"] for e in result.trace if e["kind"] == "ack.received"]
    assert [t for t in acked if died + 50 < t < fenced] == []  # the stall
    assert any(fenced <= t < fenced + 100 for t in acked)  # and the waiting writes go through at once
    assert result.ledger["lost"] == 0 and result.ledger["failed"] == {}


@pytest.mark.parametrize("slug", ["kafka-acks", "kafka-cluster-architecture"])
def test_the_lessons_name_the_timeouts_that_end_the_stall(slug: str) -> None:
    text = " ".join(_lesson(slug).split())
    session = registry().get("broker", "broker.session.timeout.ms").default_for("4.0")
    lag = registry().get("broker", "replica.lag.time.max.ms").default_for("4.0")
    assert f"`broker.session.timeout.ms` ({session} ms by default)" in text
    assert re.search(rf"`replica\.lag\.time\.max\.ms` \({lag} ms", text)


def _java_hash(text: str) -> int:
    h = 0
    for char in text:
        h = (31 * h + ord(char)) & 0xFFFFFFFF
    return h


def java_hashmap_order(keys: list[str], capacity: int) -> list[str]:
    """The order a java.util.HashMap of ``capacity`` buckets iterates ``keys`` in: by bucket, (h ^ h >>> 16) & (n - 1)."""
    return sorted(keys, key=lambda k: (_java_hash(k) ^ (_java_hash(k) >> 16)) & (capacity - 1))


def test_topic_describe_configs_line_is_what_topiccommand_prints() -> None:
    # TopicCommand.TopicDescription.printDescription (tools since 3.7; core's TopicCommand.scala before) joins the
    # entries of admin.Config whose source is not DEFAULT_CONFIG, in the order of Config's HashMap. A topic has
    # some 40 configs, so that map has 64 buckets (128 if it grew past 48 entries): both give the same order.
    text = _lesson("kafka-topic-configuration")
    segment = registry().get("topic", "segment.bytes").default_for("4.0")
    assert f"Configs: segment.bytes={segment}\n" in text  # the sample server.properties sets log.segment.bytes
    (after,) = set(re.findall(r"`Configs: ([^`]+)`", text))
    shown = [entry.split("=")[0] for entry in after.split(",")]
    assert after == f"min.insync.replicas=2,segment.bytes={segment}"
    assert all(java_hashmap_order(shown, n) == shown for n in (64, 128))
