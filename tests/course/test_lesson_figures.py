"""Figures quoted in lessons are recomputed here, so a lesson never shows numbers the code no longer gives."""

from __future__ import annotations

import random
import re

from app.paths import CONTENT_DIR
from app.sim.murmur2 import murmur2, partition_for_key
from app.sim.payloads import make_payload_generator
from app.sim.records import RECORD_BATCH_OVERHEAD, encode_batch


def test_compression_lesson_table_matches_the_generator() -> None:
    text = (CONTENT_DIR / "kafka" / "kafka-compression.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| (none|lz4|snappy|gzip|zstd) \| (\d+) \|", text, flags=re.MULTILINE))
    assert set(rows) == {"none", "lz4", "snappy", "gzip", "zstd"}

    values = make_payload_generator("json", 130, random.Random(7))
    records = [(f"order-{i}".encode(), values.next(), 1_700_000_000_000 + i, []) for i in range(100)]
    for codec, quoted in rows.items():
        assert len(encode_batch(records, codec)) == int(quoted), codec
    assert RECORD_BATCH_OVERHEAD == 61


def test_partitioner_lesson_examples() -> None:
    assert murmur2(b"21") == -973932308
    assert partition_for_key(b"21", 3) == 0
    assert abs(murmur2(b"21")) % 3 == 2
    assert partition_for_key(b"user-1", 6) == 2
    assert partition_for_key(b"user-1", 8) == 4
    assert partition_for_key(b"order-42", 6) == 0
