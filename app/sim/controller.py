"""The controller: replica placement, leader election from the ISR, fencing of silent brokers.

Models the KRaft ``QuorumController``'s partition handling (``ReplicationControlManager``,
``StripedReplicaPlacer``, ``PartitionChangeBuilder``) as one process with instant
metadata propagation, with reassignments (app/sim/reassignment.py), eligible leader replicas
(app/sim/elr.py), controlled shutdown and preferred or unclean elections on request; leaves out
the Raft quorum itself, controller failover and the periodic preferred-leader rebalancing and
unclean elections (``auto.leader.rebalance.enable``, ``unclean.leader.election.interval.ms``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from app.sim.config import resolve_topic
from app.sim import elr, log_config, reassignment
from app.sim.lifecycle import BrokerState
from app.sim.partition import PartitionState
from app.sim.topic import Topic, TopicIds

if TYPE_CHECKING:
    from app.sim.cluster import Cluster


def place_replicas(broker_ids: list[int], racks: dict[int, str | None], partitions: int, rf: int, start: int,
                   fenced: frozenset[int] = frozenset()) -> list[list[int]]:
    """Rack-aware placement: leaders rotate over a rack-alternating broker list, followers prefer unused racks.

    Example: brokers 0,1,2 in racks a,b,c, RF 3, start 0: p0 -> [0,1,2], p1 -> [1,2,0], p2 -> [2,0,1].
    ``fenced`` brokers are registered but fenced: as in ``StripedReplicaPlacer`` they never come
    first (the leader) and take a replica only when no unfenced broker is left for it.
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
    if len(fenced & set(ordered)) == n:
        raise ValueError("All brokers are currently fenced.")
    if rf > n:
        raise ValueError(f"Unable to replicate the partition {rf} time(s): The target replication factor of {rf} "
                         f"cannot be reached because only {n} broker(s) are registered.")
    out = []
    for p in range(partitions):
        first = (start + p) % n
        while ordered[first] in fenced:
            first = (first + 1) % n
        # Followers: walk on from the leader, taking brokers in racks not used yet; once
        # every rack holds a replica, any unused broker will do (racks repeat evenly).
        order = [ordered[(first + 1 + (p // n) + i) % n] for i in range(n)]
        if fenced:
            order = [b for b in order if b not in fenced] + [b for b in order if b in fenced]
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
        #: The cluster id (a Uuid, as ``kafka-storage random-uuid`` makes one), from a generator of its own
        self.cluster_id = TopicIds(seed + 1_000_003).next()

    @property
    def elr_enabled(self) -> bool:
        return elr.enabled(self.cluster)

    def num_partitions(self, topic: str) -> int:
        return len(self.topics[topic].partitions)

    def partition(self, topic: str, partition: int) -> PartitionState | None:
        t = self.topics.get(topic)
        return t.partitions[partition] if t is not None and 0 <= partition < len(t.partitions) else None

    def create_topic(self, name: str, partitions: int, rf: int, configs: dict[str, Any],
                     assignment: list[list[int]] | None = None, overrides: dict[str, Any] | None = None) -> Topic:
        """CreateTopics, accepted (the admin layer checks names, counts and configs first): placed,
        every replica created, the first active replica of each partition its leader.

        ``configs`` becomes the topic's configs dict, the one brokers read; the values in force are
        written into it (app/sim/log_config.py): what the topic sets (``overrides``; by default the
        keys a spec gave, ``ResolvedConfigs.explicit``), else the brokers' defaults.
        """
        c = self.cluster
        if assignment is None:
            assignment = self.place(partitions, rf)
        if overrides is None:
            overrides = {k: configs[k] for k in getattr(configs, "explicit", ()) if k in configs}
        topic = Topic(name, self.topic_ids.next(), [], configs, dict(overrides))
        log_config.refresh(c, topic)
        self.topics[name] = topic
        self.topic_configs[name] = configs
        self._add_partitions(topic, assignment)
        return topic

    def place(self, partitions: int, rf: int) -> list[list[int]]:
        """``StripedReplicaPlacer`` over the usable brokers (``ClusterControlManager.usableBrokers``):
        registered and not in controlled shutdown, fenced ones last. ValueError when it cannot."""
        c = self.cluster
        ids = [b for b in self.registered_brokers() if c.brokers[b].state is not BrokerState.SHUTTING_DOWN]
        if not ids:
            raise ValueError("All brokers are currently fenced.")
        racks = {b: c.brokers[b].rack for b in ids}
        fenced = frozenset(b for b in ids if c.brokers[b].fenced)
        return place_replicas(ids, racks, partitions, rf, c.sim.rng.randrange(len(ids)), fenced)

    def create_partitions(self, name: str, assignment: list[list[int]]) -> list[PartitionState]:
        """CreatePartitions: new partitions at the end of the topic, placed by ``assignment``."""
        return self._add_partitions(self.topics[name], assignment)

    def active(self, b: int) -> bool:
        """``ClusterControlManager.isActive``: registered, unfenced and not in controlled shutdown.
        A crashed broker the controller has not fenced yet is active: it is given replicas, and leads them."""
        broker = self.cluster.brokers[b]
        return (b not in self.cluster.unregistered and not broker.fenced
                and broker.state is not BrokerState.SHUTTING_DOWN)

    def _add_partitions(self, topic: Topic, assignment: list[list[int]]) -> list[PartitionState]:
        c = self.cluster
        first = len(topic.partitions)
        # The ISR is the active replicas, the first of them the leader (buildPartitionRegistration).
        isrs = [[b for b in r if self.active(b)] or list(r) for r in assignment]
        states = [PartitionState(topic.name, first + i, list(r), isr[0], 0, isr) for i, (r, isr) in enumerate(zip(assignment, isrs))]
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
        configs = resolve_topic({"cleanup.policy": "compact", "segment.bytes": 104857600}, self.cluster.kafka_version)
        return self.create_topic(name, partitions, rf, configs)

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
        """Broker ids with a registration (fenced or not; an unregistered one has none), in id order."""
        return sorted(b for b in self.cluster.brokers if b not in self.cluster.unregistered)

    def usable(self, b: int) -> bool:
        """May lead and be in an ISR now: running, unfenced, not in controlled shutdown, registered."""
        return self.cluster.brokers[b].state is BrokerState.RUNNING and b not in self.cluster.unregistered

    def elect(self, s: PartitionState, reason: str, election: str = "online") -> bool:
        """``PartitionChangeBuilder.electLeader``; whether the leader changed.

        ``election``: "online" (keep a valid leader, else the first valid replica in assignment
        order), "preferred" (the first replica if valid, else as online) or "unclean" (as online,
        then any usable replica, which becomes the whole ISR). A valid leader is usable and in the
        ISR, or with ELR on, in the ELR when the ISR is empty; then comes the last known leader.
        An online election is unclean when the topic allows it (unclean.leader.election.enable).
        """
        c = self.cluster
        now = c.sim.now
        on = self.elr_enabled
        if election == "online" and self.topic_configs[s.topic].get("unclean.leader.election.enable"):
            election = "unclean"
        leader, how = self._choose_leader(s, election, on)
        old = s.leader
        if leader == old:
            return False
        if how == "elr":
            s.isr = [leader]
            s.elr = [b for b in s.elr if b != leader]
        elif how in ("unclean", "last known leader"):
            # An unclean election sets the ISR to the new leader alone: whatever only others had is gone.
            s.isr = [leader]
            if on:
                elr.clear(s)
        s.leader = leader
        # KRaft bumps the leader epoch on every leader change, going offline (no leader) included.
        s.leader_epoch += 1
        extra: dict[str, Any] = {}
        if on:
            elr.note_leader(s, old, isr_emptied=False)
            extra = {**elr.fields(c, s), "election": how}
        if leader < 0:
            c.trace.emit(now, "partition.offline", partition=s.partition, isr=list(s.isr), reason=reason, topic=s.topic, **extra)
            return True
        c.trace.emit(now, "leader.elected", partition=s.partition, leader=leader, previous=old, epoch=s.leader_epoch,
                     isr=list(s.isr), unclean=how == "unclean", reason=reason, topic=s.topic, **extra)
        if old >= 0 and old != leader:
            c.brokers[old].lost_leadership(s.tp)
        c.brokers[leader].replicas[s.tp].become_leader(now)
        c.brokers[leader].on_leader(s.tp)
        for b in s.replicas:
            if b != leader and self.usable(b):
                c.brokers[b].become_follower(s.tp)
        # Partition.makeLeader: the new leader may move its HW at once (a one-member ISR).
        c.brokers[leader].maybe_advance_hw(s.tp)
        return True

    def _choose_leader(self, s: PartitionState, election: str, on: bool) -> tuple[int, str]:
        """(leader or -1, how): "clean", "elr" (from the ELR), "last known leader", "unclean" or "none"."""
        def valid(b: int) -> bool:
            return self.usable(b) and (elr.valid_leader(s, b) if on else b in s.isr)

        if election == "preferred" and s.replicas and valid(s.replicas[0]):
            leader = s.replicas[0]
        elif s.leader >= 0 and valid(s.leader):
            leader = s.leader
        else:
            leader = next((b for b in s.replicas[1 if election == "preferred" else 0:] if valid(b)), -1)
        if leader >= 0:
            return leader, "elr" if on and not s.isr else "clean"
        last = elr.last_known_leader(s) if on else -1
        if last >= 0 and self.usable(last):
            return last, "last known leader"
        if election == "unclean":
            leader = next((b for b in s.replicas if self.usable(b)), -1)
            if leader >= 0:
                return leader, "unclean"
        return -1, "none"

    def alter_isr(self, s: PartitionState, isr: list[int], reason: str, unclean_shutdown: tuple[int, ...] = ()) -> None:
        """AlterPartition from the leader (or the controller's own ISR change), accepted at once; with ELR
        on it also moves replicas into the ELR, and an ISR that now holds every target replica of a
        reassignment completes it."""
        c = self.cluster
        now = c.sim.now
        removed = [b for b in s.isr if b not in isr]
        added = [b for b in isr if b not in s.isr and b in s.replicas]
        old_isr = s.isr
        s.isr = [b for b in s.replicas if b in isr]
        extra: dict[str, Any] = {}
        if self.elr_enabled:
            elr.track(s, old_isr, c.min_isr(s), unclean_shutdown)
            elr.note_leader(s, s.leader, isr_emptied=bool(old_isr) and not s.isr)
            extra = elr.fields(c, s)
        if removed:
            c.trace.emit(now, "isr.shrunk", partition=s.partition, removed=removed, isr=list(s.isr), reason=reason,
                         topic=s.topic, **extra)
        if added:
            c.trace.emit(now, "isr.expanded", partition=s.partition, added=added, isr=list(s.isr), topic=s.topic, **extra)
        if reassignment.in_progress(s) and reassignment.maybe_complete(self, s):
            return
        if removed and s.leader >= 0 and c.brokers[s.leader].alive:
            # A smaller ISR can let the high watermark move (Partition.maybeShrinkIsr).
            c.brokers[s.leader].maybe_advance_hw(s.tp)

    def fence(self, b: int, reason: str) -> None:
        """A broker missed broker.session.timeout.ms of heartbeats (or re-registered): out of every ISR, leaders moved."""
        c = self.cluster
        broker = c.brokers[b]
        if broker.fenced:
            return
        broker.become(BrokerState.DOWN if broker.state in (BrokerState.CRASHED, BrokerState.STARTING) else BrokerState.FENCED)
        c.trace.emit(c.sim.now, "broker.fenced", broker=b, reason=reason)
        self.leave(b, "fenced", "leader fenced")

    def leave(self, b: int, isr_reason: str, election_reason: str) -> None:
        """``generateLeaderAndIsrUpdates`` with ``brokerToRemove``: ``b`` leaves every ISR and every
        leadership (b must not be usable any more). Without ELR the last ISR member stays, so it can
        lead again cleanly when it returns; with ELR the ISR may become empty."""
        for s in self.partitions:
            if b in s.isr and (len(s.isr) > 1 or self.elr_enabled):
                self.alter_isr(s, [x for x in s.isr if x != b], isr_reason)
            if s.leader == b:
                self.elect(s, election_reason)

    def unclean_shutdown(self, b: int) -> None:
        """``handleBrokerUncleanShutdown`` (ELR only): a broker that registers again after a crash may have lost
        what it had not flushed, so it leaves every ISR and ELR."""
        for s in self.partitions:
            if b in s.isr or b in s.elr:
                self.alter_isr(s, [x for x in s.isr if x != b], "unclean shutdown", unclean_shutdown=(b,))
                if s.leader == b:
                    self.elect(s, "unclean shutdown")

    def clear_elr(self, topic: str | None = None) -> None:
        """ClearElrRecord: min.insync.replicas changed for ``topic`` (None: the cluster default)."""
        for s in self.partitions:
            if topic is None or s.topic == topic:
                elr.clear(s)

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
