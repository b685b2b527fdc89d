"""Every record followed from send() to the committed log, so a lesson can say what happened.

Not a Kafka class: it is the auditor a real cluster lacks. ``acked``: the producer
got a success; ``failed``: it got an error (by Kafka's name); ``lost``: acked but in
no part of its partition leader's log any more (cut off by truncation, or left on a
replica that lost the election); ``duplicated``: in the committed log (below the high
watermark) more than once; ``reordered``: placed in the committed log after a record of
the same key that was sent later (first appearances only: a repeat is a duplicate).

Why ``lost`` reads the whole leader log, not only what is below the high watermark: the
audit also runs mid-run, in the labs. There a record acked under acks=1 that followers
have not fetched yet, or one a newly elected leader holds while its high watermark
catches up a fetch later, is not lost: Kafka keeps it. Once a run has settled the two
views agree.
"""

from __future__ import annotations

from collections import Counter
from itertools import islice
from operator import lt
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.sim.cluster import Cluster

ACKED, FAILED = 2, 3


class Ledger:
    def __init__(self) -> None:
        self.state = bytearray()
        self.keys: list[bytes | None] = []
        self.failures: dict[int, str] = {}

    def reserve(self, n: int, keys: list[bytes | None] | None = None) -> None:
        """Make room for ``n`` records the application is about to send, with their keys."""
        self.state.extend(bytes(n))
        self.keys.extend(keys if keys is not None else [None] * n)

    def on_sent(self, rid: int, key: bytes | None, partition: int) -> None:
        """Nothing to store: a record the producer took is "sent" unless it still waits in the backlog."""

    def on_acked(self, rids: list[int]) -> None:
        st = self.state
        for rid in rids:
            st[rid] = ACKED

    def on_failed(self, rids: list[int], error: str) -> None:
        for rid in rids:
            self.on_failed_one(rid, error)

    def on_failed_one(self, rid: int, error: str) -> None:
        self.state[rid] = FAILED
        self.failures[rid] = error

    @staticmethod
    def leader_logs(cluster: "Cluster") -> dict[int, Any]:
        """Each partition's leader log (the last ISR member's when the partition is offline)."""
        out = {}
        for s in cluster.controller.partitions:
            holder = s.leader if s.leader >= 0 else (s.isr[0] if s.isr else s.replicas[0])
            out[s.partition] = cluster.brokers[holder].replicas[s.partition].log
        return out

    def committed_logs(self, cluster: "Cluster") -> dict[int, list]:
        """Each partition's committed batches: the leader's log below its high watermark."""
        return {p: log.committed() for p, log in self.leader_logs(cluster).items()}

    def acked_in_leader_logs(self, cluster: "Cluster") -> int:
        """Acked records still somewhere in their leader's log, committed or not."""
        held: set[int] = set()
        for log in self.leader_logs(cluster).values():
            for e in log.entries:
                held.update(e.record_ids)
        return bytes(map(self.state.__getitem__, held)).count(ACKED)

    def summary(self, cluster: "Cluster", unsent: int = 0) -> dict[str, Any]:
        """The audit; ``unsent`` records are still queued in the application behind a blocked send()."""
        n = len(self.state)
        st = self.state
        logs = self.committed_logs(cluster)
        fast = self._audit_in_order(logs)
        if fast is not None:
            in_log = fast
            duplicated = 0
            reordered: set[int] = set()
        else:
            in_log, duplicated, reordered = self._audit(logs)
        acked = st.count(ACKED)
        return {
            "sent": n - unsent,
            "acked": acked,
            "failed": dict(sorted(Counter(self.failures.values()).items())),
            "pending": st.count(0) - unsent,
            "unsent": unsent,
            "lost": acked - self.acked_in_leader_logs(cluster),
            "duplicated": duplicated,
            "reordered": len(reordered),
            "in_log": in_log,
        }

    def _audit_in_order(self, logs: dict[int, list]) -> int | None:
        """Records in the logs when every partition's log holds its record ids in strictly
        increasing order and no id is in two partitions: then nothing is duplicated or
        reordered, and the count comes from C-level passes.  None otherwise."""
        per_partition = []
        total = 0
        for entries in logs.values():
            rids = [rid for e in entries for rid in e.record_ids]
            if not all(map(lt, rids, islice(rids, 1, None))):
                return None
            per_partition.append(rids)
            total += len(rids)
        if len(set().union(*per_partition)) != total:
            return None
        return total

    def _audit(self, logs: dict[int, list]) -> tuple[int, int, set[int]]:
        """The general audit, record by record: (in_log, duplicated, reordered ids)."""
        seen = bytearray(len(self.state))
        duplicated = in_log = 0
        reordered: set[int] = set()
        keys = self.keys
        for entries in logs.values():
            newest: dict[bytes | None, int] = {}
            for e in entries:
                for rid in e.record_ids:
                    c = seen[rid]
                    if c:
                        # A repeat is counted as a duplicate, not again as a reordering.
                        if c == 1:
                            duplicated += 1
                        if c < 255:
                            seen[rid] = c + 1
                        continue
                    seen[rid] = 1
                    in_log += 1
                    k = keys[rid]
                    if k is None:
                        continue
                    top = newest.get(k, -1)
                    if rid < top:
                        reordered.add(rid)
                    else:
                        newest[k] = rid
        return in_log, duplicated, reordered
