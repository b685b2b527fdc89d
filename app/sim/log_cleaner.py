"""The log cleaner of one broker: which compacted log to clean, and cleaning it.

Models ``kafka.log.LogCleanerManager`` (``cleanableOffsets``, ``calculateCleanableBytes``,
``maxCompactionDelay``, ``grabFilthiestCompactedLog``: the dirty ratio against
min.cleanable.dirty.ratio, min.compaction.lag.ms and max.compaction.lag.ms) and ``Cleaner``
(``doClean``: the offset map of the dirty part, ``groupSegmentsBySize``, ``cleanSegments`` with
its record filter: the latest record per key, tombstones until their delete horizon, the last
batch of each producer and of the cleaning round kept even if empty). Rewriting a batch is
app/sim/batch_filter.py. Leaves out transactions (aborted batches, markers), the dedupe
buffer's size (log.cleaner.dedupe.buffer.size: every dirty key fits here, where 128 MiB holds
about five million), I/O throttling, and the time cleaning takes (a pass runs in an instant).
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any

from app.sim import batch_filter
from app.sim.log import Log, LogEntry
from app.sim.record_index import index_batch

_base = attrgetter("base_offset")
#: Int.MaxValue: a cleaned segment's offsets must fit its relative offset index.
_MAX_RELATIVE_OFFSET = 2**31 - 1


def _floor(log: Log, offset: int) -> int:
    """The index of the segment holding ``offset`` (the first one for an offset before them all)."""
    return max(bisect_right(log.segments, offset, key=_base) - 1, 0)


def _sizes(log: Log, start: int, end: int) -> int:
    """Bytes of the segments overlapping [start, end) (LogSegments.values(from, to))."""
    if start >= end:
        return 0
    segs = log.segments
    i = _floor(log, start)
    total = 0
    while i < len(segs) and segs[i].base_offset < end:
        total += segs[i].size
        i += 1
    return total


def _non_active_from(log: Log, offset: int) -> list:
    """UnifiedLog.nonActiveLogSegmentsFrom: the segments from the one holding ``offset`` up to the active one."""
    segs = log.segments
    if offset > segs[-1].base_offset:
        return []
    return segs[_floor(log, offset):-1]


@dataclass(eq=False)
class LogToClean:
    """LogToClean: a compacted log's clean and cleanable bytes, and its dirty ratio."""

    tp: Any
    log: Log = field(repr=False)
    first_dirty: int
    #: The first offset not cleaned this round, segment-aligned (calculateCleanableBytes).
    first_uncleanable: int
    clean_bytes: int
    cleanable_bytes: int
    need_compaction_now: bool

    @property
    def total_bytes(self) -> int:
        return self.clean_bytes + self.cleanable_bytes

    @property
    def cleanable_ratio(self) -> float:
        return self.cleanable_bytes / self.total_bytes


def cleanable_offsets(log: Log, now_ms: int) -> tuple[int, int]:
    """LogCleanerManager.cleanableOffsets: (first dirty offset, first uncleanable dirty offset).

    The dirty part starts at the cleaner's checkpoint (or the log start offset). It cannot go
    past the high watermark (the last stable offset, without transactions), the active segment,
    or the first segment whose newest record is younger than min.compaction.lag.ms.
    """
    start = log.log_start_offset
    first_dirty = log.cleaner_checkpoint if log.cleaner_checkpoint >= 0 else start
    if first_dirty < start or first_dirty > log.log_end_offset:
        first_dirty = start
        log.cleaner_checkpoint = start  # forceUpdateCheckpoint
    limits = [log.high_watermark, log.segments[-1].base_offset]
    lag = max(log.config["min.compaction.lag.ms"], 0)
    if lag > 0:
        young = next((s for s in _non_active_from(log, first_dirty) if s.largest_timestamp() > now_ms - lag), None)
        if young is not None:
            limits.append(young.base_offset)
    return first_dirty, max(first_dirty, min(limits))


def _max_compaction_delay(log: Log, first_dirty: int, now_ms: int) -> int:
    """LogCleanerManager.maxCompactionDelay: how far past max.compaction.lag.ms the oldest dirty record is."""
    firsts = [s.first_timestamp for s in _non_active_from(log, first_dirty) if s.first_timestamp > 0]
    if not firsts:
        return 0
    clean_until = now_ms - max(log.config["max.compaction.lag.ms"], 0)
    earliest = min(firsts)
    return clean_until - earliest if earliest < clean_until else 0


def log_to_clean(tp: Any, log: Log, now_ms: int) -> LogToClean:
    first_dirty, uncleanable = cleanable_offsets(log, now_ms)
    segs = log.segments
    # calculateCleanableBytes: the segment holding the uncleanable offset is not cleaned (nor the active one).
    first_uncleanable = segs[-1].base_offset if uncleanable > segs[-1].base_offset else segs[_floor(log, uncleanable)].base_offset
    clean_bytes = sum(s.size for s in segs if s.base_offset < first_dirty)
    cleanable = _sizes(log, min(first_dirty, first_uncleanable), first_uncleanable)
    return LogToClean(tp, log, first_dirty, first_uncleanable, clean_bytes, cleanable,
                      _max_compaction_delay(log, first_dirty, now_ms) > 0)


def grab_filthiest(logs: list[tuple[Any, Log]], now_ms: int) -> LogToClean | None:
    """LogCleanerManager.grabFilthiestCompactedLog: of the compacted logs, the one with the highest dirty
    ratio above its min.cleanable.dirty.ratio (or past max.compaction.lag.ms with something to clean)."""
    best: LogToClean | None = None
    for tp, log in logs:
        ltc = log_to_clean(tp, log, now_ms)
        if not ltc.total_bytes:
            continue
        ratio = ltc.cleanable_ratio
        if not ((ltc.need_compaction_now and ltc.cleanable_bytes > 0) or ratio > log.config["min.cleanable.dirty.ratio"]):
            continue
        if best is None or ratio > best.cleanable_ratio:  # the first of equals, in the broker's partition order
            best = ltc
    return best


@dataclass
class CleanerStats:
    """What one cleaning did (Kafka logs it as the cleaner's summary; here it is the log.cleaned event)."""

    records_read: int = 0
    records_removed: int = 0
    tombstones_kept: int = 0
    tombstones_removed: int = 0
    bytes_before: int = 0
    bytes_after: int = 0
    #: Record ids of the records the cleaner removed (for the ledger).
    removed_ids: list[int] = field(default_factory=list)


def clean(ltc: LogToClean, now_ms: int) -> tuple[int, CleanerStats]:
    """Cleaner.doClean: the offset map of the dirty part, then every group of segments up to its end
    rewritten; the checkpoint moves to that end. Returns (end offset, stats)."""
    log = ltc.log
    end = ltc.first_uncleanable
    offset_map = _build_offset_map(log, ltc.first_dirty, end)
    stats = CleanerStats()
    groups = _group_segments(log, end)
    for first, last in reversed(groups):  # from the newest: replacing a group leaves the older indices alone
        _clean_segments(log, first, last, offset_map, end, now_ms, stats)
    log.cleaner_checkpoint = end  # LogCleanerManager.doneCleaning
    return end, stats


def _index(entry: LogEntry):
    """The entry's record index; a batch written before its topic was compacted is indexed now, from its
    bytes (when the log keeps only sizes it cannot be, and the cleaner leaves it as it is)."""
    if entry.index is None and entry.data is not None:
        entry.index = index_batch(entry.data)  # derived from bytes every replica shares: the same for all
    return entry.index


def _build_offset_map(log: Log, start: int, end: int) -> dict[bytes, int]:
    """Cleaner.buildOffsetMap: key -> offset of its latest record in [start, end)."""
    offset_map: dict[bytes, int] = {}
    lo = log.segment_bounds(_floor(log, start))[0]
    for e in log.entries[lo:]:
        if e.base_offset >= end:
            break
        if e.last_offset < start:
            continue
        index = _index(e)
        if index is None:
            continue
        base = e.base_offset
        for delta, key in zip(index.deltas, index.keys):
            if key is not None and base + delta >= start:
                offset_map[key] = base + delta
    return offset_map


def _group_segments(log: Log, end: int) -> list[tuple[int, int]]:
    """Cleaner.groupSegmentsBySize: the segments before ``end`` in runs of at most segment.bytes together."""
    segs = log.segments
    max_size = log.config["segment.bytes"]
    n = 0
    while n < len(segs) and segs[n].base_offset < end:
        n += 1
    groups = []
    i = 0
    while i < n:
        j, size = i, segs[i].size
        while j + 1 < n:
            nxt = segs[j + 1]
            last_of_next = (segs[j + 2].base_offset if j + 2 < n else end) - 1
            # Its offsets, relative to the group's base, must fit the cleaned segment's offset index.
            if size + nxt.size > max_size or (nxt.size and last_of_next - segs[i].base_offset > _MAX_RELATIVE_OFFSET):
                break
            j += 1
            size += nxt.size
        groups.append((i, j))
        i = j + 1
    return groups


def _clean_segments(log: Log, first: int, last: int, offset_map: dict[bytes, int], upper: int, now_ms: int,
                    stats: CleanerStats) -> None:
    """Cleaner.cleanSegments: one group's batches through the cleaner's filter into one segment."""
    lo = log.segment_bounds(first)[0]
    hi = log.segment_bounds(last)[1]
    source = log.entries[lo:hi]
    # log.lastRecordsOfActiveProducers: each producer's last batch stays, for its sequence numbers.
    last_of_producer = {pid: hist[-1][3] for pid, hist in log.producers.items() if hist}
    horizon_ms = now_ms + log.config["delete.retention.ms"]
    kept: list[LogEntry] = []
    for e in source:
        stats.bytes_before += e.size
        out = _filter_batch(e, offset_map, upper, now_ms, horizon_ms, last_of_producer, stats)
        if out is not None:
            kept.append(out)
            stats.bytes_after += out.size
    log.replace_segments(first, last, kept)


def _filter_batch(e: LogEntry, offset_map: dict[bytes, int], upper: int, now_ms: int, horizon_ms: int,
                  last_of_producer: dict[int, int], stats: CleanerStats) -> LogEntry | None:
    """The cleaner's RecordFilter over one batch (checkBatchRetention, shouldRetainRecord) and what
    MemoryRecords.filterTo writes for it: the batch as it was, a rewritten one, an empty one, or none."""
    index = _index(e)
    if index is None:
        return e  # no keys known (sizes-only log, batch from before compaction): left as it was
    retain_empty = (e.producer_id >= 0 and last_of_producer.get(e.producer_id) == e.last_offset) or e.last_offset + 1 == upper
    base = e.base_offset
    latest = upper - 1  # the offset map covers every dirty segment up to ``upper``
    tombstones = index.tombstones
    horizon = e.delete_horizon
    positions: list[int] = []
    kept_tombstone = False
    for i, (delta, key) in enumerate(zip(index.deltas, index.keys)):
        offset = base + delta
        is_tombstone = delta in tombstones if tombstones else False
        if offset > latest:
            keep = True
        elif key is None:
            keep = False  # Cleaner.shouldRetainRecord: a record without a key is invalid on a compacted log
        else:
            keep = offset >= offset_map.get(key, -1) and (not is_tombstone or horizon < 0 or now_ms < horizon)
        if keep:
            positions.append(i)
            kept_tombstone = kept_tombstone or is_tombstone
        if is_tombstone:
            if keep:
                stats.tombstones_kept += 1
            else:
                stats.tombstones_removed += 1
    count = len(index.deltas)
    stats.records_read += count
    if len(positions) < count:
        rids = e.record_ids
        kept_set = set(positions)
        stats.removed_ids.extend(rids[i] for i in range(count) if i not in kept_set)
        stats.records_removed += count - len(positions)
    if positions:
        needs_horizon = kept_tombstone and horizon < 0
        if len(positions) == count and not needs_horizon:
            return e  # writeOriginalBatch
        return batch_filter.rewrite(e, index, positions, horizon_ms if needs_horizon else horizon)
    if retain_empty:
        return e if not count else batch_filter.empty(e)
    return None
