"""The ledger's audit kept up to date as the logs grow: what ``Ledger.summary`` says, at the cost of what changed.

Not a Kafka class. ``Ledger.summary`` walks every record of every leader log; a lab asks for it
several times a second, so late in a long run that walk was most of what a session cost. This
audit reads each partition's leader log from where it stopped (app/sim/log_reader.py) and counts
as it goes: records held by a leader log (for ``lost``), and the committed records in offset order
(``in_log``, ``duplicated``, ``reordered``, as ``Ledger._audit`` counts them). When any log changed
other than by an append (an election, a truncation, retention, the cleaner) it starts over once,
from the first batch, and counts up to now again. tests/sim/test_ledger_audit.py holds it to
``Ledger.summary`` at every step of runs with faults of every kind.
"""

from __future__ import annotations

from collections import Counter
from itertools import chain
from typing import TYPE_CHECKING, Any

from app.sim.ledger import ACKED, removed_records
from app.sim.log_reader import LeaderLogReader
from app.sim.topic import INTERNAL_TOPICS

if TYPE_CHECKING:
    from app.sim.cluster import Cluster
    from app.sim.ledger import Ledger
    from app.sim.partition import TopicPartition


class LedgerAudit:
    def __init__(self, ledger: "Ledger", cluster: "Cluster") -> None:
        self.ledger = ledger
        self.cluster = cluster
        self._start_over()

    def _start_over(self) -> None:
        self.partitions: list["TopicPartition"] = []
        self._live: list[LeaderLogReader] = []
        self._committed: list[LeaderLogReader] = []
        #: per record: 1 once a leader log holds it
        self.held = bytearray()
        self.acked_held = 0
        #: held records not acked when last looked at (in flight): looked at again next time
        self.waiting: list[int] = []
        #: per record: how many times the committed logs hold it (up to 255), as Ledger._audit counts
        self.seen = bytearray()
        #: per partition: the newest record id committed for each key
        self.newest: list[dict[bytes | None, int]] = []
        self.in_log = self.duplicated = self.reordered = 0
        #: nothing counted yet: the readers' first reads are the whole logs
        self.fresh = True

    def summary(self, unsent: int = 0) -> dict[str, Any]:
        """``Ledger.summary(cluster, unsent)``, from what arrived since the last call."""
        tps = [s.tp for s in self.cluster.controller.partitions if s.topic not in INTERNAL_TOPICS]
        if tps != self.partitions:
            self._start_over()
            self.partitions = tps
            self._live = [LeaderLogReader(self.cluster, tp, committed=False) for tp in tps]
            self._committed = [LeaderLogReader(self.cluster, tp, committed=True) for tp in tps]
            self.newest = [{} for _ in tps]
        live = [r.read() for r in self._live]
        committed = [r.read() for r in self._committed]
        if not self.fresh and any(r.restarted for r in chain(live, committed)):
            # A log changed under one of the readers: count everything again from the first batches.
            self.partitions = []
            return self.summary(unsent)
        self.fresh = False
        st = self.ledger.state
        n = len(st)
        grow = n - len(self.held)
        if grow > 0:
            self.held.extend(bytes(grow))
            self.seen.extend(bytes(grow))
        self._hold(st, live)
        for newest, read in zip(self.newest, committed):
            self._commit(newest, read.entries)
        acked = st.count(ACKED)
        held = self.held
        deleted, compacted, acked_removed = removed_records(self.cluster, lambda rid: rid < n and held[rid], st)
        out = {
            "sent": n - unsent,
            "acked": acked,
            "failed": dict(sorted(Counter(self.ledger.failures.values()).items())),
            "pending": st.count(0) - unsent,
            "unsent": unsent,
            "lost": acked - self.acked_held - acked_removed,
            "duplicated": self.duplicated,
            "reordered": self.reordered,
            "in_log": self.in_log,
        }
        if deleted or compacted:
            out["deleted"] = deleted
            out["compacted"] = compacted
        return out

    def _hold(self, st: bytearray, reads: list[Any]) -> None:
        """Records the leader logs took since the last look, and acks of the ones that were in flight then."""
        held = self.held
        waiting = []
        for rid in self.waiting:
            if st[rid] == ACKED:
                self.acked_held += 1
            else:
                waiting.append(rid)
        for read in reads:
            for e in read.entries:
                for rid in e.record_ids:
                    if held[rid]:
                        continue
                    held[rid] = 1
                    if st[rid] == ACKED:
                        self.acked_held += 1
                    else:
                        waiting.append(rid)
        self.waiting = waiting

    def _commit(self, newest: dict[bytes | None, int], entries: list[Any]) -> None:
        """Ledger._audit over the batches committed since the last look, carried on from where it stopped."""
        seen = self.seen
        keys = self.ledger.keys
        for e in entries:
            for rid in e.record_ids:
                c = seen[rid]
                if c:
                    # A repeat is counted as a duplicate, not again as a reordering.
                    if c == 1:
                        self.duplicated += 1
                    if c < 255:
                        seen[rid] = c + 1
                    continue
                seen[rid] = 1
                self.in_log += 1
                k = keys[rid]
                if k is None:
                    continue
                top = newest.get(k, -1)
                if rid < top:
                    self.reordered += 1
                else:
                    newest[k] = rid
