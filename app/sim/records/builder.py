"""``MemoryRecordsBuilder`` for one producer batch, and ``encode_batch``."""

from __future__ import annotations

from typing import Final, Sequence

from app.sim.compression import CODEC_IDS, compress, to_float32, validate_level
from app.sim.records.encode import RecordSections, assemble_batch, encode_records
from app.sim.records.header import (
    NO_PARTITION_LEADER_EPOCH,
    NO_PRODUCER_EPOCH,
    NO_PRODUCER_ID,
    NO_SEQUENCE,
    NO_TIMESTAMP,
    RECORD_BATCH_OVERHEAD,
    TRANSACTIONAL_MASK,
    Header,
)
from app.sim.records.sizes import body_size, with_length
from app.sim.varint import varint_size

# Java's float 1.05f, as MemoryRecordsBuilder.COMPRESSION_RATE_ESTIMATION_FACTOR.
_ESTIMATION_FACTOR: Final = to_float32(1.05)


def _validate_producer_state(
    producer_id: int, producer_epoch: int, base_sequence: int, is_transactional: bool
) -> None:
    # MemoryRecordsBuilder.validateProducerState, with its messages.
    if is_transactional and producer_id == NO_PRODUCER_ID:
        raise ValueError("Cannot write transactional messages without a valid producer ID")
    if producer_id != NO_PRODUCER_ID:
        if producer_epoch == NO_PRODUCER_EPOCH:
            raise ValueError("Invalid negative producer epoch")
        if base_sequence < 0:
            raise ValueError("Invalid negative sequence number used")


class BatchBuilder:
    """MemoryRecordsBuilder for one producer batch (v2, CreateTime, not control).

    ``append`` only stores the record and adds its exact uncompressed size;
    encoding and compression happen once, in ``close``.  Leaves out legacy
    magic, control records and log-append time.
    """

    __slots__ = (
        "compression_type",
        "compression_level",
        "write_limit",
        "estimated_compression_ratio",
        "record_count",
        "uncompressed_records_size",
        "first_timestamp",
        "max_timestamp",
        "compression_ratio",
        "size_in_bytes",
        "_codec_id",
        "_keys",
        "_values",
        "_ts_deltas",
        "_headers",
        "_append_closed",
        "_records_part",
        "_built",
        "_estimate_for",
        "_estimate",
        "_ratio_times_factor",
        "_sections",
    )

    def __init__(
        self,
        compression_type: str = "none",
        compression_level: int | None = None,
        batch_size_limit: int = 16384,
        base_timestamp: int | None = None,
        estimated_compression_ratio: float = 1.0,
        sections: RecordSections | None = None,
    ) -> None:
        """``sections``: the producer's encoded keys and values to reuse (a fresh set when None)."""
        # Raises for an unknown codec or a level out of range, naming the valid ones.
        self.compression_level = validate_level(compression_type, compression_level)
        self.compression_type = compression_type
        self.write_limit = batch_size_limit
        self.set_estimated_compression_ratio(estimated_compression_ratio)
        self.record_count = 0
        self.uncompressed_records_size = 0  # record bytes before compression, length varints included
        self.first_timestamp: int | None = base_timestamp
        self.max_timestamp = NO_TIMESTAMP
        self.compression_ratio = 1.0
        self.size_in_bytes = 0
        self._codec_id = CODEC_IDS[compression_type]
        # Parallel lists, one slot per record (no tuple per record); headers only where present.
        self._keys: list[bytes | None] = []
        self._values: list[bytes | None] = []
        self._ts_deltas: list[int] = []
        self._headers: dict[int, Sequence[Header]] = {}
        self._append_closed = False
        self._records_part: bytes | None = None
        self._built: bytes | None = None
        self._estimate_for = -1
        self._estimate = RECORD_BATCH_OVERHEAD
        self._sections = sections if sections is not None else RecordSections()

    def set_estimated_compression_ratio(self, ratio: float) -> None:
        """MemoryRecordsBuilder.setEstimatedCompressionRatio (a Java float)."""
        self.estimated_compression_ratio = to_float32(ratio)
        self._ratio_times_factor = self.estimated_compression_ratio * _ESTIMATION_FACTOR
        self._estimate_for = -1

    # -- filling --

    def append(
        self, timestamp: int, key: bytes | None, value: bytes | None, headers: Sequence[Header] = ()
    ) -> None:
        """Add a record at the next offset delta (MemoryRecordsBuilder.append)."""
        if self._append_closed:
            raise RuntimeError("Tried to append a record, but MemoryRecordsBuilder is closed for record appends")
        first = self.first_timestamp
        if first is None:
            first = self.first_timestamp = timestamp
        ts_delta = timestamp - first
        body = body_size(ts_delta, self.record_count, key, value, headers)
        self._add(timestamp, ts_delta, key, value, headers, body)

    def try_append(
        self, timestamp: int, key: bytes | None, value: bytes | None, headers: Sequence[Header] = ()
    ) -> bool:
        """has_room_for and append in one (ProducerBatch.tryAppend): sizes the record once."""
        if self._append_closed:
            return False
        first = self.first_timestamp
        if first is None:
            first = self.first_timestamp = timestamp
        ts_delta = timestamp - first
        count = self.record_count
        body = body_size(ts_delta, count, key, value, headers)
        if count and not self._fits(with_length(body)):
            return False
        self._add(timestamp, ts_delta, key, value, headers, body)
        return True

    def _add(
        self,
        timestamp: int,
        ts_delta: int,
        key: bytes | None,
        value: bytes | None,
        headers: Sequence[Header],
        body: int,
    ) -> None:
        if headers:
            self._headers[self.record_count] = headers
        # Copied into bytes now, as Kafka copies at append: a bytearray or memoryview could
        # change before close() encodes it.
        if type(key) is not bytes and key is not None:
            key = bytes(key)
        if type(value) is not bytes and value is not None:
            value = bytes(value)
        self._keys.append(key)
        self._values.append(value)
        self._ts_deltas.append(ts_delta)
        self.uncompressed_records_size += with_length(body)
        self.record_count += 1
        if timestamp > self.max_timestamp:
            self.max_timestamp = timestamp

    def extend_sized(
        self, timestamp: int, keys: list[bytes | None], values: list[bytes | None], added_bytes: int
    ) -> None:
        """Append records (no headers) that the caller already sized and found to fit, all at ``timestamp``.

        For the producer's bulk path (KafkaProducer.send_run), which applies the
        same rule as ``try_append`` record by record (``fits_uncompressed`` on a
        near tie) and hands over a whole run at once; ``added_bytes`` is the sum
        of the records' sizes, length varints included.
        """
        n = len(keys)
        if not n:
            return
        first = self.first_timestamp
        if first is None:
            first = self.first_timestamp = timestamp
        self._keys.extend(keys)
        self._values.extend(values)
        self._ts_deltas.extend([timestamp - first] * n)
        self.uncompressed_records_size += added_bytes
        self.record_count += n
        if timestamp > self.max_timestamp:
            self.max_timestamp = timestamp

    def fits_uncompressed(self, size: int, uncompressed: int) -> bool:
        """The exact ``_fits`` rule for a record of ``size`` bytes after ``uncompressed`` record bytes."""
        room = self.write_limit - RECORD_BATCH_OVERHEAD - size
        if self._codec_id == 0:
            return room >= uncompressed
        scaled = to_float32(to_float32(uncompressed * self.estimated_compression_ratio) * _ESTIMATION_FACTOR)
        return room >= int(scaled)

    def bulk_state(self, timestamp: int) -> tuple[int, int, int, float, int] | None:
        """What a bulk appender needs to apply ``try_append``'s rule itself, or None once closed.

        (record_count, uncompressed_records_size, write limit - 61, estimated ratio *
        1.05 or 0.0 without a codec, the bytes every record at ``timestamp`` spends
        outside its key and value: attributes, timestamp delta varint, header count).
        """
        if self._append_closed:
            return None
        first = self.first_timestamp
        ts_delta = 0 if first is None else timestamp - first
        return (
            self.record_count,
            self.uncompressed_records_size,
            self.write_limit - RECORD_BATCH_OVERHEAD,
            self._ratio_times_factor if self._codec_id else 0.0,
            2 + varint_size(ts_delta),
        )

    def _estimated_bytes_written(self) -> int:
        uncompressed = self.uncompressed_records_size
        if self._codec_id == 0:
            return RECORD_BATCH_OVERHEAD + uncompressed
        if uncompressed != self._estimate_for:
            # (int) (uncompressed * ratio * 1.05f), each product rounded to a Java float.
            scaled = to_float32(to_float32(uncompressed * self.estimated_compression_ratio) * _ESTIMATION_FACTOR)
            self._estimate = RECORD_BATCH_OVERHEAD + int(scaled)
            self._estimate_for = uncompressed
        return self._estimate

    def is_full(self) -> bool:
        # The write limit only counts once a record is in: batch.size=0 still sends one-record batches.
        if self._append_closed:
            return True
        return self.record_count > 0 and self.write_limit <= self._estimated_bytes_written()

    def has_room_for(
        self, timestamp: int, key: bytes | None, value: bytes | None, headers: Sequence[Header] = ()
    ) -> bool:
        """MemoryRecordsBuilder.hasRoomFor: the first record always fits.

        Later ones fit while estimate + the new record's exact size stays
        within the write limit; the new record's own compression is ignored.
        Example (none, batch.size 16384, null key, 100-byte value): a record
        takes 109 bytes, 110 from offset delta 64 on (two-byte varint), so
        61 + 64 * 109 + 84 * 110 = 16277 bytes hold 148 records and the 149th
        would make 16387.
        """
        if self._append_closed:
            return False
        count = self.record_count
        if count == 0:
            return True
        first = self.first_timestamp
        ts_delta = 0 if first is None else timestamp - first
        return self._fits(with_length(body_size(ts_delta, count, key, value, headers)))

    def _fits(self, size: int) -> bool:
        # Kafka also checks isFull() first, but a record that fits implies the
        # batch was not full (size > 0), so one comparison decides both.
        room = self.write_limit - RECORD_BATCH_OVERHEAD - size
        uncompressed = self.uncompressed_records_size
        if self._codec_id == 0:
            return room >= uncompressed
        # Java rounds both products to a float; a double is within 2e-7
        # relative of that, so only a near tie needs the exact float path.
        approx = uncompressed * self._ratio_times_factor
        if approx < 16_000_000:
            if room - approx > 4:
                return True
            if room - approx < -4:
                return False
        return room + RECORD_BATCH_OVERHEAD >= self._estimated_bytes_written()

    def estimated_size_in_bytes(self) -> int:
        """Exact once closed or when not compressing; the estimate otherwise."""
        if self._built is not None:
            return len(self._built)
        return self._estimated_bytes_written()

    def uncompressed_bytes_written(self) -> int:
        return self.uncompressed_records_size + RECORD_BATCH_OVERHEAD

    def close_for_record_appends(self) -> None:
        self._append_closed = True

    # -- building --

    def close(
        self,
        base_offset: int = 0,
        producer_id: int = NO_PRODUCER_ID,
        producer_epoch: int = NO_PRODUCER_EPOCH,
        base_sequence: int = NO_SEQUENCE,
        partition_leader_epoch: int = NO_PARTITION_LEADER_EPOCH,
        is_transactional: bool = False,
    ) -> bytes:
        """Encode and compress for real; sets ``compression_ratio`` and ``size_in_bytes``.

        ``compression_ratio`` is MemoryRecordsBuilder's actualCompressionRatio:
        (batch size - 61) / uncompressed record bytes as a Java float, 1.0 for
        an empty builder.  Closing again (a retry with new producer state)
        reuses the compressed records and only rewrites the header.
        """
        _validate_producer_state(producer_id, producer_epoch, base_sequence, is_transactional)
        self._append_closed = True
        if self.record_count == 0:
            self._built = b""
            self.size_in_bytes = 0
            return b""
        if self._records_part is None:
            raw = encode_records(self._keys, self._values, self._ts_deltas, self._headers, self._sections)
            if self._codec_id:
                self._records_part = compress(self.compression_type, raw, self.compression_level)
            else:
                self._records_part = raw
            self.compression_ratio = to_float32(len(self._records_part) / self.uncompressed_records_size)
        attributes = self._codec_id | (TRANSACTIONAL_MASK if is_transactional else 0)
        built = assemble_batch(
            self._records_part,
            attributes=attributes,
            count=self.record_count,
            base_offset=base_offset,
            partition_leader_epoch=partition_leader_epoch,
            base_timestamp=self.first_timestamp,  # type: ignore[arg-type]
            max_timestamp=self.max_timestamp,
            producer_id=producer_id,
            producer_epoch=producer_epoch,
            base_sequence=base_sequence,
        )
        self._built = built
        self.size_in_bytes = len(built)
        return built


def encode_batch(
    records: Sequence[tuple[bytes | None, bytes | None, int, Sequence[Header]]],
    compression_type: str = "none",
    base_offset: int = 0,
    producer_id: int = NO_PRODUCER_ID,
    producer_epoch: int = NO_PRODUCER_EPOCH,
    base_sequence: int = NO_SEQUENCE,
    partition_leader_epoch: int = NO_PARTITION_LEADER_EPOCH,
    is_transactional: bool = False,
    compression_level: int | None = None,
    base_timestamp: int | None = None,
) -> bytes:
    """One v2 batch holding ``records``, each (key, value, timestamp_ms, headers).

    ``base_timestamp`` defaults to the first record's timestamp, as the Java
    builder sets it.  No records gives b"" (MemoryRecords.EMPTY).
    """
    builder = BatchBuilder(compression_type, compression_level, 0x7FFFFFFF, base_timestamp)
    append = builder.append
    for key, value, timestamp, headers in records:
        append(timestamp, key, value, headers)
    return builder.close(
        base_offset=base_offset,
        producer_id=producer_id,
        producer_epoch=producer_epoch,
        base_sequence=base_sequence,
        partition_leader_epoch=partition_leader_epoch,
        is_transactional=is_transactional,
    )
