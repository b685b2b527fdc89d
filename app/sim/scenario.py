"""Running a scenario: build the cluster, the producer and the workload from a spec, run, audit.

Not a Kafka class: the entry point the labs use. ``Scenario`` can be stepped by
hand (``step``/``run``) for live animation; ``run_scenario`` runs one to the end.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from app.sim.access import ANONYMOUS, Identity
from app.sim.channel import connector, make_channels
from app.sim.cluster import Cluster
from app.sim.consumer.groups import ConsumerGroups
from app.sim.copying import paused_gc
from app.sim.events import Simulation
from app.sim.faults import FAULTS
from app.sim.ledger import Ledger
from app.sim.ledger_audit import LedgerAudit
from app.sim.metrics import BrokerMetrics, ProducerMetrics
from app.sim.network import Network
from app.sim.producer.producer import KafkaProducer
from app.sim.spec import parse_spec
from app.sim.trace import Trace
from app.sim.workload import Workload


@dataclass
class ScenarioResult:
    """``ledger``: acked/lost/duplicated/reordered counts and failed by error name; ``trace``: a list of events."""

    ledger: dict[str, Any]
    metrics: dict[str, Any]
    trace: list[dict[str, Any]]
    spec: dict[str, Any] = field(default_factory=dict)
    events_run: int = 0
    #: group.id -> assignment, generation, rebalances, committed, lag, consumed, redelivered, missed
    groups: dict[str, Any] = field(default_factory=dict)

    def trace_json(self) -> str:
        return json.dumps(self.trace, separators=(",", ":"), sort_keys=True)

    def to_dict(self) -> dict[str, Any]:
        return {"ledger": self.ledger, "metrics": self.metrics, "trace": self.trace}


class Scenario:
    """Everything one spec builds; time advances only through ``step``/``run``/``run_to_end``."""

    def __init__(self, spec: Any, seed: int = 0, trace_records: bool | None = None, keep_log_bytes: bool = True) -> None:
        """``keep_log_bytes=False``: the spec's topics keep each batch's size, not its bytes (batches are
        still encoded, compressed and CRC-checked; only the stored copy is not kept), for runs whose
        logs nobody reads back, such as a lab's; topics created later keep their bytes. It never
        changes what happens."""
        self.raw_spec = spec
        self.keep_log_bytes = keep_log_bytes
        s = self.spec = parse_spec(spec)
        self.seed = seed
        self.sim = sim = Simulation(seed)
        tr = s["trace"]
        self.trace = Trace(records=tr["records"] if trace_records is None else trace_records, kinds=tr["kinds"],
                           enabled=tr["enabled"], wire=tr["wire"])
        cl = s["cluster"]
        self.network = Network(sim, cl["latency_ms"], cl["bandwidth_mbps"] * 1_000_000 / 8 / 1000)
        self.network.trace = self.trace
        for src, dst, latency in cl["links"]:
            self.network.set_link_latency(src, dst, latency)
        self.broker_metrics = BrokerMetrics()
        self.cluster = Cluster(sim, self.network, self.trace, self.broker_metrics, cl["configs"], cl["brokers"], cl["racks"],
                               s["kafka_version"], seed)
        if not keep_log_bytes:
            self.cluster.sizes_only = frozenset(tp["name"] for tp in s["topics"])
        for binding in s["acls"]:
            self.cluster.authorizer.add(binding)
        if cl["security"]:
            self.cluster.channels = make_channels(self.cluster, cl["configs"], s["users"])
        for tp in s["topics"]:
            self.cluster.controller.create_topic(tp["name"], tp["partitions"], tp["replication.factor"], tp["configs"])
        self.ledger = Ledger()
        #: the ledger's audit kept up to date as the logs grow (what a lab asks for several times a second)
        self.audit = LedgerAudit(self.ledger, self.cluster)
        self.producer_metrics = ProducerMetrics()
        self.end_ms = s["duration_ms"] + s["settle_ms"]
        #: every producer of the spec, in order, with the application (workload) that sends through it
        self.producers: list[KafkaProducer] = []
        self.workloads: list[Workload] = []
        for i, pr in enumerate(s["producers"]):
            producer = KafkaProducer(sim, self.cluster, self.network, pr["configs"], pr["topic"], self.trace,
                                     self.producer_metrics, self.ledger, pr["partitioner"], pr["host"], pr["rack"],
                                     Identity(pr["principal"] or ANONYMOUS, pr["host"] or "127.0.0.1"),
                                     connector(self.cluster, pr["configs"], pr["listener"], pr["certificate"]))
            workload = Workload(sim, producer, self.ledger, pr["workload"], seed, s["duration_ms"], index=i)
            self.producers.append(producer)
            self.workloads.append(workload)
            workload.start()
        self.groups = ConsumerGroups(self.cluster, self.trace, self.ledger, s["consumer_groups"])
        for f in s["faults"]:
            sim.at(f["at_ms"], self._fault, f["action"], f["target"], f["options"])

    def _fault(self, action: str, target: Any, options: dict[str, float]) -> None:
        FAULTS[action].apply(self, target, options)

    @property
    def producer(self) -> KafkaProducer:
        """The first producer of the spec (the one a lab's settings replace)."""
        return self.producers[0]

    @producer.setter
    def producer(self, value: KafkaProducer) -> None:
        self.producers[0] = value

    @property
    def workload(self) -> Workload:
        return self.workloads[0]

    def member_names(self) -> list[str]:
        """Every consumer name this run has now (faults take them)."""
        return self.groups.names()

    def group_ids(self) -> list[str]:
        return list(self.groups.specs)

    @property
    def now(self) -> float:
        return self.sim.now

    def step(self) -> bool:
        """Run one event (False when the run is over)."""
        nxt = self.sim.peek()
        if nxt is None or nxt > self.end_ms:
            return False
        return self.sim.step()

    def run(self, until: float) -> None:
        with paused_gc():
            self.sim.run(min(until, self.end_ms))

    def run_to_end(self) -> ScenarioResult:
        with paused_gc():
            self.sim.run(self.end_ms)
        return self.result()

    def result(self) -> ScenarioResult:
        elapsed = max(self.sim.now, 1.0)
        metrics = {
            "producer": self.producer_metrics.summary(self.producer, elapsed) if self.producers else {},
            "broker": self.broker_metrics.summary(self.cluster, elapsed),
            "partitions": self.partition_view(),
        }
        unsent = sum(p.unsent for p in self.producers)
        groups = self.groups.summary() if self.groups.specs else {}
        return ScenarioResult(self.ledger.summary(self.cluster, unsent), metrics, self.trace.events, self.spec_json(),
                              self.sim.events_run, groups)

    def partition_view(self) -> list[dict[str, Any]]:
        """Per partition of the spec's topic: leader, epoch, ISR, and every replica's log end offset and high watermark."""
        out = []
        topic = self.cluster.controller.topics.get(self.spec["topic"]["name"]) if self.spec["topic"] else None
        for s in topic.partitions if topic is not None else ():
            reps = {str(b): {"leo": self.cluster.brokers[b].replicas[s.tp].log.log_end_offset,
                             "hw": self.cluster.brokers[b].replicas[s.tp].log.high_watermark}
                    for b in s.replicas}
            out.append({"topic": s.topic, "partition": s.partition, "leader": s.leader, "leader_epoch": s.leader_epoch,
                        "replicas": list(s.replicas), "isr": list(s.isr), "logs": reps})
        return out

    def spec_json(self) -> dict[str, Any]:
        s = dict(self.spec)
        s["partitioner"] = s["partitioner"].value
        s["producers"] = [{**p, "partitioner": p["partitioner"].value} for p in s["producers"]]
        return json.loads(json.dumps(s, default=str))


def run_scenario(spec: Any, seed: int = 0, trace_records: bool | None = None) -> ScenarioResult:
    """Run ``spec`` (plain JSON-able data) to its end with ``seed``; the same pair gives the same result."""
    return Scenario(spec, seed, trace_records).run_to_end()
