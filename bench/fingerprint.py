"""Pin what the simulator does over many scenarios, to check that a speed-up changes nothing.

Not a benchmark and not a test: a tool for whoever optimises ``app/sim``. ``save`` runs 22
scenarios (every codec, acks 0/1/all, idempotence on and off, dropped responses with and
without retries, broker kills, isolation, buffer exhaustion, null keys on 2.8/3.x/4.0, big
values, both benchmark shapes scaled down), each with per-record trace events on and off,
and stores a hash per run of its trace, metrics, ledger and every replica's log (offsets,
epochs, record ids and the bytes of every batch), with the count of events run. ``check``
runs them again and names every run whose hash moved.

    .venv/bin/python bench/fingerprint.py save  /tmp/before.json   # before the change
    .venv/bin/python bench/fingerprint.py check /tmp/before.json   # after it: "DIFF: none"

The hash covers what the simulator said of these runs when the tool was written: fields
that the trace gained since (``topic`` and ``client`` once there could be several of each)
are left out, and so are the replicas' keys (a partition number then, a TopicPartition
now): a run whose behaviour is unchanged keeps its hash.

It is not in the test suite on purpose: the hashes cover compressed bytes, so a new
version of a codec library moves them without the simulator changing. Save and check on
the same installation. About 20 s.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.sim import Scenario  # noqa: E402

_BASE: dict[str, Any] = {
    "kafka_version": "4.0", "cluster": {"brokers": 3, "racks": ["az-a", "az-b", "az-c"]},
    "topic": {"name": "t", "partitions": 6, "replication.factor": 3, "min.insync.replicas": 2},
    "producer": {"acks": "all", "linger.ms": 5, "compression.type": "lz4"},
    "workload": {"records_per_sec": 5000, "keys": 100, "value": "json", "value_bytes": 200},
    "duration_ms": 1500, "settle_ms": 300,
}


def _spec(faults: list[dict[str, Any]] | None = None, kafka_version: str = "4.0", **sections: dict[str, Any]) -> dict:
    spec = copy.deepcopy(_BASE)
    spec["kafka_version"] = kafka_version
    for name, values in sections.items():
        spec[name].update(values)
    if faults:
        spec["faults"] = faults
    return spec


_DROPS = [{"at_ms": 300, "drop_responses": {"broker": 1, "count": 3}},
          {"at_ms": 500, "drop_responses": {"broker": 0, "count": 2}}]
_SHORT_TIMEOUTS = {"request.timeout.ms": 100, "delivery.timeout.ms": 800}

SCENARIOS: dict[str, dict[str, Any]] = {
    "base": _spec(),
    "kill-restart": _spec([{"at_ms": 400, "kill_broker": 1}, {"at_ms": 1000, "restart_broker": 1}]),
    "client-shape": {**_spec(workload={"records_per_sec": 500_000, "value_bytes": 100, "records": 60_000}),
                     "duration_ms": 120, "settle_ms": 200},
    "floor-shape": {**_spec(workload={"records_per_sec": 50_000, "value_bytes": 1024}), "duration_ms": 800,
                    "settle_ms": 200},
    "none": _spec(producer={"compression.type": "none"}),
    "gzip-logs": _spec(producer={"compression.type": "gzip"}, workload={"value": "logs"}),
    "zstd-random": _spec(producer={"compression.type": "zstd"}, workload={"value": "random"}),
    "snappy-small-batches": _spec(producer={"compression.type": "snappy", "batch.size": 4096}),
    "acks1-leader-killed": _spec([{"at_ms": 300, "kill_broker": 0}, {"at_ms": 900, "restart_broker": 0}],
                                 producer={"acks": "1", "enable.idempotence": False}),
    "acks0": _spec(producer={"acks": "0", "enable.idempotence": False}),
    "drops-no-retry-window": _spec(_DROPS[:1], producer={"enable.idempotence": False,
                                                         "max.in.flight.requests.per.connection": 5}),
    "drops-idempotent": _spec(_DROPS[:1]),
    "drops-duplicates": _spec(_DROPS, producer={"enable.idempotence": False, **_SHORT_TIMEOUTS}),
    "drops-deduplicated": _spec(_DROPS, producer=dict(_SHORT_TIMEOUTS)),
    "null-keys-4.0": _spec(workload={"keys": 0}),
    "null-keys-2.8": _spec(workload={"keys": 0}, kafka_version="2.8"),
    "version-3.x": _spec(kafka_version="3.x"),
    "buffer-exhausted": _spec([{"at_ms": 200, "add_latency": {"broker": 0, "ms": 400}}],
                              producer={"buffer.memory": 65536, "max.block.ms": 200}),
    "isolate-heal": _spec([{"at_ms": 300, "isolate_broker": 2}, {"at_ms": 800, "heal": None}]),
    "two-down": _spec([{"at_ms": 300, "kill_broker": 1}, {"at_ms": 350, "kill_broker": 2},
                       {"at_ms": 900, "restart_broker": 1}]),
    "linger-0": _spec(producer={"linger.ms": 0}, workload={"records_per_sec": 20_000}),
    "big-values": _spec(workload={"value_bytes": 20_000, "records_per_sec": 300}),
}


#: Fields events gained after the tool was written; the hash leaves them out.
LATER_FIELDS = frozenset({"topic", "client"})


def _as_then(trace: list[dict[str, Any]]) -> str:
    """The trace as the tool first hashed it: without the fields added since."""
    events = [{k: v for k, v in e.items() if k not in LATER_FIELDS} for e in trace]
    return json.dumps(events, separators=(",", ":"), sort_keys=True)


def fingerprint(spec: dict[str, Any], seed: int, trace_records: bool) -> str:
    """A hash of everything one run produced, and the number of events it ran."""
    scenario = Scenario(spec, seed, trace_records)
    result = scenario.run_to_end()
    h = hashlib.sha256()
    h.update(_as_then(result.trace).encode())
    metrics = {**result.metrics, "partitions": [{k: v for k, v in p.items() if k not in LATER_FIELDS}
                                                for p in result.metrics["partitions"]]}
    h.update(json.dumps(metrics, sort_keys=True, default=str).encode())
    h.update(json.dumps(result.ledger, sort_keys=True).encode())
    for broker_id in sorted(scenario.cluster.brokers, key=str):
        broker = scenario.cluster.brokers[broker_id]
        for tp in sorted(broker.replicas):
            log = broker.replicas[tp].log
            p = tp.partition
            h.update(f"{broker_id}/{p}/{log.log_end_offset}/{log.high_watermark}/{log.epochs}".encode())
            for e in log.entries:
                h.update(e.data)
                h.update(repr((e.base_offset, e.last_offset, e.epoch, e.record_ids, e.producer_id, e.base_sequence,
                               e.append_ms)).encode())
    return f"{h.hexdigest()[:16]}/{result.events_run}"


def run_all() -> dict[str, str]:
    return {f"{name}/records={on}": fingerprint(spec, 3, on) for name, spec in SCENARIOS.items() for on in (False, True)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=("save", "check"))
    parser.add_argument("path", type=Path)
    args = parser.parse_args()
    now = run_all()
    if args.action == "save":
        args.path.write_text(json.dumps(now, indent=1))
        print(f"saved {len(now)} fingerprints to {args.path}")
        return
    before = json.loads(args.path.read_text())
    moved = [name for name in before if before[name] != now.get(name)]
    print(f"DIFF: {', '.join(moved) if moved else 'none'} ({len(before)} runs checked)")
    sys.exit(1 if moved else 0)


if __name__ == "__main__":
    main()
