"""Producer and broker metrics under Kafka's own names.

``ProducerMetrics`` models the producer's ``SenderMetricsRegistry`` and BufferPool
sensors; ``BrokerMetrics`` models ReplicaManager gauges, KafkaRequestHandlerPool's
idle ratio and the Produce ``RequestMetrics``. Values are whole-run averages and
rates, not Kafka's windowed samples.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.sim.cluster import Cluster
    from app.sim.producer.batch import ProducerBatch
    from app.sim.producer.producer import KafkaProducer
    from app.sim.producer.sender import ProduceRequest


class ProducerMetrics:
    def __init__(self) -> None:
        self.batches = 0
        self.batch_bytes = 0
        self.compression_rate_sum = 0.0
        self.queue_time_sum = 0.0
        self.drained = 0
        self.requests = 0
        self.request_records = 0
        self.responses = 0
        self.latency_sum = 0.0
        self.record_retries = 0
        self.record_errors = 0
        self.records_acked = 0

    def on_batch_closed(self, b: "ProducerBatch") -> None:
        self.batches += 1
        self.batch_bytes += b.size_bytes
        self.compression_rate_sum += b.compression_rate

    def on_drain(self, b: "ProducerBatch", now: float) -> None:
        # record-queue-time: from creation to the first drain (ProducerBatch.queueTimeMs).
        if b.attempts == 0:
            self.drained += 1
            self.queue_time_sum += now - b.created_ms

    def on_request(self, req: "ProduceRequest", now: float) -> None:
        self.requests += 1
        for b in req.batches:  # a plain loop: a request holds a few batches, a generator costs more
            self.request_records += b.record_count

    def on_response(self, req: "ProduceRequest", now: float) -> None:
        self.responses += 1
        self.latency_sum += now - req.send_ms

    def on_batch_acked(self, b: "ProducerBatch", now: float) -> None:
        self.records_acked += len(b.record_ids)

    def summary(self, producer: "KafkaProducer", duration_ms: float) -> dict[str, Any]:
        secs = max(duration_ms, 1.0) / 1000.0
        pool = producer.pool
        return {
            "batch-size-avg": round(self.batch_bytes / self.batches, 3) if self.batches else 0.0,
            "compression-rate-avg": round(self.compression_rate_sum / self.batches, 4) if self.batches else 1.0,
            "record-queue-time-avg": round(self.queue_time_sum / self.drained, 3) if self.drained else 0.0,
            "request-latency-avg": round(self.latency_sum / self.responses, 3) if self.responses else 0.0,
            "record-retry-rate": round(self.record_retries / secs, 3),
            "record-error-rate": round(self.record_errors / secs, 3),
            "records-per-request-avg": round(self.request_records / self.requests, 3) if self.requests else 0.0,
            "bufferpool-wait-ratio": round(pool.wait_time_ms / max(duration_ms, 1.0), 6),
            "buffer-available-bytes": pool.available,
            "buffer-total-bytes": pool.total_memory,
            "batch-count": self.batches,
            "request-count": self.requests,
            "record-retry-total": self.record_retries,
            "record-error-total": self.record_errors,
        }


class BrokerMetrics:
    """Produce request times per broker: TotalTimeMs = the sum of its five parts, by construction."""

    PARTS = ("RequestQueueTimeMs", "LocalTimeMs", "RemoteTimeMs", "ResponseQueueTimeMs", "ResponseSendTimeMs")

    def __init__(self) -> None:
        self.produce: dict[int, list[float]] = {}  # broker -> [count, queue, local, remote, resp queue, resp send]
        #: broker -> records its leaders rebuilt (BrokerTopicStats' ProduceMessageConversionsPerSec, its count):
        #: Kafka marks that meter for a batch recompressed into the topic's compression.type.
        self.conversions: dict[int, int] = {}

    def on_conversion(self, broker: int, records: int) -> None:
        self.conversions[broker] = self.conversions.get(broker, 0) + records

    def on_produce_done(self, broker: int, arrive: float, start: float, local_done: float, now: float, send_ms: float) -> None:
        row = self.produce.get(broker)
        if row is None:
            row = self.produce[broker] = [0.0] * 6
        row[0] += 1
        row[1] += start - arrive
        row[2] += local_done - start
        row[3] += now - local_done
        # The network threads are not modelled as a queue: the response is picked up at once.
        row[4] += 0.0
        row[5] += send_ms

    def summary(self, cluster: "Cluster", duration_ms: float) -> dict[str, Any]:
        out: dict[str, Any] = {}
        under_replicated = under_min_isr = offline = 0
        for s in cluster.controller.partitions:
            if s.leader < 0:
                offline += 1
                continue  # Partition.isUnderReplicated / isUnderMinIsr: only a live leader reports them
            if not cluster.brokers[s.leader].alive:
                continue  # a crashed leader the controller has not fenced yet: nobody reports the partition
            if len(s.isr) < len(s.replicas):
                under_replicated += 1
            if len(s.isr) < cluster.min_isr(s):  # Partition.isUnderMinIsr
                under_min_isr += 1
        out["UnderReplicatedPartitions"] = under_replicated
        out["UnderMinIsrPartitionCount"] = under_min_isr
        out["OfflinePartitionsCount"] = offline
        per_broker = {}
        for b, broker in sorted(cluster.brokers.items()):
            idle = 1.0 - broker.busy_ms / (broker.threads * max(duration_ms, 1.0))
            row = self.produce.get(b, [0.0] * 6)
            n = row[0] or 1.0
            parts = {name: round(row[i + 1] / n, 4) for i, name in enumerate(self.PARTS)}
            parts["TotalTimeMs"] = round(sum(row[1:]) / n, 4)
            per_broker[str(b)] = {
                "RequestHandlerAvgIdlePercent": round(max(0.0, idle), 4),
                "ProduceRequests": int(row[0]),
                "Produce": parts,
                **({"ProduceMessageConversions": self.conversions[b]} if b in self.conversions else {}),
                "alive": broker.alive,
                "rack": broker.rack,
            }
        out["brokers"] = per_broker
        return out
