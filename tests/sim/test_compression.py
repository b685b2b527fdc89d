"""Codec framing as Kafka writes it, levels, and the compression-ratio estimator."""

from __future__ import annotations

import gzip
import random
import struct
import subprocess
import sys
import warnings
from pathlib import Path

import lz4.frame
import pytest
import zstandard

from app.sim.compression import (
    CODEC_IDS,
    CODECS,
    CompressionRatioEstimator,
    compress,
    decompress,
    to_float32,
    validate_level,
)

with warnings.catch_warnings():
    # kafka-python 3.0 reads its protocol schemas with importlib.resources
    # read_text/open_text at import time, deprecated since Python 3.11.
    warnings.filterwarnings("ignore", r"(read_text|open_text) is deprecated", DeprecationWarning)
    from kafka import codec as kafka_codec

TEXT = b"".join(b'{"order":%d,"status":"PAID","total":%d.99}\n' % (i, i % 97) for i in range(3000))
NOISE = random.Random(1).randbytes(100_000)


@pytest.mark.parametrize("codec", CODECS)
@pytest.mark.parametrize(
    "data", [b"x", TEXT, NOISE, TEXT[:70_000] + NOISE[:70_000]], ids=["1B", "text", "noise", "mix"]
)
def test_round_trip(codec: str, data: bytes) -> None:
    assert decompress(codec, compress(codec, data)) == data


def test_codec_ids_are_kafka_attribute_values() -> None:
    assert CODEC_IDS == {"none": 0, "gzip": 1, "snappy": 2, "lz4": 3, "zstd": 4}


@pytest.mark.parametrize(
    ("codec", "levels"),
    [("gzip", [-1, 1, 9]), ("lz4", [1, 9, 12, 17]), ("zstd", [-131072, -5, 1, 3, 22])],
)
def test_levels_in_range_round_trip(codec: str, levels: list[int]) -> None:
    for level in levels:
        assert decompress(codec, compress(codec, TEXT, level)) == TEXT


def test_higher_levels_compress_better() -> None:
    assert len(compress("gzip", TEXT, 9)) < len(compress("gzip", TEXT, 1))
    assert len(compress("zstd", TEXT, 19)) < len(compress("zstd", TEXT, 1))
    assert len(compress("lz4", TEXT, 12)) < len(compress("lz4", TEXT))  # HC vs the fast default


@pytest.mark.parametrize(
    ("codec", "level", "message"),
    [
        ("gzip", 0, "Invalid value 0 for configuration compression.gzip.level: "
                    "Value must be between 1 and 9 or -1"),
        ("gzip", 10, "compression.gzip.level"),
        ("lz4", 18, "Invalid value 18 for configuration compression.lz4.level: Value must be between 1 and 17"),
        ("zstd", 23, "Value must be between -131072 and 22"),
        ("snappy", 1, "Compression type snappy does not support levels"),
        ("none", 1, "Compression type none does not support levels"),
    ],
)
def test_bad_levels_name_the_config_and_range(codec: str, level: int, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        compress(codec, TEXT, level)


def test_defaults() -> None:
    assert validate_level("gzip", None) == -1
    assert validate_level("lz4", None) == 9
    assert validate_level("zstd", None) == 3
    assert validate_level("snappy", None) is None


def test_unknown_codec_names_the_valid_ones() -> None:
    with pytest.raises(ValueError, match="valid types are none, gzip, snappy, lz4, zstd"):
        compress("brotli", TEXT)


def test_gzip_is_a_java_style_gzip_member() -> None:
    out = compress("gzip", TEXT)
    # GZIPOutputStream: no name, mtime 0, XFL 0, OS 255 (JDK 16+).
    assert out[:10] == b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
    assert gzip.decompress(out) == TEXT
    assert kafka_codec.gzip_decode(out) == TEXT
    assert decompress("gzip", kafka_codec.gzip_encode(TEXT)) == TEXT


def test_snappy_uses_xerial_framing_with_32k_blocks() -> None:
    out = compress("snappy", NOISE)  # 100,000 bytes -> 4 blocks
    assert out[:16] == b"\x82SNAPPY\x00" + struct.pack(">ii", 1, 1)
    pos, blocks = 16, 0
    while pos < len(out):
        (size,) = struct.unpack_from(">i", out, pos)
        pos += 4 + size
        blocks += 1
    assert pos == len(out) and blocks == 4
    assert kafka_codec.snappy_decode(out) == NOISE
    assert decompress("snappy", kafka_codec.snappy_encode(TEXT)) == TEXT
    assert compress("snappy", b"") == b""  # snappy-java writes the header with the first block


def test_lz4_frame_matches_kafkas_writer() -> None:
    out = compress("lz4", TEXT)
    # Magic, FLG 0x60 (v1, independent blocks, no checksums), BD 0x40 (64 KiB),
    # header checksum 0x82; lz4.frame verifies that checksum while decoding.
    assert out[:7] == b"\x04\x22\x4d\x18\x60\x40\x82"
    assert out[-4:] == b"\x00\x00\x00\x00"
    assert lz4.frame.decompress(out) == TEXT
    assert kafka_codec.lz4_decode(out) == TEXT
    assert decompress("lz4", kafka_codec.lz4_encode(TEXT)) == TEXT


def test_lz4_stores_incompressible_blocks_raw() -> None:
    out = compress("lz4", NOISE[:1000])
    (size,) = struct.unpack_from("<I", out, 7)
    assert size == 1000 | 0x80000000
    assert out[11:1011] == NOISE[:1000]


def test_zstd_is_a_streamed_frame() -> None:
    out = compress("zstd", TEXT)
    assert out[:4] == b"\x28\xb5\x2f\xfd"
    # Frame header descriptor: no content size, not single-segment (as a stream writes it).
    assert out[4] & 0b1110_0000 == 0
    assert zstandard.ZstdDecompressor().decompressobj().decompress(out) == TEXT
    assert decompress("zstd", zstandard.ZstdCompressor(level=3).compress(TEXT)) == TEXT


# --- CompressionRatioEstimator ----------------------------------------------


def test_estimate_starts_at_one_per_topic_and_codec() -> None:
    est = CompressionRatioEstimator()
    assert est.estimation("orders", "gzip") == 1.0
    est.update("orders", "gzip", 0.3)
    assert est.estimation("orders", "lz4") == 1.0
    assert est.estimation("payments", "gzip") == 1.0


def test_better_ratios_creep_down_by_0_005_in_java_floats() -> None:
    est = CompressionRatioEstimator()
    first = est.update("t", "gzip", 0.3)
    assert first == to_float32(1.0 - 0.005) == 0.9950000047683716
    values = [est.update("t", "gzip", 0.3) for _ in range(139)]
    # Not clamped at the observed ratio: each step is 0.005, floats drift a little.
    assert values[-1] == pytest.approx(0.3, abs=1e-4)
    assert est.update("t", "gzip", 0.3) == pytest.approx(0.295, abs=1e-4)


def test_worse_ratios_jump_up() -> None:
    est = CompressionRatioEstimator()
    est.set_estimation("t", "lz4", 0.30)
    # 0.30 + 0.05 = 0.35 < observed 0.40: jump to the observed ratio.
    assert est.update("t", "lz4", 0.40) == to_float32(0.40)
    # 0.40 + 0.05 = 0.45 > observed 0.42: at least the 0.05 step.
    assert est.update("t", "lz4", 0.42) == to_float32(to_float32(0.40) + to_float32(0.05))
    # Equal: unchanged.
    current = est.estimation("t", "lz4")
    assert est.update("t", "lz4", current) == current


def test_reset_and_remove() -> None:
    est = CompressionRatioEstimator()
    est.update("t", "zstd", 0.2)
    est.reset("t")
    assert est.estimation("t", "zstd") == 1.0
    est.update("t", "zstd", 0.2)
    est.remove("t")
    assert est.estimation("t", "zstd") == 1.0


_THREADS_SCRIPT = """
import os, threading
from app.sim.compression import compress, decompress
data = os.urandom(2000) + b"kafka " * 3000
failures = []
def work():
    try:
        for _ in range(3000):
            for codec in ("gzip", "snappy", "lz4", "zstd"):
                assert decompress(codec, compress(codec, data)) == data
    except Exception as exc:
        failures.append(repr(exc))
threads = [threading.Thread(target=work) for _ in range(4)]
for t in threads: t.start()
for t in threads: t.join()
print(failures)
raise SystemExit(1 if failures else 0)
"""


def test_codecs_can_be_used_from_several_threads_at_once() -> None:
    # The server compresses on several threads at once (a lab's run, a what-if sweep, the codec
    # comparison). A zstd context shared between threads crashed the process, so this runs in a child.
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", _THREADS_SCRIPT], cwd=root, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, (done.returncode, done.stdout[-2000:], done.stderr[-2000:])


def test_zstd_keeps_few_compressors_and_one_at_a_high_level() -> None:
    """A context costs up to 740 MB (level 22): the pool keeps a bounded few, whatever levels are used."""
    from app.sim.compression import _ZstdPool

    pool = _ZstdPool()
    for level in list(range(-5, 10)) + [3, 3]:
        assert zstandard.ZstdDecompressor().decompressobj().decompress(pool.compress(TEXT, level)) == TEXT
    assert len(pool.idle()) == _ZstdPool.KEEP_LOW and pool.idle()[-1] == 3
    for level in (12, 15, 12):
        pool.compress(TEXT, level)
    assert sorted(lvl for lvl in pool.idle() if lvl >= _ZstdPool.HIGH) == [12]
