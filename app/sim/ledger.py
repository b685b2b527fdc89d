"""Every record followed from send() to the committed log, so a lesson can say what happened.

Not a Kafka class: it is the auditor a real cluster lacks. ``acked``: the producer
got a success; ``failed``: it got an error (by Kafka's name); ``lost``: acked but
not in the committed log (below the high watermark) at the end; ``duplicated``: in
the committed log more than once; ``reordered``: placed in the log after a record
of the same key that was sent later (first appearances only: a repeat is a duplicate).
"""

from __future__ import annotations

from collections import Counter
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

    def committed_logs(self, cluster: "Cluster") -> dict[int, list]:
        """Each partition's committed batches: the leader's log below its HW (the last ISR member's when offline)."""
        out = {}
        for s in cluster.controller.partitions:
            holder = s.leader if s.leader >= 0 else (s.isr[0] if s.isr else s.replicas[0])
            out[s.partition] = cluster.brokers[holder].replicas[s.partition].log.committed()
        return out

    def summary(self, cluster: "Cluster", unsent: int = 0) -> dict[str, Any]:
        """The audit; ``unsent`` records are still queued in the application behind a blocked send()."""
        n = len(self.state)
        st = self.state
        seen = bytearray(n)
        duplicated = in_log = acked_in_log = 0
        reordered: set[int] = set()
        keys = self.keys
        for entries in self.committed_logs(cluster).values():
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
                    if st[rid] == ACKED:
                        acked_in_log += 1
                    k = keys[rid]
                    if k is None:
                        continue
                    top = newest.get(k, -1)
                    if rid < top:
                        reordered.add(rid)
                    else:
                        newest[k] = rid
        acked = st.count(ACKED)
        return {
            "sent": n - unsent,
            "acked": acked,
            "failed": dict(sorted(Counter(self.failures.values()).items())),
            "pending": st.count(0) - unsent,
            "unsent": unsent,
            "lost": acked - acked_in_log,
            "duplicated": duplicated,
            "reordered": len(reordered),
            "in_log": in_log,
        }
