"""The compression lab: codec and level, payload type, real ratios per batch, bytes on the wire, and every codec compared.

One producer, two partitions, 400 keyed records a second of 200 bytes, linger.ms=50:
batches of about ten records (2 KB), enough for a codec to find the redundancy JSON and
log lines have, so the ratio (compressed / uncompressed, Kafka's compression-rate) shows
at once. The simulator compresses every batch for real (app/sim/compression.py), so the
ratio per batch and the bytes on the wire are measured, not modelled.

The payload (json, logs, random, or text: the learner's pasted ``text``, at most
``MAX_TEXT_BYTES`` of UTF-8 so a link stays usable) is the application's data, not a Kafka
config: a change starts the run again with the new data (``notes`` says so on the page).

``compare`` encodes the same batches with every codec through app.sim.records. Its
CPU time is wall time measured on this server, outside any simulated run, and is
labelled so: the simulator itself never reads a clock.
"""

from __future__ import annotations

import random
import time
from typing import Any

from app.live.labs import Lab, Scope, Setting, TextSetting, quoted, text_problem
from app.live.labs.batching import BatchWatch
from app.live.protocol import ProtocolError
from app.sim.compression import CODECS, DEFAULT_LEVELS, LEVEL_RANGES, validate_level
from app.sim.payloads import make_payload_generator
from app.sim.records import encode_batch

PAYLOADS = ("json", "logs", "random")
#: Pasted text, for the live run and for the comparison alike: at most this many bytes of UTF-8. One number for
#: one text box: the live run's text is a start setting, so every link carries it (app/live/links.py).
MAX_TEXT_BYTES = 4096
VALUE_BYTES = 200
COMPARE_BATCHES = 8
EPOCH_MS = 1_767_225_600_000  # 2026-01-01T00:00:00Z: the timestamps written into the compared batches


class CompressionLab(Lab):
    """A Lab whose ``payload`` and ``text`` settings pick the workload's values rather than a topic config."""

    def build_spec(self, values: dict[str, Any]) -> dict[str, Any]:
        spec = super().build_spec({k: v for k, v in values.items() if k not in ("payload", "text")})
        spec["workload"]["value"] = values.get("payload", self.preset["payload"])
        if spec["workload"]["value"] == "text":
            spec["workload"]["text"] = values["text"]
        return spec

    def check_start(self, values: dict[str, Any]) -> None:
        if values.get("payload") == "text" and not values.get("text"):
            raise ProtocolError("bad_value", "payload=text needs your text first: paste it under 'my own text' and use it for the live run "
                                "(it sets text, then payload=text)", "set_config")


class CompareError(ValueError):
    """A bad comparison request (HTTP 422); the message names the field and what is allowed."""


#: Timing passes per codec at most: the best of them is the codec's time.
TIMING_PASSES = 5
#: Once a comparison has spent this long, each codec left gets a single pass: at zstd 22 one pass over 500-record
#: batches takes about half a second, and every codec's passes share this server's CPU with the live labs.
TIME_BUDGET_S = 0.5
def _check_text(payload: str, text: Any) -> None:
    """``text`` is the data to compress with payload text, and refused with any other payload (it would be ignored)."""
    if payload != "text":
        if text is not None:
            raise CompareError(f"text is only for payload text; got payload {payload} with a text: "
                               "leave text out, or send payload text")
        return
    problem = text_problem("text", "" if text is None else text, MAX_TEXT_BYTES)
    if problem:
        raise CompareError(problem)


def _level(codec: str, raw: Any) -> int | None:
    """One codec's level from JSON: a whole number in Kafka's range (3.0 is 3; 3.9, true and Infinity are refused)."""
    if raw is None:
        return validate_level(codec, None)
    if type(raw) is int or (type(raw) is float and raw.is_integer()):
        try:
            return validate_level(codec, int(raw))
        except ValueError:
            pass
    low, high = LEVEL_RANGES[codec]
    valid = f"an integer from {low} to {high}" + (", or -1" if codec == "gzip" else "")
    raise CompareError(f"levels.{codec} must be {valid} (compression.{codec}.level); got {quoted(raw)}")


def _levels(levels: Any) -> dict[str, int | None]:
    """Each codec's level: the ones given, Kafka's defaults for the rest, None for codecs without levels."""
    if levels is None:
        levels = {}
    if not isinstance(levels, dict):
        raise CompareError(f'levels must be an object such as {{"zstd": 3}}; got {quoted(levels)}')
    unknown = sorted(set(levels) - set(LEVEL_RANGES))
    if unknown:
        raise CompareError(f"levels takes only {', '.join(LEVEL_RANGES)} (the codecs with a level); got {quoted(unknown[0])}")
    return {codec: _level(codec, levels.get(codec)) if codec in LEVEL_RANGES else None for codec in CODECS}


def _timed_row(batches: list[list[Any]], codec: str, level: int | None, deadline: float) -> dict[str, Any]:
    """The batches' encoded size and compress time, the best of up to TIMING_PASSES passes (one past ``deadline``)."""
    encode_batch(batches[0], codec, compression_level=level)  # warm up: the first call sets up the codec's context
    # Best of a few passes: one pass on a busy server measures the server, not the codec.
    spent = float("inf")
    for _ in range(TIMING_PASSES):
        start = time.perf_counter()
        sizes = [len(encode_batch(batch, codec, compression_level=level)) for batch in batches]
        spent = min(spent, time.perf_counter() - start)
        if time.perf_counter() > deadline:
            break
    return {"codec": codec, "level": level, "bytes": sum(sizes), "us_per_batch": round(spent * 1e6 / len(batches), 1)}


def compare(payload: str = "json", text: str | None = None, records_per_batch: int = 10,
            levels: dict[str, Any] | None = None, seed: int = 5) -> dict[str, Any]:
    """The same batches encoded with every codec: sizes, ratio and compress time per batch (measured on this server)."""
    deadline = time.perf_counter() + TIME_BUDGET_S
    if not isinstance(payload, str) or payload not in PAYLOADS + ("text",):
        raise CompareError(f"payload must be one of {', '.join(PAYLOADS + ('text',))}; got {quoted(payload)}")
    _check_text(payload, text)
    if type(records_per_batch) is not int or not 1 <= records_per_batch <= 500:
        raise CompareError(f"records_per_batch must be an integer from 1 to 500; got {quoted(records_per_batch)}")
    chosen = _levels(levels)
    rng = random.Random(seed)
    values = make_payload_generator(payload, VALUE_BYTES, rng, text)
    batches = [[(f"key-{(b * records_per_batch + i) % 20}".encode(), values.next(), EPOCH_MS + b * 50 + i, ())
                for i in range(records_per_batch)] for b in range(COMPARE_BATCHES)]
    rows = [_timed_row(batches, codec, chosen[codec], deadline) for codec in CODECS]
    plain = rows[0]["bytes"]
    for r in rows:
        r["ratio"] = round(r["bytes"] / plain, 4)
    return {"payload": payload, "records_per_batch": records_per_batch, "batches": COMPARE_BATCHES, "value_bytes": VALUE_BYTES,
            "uncompressed_bytes": plain, "rows": rows,
            "cpu_note": f"Compress time is wall time measured on this server for these batches (the best of up to {TIMING_PASSES} "
                        f"passes, a single one once the comparison has taken {TIME_BUDGET_S:g} s), outside the simulation; "
                        "it varies from run to run and machine to machine."}


COMPRESSION = CompressionLab(
    name="compression",
    title="compression.type, levels and what each codec saves",
    base_spec={
        "kafka_version": "4.0",
        "cluster": {"brokers": 3, "latency_ms": 2.0},
        "topic": {"name": "events", "partitions": 2, "replication.factor": 1},
        "producer": {"acks": "all", "linger.ms": 50},
        "workload": {"records_per_sec": 400, "keys": 20, "value": "json", "value_bytes": VALUE_BYTES},
        "duration_ms": 600_000,
        "settle_ms": 0,
        "trace": {"records": False},
    },
    settings=(
        Setting("compression.type", Scope.PRODUCER, "compression.type", choices=CODECS),
        Setting("compression.gzip.level", Scope.PRODUCER, "compression.gzip.level",
                choices=("-1", "1", "2", "3", "4", "5", "6", "7", "8", "9")),
        Setting("compression.lz4.level", Scope.PRODUCER, "compression.lz4.level", low=1, high=17),
        # Kafka takes -131072..22; the lab's slider stops at -7, past which zstd barely compresses.
        Setting("compression.zstd.level", Scope.PRODUCER, "compression.zstd.level", low=-7, high=22),
        # text before random: random bytes stay at the slider's end, the payload that cannot compress.
        Setting("payload", Scope.CREATION, "payload", choices=("json", "logs", "text", "random")),
        TextSetting("text", Scope.CREATION, "text", max_bytes=MAX_TEXT_BYTES),
    ),
    preset={"compression.type": "none", "compression.gzip.level": str(DEFAULT_LEVELS["gzip"]),
            "compression.lz4.level": DEFAULT_LEVELS["lz4"], "compression.zstd.level": DEFAULT_LEVELS["zstd"], "payload": "json",
            "text": ""},
    seed=5,
    speed=0.05,
    notes={"payload": "The application now sends {value} values: the run started again from 0 with the same seed and settings.",
           "text": "The application's pasted text changed: the run started again from 0 with the same seed and settings."},
    view=BatchWatch,
)
