"""Every record followed from send() to the committed log, so a lesson can say what happened.

Not a Kafka class: it is the auditor a real cluster lacks. ``acked``: the producer
got a success; ``failed``: it got an error (by Kafka's name); ``lost``: acked but in
no part of its partition leader's log any more, by a failure (cut off by truncation, or
left on a replica that lost the election); ``deleted`` and ``compacted``: records no
longer in the leader's log because retention deleted their segment, or the log cleaner
removed them (a newer record of their key, or an expired tombstone), on some replica:
gone as the topic's configs say, not lost; ``duplicated``: in the committed log (below
the high watermark) more than once; ``reordered``: placed in the committed log after a
record of the same key that was sent later (first appearances only: a repeat is a duplicate).

Why ``lost`` reads the whole leader log, not only what is below the high watermark: the
audit also runs mid-run, in the labs. There a record acked under acks=1 that followers
have not fetched yet, or one a newly elected leader holds while its high watermark
catches up a fetch later, is not lost: Kafka keeps it. Once a run has settled the two
views agree.
"""

from __future__ import annotations

from collections import Counter
from itertools import chain, compress, islice
from operator import lt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from app.sim.copying import deepcopy_with_flat
from app.sim.log_reader import leader_log
from app.sim.topic import INTERNAL_TOPICS

if TYPE_CHECKING:
    from app.sim.cluster import Cluster
    from app.sim.partition import TopicPartition

ACKED, FAILED = 2, 3


class Ledger:
    def __init__(self) -> None:
        self.state = bytearray()
        self.keys: list[bytes | None] = []
        self.failures: dict[int, str] = {}

    def __deepcopy__(self, memo: dict) -> "Ledger":
        # A lab's checkpoint copies the run: the tables hold only immutable items (bytes keys).
        return deepcopy_with_flat(self, memo, ("state", "keys", "failures"))

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
    def leader_logs(cluster: "Cluster") -> dict["TopicPartition", Any]:
        """Each partition's leader log (the last ISR member's when the partition is offline), internal topics left out."""
        out: dict["TopicPartition", Any] = {}
        for s in cluster.controller.partitions:
            if s.topic in INTERNAL_TOPICS:
                continue
            out[s.tp] = leader_log(cluster, s)
        return out

    def committed_logs(self, cluster: "Cluster") -> dict["TopicPartition", list]:
        """Each partition's committed batches: the leader's log below its high watermark."""
        return {p: log.committed() for p, log in self.leader_logs(cluster).items()}

    def summary(self, cluster: "Cluster", unsent: int = 0) -> dict[str, Any]:
        """The audit; ``unsent`` records are still queued in the application behind a blocked send()."""
        n = len(self.state)
        st = self.state
        logs = self.leader_logs(cluster).values()
        # Per partition: the record ids of the whole leader log, and how many of them are committed.
        rids = [list(chain.from_iterable(e.record_ids for e in log.live_entries())) for log in logs]
        committed = [sum(len(e.record_ids) for e in log.committed()) for log in logs]
        total = sum(map(len, rids))
        held = set(chain.from_iterable(rids))
        if len(held) == total and _strictly_increasing(rids):
            # The common case, in C-level passes: each log holds its ids in send order and no
            # id twice, so nothing is duplicated or reordered and the committed count is a sum.
            in_log = sum(committed)
            duplicated = 0
            reordered: set[int] = set()
        else:
            in_log, duplicated, reordered = self._audit([r[:c] for r, c in zip(rids, committed)])
        acked = st.count(ACKED)
        acked_held = bytes(map(st.__getitem__, held)).count(ACKED)
        deleted, compacted, acked_removed = removed_records(cluster, held.__contains__, st)
        out = {
            "sent": n - unsent,
            "acked": acked,
            "failed": dict(sorted(Counter(self.failures.values()).items())),
            "pending": st.count(0) - unsent,
            "unsent": unsent,
            "lost": acked - acked_held - acked_removed,
            "duplicated": duplicated,
            "reordered": len(reordered),
            "in_log": in_log,
        }
        if deleted or compacted:
            out["deleted"] = deleted
            out["compacted"] = compacted
        return out

    def _audit(self, committed: list[list[int]]) -> tuple[int, int, set[int]]:
        """The general audit, record by record, over each partition's committed record ids:
        (in_log, duplicated, reordered ids)."""
        seen = bytearray(len(self.state))
        duplicated = in_log = 0
        reordered: set[int] = set()
        keys = self.keys
        for rids in committed:
            newest: dict[bytes | None, int] = {}
            for rid in rids:
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


def removed_records(cluster: "Cluster", is_held: Callable[[int], Any], state: bytearray) -> tuple[int, int, int]:
    """Records no leader log holds (``is_held`` says which it does) that retention (``deleted``) or the
    cleaner (``compacted``) took out of some replica's log, and how many of them were acked: (deleted,
    compacted, acked among them). C-level passes over each broker's ``removed`` table; nothing at all when
    no broker removed a record."""
    tables = [b.log_manager.removed for b in cluster.brokers.values() if b.log_manager.removed]
    if not tables:
        return 0, 0, 0
    width = max(map(len, tables))
    merged = bytearray(width)
    for table in tables:
        # A record retention took from one replica and the cleaner from another counts as compacted.
        merged = bytearray(map(max, merged, table.ljust(width, b"\0")))
    gone = [i for i in compress(range(width), merged) if not is_held(i)]
    reasons = bytes(map(merged.__getitem__, gone))
    acked = bytes(map(state.__getitem__, gone)).count(ACKED)
    return reasons.count(1), reasons.count(2), acked


def _strictly_increasing(per_partition: list[list[int]]) -> bool:
    """Every partition's record ids in send order, none twice (one C-level pass each)."""
    return all(all(map(lt, rids, islice(rids, 1, None))) for rids in per_partition)
