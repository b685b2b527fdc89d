"""The high-throughput producer lab: the notes' recipe against the defaults, two runs side by side.

The session's own run is the producer with the chosen Kafka version's defaults
(2.8 and 3.x: linger.ms=0; 4.0: linger.ms=5; batch.size=16384 and
compression.type=none in all). ``TwinView`` builds a second Scenario from the same spec
and seed with the recipe (compression.type=snappy, batch.size=32768, linger.ms=20) and
runs it to the same virtual time whenever a frame is drawn, so both see the same
records at the same instants, and seek, restart and links replay both.

Workload: 4,000 JSON records a second of 300 bytes (null keys) over 6 partitions on 3
brokers, each producer-broker link 3 Mbit/s. Uncompressed, that is about 1.3 MB/s, more
than the three links carry (1.1 MB/s): the defaults fall behind and their latency grows,
while the recipe's fewer, fuller snappy batches (about a third of the bytes) keep up.
"""

from __future__ import annotations

import copy
from typing import Any

from app.configs import KAFKA_VERSIONS
from app.live.labs import Lab, Scope, Setting
from app.live.labs.batching import BatchWatch
from app.sim import Scenario, control

RECIPE = {"compression.type": "snappy", "batch.size": 32768, "linger.ms": 20}
SHOWN = ("compression.type", "batch.size", "linger.ms", "acks", "enable.idempotence")


class ThroughputLab(Lab):
    """A Lab whose ``kafka_version`` setting picks the version whose defaults the first run uses."""

    def build_spec(self, values: dict[str, Any]) -> dict[str, Any]:
        spec = super().build_spec({k: v for k, v in values.items() if k != "kafka_version"})
        spec["kafka_version"] = values.get("kafka_version", self.preset["kafka_version"])
        return spec


def _run_view(name: str, sc: Scenario, watch: BatchWatch) -> dict[str, Any]:
    m = sc.producer_metrics.summary(sc.producer, max(sc.now, 1.0))
    return {"name": name, "config": {k: sc.producer.cfg[k] for k in SHOWN}, "window": watch.window(),
            "series": watch.series(), "totals": dict(watch.totals),
            "metrics": {k: m[k] for k in ("batch-size-avg", "records-per-request-avg", "request-count",
                                          "request-latency-avg", "compression-rate-avg", "record-queue-time-avg")}}


class TwinView:
    """The defaults (the session's Scenario) and the recipe (a twin on the same spec and seed), at the same virtual time."""

    def __init__(self, sc: Scenario) -> None:
        self.sc = sc
        self.watch = BatchWatch(sc)
        spec = copy.deepcopy(sc.raw_spec)
        spec["producer"] = {**spec.get("producer", {}), **RECIPE}
        self.twin = Scenario(spec, sc.seed, keep_log_bytes=sc.keep_log_bytes)
        self.twin_watch = BatchWatch(self.twin)
        self.shadows = [self.twin]  # the session counts their records in what its checkpoints cost

    def __call__(self, exact: bool = False) -> dict[str, Any]:
        """The lab's part of a frame; always exact here (``exact``: see Lab.view)."""
        control.run_until(self.twin, self.sc.now)
        self.twin.trace.events.clear()  # nobody streams the twin's events; its watch has counted them
        return {"version": self.sc.spec["kafka_version"], "recipe": RECIPE,
                "runs": [_run_view("defaults", self.sc, self.watch), _run_view("recipe", self.twin, self.twin_watch)]}


THROUGHPUT = ThroughputLab(
    name="throughput",
    title="A high-throughput producer: the recipe against the defaults",
    base_spec={
        "cluster": {"brokers": 3, "latency_ms": 2.0, "bandwidth_mbps": 3.0},
        "topic": {"name": "clicks", "partitions": 6, "replication.factor": 1},
        "producer": {},
        "workload": {"records_per_sec": 4000, "keys": 0, "value": "json", "value_bytes": 300},
        "duration_ms": 600_000,
        "settle_ms": 0,
        "trace": {"records": False},
    },
    settings=(Setting("kafka_version", Scope.CREATION, "Kafka version (its producer defaults)", choices=KAFKA_VERSIONS),),
    preset={"kafka_version": "4.0"},
    seed=3,
    speed=0.05,
    notes={"kafka_version": "Both runs started again from 0: the first now uses Kafka {value}'s producer defaults, "
                            "the second the recipe, on the same records."},
    view=TwinView,
)
