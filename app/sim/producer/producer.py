"""The producer as the application sees it: send(), flush(), and idempotence bookkeeping.

Models ``org.apache.kafka.clients.producer.KafkaProducer`` (send path: partition,
append, block on memory) and its idempotence (a producer id; the epochs and
sequences are kept by app/sim/producer/transaction_manager.py); leaves out serializers,
interceptors, transactions and a separate I/O thread (the Sender runs on events).
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING, Any

from app.sim import access
from app.sim.access import Identity
from app.sim.compression import CompressionRatioEstimator
from app.sim.errors import BufferExhaustedException
from app.sim.events import Simulation, Timer
from app.sim.producer.accumulator import RecordAccumulator
from app.sim.producer.batch import FinalState, ProducerBatch
from app.sim.producer.buffer_pool import BufferPool
from app.sim.producer.bulk import send_keyed_run
from app.sim.producer.metadata import Metadata
from app.sim.producer.partitioner import (
    BuiltInPartitioner, KeyedPartitioner, NullKeyStrategy, RoundRobinPartitioner, StickyPartitioner,
)
from app.sim.producer.sender import Sender
from app.sim.producer.transaction_manager import TransactionManager
from app.sim.records import estimate_size_upper_bound
from app.sim.varint import VARINT_TABLE_MAX

if TYPE_CHECKING:
    from app.sim.cluster import Cluster
    from app.sim.ledger import Ledger
    from app.sim.metrics import ProducerMetrics
    from app.sim.network import Network
    from app.sim.trace import Trace

#: Virtual time 0 is this wall-clock instant, so record timestamps look real and stay deterministic.
EPOCH_MS = 1_700_000_000_000


class KafkaProducer:
    """One producer writing to one topic; records are ``(record_id, key, value)`` with no headers.

    ``client_id``: its ``client.id`` (Kafka's default ``producer-N`` when the configs set none), its
    name on the network; ``host``: the machine it runs on (links are between hosts).
    """

    def __init__(self, sim: Simulation, cluster: "Cluster", network: "Network", cfg: dict[str, Any], topic: str,
                 trace: "Trace", metrics: "ProducerMetrics", ledger: "Ledger",
                 null_key_strategy: NullKeyStrategy = NullKeyStrategy.UNIFORM_STICKY, host: str | None = "producer",
                 rack: str | None = None, identity: Identity = Identity(), connector: Any = None) -> None:
        self.sim, self.cluster, self.network, self.cfg = sim, cluster, network, cfg
        self.topic, self.trace, self.metrics, self.ledger = topic, trace, metrics, ledger
        self.client_id: str = cfg.get("client.id") or cluster.next_client_id("producer")
        self.node = self.client_id
        #: who the brokers take this producer for (its principal and address), for their ACL checks
        self.identity = identity
        #: its security configs and listener (app/sim/channel.py), when the run's connections carry security
        self.connector = connector
        cluster.connect(self, rack, host)
        n = cluster.controller.num_partitions(topic)
        self.num_partitions = n
        self.idempotent: bool = cfg["enable.idempotence"]
        self.producer_id = -1
        #: a fatal error every send() fails with (a denied InitProducerId), or None
        self.fatal: str | None = None
        self.inflight_batches: list[set[ProducerBatch]] = [set() for _ in range(n)]
        self.txn = TransactionManager(n, self.inflight_batches) if self.idempotent else None
        self.pool = BufferPool(cfg["buffer.memory"], cfg["batch.size"])
        self.estimator = CompressionRatioEstimator()
        codec = cfg["compression.type"]
        level = cfg.get(f"compression.{codec}.level") if codec in ("gzip", "lz4", "zstd") else None
        self.accumulator = RecordAccumulator(topic, n, cfg, self.pool, self.estimator, codec, level)
        self.metadata = Metadata(self)
        self.sender = Sender(self)
        self.keyed = KeyedPartitioner(n)
        self.ignore_keys: bool = cfg["partitioner.ignore.keys"]
        self.strategy = null_key_strategy
        rng = sim.rng
        self.round_robin = RoundRobinPartitioner(rng)
        self.sticky = StickyPartitioner(rng)
        self.uniform = BuiltInPartitioner(rng, cfg["batch.size"], cfg["partitioner.adaptive.partitioning.enable"])
        self.max_request_size: int = cfg["max.request.size"]
        self.max_block_ms: float = cfg["max.block.ms"]
        self.linger_ms: float = cfg["linger.ms"]
        # The application thread: while send() blocks on memory, later sends wait behind it.
        self.backlog: deque[tuple[int, bytes | None, bytes | None]] = deque()
        self.blocked: tuple[int, bytes | None, bytes | None, int, float, Timer] | None = None
        self._resume_scheduled = False
        self._carry_since: float | None = None
        self._blocked_since = 0.0
        if self.idempotent and connector is None:
            self._init_producer_id(identity)

    def _init_producer_id(self, identity: Identity) -> None:
        """InitProducerId: IDEMPOTENT_WRITE on the cluster, or (2.8+, KIP-679) WRITE on any topic. Answered at once
        (its round trip is left out); with secured connections, on the first one ready, as its principal."""
        verdict = access.check(self.cluster, "InitProducerId", identity, idempotent=True)
        if verdict.allowed:
            self.producer_id = self.cluster.init_producer_id()
        else:
            self.failed_fatally("ClusterAuthorizationException")

    def connection_ready(self, channel: Any) -> None:
        """A connection finished its set-up (app/sim/channel.py): the idempotent producer's id comes first."""
        if self.idempotent and self.producer_id < 0 and self.fatal is None:
            self._init_producer_id(Identity(channel.principal, self.identity.host))

    def authentication_failed(self, exception: str) -> None:
        """A connection failed authentication: Metadata.fatalError, so every send() throws it (KafkaProducer.doSend)."""
        self.failed_fatally(exception)

    def failed_fatally(self, error: str) -> None:
        """Every record waiting and every later send() fails with ``error`` (the application's callback gets it)."""
        if self.fatal is None:
            self.fatal = error
        now = self.sim.now
        for dq in self.accumulator.batches:
            while dq:
                self.fail_batch(dq.popleft(), error, now)

    # -- send path ----------------------------------------------------------------------------
    def send_many(self, items: list[tuple[int, bytes | None, bytes | None]]) -> None:
        """The application calls send() for each ``(record_id, key, value)`` in turn."""
        if items:
            self.send_run(items[0][0], [k for _, k, _ in items], [v for _, _, v in items])

    def send_run(self, first_rid: int, keys: list[bytes | None], values: list[bytes | None]) -> None:
        """send() for records ``first_rid, first_rid + 1, ...`` (bulk arrivals of one tick).

        Keyed records take the bulk path (``bulk.send_keyed_run``: the common case, a record
        that fits its partition's open batch, without a call per record); others go one by
        one through ``_send_one``.
        """
        if self.fatal is not None:
            self._failed(list(range(first_rid, first_rid + len(keys))), self.fatal)
            return
        if self.blocked is not None or self.backlog:
            self.backlog.extend(zip(range(first_rid, first_rid + len(keys)), keys, values))
            return
        now = self.sim.now
        ts = EPOCH_MS + int(now)
        # The bulk path needs keyed records well below max.request.size and buffer.memory.
        if (not self.ignore_keys and not self.trace.records and keys and None not in keys
                and None not in values):
            longest_value, longest_key = max(map(len, values)), max(map(len, keys))
            if (longest_value + longest_key + 256 < min(self.max_request_size, self.pool.total_memory)
                    and max(longest_value, longest_key) <= VARINT_TABLE_MAX):
                taken = send_keyed_run(self, first_rid, keys, values, ts, now)  # type: ignore[arg-type]
                if taken < len(keys):
                    self.backlog.extend(zip(range(first_rid + taken, first_rid + len(keys)), keys[taken:],
                                            values[taken:]))
                return
        send = self._send_one
        rid = first_rid - 1
        for key, value in zip(keys, values):
            rid += 1
            if not send(rid, key, value, ts, now, False):
                done = rid + 1 - first_rid
                self.backlog.extend(zip(range(rid + 1, first_rid + len(keys)), keys[done:], values[done:]))
                return

    def send(self, record_id: int, key: bytes | None, value: bytes | None) -> None:
        self.send_many([(record_id, key, value)])

    def _choose(self, key: bytes | None, available: list[int] | None) -> int:
        if key is not None and not self.ignore_keys:
            return self.keyed.partition(key)
        avail = available if available is not None else self.metadata.available_partitions() or list(range(self.num_partitions))
        s = self.strategy
        if s is NullKeyStrategy.UNIFORM_STICKY:
            return self.uniform.partition(avail)
        if s is NullKeyStrategy.STICKY:
            return self.sticky.partition(avail)
        return self.round_robin.partition(avail)

    def _send_one(self, rid: int, key: bytes | None, value: bytes | None, ts: int, now: float, waiter: bool) -> bool:
        """KafkaProducer.doSend; False when the call blocks waiting for buffer memory."""
        size = (len(key) if key is not None else 0) + (len(value) if value is not None else 0)
        if size + 128 >= min(self.max_request_size, self.pool.total_memory) and (
                estimate_size_upper_bound(key, value, ()) > min(self.max_request_size, self.pool.total_memory)):
            self._failed([rid], "RecordTooLargeException")
            return True
        keyed = key is not None and not self.ignore_keys
        p = self.keyed.partition(key) if keyed else self._choose(key, None)
        dq = self.accumulator.batches[p]
        last = dq[-1] if dq else None
        if last is not None and last.data is None and self._try_append(last, rid, key, value, ts, now, p, keyed):
            return True
        if not keyed and self.strategy is NullKeyStrategy.STICKY and not waiter:
            # KIP-480: the record would start a new batch, so the sticky partition moves first.
            avail = self.metadata.available_partitions() or list(range(self.num_partitions))
            p = self.sticky.on_new_batch(p, avail)
            dq = self.accumulator.batches[p]
            last = dq[-1] if dq else None
            if last is not None and last.data is None and self._try_append(last, rid, key, value, ts, now, p, keyed):
                return True
        size = self.accumulator.new_batch_size(key, value, ())
        got = self.pool.allocate_for_waiter(size) if waiter else self.pool.try_allocate(size)
        if not got:
            self._block(rid, key, value, size, now)
            return False
        # Only the uniform sticky partitioner (null keys) asks whether the last batch was full.
        enable_switch = None if keyed else last is None or last.is_full()
        batch = self.accumulator.new_batch(p, size, now, ts)
        self.trace.emit(now, "batch.created", partition=p, batch=batch.batch_id, buffer=size)
        self._try_append(batch, rid, key, value, ts, now, p, keyed, enable_switch)
        # RecordAccumulator.append: a new batch behind another makes that one "full": wake the sender.
        self.sender.wakeup(now if len(dq) > 1 else now + self.linger_ms)
        return True

    def _try_append(self, batch: ProducerBatch, rid: int, key: bytes | None, value: bytes | None, ts: int, now: float,
                    p: int, keyed: bool, enable_switch: bool | None = None) -> bool:
        """ProducerBatch.tryAppend plus the bookkeeping; False when the record does not fit."""
        builder = batch.builder
        if not keyed and self.strategy is NullKeyStrategy.UNIFORM_STICKY:
            before = builder.estimated_size_in_bytes() if builder.record_count else 0
            if enable_switch is None:
                enable_switch = builder.is_full()
            if not builder.try_append(ts, key, value, ()):
                return False
            avail = self.metadata.available_partitions() or list(range(self.num_partitions))
            self.uniform.update(builder.estimated_size_in_bytes() - before, enable_switch, avail)
        elif not builder.try_append(ts, key, value, ()):
            return False
        batch.record_ids.append(rid)
        if self.trace.records:
            self.trace.emit(now, "record.sent", record=rid, partition=p, batch=batch.batch_id,
                            key=key.decode("latin-1") if key is not None else None)
        return True

    # -- blocking on memory (BufferPool.allocate) ---------------------------------------------
    def _block(self, rid: int, key: bytes | None, value: bytes | None, size: int, now: float) -> None:
        # A send woken too early blocks again with what is left of its max.block.ms.
        since = self._carry_since if self._carry_since is not None else now
        timer = Timer(self.sim, since + self.max_block_ms, self._block_timeout)
        self.blocked = (rid, key, value, size, now, timer)
        self._blocked_since = since
        self.pool.add_waiter(self._memory_freed)
        if self._carry_since is None:
            self.trace.emit(now, "record.blocked", record=rid, bytes=size, available=self.pool.available)
        self.sender.wakeup(now)  # waiters make every batch sendable ("exhausted")

    def _memory_freed(self) -> None:
        if self.blocked is not None and not self._resume_scheduled and self.pool.available >= self.blocked[3]:
            self._resume_scheduled = True
            self.sim.at(self.sim.now, self._resume)

    def _unblock(self) -> tuple[int, bytes | None, bytes | None, int, float, Timer]:
        blocked = self.blocked
        assert blocked is not None
        self.blocked = None
        blocked[5].cancel()
        self.pool.remove_waiter(self._memory_freed)
        self.pool.wait_time_ms += self.sim.now - blocked[4]
        return blocked

    def _resume(self) -> None:
        self._resume_scheduled = False
        if self.blocked is None or self.pool.available < self.blocked[3]:
            return
        since = self._blocked_since
        rid, key, value, _, _, _ = self._unblock()
        now = self.sim.now
        self._carry_since = since
        try:
            self._send_one(rid, key, value, EPOCH_MS + int(now), now, True)
        finally:
            self._carry_since = None
        self._drain_backlog()

    def _block_timeout(self) -> None:
        rid, key, value, size, _, _ = self._unblock()
        now = self.sim.now
        exc = BufferExhaustedException(size, int(self.max_block_ms), self.pool.total_memory, self.pool.available,
                                       self.pool.poolable_size)
        self.trace.emit(now, "buffer.exhausted", record=rid, message=str(exc))
        self._failed([rid], exc.error_name)
        self._drain_backlog()

    def _drain_backlog(self) -> None:
        """Sends that queued behind a blocked one go now, in order, until one blocks again."""
        backlog = self.backlog
        now = self.sim.now
        ts = EPOCH_MS + int(now)
        send = self._send_one
        while backlog and self.blocked is None:
            rid, key, value = backlog.popleft()
            send(rid, key, value, ts, now, False)

    # -- flush -------------------------------------------------------------------------------
    @property
    def unsent(self) -> int:
        """Records the application has not handed over yet: the blocked send() and those queued behind it."""
        return len(self.backlog) + (1 if self.blocked is not None else 0)

    def flush(self) -> None:
        """Make every batch sendable now; done when every incomplete batch has its answer."""
        if self.accumulator.incomplete:
            self.accumulator.flushes_in_progress += 1
            self.sender.wakeup()

    def close(self) -> None:
        """KafkaProducer.close(): no more sends; what the producer holds goes out at once and is answered."""
        self.accumulator.closed = True
        if self.accumulator.incomplete:
            self.sender.wakeup()
        else:
            self.cluster.disconnect(self)

    def on_broker_down(self, broker: int) -> None:
        self.sender.on_broker_down(broker)

    # -- drain (RecordAccumulator.drainBatchesForOneNode) --------------------------------------
    def drain(self, node: int, now: float) -> list[ProducerBatch]:
        acc = self.accumulator
        parts = self.metadata.partitions_by_leader.get(node)
        if not parts:
            return []
        n = len(parts)
        start = acc.drain_index.get(node, 0) % n
        queues, muted, idempotent = acc.batches, acc.muted, self.idempotent
        out: list[ProducerBatch] = []
        size = 0
        for i in range(n):
            # updateDrainIndex before moving on (KAFKA-13834, 3.3+): the stored index is the
            # last partition visited, so the next drain starts there.
            acc.drain_index[node] = (start + i) % n
            p = parts[(start + i) % n]
            dq = queues[p]
            if not dq or p in muted:
                continue
            first = dq[0]
            if first.attempts > 0 and now - first.last_attempt_ms + 1e-6 < first.backoff_ms:
                continue
            if out and size + first.estimated_size() > self.max_request_size:
                break
            if idempotent and self.txn.should_stop_drain(p, first):  # type: ignore[union-attr]
                break  # Kafka breaks here: nothing more goes to this node in this request
            dq.popleft()
            if first.data is None:
                self._close(first, p)
            elif first.restamp:
                first.restamp_header()
            if not first.reported_ready:
                first.reported_ready = True
                self.trace.emit(now, "batch.ready", partition=p, batch=first.batch_id, reason="drained",
                                records=len(first.record_ids), attempt=first.attempts)
            first.drained_ms = now
            size += first.size_bytes
            out.append(first)
        signal = "batch.drained" in self.trace.signals
        for b in out:
            self.inflight_batches[b.partition].add(b)
            self.metrics.on_drain(b, now)
            if signal:
                self.trace.signal(now, "batch.drained", batch=b)
        return out

    def _close(self, batch: ProducerBatch, p: int) -> None:
        if self.accumulator.open_batch[p] is batch:
            self.accumulator.open_batch[p] = None
        txn = self.txn
        if txn is not None:
            seq = txn.sequence_for(p, batch.builder.record_count)
            fresh = batch.data is None
            batch.close(self.producer_id, txn.epoch, seq, keep_builder=True)
        else:
            fresh = True
            batch.close(-1, -1, -1)
        if fresh:
            self.estimator.update(self.topic, self.accumulator.codec, batch.compression_rate)
            self.metrics.on_batch_closed(batch)
            if "batch.closed" in self.trace.signals:
                self.trace.signal(self.sim.now, "batch.closed", batch=batch)

    # -- outcomes ---------------------------------------------------------------------------
    def _done(self, batch: ProducerBatch, state: FinalState) -> None:
        batch.state = state
        batch.builder = None  # the records are no longer needed once the batch has its answer
        if self.accumulator.open_batch[batch.partition] is batch:
            self.accumulator.open_batch[batch.partition] = None
        self.inflight_batches[batch.partition].discard(batch)
        acc = self.accumulator
        acc.incomplete.discard(batch)
        if acc.flushes_in_progress and not acc.incomplete:
            acc.flushes_in_progress = 0
        self.pool.deallocate(batch.buffer_size)
        if acc.closed and not acc.incomplete:
            self.cluster.disconnect(self)  # closed, and nothing left to answer: the producer is gone

    def complete_batch(self, batch: ProducerBatch, base_offset: int, now: float) -> None:
        if batch.state is not FinalState.PENDING:
            return
        self._done(batch, FinalState.SUCCEEDED)
        if self.txn is not None:
            self.txn.on_acked(batch)
        self.ledger.on_acked(batch.record_ids)
        self.metrics.on_batch_acked(batch, now)
        if "batch.acked" in self.trace.signals:
            self.trace.signal(now, "batch.acked", batch=batch, base_offset=base_offset)
        if self.trace.records:
            for i, rid in enumerate(batch.record_ids):
                self.trace.emit(now, "record.acked", record=rid, partition=batch.partition,
                                offset=base_offset + i if base_offset >= 0 else -1)

    def fail_batch(self, batch: ProducerBatch, error: str, now: float, expired: bool = False) -> None:
        if batch.state is not FinalState.PENDING:
            return
        self._done(batch, FinalState.FAILED)
        if expired:
            self.trace.emit(now, "batch.expired", partition=batch.partition, batch=batch.batch_id,
                            records=len(batch.record_ids), age_ms=round(now - batch.created_ms, 3),
                            message=f"Expiring {len(batch.record_ids)} record(s) for {self.topic}-{batch.partition}:"
                                    f"{round(now - batch.created_ms)} ms has passed since batch creation")
        self._failed(batch.record_ids, error)
        if self.trace.records:
            for rid in batch.record_ids:
                self.trace.emit(now, "record.failed", record=rid, partition=batch.partition, error=error)
        if self.txn is not None:
            # Kafka's adjustSequenceNumbers: the batch failed with retries left (attempts < retries).
            self.txn.on_failed(batch, error, expired, adjust=batch.attempts < self.sender.retries)
            if self.txn.unresolved or self.txn.bump_required:
                self.sender.wakeup()  # the next pass resolves the sequence or bumps the epoch

    def _failed(self, rids: list[int], error: str) -> None:
        """Records the application is told failed (their callback's exception)."""
        self.ledger.on_failed(rids, error)
        self.metrics.record_errors += len(rids)
        if "records.failed" in self.trace.signals:
            self.trace.signal(self.sim.now, "records.failed", records=list(rids), error=error)

    @property
    def producer_epoch(self) -> int:
        return self.txn.epoch if self.txn is not None else -1

    @property
    def next_sequence(self) -> list[int]:
        return self.txn.next_sequence if self.txn is not None else [0] * self.num_partitions
