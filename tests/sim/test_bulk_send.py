"""The producer's bulk send path (app/sim/producer/bulk.py) decides exactly as one send() per record.

With per-record trace events on, every record goes through ``KafkaProducer._send_one``;
with them off, keyed records take the bulk path.  Both runs must agree on everything
but the per-record events: batch boundaries, blocking, retries, metrics and the ledger.
"""

from __future__ import annotations

from typing import Any

import pytest

from app.sim import run_scenario
from tests.sim.conftest import small_spec

_PER_RECORD = ("record.sent", "record.acked", "record.failed")

SPECS: dict[str, dict[str, Any]] = {
    # Hundreds of records a tick over 6 partitions, lz4 with the ratio estimator.
    "lz4-many-per-tick": small_spec(
        topic={"partitions": 6}, producer={"compression.type": "lz4"},
        workload={"records_per_sec": 200_000, "keys": 100, "value_bytes": 100, "records": 20_000},
        duration_ms=200, settle_ms=300),
    # 1 KB values, gzip, a broker killed mid-run (retries, new leaders).
    "gzip-1kb-fault": small_spec(
        producer={"compression.type": "gzip"},
        workload={"records_per_sec": 20_000, "keys": 7, "value_bytes": 1024},
        faults=[{"at_ms": 100, "kill_broker": 0}], duration_ms=400),
    # No codec, full 16 KB batches of ~120-byte records: the exact rule, no estimate.
    "none-many-per-tick": small_spec(
        topic={"partitions": 4}, producer={"compression.type": "none"},
        workload={"records_per_sec": 100_000, "keys": 30, "value_bytes": 100, "records": 10_000},
        duration_ms=200, settle_ms=300),
    # No codec; small batches; offset deltas past 63 (two-byte varints).
    "none-small-batches": small_spec(
        producer={"compression.type": "none", "batch.size": 3000},
        workload={"records_per_sec": 100_000, "keys": 3, "value": "logs", "value_bytes": 40},
        duration_ms=100),
    # buffer.memory fills: send() blocks, later sends queue behind it, some fail after max.block.ms.
    "blocking": small_spec(
        producer={"compression.type": "zstd", "buffer.memory": 65536, "batch.size": 16384, "max.block.ms": 50},
        workload={"records_per_sec": 100_000, "keys": 50, "value": "random", "value_bytes": 500},
        faults=[{"at_ms": 20, "add_latency": {"broker": 0, "ms": 80}},
                {"at_ms": 20, "add_latency": {"broker": 1, "ms": 80}},
                {"at_ms": 20, "add_latency": {"broker": 2, "ms": 80}}],
        duration_ms=300),
}


@pytest.mark.parametrize("name", SPECS)
def test_bulk_path_equals_one_send_per_record(name: str) -> None:
    spec = SPECS[name]
    one_by_one = run_scenario(spec, seed=3, trace_records=True)
    bulk = run_scenario(spec, seed=3, trace_records=False)
    assert bulk.ledger == one_by_one.ledger
    assert bulk.metrics == one_by_one.metrics
    assert bulk.trace == [e for e in one_by_one.trace if e["kind"] not in _PER_RECORD]
    assert any(e["kind"] == "record.sent" for e in one_by_one.trace)
