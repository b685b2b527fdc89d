"""The physical floor of a simulated produce run: the codec's own time.

A simulator that compresses real batches can never run faster than the
compressor does on the same bytes.  ``floor_seconds`` measures exactly that:
the records are encoded into batch-sized v2 record sections first (outside
the timer), then only the compression of those sections is timed.  The
throughput benchmark (bench/sim_throughput.py) divides its own wall time by
this floor to show how much the rest of the simulation costs.

Run: ``.venv/bin/python bench/floor.py`` (issue 3, part 2: 500,000 records of
1 KiB JSON, i.e. 50,000 records/s for 10 simulated seconds, lz4).
"""

from __future__ import annotations

import argparse
import random
import time

from app.sim.compression import CODECS, compress
from app.sim.payloads import make_payload_generator
from app.sim.records import RECORD_BATCH_OVERHEAD, BatchBuilder

__all__ = ["record_sections", "floor_seconds"]


def record_sections(values: list[bytes], batch_size: int = 16384, timestamp: int = 0) -> list[bytes]:
    """Group null-key records into batches as an uncompressed producer would and
    return each batch's records section (the bytes a codec compresses)."""
    sections: list[bytes] = []
    builder = BatchBuilder("none", None, batch_size, timestamp, 1.0)
    for value in values:
        if not builder.has_room_for(timestamp, None, value):
            sections.append(builder.close()[RECORD_BATCH_OVERHEAD:])
            builder = BatchBuilder("none", None, batch_size, timestamp, 1.0)
        builder.append(timestamp, None, value)
    if builder.record_count:
        sections.append(builder.close()[RECORD_BATCH_OVERHEAD:])
    return sections


def floor_seconds(
    values: list[bytes], codec: str, batch_size: int = 16384, level: int | None = None, repeat: int = 3
) -> float:
    """Seconds the codec alone needs for ``values`` in ``batch_size`` batches (best of ``repeat``)."""
    sections = record_sections(values, batch_size)
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for section in sections:
            compress(codec, section, level)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=500_000)
    parser.add_argument("--value-bytes", type=int, default=1024)
    parser.add_argument("--kind", default="json")
    parser.add_argument("--codec", default="lz4", choices=CODECS)
    parser.add_argument("--batch-size", type=int, default=16384)
    parser.add_argument("--simulated-seconds", type=float, default=10.0)
    args = parser.parse_args()

    values = make_payload_generator(args.kind, args.value_bytes, random.Random(1)).batch(args.records)
    sections = record_sections(values, args.batch_size)
    seconds = floor_seconds(values, args.codec, args.batch_size)
    compressed = sum(len(compress(args.codec, s)) for s in sections)
    uncompressed = sum(len(s) for s in sections)
    print(
        f"{args.records:,} records of {args.value_bytes} B {args.kind}, {len(sections):,} batches of "
        f"<= {args.batch_size} B, codec {args.codec}"
    )
    print(f"floor: {seconds:.3f} s ({seconds / args.records * 1e6:.2f} us/record, "
          f"{args.records / seconds:,.0f} records/s)")
    print(f"floor / simulated time: {seconds / args.simulated_seconds:.3f} "
          f"({args.simulated_seconds:g} s simulated)")
    print(f"compression ratio: {compressed / uncompressed:.3f}")


if __name__ == "__main__":
    main()
