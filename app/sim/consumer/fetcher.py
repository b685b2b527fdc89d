"""The consumer's fetcher: fetch requests to each partition's leader (or nearest replica), records buffered.

Models ``org.apache.kafka.clients.consumer.internals.Fetcher`` / ``AbstractFetch``: one fetch
in flight per broker, for the assigned partitions that have a position and nothing buffered;
``fetch.min.bytes``, ``fetch.max.wait.ms``, ``fetch.max.bytes`` and
``max.partition.fetch.bytes`` sent as the request's limits; the answer's batches decoded
(decompressed, CRC-checked: ``app.sim.decode_batch``) when the log kept their bytes, each
record matched with the record id the producer gave it; a preferred read replica (KIP-392)
followed until metadata.max.age.ms or an error; NOT_LEADER_OR_FOLLOWER refreshing metadata;
OFFSET_OUT_OF_RANGE resetting the position by ``auto.offset.reset``. Leaves out fetch
sessions and the completed-fetch size limits of the app thread.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING, Any, NamedTuple

from app.sim.errors import Errors
from app.sim.partition import TopicPartition
from app.sim.records import decode_batch

if TYPE_CHECKING:
    from app.sim.consumer.consumer import KafkaConsumer
    from app.sim.log import LogEntry
    from app.sim.network_client import ClientRequest


class ConsumerRecord(NamedTuple):
    """One record as poll() returns it; ``record``: the id the simulator's ledger gave it at send()."""

    topic: str
    partition: int
    offset: int
    record: int
    key: bytes | None
    value: bytes | None
    timestamp: int


class Fetcher:
    def __init__(self, consumer: "KafkaConsumer") -> None:
        self.c = consumer
        self.buffered: dict[TopicPartition, deque[ConsumerRecord]] = {}
        #: brokers with a fetch in flight
        self.in_flight: set[int] = set()
        #: tp -> (preferred read replica, until when it is used)
        self.preferred: dict[TopicPartition, tuple[int, float]] = {}
        self.bytes_fetched = 0
        self.fetches = 0

    def drop(self, tps: Any) -> None:
        """Forget what is buffered for partitions no longer assigned (or whose position moved)."""
        for tp in tps:
            self.buffered.pop(tp, None)
            self.preferred.pop(tp, None)

    def buffered_count(self) -> int:
        return sum(len(q) for q in self.buffered.values())

    def _node_for(self, tp: TopicPartition) -> int:
        chosen = self.preferred.get(tp)
        if chosen is not None:
            if chosen[1] > self.c.sim.now:
                return chosen[0]
            del self.preferred[tp]
        return self.c.metadata.leader(tp)

    def send_fetches(self) -> None:
        """``sendFetches``: one request per broker not already fetching, for every fetchable partition it serves."""
        c = self.c
        by_node: dict[int, dict[TopicPartition, int]] = {}
        for tp in sorted(c.fetchable()):
            if self.buffered.get(tp):
                continue
            node = self._node_for(tp)
            if node < 0:
                c.metadata.request_update()
                continue
            if node in self.in_flight or not c.net.ready(node):
                continue
            by_node.setdefault(node, {})[tp] = c.positions[tp]
        cfg = c.cfg
        for node, partitions in by_node.items():
            self.in_flight.add(node)
            from_follower = any(tp in self.preferred for tp in partitions)
            payload = {"partitions": partitions, "max_wait_ms": cfg["fetch.max.wait.ms"], "min_bytes": cfg["fetch.min.bytes"],
                       "max_bytes": cfg["fetch.max.bytes"], "partition_max_bytes": cfg["max.partition.fetch.bytes"],
                       "rack": cfg["client.rack"] or None, "from_follower": from_follower}
            self.fetches += 1
            c.net.send("fetch", node, payload, 20 + 16 * len(partitions), self._answer)

    def _answer(self, req: "ClientRequest", answer: dict[str, Any]) -> None:
        c = self.c
        self.in_flight.discard(req.node)
        if answer["error"] is not Errors.NONE:
            # The connection broke: ask who leads now; the fetch goes again on the next poll.
            for tp in req.payload["partitions"]:
                self.preferred.pop(tp, None)
            c.metadata.request_update()
            c.wake()
            return
        now = c.sim.now
        for tp, part in answer["partitions"].items():
            asked = req.payload["partitions"][tp]
            if tp not in c.assignment or c.positions.get(tp) != asked:
                continue  # revoked, or moved by a seek or reset while the fetch was out: stale
            error = part["error"]
            if error is Errors.NOT_LEADER_OR_FOLLOWER:
                self.preferred.pop(tp, None)
                c.metadata.request_update()
            elif error is Errors.OFFSET_OUT_OF_RANGE:
                self.preferred.pop(tp, None)
                c.reset_position(tp, out_of_range=True)
            elif part.get("preferred_read_replica", -1) >= 0:
                self.preferred[tp] = (part["preferred_read_replica"], now + c.cfg_max_age_ms)
                c.trace.emit(now, "consumer.preferred_replica", client=c.client_id, topic=tp.topic, partition=tp.partition,
                             replica=part["preferred_read_replica"])
            elif part["entries"]:
                records = self._records(tp, part["entries"], asked)
                size = sum(e.size for e in part["entries"])
                self.bytes_fetched += size
                if records:
                    self.buffered.setdefault(tp, deque()).extend(records)
                c.lag_seen[tp] = part["hw"]
            else:
                c.lag_seen[tp] = part["hw"]
        c.wake()

    def _records(self, tp: TopicPartition, entries: list["LogEntry"], position: int) -> list[ConsumerRecord]:
        """The records of ``entries`` from ``position`` on; decoded from the batch bytes when the log kept them."""
        out: list[ConsumerRecord] = []
        keys = self.c.ledger_keys
        for e in entries:
            if e.data is not None:
                batch = decode_batch(e.data)
                for i, r in enumerate(batch.records):
                    if r.offset >= position:
                        rid = e.record_ids[i] if i < len(e.record_ids) else -1
                        out.append(ConsumerRecord(tp.topic, tp.partition, r.offset, rid, r.key, r.value, r.timestamp))
            else:
                # The run keeps only the batch's size (Scenario(keep_log_bytes=False)): the record ids say
                # which records these are; keys come from the ledger, values are not kept.
                for i, rid in enumerate(e.record_ids):
                    offset = e.base_offset + i
                    if offset >= position:
                        out.append(ConsumerRecord(tp.topic, tp.partition, offset, rid, keys[rid] if rid >= 0 else None,
                                                  None, 0))
        return out

    def collect(self, max_records: int) -> list[ConsumerRecord]:
        """``collectFetch``: up to ``max_records`` buffered records, partition by partition, moving the positions."""
        c = self.c
        out: list[ConsumerRecord] = []
        for tp in sorted(self.buffered):
            q = self.buffered[tp]
            if tp not in c.assignment or tp in c.paused:
                continue
            while q and len(out) < max_records:
                r = q.popleft()
                if r.offset < c.positions.get(tp, 0):
                    continue
                out.append(r)
                c.positions[tp] = r.offset + 1
            if not q:
                del self.buffered[tp]
            if len(out) >= max_records:
                break
        return out
