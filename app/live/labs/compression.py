"""The compression lab: codec and level, payload type, real ratios per batch, bytes on the wire, and every codec compared.

One producer, two partitions, 400 keyed records a second of 200 bytes, linger.ms=50:
batches of about ten records (2 KB), enough for a codec to find the redundancy JSON and
log lines have, so the ratio (compressed / uncompressed, Kafka's compression-rate) shows
at once. The simulator compresses every batch for real (app/sim/compression.py), so the
ratio per batch and the bytes on the wire are measured, not modelled.

The payload (json, logs, random, or text: the learner's pasted ``text``, at most
``RUN_TEXT_BYTES`` of UTF-8 so a link stays usable) is the application's data, not a Kafka
config: a change starts the run again with the new data (``notes`` says so on the page).

``compare`` encodes the same batches with every codec through app.sim.records. Its
CPU time is wall time measured on this server, outside any simulated run, and is
labelled so: the simulator itself never reads a clock.
"""

from __future__ import annotations

import random
import time
from typing import Any

from app.live.labs import Lab, Scope, Setting, TextSetting
from app.live.labs.batching import BatchWatch
from app.live.protocol import ProtocolError
from app.sim.compression import CODECS, DEFAULT_LEVELS, validate_level
from app.sim.payloads import make_payload_generator
from app.sim.records import encode_batch

PAYLOADS = ("json", "logs", "random")
#: Pasted text: at most this many UTF-8 bytes.
MAX_TEXT_BYTES = 64 * 1024
#: Pasted text for the live run: at most this many UTF-8 bytes (it is a start setting, so every link carries it).
RUN_TEXT_BYTES = 4096
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


TIMING_PASSES = 5


def compare(payload: str = "json", text: str | None = None, records_per_batch: int = 10,
            levels: dict[str, Any] | None = None, seed: int = 5) -> dict[str, Any]:
    """The same batches encoded with every codec: sizes, ratio and compress time per batch (measured on this server)."""
    if payload not in PAYLOADS + ("text",):
        raise CompareError(f"payload must be one of {', '.join(PAYLOADS + ('text',))}; got {payload!r}")
    if payload == "text":
        if not isinstance(text, str) or not text.strip():
            raise CompareError("text must not be empty: paste some text to compress")
        size = len(text.encode("utf-8"))
        if size > MAX_TEXT_BYTES:
            raise CompareError(f"text must be at most {MAX_TEXT_BYTES} bytes of UTF-8; got {size}")
    if isinstance(records_per_batch, bool) or not isinstance(records_per_batch, int) or not 1 <= records_per_batch <= 500:
        raise CompareError(f"records_per_batch must be an integer from 1 to 500; got {records_per_batch!r}")
    chosen: dict[str, int | None] = {}
    for codec in CODECS:
        raw = (levels or {}).get(codec)
        try:
            chosen[codec] = validate_level(codec, None if raw is None else int(raw))
        except (TypeError, ValueError) as exc:
            raise CompareError(str(exc)) from None
    rng = random.Random(seed)
    values = make_payload_generator(payload, VALUE_BYTES, rng, text)
    batches = [[(f"key-{(b * records_per_batch + i) % 20}".encode(), values.next(), EPOCH_MS + b * 50 + i, ())
                for i in range(records_per_batch)] for b in range(COMPARE_BATCHES)]
    rows = []
    for codec in CODECS:
        level = chosen[codec]
        encode_batch(batches[0], codec, compression_level=level)  # warm up: the first call sets up the codec's context
        # Best of a few passes: one pass on a busy server measures the server, not the codec.
        spent = float("inf")
        for _ in range(TIMING_PASSES):
            start = time.perf_counter()
            sizes = [len(encode_batch(batch, codec, compression_level=level)) for batch in batches]
            spent = min(spent, time.perf_counter() - start)
        rows.append({"codec": codec, "level": level, "bytes": sum(sizes)})
        rows[-1]["us_per_batch"] = round(spent * 1e6 / len(batches), 1)
    plain = rows[0]["bytes"]
    for r in rows:
        r["ratio"] = round(r["bytes"] / plain, 4)
    return {"payload": payload, "records_per_batch": records_per_batch, "batches": COMPARE_BATCHES, "value_bytes": VALUE_BYTES,
            "uncompressed_bytes": plain, "rows": rows,
            "cpu_note": "Compress time is wall time measured on this server for these batches (the best of 5 passes), outside the simulation; "
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
        TextSetting("text", Scope.CREATION, "text", max_bytes=RUN_TEXT_BYTES),
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
