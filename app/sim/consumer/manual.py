"""A consumer without a group: ``KafkaConsumer.assign()`` with a seek, as ``kafka-console-consumer --partition`` uses it.

Models the consumer's manual assignment (``SubscriptionState.assignFromUser``): the application
names its partitions, nothing joins a group (no FindCoordinator, no JoinGroup, no heartbeats) and
nothing is committed; each partition's position comes from ``seek(offset)``, or from
``seekToBeginning`` / ``seekToEnd`` (a ListOffsets to the partition's leader, earliest or latest).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.sim.apis import EARLIEST, LATEST
from app.sim.partition import TopicPartition

if TYPE_CHECKING:
    from app.sim.consumer.consumer import KafkaConsumer

#: ``ListOffsetsRequest.EARLIEST_TIMESTAMP`` / ``LATEST_TIMESTAMP``: a seek to the beginning or the end
SEEK_BEGINNING = -2
SEEK_END = -1


class ManualAssignment:
    """Stands where a group membership stands in the consumer: always "stable", never a coordinator."""

    protocol = "none"

    def __init__(self, consumer: "KafkaConsumer", partitions: list[TopicPartition], offset: int) -> None:
        self.c = consumer
        self.partitions = list(partitions)
        self.offset = offset
        self.coordinator = -1
        self.assigned = False

    def stable(self) -> bool:
        return True

    def poll(self) -> bool:
        """The first poll takes the partitions and seeks; each poll seeks any still without a position."""
        c = self.c
        if not self.assigned:
            self.assigned = True
            c.assign(set(self.partitions), -1)
            if self.offset >= 0:
                for tp in self.partitions:
                    c.positions[tp] = self.offset
        for tp in self.partitions:
            if tp not in c.positions and tp not in c.resetting:
                self._seek(tp)
        return True

    def _seek(self, tp: TopicPartition) -> None:
        c = self.c
        leader = c.metadata.leader(tp)
        if leader < 0:
            c.metadata.request_update()
            return
        c.resetting.add(tp)
        c.net.send("list_offsets", leader, {"partitions": {tp: EARLIEST if self.offset == SEEK_BEGINNING else LATEST}}, 30,
                   c._listed)

    def leave(self, reason: str) -> None:
        """Nothing to leave."""

    def commit_identity(self) -> tuple[str, int]:
        return "", -1

    def close(self) -> None:
        """Nothing to stop."""
