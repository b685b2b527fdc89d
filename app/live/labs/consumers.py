"""The consumers lab: a producer, a consumer group on six partitions, and members that come, go and crash.

Three brokers in three zones, one producer at 60 records a second, a group "billing" of three
members that each take 5 ms a record (so each keeps up with about 200 a second: lag stays
near zero until a member stops). The learner adds, closes, kills and restarts members,
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
from collections import deque
from typing import Any

from app.live.labs import Lab, Scope, Setting
from app.sim import Scenario

GROUP = "billing"
TOPIC = "orders"
_BROKERS = 3
#: Rebalances and commits the page lists, the newest last.
KEEP_REBALANCES = 12
KEEP_COMMITS = 8
#: A member that has not polled for this long while it owns partitions counts as standing still.
STILL_MS = 250.0

BASE_SPEC: dict[str, Any] = {
    "kafka_version": "4.0",
    "cluster": {"brokers": _BROKERS, "racks": ["az-a", "az-b", "az-c"], "latency_ms": 2.0,
                "offsets.topic.num.partitions": 3, "group.initial.rebalance.delay.ms": 500,
                "group.consumer.session.timeout.ms": 10000, "group.consumer.min.session.timeout.ms": 6000,
                "group.consumer.heartbeat.interval.ms": 1000, "group.consumer.min.heartbeat.interval.ms": 1000},
    "topics": [{"name": TOPIC, "partitions": 6, "replication.factor": 3}],
    "producers": [{"topic": TOPIC, "linger.ms": 5,
                   "workload": {"records_per_sec": 60, "keys": 24, "value": "json", "value_bytes": 80}}],
    "consumer_groups": [{"group.id": GROUP, "topics": [TOPIC], "members": 3, "process_ms": 5,
                         "auto.offset.reset": "earliest"}],
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
            group["racks"] = ["az-a", "az-b", "az-c"]
        group["process_ms"] = values.get("process_ms", group["process_ms"])
        return spec


class GroupWatch:
    """The group as the page draws it, kept up to date from the run's events (no walk over the records)."""

    def __init__(self, sc: Scenario) -> None:
        self.sc = sc
        self.last_poll: dict[str, float] = {}
        #: member -> (since when it stands still while owning partitions, the longest it stood still)
        self.still: dict[str, list[float]] = {}
        self.rebalances: deque[dict[str, Any]] = deque(maxlen=KEEP_REBALANCES)
        self.commits: deque[dict[str, Any]] = deque(maxlen=KEEP_COMMITS)
        self.polled: dict[str, int] = {}
        trace = sc.trace
        trace.subscribe(("consumer.polled",), self._polled)
        trace.subscribe(("group.rebalancing", "group.stable"), self._rebalance)
        trace.subscribe(("consumer.committed", "consumer.commit_failed"), self._commit)

    def _polled(self, e: dict[str, Any]) -> None:
        member = e["member"]
        before = self.last_poll.get(member)
        if before is not None:
            gap = e["t"] - before
            worst = self.still.setdefault(member, [0.0])
            worst[0] = max(worst[0], gap)
        self.last_poll[member] = e["t"]
        self.polled[member] = self.polled.get(member, 0) + e["records"]

    def _rebalance(self, e: dict[str, Any]) -> None:
        self.rebalances.append({"t": e["t"], "kind": e["kind"], "generation": e.get("generation"),
                                "reason": e.get("reason"), "assignor": e.get("assignor")})

    def _commit(self, e: dict[str, Any]) -> None:
        self.commits.append({"t": e["t"], "member": e["member"], "ok": e["kind"] == "consumer.committed",
                             "offsets": e.get("offsets"), "error": e.get("error")})

    def __call__(self, exact: bool = False) -> dict[str, Any]:
        sc = self.sc
        now = sc.now
        summary = sc.groups.summary()[GROUP]
        members = []
        for name, c in sorted(sc.groups.members.items()):
            parts = sorted(c.assignment)
            last = self.last_poll.get(name)
            members.append({
                "name": name, "client_id": c.client_id, "state": summary["members"].get(name, "stopped"),
                "protocol": c.cfg.get("group.protocol", "classic"), "partitions": [[tp.topic, tp.partition] for tp in parts],
                "positions": {str(tp): c.positions.get(tp) for tp in parts},
                "since_poll_ms": round(now - last, 3) if last is not None else None,
                "still_now": bool(parts) and last is not None and now - last > STILL_MS,
                "longest_still_ms": round(self.still.get(name, [0.0])[0], 3),
                "processed": self.polled.get(name, 0),
                "rack": c.cfg.get("client.rack") or None,
                "instance_id": c.cfg.get("group.instance.id"),
            })
        return {"group": GROUP, "members": members, "lag": summary["lag"], "committed": summary["committed"],
                "generation": summary["generation"], "rebalances": list(self.rebalances), "commits": list(self.commits),
                "ledger": {k: summary[k] for k in ("consumed", "redelivered", "missed")},
                "cross_az_bytes": sc.network.cross_rack_bytes}


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
    faults=("add_consumer", "close_consumer", "kill_consumer", "restart_consumer"),
    speed=0.2,
    view=GroupWatch,
    notes={
        "group.protocol": "The group was started again with group.protocol={value}: a consumer reads its configs once, "
                          "so on a real cluster every member restarts with the new setting.",
        "partition.assignment.strategy": "The group was started again with partition.assignment.strategy={value} "
                                         "(every member restarted with it).",
        "commit": "The group was started again with commits by {value}.",
        "group.instance.id": "The group was started again with group.instance.id set to the {value} (static "
                             "membership, KIP-345)." ,
        "replica.selector.class": "The run was started again with replica.selector.class={value}; each member's "
                                  "client.rack is its zone (KIP-392).",
    },
)
