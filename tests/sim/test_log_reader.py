"""The leader log read as it grows (app/sim/log_reader.py): what a reader has read, started over when it
says so, is always the log as it stands, through retention, the cleaner, elections and truncation."""

from __future__ import annotations

from typing import Any

import pytest

from app.sim import Scenario
from app.sim.log_reader import LeaderLogReader, leader_log
from app.sim.partition import TopicPartition

TP = TopicPartition("orders", 0)


def _spec(topic: dict[str, Any], cluster: dict[str, Any], faults: list[dict[str, Any]], acks: str = "all") -> dict[str, Any]:
    return {"cluster": {"brokers": 3, "latency_ms": 10, **cluster},
            "topic": {"name": "orders", "partitions": 1, "replication.factor": 3, **topic},
            "producer": {"acks": acks, "linger.ms": 5},
            "workload": {"records_per_sec": 800, "keys": 20, "value_bytes": 60},
            "duration_ms": 9000, "trace": {"records": False}, "faults": faults}


CASES = {
    "retention": _spec({"segment.bytes": 4096, "retention.bytes": 12_000},
                       {"log.retention.check.interval.ms": 500, "log.initial.task.delay.ms": 500}, []),
    "compaction": _spec({"cleanup.policy": "compact", "segment.bytes": 2048}, {"log.cleaner.backoff.ms": 300}, []),
    # acks=1 and the leader killed: the new leader lacks the old one's tail, which it truncates on its return
    "elections": _spec({}, {"broker.session.timeout.ms": 1000, "broker.heartbeat.interval.ms": 250},
                       [{"at_ms": 1500, "kill_broker": 2}, {"at_ms": 3500, "restart_broker": 2},
                        {"at_ms": 5000, "kill_broker": 0}, {"at_ms": 5000, "kill_broker": 1},
                        {"at_ms": 7000, "restart_broker": 0}, {"at_ms": 7000, "restart_broker": 1}], acks="1"),
}


@pytest.mark.parametrize("committed", [True, False], ids=["committed", "live"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_what_was_read_is_the_log_as_it_stands(case: str, committed: bool) -> None:
    sc = Scenario(CASES[case], seed=5)
    reader = LeaderLogReader(sc.cluster, TP, committed=committed)
    seen: list = []
    restarts = 0
    for t in range(100, 9001, 100):
        sc.run(t)
        read = reader.read()
        if read.restarted:
            seen = []
            restarts += 1
        seen += read.entries
        log = leader_log(sc.cluster, sc.cluster.controller.partition("orders", 0))
        assert seen == (log.committed() if committed else log.live_entries()), t
    assert restarts > 2  # the case did change the log under the reader, not only append to it
