"""The retries lab: max.in.flight.requests.per.connection, retries and transient errors reorder a partition.

One partition (replication factor 3), so one leader and one log to read in offset order.
The producer sits 50 ms from every broker while the brokers are 5 ms apart: a round
trip takes about 100 ms, and at 40 records a second the producer has several requests
in flight when a fault hits. The fault buttons make the leader answer its next two
batches with a retriable error (NOT_ENOUGH_REPLICAS or NOT_LEADER_OR_FOLLOWER) without
appending them, or lose its next response (``app.sim.control.produce_fault``). The
batches already in flight behind a rejected one are appended first, and its retry
lands after them: with in-flight 5 a consumer sees that key's records out of order;
with in-flight 1 the partition is muted while a batch is out, so nothing overtakes it.

enable.idempotence is **off** in this lab's preset (Kafka's default has been true
since 3.0.1, 3.1.1 and 3.2.0, KAFKA-13598): the lab shows the hazard idempotence was made to remove. Turn it on and
the leader refuses the batches that overtake (OUT_OF_ORDER_SEQUENCE_NUMBER) until the
retried one is in, so the order holds with five in flight. request.timeout.ms is
1500 ms (Kafka's default is 30000) so a lost response is retried within seconds.

``LogWatch`` is the lab's view (``frame["lab"]``): the consumer's view of the partition
(its committed records in offset order, keyed), each record marked when it is
reordered (placed after a record of its key that was sent later, as the ledger counts
it) or a duplicate, and each batch with the attempts it took, its producer id, epoch
and sequence numbers. It observes the scenario in place and changes nothing.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from app.live.labs import Lab, Scope, Setting
from app.sim import Scenario
from app.sim.log_reader import LeaderLogReader
from app.sim.partition import TopicPartition

#: Records and batches of the log's tail the page draws; flagged records kept for the list.
TAIL_RECORDS = 48
TAIL_BATCHES = 10
FLAGGED = 24
#: Records shown on each side of the latest flagged one.
AROUND = 6
#: Broker answers the page lists (duplicate.rejected, errors, lost responses).
ANSWERS = 12
_WATCHED = frozenset({"duplicate.rejected", "response.dropped", "produce.error", "record.retried", "request.timeout"})


class LogWatch:
    """Watches one Scenario's partition 0 as a consumer would read it, plus the attempts each batch took."""

    def __init__(self, sc: Scenario) -> None:
        self.sc = sc
        #: first record id of a batch -> the attempts it has taken (1 = sent once).
        self.attempts: dict[int, int] = {}
        self.answers: deque[dict[str, Any]] = deque(maxlen=ANSWERS)
        self.counts = {"duplicate.rejected": 0, "response.dropped": 0, "retried_batches": 0}
        # Bound methods, not closures: a checkpoint deep-copies the scenario and this view together.
        sc.trace.subscribe(("batch.drained",), self._drained)
        sc.trace.subscribe(_WATCHED, self._traced)
        #: the partition read as it grows: a frame costs what arrived since the last one
        self.reader = LeaderLogReader(sc.cluster, TopicPartition(sc.spec["topic"]["name"], 0), committed=True)
        self._restart()

    def _drained(self, e: dict[str, Any]) -> None:
        batch = e["batch"]
        if batch.record_ids:
            self.attempts[batch.record_ids[0]] = batch.attempts + 1
            if batch.attempts == 1:
                self.counts["retried_batches"] += 1

    def _traced(self, e: dict[str, Any]) -> None:
        kind = e["kind"]
        if e.get("partition", 0) == 0:
            if kind in self.counts:
                self.counts[kind] += 1
            if kind == "produce.error" and e.get("side") != "broker":
                return  # the client's side of the same error: record.retried tells the rest
            self.answers.append(dict(e))

    def _restart(self) -> None:
        """Forget what was read: the next read takes the log from its first batch (an election, a truncation)."""
        self.seen: set[int] = set()
        self.newest: dict[Any, int] = {}
        self.records: deque[dict[str, Any]] = deque(maxlen=TAIL_RECORDS)
        self.batches: deque[dict[str, Any]] = deque(maxlen=TAIL_BATCHES)
        self.flagged: deque[dict[str, Any]] = deque(maxlen=FLAGGED)
        self.reordered_keys: dict[str, list[int]] = {}
        # The latest flagged record with the records around it, so the page can show it in context.
        self.before: deque[dict[str, Any]] = deque(maxlen=AROUND)
        self.around: list[dict[str, Any]] = []
        self.after = 0
        self.flagged_total = 0

    def _read(self) -> None:
        """The committed batches of partition 0 that arrived since the last frame, flagged as the ledger flags
        them (what a consumer reads, in offset order). A batch's attempts are filled in when a frame is made:
        a duplicate's first copy learns of the retry after it was read."""
        read = self.reader.read()
        if read.restarted:
            self._restart()
        keys = self.sc.ledger.keys
        seen, newest, records = self.seen, self.newest, self.records
        for e in read.entries:
            first = e.record_ids[0] if e.record_ids else None
            dups = 0
            for i, rid in enumerate(e.record_ids):
                k = keys[rid]
                key = k.decode("latin-1") if k is not None else None
                rec = {"offset": e.base_offset + i, "record": rid, "key": key, "batch": e.base_offset, "_first": first,
                       "sequence": e.base_sequence + i if e.base_sequence >= 0 else -1,
                       "duplicate": rid in seen, "reordered": False}
                if rec["duplicate"]:
                    dups += 1
                    rec["first_offset"] = next((r["offset"] for r in records if r["record"] == rid and not r["duplicate"]), None)
                else:
                    seen.add(rid)
                    top = newest.get(k, -1)
                    if k is not None and rid < top:
                        rec["reordered"] = True
                        rec["after"] = top
                        self.reordered_keys.setdefault(key, []).append(rec["offset"])
                    elif rid > top:
                        newest[k] = rid
                records.append(rec)
                if rec["duplicate"] or rec["reordered"]:
                    self.flagged_total += 1
                    self.flagged.append(rec)
                    self.around, self.after = [*self.before, rec], AROUND
                elif self.after:
                    self.around.append(rec)
                    self.after -= 1
                self.before.append(rec)
            self.batches.append({"base_offset": e.base_offset, "last_offset": e.last_offset, "records": len(e.record_ids),
                                 "first_record": first if first is not None else -1, "_first": first,
                                 "producer_id": e.producer_id, "producer_epoch": e.producer_epoch,
                                 "base_sequence": e.base_sequence,
                                 "last_sequence": e.base_sequence + len(e.record_ids) - 1 if e.base_sequence >= 0 else -1,
                                 "duplicates": dups})

    def _shown(self, items: Any) -> list[dict[str, Any]]:
        """Records or batches as the page gets them: with the attempts their batch has taken by now."""
        out = []
        for item in items:
            shown = dict(item)
            first = shown.pop("_first")
            shown["attempts"] = self.attempts.get(first, 1) if first is not None else 1
            out.append(shown)
        return out

    def __call__(self, exact: bool = False) -> dict[str, Any]:
        """The lab's part of a frame; always exact here (``exact``: see Lab.view)."""
        sc = self.sc
        p = sc.producer
        self._read()
        view = sc.partition_view()[0]
        leader = view["leader"]
        leo = view["logs"][str(leader)]["leo"] if leader >= 0 else 0
        cfg = p.cfg
        return {
            "partition": 0, "leader": leader, "hw": view["logs"][str(leader)]["hw"] if leader >= 0 else 0, "leo": leo,
            "records": self._shown(self.records), "around": self._shown(self.around), "batches": self._shown(self.batches),
            "flagged": self._shown(self.flagged), "flagged_total": self.flagged_total,
            "reordered_keys": {k: list(v) for k, v in self.reordered_keys.items()},
            "answers": list(self.answers), "counts": dict(self.counts),
            "producer": {"producer_id": p.producer_id, "producer_epoch": p.producer_epoch, "idempotent": p.idempotent,
                         "next_sequence": p.next_sequence[0] if p.idempotent else -1,
                         "in_flight": p.sender.in_flight_count(),
                         "config": {k: cfg[k] for k in ("acks", "enable.idempotence", "max.in.flight.requests.per.connection",
                                                        "retries", "delivery.timeout.ms", "retry.backoff.ms",
                                                        "request.timeout.ms")}},
        }


#: The producer 50 ms from each broker, the brokers 5 ms apart (see the docstring).
PRODUCER_LINKS = [{"from": "producer", "to": b, "latency_ms": 50.0} for b in range(3)]
FAULTS = ("error_not_enough_replicas", "error_not_leader_or_follower", "drop_responses")

RETRIES = Lab(
    name="retries",
    title="retries, max.in.flight and the order of a partition",
    base_spec={
        "cluster": {"brokers": 3, "latency_ms": 5.0},
        "network": {"links": PRODUCER_LINKS},
        "topic": {"name": "orders", "partitions": 1, "replication.factor": 3},
        "producer": {"acks": "all", "linger.ms": 5, "request.timeout.ms": 1500},
        "workload": {"records_per_sec": 40, "keys": 6, "value": "json", "value_bytes": 40},
        "duration_ms": 600_000,
        "settle_ms": 0,
    },
    settings=(
        Setting("max.in.flight.requests.per.connection", Scope.PRODUCER, "max.in.flight.requests.per.connection", low=1, high=5),
        Setting("retries", Scope.PRODUCER, "retries", choices=("0", "1", "3", "2147483647")),
        Setting("retry.backoff.ms", Scope.PRODUCER, "retry.backoff.ms", choices=("10", "100", "500", "1000")),
        Setting("delivery.timeout.ms", Scope.PRODUCER, "delivery.timeout.ms",
                choices=("1600", "3000", "10000", "30000", "120000")),
        Setting("enable.idempotence", Scope.PRODUCER, "enable.idempotence", choices=("false", "true")),
    ),
    preset={"max.in.flight.requests.per.connection": 5, "retries": "2147483647", "retry.backoff.ms": "100",
            "delivery.timeout.ms": "30000", "enable.idempotence": "false"},
    seed=3,
    faults=FAULTS,
    speed=0.1,
    view=LogWatch,
)
