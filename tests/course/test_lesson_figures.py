"""Figures quoted in lessons are recomputed here, so a lesson never shows numbers the code no longer gives."""

from __future__ import annotations

import random
import re

import pytest

from app.configs import registry
from app.paths import CONTENT_DIR
from app.sim import assign_partitions, run_scenario
from app.sim.apis import offsets_partition
from app.sim.consumer import cooperative_sticky_assign, partitions_to_revoke
from app.sim.consumer.javaorder import java_string_hash
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


def _folded(slug: str) -> str:
    return " ".join(_lesson(slug).split())


#: The basics lesson's worked example: seven keyed records in send order, on a topic of 3 partitions.
BASICS_KEYS = ["alice", "carol", "dave", "alice", "bob", "erin", "dave"]


def test_basics_lesson_example_partitions_and_offsets() -> None:
    text = _folded("kafka-basics")
    partition = {key: partition_for_key(key.encode(), 3) for key in BASICS_KEYS}
    assert partition == {"alice": 0, "bob": 0, "dave": 1, "carol": 2, "erin": 2}
    assert ("the Java producer sends alice and bob to partition 0, dave to partition 1, and carol and erin to "
            "partition 2.") in text
    logs: dict[int, list[str]] = {0: [], 1: [], 2: []}
    for key in BASICS_KEYS:  # each partition numbers its records from 0 as they arrive
        logs[partition[key]].append(key)
    rows = re.findall(r"^\| (\d) \| (\w+) \| (\w+) \| (\w*) ?\| (\d) \|$", _lesson("kafka-basics"), flags=re.MULTILINE)
    assert [(int(p), [k for k in (a, b, c) if k], int(n)) for p, a, b, c, n in rows] == [
        (p, keys, len(keys)) for p, keys in logs.items()]


def test_basics_lesson_quotes_the_retention_default() -> None:
    retention = registry().get("topic", "retention.ms").default_for("4.0")
    assert retention == 7 * 24 * 3600 * 1000
    assert f"(`retention.ms` = {retention})" in _folded("kafka-basics")


#: Consumer configs the consumers lesson quotes as "`key` ... (default": (registry scope, key).
CONSUMER_DEFAULTS = [("consumer", "max.poll.records"), ("consumer", "fetch.min.bytes"),
                     ("consumer", "fetch.max.wait.ms"), ("consumer", "max.poll.interval.ms"),
                     ("consumer", "auto.commit.interval.ms"), ("consumer", "heartbeat.interval.ms"),
                     ("broker", "group.initial.rebalance.delay.ms"), ("broker", "offsets.topic.num.partitions"),
                     ("broker", "group.consumer.heartbeat.interval.ms"), ("broker", "group.consumer.session.timeout.ms")]


@pytest.mark.parametrize(("scope", "key"), CONSUMER_DEFAULTS, ids=[key for _, key in CONSUMER_DEFAULTS])
def test_consumers_lesson_quotes_kafkas_defaults(scope: str, key: str) -> None:
    quoted = re.findall(r"`" + re.escape(key) + r"`[^()`]{0,20}\((\d+)", _folded("kafka-consumers"))
    assert quoted, f"the lesson does not quote the default of {key}"
    assert {int(q) for q in quoted} == {registry().get(scope, key).default_for("4.0")}


def test_consumers_lesson_session_timeout_then_and_now() -> None:
    session = registry().get("consumer", "session.timeout.ms")
    (now, before), = re.findall(r"(\d+) ms since Kafka 3\.0 \(KIP-735\), (\d+) ms before", _folded("kafka-consumers"))
    assert (int(now), int(before)) == (session.default_for("3.x"), session.default_for("2.8"))


def test_consumers_lesson_coordinator_of_billing() -> None:
    partitions = registry().get("broker", "offsets.topic.num.partitions").default_for("4.0")
    h = java_string_hash("billing")
    assert (h, abs(h), offsets_partition("billing", partitions)) == (-109829509, 109829509, 9)
    text = _folded("kafka-consumers")
    assert f'`"billing".hashCode()` is {h}, its absolute value {abs(h)}, and {abs(h)} % {partitions} = 9.' in text
    assert "whichever broker leads partition 9 of `__consumer_offsets`" in text


def _members(cell: str) -> dict[str, list[int]]:
    """ "c1: 0, 1, 2; c2: 3, 4, 5" as {"c1": [0, 1, 2], "c2": [3, 4, 5]}."""
    return {name.strip(): [int(p) for p in parts.split(",")] for name, parts in (m.split(":") for m in cell.split(";"))}


def test_consumers_lesson_rebalance_example_is_what_the_assignors_give() -> None:
    two = {"c1": ["orders"], "c2": ["orders"]}
    three = {**two, "c3": ["orders"]}
    topic = {"orders": 6}
    rows = dict((strategy, (_members(before), _members(after))) for strategy, before, after in re.findall(
        r"^\| `(range|cooperative-sticky)`(?: \(eager\))? \| ([^|]+) \| ([^|]+) \|", _lesson("kafka-consumers"),
        flags=re.MULTILINE))
    assert set(rows) == {"range", "cooperative-sticky"}
    for strategy, (before, after) in rows.items():
        first = assign_partitions(strategy, two, topic)
        assert {m: [p for _, p in tps] for m, tps in first.items()} == before, strategy
        second = assign_partitions(strategy, three, topic, owned=first, generations={"c1": 1, "c2": 1})
        assert {m: [p for _, p in tps] for m, tps in second.items()} == after, strategy
    # Cooperative: the first rebalance only takes 4 from c1 and 5 from c2; c3 gets them in the second.
    owned = assign_partitions("cooperative-sticky", two, topic)
    _, first_round = cooperative_sticky_assign(three, topic, owned, generations={"c1": 1, "c2": 1})
    assert first_round["c3"] == []
    assert partitions_to_revoke(owned, first_round) == {"c1": [("orders", 4)], "c2": [("orders", 5)], "c3": []}
    assert ("the first rebalance tells c1 to give up 4 and c2 to give up 5, and assigns c3 nothing yet; the second "
            "one gives 4 and 5 to c3.") in _folded("kafka-consumers")
