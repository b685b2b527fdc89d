"""librdkafka's consumer (confluent-kafka) on its mock cluster as an oracle for what a group does.

A real client's group can be checked where the outcome does not depend on random member ids
or wall-clock timing: how the range assignor splits a topic among the members, what is left
when one member closes, and that a group with auto-commit reads every record once.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from app.sim import run_scenario
from bench.mock_cluster import MockCluster, find_librdkafka
from tests.sim.test_consumer_groups import group_spec

RECORDS = 600


@pytest.fixture(scope="module")
def mock_cluster() -> Iterator[MockCluster]:
    pytest.importorskip("confluent_kafka")
    lib = find_librdkafka()
    if lib is None:
        pytest.fail("confluent-kafka's wheel has no bundled librdkafka (needed for its mock cluster API)")
    cluster = MockCluster(lib, brokers=3)
    cluster.create_topic("orders", 6, 3)
    yield cluster
    cluster.close()


def _consumer(bootstrap: str, i: int) -> Any:
    from confluent_kafka import Consumer

    return Consumer({"bootstrap.servers": bootstrap, "group.id": "billing", "partition.assignment.strategy": "range",
                     "auto.offset.reset": "earliest", "client.id": f"billing-{i}", "session.timeout.ms": 6000,
                     "heartbeat.interval.ms": 1000, "log_level": 0})


def _shapes(assignments: list[list[int]]) -> list[list[int]]:
    return sorted(sorted(a) for a in assignments)


def test_librdkafka_and_the_simulator_split_and_re_split_a_group_the_same_way(mock_cluster: MockCluster) -> None:
    from confluent_kafka import Producer

    producer = Producer({"bootstrap.servers": mock_cluster.bootstrap_servers, "log_level": 0})
    for i in range(RECORDS):
        producer.produce("orders", key=f"key-{i % 50}".encode(), value=b"v%d" % i)
    assert producer.flush(10) == 0
    consumers = [_consumer(mock_cluster.bootstrap_servers, i) for i in range(3)]
    for c in consumers:
        c.subscribe(["orders"])
    read = 0
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (read >= RECORDS and all(c.assignment() for c in consumers)):
        for c in consumers:
            msg = c.poll(0.05)
            read += msg is not None and not msg.error()
    real_first = _shapes([[tp.partition for tp in c.assignment()] for c in consumers])
    consumers[1].close()
    rest = [consumers[0], consumers[2]]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and sum(len(c.assignment()) for c in rest) < 6:
        for c in rest:
            c.poll(0.05)
    real_after = _shapes([[tp.partition for tp in c.assignment()] for c in rest])
    for c in rest:
        c.close()

    sim = run_scenario(group_spec(faults=[{"at_ms": 12000, "close_consumer": "billing-1"}], duration_ms=20000), seed=1)
    sim_after = _shapes([[p for _, p in parts] for parts in sim.groups["billing"]["assignment"].values()])
    before = run_scenario(group_spec(duration_ms=10000), seed=1)
    sim_first = _shapes([[p for _, p in parts] for parts in before.groups["billing"]["assignment"].values()])

    assert read == RECORDS  # every record read once
    assert real_first == sim_first == [[0, 1], [2, 3], [4, 5]]
    assert real_after == sim_after == [[0, 1, 2], [3, 4, 5]]
