"""The consumer's fetcher: fetch requests to each partition's leader (or nearest replica), records buffered.

Models ``org.apache.kafka.clients.consumer.internals.Fetcher`` / ``AbstractFetch``: one fetch
in flight per broker, for the assigned partitions that have a position and nothing buffered;
``fetch.min.bytes``, ``fetch.max.wait.ms``, ``fetch.max.bytes`` and
``max.partition.fetch.bytes`` sent as the request's limits; the answer's batches checked
(CRC-32C over the bytes the producer wrote, as ``check.crcs`` does) and their records decoded
(decompressed and parsed: ``app.sim.decode_batch``) when the application reads a key or a
value, each record matched with the record id the producer gave it; a preferred read replica (KIP-392)
followed until metadata.max.age.ms or an error; NOT_LEADER_OR_FOLLOWER refreshing metadata;
OFFSET_OUT_OF_RANGE resetting the position by ``auto.offset.reset``. Leaves out fetch
sessions and the completed-fetch size limits of the app thread.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from typing import TYPE_CHECKING, Any

from crc32c import crc32c

from app.sim.errors import Errors
from app.sim.partition import TopicPartition
from app.sim.records import decode_batch, read_batch_header
from app.sim.records.header import CorruptRecordException

if TYPE_CHECKING:
    from app.sim.consumer.consumer import KafkaConsumer
    from app.sim.log import LogEntry
    from app.sim.network_client import ClientRequest


#: Decoded batches kept for records whose key or value is read (a bounded cache: labs read the newest).
DECODED_BATCHES = 64


class ConsumerRecord:
    """One record as poll() returns it; ``record``: the id the simulator's ledger gave it at send().

    ``key``, ``value`` and ``timestamp`` decode the batch the first time one of them is read
    (the simulated application never reads them; a lab or the console consumer does).
    """

    __slots__ = ("topic", "partition", "offset", "record", "_source", "_index")

    def __init__(self, topic: str, partition: int, offset: int, record: int, source: "_Batch", index: int) -> None:
        self.topic, self.partition, self.offset, self.record = topic, partition, offset, record
        self._source, self._index = source, index

    @property
    def key(self) -> bytes | None:
        return self._source.field(self._index, "key", self.record)

    @property
    def value(self) -> bytes | None:
        return self._source.field(self._index, "value", self.record)

    @property
    def timestamp(self) -> int:
        return self._source.field(self._index, "timestamp", self.record)

    def __repr__(self) -> str:
        return f"ConsumerRecord({self.topic}-{self.partition}@{self.offset}, record {self.record})"


class _Batch:
    """A fetched batch: decoded on first use, through the fetcher's bounded cache."""

    __slots__ = ("entry", "fetcher")

    def __init__(self, entry: "LogEntry", fetcher: "Fetcher") -> None:
        self.entry, self.fetcher = entry, fetcher

    def field(self, index: int, name: str, rid: int) -> Any:
        entry = self.entry
        if entry.data is None:
            # The run keeps only the batch's size (Scenario(keep_log_bytes=False)): the key is the ledger's,
            # the value and timestamp are not kept.
            return self.fetcher.c.ledger_keys[rid] if name == "key" and rid >= 0 else None
        records = self.fetcher.decoded(entry)
        return getattr(records[index], name)


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
        self._decoded: OrderedDict[int, tuple["LogEntry", list]] = OrderedDict()

    def decoded(self, entry: "LogEntry") -> list:
        """The batch's records, parsed once (an LRU of DECODED_BATCHES batches)."""
        key = id(entry)
        hit = self._decoded.get(key)
        if hit is not None and hit[0] is entry:
            self._decoded.move_to_end(key)
            return hit[1]
        records = decode_batch(entry.data).records  # type: ignore[arg-type]
        self._decoded[key] = (entry, records)
        if len(self._decoded) > DECODED_BATCHES:
            self._decoded.popitem(last=False)
        return records

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
            if error is Errors.TOPIC_AUTHORIZATION_FAILED:
                c.denied([tp.topic])
                return
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
                else:
                    # Nothing to return (batches the cleaner emptied, records below the position): the position
                    # moves past them, as the consumer's fetch collector moves past an empty batch.
                    c.positions[tp] = max(asked, part["entries"][-1].last_offset + 1)
                c.lag_seen[tp] = part["hw"]
            else:
                c.lag_seen[tp] = part["hw"]
        c.wake()

    def _records(self, tp: TopicPartition, entries: list["LogEntry"], position: int) -> list[ConsumerRecord]:
        """The records of ``entries`` from ``position`` on, each batch's CRC checked first."""
        out: list[ConsumerRecord] = []
        topic, partition = tp
        for e in entries:
            source = _Batch(e, self)
            rids = e.record_ids
            data = e.data
            if data is not None:
                header = read_batch_header(data)
                if crc32c(memoryview(data)[21:]) != header.crc:
                    raise CorruptRecordException(f"Record batch for partition {tp} at offset {e.base_offset} is invalid, "
                                                 "cause: Record is corrupt")
                if header.last_offset_delta != header.records_count - 1:
                    # Offsets with gaps (a compacted batch): each record's own offset delta says where it is.
                    for i, r in enumerate(self.decoded(e)):
                        if r.offset >= position:
                            out.append(ConsumerRecord(topic, partition, r.offset, rids[i] if i < len(rids) else -1, source, i))
                    continue
            base = e.base_offset
            first = position - base if position > base else 0
            for i in range(first, len(rids)):
                out.append(ConsumerRecord(topic, partition, base + i, rids[i], source, i))
        return out

    def collect(self, max_records: int) -> list[ConsumerRecord]:
        """``collectFetch``: up to ``max_records`` buffered records, partition by partition, moving the positions.

        A partition's buffer starts at its position: a reset or a revocation drops it (``drop``)."""
        c = self.c
        out: list[ConsumerRecord] = []
        for tp in sorted(self.buffered):
            if tp not in c.assignment or tp in c.paused:
                continue
            q = self.buffered[tp]
            room = max_records - len(out)
            if len(q) <= room:
                out.extend(q)
                del self.buffered[tp]
            else:
                out.extend(q.popleft() for _ in range(room))
            c.positions[tp] = out[-1].offset + 1
            if len(out) >= max_records:
                break
        return out
