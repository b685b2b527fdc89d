"""Record sizes as ``DefaultRecord.sizeInBytes`` and ``AbstractRecords`` compute them."""

from __future__ import annotations

from typing import Sequence

from app.sim.records.header import MAX_RECORD_OVERHEAD, RECORD_BATCH_OVERHEAD, Header
from app.sim.varint import VARINT_SIZES, VARINT_TABLE_MAX, varint_size


def _headers_size(headers: Sequence[Header]) -> int:
    size = varint_size(len(headers))
    for key, value in headers:
        if key is None:
            raise ValueError("Invalid null header key found in headers")
        n = len(key.encode("utf-8"))
        size += varint_size(n) + n
        size += 1 if value is None else varint_size(len(value)) + len(value)
    return size


def _key_value_headers_size(key: bytes | None, value: bytes | None, headers: Sequence[Header]) -> int:
    size = 1 if key is None else varint_size(len(key)) + len(key)
    size += 1 if value is None else varint_size(len(value)) + len(value)
    return size + (_headers_size(headers) if headers else 1)


def record_size_in_bytes(
    offset_delta: int,
    timestamp_delta: int,
    key: bytes | None,
    value: bytes | None,
    headers: Sequence[Header] = (),
) -> int:
    """DefaultRecord.sizeInBytes: the whole record, its own length varint included."""
    body = 1 + varint_size(offset_delta) + varint_size(timestamp_delta)
    body += _key_value_headers_size(key, value, headers)
    return varint_size(body) + body


def estimate_size_upper_bound(key: bytes | None, value: bytes | None, headers: Sequence[Header] = ()) -> int:
    """AbstractRecords.estimateSizeInBytesUpperBound for v2: 61 + 21 + key, value, headers.

    The accumulator allocates max(batch.size, this) for a new batch, so one
    record bigger than batch.size still gets a batch of its own.
    """
    return RECORD_BATCH_OVERHEAD + MAX_RECORD_OVERHEAD + _key_value_headers_size(key, value, headers)


def body_size(
    ts_delta: int,
    offset_delta: int,
    key: bytes | None,
    value: bytes | None,
    headers: Sequence[Header],
    sizes: list[int] = VARINT_SIZES,
    top: int = VARINT_TABLE_MAX,
) -> int:
    """DefaultRecord.sizeOfBodyInBytes with table lookups: runs once per produced record."""
    body = 1 + (sizes[ts_delta + 1] if -1 <= ts_delta <= top else varint_size(ts_delta))
    body += sizes[offset_delta + 1] if offset_delta <= top else varint_size(offset_delta)
    if key is None:
        body += 1
    else:
        n = len(key)
        body += (sizes[n + 1] if n <= top else varint_size(n)) + n
    if value is None:
        body += 1
    else:
        n = len(value)
        body += (sizes[n + 1] if n <= top else varint_size(n)) + n
    return body + (_headers_size(headers) if headers else 1)


def with_length(body: int, sizes: list[int] = VARINT_SIZES, top: int = VARINT_TABLE_MAX) -> int:
    """A record's size from its body's: the length varint comes on top."""
    return (sizes[body + 1] if body <= top else varint_size(body)) + body
