"""A replica's log: record batches with offsets, log end offset, high watermark, epochs.

Models ``kafka.log.UnifiedLog`` with its ``LeaderEpochFileCache`` and producer
state (``ProducerStateManager``); leaves out segments, indexes, retention,
compaction and the disk: batches are kept in memory as the bytes the leader wrote (or,
when the scenario is told nobody will read them back, as their sizes only: ``keep_log_bytes``).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from operator import attrgetter

#: Kafka keeps the metadata of the last 5 batches per producer for de-duplication
#: (ProducerStateEntry.NUM_BATCHES_TO_RETAIN), which is why in-flight is capped at 5.
NUM_BATCHES_TO_RETAIN = 5

#: The bisection key of ``Log.read``: a C-level getter, so the whole search runs in C.
_last_offset = attrgetter("last_offset")


@dataclass(eq=False, slots=True)
class LogEntry:
    """One record batch as stored: the same object is shared by every replica that copied it."""

    base_offset: int
    last_offset: int
    epoch: int
    #: The batch as the leader wrote it; None when the scenario keeps sizes only (Scenario.keep_log_bytes).
    data: bytes | None
    record_ids: list[int]
    producer_id: int = -1
    producer_epoch: int = -1
    base_sequence: int = -1
    append_ms: float = 0.0
    #: The batch's size in bytes (len(data) when data is kept)
    size: int = -1
    #: What a coordinator wrote in an internal topic (__consumer_offsets): its records as (key, value) pairs,
    #: read back by the coordinator that takes over the partition; None in user topics.
    kv: list | None = None

    def __post_init__(self) -> None:
        if self.size < 0:
            self.size = len(self.data) if self.data is not None else 0

    @property
    def count(self) -> int:
        return self.last_offset - self.base_offset + 1

    def __deepcopy__(self, memo: dict) -> "LogEntry":
        # Never changed once written: a copy of a run (a lab's checkpoint) shares it, as replicas do.
        return self

    @property
    def last_sequence(self) -> int:
        return self.base_sequence + self.count - 1


@dataclass(slots=True)
class Log:
    """Batches in offset order; ``log_end_offset`` is the next offset to write."""

    entries: list[LogEntry] = field(default_factory=list)
    log_end_offset: int = 0
    high_watermark: int = 0
    # (leader epoch, start offset), increasing: the LeaderEpochFileCache (KIP-101).
    epochs: list[tuple[int, int]] = field(default_factory=list)
    # producer id -> last batches (base_seq, last_seq, base_offset, last_offset, producer_epoch)
    producers: dict[int, list[tuple[int, int, int, int, int]]] = field(default_factory=dict)
    size_bytes: int = 0

    def append(self, entry: LogEntry) -> None:
        if entry.base_offset != self.log_end_offset:
            raise ValueError(f"offsets must be contiguous: expected {self.log_end_offset}, got {entry.base_offset}")
        self.entries.append(entry)
        self.log_end_offset = entry.last_offset + 1
        self.size_bytes += entry.size
        epochs = self.epochs
        if not epochs or epochs[-1][0] < entry.epoch:
            epochs.append((entry.epoch, entry.base_offset))
        if entry.producer_id >= 0:
            self._remember(entry)

    def _remember(self, e: LogEntry) -> None:
        hist = self.producers.get(e.producer_id)
        if hist is None:
            hist = self.producers[e.producer_id] = []
        elif hist[-1][4] != e.producer_epoch:
            # A new epoch starts its sequences again at 0: the old epoch's batches are no
            # longer duplicates of anything (ProducerStateEntry.maybeUpdateProducerEpoch).
            hist.clear()
        base, last = e.base_offset, e.last_offset
        # e.last_sequence, without its two property calls.
        hist.append((e.base_sequence, e.base_sequence + last - base, base, last, e.producer_epoch))
        if len(hist) > NUM_BATCHES_TO_RETAIN:
            del hist[0]

    def assign_epoch(self, epoch: int) -> None:
        """A new leader starts ``epoch`` at its log end offset."""
        if not self.epochs or self.epochs[-1][0] < epoch:
            self.epochs.append((epoch, self.log_end_offset))

    def end_offset_for_epoch(self, epoch: int) -> int:
        """The OffsetsForLeaderEpoch answer: where ``epoch`` ended in this log (KIP-101)."""
        starts = [e for e, _ in self.epochs]
        i = bisect_right(starts, epoch)
        return self.epochs[i][1] if i < len(self.epochs) else self.log_end_offset

    def truncate_to(self, offset: int) -> list[LogEntry]:
        """Drop every batch at or after ``offset``; returns the dropped batches."""
        if offset >= self.log_end_offset:
            return []
        i = len(self.entries)
        while i > 0 and self.entries[i - 1].base_offset >= offset:
            i -= 1
        if i > 0 and self.entries[i - 1].last_offset >= offset:
            i -= 1  # a batch is never split: truncate to its start
        dropped = self.entries[i:]
        del self.entries[i:]
        self.log_end_offset = self.entries[-1].last_offset + 1 if self.entries else 0
        self.size_bytes -= sum(e.size for e in dropped)
        self.high_watermark = min(self.high_watermark, self.log_end_offset)
        # LeaderEpochFileCache.truncateFromEnd: epochs that start at or past the new end go.
        while self.epochs and self.epochs[-1][1] >= self.log_end_offset and self.log_end_offset > 0:
            self.epochs.pop()
        if self.log_end_offset == 0:
            self.epochs.clear()
        self._rebuild_producers()
        return dropped

    def _rebuild_producers(self) -> None:
        self.producers = {}
        for e in self.entries[-NUM_BATCHES_TO_RETAIN * 64:]:
            if e.producer_id >= 0:
                self._remember(e)

    def read(self, offset: int, max_bytes: int) -> list[LogEntry]:
        """Batches from ``offset`` up to ``max_bytes`` (at least one batch), as a fetch reads them."""
        entries = self.entries
        if offset >= self.log_end_offset or not entries:
            return []
        # The first batch that ends at or after ``offset`` (a fetch offset may fall inside a batch).
        lo = bisect_left(entries, offset, key=_last_offset)
        out: list[LogEntry] = []
        size = 0
        for i in range(lo, len(entries)):  # no copy of the log's tail: a fetch stops after max_bytes
            e = entries[i]
            n = e.size
            if out and size + n > max_bytes:
                break
            out.append(e)
            size += n
        return out

    def committed(self) -> list[LogEntry]:
        """The batches below the high watermark: what a consumer can read."""
        hw = self.high_watermark
        return [e for e in self.entries if e.last_offset < hw]
