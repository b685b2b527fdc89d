"""What a consumer believes about the cluster: each partition's leader, from Metadata requests.

Models the consumer's ``ConsumerMetadata``: a refresh is a real Metadata request to the least
loaded broker (here: the first live one it can reach), asked for after a NOT_LEADER_OR_FOLLOWER,
an unknown leader or a broken connection, at most every retry.backoff.ms. Leaves out the
periodic refresh every metadata.max.age.ms (5 minutes), so partitions added to a topic while
a consumer runs reach it only through an error.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from app.sim.errors import Errors
from app.sim.partition import TopicPartition

if TYPE_CHECKING:
    from app.sim.consumer.consumer import KafkaConsumer
    from app.sim.network_client import ClientRequest


class ConsumerMetadata:
    def __init__(self, consumer: "KafkaConsumer") -> None:
        self.c = consumer
        #: tp -> leader id (-1: none known)
        self.leaders: dict[TopicPartition, int] = {}
        self.partition_counts: dict[str, int] = {}
        self.replicas: dict[TopicPartition, list[int]] = {}
        #: topic id -> name (``Metadata.topicNames``): KIP-848 assignments name topics by id
        self.topic_names: dict[str, str] = {}
        self.pending = False
        self.last_refresh_ms = -1e18
        self.version = 0

    def leader(self, tp: TopicPartition) -> int:
        return self.leaders.get(tp, -1)

    def request_update(self) -> None:
        """Ask a broker for fresh metadata (once at a time, at most every retry.backoff.ms)."""
        if self.pending or self.c.closed:
            return
        self.pending = True
        wait = max(0.0, self.last_refresh_ms + self.c.cfg["retry.backoff.ms"] - self.c.sim.now)
        self.c.sim.after(wait, self._send)

    def _send(self) -> None:
        c = self.c
        if c.closed:
            self.pending = False
            return
        node = c.any_broker()
        if node is None:
            self.c.sim.after(c.cfg["retry.backoff.ms"], self._send)
            return
        c.net.send("metadata", node, {"topics": sorted(c.subscription)}, 10 + 10 * len(c.subscription), self._answer)

    def _answer(self, req: "ClientRequest", answer: dict[str, Any]) -> None:
        self.pending = False
        if answer["error"] is not Errors.NONE:
            self.request_update()
            return
        self.last_refresh_ms = self.c.sim.now
        if answer.get("denied"):
            self.c.denied(answer["denied"])
            return
        self.apply(answer["topics"], answer.get("topic_ids"))

    def apply(self, topics: dict[str, list[tuple[int, int, list[int], list[int], int]]],
              topic_ids: dict[str, str] | None = None) -> None:
        """Take a Metadata answer: leaders, replicas and partition counts (and ids) of the topics asked."""
        for name, topic_id in (topic_ids or {}).items():
            self.topic_names[topic_id] = name
        for name, parts in topics.items():
            self.partition_counts[name] = len(parts)
            for partition, leader, replicas, _, _ in parts:
                tp = TopicPartition(name, partition)
                self.leaders[tp] = leader
                self.replicas[tp] = replicas
        self.version += 1
        self.c.on_metadata()
