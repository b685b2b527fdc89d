"""What the producer believes about the cluster: each partition's leader.

Models the client's ``Metadata``/``ProducerMetadata``; leaves out topic discovery
and per-topic expiry. A refresh takes one round trip to a live broker and copies
the controller's current view; until then the producer acts on stale leaders.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.sim.producer.producer import KafkaProducer


class Metadata:
    def __init__(self, producer: "KafkaProducer") -> None:
        self.p = producer
        self.leaders: list[int] = []
        self.epochs: list[int] = []
        # Each leader's partitions in partition order, rebuilt on refresh: the sender drains
        # per node many times between two refreshes.
        self.partitions_by_leader: dict[int, list[int]] = {}
        self.update_pending = False
        self.version = 0
        self.last_refresh_ms = -1e18
        self.refresh_now()

    def leader(self, partition: int) -> int:
        return self.leaders[partition]

    def available_partitions(self) -> list[int]:
        return [p for p, leader in enumerate(self.leaders) if leader >= 0]

    def refresh_now(self) -> None:
        topic = self.p.cluster.controller.topics.get(self.p.topic)
        n = self.p.num_partitions
        if topic is None:  # deleted: no partition has a leader (the producer's batches wait, then expire)
            self.leaders, self.epochs = [-1] * n, [-1] * n
        else:
            states = topic.partitions[:n]  # partitions added since: this producer does not know them yet
            self.leaders = [s.leader for s in states]
            self.epochs = [s.leader_epoch for s in states]
        by_leader: dict[int, list[int]] = {}
        for p, leader in enumerate(self.leaders):
            by_leader.setdefault(leader, []).append(p)
        self.partitions_by_leader = by_leader
        self.version += 1

    def request_update(self) -> None:
        """Ask any reachable live broker; the answer arrives after one round trip (retry.backoff.ms if none answers)."""
        if self.update_pending:
            return
        self.update_pending = True
        p = self.p
        node = p.client_id
        live = [b for b in p.cluster.brokers.values() if b.alive and p.network.reachable(node, b.broker_id)]
        delay = 2 * p.network.latency(node, live[0].broker_id) if live else p.cfg["retry.backoff.ms"]
        # Metadata.timeToNextUpdate: refreshes are at least retry.backoff.ms apart.
        earliest = self.last_refresh_ms + p.cfg["retry.backoff.ms"] - p.sim.now
        wait = max(delay, earliest)
        p.sim.after(wait, self._answer, bool(live))
        if live and p.trace.wire:
            # The round trip, for the trace only: the request leaves once the backoff allows.
            broker = live[0].broker_id
            sent = p.sim.now + wait - delay
            p.sim.at(sent, self._trace_message, "metadata", node, broker, sent + delay / 2)
            p.sim.at(sent + delay / 2, self._trace_message, "metadata.response", broker, node, sent + delay)

    def _trace_message(self, kind: str, src: object, dst: object, arrive_ms: float) -> None:
        self.p.network.record((kind, {"client": self.p.client_id}), src, dst, self.p.sim.now, round(arrive_ms, 6), 40)

    def _answer(self, answered: bool) -> None:
        self.update_pending = False
        p = self.p
        if not answered:
            self.request_update()
            return
        before = list(self.leaders)
        self.refresh_now()
        self.last_refresh_ms = p.sim.now
        if self.leaders != before:
            p.trace.emit(p.sim.now, "metadata.updated", leaders=list(self.leaders))
        p.sender.wakeup()
