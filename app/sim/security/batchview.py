"""A v2 record batch as nested spans: the 61-byte header field by field, then each record.

Layout as DefaultRecordBatch and DefaultRecord write it (docs/sim.md, "Record batch
v2"). Reads the bytes the simulator's ``encode_batch`` made; an uncompressed batch
shows each record's key and value (readable on a PLAINTEXT connection); a compressed
one shows the compressed block as one span.
"""

from __future__ import annotations

import struct

from app.sim.records import decode_batch
from app.sim.security.hexview import Span
from app.sim.varint import decode_varint

__all__ = ["batch_spans"]

_CODECS = {0: "none", 1: "gzip", 2: "snappy", 3: "lz4", 4: "zstd"}
# (name, struct format) of the header fields in order: 8+4+4+1+4+2+4+8+8+8+2+4+4 = 61 bytes.
_HEADER = [("baseOffset", ">q"), ("batchLength", ">i"), ("partitionLeaderEpoch", ">i"), ("magic", ">b"),
           ("crc", ">I"), ("attributes", ">h"), ("lastOffsetDelta", ">i"), ("baseTimestamp", ">q"),
           ("maxTimestamp", ">q"), ("producerId", ">q"), ("producerEpoch", ">h"), ("baseSequence", ">i"),
           ("recordsCount", ">i")]


def _text(data: bytes) -> str:
    try:
        return repr(data.decode("utf-8"))
    except UnicodeDecodeError:
        return data.hex()


def _varint_span(data: bytes, pos: int, base: int, name: str) -> tuple[Span, int, int]:
    value, end = decode_varint(data, pos)
    return Span(base + pos, end - pos, name, str(value)), value, end


def _record_span(data: bytes, pos: int, base: int, index: int) -> tuple[Span, int]:
    start = pos
    length_span, length, pos = _varint_span(data, pos, base, "length")
    children = [length_span, Span(base + pos, 1, "attributes", str(data[pos]))]
    pos += 1
    for name in ("timestampDelta", "offsetDelta"):
        span, _, pos = _varint_span(data, pos, base, name)
        children.append(span)
    for name in ("key", "value"):
        span, size, pos = _varint_span(data, pos, base, name + "Length")
        children.append(span)
        if size >= 0:
            children.append(Span(base + pos, size, name, _text(data[pos: pos + size])))
            pos += size
    span, count, pos = _varint_span(data, pos, base, "headersCount")
    children.append(span)
    for h in range(count):
        hstart = pos
        span_k, klen, pos = _varint_span(data, pos, base, "headerKeyLength")
        key = data[pos: pos + klen]
        pos += klen
        span_v, vlen, pos = _varint_span(data, pos, base, "headerValueLength")
        pos += max(vlen, 0)
        children.append(Span(base + hstart, pos - hstart, f"header[{h}]", key.decode("utf-8", "replace"),
                             (span_k, span_v)))
    return Span(base + start, pos - start, f"record[{index}]", f"{pos - start} bytes", tuple(children)), pos


def batch_spans(data: bytes, base: int = 0) -> Span:
    """The batch at the start of ``data`` as a span tree; ``base`` is where it sits in the enclosing bytes."""
    batch = decode_batch(data)  # checks the CRC and the layout before we label it
    pos, header = 0, []
    for name, fmt in _HEADER:
        size = struct.calcsize(fmt)
        (value,) = struct.unpack_from(fmt, data, pos)
        shown = str(value)
        if name == "attributes":
            timestamp_type = "LogAppendTime" if value & 8 else "CreateTime"
            shown = (f"{value} (compression={_CODECS[value & 7]}, timestampType={timestamp_type}"
                     f"{', transactional' if value & 16 else ''}{', control' if value & 32 else ''})")
        elif name == "crc":
            shown = f"0x{value:08x} (CRC-32C of attributes..end)"
        header.append(Span(base + pos, size, name, shown))
        pos += size
    total = batch.batch_length + 12
    if batch.attributes & 7:
        records: list[Span] = [Span(base + pos, total - pos, "records (compressed)",
                                    f"{total - pos} bytes of {_CODECS[batch.attributes & 7]}")]
    else:
        records = []
        for index in range(batch.records_count):
            span, pos = _record_span(data, pos, base, index)
            records.append(span)
    return Span(base, total, "RecordBatch (magic 2)", f"{batch.records_count} record(s), {total} bytes",
                (Span(base, 61, "batch header", "61 bytes", tuple(header)), *records))
