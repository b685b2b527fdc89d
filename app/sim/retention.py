"""Retention: deleting a log's oldest segments by time, by size, or below its log start offset.

Models ``UnifiedLog.deleteOldSegments`` and its three predicates
(``deleteLogStartOffsetBreachedSegments``, ``deleteRetentionSizeBreachedSegments``,
``deleteRetentionMsBreachedSegments``, in that order) over ``deletableSegments``: whole segments
from the oldest, only below the high watermark, never an empty active segment; when every
segment goes, the log rolls first (``deleteSegments``), so a non-empty active segment past
retention.ms is deleted too once the high watermark has reached the log end offset. Time is the
broker's clock, ``EPOCH_MS`` plus the virtual time, against each segment's largest record
timestamp (CreateTime). Leaves out tiered storage (local.retention.*) and file.delete.delay.ms
(the files of a deleted segment linger for a minute in Kafka; nothing reads them).
"""

from __future__ import annotations

from typing import Callable

from app.sim.log import Log, LogEntry
from app.sim.segments import Segment

#: The reasons a segment goes, as the log.retention trace event names them (SegmentDeletionReason).
BY_START_OFFSET = "log.start.offset"
BY_SIZE = "retention.bytes"
BY_TIME = "retention.ms"

Predicate = Callable[[Segment, "Segment | None"], bool]


def deletable_count(log: Log, predicate: Predicate) -> int:
    """UnifiedLog.deletableSegments: how many of the oldest segments the predicate lets go, in a row."""
    segs = log.segments
    hw = log.high_watermark
    count = 0
    for i, seg in enumerate(segs):
        nxt = segs[i + 1] if i + 1 < len(segs) else None
        upper = nxt.base_offset if nxt is not None else log.log_end_offset
        # Nothing at or past the high watermark goes, so the log start offset never passes it.
        if not (hw >= upper and predicate(seg, nxt)) or (nxt is None and seg.size == 0):
            break
        count += 1
    return count


def delete_old_segments(log: Log, now_ms: int) -> list[tuple[str, list[LogEntry], int]]:
    """UnifiedLog.deleteOldSegments: what each predicate deleted, as (reason, batches, segments).

    With cleanup.policy delete (alone or with compact) all three apply; a compact-only log only
    loses the segments below its log start offset (a follower that took its leader's).
    """
    config = log.config
    done = []
    for reason, predicate in _predicates(log, now_ms, "delete" in config["cleanup.policy"]):
        count = deletable_count(log, predicate)
        if count:
            done.append((reason, log.delete_oldest_segments(count), count))
    return done


def _predicates(log: Log, now_ms: int, delete: bool):
    yield BY_START_OFFSET, lambda seg, nxt: nxt is not None and nxt.base_offset <= log.log_start_offset
    if not delete:
        return
    retention_bytes = log.config["retention.bytes"]
    if retention_bytes >= 0 and log.size_bytes >= retention_bytes:
        yield BY_SIZE, _SizeBreach(log.size_bytes - retention_bytes)
    retention_ms = log.config["retention.ms"]
    if retention_ms >= 0:
        yield BY_TIME, lambda seg, nxt: now_ms - seg.largest_timestamp() > retention_ms


class _SizeBreach:
    """deleteRetentionSizeBreachedSegments' predicate: a segment goes while the log stays at least
    retention.bytes without it (the size is per partition, of this replica's log)."""

    def __init__(self, excess: int) -> None:
        self.excess = excess

    def __call__(self, seg: Segment, nxt: Segment | None) -> bool:
        if self.excess - seg.size >= 0:
            self.excess -= seg.size
            return True
        return False
