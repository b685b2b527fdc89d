"""The controller: replica placement, leader election from the ISR, fencing of silent brokers.

Models the KRaft ``QuorumController``'s partition handling (``ReplicationControlManager``,
``StripedReplicaPlacer``, ``PartitionChangeBuilder``) as one process with instant
metadata propagation; leaves out the Raft quorum itself, controller failover,
eligible leader replicas (KIP-966) and preferred-leader rebalancing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from app.sim.config import resolve_topic
from app.sim.lifecycle import BrokerState
from app.sim.partition import PartitionState
from app.sim.topic import Topic, TopicIds

if TYPE_CHECKING:
    from app.sim.cluster import Cluster


def place_replicas(broker_ids: list[int], racks: dict[int, str | None], partitions: int, rf: int, start: int) -> list[list[int]]:
    """Rack-aware placement: leaders rotate over a rack-alternating broker list, followers prefer unused racks.

    Example: brokers 0,1,2 in racks a,b,c, RF 3, start 0: p0 -> [0,1,2], p1 -> [1,2,0], p2 -> [2,0,1].
    """
    by_rack: dict[str, list[int]] = {}
    for b in broker_ids:
        by_rack.setdefault(racks.get(b) or f"__{b}", []).append(b)
    ordered: list[int] = []
    rack_lists = [by_rack[r] for r in sorted(by_rack)]
    for i in range(max(len(v) for v in rack_lists)):
        for lst in rack_lists:
            if i < len(lst):
                ordered.append(lst[i])
    n = len(ordered)
    if rf > n:
        raise ValueError(f"Unable to replicate the partition {rf} time(s): The target replication factor of {rf} "
                         f"cannot be reached because only {n} broker(s) are registered.")
    out = []
    for p in range(partitions):
        first = (start + p) % n
        # Followers: walk on from the leader, taking brokers in racks not used yet; once
        # every rack holds a replica, any unused broker will do (racks repeat evenly).
        order = [ordered[(first + 1 + (p // n) + i) % n] for i in range(n)]
        chosen = [ordered[first]]
        used = {racks.get(ordered[first])}
        while len(chosen) < rf:
            rest = [b for b in order if b not in chosen]
            fresh = [b for b in rest if racks.get(b) not in used]
            pick = fresh[0] if fresh else rest[0]
            if not fresh:
                used = set()
            chosen.append(pick)
            used.add(racks.get(pick))
        out.append(chosen)
    return out


class Controller:
    """Owns every Topic and PartitionState; brokers read them directly (metadata propagation is instant)."""

    def __init__(self, cluster: "Cluster", seed: int = 0) -> None:
        self.cluster = cluster
        self.topics: dict[str, Topic] = {}
        #: topic name -> the configs in force (the same dict as ``topics[name].configs``)
        self.topic_configs: dict[str, dict[str, Any]] = {}
        #: every partition of every topic, in creation order
        self.partitions: list[PartitionState] = []
        self.topic_ids = TopicIds(seed)

    def num_partitions(self, topic: str) -> int:
        return len(self.topics[topic].partitions)

    def partition(self, topic: str, partition: int) -> PartitionState | None:
        t = self.topics.get(topic)
        return t.partitions[partition] if t is not None and 0 <= partition < len(t.partitions) else None

    def create_topic(self, name: str, partitions: int, rf: int, configs: dict[str, Any],
                     assignment: list[list[int]] | None = None, overrides: dict[str, Any] | None = None) -> Topic:
        """CreateTopics, accepted (the admin layer checks names, counts and configs first): placed,
        every replica created, the first replica of each partition its leader."""
        c = self.cluster
        ids = self.registered_brokers()
        if assignment is None:
            racks = {b: c.brokers[b].rack for b in ids}
            assignment = place_replicas(ids, racks, partitions, rf, c.sim.rng.randrange(len(ids)))
        topic = Topic(name, self.topic_ids.next(), [], configs, dict(overrides or {}))
        self.topics[name] = topic
        self.topic_configs[name] = configs
        self._add_partitions(topic, assignment)
        return topic

    def create_partitions(self, name: str, assignment: list[list[int]]) -> list[PartitionState]:
        """CreatePartitions: new partitions at the end of the topic, placed by ``assignment``."""
        return self._add_partitions(self.topics[name], assignment)

    def _add_partitions(self, topic: Topic, assignment: list[list[int]]) -> list[PartitionState]:
        c = self.cluster
        first = len(topic.partitions)
        states = [PartitionState(topic.name, first + i, list(r), r[0], 0, list(r)) for i, r in enumerate(assignment)]
        topic.partitions.extend(states)
        self.partitions.extend(states)
        for s in states:
            for b in s.replicas:
                c.brokers[b].add_replica(s)
        for s in states:
            c.brokers[s.leader].replicas[s.tp].become_leader(c.sim.now)
            c.brokers[s.leader].on_leader(s.tp)
            for b in s.replicas:
                if b != s.leader:
                    c.brokers[b].become_follower(s.tp)
        return states

    def create_internal_topic(self, name: str, partitions: int, rf: int) -> Topic:
        """An internal topic the brokers create themselves: __consumer_offsets is compacted, with 100 MiB
        segments (GroupCoordinatorConfig's offsets.topic.segment.bytes), as KafkaApis asks for it."""
        overrides = {"cleanup.policy": "compact", "segment.bytes": 104857600}
        configs = resolve_topic(overrides, self.cluster.kafka_version)
        return self.create_topic(name, partitions, rf, configs, overrides=overrides)

    def delete_topic(self, name: str) -> Topic:
        """DeleteTopics: the topic is gone from the metadata at once and every replica deletes its log."""
        topic = self.topics.pop(name)
        del self.topic_configs[name]
        gone = set(map(id, topic.partitions))
        self.partitions = [s for s in self.partitions if id(s) not in gone]
        for s in topic.partitions:
            for b in s.replicas:
                self.cluster.brokers[b].remove_replica(s.tp)
        return topic

    def registered_brokers(self) -> list[int]:
        """Broker ids the controller places replicas on, in id order."""
        return sorted(self.cluster.brokers)

    def usable(self, b: int) -> bool:
        broker = self.cluster.brokers[b]
        return broker.alive and not broker.fenced

    def elect(self, s: PartitionState, reason: str) -> None:
        """PartitionChangeBuilder: the first replica in assignment order that is in the ISR and usable."""
        c = self.cluster
        now = c.sim.now
        cfg = self.topic_configs[s.topic]
        unclean = False
        leader = next((b for b in s.replicas if b in s.isr and self.usable(b)), -1)
        if leader < 0 and cfg.get("unclean.leader.election.enable"):
            leader = next((b for b in s.replicas if self.usable(b)), -1)
            unclean = leader >= 0
            if unclean:
                s.isr = [leader]
        old = s.leader
        if leader == old:
            return
        s.leader = leader
        # KRaft bumps the leader epoch on every leader change, going offline (no leader) included.
        s.leader_epoch += 1
        if leader < 0:
            c.trace.emit(now, "partition.offline", partition=s.partition, isr=list(s.isr), reason=reason, topic=s.topic)
            return
        c.trace.emit(now, "leader.elected", partition=s.partition, leader=leader, previous=old, epoch=s.leader_epoch,
                     isr=list(s.isr), unclean=unclean, reason=reason, topic=s.topic)
        if old >= 0 and old != leader:
            c.brokers[old].lost_leadership(s.tp)
        c.brokers[leader].replicas[s.tp].become_leader(now)
        c.brokers[leader].on_leader(s.tp)
        for b in s.replicas:
            if b != leader and self.usable(b):
                c.brokers[b].become_follower(s.tp)
        # Partition.makeLeader: the new leader may move its HW at once (a one-member ISR).
        c.brokers[leader].maybe_advance_hw(s.tp)

    def alter_isr(self, s: PartitionState, isr: list[int], reason: str) -> None:
        """AlterPartition from the leader, accepted at once."""
        now = self.cluster.sim.now
        removed = [b for b in s.isr if b not in isr]
        added = [b for b in isr if b not in s.isr]
        s.isr = [b for b in s.replicas if b in isr]
        if removed:
            self.cluster.trace.emit(now, "isr.shrunk", partition=s.partition, removed=removed, isr=list(s.isr), reason=reason,
                                    topic=s.topic)
        if added:
            self.cluster.trace.emit(now, "isr.expanded", partition=s.partition, added=added, isr=list(s.isr), topic=s.topic)
        if removed and s.leader >= 0 and self.cluster.brokers[s.leader].alive:
            # A smaller ISR can let the high watermark move (Partition.maybeShrinkIsr).
            self.cluster.brokers[s.leader].maybe_advance_hw(s.tp)

    def fence(self, b: int, reason: str) -> None:
        """A broker missed broker.session.timeout.ms of heartbeats (or re-registered): out of every ISR, leaders moved."""
        c = self.cluster
        broker = c.brokers[b]
        if broker.fenced:
            return
        broker.become(BrokerState.DOWN if broker.state in (BrokerState.CRASHED, BrokerState.STARTING) else BrokerState.FENCED)
        c.trace.emit(c.sim.now, "broker.fenced", broker=b, reason=reason)
        for s in self.partitions:
            if b in s.isr and len(s.isr) > 1:
                # KRaft never empties the ISR: the last member stays, so it can lead again cleanly.
                self.alter_isr(s, [x for x in s.isr if x != b], "fenced")
            if s.leader == b:
                self.elect(s, "leader fenced")

    def unfence(self, b: int) -> None:
        """A broker registered again and caught up its metadata: it follows, or leads an offline partition."""
        c = self.cluster
        broker = c.brokers[b]
        broker.become(BrokerState.RUNNING)
        for s in self.partitions:
            if b not in s.replicas:
                continue
            if s.leader < 0:
                self.elect(s, "broker returned")
            if s.leader >= 0 and s.leader != b:
                broker.become_follower(s.tp)
