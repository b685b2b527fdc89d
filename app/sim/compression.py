"""Record-batch compression codecs and the producer's compression-ratio estimate.

Models ``org.apache.kafka.common.compress.*`` (the byte framing each codec
writes inside a v2 batch) and ``CompressionRatioEstimator``.  The compressed
bytes are real, so ratios and batch sizes are real; they need not be
bit-identical to the Java client's, because the compressors are other builds
(zlib, liblz4 and libzstd at other versions; cramjam's Rust snappy instead of
snappy-java).  Libraries: zlib (stdlib), cramjam (snappy), python-lz4 and
zstandard (C liblz4 and libzstd, the libraries lz4-java and zstd-jni wrap).  The framing around them follows Kafka:

- gzip: a GZIPOutputStream-style member (10-byte header with mtime 0, XFL 0,
  OS 255 as JDK 16+ writes it; raw deflate; CRC-32 and size trailer).
- snappy: xerial snappy-java's stream format (SnappyFactory wraps the batch in
  ``SnappyOutputStream``): magic header, then 32 KiB input blocks, each a
  big-endian length and a raw snappy block.  kafka-python writes the same.
- lz4: Kafka's Lz4BlockOutputStream: an LZ4 frame with 64 KiB independent
  blocks, no block or content checksum, no content size; a block that does not
  shrink is stored raw with the high bit of its length set.  Blocks come from
  python-lz4 (the C liblz4, as lz4-java's JNI build uses).
- zstd: a zstd frame written as a stream (no content size), as zstd-jni's
  ZstdOutputStream writes it.

Levels (KIP-390, Kafka 3.8+): ``compression.gzip.level`` 1..9 or -1 (zlib's
default, 6); ``compression.lz4.level`` 1..17, default 9 (Kafka uses lz4's fast
compressor at the default level and the HC compressor at any other, and the
lz4 library caps HC levels at 12, so 12..17 compress alike);
``compression.zstd.level`` -131072..22, default 3.  Snappy has no levels.
"""

from __future__ import annotations

import struct
import threading
import zlib
from typing import Final

import cramjam
import lz4.block
import lz4.frame
import zstandard

__all__ = [
    "CODECS",
    "CODEC_IDS",
    "CODEC_BY_ID",
    "DEFAULT_LEVELS",
    "LEVEL_RANGES",
    "compress",
    "decompress",
    "validate_level",
    "CompressionRatioEstimator",
]

CODECS: Final = ("none", "gzip", "snappy", "lz4", "zstd")
# Attribute bits 0-2 of a v2 batch (CompressionType.id).
CODEC_IDS: Final = {name: i for i, name in enumerate(CODECS)}
CODEC_BY_ID: Final = dict(enumerate(CODECS))

DEFAULT_LEVELS: Final = {"gzip": -1, "lz4": 9, "zstd": 3}
LEVEL_RANGES: Final = {"gzip": (1, 9), "lz4": (1, 17), "zstd": (-131072, 22)}
_LEVEL_CONFIG: Final = {
    "gzip": "compression.gzip.level",
    "lz4": "compression.lz4.level",
    "zstd": "compression.zstd.level",
}


def _check_codec(codec: str) -> None:
    if codec not in CODEC_IDS:
        raise ValueError(f"Unknown compression type {codec!r}; valid types are {', '.join(CODECS)}")


def validate_level(codec: str, level: int | None) -> int | None:
    """The effective level for ``codec``: the default when ``level`` is None.

    Raises ValueError naming the config key and its valid range, as Kafka's
    ConfigDef.Range does.
    """
    _check_codec(codec)
    if codec not in LEVEL_RANGES:
        if level is not None:
            raise ValueError(f"Compression type {codec} does not support levels (got {level})")
        return None
    if level is None:
        return DEFAULT_LEVELS[codec]
    low, high = LEVEL_RANGES[codec]
    if not (low <= level <= high or (codec == "gzip" and level == -1)):
        extra = " or -1" if codec == "gzip" else ""
        raise ValueError(
            f"Invalid value {level} for configuration {_LEVEL_CONFIG[codec]}: "
            f"Value must be between {low} and {high}{extra}"
        )
    return level


# --- gzip -----------------------------------------------------------------

# GZIPOutputStream's header: magic, CM=deflate, FLG=0, MTIME=0, XFL=0, OS=255.
_GZIP_HEADER: Final = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
_pack_gzip_trailer = struct.Struct("<II").pack


def _gzip_compress(data: bytes, level: int) -> bytes:
    deflater = zlib.compressobj(level, zlib.DEFLATED, -zlib.MAX_WBITS)
    body = deflater.compress(data) + deflater.flush()
    return b"".join((_GZIP_HEADER, body, _pack_gzip_trailer(zlib.crc32(data), len(data) & 0xFFFFFFFF)))


def _gzip_decompress(data: bytes) -> bytes:
    # 16 + MAX_WBITS: expect a gzip header and check its trailer.
    return zlib.decompress(data, 16 + zlib.MAX_WBITS)


# --- snappy (xerial framing) ----------------------------------------------

_XERIAL_MAGIC: Final = b"\x82SNAPPY\x00"
_XERIAL_HEADER: Final = _XERIAL_MAGIC + struct.pack(">ii", 1, 1)  # version 1, min compatible 1
_XERIAL_BLOCK: Final = 32 * 1024  # snappy-java's default block size
_pack_be_int = struct.Struct(">i").pack
_unpack_be_int = struct.Struct(">i").unpack_from
_snappy_raw = cramjam.snappy.compress_raw
_snappy_raw_decompress = cramjam.snappy.decompress_raw


def _snappy_compress(data: bytes) -> bytes:
    if not data:
        return b""  # snappy-java writes its header with the first block
    parts = [_XERIAL_HEADER]
    view = memoryview(data)
    for start in range(0, len(data), _XERIAL_BLOCK):
        block = bytes(_snappy_raw(view[start : start + _XERIAL_BLOCK]))
        parts.append(_pack_be_int(len(block)))
        parts.append(block)
    return b"".join(parts)


def _snappy_decompress(data: bytes) -> bytes:
    if not data:
        return b""
    if not data.startswith(_XERIAL_MAGIC):
        # Some clients (librdkafka with old settings) write raw snappy.
        return bytes(_snappy_raw_decompress(data))
    parts = []
    pos = len(_XERIAL_HEADER)
    view = memoryview(data)
    while pos < len(data):
        (size,) = _unpack_be_int(data, pos)
        pos += 4
        if size < 0 or pos + size > len(data):
            raise ValueError(f"truncated xerial snappy block: need {size} bytes, have {len(data) - pos}")
        parts.append(bytes(_snappy_raw_decompress(view[pos : pos + size])))
        pos += size
    return b"".join(parts)


# --- lz4 (Kafka's frame writer) -------------------------------------------

_LZ4_BLOCK: Final = 64 * 1024
# Magic 0x184D2204 (LE), FLG 0x60 (version 01, independent blocks, no
# checksums, no content size), BD 0x40 (64 KiB blocks), and the header
# checksum byte: (xxHash32(b"\x60\x40", seed 0) >> 8) & 0xFF == 0x82.
_LZ4_FRAME_HEADER: Final = b"\x04\x22\x4d\x18\x60\x40\x82"
_LZ4_END_MARK: Final = b"\x00\x00\x00\x00"
_LZ4_INCOMPRESSIBLE: Final = 0x80000000
_pack_le_uint = struct.Struct("<I").pack
# python-lz4 wraps the C liblz4 that lz4-java's JNI compressors also use.
# (cramjam's lz4 block compressor ignores its mode and level arguments.)
_lz4_block = lz4.block.compress


def _lz4_compress(data: bytes, level: int) -> bytes:
    if level == DEFAULT_LEVELS["lz4"]:
        options: dict[str, object] = {"mode": "default"}  # lz4-java fastCompressor, acceleration 1
    else:
        options = {"mode": "high_compression", "compression": level}
    parts = [_LZ4_FRAME_HEADER]
    view = memoryview(data)
    for start in range(0, len(data), _LZ4_BLOCK):
        chunk = view[start : start + _LZ4_BLOCK]
        block = _lz4_block(chunk, store_size=False, **options)
        if len(block) >= len(chunk):
            parts.append(_pack_le_uint(len(chunk) | _LZ4_INCOMPRESSIBLE))
            parts.append(bytes(chunk))
        else:
            parts.append(_pack_le_uint(len(block)))
            parts.append(block)
    parts.append(_LZ4_END_MARK)
    return b"".join(parts)


def _lz4_decompress(data: bytes) -> bytes:
    return lz4.frame.decompress(data)


# --- zstd ---------------------------------------------------------------

# zstd-jni's ZstdOutputStream compresses a stream of unknown length: no content
# size in the frame header, and libzstd picks its parameters for "unknown size"
# (with a known small size it tunes them down, and 16 KiB of JSON compresses
# about 1% worse).  zstandard's compressobj is that same streaming API.


class _ZstdPool:
    """Compressors lent to one thread at a time and kept for reuse within a memory budget.

    A ZstdCompressor used by two threads at once corrupts frames or crashes the process, and the
    web server compresses on several threads (a lab's run, a what-if sweep, the codec comparison).
    Its context is costly to set up and to keep for a stream of unknown size: about 2 MB at level 3,
    11 MB at 9, 170 MB at 20 and 740 MB at 22, set up in half a second. So a compressor is lent to
    one thread at a time; at most KEEP_LOW idle ones below level HIGH stay for reuse, and at most one
    at HIGH or above, where compressions also run one at a time: a learner trying level 22 must not
    leave a gigabyte behind per thread.
    """

    HIGH: Final = 10
    KEEP_LOW: Final = 8

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._idle_low: list[tuple[int, zstandard.ZstdCompressor]] = []  # oldest first
        self._idle_high: tuple[int, zstandard.ZstdCompressor] | None = None
        self._high_gate = threading.Lock()

    def compress(self, data: bytes, level: int) -> bytes:
        if level < self.HIGH:
            return self._compress(data, level)
        with self._high_gate:
            return self._compress(data, level)

    def _compress(self, data: bytes, level: int) -> bytes:
        compressor = self._take(level) or zstandard.ZstdCompressor(level=level)
        stream = compressor.compressobj()
        out = stream.compress(data) + stream.flush()
        self._give(level, compressor)
        return out

    def _take(self, level: int) -> zstandard.ZstdCompressor | None:
        with self._lock:
            if level >= self.HIGH:
                if self._idle_high is not None and self._idle_high[0] == level:
                    compressor, self._idle_high = self._idle_high[1], None
                    return compressor
                return None
            for i in range(len(self._idle_low) - 1, -1, -1):
                if self._idle_low[i][0] == level:
                    return self._idle_low.pop(i)[1]
            return None

    def _give(self, level: int, compressor: zstandard.ZstdCompressor) -> None:
        with self._lock:
            if level >= self.HIGH:
                self._idle_high = (level, compressor)  # the one kept before, at another level, is freed
                return
            self._idle_low.append((level, compressor))
            if len(self._idle_low) > self.KEEP_LOW:
                del self._idle_low[0]

    def idle(self) -> list[int]:
        """Levels of the compressors kept for reuse (for tests)."""
        with self._lock:
            return [lvl for lvl, _ in self._idle_low] + ([self._idle_high[0]] if self._idle_high else [])


_zstd_pool = _ZstdPool()
# Decompression contexts are small: one per thread.
_zstd_local = threading.local()


def _zstd_compress(data: bytes, level: int) -> bytes:
    return _zstd_pool.compress(data, level)


def _zstd_decompress(data: bytes) -> bytes:
    decompressor: zstandard.ZstdDecompressor | None = getattr(_zstd_local, "decompressor", None)
    if decompressor is None:
        decompressor = _zstd_local.decompressor = zstandard.ZstdDecompressor()
    return decompressor.decompressobj().decompress(data)


def compress(codec: str, data: bytes, level: int | None = None) -> bytes:
    """Compress the records part of a batch the way the Java producer frames it."""
    level = validate_level(codec, level)
    if codec == "lz4":
        return _lz4_compress(data, level)  # type: ignore[arg-type]
    if codec == "zstd":
        return _zstd_compress(data, level)  # type: ignore[arg-type]
    if codec == "snappy":
        return _snappy_compress(data)
    if codec == "gzip":
        return _gzip_compress(data, level)  # type: ignore[arg-type]
    return bytes(data)


def decompress(codec: str, data: bytes) -> bytes:
    """Inverse of :func:`compress`; also reads other clients' framings of the same codec."""
    _check_codec(codec)
    if codec == "lz4":
        return _lz4_decompress(data)
    if codec == "zstd":
        return _zstd_decompress(data)
    if codec == "snappy":
        return _snappy_decompress(data)
    if codec == "gzip":
        return _gzip_decompress(data)
    return bytes(data)


# --- the producer's ratio estimate ----------------------------------------

_f32 = struct.Struct("<f")


def to_float32(x: float) -> float:
    """Round to the nearest Java ``float``: Kafka keeps these ratios in 32 bits."""
    return _f32.unpack(_f32.pack(x))[0]


_IMPROVING_STEP: Final = to_float32(0.005)
_DETERIORATE_STEP: Final = to_float32(0.05)


class CompressionRatioEstimator:
    """Kafka's CompressionRatioEstimator: a per-topic, per-codec float estimate.

    In Java it is static (one table per JVM, shared by every producer in it);
    here one instance plays that role.  Every estimate starts at 1.0
    (CompressionType.rate).  After each batch closes, the producer feeds back
    compressed/uncompressed of that batch:

    - worse than the estimate: jump to max(estimate + 0.05, observed);
    - better: creep down by 0.005 (the source does not clamp at observed).

    Worked example: estimate 1.0, batches compress to 0.30.  The estimate goes
    0.995, 0.990, ... and needs 140 batches to reach 0.30, so for a long time
    the builder assumes little compression and closes gzip batches far below
    batch.size.  One batch at 0.40 while the estimate is 0.30 lifts it at once
    to 0.40 (0.30 + 0.05 = 0.35 < 0.40).
    """

    __slots__ = ("_ratios",)

    def __init__(self) -> None:
        self._ratios: dict[str, list[float]] = {}

    def _for_topic(self, topic: str) -> list[float]:
        ratios = self._ratios.get(topic)
        if ratios is None:
            ratios = self._ratios[topic] = [1.0] * len(CODECS)
        return ratios

    def estimation(self, topic: str, codec: str) -> float:
        _check_codec(codec)
        return self._for_topic(topic)[CODEC_IDS[codec]]

    def update(self, topic: str, codec: str, observed: float) -> float:
        """Feed back one closed batch's ratio; returns the new estimate."""
        _check_codec(codec)
        ratios = self._for_topic(topic)
        i = CODEC_IDS[codec]
        current = ratios[i]
        observed = to_float32(observed)
        if observed > current:
            ratios[i] = max(to_float32(current + _DETERIORATE_STEP), observed)
        elif observed < current:
            ratios[i] = to_float32(current - _IMPROVING_STEP)
        return ratios[i]

    def set_estimation(self, topic: str, codec: str, ratio: float) -> None:
        _check_codec(codec)
        self._for_topic(topic)[CODEC_IDS[codec]] = to_float32(ratio)

    def reset(self, topic: str) -> None:
        self._ratios[topic] = [1.0] * len(CODECS)

    def remove(self, topic: str) -> None:
        self._ratios.pop(topic, None)
