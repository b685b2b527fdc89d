"""A log segment's bookkeeping: where it starts, its size, its timestamps, and when it rolls.

Models what ``org.apache.kafka.storage.internals.log.LogSegment`` keeps about itself
(``baseOffset``, ``size``, ``maxTimestampSoFar``, the first batch's timestamp that
``timeWaitedForRoll`` measures ``segment.ms`` from) and its ``shouldRoll`` rule. The batches
themselves stay in the log's one list (app/sim/log.py): a segment is the run of them from its
base offset to the next segment's. Leaves out the offset and time indexes (their "index full"
roll and the cleaner's index-size grouping only matter past hundreds of MB a segment), the
files and their mtimes, and ``segment.jitter.ms`` (0 here, as by default).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: What ``shouldRoll`` answers: the reason to roll before a chunk of batches, or None.
ROLL_BY_SIZE = "segment.bytes"
ROLL_BY_TIME = "segment.ms"


@dataclass(slots=True, eq=False)
class Segment:
    """One segment of a replica's log; the last one of a log is its active segment."""

    base_offset: int
    #: Bytes of the batches in it (LogSegment.size).
    size: int = 0
    #: The first batch's max timestamp: segment.ms counts from it (LogSegment.rollingBasedTimestamp).
    first_timestamp: int = -1
    #: The largest timestamp of its batches (LogSegment.maxTimestampSoFar): retention.ms deletes by it.
    max_timestamp: int = -1

    def add(self, size: int, max_timestamp: int) -> None:
        self.size += size
        if self.first_timestamp < 0:
            self.first_timestamp = max_timestamp
        if max_timestamp > self.max_timestamp:
            self.max_timestamp = max_timestamp

    def should_roll(self, config: dict[str, Any], chunk_size: int, chunk_max_timestamp: int) -> str | None:
        """LogSegment.shouldRoll for the next chunk of batches (one produce request's, or one fetch's).

        A non-empty segment rolls when the chunk would take it past segment.bytes, or when the
        chunk's newest timestamp is more than segment.ms after the segment's first batch's
        (timeWaitedForRoll: the data's timestamps, not the broker's clock, because every batch
        here carries CreateTime timestamps). An empty segment never rolls: Kafka would delete
        and recreate it at the same base offset (LocalLog.roll).
        """
        size = self.size
        if not size:
            return None
        if size > config["segment.bytes"] - chunk_size:
            return ROLL_BY_SIZE
        if chunk_max_timestamp - self.first_timestamp > config["segment.ms"]:
            return ROLL_BY_TIME
        return None

    def largest_timestamp(self) -> int:
        """LogSegment.largestTimestamp: what retention.ms compares with the clock."""
        return self.max_timestamp
