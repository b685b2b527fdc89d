"""The basics lab: Kafka in one picture. A producer writes keyed records to a topic of three
partitions on three brokers; a consumer reads them, partition by partition, at its own pace.

Slow enough to follow every record (4 a second, keys key-0 ... key-5), so the offsets of each
partition can be read as they grow, and a record's key decides its partition. Adding a
consumer to the group splits the partitions between the two; closing one gives them back. A
partition keeps its records after they are read: the consumer's position moves, the log does
not shrink.

Shortened to be watchable, stated in the lesson's lab table: ``group.initial.rebalance.delay.ms``
500 ms (3 s by default) and ``offsets.topic.num.partitions`` 3 (50).

``BasicsWatch`` (``frame["lab"]``) keeps, per partition, its newest records (offset, key, the
consumer that read it) and where each consumer stands, from the run's events.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from app.live.flow import STOPPED, groups
from app.live.labs import Lab, Scope, Setting
from app.sim import Scenario

GROUP = "readers"
TOPIC = "clicks"
#: Records kept per partition for the page (the newest).
KEEP = 12
KEYS = 6

BASE_SPEC: dict[str, Any] = {
    "kafka_version": "4.0",
    "cluster": {"brokers": 3, "racks": ["az-a", "az-b", "az-c"], "latency_ms": 50.0, "offsets.topic.num.partitions": 3,
                "group.initial.rebalance.delay.ms": 500},
    "topics": [{"name": TOPIC, "partitions": 3, "replication.factor": 3}],
    "producers": [{"topic": TOPIC, "linger.ms": 5,
                   "workload": {"records_per_sec": 4, "keys": KEYS, "value": "json", "value_bytes": 40}}],
    "consumer_groups": [{"group.id": GROUP, "topics": [TOPIC], "members": 1, "process_ms": 50,
                         "auto.offset.reset": "earliest"}],
    "duration_ms": 600_000,
    "settle_ms": 0,
}


class BasicsLab(Lab):
    """The partition count is the topic's (a start setting); everything else is the base spec."""

    def build_spec(self, values: dict[str, Any]) -> dict[str, Any]:
        spec = super().build_spec(values)
        spec.pop("topic", None)
        spec.pop("producer", None)
        spec["topics"][0]["partitions"] = values.get("partitions", 3)
        return spec


class BasicsWatch:
    """Each partition's newest records and who read them; each consumer's partitions and positions."""

    def __init__(self, sc: Scenario) -> None:
        self.sc = sc
        self.records: dict[int, deque[dict[str, Any]]] = {}
        #: member -> how it stopped (closed), until it starts again
        self.stopped: dict[str, str] = {}
        sc.trace.subscribe(("record.acked",), self._acked)
        sc.trace.subscribe(("consumer.polled",), self._polled)
        sc.trace.subscribe((*STOPPED, "consumer.joining"), self._membership)

    def _membership(self, e: dict[str, Any]) -> None:
        if e["kind"] == "consumer.joining":
            self.stopped.pop(e["member"], None)
        else:
            self.stopped[e["member"]] = STOPPED[e["kind"]]

    def _acked(self, e: dict[str, Any]) -> None:
        if e.get("offset", -1) < 0:
            return
        key = self.sc.ledger.keys[e["record"]]
        self.records.setdefault(e["partition"], deque(maxlen=KEEP)).append(
            {"offset": e["offset"], "key": key.decode() if key is not None else None, "read_by": None})

    def _polled(self, e: dict[str, Any]) -> None:
        for _, partition, first, last in e["offsets"]:
            for r in self.records.get(partition, ()):
                if first <= r["offset"] <= last and r["read_by"] is None:
                    r["read_by"] = e["member"]

    def __call__(self, exact: bool = False) -> dict[str, Any]:
        sc = self.sc
        topic = sc.cluster.controller.topics[TOPIC]
        members = groups(sc, self.stopped)["members"]
        consumers = []
        for name, m in members.items():
            c = sc.groups.members[name]
            parts = sorted(p for _, p in m["partitions"])
            consumers.append({"name": name, "state": m["state"], "partitions": parts,
                              "positions": {str(p): c.positions.get((TOPIC, p)) for p in parts}})
        partitions = []
        for s in topic.partitions:
            log = sc.cluster.brokers[s.leader].replicas[s.tp].log if s.leader >= 0 else None
            partitions.append({"partition": s.partition, "leader": s.leader,
                               "log_end_offset": log.log_end_offset if log else None,
                               "high_watermark": log.high_watermark if log else None,
                               "records": list(self.records.get(s.partition, ()))})
        return {"topic": TOPIC, "group": GROUP, "partitions": partitions, "consumers": consumers,
                "committed": sc.groups.summary()[GROUP]["committed"]}


BASICS = BasicsLab(
    name="basics",
    title="Kafka in one picture: a topic, its partitions, a producer and a consumer",
    base_spec=BASE_SPEC,
    settings=(Setting("partitions", Scope.CREATION, "partitions", low=1, high=6),),
    preset={"partitions": 3},
    seed=3,
    faults=("add_consumer", "close_consumer"),
    speed=0.5,
    view=BasicsWatch,
    notes={"partitions": "The topic was created again with partitions={value} and the run started from 0 (on a real "
                         "cluster partitions can be added to a topic, never taken away)."},
)
