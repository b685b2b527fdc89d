from __future__ import annotations

import copy
from typing import Any

import pytest

EXAMPLE_SPEC: dict[str, Any] = {
    "kafka_version": "4.0",
    "cluster": {"brokers": 3, "racks": ["az-a", "az-b", "az-c"]},
    "topic": {"name": "orders", "partitions": 6, "replication.factor": 3, "min.insync.replicas": 2},
    "producer": {"acks": "all", "linger.ms": 5, "batch.size": 16384, "compression.type": "lz4"},
    "workload": {"records_per_sec": 5000, "keys": 100, "value": "json", "value_bytes": 200},
    "faults": [{"at_ms": 2000, "kill_broker": 1}, {"at_ms": 6000, "restart_broker": 1}],
    "duration_ms": 10000,
}


@pytest.fixture
def example_spec() -> dict[str, Any]:
    return copy.deepcopy(EXAMPLE_SPEC)


def small_spec(**overrides: Any) -> dict[str, Any]:
    """A quick spec: 3 brokers, RF 3, 3 partitions, 1000 records/s for 2 s, short timeouts."""
    spec: dict[str, Any] = {
        "cluster": {"brokers": 3, "racks": ["a", "b", "c"], "broker.session.timeout.ms": 500,
                    "broker.heartbeat.interval.ms": 100},
        "topic": {"partitions": 3, "replication.factor": 3, "min.insync.replicas": 2},
        "producer": {"acks": "all", "linger.ms": 5, "request.timeout.ms": 1000, "delivery.timeout.ms": 5000},
        "workload": {"records_per_sec": 1000, "keys": 20, "value": "json", "value_bytes": 100},
        "duration_ms": 2000,
        "trace": {"records": False},
    }
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(spec.get(key), dict):
            spec[key] = {**spec[key], **value}
        else:
            spec[key] = value
    return spec
