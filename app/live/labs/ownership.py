"""Who read each partition, and when: the lanes of the consumers lab's rebalance chart.

Not a Kafka class. A partition is read while a running member of the group holds it in its
assignment (``KafkaConsumer.assignment``, what ``onPartitionsAssigned`` gave and
``onPartitionsRevoked`` / ``onPartitionsLost`` took away). So the lanes show what each
protocol does in a rebalance: an eager assignor revokes every partition before JoinGroup and
the whole group stops until SyncGroup; cooperative-sticky (KIP-429) and the consumer protocol
(KIP-848) revoke only the partitions that move; a killed member's partitions stay unread
until the coordinator notices, ``session.timeout.ms`` later; a static member (KIP-345) that
comes back in time gets the same partitions again, without a rebalance.

``OwnershipLanes`` follows the group through ``trace.subscribe`` (docs/sim.md, "Watching a
run"): each lane is a list of segments ``[start, end, owner]`` (``end`` None while it lasts,
``owner`` None while nobody reads the partition), pruned to the last ``window_ms``.
"""

from __future__ import annotations

from typing import Any

from app.sim import Scenario

#: Consumer events after which a partition may have a new reader, or none.
CHANGES = ("consumer.assigned", "consumer.revoked", "consumer.lost", "consumer.killed", "consumer.closed",
           "consumer.failed", "group.stable")
#: Events of a member that stops: emitted before the consumer marks itself closed.
STOPPING = frozenset({"consumer.killed", "consumer.closed", "consumer.failed"})


class OwnershipLanes:
    """Per partition of ``topic``, who of ``group`` read it over the last ``window_ms`` of virtual time."""

    def __init__(self, sc: Scenario, group: str, topic: str, window_ms: float = 60_000.0) -> None:
        self.sc = sc
        self.group = group
        self.topic = topic
        self.window_ms = window_ms
        count = len(sc.cluster.controller.topics[topic].partitions)
        self.lanes: list[list[list[Any]]] = [[[0.0, None, None]] for _ in range(count)]
        sc.trace.subscribe(CHANGES, self._changed)

    def owners(self, gone: str | None = None) -> list[str | None]:
        """Who reads each partition now: a running member holding it (``gone``: a member that is stopping)."""
        out: list[str | None] = [None] * len(self.lanes)
        for name, c in sorted(self.sc.groups.members.items()):
            if c.closed or name == gone or c.group_id != self.group:
                continue
            for tp in c.assignment:
                if tp.topic == self.topic and tp.partition < len(out):
                    out[tp.partition] = name
        return out

    def _changed(self, e: dict[str, Any]) -> None:
        if e.get("group") != self.group:
            return
        t = e["t"]
        gone = e["member"] if e["kind"] in STOPPING else None
        for lane, owner in zip(self.lanes, self.owners(gone)):
            last = lane[-1]
            if last[2] == owner:
                continue
            if last[0] >= t:
                # Taken and given at the same instant (a revocation, then the new assignment): one segment.
                last[2] = owner
                if len(lane) > 1 and lane[-2][2] == owner:
                    lane.pop()
                    lane[-1][1] = None
                continue
            last[1] = t
            lane.append([t, None, owner])
            while len(lane) > 1 and lane[0][1] is not None and lane[0][1] < t - self.window_ms:
                lane.pop(0)

    def view(self, now: float) -> list[list[list[Any]]]:
        """The lanes over the window ending at ``now``: segments cut to its start, times rounded to the ms."""
        start = max(0.0, now - self.window_ms)
        return [[[round(max(s, start), 3), None if e is None else round(e, 3), who] for s, e, who in lane
                 if e is None or e > start] for lane in self.lanes]


__all__ = ["OwnershipLanes"]
