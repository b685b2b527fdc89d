"""Payload generators: deterministic, the right size, and compressible like real data."""

from __future__ import annotations

import json
import random

import pytest

from app.sim.compression import compress
from app.sim.payloads import PAYLOAD_KINDS, make_payload_generator


def _values(kind: str, size: int, seed: int = 1, n: int = 200, text: str | None = None) -> list[bytes]:
    return make_payload_generator(kind, size, random.Random(seed), text=text).batch(n)


@pytest.mark.parametrize("kind", ["json", "logs", "random"])
def test_deterministic_per_seed(kind: str) -> None:
    assert _values(kind, 300, seed=42) == _values(kind, 300, seed=42)
    assert _values(kind, 300, seed=42) != _values(kind, 300, seed=43)


def test_values_do_not_depend_on_later_draws_from_the_callers_rng() -> None:
    rng = random.Random(9)
    gen = make_payload_generator("json", 500, rng)
    rng.random()  # the simulation keeps using its generator
    lazily = gen.batch(50)
    assert lazily == _values("json", 500, seed=9, n=50)


def test_next_and_batch_agree() -> None:
    one = make_payload_generator("logs", 120, random.Random(3))
    many = make_payload_generator("logs", 120, random.Random(3))
    singles = [one.next() for _ in range(3000)]  # past the pool: it cycles
    assert many.batch(1000) + many.batch(2000) == singles


@pytest.mark.parametrize("size", [1, 7, 15, 16, 40, 100, 137, 290, 1000, 1024, 5000])
def test_json_is_exact_size_and_parses(size: int) -> None:
    for value in _values("json", size, seed=size):
        assert len(value) == size
        json.loads(value)


def test_json_looks_like_orders() -> None:
    doc = json.loads(_values("json", 1024, n=1)[0])
    assert doc["order_id"].startswith("ord-")
    assert {"customer", "items", "total", "created_at", "status"} <= doc.keys()
    assert doc["items"] and doc["total"] > 0


@pytest.mark.parametrize("kind", ["logs", "random"])
@pytest.mark.parametrize("size", [0, 1, 50, 1024])
def test_other_kinds_are_exact_size(kind: str, size: int) -> None:
    assert {len(v) for v in _values(kind, size)} == {size}


def test_log_lines_have_timestamp_level_and_service() -> None:
    line = _values("logs", 200, n=1)[0].decode()
    stamp, level, service = line.split()[:3]
    assert stamp.startswith("2026-") and stamp.endswith("Z")
    assert level in {"INFO", "DEBUG", "WARN", "ERROR"}
    assert service.startswith("[") and service.endswith("]")


def test_text_is_cycled_to_size() -> None:
    values = _values("text", 50, text="Kafka keeps order per partition. ")
    assert {len(v) for v in values} == {50}
    assert all(v in b"Kafka keeps order per partition. " * 4 for v in values)
    assert len(set(values)) > 1


@pytest.mark.parametrize("text", ["", None])
def test_text_needs_text(text: str | None) -> None:
    with pytest.raises(ValueError, match="payload kind 'text' needs a non-empty text"):
        make_payload_generator("text", 10, random.Random(1), text=text)


def test_unknown_kind_names_the_valid_ones() -> None:
    with pytest.raises(ValueError, match="Unknown payload kind 'xml'; valid kinds are json, logs, random, text"):
        make_payload_generator("xml", 10, random.Random(1))
    assert PAYLOAD_KINDS == ("json", "logs", "random", "text")


def test_negative_size_is_refused() -> None:
    with pytest.raises(ValueError, match="must be >= 0, got -1"):
        make_payload_generator("random", -1, random.Random(1))


@pytest.mark.parametrize("kind", ["json", "logs", "random"])
def test_values_are_distinct_within_a_batch(kind: str) -> None:
    values = _values(kind, 100, n=148)  # one default batch of 100-byte values
    assert len(set(values)) == 148


def _ratio(codec: str, values: list[bytes]) -> float:
    data = b"".join(values)
    return len(compress(codec, data)) / len(data)


def test_gzip_and_zstd_shrink_json_more_than_lz4_and_snappy() -> None:
    values = _values("json", 1024, n=16)  # about one 16 KiB batch
    ratios = {codec: _ratio(codec, values) for codec in ("gzip", "zstd", "lz4", "snappy")}
    assert max(ratios["gzip"], ratios["zstd"]) < min(ratios["lz4"], ratios["snappy"]) < 0.6


def test_logs_compress_too() -> None:
    assert _ratio("lz4", _values("logs", 200, n=80)) < 0.8


def test_random_bytes_do_not_shrink() -> None:
    values = _values("random", 1024, n=16)
    for codec in ("gzip", "zstd", "lz4", "snappy"):
        assert _ratio(codec, values) >= 0.99
