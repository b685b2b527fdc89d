"""A broker: request handler threads, produce handling with acks and idempotence, fetch serving.

Models ``kafka.server.ReplicaManager`` (appendRecords, DelayedProduce purgatory,
ISR shrink/expand, fetch serving with long polls) and ``KafkaRequestHandlerPool``
(num.io.threads with a per-request service time); fetching as a follower is its
``ReplicaFetcherManager`` (app/sim/replica_fetcher.py), and its logs' segments, retention and
cleaner are its ``LogManager`` (app/sim/log_manager.py). Leaves out the network threads' own
queueing, quotas and transactions.
"""

from __future__ import annotations

import heapq
from collections import deque
from typing import TYPE_CHECKING, Any, Callable

from crc32c import crc32c

from app.sim import access
from app.sim.apis import KafkaApis
from app.sim.topic import CONSUMER_OFFSETS
from app.sim.errors import Errors
from app.sim.events import Timer
from app.sim.lifecycle import TRANSITIONS, BrokerState, IllegalBrokerTransition
from app.sim.log import LogEntry
from app.sim.log_manager import LogManager
from app.sim.partition import PartitionState, Replica, TopicPartition
from app.sim.record_index import has_null_key, index_batch
from app.sim.records import read_batch_header, with_base_offset
from app.sim.recompression import needs_rebuild, rebuild, target_compression
from app.sim.network_client import HEADER_BYTES, ClientRequest
from app.sim.replica_fetcher import ReplicaFetcherManager

if TYPE_CHECKING:
    from app.sim.cluster import Cluster
    from app.sim.producer.sender import Connection, ProduceRequest

#: Service time of one request on a handler thread: a fixed cost plus a cost per byte
#: (about 0.05 ms + 1 ms per 200 KB: validating CRCs and copying to the page cache).
SERVICE_BASE_MS = 0.05
SERVICE_PER_BYTE_MS = 1 / 200_000


class DelayedProduce:
    """An acks=all request waiting for the high watermark to pass its batches (DelayedProduce)."""

    __slots__ = ("req", "results", "pending", "arrive", "start", "local_done", "timer", "done")

    def __init__(self, req: "ProduceRequest", results: list, pending: dict[int, tuple[int, int]], arrive: float,
                 start: float, local_done: float) -> None:
        self.req = req
        self.results = results
        self.pending = pending  # result index -> (partition, required offset)
        self.arrive = arrive
        self.start = start
        self.local_done = local_done
        self.timer: Timer | None = None
        self.done = False


class Broker:
    """One Kafka broker; ``replicas`` maps each TopicPartition it holds to its Replica."""

    def __init__(self, cluster: "Cluster", broker_id: int, rack: str | None, cfg: dict[str, Any]) -> None:
        self.cluster = cluster
        self.sim = cluster.sim
        self.broker_id = broker_id
        self.rack = rack
        self.cfg = cfg
        self.state = BrokerState.RUNNING
        self.incarnation = 0
        self.replicas: dict[TopicPartition, Replica] = {}
        self.threads = cfg["num.io.threads"]
        self._handler_free: list[float] = [0.0] * self.threads
        self.busy_ms = 0.0
        self.delayed: dict[TopicPartition, list[DelayedProduce]] = {}
        #: Connections with a request being handled, and the requests waiting behind it.
        self.muted: dict["Connection", deque["ProduceRequest"]] = {}
        #: Errors to answer this broker's next led batches with, instead of appending them (a fault).
        self.rejections: deque[Errors] = deque()
        self.parked_fetches: dict[int, tuple[dict[TopicPartition, int], int, Timer]] = {}
        self.lag_max_ms = cfg["replica.lag.time.max.ms"]
        self.fetch_wait_ms = cfg["replica.fetch.wait.max.ms"]
        self.fetch_max_bytes = cfg["replica.fetch.max.bytes"]
        self.fetcher = ReplicaFetcherManager(self)
        self.apis = KafkaApis(self)
        self.sim.after(self.lag_max_ms / 2, self._isr_check)
        #: Segments, retention and the log cleaner (app/sim/log_manager.py): periodic tasks of this process.
        self.log_manager = LogManager(self)

    # -- lifecycle (one state: app/sim/lifecycle.py) --------------------------------------------
    @property
    def alive(self) -> bool:
        """The process runs and serves requests."""
        return self.state.alive

    @property
    def fenced(self) -> bool:
        return self.state.fenced

    def become(self, state: BrokerState) -> None:
        """Move to ``state``; a move the lifecycle does not allow is a bug, and says which moves it allows."""
        if state not in TRANSITIONS[self.state]:
            raise IllegalBrokerTransition(self.broker_id, self.state, state)
        self.state = state

    # -- replica roles ----------------------------------------------------------------------
    def add_replica(self, s: PartitionState) -> None:
        self.replicas[s.tp] = rep = Replica(self.broker_id, s)
        self.log_manager.attach(rep)

    def remove_replica(self, tp: TopicPartition) -> None:
        """The partition's topic was deleted (or the replica moved away): its log goes with it."""
        self._fail_delayed(tp, Errors.NOT_LEADER_OR_FOLLOWER)
        self.replicas.pop(tp, None)

    def topic_cfg(self, s: PartitionState) -> dict[str, Any]:
        return self.cluster.controller.topic_configs[s.topic]

    def become_follower(self, p: TopicPartition) -> None:
        """Follow the current leader: truncate to where our log and its log agree, then fetch from it.

        Kafka finds that point with OffsetsForLeaderEpoch (KIP-101/KIP-279); here the
        follower compares its batches with the leader's epoch cache directly
        (Log.first_divergent_offset), which reaches the same offset. What is cut off here,
        acknowledged or not, is gone.
        """
        if not self.alive:
            return
        rep = self.replicas[p]
        s = rep.state
        if s.leader < 0 or s.leader == self.broker_id:
            return
        self._fail_delayed(p, Errors.NOT_LEADER_OR_FOLLOWER)
        leader_log = self.cluster.brokers[s.leader].replicas[p].log
        to = rep.log.first_divergent_offset(leader_log)
        if to is not None:
            before = rep.log.log_end_offset
            dropped = rep.log.truncate_to(to)
            self.cluster.trace.emit(self.sim.now, "log.truncated", broker=self.broker_id, partition=s.partition, from_offset=before,
                                    to_offset=to, records=sum(len(e.record_ids) for e in dropped), leader=s.leader,
                                    epoch=s.leader_epoch, topic=s.topic)
        self.fetcher.start(s.leader)

    def lost_leadership(self, p: TopicPartition) -> None:
        self._fail_delayed(p, Errors.NOT_LEADER_OR_FOLLOWER)
        if p.topic == CONSUMER_OFFSETS:
            self.apis.coordinator.on_resigned(p)

    def on_leader(self, p: TopicPartition) -> None:
        """This broker leads ``p`` now; for a __consumer_offsets partition its group coordinator loads the groups."""
        if p.topic == CONSUMER_OFFSETS and self.alive:
            self.apis.coordinator.on_elected(p)

    # -- request handler pool (KafkaRequestHandlerPool) -------------------------------------
    def _enqueue(self, size: int, callback: Callable[..., Any], *args: Any) -> None:
        """Queue a request for the first free handler thread; callback(arrive, start, *args) when served."""
        now = self.sim.now
        free = self._handler_free
        start = free[0] if free[0] > now else now
        service = SERVICE_BASE_MS + size * SERVICE_PER_BYTE_MS
        heapq.heapreplace(free, start + service)
        self.busy_ms += service
        self.sim.at(start + service, callback, now, start, self.incarnation, *args)

    # -- produce (ReplicaManager.appendRecords) ---------------------------------------------
    def receive_produce(self, req: "ProduceRequest") -> None:
        if not self.alive:
            sender = req.sender
            self.sim.after(self.cluster.network.latency(self.broker_id, sender.node), sender.on_disconnect, req, "connection refused")
            return
        if not req.conn.open:  # type: ignore[union-attr]
            return  # sent on a connection already closed: the bytes are gone with it
        waiting = self.muted.get(req.conn)  # type: ignore[arg-type]
        if waiting is not None:
            waiting.append(req)  # read once the request before it is answered
            return
        self.muted[req.conn] = deque()  # type: ignore[index]
        self._enqueue(req.size, self._handle_produce, req)

    def _unmute(self, conn: Any) -> None:
        """The answer on ``conn`` is sent: handle its next request (a closed connection's are gone)."""
        waiting = self.muted.pop(conn, None)
        while waiting:
            req = waiting.popleft()
            if conn.open:
                self.muted[conn] = waiting
                handler = self._handle_request if type(req) is ClientRequest else self._handle_produce
                self._enqueue(req.size, handler, req)
                return

    # -- every other client request (KafkaApis: app/sim/apis.py) -----------------------------
    def receive_request(self, req: ClientRequest) -> None:
        """A consumer's or an admin client's request arrived: read it once its connection's previous one is answered."""
        if not self.alive:
            client = req.sender
            self.sim.after(self.cluster.network.latency(self.broker_id, client.node), client.on_disconnect, req,
                           "connection refused")
            return
        conn = req.conn
        if not conn.open:
            return
        waiting = self.muted.get(conn)
        if waiting is not None:
            waiting.append(req)
            return
        self.muted[conn] = deque()
        self._enqueue(req.size, self._handle_request, req)

    def _handle_request(self, arrive: float, start: float, incarnation: int, req: ClientRequest) -> None:
        if self.alive and incarnation == self.incarnation:
            self.apis.handle(req)

    def respond(self, req: ClientRequest, answer: dict[str, Any], size: int = 0) -> None:
        """Send ``answer`` to ``req`` (now, or later for a request that waited) and read the connection's next request."""
        conn = req.conn
        if not self.alive or not conn.open:
            return
        client = req.sender
        trace = self.cluster.trace
        message = (f"{req.api}.response", {"client": client.node, "request": req.request_id,
                                           **_describe_answer(answer)}) if trace.wire else None
        size += HEADER_BYTES
        if conn.channel is not None:
            size = conn.channel.wire_bytes(size)
        self.cluster.network.transfer(self.broker_id, client.node, size, client.on_response, req, answer, message=message)
        self._unmute(conn)

    def _handle_produce(self, arrive: float, start: float, incarnation: int, req: "ProduceRequest") -> None:
        if not self.alive or incarnation != self.incarnation:
            return
        now = self.sim.now
        acks = req.acks
        replicas = self.replicas
        results: list[tuple[Errors, int]] = []
        pending: dict[int, tuple[TopicPartition, int]] = {}
        denied: frozenset[str] = frozenset()
        if self.cluster.authorizer is not None:  # KafkaApis.handleProduceRequest: WRITE on each topic
            denied = access.check(self.cluster, "Produce", access.identity_of(req.conn, req.sender.p.identity),
                                  topics=sorted({b.topic for b in req.batches})).denied_topics
        for i, batch in enumerate(req.batches):
            tp = (batch.topic, batch.partition)
            rep = replicas.get(tp)  # type: ignore[call-overload]  # a plain tuple finds a TopicPartition
            if denied and batch.topic in denied:
                error, base = Errors.TOPIC_AUTHORIZATION_FAILED, -1
            elif rep is not None:
                error, base = self._append(rep, batch, acks, now)
            else:
                error, base = self._no_replica(tp), -1
            results.append((error, base))
            if error is not Errors.NONE:
                self.cluster.trace.emit(now, "produce.error", broker=self.broker_id, partition=batch.partition, batch=batch.batch_id,
                                        error=error.name, code=error.code, side="broker", topic=batch.topic)
            elif acks == -1 and base >= 0:
                pending[i] = (rep.state.tp, base + batch.record_count)
        # Followers' parked fetches are answered once the whole request is appended, as Kafka
        # runs delayed operations after the request (ReplicaManager's action queue, 2.8+):
        # a fetch then carries every partition of the request, not only the first.
        if self.parked_fetches:
            for batch in req.batches:
                self._wake_fetches((batch.topic, batch.partition))  # type: ignore[arg-type]
        if acks == 0:
            # acks=0: the broker sends no response at all. After an error it closes the connection
            # instead (KafkaApis.handleProduceRequest), the only way an acks=0 producer can notice:
            # it reconnects and asks for metadata, which finds a moved leader.
            self.cluster.metrics.on_produce_done(self.broker_id, arrive, start, now, now, 0.0)
            conn = req.conn
            assert conn is not None
            if any(error is not Errors.NONE for error, _ in results):
                conn.open = False
                self.muted.pop(conn, None)  # what waited behind it on the socket is gone
                sender = req.sender
                self.sim.after(self.cluster.network.latency(self.broker_id, sender.node), sender.on_disconnect, req,
                               "closed by the broker after an error (acks=0)")
                return
            self._unmute(conn)
            return
        delayed = DelayedProduce(req, results, pending, arrive, start, now)
        if not pending:
            self._respond(delayed)
            return
        for i, (p, _) in pending.items():
            self.delayed.setdefault(p, []).append(delayed)
        # The produce request's own timeout (the producer sends its request.timeout.ms in it).
        delayed.timer = Timer(self.sim, now + req.timeout_ms, self._delayed_timeout, delayed)
        for p in sorted({p for p, _ in pending.values()}):
            # A single-member ISR moves the HW at once; a duplicate's offsets may already be below it.
            self.maybe_advance_hw(p)
            self._complete_delayed(p)

    def _no_replica(self, tp: tuple[str, int]) -> Errors:
        """A batch for a partition this broker holds no replica of: NOT_LEADER_OR_FOLLOWER, or
        UNKNOWN_TOPIC_OR_PARTITION when the cluster has no such partition at all (a deleted topic)."""
        topic = self.cluster.controller.topics.get(tp[0])
        if topic is None or tp[1] >= len(topic.partitions):
            return Errors.UNKNOWN_TOPIC_OR_PARTITION
        return Errors.NOT_LEADER_OR_FOLLOWER

    def reject_next(self, error: Errors, count: int) -> None:
        """Answer the next ``count`` batches this broker leads with ``error`` and append nothing: what a
        leader says while its ISR is too small (NOT_ENOUGH_REPLICAS) or its leadership moves."""
        self.rejections.extend([error] * count)

    def _append(self, rep: Replica, batch: Any, acks: int, now: float) -> tuple[Errors, int]:
        s = rep.state
        if s.leader != self.broker_id:
            return Errors.NOT_LEADER_OR_FOLLOWER, -1
        if self.rejections:
            return self.rejections.popleft(), -1
        # Partition.appendRecordsToLeader checks the ISR first; the log validates size and CRC after.
        if acks == -1 and len(s.isr) < self.cluster.min_isr(s):
            return Errors.NOT_ENOUGH_REPLICAS, -1
        data = batch.data
        cfg = self.topic_cfg(s)
        if len(data) > cfg["max.message.bytes"]:
            return Errors.MESSAGE_TOO_LARGE, -1
        header = read_batch_header(data)
        if crc32c(memoryview(data)[21:]) != header.crc:
            return Errors.CORRUPT_MESSAGE, -1
        target = target_compression(cfg)
        if needs_rebuild(header, target):
            # LogValidator rebuilds the batch before the producer-state checks run (a duplicate is
            # recompressed too, then dropped); the new size meets max.message.bytes again.
            data, header = self._recompress(s, batch, data, header, target, now)  # type: ignore[arg-type]
            if len(data) > cfg["max.message.bytes"]:
                return Errors.MESSAGE_TOO_LARGE, -1
        index = None
        if "compact" in cfg["cleanup.policy"]:
            # LogValidator decompresses a compacted topic's batch to refuse records without a key;
            # the cleaner keeps what it read (app/sim/record_index.py).
            index = index_batch(data)
            if has_null_key(index):
                return Errors.INVALID_RECORD, -1
        log = rep.log
        pid = header.producer_id
        if pid >= 0:
            verdict = self._check_sequence(log, pid, header.producer_epoch, header.base_sequence, header.records_count)
            if verdict is not None:
                error, offset = verdict
                if error is Errors.DUPLICATE_SEQUENCE_NUMBER:
                    self.cluster.trace.emit(now, "duplicate.rejected", broker=self.broker_id, partition=s.partition,
                                            batch=batch.batch_id, producer_id=pid, base_sequence=header.base_sequence,
                                            offset=offset, topic=s.topic)
                    return Errors.NONE, offset
                return error, -1
        base = log.log_end_offset
        last = base + header.records_count - 1
        epoch = s.leader_epoch
        # The stored copy carries its offset and the leader epoch (both outside the CRC). The topics of a
        # run whose logs nobody reads back (a lab's own topics) keep the size only: a 10-minute lab run
        # would hold its whole log's bytes otherwise.
        stored = None if s.topic in self.cluster.sizes_only else with_base_offset(data, base, epoch)
        log.append(LogEntry(base, last, epoch, stored, batch.record_ids, pid, header.producer_epoch, header.base_sequence, now,
                            len(data), header.max_timestamp, index))
        self.cluster.trace.emit(now, "produce.appended", broker=self.broker_id, partition=s.partition, batch=batch.batch_id,
                                base_offset=base, last_offset=last, bytes=len(data), epoch=epoch, topic=s.topic)
        if acks != -1:
            self.maybe_advance_hw(s.tp)
        return Errors.NONE, base

    def _recompress(self, s: PartitionState, batch: Any, data: bytes, header: Any, target: tuple[str, int | None],
                    now: float) -> tuple[bytes, Any]:
        """The batch rebuilt with the topic's codec (app/sim/recompression.py), counted and traced."""
        rebuilt, records = rebuild(data, target)
        self.cluster.metrics.on_conversion(self.broker_id, records)
        self.cluster.trace.emit(now, "batch.recompressed", broker=self.broker_id, partition=s.partition,
                                batch=batch.batch_id, source=header.compression_type, target=target[0],
                                level=target[1], records=records, bytes_before=len(data), bytes_after=len(rebuilt),
                                topic=s.topic)
        return rebuilt, read_batch_header(rebuilt)

    @staticmethod
    def _check_sequence(log: Any, pid: int, epoch: int, seq: int, count: int) -> tuple[Errors, int] | None:
        """UnifiedLog's producer checks: a repeat of one of the last 5 batches of this epoch
        (ProducerStateEntry.findDuplicateBatch: answered with its first offset), a stale epoch
        (checkProducerEpoch), or a sequence that does not follow (ProducerAppendInfo.checkSequence)."""
        hist = log.producers.get(pid)
        if not hist:
            # No state for this producer id here: Kafka takes any sequence (its state may have
            # been removed with the log's oldest segments).
            return None
        last_epoch = hist[-1][4]
        if epoch < last_epoch:
            return Errors.INVALID_PRODUCER_EPOCH, -1
        if epoch > last_epoch:
            return None if seq == 0 else (Errors.OUT_OF_ORDER_SEQUENCE_NUMBER, -1)
        last_seq = seq + count - 1
        for first, last, base_offset, _, _ in hist:
            if first == seq and last == last_seq:
                return Errors.DUPLICATE_SEQUENCE_NUMBER, base_offset
        # Anything else that does not follow is out of order, older sequences included (today's
        # brokers answer OUT_OF_ORDER_SEQUENCE_NUMBER there, never DUPLICATE_SEQUENCE_NUMBER).
        if seq != (hist[-1][1] + 1) & 0x7FFFFFFF:
            return Errors.OUT_OF_ORDER_SEQUENCE_NUMBER, -1
        return None

    def maybe_advance_hw(self, p: TopicPartition) -> None:
        rep = self.replicas.get(p)
        if rep is None:
            return  # the replica just moved away (a reassignment completed as this broker served a fetch)
        s = rep.state
        if s.leader != self.broker_id:
            return
        if len(s.isr) < self.cluster.min_isr(s) and self.cluster.kafka_version != "2.8":
            # Partition.maybeIncrementLeaderHW, since 3.7 (KAFKA-15583): under min ISR the high
            # watermark stays, so nothing more is committed; waiting acks=all requests time out.
            return
        hw = rep.compute_high_watermark()
        log = rep.log
        if hw > log.high_watermark:
            log.high_watermark = hw
            self.cluster.trace.emit(self.sim.now, "hw.advanced", broker=self.broker_id, partition=s.partition, hw=hw,
                                    topic=s.topic)
            self._complete_delayed(p)
            apis = self.apis
            if apis.parked:
                apis.data_arrived(p)
            if apis.coordinator.waiting:
                apis.coordinator.committed_up_to(p, hw)

    def _complete_delayed(self, p: TopicPartition) -> None:
        waiting = self.delayed.get(p)
        if not waiting:
            return
        rep = self.replicas[p]
        hw = rep.log.high_watermark
        still = []
        for d in waiting:
            if d.done:
                continue
            pending = d.pending
            reached = [i for i, (q, required) in pending.items() if q == p and hw >= required]
            if reached:
                self._reached(rep.state, d, reached)
            if pending:
                still.append(d)
            else:
                self._respond_delayed(d)
        self.delayed[p] = still

    def _reached(self, s: PartitionState, d: DelayedProduce, reached: list[int]) -> None:
        """The HW passed these batches of ``d`` (Partition.checkEnoughReplicasReachOffset): done, or failed
        with NOT_ENOUGH_REPLICAS_AFTER_APPEND when the ISR shrank below min.insync.replicas meanwhile."""
        if len(s.isr) < self.cluster.min_isr(s):
            err = Errors.NOT_ENOUGH_REPLICAS_AFTER_APPEND
            for i in reached:
                d.results[i] = (err, -1)
                self.cluster.trace.emit(self.sim.now, "produce.error", broker=self.broker_id, partition=s.partition,
                                        batch=d.req.batches[i].batch_id, error=err.name, code=err.code, side="broker",
                                        topic=s.topic)
        for i in reached:
            del d.pending[i]

    def _respond_delayed(self, d: DelayedProduce) -> None:
        if d.timer is not None:
            d.timer.cancel()
        self._respond(d)

    def _delayed_timeout(self, d: DelayedProduce) -> None:
        if d.done:
            return
        for i in list(d.pending):
            d.results[i] = (Errors.REQUEST_TIMED_OUT, -1)
        parts = {p for p, _ in d.pending.values()}
        d.pending.clear()
        for p in parts:
            self.delayed[p] = [x for x in self.delayed.get(p, []) if x is not d]
        self._respond(d)

    def _fail_delayed(self, p: TopicPartition, error: Errors) -> None:
        for d in self.delayed.pop(p, []):
            if d.done:
                continue
            for i, (q, _) in list(d.pending.items()):
                if q == p:
                    d.results[i] = (error, -1)
                    del d.pending[i]
            if not d.pending:
                self._respond_delayed(d)

    def _respond(self, d: DelayedProduce) -> None:
        if d.done or not self.alive:
            return
        d.done = True
        now = self.sim.now
        net = self.cluster.network
        req = d.req
        size = 40 + 30 * len(req.batches)
        if req.conn is not None and req.conn.channel is not None:
            size = req.conn.channel.wire_bytes(size)
        client = req.sender
        send_ms = net.send_time(self.broker_id, client.node, size)
        self.cluster.metrics.on_produce_done(self.broker_id, d.arrive, d.start, d.local_done, now, send_ms)
        conn = req.conn
        assert conn is not None
        trace = self.cluster.trace
        message = ("produce.response", {"client": client.node, "request": req.request_id,
                                        "results": [[b.partition, b.batch_id, e.name, off]
                                                    for b, (e, off) in zip(req.batches, d.results)]}
                   ) if trace.wire else None
        if conn.broken or net.take_dropped_response(self.broker_id):
            # The first answer lost breaks the connection: the answers after it on the same
            # connection are lost too, until the client's request timeout closes it.
            reason = "connection broken" if conn.broken else "lost"
            conn.broken = True
            trace.emit(now, "response.dropped", broker=self.broker_id, request=req.request_id, reason=reason)
            if message is not None:  # drawn leaving and never arriving
                arrive = now + send_ms + net.latency(self.broker_id, client.node)
                net.record(message, self.broker_id, client.node, now, round(arrive, 6), size, lost=reason)
        else:
            net.transfer(self.broker_id, client.node, size, client.on_response, req, list(d.results), message=message)
        self._unmute(conn)

    # -- serving followers (ReplicaManager.fetchMessages) -----------------------------------
    def receive_fetch(self, follower: int, offsets: dict[TopicPartition, int], gen: int) -> None:
        if self.alive:
            self._enqueue(40 + 12 * len(offsets), self._serve_fetch, follower, offsets, gen, True)

    def _serve_fetch(self, arrive: float, start: float, incarnation: int, follower: int, offsets: dict[TopicPartition, int],
                     gen: int, may_park: bool) -> None:
        if not self.alive or incarnation != self.incarnation:
            return
        now = self.sim.now
        me = self.broker_id
        replicas = self.replicas
        max_bytes = self.fetch_max_bytes
        out: dict[TopicPartition, tuple[list[LogEntry], int, int]] = {}
        have_data = led = False
        size = 40  # the response's size: a fixed header plus the batches' bytes
        for p, offset in offsets.items():
            rep = replicas.get(p)
            if rep is None:
                continue
            s = rep.state
            if s.leader != me:
                continue
            led = True
            moved = False
            if may_park:  # a fetch read again from purgatory does not update the follower twice (readFromPurgatory)
                moved = rep.follower_leo.get(follower) != offset
                rep.update_follower(follower, offset, now)
            if (follower not in s.isr and follower in s.replicas and self.cluster.controller.usable(follower)
                    and rep.can_join_isr(follower)):
                self.cluster.controller.alter_isr(s, s.isr + [follower], "caught up")
                moved = True
            if moved:
                # Only a follower that moved (or joined the ISR) can move the high watermark: most partitions
                # of a fetch (the idle ones of __consumer_offsets) have not.
                self.maybe_advance_hw(p)
            log = rep.log
            # Below the log start offset: OFFSET_OUT_OF_RANGE, no data; the answer's log start offset
            # tells the follower where to start again (AbstractFetcherThread.handleOutOfRangeError).
            if offset < log.log_start_offset:
                entries = []
                have_data = True  # an error answers at once, no long poll
            else:
                entries = log.read(offset, max_bytes)
            if entries:
                have_data = True
                for e in entries:
                    size += e.size
            elif rep.sent_hw.get(follower) == (gen, log.high_watermark, log.log_start_offset):
                continue  # nothing new for this follower: left out, as a fetch session would
            out[p] = (entries, log.high_watermark, log.log_start_offset)
        if not have_data and may_park and led:
            # Long poll: hold the fetch until data arrives or replica.fetch.wait.max.ms passes.
            old = self.parked_fetches.pop(follower, None)
            if old is not None:
                old[2].cancel()
            timer = Timer(self.sim, now + self.fetch_wait_ms, self._unpark, follower)
            self.parked_fetches[follower] = (offsets, gen, timer)
            return
        for p, (_, hw, start) in out.items():
            rep = replicas.get(p)  # a reassignment completing during this fetch may have moved it away
            if rep is not None:
                rep.sent_hw[follower] = (gen, hw, start)
        fetcher = self.cluster.brokers[follower].fetcher
        message = ("fetch.response", {"replica": follower, "partitions": [
            [p.topic, p.partition, offsets[p], entries[-1].last_offset + 1 if entries else offsets[p], hw]
            for p, (entries, hw, _) in out.items()]}) if self.cluster.trace.wire else None
        self.cluster.network.transfer(me, follower, size, fetcher.on_response, me, gen, out, now, message=message)

    def _unpark(self, follower: int) -> None:
        parked = self.parked_fetches.pop(follower, None)
        if parked is not None and self.alive:
            offsets, gen, timer = parked
            timer.cancel()
            self._serve_fetch(self.sim.now, self.sim.now, self.incarnation, follower, offsets, gen, False)

    def _wake_fetches(self, p: TopicPartition) -> None:
        if not self.parked_fetches:
            return
        for follower in list(self.parked_fetches):
            if p in self.parked_fetches[follower][0]:
                self._unpark(follower)

    # -- ISR maintenance (ReplicaManager.maybeShrinkIsr) -------------------------------------
    def _isr_check(self) -> None:
        if self.alive:
            now = self.sim.now
            for p, rep in self.replicas.items():
                s = rep.state
                if s.leader != self.broker_id:
                    continue
                lagging = rep.lagging_followers(now, self.lag_max_ms)
                if lagging:
                    self.cluster.controller.alter_isr(s, [b for b in s.isr if b not in lagging], "lagging")
                    self.maybe_advance_hw(p)
        self.sim.after(self.lag_max_ms / 2, self._isr_check)

    # -- failures ---------------------------------------------------------------------------
    def crash(self) -> None:
        self.become(BrokerState.DOWN if self.fenced else BrokerState.CRASHED)
        self._stop()

    def shutdown(self) -> None:
        """The process stops after a controlled shutdown (the controller has fenced it: DOWN)."""
        self.become(BrokerState.DOWN)
        self._stop()

    def _stop(self) -> None:
        """The process is gone: what it held in memory (purgatory, muted connections, fetch loops) with it."""
        self.incarnation += 1
        self.delayed.clear()
        self.muted.clear()
        for _, _, timer in self.parked_fetches.values():
            timer.cancel()
        self.parked_fetches.clear()
        self.fetcher.active.clear()
        self._handler_free = [0.0] * self.threads
        self.apis.crash()

    def resize_handlers(self, threads: int) -> None:
        """num.io.threads changed dynamically (KafkaRequestHandlerPool.resizeThreadPool): new threads are
        free at once; when the pool shrinks, the threads that would be free last stop."""
        now = self.sim.now
        free = sorted(self._handler_free)
        if threads > len(free):
            free += [now] * (threads - len(free))
        else:
            free = free[:threads]
        heapq.heapify(free)
        self._handler_free = free
        self.threads = threads

    def restart(self) -> None:
        """The process runs again and has registered: fenced until the controller unfences it."""
        self.become(BrokerState.FENCED)
        self.incarnation += 1
        self.log_manager.start()


def _describe_answer(answer: dict[str, Any]) -> dict[str, Any]:
    """What an answer's ``message.sent`` says of it: its error and, for a fetch, the offsets it carries."""
    out: dict[str, Any] = {"error": answer["error"].name} if "error" in answer else {}
    parts = answer.get("partitions")
    if isinstance(parts, dict):
        out["partitions"] = [[tp[0], tp[1], p.get("from", -1), p.get("to", -1), p.get("hw", -1)] for tp, p in parts.items()]
    return out
