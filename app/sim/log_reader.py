"""A partition's leader log read as it grows: each read returns only the batches that arrived since the last.

Not a Kafka class: the seam an audit uses (the ledger, a lab's view of a log) so that what it
costs follows what happened since it last looked, not the length of the run. A reader holds
its place (an index into the leader's batches) while that place stays valid: the same leader,
in the same leader epoch, with a log that has only been appended to (``Log.mutations``
unchanged) and a high watermark that has not gone back. Anything else (an election, a
truncation, retention, the cleaner) makes the next read start over from the first batch and
say so, and the reader's owner rebuilds what it had counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.sim.cluster import Cluster
    from app.sim.log import Log, LogEntry
    from app.sim.partition import PartitionState, TopicPartition


def leader_log(cluster: "Cluster", s: "PartitionState") -> "Log":
    """The partition's leader log (the first ISR member's, or the first replica's, while it is offline)."""
    holder = s.leader if s.leader >= 0 else (s.isr[0] if s.isr else s.replicas[0])
    return cluster.brokers[holder].replicas[s.tp].log


@dataclass(slots=True)
class Read:
    """What arrived since the last read; ``restarted``: the reader started over, ``entries`` is the whole log."""

    restarted: bool
    entries: list["LogEntry"]


class LeaderLogReader:
    """One partition's leader log, read from where the last read stopped. ``committed``: only the batches
    below the high watermark (what a consumer may read); otherwise every batch at or after the log start."""

    def __init__(self, cluster: "Cluster", tp: "TopicPartition", committed: bool) -> None:
        self.cluster = cluster
        self.tp = tp
        self.committed = committed
        self._log: "Log | None" = None
        self._key: tuple[int, int, int] | None = None
        self._next = 0

    def read(self) -> Read:
        state = self.cluster.controller.partition(self.tp.topic, self.tp.partition)
        if state is None:  # the topic was deleted
            self._log = self._key = None
            return Read(True, [])
        log = leader_log(self.cluster, state)
        key = (state.leader, state.leader_epoch, log.mutations)
        entries = log.entries
        restarted = log is not self._log or key != self._key or self._next > len(entries) or (
            # Not seen in a leader's log, but cheap to rule out: a leader's high watermark never goes back.
            self.committed and self._next and entries[self._next - 1].last_offset >= log.high_watermark)
        if restarted:
            self._log, self._key = log, key
            first = _first_live(log)
        else:
            first = self._next
        end = len(entries)
        if self.committed:
            hw = log.high_watermark
            while end > first and entries[end - 1].last_offset >= hw:
                end -= 1
        self._next = end
        return Read(restarted, entries[first:end])


def _first_live(log: "Log") -> int:
    """The index of the first batch at or after the log start offset."""
    entries = log.entries
    start = log.log_start_offset
    i = 0
    while i < len(entries) and entries[i].last_offset < start:
        i += 1
    return i
