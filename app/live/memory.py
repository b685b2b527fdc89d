"""What a lab session's run holds in memory, estimated from counts the simulator already keeps.

Not a Kafka class. A session's run grows as it goes: every record sent stays in the ledger,
every batch written stays in its leader's log (a lab keeps 7 days of retention, as Kafka's
default does, so nothing is deleted in a 10-minute run). The server gives each session a
memory budget and ends its run when the estimate reaches it (app/live/session.py), and
derives how many sessions it runs at once from the same budget (app/settings.py), so the
estimate must be cheap (it is read once a wall second) and near the truth.

The figures are Python's, measured with tracemalloc and the process's resident size over
the producer labs at 10, 20 and 30% of their runs (fitted on resident size: 51 bytes a
record and 470 a log entry; tracemalloc sees 0.5 MB to start, the labs' views add a few
dozen bytes a record); tests/live/test_memory.py holds the estimate to tracemalloc.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

if TYPE_CHECKING:
    from app.sim import Scenario

#: A record sent: its line in the ledger (app/sim/ledger.py), its id in its batch's list, and what a lab's
#: view keeps of it (the batching and throughput labs' latency samples).
BYTES_PER_RECORD = 64
#: A batch in a leader's log: its LogEntry (slotted) and its record-id list; replicas share the object.
BYTES_PER_ENTRY = 480
#: A scenario before its first record: the cluster, its clients, the lab's view.
BASE_BYTES = 512 << 10
#: A checkpoint (a copy of the run) shares the logs' entries with the run, so it costs its own
#: cluster and clients and the ledger's lines (measured: 8 to 120 bytes a record, 0.3-0.6 MB to start).
COPY_BASE_BYTES = 512 << 10
COPY_BYTES_PER_RECORD = 24


def held(sc: "Scenario") -> tuple[int, int, int]:
    """Records sent, batches in the logs and the logs' bytes when they are kept (the largest replica of
    each partition: followers share the leader's objects), read from counts the logs keep."""
    entries: dict[object, int] = {}
    size: dict[object, int] = {}
    for broker in sc.cluster.brokers.values():
        for tp, replica in broker.replicas.items():
            log = replica.log
            if len(log.entries) >= entries.get(tp, 0):
                entries[tp] = len(log.entries)
                size[tp] = log.size_bytes if sc.keep_log_bytes else 0
    return len(sc.ledger.state), sum(entries.values()), sum(size.values())


def run_bytes(scenarios: Iterable["Scenario"]) -> int:
    """The estimated memory of a run made of these scenarios (a lab's own and its view's)."""
    total = 0
    for sc in scenarios:
        records, entries, data = held(sc)
        total += BASE_BYTES + records * BYTES_PER_RECORD + entries * BYTES_PER_ENTRY + data
    return total


def copy_bytes(records: int) -> int:
    """The estimated memory of one checkpoint of a run that had sent ``records``."""
    return COPY_BASE_BYTES + records * COPY_BYTES_PER_RECORD
