"""A replica's log: record batches in segments, log start and end offsets, high watermark, epochs.

Models ``kafka.log.UnifiedLog`` over ``LocalLog``'s segments (``LogSegment``: rolled at
segment.bytes or segment.ms, app/sim/segments.py), with its ``LeaderEpochFileCache`` and
producer state (``ProducerStateManager``). Batches are kept in memory, in one list in
offset order, as the bytes the leader wrote (or, when the scenario is told nobody will read
them back, as their sizes only: ``keep_log_bytes``); a segment is the run of batches from its
base offset to the next one's. Retention and the log cleaner work on whole segments through
``delete_oldest_segments`` and ``replace_segments`` (app/sim/retention.py,
app/sim/log_cleaner.py). Leaves out the disk, the indexes and transactions.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from app.sim.segments import Segment

if TYPE_CHECKING:
    from app.sim.record_index import RecordIndex

#: Kafka keeps the metadata of the last 5 batches per producer for de-duplication
#: (ProducerStateEntry.NUM_BATCHES_TO_RETAIN), which is why in-flight is capped at 5.
NUM_BATCHES_TO_RETAIN = 5

#: The bisection keys of ``Log.read`` and the segment lookups: C-level getters, so a search runs in C.
_last_offset = attrgetter("last_offset")
_base_offset = attrgetter("base_offset")


@dataclass(eq=False, slots=True)
class LogEntry:
    """One record batch as stored: the same object is shared by every replica that copied it
    (the log cleaner of a replica writes new objects for the batches it rewrites)."""

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
    #: The batch header's maxTimestamp: segments roll and are deleted by it.
    max_timestamp: int = -1
    #: Its records' keys, timestamps and null values, on a compacted topic (app/sim/record_index.py).
    index: "RecordIndex | None" = None
    #: The delete horizon the cleaner stamped on a batch holding tombstones (KIP-534), or -1.
    delete_horizon: int = -1
    #: What a coordinator wrote in an internal topic (__consumer_offsets): its records as (key, value) pairs,
    #: read back by the coordinator that takes over the partition; None in user topics.
    kv: list | None = None

    def __post_init__(self) -> None:
        if self.size < 0:
            self.size = len(self.data) if self.data is not None else 0

    @property
    def count(self) -> int:
        """Offsets the batch spans (a cleaned batch may hold fewer records: len(record_ids))."""
        return self.last_offset - self.base_offset + 1

    def __deepcopy__(self, memo: dict) -> "LogEntry":
        # Never changed once written: a copy of a run (a lab's checkpoint) shares it, as replicas do.
        return self

    @property
    def last_sequence(self) -> int:
        return self.base_sequence + self.count - 1


def _first_segment() -> list[Segment]:
    return [Segment(0)]


@dataclass(slots=True)
class Log:
    """Batches in offset order; ``log_end_offset`` is the next offset to write, ``log_start_offset``
    the first one still readable (retention moves it). ``config`` is the topic's config in force
    (segment.bytes, segment.ms, ...): without one the log never rolls."""

    entries: list[LogEntry] = field(default_factory=list)
    log_end_offset: int = 0
    high_watermark: int = 0
    # (leader epoch, start offset), increasing: the LeaderEpochFileCache (KIP-101).
    epochs: list[tuple[int, int]] = field(default_factory=list)
    # producer id -> last batches (base_seq, last_seq, base_offset, last_offset, producer_epoch)
    producers: dict[int, list[tuple[int, int, int, int, int]]] = field(default_factory=dict)
    size_bytes: int = 0
    log_start_offset: int = 0
    #: Oldest first; the last one is the active segment.
    segments: list[Segment] = field(default_factory=_first_segment)
    config: dict[str, Any] | None = None
    #: Told of every roll (the broker's LogManager, which traces it), or None.
    manager: Any = None
    #: The TopicPartition whose replica this is (for the trace), or None.
    tp: Any = None
    #: The cleaner's checkpoint: where the dirty part starts (cleaner-offset-checkpoint), or -1.
    cleaner_checkpoint: int = -1
    #: Counts every change other than an append at the end (truncation, retention, the cleaner, the log
    #: start offset moving). Not Kafka's: while it stands still the batches a reader has seen are where it
    #: saw them, so an audit (the ledger, a lab's view) reads only what was appended since.
    mutations: int = 0

    def append(self, entry: LogEntry) -> None:
        """Append one batch as the leader does (one roll check per batch: a produce request carries one
        batch per partition)."""
        if entry.base_offset < self.log_end_offset:
            raise ValueError(f"offsets must increase: log end offset {self.log_end_offset}, got {entry.base_offset}")
        seg = self.segments[-1]
        config = self.config
        if seg.size and config is not None:
            reason = seg.should_roll(config, entry.size, entry.max_timestamp)
            if reason is not None:
                seg = self.roll(entry.base_offset, reason)
        self._add(entry, seg)

    def append_as_follower(self, entries: list[LogEntry]) -> None:
        """A follower's append of what a fetch brought (UnifiedLog.appendAsFollower): the batches from
        the log end offset on, with one roll check for them all, as one chunk. A compacted leader's log
        has gaps, so a batch may start past the log end offset."""
        if not entries:
            return
        leo = self.log_end_offset
        new = entries if entries[0].base_offset >= leo else [e for e in entries if e.base_offset >= leo]
        if not new:
            return
        seg = self.segments[-1]
        config = self.config
        if seg.size and config is not None:
            reason = seg.should_roll(config, sum(e.size for e in new), max(e.max_timestamp for e in new))
            if reason is not None:
                seg = self.roll(new[0].base_offset, reason)
        for e in new:
            self._add(e, seg)

    def _add(self, entry: LogEntry, seg: Segment) -> None:
        self.entries.append(entry)
        self.log_end_offset = entry.last_offset + 1
        size = entry.size
        self.size_bytes += size
        # Segment.add, inline: this runs for every batch on every replica.
        seg.size += size
        ts = entry.max_timestamp
        if seg.first_timestamp < 0:
            seg.first_timestamp = ts
        if ts > seg.max_timestamp:
            seg.max_timestamp = ts
        epochs = self.epochs
        if not epochs or epochs[-1][0] < entry.epoch:
            epochs.append((entry.epoch, entry.base_offset))
        if entry.producer_id >= 0:
            self._remember(entry)

    def roll(self, base_offset: int | None = None, reason: str = "retention") -> Segment:
        """LocalLog.roll: a new, empty active segment at ``base_offset`` (the log end offset by default)."""
        seg = Segment(self.log_end_offset if base_offset is None else base_offset)
        self.segments.append(seg)
        if self.manager is not None:
            self.manager.on_rolled(self, seg, reason)
        return seg

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

    # -- leader epochs ------------------------------------------------------------------------
    def assign_epoch(self, epoch: int) -> None:
        """A new leader starts ``epoch`` at its log end offset."""
        if not self.epochs or self.epochs[-1][0] < epoch:
            self.epochs.append((epoch, self.log_end_offset))

    def end_offset_for_epoch(self, epoch: int) -> int:
        """The OffsetsForLeaderEpoch answer: where ``epoch`` ended in this log (KIP-101)."""
        starts = [e for e, _ in self.epochs]
        i = bisect_right(starts, epoch)
        return self.epochs[i][1] if i < len(self.epochs) else self.log_end_offset

    def epoch_at(self, offset: int) -> int:
        """The leader epoch that wrote ``offset`` here, by the epoch cache (-1 before its first entry)."""
        i = bisect_right(self.epochs, offset, key=lambda entry: entry[1])
        return self.epochs[i - 1][0] if i else -1

    def first_divergent_offset(self, leader: "Log") -> int | None:
        """Where this (follower's) log stops agreeing with ``leader``'s, or None if it all agrees.

        The answer KIP-101/KIP-279's OffsetsForLeaderEpoch exchange reaches: a batch agrees when
        the leader's epoch cache says the same leader epoch wrote its offsets there (the leader of
        an epoch writes each offset once, so the two are the same batch even where a cleaner has
        rewritten one of the copies). Batches below the leader's log start offset are taken as
        agreeing: the leader deleted its copies, and the follower learns the new start offset from
        its fetches. Walks back from the end, where they usually agree at once.
        """
        mine = self.entries
        leo = leader.log_end_offset
        start = leader.log_start_offset
        keep = len(mine)
        while keep > 0:
            e = mine[keep - 1]
            if e.last_offset < start or (e.last_offset < leo and leader.epoch_at(e.base_offset) == e.epoch):
                break
            keep -= 1
        return mine[keep].base_offset if keep < len(mine) else None

    # -- truncation ---------------------------------------------------------------------------
    def truncate_to(self, offset: int) -> list[LogEntry]:
        """Drop every batch at or after ``offset``; returns the dropped batches (UnifiedLog.truncateTo)."""
        if offset >= self.log_end_offset:
            return []
        entries = self.entries
        i = len(entries)
        while i > 0 and entries[i - 1].base_offset >= offset:
            i -= 1
        if i > 0 and entries[i - 1].last_offset >= offset:
            i -= 1  # a batch is never split: truncate to its start
        dropped = entries[i:]
        del entries[i:]
        self.mutations += 1
        # The new end: ``offset``, or the start of the batch it fell inside.
        new_end = min(offset, dropped[0].base_offset) if dropped else offset
        if new_end < self.log_start_offset:
            # Below the start of the log: nothing of it stays (UnifiedLog.truncateTo -> truncateFullyAndStartAt).
            self.log_start_offset = new_end
        self.log_end_offset = new_end
        self.size_bytes -= sum(e.size for e in dropped)
        self.high_watermark = min(self.high_watermark, self.log_end_offset)
        # LeaderEpochFileCache.truncateFromEnd: epochs that start at or past the new end go.
        while self.epochs and self.epochs[-1][1] >= self.log_end_offset and self.log_end_offset > 0:
            self.epochs.pop()
        if self.log_end_offset == 0:
            self.epochs.clear()
        self._truncate_segments()
        if self.cleaner_checkpoint > new_end:
            self.cleaner_checkpoint = new_end  # LogCleanerManager.maybeTruncateCheckpoint
        self._rebuild_producers(new_end)
        return dropped

    def _truncate_segments(self) -> None:
        """LocalLog.truncateTo: segments past the new end go, the last one left is recounted."""
        segs = self.segments
        end = self.log_end_offset
        while len(segs) > 1 and segs[-1].base_offset > end:
            segs.pop()
        if segs[0].base_offset > end:
            segs[0] = Segment(end)
        last = segs[-1]
        lo = bisect_left(self.entries, last.base_offset, key=_base_offset)
        fresh = Segment(last.base_offset)
        for e in self.entries[lo:]:
            fresh.add(e.size, e.max_timestamp)
        segs[-1] = fresh

    def truncate_fully_and_start_at(self, offset: int) -> list[LogEntry]:
        """UnifiedLog.truncateFullyAndStartAt: everything goes, and the log starts again at ``offset``
        (a follower whose fetch offset fell below its leader's log start offset)."""
        dropped = self.entries
        self.entries = []
        self.mutations += 1
        self.size_bytes = 0
        self.segments = [Segment(offset)]
        self.log_start_offset = self.log_end_offset = self.high_watermark = offset
        self.epochs.clear()
        self.producers = {}
        self.cleaner_checkpoint = -1
        return dropped

    def _rebuild_producers(self, end: int) -> None:
        old = self.producers
        self.producers = {}
        for e in self.entries[-NUM_BATCHES_TO_RETAIN * 64:]:
            if e.producer_id >= 0:
                self._remember(e)
        # A producer whose batches the log no longer holds (retention deleted them) keeps the state it
        # had below the new end: Kafka reloads it from the producer snapshot taken at a segment roll.
        for pid, hist in old.items():
            if pid not in self.producers:
                kept = [h for h in hist if h[3] < end]
                if kept:
                    self.producers[pid] = kept

    # -- the log start offset and whole segments (retention, the cleaner) ------------------------
    def increment_log_start_offset(self, offset: int) -> bool:
        """UnifiedLog.maybeIncrementLogStartOffset: never back, never past the high watermark. Producer
        state stays (Kafka keeps it in memory and in snapshots); the epoch cache forgets what starts
        before the new start (LeaderEpochFileCache.truncateFromStart)."""
        offset = min(offset, self.high_watermark)
        if offset <= self.log_start_offset:
            return False
        self.log_start_offset = offset
        self.mutations += 1
        epochs = self.epochs
        i = bisect_right(epochs, offset, key=lambda entry: entry[1])
        if i:
            epochs[: i] = [(epochs[i - 1][0], offset)]
        return True

    def segment_bounds(self, i: int) -> tuple[int, int]:
        """The index range in ``entries`` of segment ``i``'s batches."""
        entries = self.entries
        segs = self.segments
        lo = bisect_left(entries, segs[i].base_offset, key=_base_offset)
        hi = bisect_left(entries, segs[i + 1].base_offset, key=_base_offset) if i + 1 < len(segs) else len(entries)
        return lo, hi

    def segment_end(self, i: int) -> int:
        """The offset segment ``i`` ends before: the next segment's base, or the log end offset."""
        return self.segments[i + 1].base_offset if i + 1 < len(self.segments) else self.log_end_offset

    def delete_oldest_segments(self, count: int) -> list[LogEntry]:
        """UnifiedLog.deleteSegments: the ``count`` oldest segments go and the log start offset moves
        to the next one's base. Deleting them all rolls first, so an (empty) active segment is left."""
        segs = self.segments
        if count >= len(segs):
            if segs[-1].base_offset == self.log_end_offset and not segs[-1].size:
                count = len(segs) - 1  # the active segment is already the empty new one
            else:
                self.roll(self.log_end_offset)
        if count <= 0:
            return []
        lo, hi = 0, self.segment_bounds(count - 1)[1]
        removed = self.entries[lo:hi]
        del self.entries[lo:hi]
        self.mutations += 1
        self.size_bytes -= sum(s.size for s in segs[:count])
        del segs[:count]
        self.increment_log_start_offset(segs[0].base_offset)
        return removed

    def replace_segments(self, first: int, last: int, entries: list[LogEntry]) -> Segment:
        """LocalLog.replaceSegments: segments ``first..last`` become one, holding ``entries`` (what the
        cleaner kept of them, with their offsets) under the first one's base offset."""
        segs = self.segments
        lo = self.segment_bounds(first)[0]
        hi = self.segment_bounds(last)[1]
        cleaned = Segment(segs[first].base_offset)
        for e in entries:
            cleaned.add(e.size, e.max_timestamp)
        if not entries:
            # An emptied segment keeps the group's newest timestamp, as Kafka keeps its last-modified time.
            cleaned.max_timestamp = max(s.max_timestamp for s in segs[first:last + 1])
        self.size_bytes += cleaned.size - sum(s.size for s in segs[first:last + 1])
        self.entries[lo:hi] = entries
        self.mutations += 1
        segs[first:last + 1] = [cleaned]
        return cleaned

    # -- reading ------------------------------------------------------------------------------
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

    def live_entries(self) -> list[LogEntry]:
        """The batches at or after the log start offset (a follower that took its leader's start
        offset keeps the batches below it until its next retention check)."""
        entries = self.entries
        start = self.log_start_offset
        if not entries or entries[0].last_offset >= start:
            return entries
        return entries[bisect_left(entries, start, key=_last_offset):]

    def committed(self) -> list[LogEntry]:
        """The batches below the high watermark: what a consumer can read."""
        hw = self.high_watermark
        return [e for e in self.live_entries() if e.last_offset < hw]
