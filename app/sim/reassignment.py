"""Partition reassignment as the KRaft controller runs it (KIP-455): add the new replicas, wait
until they are in the ISR, then drop the ones leaving.

Models ``PartitionReassignmentReplicas`` and ``PartitionReassignmentRevert`` with the steps of
``ReplicationControlManager.changePartitionReassignment``: moving [0,1,2] to [1,2,3] first makes
the replicas [1,2,3,0] (the target, then the replicas leaving), adding [3] and removing [0].
Broker 3 creates the replica and fetches from the leader like any follower, over the network;
once it has caught up and the leader has added it to the ISR (AlterPartition), the reassignment
completes in that same ISR change: the replicas become [1,2,3], 0 leaves the ISR and deletes its
copy, and if 0 was the leader, the first target replica in the ISR takes over. A change that
only reorders or drops replicas completes at once if the ISR allows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.sim.controller import Controller
    from app.sim.partition import PartitionState


def in_progress(s: "PartitionState") -> bool:
    return bool(s.adding_replicas or s.removing_replicas)


def start(controller: "Controller", s: "PartitionState", target: list[int]) -> None:
    """AlterPartitionReassignments for one partition, accepted (the admin layer validated ``target``).

    A new target while one is in progress starts from the current replica list, as Kafka does:
    replicas being added that the new target drops become replicas being removed.
    """
    c = controller.cluster
    current = list(s.replicas)
    removing = sorted(set(current) - set(target))
    adding = sorted(set(target) - set(current))
    s.replicas = list(target) + removing
    s.adding_replicas, s.removing_replicas = adding, removing
    c.trace.emit(c.sim.now, "reassignment.started", partition=s.partition, replicas=list(s.replicas), adding=adding,
                 removing=removing, topic=s.topic)
    for b in adding:
        if s.tp not in c.brokers[b].replicas:
            c.brokers[b].add_replica(s)
        if s.leader >= 0 and b != s.leader and controller.usable(b):
            c.brokers[b].become_follower(s.tp)
    maybe_complete(controller, s)


def maybe_complete(controller: "Controller", s: "PartitionState") -> bool:
    """``PartitionReassignmentReplicas.maybeCompleteReassignment``: done once the ISR, without the
    replicas being removed, holds every target replica."""
    if not in_progress(s):
        return False
    removing = s.removing_replicas
    isr = [b for b in s.isr if b not in removing]
    target = [b for b in s.replicas if b not in removing]
    if not isr or not target or not set(target) <= set(isr):
        return False
    _finish(controller, s, target, isr, removing, "reassignment.completed")
    return True


def cancel(controller: "Controller", s: "PartitionState") -> None:
    """``PartitionReassignmentRevert``: back to the original replicas; the replicas being added go.
    When only replicas being added are in the ISR the first original replica is put in it, an
    unclean election the caller has checked the topic allows."""
    adding = s.adding_replicas
    original = [b for b in s.replicas if b not in adding]
    isr = [b for b in s.isr if b not in adding] or original[:1]
    _finish(controller, s, original, isr, adding, "reassignment.cancelled")


def reverting_is_unclean(s: "PartitionState") -> bool:
    return not [b for b in s.isr if b not in s.adding_replicas]


def _finish(controller: "Controller", s: "PartitionState", replicas: list[int], isr: list[int], dropped: list[int],
            kind: str) -> None:
    c = controller.cluster
    now = c.sim.now
    s.replicas = list(replicas)
    s.isr = [b for b in replicas if b in isr]
    s.adding_replicas, s.removing_replicas = [], []
    c.trace.emit(now, kind, partition=s.partition, replicas=list(s.replicas), isr=list(s.isr), dropped=list(dropped),
                 topic=s.topic)
    if s.leader not in s.isr or not controller.usable(s.leader):
        controller.elect(s, kind.replace(".", " "))
    elif dropped:
        # The replica set shrank: the leader epoch goes up even though the leader stays
        # (PartitionChangeBuilder.triggerLeaderEpochBumpForReplicaReassignmentIfNeeded).
        s.leader_epoch += 1
        rep = c.brokers[s.leader].replicas[s.tp]
        rep.log.assign_epoch(s.leader_epoch)
        for b in dropped:
            rep.follower_leo.pop(b, None)
            rep.last_caught_up.pop(b, None)
    for b in dropped:
        # StopReplica with deletion: the replica that left deletes its copy of the log.
        c.brokers[b].remove_replica(s.tp)
    if s.leader >= 0 and c.brokers[s.leader].alive:
        c.brokers[s.leader].maybe_advance_hw(s.tp)
