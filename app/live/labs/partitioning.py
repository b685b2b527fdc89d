"""The partitioning lab: how a key becomes a partition, what moves when the partition count changes,
how records without a key spread in each Kafka version, and why clients with other hashes split a key.

The live run is a keyed workload (keys key-0 ... key-11, the lab's generated keys) on three
brokers; every record.sent event carries its key and partition, so the page shows where the
simulator's producer put each key. Kafka adds partitions to a live topic (never removes them);
the simulator cannot, so changing the count creates the topic again, and the notice says so.
The arithmetic the page shows for a typed key (bytes, murmur2, toPositive, modulo, other
clients' partitions) and the null-key comparison (three short simulator runs, one per
strategy) are computed here and served by app/web/live.py.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from app.live.labs import Lab, Scope, Setting
from app.sim import Scenario, murmur2, partition_for_key, to_positive
from app.sim.murmur2 import fnv1a_partition, librdkafka_crc32_partition, murmur3_partition

#: The workload's keys (app.sim.workload names them key-0 ... key-N-1): the lab's generated key set.
GENERATED_KEYS = 12
#: A wider sample for the share of keys that move: key-0 ... key-999.
SAMPLE_KEYS = 1000
MAX_PARTITIONS = 16
#: A typed key longer than this is refused; Kafka has no key limit below max.request.size, a page does.
MAX_KEY_BYTES = 256

PARTITIONING = Lab(
    name="partitioning",
    title="The partitioner: keys, murmur2 and partition counts",
    base_spec={
        "cluster": {"brokers": 3, "latency_ms": 5.0},
        "topic": {"name": "orders", "replication.factor": 1},
        "producer": {"linger.ms": 5},
        "workload": {"records_per_sec": 20, "keys": GENERATED_KEYS, "value": "json", "value_bytes": 60},
        "duration_ms": 600_000,
        "settle_ms": 0,
    },
    settings=(Setting("partitions", Scope.CREATION, "partitions", low=1, high=MAX_PARTITIONS),),
    preset={"partitions": 6},
    seed=5,
    faults=(),
    speed=0.2,
    notes={"partitions": "The lab created the topic again with partitions={value} and started the run from 0. On a real "
                         "cluster you add partitions to the existing topic (kafka-topics.sh --alter --partitions), and its "
                         "records stay where they are; you can never take partitions away (InvalidPartitionsException: "
                         "\"... would not be an increase\")."},
)

#: Other clients' default partitioners for a keyed record (docs: app/sim/murmur2.py).
OTHER_CLIENTS = (
    ("librdkafka", "librdkafka (confluent-kafka, default consistent_random)", "CRC-32", librdkafka_crc32_partition),
    ("sarama", "Sarama (Go, default HashPartitioner)", "FNV-1a", fnv1a_partition),
    ("murmur3", "a custom partitioner with murmur3 (mmh3)", "murmur3", murmur3_partition),
)

#: Null-key strategies in Kafka's history, oldest first: (spec value, versions, name, how it chooses).
NULL_KEY_STRATEGIES = (
    ("round-robin", "Kafka 2.3 and before", "round-robin (DefaultPartitioner)", "the next partition for every record"),
    ("sticky", "Kafka 2.4 to 3.2", "sticky (KIP-480)", "one partition until a new batch is created, then another"),
    ("uniform-sticky", "Kafka 3.3 and later", "uniform sticky (KIP-794)", "one partition until batch.size bytes were sent to it"),
)


def check_key(key: str) -> bytes:
    """The key's UTF-8 bytes, or ValueError naming the limit (a page sends text; Java's StringSerializer encodes UTF-8)."""
    try:
        data = key.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("key must be valid Unicode text (it is sent as UTF-8); it holds a lone surrogate") from None
    if len(data) > MAX_KEY_BYTES:
        raise ValueError(f"key may be at most {MAX_KEY_BYTES} bytes in UTF-8; got {len(data)}")
    return data


def explain_key(key: str, partitions: int, previous: int | None = None) -> dict[str, Any]:
    """Every step of the Java client's choice for ``key`` (BuiltInPartitioner.partitionForKey), and other clients' answers."""
    data = check_key(key)
    h = murmur2(data)
    positive = to_positive(h)
    partition = partition_for_key(data, partitions)
    out: dict[str, Any] = {
        "key": key, "bytes_hex": data.hex(" "), "length": len(data), "murmur2": h, "to_positive": positive,
        "partitions": partitions, "partition": partition, "abs_partition": abs(h) % partitions,
        "previous": previous, "previous_partition": partition_for_key(data, previous) if previous else None,
        "others": [{"client": c, "label": label, "hash": name, "partition": fn(data, partitions), "same": fn(data, partitions) == partition}
                   for c, label, name, fn in OTHER_CLIENTS],
    }
    return out


def generated_keys(partitions: int, previous: int | None = None) -> dict[str, Any]:
    """The generated keys' partitions now and at ``previous`` partitions, which moved, and the share that moved."""
    prev = previous or partitions
    rows = []
    for i in range(GENERATED_KEYS):
        data = f"key-{i}".encode()
        now, before = partition_for_key(data, partitions), partition_for_key(data, prev)
        rows.append({"key": data.decode(), "murmur2": murmur2(data), "partition": now, "previous_partition": before,
                     "moved": now != before,
                     "others": {c: fn(data, partitions) for c, _, _, fn in OTHER_CLIENTS}})
    moved = sum(r["moved"] for r in rows)
    sample = sum(partition_for_key(f"key-{i}".encode(), partitions) != partition_for_key(f"key-{i}".encode(), prev)
                 for i in range(SAMPLE_KEYS))
    split = {c: sum(r["others"][c] != r["partition"] for r in rows) for c, _, _, _ in OTHER_CLIENTS}
    return {"partitions": partitions, "previous": prev, "keys": rows, "moved": moved, "total": GENERATED_KEYS,
            "sample_moved": sample, "sample_total": SAMPLE_KEYS, "split": split}


@lru_cache(maxsize=MAX_PARTITIONS)
def null_key_runs(partitions: int) -> list[dict[str, Any]]:
    """Three short simulator runs with null keys, one per strategy, same producer configs (Kafka 4.0 defaults,
    linger.ms=5, batch.size=16384) and seed: how each spreads records and how big its batches get."""
    out = []
    for strategy, versions, name, how in NULL_KEY_STRATEGIES:
        spec = {
            "cluster": {"brokers": 3, "latency_ms": 5.0},
            "topic": {"name": "orders", "partitions": partitions, "replication.factor": 1},
            "producer": {"linger.ms": 5}, "partitioner": strategy,
            "workload": {"records_per_sec": 1000, "keys": 0, "value": "json", "value_bytes": 100, "records": 1200},
            "trace": {"kinds": ["record.sent", "batch.ready"]},
            "duration_ms": 2000, "settle_ms": 200,
        }
        sc = Scenario(spec, PARTITIONING.seed)
        result = sc.run_to_end()
        sent = [e["partition"] for e in result.trace if e["kind"] == "record.sent"]
        batches = [e["records"] for e in result.trace if e["kind"] == "batch.ready"]
        counts = [0] * partitions
        for p in sent:
            counts[p] += 1
        out.append({"strategy": strategy, "versions": versions, "name": name, "how": how, "records": len(sent),
                    "first": sent[:60], "per_partition": counts, "batches": len(batches),
                    "records_per_batch": round(len(sent) / len(batches), 2) if batches else 0.0,
                    "batch_size_avg": result.metrics["producer"]["batch-size-avg"]})
    return out


__all__ = ["GENERATED_KEYS", "KeyQuery", "MAX_KEY_BYTES", "MAX_PARTITIONS", "PARTITIONING", "check_key", "explain_key",
           "generated_keys", "null_key_runs"]


class KeyQuery(BaseModel):
    """POST /api/labs/partitioning/key: a typed key (or none), the partition count, and the count before the last change."""

    model_config = ConfigDict(extra="forbid")

    key: str | None = None
    # Strict: a JSON integer only. Lax mode would take true as 1, "3" as 3 and 3.0 as 3; the page sends integers.
    partitions: int = Field(ge=1, le=MAX_PARTITIONS, strict=True)
    previous: int | None = Field(default=None, ge=1, le=MAX_PARTITIONS, strict=True)

    @field_validator("key")
    @classmethod
    def _utf8(cls, key: str | None) -> str | None:
        if key is not None:
            check_key(key)
        return key

    def answer(self) -> dict[str, Any]:
        return {"key": None if self.key is None else explain_key(self.key, self.partitions, self.previous),
                "generated": generated_keys(self.partitions, self.previous)}
