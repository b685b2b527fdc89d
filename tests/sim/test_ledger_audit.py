"""The audit kept up to date as the logs grow (app/sim/ledger_audit.py) says what Ledger.summary says,
walking every record, at every step of runs that change the logs in every way they change."""

from __future__ import annotations

from typing import Any

import pytest

from app.sim import Scenario
from app.sim.ledger_audit import LedgerAudit
from tests.sim.test_log_reader import CASES as LOG_CASES


def _spec(faults: list[dict[str, Any]], **producer: Any) -> dict[str, Any]:
    return {"cluster": {"brokers": 3, "latency_ms": 10, "broker.session.timeout.ms": 1000,
                        "broker.heartbeat.interval.ms": 250},
            "topic": {"name": "orders", "partitions": 3, "replication.factor": 3},
            "producer": {"linger.ms": 5, **producer},
            "workload": {"records_per_sec": 600, "keys": 12, "value_bytes": 40},
            "duration_ms": 6000, "trace": {"records": False}, "faults": faults}


CASES = {
    **LOG_CASES,
    # Lost responses and retriable errors with idempotence off: duplicates and reordered keys.
    "duplicates": _spec([{"at_ms": 800, "drop_responses": 0}, {"at_ms": 900, "drop_responses": 1},
                         {"at_ms": 1500, "error_not_enough_replicas": 2}, {"at_ms": 2500, "drop_responses": 2}],
                        **{"enable.idempotence": False, "acks": "all", "request.timeout.ms": 400}),
    # acks=0: acked at send, before any log holds the record
    "acks0": _spec([{"at_ms": 2000, "kill_broker": 1}], acks="0"),
    # an isolated leader keeps taking acks=1 writes the new leader never sees: lost records
    "isolated": _spec([{"at_ms": 1000, "isolate_broker": 0}, {"at_ms": 3500, "heal": 0}], acks="1"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_audit_as_the_logs_grow_is_the_audit_of_every_record(case: str) -> None:
    sc = Scenario(CASES[case], seed=11)
    audit = LedgerAudit(sc.ledger, sc.cluster)
    final = None
    for t in range(100, int(sc.end_ms) + 1, 100):
        sc.run(t)
        final = sc.ledger.summary(sc.cluster)
        assert audit.summary() == final, t
    assert final is not None and final["in_log"] > 0


def test_the_cases_show_what_the_audit_counts() -> None:
    """Each case has something to say, so the comparison above is not of zeros."""
    finals = {}
    for case in ("duplicates", "isolated", "retention", "compaction"):
        sc = Scenario(CASES[case], seed=11)
        sc.run(sc.end_ms)
        finals[case] = LedgerAudit(sc.ledger, sc.cluster).summary()
    assert finals["duplicates"]["duplicated"] > 0 and finals["duplicates"]["reordered"] > 0
    assert finals["isolated"]["lost"] > 0
    assert finals["retention"]["deleted"] > 0
    assert finals["compaction"]["compacted"] > 0
