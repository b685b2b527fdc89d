"""The consumers lab: a producer, a consumer group on four partitions, and members that come, go and crash.

Three brokers in three zones, one producer at 60 records a second, a group "billing" of three
members that each take 20 ms a record (so each keeps up with 50 a second: lag stays near zero
while two or more members share the work, and a member is busy often enough that a kill
lands in the middle of a batch, where the commit strategies differ). Four partitions for three members: range gives one member
two, and a fourth member moves three of them under range but one under cooperative-sticky.
Four, not six, so that the cluster picture (each broker holds a replica of every partition)
reads from the back of a room. The learner adds, closes, kills and restarts members,
switches the assignor and the protocol (classic eager, cooperative-sticky, the KIP-848
consumer protocol), the commit strategy, static membership and fetching from the nearest
replica, and sees who stops consuming during a rebalance and for how long, the lag per
partition, and the records processed twice or never.

Shortened to be watchable, each stated in the lesson's lab table: ``session.timeout.ms``
10 s (45 s by default), ``group.initial.rebalance.delay.ms`` 500 ms (3 s),
``offsets.topic.num.partitions`` 3 (50), KIP-848's ``group.consumer.session.timeout.ms``
10 s (45 s) and ``group.consumer.heartbeat.interval.ms`` 1 s (5 s).

``GroupWatch`` (``frame["lab"]``) follows the group through ``trace.subscribe``: each
member's state and partitions, when it last polled and how long it stood still in each
rebalance, the rebalances, the commits, and per partition the lag.
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
    "topics": [{"name": TOPIC, "partitions": 4, "replication.factor": 3}],
    "producers": [{"topic": TOPIC, "linger.ms": 5,
                   "workload": {"records_per_sec": 60, "keys": 24, "value": "json", "value_bytes": 80}}],
    # Each member runs in a zone of its own (client.rack); only the brokers' replica.selector.class makes use of it.
    "consumer_groups": [{"group.id": GROUP, "topics": [TOPIC], "members": 3, "process_ms": 20,
                         "auto.offset.reset": "earliest", "racks": ZONES}],
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
