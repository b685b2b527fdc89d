"""What the log cleaner needs to know of a batch's records, read once when the batch is appended.

Not a Kafka class: Kafka's cleaner reads the segment files again on every pass. Here a batch of
a compacted topic is decoded once, when the leader appends it (LogValidator decompresses such a
batch anyway, to refuse records without a key), and its records' offsets, keys, timestamps and
null values are kept beside it. The cleaner then builds its offset map and decides what to keep
without decoding again, whether the log keeps each batch's bytes or only its size
(``Scenario(keep_log_bytes=False)``, which is why the record sizes are kept too: a rewritten
batch's size is estimated from them when there are no bytes to rewrite).
"""

from __future__ import annotations

from typing import NamedTuple

from app.sim.records import decode_batch
from app.sim.records.sizes import record_size_in_bytes

_NO_TOMBSTONES: frozenset[int] = frozenset()


class RecordIndex(NamedTuple):
    """Per record of one stored batch, in offset order: parallel tuples, no object per record."""

    #: Offset deltas from the batch's base offset (the cleaner keeps offsets, so gaps appear).
    deltas: tuple[int, ...]
    keys: tuple[bytes | None, ...]
    timestamps: tuple[int, ...]
    #: The offset deltas of the records whose value is null: tombstones.
    tombstones: frozenset[int]
    #: Each record's size in the uncompressed records part (DefaultRecord.sizeInBytes).
    sizes: tuple[int, ...]

    def subset(self, positions: list[int]) -> "RecordIndex":
        """The index of the records at these positions (a batch the cleaner rewrote)."""
        deltas = tuple(self.deltas[i] for i in positions)
        tombstones = self.tombstones & frozenset(deltas) if self.tombstones else _NO_TOMBSTONES
        return RecordIndex(deltas, tuple(self.keys[i] for i in positions), tuple(self.timestamps[i] for i in positions),
                           tombstones, tuple(self.sizes[i] for i in positions))


def index_batch(data: bytes) -> RecordIndex:
    """Decode a batch (CRC-checked, decompressed) and index its records."""
    batch = decode_batch(data)
    records = batch.records
    tombstones = frozenset(r.offset_delta for r in records if r.value is None)
    return RecordIndex(
        tuple(r.offset_delta for r in records),
        tuple(r.key for r in records),
        tuple(r.timestamp for r in records),
        tombstones or _NO_TOMBSTONES,
        tuple(record_size_in_bytes(r.offset_delta, r.timestamp_delta, r.key, r.value, r.headers) for r in records),
    )


def has_null_key(index: RecordIndex) -> bool:
    """LogValidator.validateKey: a compacted topic refuses a batch holding a record without a key."""
    return None in index.keys
