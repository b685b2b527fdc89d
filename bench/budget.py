"""Where part 2's time budget goes: the least work a faithful run must do, measured in CPython.

Part 2 of issue 3 asks for a run (1 KB JSON at 50,000 records/s for 10 simulated seconds,
lz4, 3 brokers, RF 3, acks=all) within 2x of the codec-alone floor. That leaves one floor's
worth of time for everything but compression. This script measures, on this machine:

- the floor (bench/floor.py) and so the budget;
- the simulator's own run: wall time and how many events it ran (produce requests,
  follower fetches, acknowledgements, sender passes, workload ticks);
- the least record work in Python: the workload's values and keys, partitions from a
  dict, each tick's records encoded with C-level passes (cached key and value sections,
  one join) and checksummed, with no batching, buffer or ledger decisions at all;
- the bare event loop: the same number of events through app.sim.events with empty
  callbacks.

What is left of the budget after the last two, divided by the events, is what each event's
handler may cost. A benchmark, not a test: it prints figures and never fails.
Run: ``.venv/bin/python bench/budget.py`` (``--quick`` for a tenth of the run).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from itertools import chain, repeat
from operator import add
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crc32c import crc32c  # noqa: E402

from app.sim import parse_spec, partition_for_key, run_scenario  # noqa: E402
from app.sim.events import Simulation  # noqa: E402
from app.sim.payloads import make_payload_generator  # noqa: E402
from app.sim.varint import VARINTS  # noqa: E402
from bench.floor import floor_seconds  # noqa: E402
from bench.sim_throughput import FLOOR_RATE as RATE, floor_spec  # noqa: E402

# The shape of floor_spec's run: partitions, distinct keys, value size.
PARTITIONS, KEYS, VALUE_BYTES = 6, 100, 1024


def least_record_work(ticks: int, per_tick: int) -> float:
    """Seconds for the per-record work no faithful run can skip, done as cheaply as CPython allows."""
    rng = random.Random(1)
    values = make_payload_generator("json", VALUE_BYTES, rng)
    keys = [f"key-{i}".encode() for i in range(KEYS)]
    partition = {k: partition_for_key(k, PARTITIONS) for k in keys}
    key_sections = {k: VARINTS[len(k) + 1] + k for k in keys}
    value_tails: dict[bytes, bytes] = {}
    offset_deltas = VARINTS[1 : per_tick + 1]
    start = time.perf_counter()
    for _ in range(ticks):
        vals, ks = values.batch(per_tick), rng.choices(keys, k=per_tick)
        list(map(partition.__getitem__, ks))
        tails = [value_tails.get(v) or value_tails.setdefault(v, VARINTS[len(v) + 1] + v + b"\x00") for v in vals]
        sections = list(map(key_sections.__getitem__, ks))
        bodies = list(map(add, map(len, sections), map(len, tails)))
        part = b"".join(chain.from_iterable(
            zip(map(VARINTS.__getitem__, bodies), repeat(b"\x00\x00"), offset_deltas, sections, tails)))
        crc32c(part)
    return time.perf_counter() - start


def bare_events(count: int) -> float:
    """Seconds for ``count`` events with empty callbacks, each scheduling the next."""
    sim = Simulation(1)

    def tick() -> None:
        sim.after(0.1, tick)

    sim.at(0.0, tick)
    start = time.perf_counter()
    sim.run(count * 0.1 - 0.05)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    seconds = 1.0 if args.quick else 10.0
    n = int(RATE * seconds)
    spec = floor_spec(seconds)
    parse_spec(spec)
    start = time.perf_counter()
    result = run_scenario(spec, seed=1)
    sim_wall = time.perf_counter() - start
    events = result.events_run
    floor = floor_seconds(make_payload_generator("json", VALUE_BYTES, random.Random(1)).batch(n), "lz4", 16384)
    budget = floor  # within 2x of the floor: one floor for compression, one for the rest
    records = least_record_work(int(seconds * 1000), RATE // 1000)
    loop = bare_events(events)
    left = budget - records - loop
    spent = sim_wall - floor - records - loop
    print(f"{n:,} records of 1 KB JSON, {seconds:g} s simulated, lz4, acks=all, 3 brokers, RF 3, {PARTITIONS} partitions")
    print(f"  floor (lz4 alone): {floor:.3f} s; the target (2x) leaves {budget:.3f} s for everything else")
    print(f"  simulator: {sim_wall:.3f} s wall = {sim_wall / floor:.2f}x the floor; {events:,} events")
    print(f"  least record work in Python (values, keys, partitions, C-level encode, CRC): {records:.3f} s "
          f"= {records / budget:.2f} of the budget")
    print(f"  bare event loop, {events:,} empty events: {loop:.3f} s = {loop / budget:.2f} of the budget "
          f"({loop / events * 1e6:.2f} us an event)")
    if left <= 0:
        print("  nothing is left for the event handlers")
        return
    print(f"  left for the event handlers (and any batching, buffer and ledger decisions): "
          f"{left * 1e6 / events:.2f} us an event")
    print(f"  the simulator spends on those: {spent * 1e6 / events:.1f} us an event "
          f"= {spent / left:.1f}x what is left")


if __name__ == "__main__":
    main()
