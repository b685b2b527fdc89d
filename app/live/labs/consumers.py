"""The consumers lab: a producer, a consumer group on three partitions, and members that come, go and crash.

Three brokers in three zones, one producer at 30 records a second, a group "billing" of three
members, one partition each, that take 40 ms a record: each keeps up with 25 a second, so a
member is busy often enough that a kill may land in the middle of a batch (where the commit
strategies differ), and a member left with two partitions is busy four fifths of the time:
the lag a stop built up goes down slowly. (Twice the records at half the time each tell the
same story at twice the server's work.) A fourth member gets no partition: under an eager
assignor the whole group still stops for it, under cooperative-sticky and the consumer
protocol nobody does. Three partitions, not more, so that the cluster picture (each broker
holds a replica of every partition) reads from the back of a room.

Shortened to be watchable, each stated in the lesson's lab table: ``session.timeout.ms``
10 s (45 s by default), ``group.initial.rebalance.delay.ms`` 500 ms (3 s),
``offsets.topic.num.partitions`` 3 (50), KIP-848's ``group.consumer.session.timeout.ms``
10 s (45 s) and ``group.consumer.heartbeat.interval.ms`` 1 s (5 s).

``GroupWatch`` (app/live/labs/group_view.py, ``frame["lab"]``) follows the group through
``trace.subscribe``: each member's state and partitions, who read each partition when, the
rebalances, the commits, the coordinator, per partition the lag, and the bytes fetched across zones.
"""

from __future__ import annotations

import copy
from typing import Any

from app.live.labs import Lab, Scope, Setting
from app.live.labs.group_view import GroupWatch

GROUP = GroupWatch.GROUP
TOPIC = GroupWatch.TOPIC
_BROKERS = 3
ZONES = ["az-a", "az-b", "az-c"]

BASE_SPEC: dict[str, Any] = {
    "kafka_version": "4.0",
    "cluster": {"brokers": _BROKERS, "racks": ZONES, "latency_ms": 40.0,
                "offsets.topic.num.partitions": 3, "group.initial.rebalance.delay.ms": 500,
                "group.consumer.session.timeout.ms": 10000, "group.consumer.min.session.timeout.ms": 6000,
                "group.consumer.heartbeat.interval.ms": 1000, "group.consumer.min.heartbeat.interval.ms": 1000},
    "topics": [{"name": TOPIC, "partitions": 3, "replication.factor": 3}],
    "producers": [{"topic": TOPIC, "linger.ms": 5,
                   "workload": {"records_per_sec": 30, "keys": 24, "value": "json", "value_bytes": 80}}],
    # Each member runs in a zone of its own (client.rack), not the one of its partition's leader (billing-0 reads
    # partition 0, led by broker 0 in az-a, from az-b): only the brokers' replica.selector.class lets it read nearby.
    "consumer_groups": [{"group.id": GROUP, "topics": [TOPIC], "members": 3, "process_ms": 40,
                         "auto.offset.reset": "earliest", "fetch.min.bytes": 1024, "racks": ZONES[1:] + ZONES[:1]}],
    "duration_ms": 600_000,
    "settle_ms": 0,
    "trace": {"records": False},
}
RACK_AWARE = "org.apache.kafka.common.replica.RackAwareReplicaSelector"
#: The commit strategies the page offers -> the group's ``commit`` (docs/sim.md, "Topics, clients and groups").
COMMITS = {"auto-commit": "auto", "commitSync after processing": "after", "commitSync before processing": "before"}


class ConsumerLab(Lab):
    """A lab whose start settings shape its consumer group rather than its topic."""

    def build_spec(self, values: dict[str, Any]) -> dict[str, Any]:
        spec = copy.deepcopy(self.base_spec)
        group = spec["consumer_groups"][0]
        protocol = values.get("group.protocol", "classic")
        group["group.protocol"] = protocol
        if protocol == "classic":
            group["partition.assignment.strategy"] = values.get("partition.assignment.strategy", "range")
            group["session.timeout.ms"] = 10000
        else:
            group["group.remote.assignor"] = values.get("group.remote.assignor", "uniform")
        group["commit"] = COMMITS[values.get("commit", "auto-commit")]
        group["static"] = values.get("group.instance.id", "unset") == "member name"
        if values.get("replica.selector.class", "none") == "RackAwareReplicaSelector":
            spec["cluster"]["replica.selector.class"] = RACK_AWARE
        group["process_ms"] = values.get("process_ms", group["process_ms"])
        return spec


CONSUMERS = ConsumerLab(
    name="consumers",
    title="A consumer group: members, rebalances, lag and commits",
    base_spec=BASE_SPEC,
    settings=(
        Setting("group.protocol", Scope.CREATION, "group.protocol", choices=("classic", "consumer")),
        Setting("partition.assignment.strategy", Scope.CREATION, "partition.assignment.strategy (classic)",
                choices=("range", "roundrobin", "sticky", "cooperative-sticky")),
        Setting("commit", Scope.CREATION, "commits", choices=tuple(COMMITS)),
        Setting("group.instance.id", Scope.CREATION, "group.instance.id (static membership)", choices=("unset", "member name")),
        Setting("replica.selector.class", Scope.CREATION, "replica.selector.class (KIP-392)",
                choices=("none", "RackAwareReplicaSelector")),
    ),
    preset={"group.protocol": "classic", "partition.assignment.strategy": "range", "commit": "auto-commit",
            "group.instance.id": "unset", "replica.selector.class": "none"},
    seed=21,
    faults=("add_consumer", "close_consumer", "kill_consumer", "restart_consumer", "kill_broker", "restart_broker"),
    speed=0.5,
    view=GroupWatch,
    notes={
        "group.protocol": "The group was started again with group.protocol={value}: a consumer reads its configs once, "
                          "so on a real cluster every member restarts with the new setting.",
        "partition.assignment.strategy": "The group was started again with partition.assignment.strategy={value} "
                                         "(every member restarted with it).",
        "commit": "The group was started again with commits by {value}.",
        "group.instance.id": "The group was started again with group.instance.id set to the {value} (static "
                             "membership, KIP-345).",
        "replica.selector.class": "The run was started again with replica.selector.class={value} on the brokers; each "
                                  "member's client.rack is its zone (KIP-392).",
    },
)
