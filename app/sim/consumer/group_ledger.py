"""What a consumer group did with the records: processed once, more than once, or skipped.

Not a Kafka class: the auditor of the consumer side, as app/sim/ledger.py is of the producer
side. ``consumed``: distinct records the group's members processed; ``redelivered``: records
processed more than once (after a rebalance or a crash, the records after the last commit come
again); ``missed``: records the producer had acknowledged, at an offset below the group's
committed offset, that no member ever processed (committed before they were processed, then
lost with a crash; or skipped by ``auto.offset.reset=latest`` when a partition changed hands
with no committed offset). Records older than where the group first started reading a
partition are not counted: the group never meant to read them. It also keeps the group's assignment as its members took it, and the
rebalances, from the coordinator's ``group.stable`` events.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from app.sim.ledger import ACKED
from app.sim.partition import TopicPartition

if TYPE_CHECKING:
    from app.sim.cluster import Cluster
    from app.sim.consumer.consumer import KafkaConsumer
    from app.sim.consumer.fetcher import ConsumerRecord
    from app.sim.ledger import Ledger


class GroupLedger:
    def __init__(self, group_id: str, topics: list[str], ledger: "Ledger") -> None:
        self.group_id = group_id
        self.topics = list(topics)
        self.records = ledger
        self.keys = ledger.keys
        #: record id -> times processed (saturates at 255)
        self.counts = bytearray()
        self.consumed = 0
        self.redelivered = 0
        #: member name -> its partitions, as it last took them
        self.assignment: dict[str, list[TopicPartition]] = {}
        self.generation = -1
        self.committed: dict[TopicPartition, int] = {}
        #: tp -> the first position any member of the group read it from
        self.started: dict[TopicPartition, int] = {}
        self.rebalances: list[dict[str, Any]] = []
        #: per member: records processed
        self.by_member: dict[str, int] = {}

    def processed(self, consumer: "KafkaConsumer", records: list["ConsumerRecord"]) -> None:
        counts = self.counts
        for r in records:
            rid = r.record
            if rid < 0:
                continue
            if rid >= len(counts):
                counts.extend(bytes(rid + 1 - len(counts) + 1024))
            c = counts[rid]
            if c == 0:
                self.consumed += 1
            elif c == 1:
                self.redelivered += 1
            if c < 255:
                counts[rid] = c + 1
        self.by_member[consumer.name] = self.by_member.get(consumer.name, 0) + len(records)

    def assigned(self, consumer: "KafkaConsumer", partitions: list[TopicPartition], generation: int) -> None:
        self.assignment[consumer.name] = list(partitions)
        self.generation = max(self.generation, generation)

    def left(self, consumer: "KafkaConsumer") -> None:
        self.assignment.pop(consumer.name, None)

    def start(self, tp: TopicPartition, offset: int) -> None:
        """A member has a position for ``tp``: the first one the group ever had marks where it began."""
        self.started.setdefault(tp, offset)

    def on_committed(self, offsets: dict[TopicPartition, int]) -> None:
        """A commit the coordinator acknowledged."""
        self.committed.update(offsets)

    def on_stable(self, event: dict[str, Any]) -> None:
        """The coordinator's ``group.stable`` (a trace subscription): one rebalance completed."""
        if event.get("group") == self.group_id:
            self.rebalances.append({"t": event["t"], "generation": event["generation"], "protocol": event.get("protocol"),
                                    "assignor": event.get("assignor")})

    def summary(self, cluster: "Cluster", in_progress: frozenset[int] = frozenset()) -> dict[str, Any]:
        """The audit now: assignment, generation, rebalances, committed offsets and lag, and the record counts.

        ``in_progress``: records a live member is processing now (not missed: their processing has not ended)."""
        controller = cluster.controller
        lag: dict[str, int | None] = {}
        missed = 0
        state = self.records.state
        counts = self.counts
        for topic in self.topics:
            t = controller.topics.get(topic)
            if t is None:
                continue
            for s in t.partitions:
                holder = s.leader if s.leader >= 0 else (s.isr[0] if s.isr else s.replicas[0])
                log = cluster.brokers[holder].replicas[s.tp].log
                committed = self.committed.get(s.tp)
                lag[str(s.tp)] = None if committed is None else max(0, log.high_watermark - committed)
                if committed is None:
                    continue
                first = self.started.get(s.tp, 0)
                for e in log.entries:
                    if e.base_offset >= committed:
                        break
                    if e.last_offset < first:
                        continue
                    for i, rid in enumerate(e.record_ids):
                        offset = e.base_offset + i
                        if offset >= committed:
                            break
                        if offset < first:
                            continue
                        if state[rid] == ACKED and (rid >= len(counts) or counts[rid] == 0) and rid not in in_progress:
                            missed += 1
        return {
            "assignment": {m: [[tp.topic, tp.partition] for tp in parts] for m, parts in sorted(self.assignment.items())},
            "generation": self.generation,
            "rebalances": list(self.rebalances),
            "committed": {str(tp): o for tp, o in sorted(self.committed.items())},
            "lag": lag,
            "consumed": self.consumed,
            "redelivered": self.redelivered,
            "missed": missed,
            "processed_by_member": dict(sorted(self.by_member.items())),
        }
