"""How fast the simulator runs, as ratios measured in one run on this machine (issue 3).

1. Against a real client: 500,000 records (100-byte JSON over 100 keys, lz4, acks=all,
   3 brokers, RF 3, 6 partitions) through the simulator, and through confluent-kafka
   (librdkafka) to its mock cluster. Ratio = simulated records per wall second / librdkafka's.
2. Against the physical floor: 1 KB JSON at 50,000 records/s for 10 simulated seconds, lz4:
   times faster than real time, peak memory, and wall time / the codec-alone floor
   (bench/floor.py).
3. The consumer side (issue 9): part 1's records read by a 3-member consumer group (classic
   protocol, range, auto-commit, __consumer_offsets as Kafka makes it: 50 partitions, RF 3).
   The same run without the group gives the producer side's cost; the difference is the
   consumer side's. Ratio = consumer CPU per record consumed / producer CPU per record
   produced (target <= 1).

A benchmark, not a test: it prints figures and never fails.
Part 2 runs first, so that the peak resident size it reports is its own. The machine's load
average is printed too: on a shared machine the ratios move with it, so part 1 also prints
CPU seconds (``time.process_time``: every thread of the process, so librdkafka's broker and
mock-cluster threads count on its side), which a loaded machine disturbs far less.
The librdkafka side produces to a 6-partition, RF 3 topic on a 3-broker mock cluster made
through librdkafka's C API (bench/mock_cluster.py), the same shape as the simulator's.
Run: ``.venv/bin/python -m bench.sim_throughput`` (``--quick`` for a tenth of the records).
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.sim import parse_spec, run_scenario  # noqa: E402
from app.sim.payloads import make_payload_generator  # noqa: E402
from bench.floor import floor_seconds  # noqa: E402
from bench.mock_cluster import MockCluster, find_librdkafka  # noqa: E402


def client_spec(records: int) -> dict:
    return {
        "kafka_version": "4.0",
        "cluster": {"brokers": 3, "racks": ["az-a", "az-b", "az-c"]},
        "topic": {"name": "bench", "partitions": 6, "replication.factor": 3, "min.insync.replicas": 2},
        "producer": {"acks": "all", "compression.type": "lz4", "linger.ms": 5},
        # As fast as a client loop would offer them: half a million a second.
        "workload": {"records_per_sec": 500_000, "keys": 100, "value": "json", "value_bytes": 100, "records": records},
        "duration_ms": records / 500,
        "settle_ms": 200,
        "trace": {"records": False},
    }


FLOOR_RATE = 50_000


def floor_spec(seconds: float) -> dict:
    """Part 2's run: 1 KB JSON at 50,000 records/s for ``seconds`` of simulated time, lz4."""
    return {
        "cluster": {"brokers": 3, "racks": ["az-a", "az-b", "az-c"]},
        "topic": {"name": "floor", "partitions": 6, "replication.factor": 3, "min.insync.replicas": 2},
        "producer": {"acks": "all", "compression.type": "lz4", "linger.ms": 5},
        "workload": {"records_per_sec": FLOOR_RATE, "keys": 100, "value": "json", "value_bytes": 1024},
        "duration_ms": seconds * 1000, "settle_ms": 200, "trace": {"records": False},
    }


def group_spec(records: int, members: int) -> dict:
    """Part 3's run: part 1's producer, started once the group (if any) has its partitions, and ``members`` consumers."""
    spec = client_spec(records)
    spec["workload"]["start_ms"] = 8000  # the group's first rebalance waits group.initial.rebalance.delay.ms (3 s) twice
    spec["duration_ms"] = 8000 + records / 500
    spec["settle_ms"] = 3000
    if members:
        spec["consumer_groups"] = [{"group.id": "bench", "topics": ["bench"], "members": members,
                                    "partition.assignment.strategy": "range", "auto.offset.reset": "earliest"}]
    return spec


def run_sim(spec: dict) -> tuple[float, float, dict]:
    """Wall and CPU seconds of one run, and its ledger."""
    return _timed(spec)[:3]


def _timed(spec: dict) -> tuple[float, float, dict, dict]:
    parse_spec(spec)  # loads the config registry once, outside the timing
    start, cpu = time.perf_counter(), time.process_time()
    result = run_scenario(spec, seed=1)
    return time.perf_counter() - start, time.process_time() - cpu, result.ledger, result.groups


def run_librdkafka(records: int) -> tuple[float, float, str] | None:
    """Wall and CPU seconds (all of the process's threads: librdkafka's and its mock brokers')
    to produce ``records`` and flush them, and which cluster took them; None without confluent-kafka."""
    try:
        from confluent_kafka import Producer
    except ImportError:
        return None
    conf = {"acks": "all", "compression.type": "lz4", "linger.ms": 5, "partitioner": "murmur2_random",
            "log_level": 0}
    lib = find_librdkafka()
    cluster = None
    if lib is not None:
        # The same topic as the simulator's: 3 brokers, 6 partitions, RF 3.
        cluster = MockCluster(lib, brokers=3)
        cluster.create_topic("bench", 6, 3)
        conf["bootstrap.servers"] = cluster.bootstrap_servers
        where = "mock cluster from C: 3 brokers, 6 partitions, RF 3"
    else:
        conf["test.mock.num.brokers"] = 3
        where = "test.mock.num.brokers=3, auto-created topic (4 partitions, RF 1): no bundled librdkafka"
    producer = Producer(conf)
    producer.list_topics("bench", timeout=10)
    rng = random.Random(1)
    values = make_payload_generator("json", 100, rng).batch(records)
    keys = [f"key-{i}".encode() for i in range(100)]
    chosen = rng.choices(keys, k=records)
    produce, poll = producer.produce, producer.poll
    start, cpu = time.perf_counter(), time.process_time()
    for key, value in zip(chosen, values):
        while True:
            try:
                produce("bench", value, key)
                break
            except BufferError:
                poll(0.001)
        poll(0)
    producer.flush(60)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    del producer
    if cluster is not None:
        cluster.close()
    return wall, cpu, where


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    scale = 10 if args.quick else 1

    rate, seconds = FLOOR_RATE, 10.0 / scale
    n = int(rate * seconds)
    spec = floor_spec(seconds)
    # Part 2 (against the floor) runs first, so the process's peak resident size is its own.
    print("Per-record trace events (record.sent/acked/failed) are switched off in both runs: "
          "trace_records=False changes what is recorded, not what happens.")
    wall, _, ledger = run_sim(spec)
    maxrss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    values = make_payload_generator("json", 1024, random.Random(1)).batch(n)
    floor = floor_seconds(values, "lz4", 16384)
    print(f"2. {n:,} records of 1 KB JSON at {rate:,}/s for {seconds:g} s simulated, lz4")
    print(f"   simulator:   {wall:.2f} s wall = {seconds / wall:.1f}x faster than real time "
          f"(acked {ledger['acked']:,})")
    print(f"   peak memory: {maxrss_mb:.0f} MB resident (getrusage maxrss, interpreter included)")
    print(f"   floor (lz4 alone on the same records): {floor:.2f} s")
    print(f"   ratio simulator / floor: {wall / floor:.2f}  (target <= 2.0)")

    records = 500_000 // scale
    sim_wall, sim_cpu, ledger = run_sim(client_spec(records))
    sim_rate = records / sim_wall
    print(f"1. {records:,} records, 100 B JSON, 100 keys, lz4, acks=all, 3 brokers, RF 3, 6 partitions")
    print(f"   simulator:   {sim_wall:.2f} s wall, {sim_rate:,.0f} simulated records/s; "
          f"{sim_cpu:.2f} s CPU, {records / sim_cpu:,.0f} records per CPU second (acked {ledger['acked']:,})")
    rdk = run_librdkafka(records)
    if rdk is None:
        print("   librdkafka:  confluent-kafka not installed")
    else:
        rdk_wall, rdk_cpu, where = rdk
        print(f"   librdkafka:  {rdk_wall:.2f} s wall, {records / rdk_wall:,.0f} records/s; "
              f"{rdk_cpu:.2f} s CPU, {records / rdk_cpu:,.0f} records per CPU second ({where})")
        print(f"   ratio simulator / librdkafka: {sim_rate / (records / rdk_wall):.2f} by wall time "
              f"(target >= 1.0), {rdk_cpu / sim_cpu:.2f} by CPU time")

    records = 200_000 // scale
    p_wall, p_cpu, p_ledger, _ = _timed(group_spec(records, 0))
    g_wall, g_cpu, g_ledger, groups = _timed(group_spec(records, 3))
    consumed = groups["bench"]["consumed"]
    produced = p_ledger["acked"]
    print(f"3. {records:,} records as in part 1, then read by a 3-member consumer group")
    print(f"   producer side alone: {p_cpu:.2f} s CPU, {produced / p_cpu:,.0f} records produced per CPU second")
    print(f"   with the group:      {g_cpu:.2f} s CPU; {consumed:,} records consumed "
          f"(redelivered {groups['bench']['redelivered']}, missed {groups['bench']['missed']})")
    consumer_cpu = g_cpu - p_cpu
    print(f"   consumer side:       {consumer_cpu:.2f} s CPU, {consumed / max(consumer_cpu, 1e-9):,.0f} records consumed "
          f"per CPU second")
    print(f"   ratio consumer / producer cost per record: {(consumer_cpu / max(consumed, 1)) / (p_cpu / produced):.2f} "
          f"(target <= 1.0)")


if __name__ == "__main__":
    main()
    print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
