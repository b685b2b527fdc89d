"""The batching lab: linger.ms and batch.size, with the accumulator's batches drawn as they fill.

One producer, three partitions on three brokers, 500 keyed JSON records a second of
about 100 bytes. At that rate a partition gets a record every 6 ms, so linger.ms from
0 to 100 ms spans one-record batches to batches of 15 or more, and batch.size=1024
fills before a long linger.ms runs out: every reason a batch leaves (full, linger,
flush, drained along with a ready one) shows within a second of virtual time.

``BatchWatch`` is the lab's view of the run (``frame["lab"]``): the batches each
partition holds now, the last batches that left and why (the trace's
``batch.ready`` reason), and per half second of virtual time the throughput, the
batch size, the records per request and the p50/p99 latency from send() to the
acknowledgement of each record. It observes the scenario's ledger, metrics and
trace in place; it reads no clock and changes nothing the simulator decides.
"""

from __future__ import annotations

from collections import Counter, OrderedDict
from typing import Any

from app.live.labs import Lab, Scope, Setting
from app.sim import Scenario
from app.sim.copying import deepcopy_with_flat

BUCKET_MS = 500.0
KEEP_BUCKETS = 60
DEPARTED = 14
#: batch.size choices (bytes): Kafka's default is 16384.
BATCH_SIZES = ("1024", "4096", "16384", "32768", "65536")


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q from 0 to 100) of ``values``; 0.0 for none."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))
    return round(ordered[int(rank) - 1], 3)


class _Bucket:
    __slots__ = ("acked", "batches", "batch_bytes", "requests", "request_records", "latencies", "raw", "wire", "ratio_sum")

    def __init__(self) -> None:
        self.acked = self.batches = self.batch_bytes = self.requests = self.request_records = 0
        self.raw = self.wire = 0
        self.ratio_sum = 0.0
        self.latencies: list[float] = []

    def __deepcopy__(self, memo: dict) -> "_Bucket":
        # A checkpoint copies thousands of latencies: floats, copied one level deep.
        new = _Bucket.__new__(_Bucket)
        for name in _Bucket.__slots__:
            setattr(new, name, getattr(self, name))
        new.latencies = list(self.latencies)
        return new


class BatchWatch:
    """Watches one Scenario (and every producer that replaces its first: they share its trace) through
    ``trace.subscribe``: it changes nothing the simulator decides."""

    def __init__(self, sc: Scenario) -> None:
        self.sc = sc
        self.sent_ms: dict[int, float] = {}
        self.buckets: OrderedDict[int, _Bucket] = OrderedDict()
        self.departed: OrderedDict[int, dict[str, Any]] = OrderedDict()
        self.reasons: Counter[str] = Counter()
        self.totals = {"raw": 0, "wire": 0, "batches": 0, "records": 0}
        # A half second that has ended never changes: its row (and the window of the last ones) is worked out
        # once, not on every frame (a bucket's percentiles sort thousands of latencies).
        self._rows: dict[int, list[float]] = {}
        self._window: tuple[int, dict[str, float]] | None = None
        # Bound methods, not closures: a checkpoint (one copy.deepcopy of the scenario and this view
        # together) copies the subscriptions with them.
        trace = sc.trace
        trace.subscribe(("records.sent",), self._sent)
        trace.subscribe(("batch.acked",), self._acked)
        trace.subscribe(("records.failed",), self._failed)
        trace.subscribe(("batch.closed",), self._closed)
        trace.subscribe(("request.sent",), self._request)
        trace.subscribe(("batch.ready",), self._ready)

    def _sent(self, e: dict[str, Any]) -> None:
        # The workload hands the next records to send() at this instant: their send time.
        now = self.sc.now
        first = e["first"]
        self.sent_ms.update((rid, now) for rid in range(first, first + e["count"]))

    def _acked(self, e: dict[str, Any]) -> None:
        rids = e["batch"].record_ids
        now = self.sc.now
        b = self._bucket(now)
        pop = self.sent_ms.pop
        for rid in rids:
            t = pop(rid, None)
            if t is not None:
                b.latencies.append(now - t)
        b.acked += len(rids)

    def _failed(self, e: dict[str, Any]) -> None:
        for rid in e["records"]:
            self.sent_ms.pop(rid, None)

    def _closed(self, e: dict[str, Any]) -> None:
        batch = e["batch"]
        b = self._bucket(self.sc.now)
        b.batches += 1
        b.batch_bytes += batch.size_bytes
        b.raw += batch.uncompressed_size
        b.wire += batch.size_bytes
        b.ratio_sum += batch.compression_rate
        t = self.totals
        t["raw"] += batch.uncompressed_size
        t["wire"] += batch.size_bytes
        t["batches"] += 1
        t["records"] += batch.record_count
        self._depart(batch.batch_id, partition=batch.partition, records=batch.record_count, bytes=batch.size_bytes,
                     uncompressed=batch.uncompressed_size, ratio=round(batch.compression_rate, 4))

    def _request(self, e: dict[str, Any]) -> None:
        b = self._bucket(self.sc.now)
        b.requests += 1
        b.request_records += sum(records for _, _, records in e["batches"])

    def _ready(self, e: dict[str, Any]) -> None:
        if e.get("attempt", 0) == 0:
            self.reasons[e["reason"]] += 1
            self._depart(e["batch"], t=e["t"], partition=e["partition"], reason=e["reason"])

    def __deepcopy__(self, memo: dict) -> "BatchWatch":
        # sent_ms: record id -> send time, all immutable.
        return deepcopy_with_flat(self, memo, ("sent_ms",))

    def _bucket(self, t: float) -> _Bucket:
        i = int(t // BUCKET_MS)
        b = self.buckets.get(i)
        if b is None:
            b = self.buckets[i] = _Bucket()
            while len(self.buckets) > KEEP_BUCKETS + 2:
                self.buckets.popitem(last=False)
        return b

    def _depart(self, batch_id: int, **fields: Any) -> None:
        entry = self.departed.setdefault(batch_id, {"batch": batch_id})
        entry.update(fields)
        while len(self.departed) > DEPARTED:
            self.departed.popitem(last=False)

    # -- the view ------------------------------------------------------------------------------
    def queued(self) -> list[dict[str, Any]]:
        """Each partition's batches still in the accumulator, oldest first, with their fill and age."""
        p = self.sc.producer
        now = self.sc.now
        out = []
        for part, dq in enumerate(p.accumulator.batches):
            out.append({"partition": part, "batches": [
                {"batch": b.batch_id, "records": len(b.record_ids), "bytes": b.estimated_size(),
                 "age_ms": round(now - b.created_ms, 3), "full": b.is_full()} for b in dq]})
        return out

    def series(self) -> list[list[float]]:
        """Per finished half second: [t_end, records/s acked, avg batch bytes, records/request, p50, p99, ratio]."""
        last = int(self.sc.now // BUCKET_MS)
        rows = []
        cache = self._rows
        for i, b in self.buckets.items():
            if i >= last:
                continue
            row = cache.get(i)
            if row is None:
                row = cache[i] = [round((i + 1) * BUCKET_MS, 3), round(b.acked * 1000.0 / BUCKET_MS, 1),
                                  round(b.batch_bytes / b.batches, 1) if b.batches else 0.0,
                                  round(b.request_records / b.requests, 2) if b.requests else 0.0,
                                  percentile(b.latencies, 50), percentile(b.latencies, 99),
                                  round(b.ratio_sum / b.batches, 4) if b.batches else 1.0]
            rows.append(row)
        for i in [i for i in cache if i not in self.buckets]:
            del cache[i]
        return rows[-KEEP_BUCKETS:]

    def window(self, buckets: int = 4) -> dict[str, float]:
        """The last ``buckets`` finished half seconds together: what the headline numbers show."""
        last = int(self.sc.now // BUCKET_MS)
        if self._window is not None and self._window[0] == last and buckets == 4:
            return self._window[1]
        chosen = [b for i, b in self.buckets.items() if last - buckets <= i < last]
        lat = [x for b in chosen for x in b.latencies]
        batches = sum(b.batches for b in chosen)
        requests = sum(b.requests for b in chosen)
        span = max(len(chosen), 1) * BUCKET_MS / 1000.0
        # ``measured``: at least one half second has finished; before that the page says so instead of 0.
        out = {"measured": bool(chosen), "throughput": round(sum(b.acked for b in chosen) / span, 1),
               "batch_size_avg": round(sum(b.batch_bytes for b in chosen) / batches, 1) if batches else 0.0,
               "records_per_request": round(sum(b.request_records for b in chosen) / requests, 2) if requests else 0.0,
               "p50": percentile(lat, 50), "p99": percentile(lat, 99),
               "wire_per_sec": round(sum(b.wire for b in chosen) / span, 1),
               "ratio": round(sum(b.ratio_sum for b in chosen) / batches, 4) if batches else 1.0}
        if buckets == 4:
            self._window = (last, out)
        return out

    def __call__(self, exact: bool = False) -> dict[str, Any]:
        """The lab's part of a frame; always exact here (``exact``: see Lab.view)."""
        cfg = self.sc.producer.cfg
        return {"config": {k: cfg[k] for k in ("batch.size", "linger.ms", "compression.type")},
                "partitions": self.queued(), "departed": list(self.departed.values()), "reasons": dict(self.reasons),
                "window": self.window(), "series": self.series(), "totals": dict(self.totals)}


BATCHING = Lab(
    name="batching",
    title="linger.ms, batch.size and the batches they make",
    base_spec={
        "cluster": {"brokers": 3, "latency_ms": 2.0},
        "topic": {"name": "orders", "partitions": 3, "replication.factor": 1},
        "producer": {"acks": "all"},
        "workload": {"records_per_sec": 500, "keys": 60, "value": "json", "value_bytes": 100},
        "duration_ms": 600_000,
        "settle_ms": 0,
        # The page draws batches, not single records: per-record events would only cost time.
        "trace": {"records": False},
    },
    settings=(
        Setting("linger.ms", Scope.PRODUCER, "linger.ms (ms)", low=0, high=100),
        Setting("batch.size", Scope.PRODUCER, "batch.size (bytes)", choices=BATCH_SIZES),
    ),
    preset={"linger.ms": 5, "batch.size": "16384"},
    seed=11,
    faults=("flush",),
    speed=0.02,
    view=BatchWatch,
)
