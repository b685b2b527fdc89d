"""Consumer groups on the classic protocol: exact expectations, checked against the run's own events."""

from __future__ import annotations

import copy
import warnings
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.sim import Scenario, run_scenario
from app.sim.consumer.fetcher import Fetcher
from app.sim.log import LogEntry
from app.sim.partition import TopicPartition
from app.sim.topic import CONSUMER_OFFSETS

#: The spec of issue 9, as written.
ISSUE_SPEC: dict[str, Any] = {
    "kafka_version": "4.0",
    "cluster": {"brokers": 3, "racks": ["az-a", "az-b", "az-c"]},
    "topics": [{"name": "orders", "partitions": 6, "replication.factor": 3, "min.insync.replicas": 2}],
    "producers": [{"topic": "orders", "acks": "all", "linger.ms": 5,
                   "workload": {"records_per_sec": 1000, "keys": 50, "value": "json", "value_bytes": 100}}],
    "consumer_groups": [{"group.id": "billing", "topics": ["orders"], "members": 3,
                         "group.protocol": "classic", "partition.assignment.strategy": "range",
                         "enable.auto.commit": True, "process_ms": 0.2}],
    "faults": [{"at_ms": 7500, "kill_consumer": "billing-1"}],
    "duration_ms": 70000,
}


def group_spec(group: dict[str, Any] | None = None, faults: list | None = None, duration_ms: int = 30000,
               version: str = "4.0", cluster: dict[str, Any] | None = None, rate: int = 200) -> dict[str, Any]:
    """3 brokers, a 6-partition topic, one producer, a 3-member group; a small __consumer_offsets for speed."""
    return {
        "kafka_version": version,
        "cluster": {"brokers": 3, "racks": ["az-a", "az-b", "az-c"], "offsets.topic.num.partitions": 3, **(cluster or {})},
        "topics": [{"name": "orders", "partitions": 6, "replication.factor": 3}],
        "producers": [{"topic": "orders", "acks": "all", "linger.ms": 5,
                       "workload": {"records_per_sec": rate, "keys": 50, "value": "json", "value_bytes": 100}}],
        "consumer_groups": [{"group.id": "billing", "topics": ["orders"], "members": 3, "process_ms": 0.2,
                             "auto.offset.reset": "earliest", **(group or {})}],
        "faults": faults or [],
        "duration_ms": duration_ms,
        "trace": {"records": False},
    }


def events(result: Any, kind: str, **match: Any) -> list[dict[str, Any]]:
    return [e for e in result.trace if e["kind"] == kind and all(e.get(k) == v for k, v in match.items())]


def test_the_issue_spec_runs_as_written_and_the_killed_member_s_partitions_move_after_the_session_timeout():
    result = run_scenario(ISSUE_SPEC, seed=1, trace_records=False)
    g = result.groups["billing"]
    assert set(g) >= {"assignment", "generation", "rebalances", "committed", "lag", "consumed", "redelivered", "missed"}
    assert g["assignment"] == {"billing-0": [["orders", 0], ["orders", 1], ["orders", 2]],
                               "billing-2": [["orders", 3], ["orders", 4], ["orders", 5]]}
    [first, second] = g["rebalances"]
    assert (first["generation"], second["generation"]) == (1, 2)
    # 4.0: session.timeout.ms 45000. billing-1 died at 7.5 s; its coordinator last heard of it when the
    # first rebalance completed its join (it had sent no heartbeat yet), so it expired 45 s after that.
    [expired] = events(result, "group.member_expired")
    join_done = first["t"] - 1.0  # the rebalance completes when the assignment is committed, ~1 ms after the join
    assert expired["session_timeout_ms"] == 45000 and abs(expired["t"] - (join_done + 45000)) < 10
    assert second["t"] > expired["t"]
    assert g["consumed"] > 40000 and g["generation"] == 2
    assert result.ledger["acked"] == result.ledger["sent"] == 70000


@pytest.mark.parametrize(("version", "timeout"), [("2.8", 10000), ("3.x", 45000), ("4.0", 45000)])
def test_a_killed_member_is_removed_after_the_session_timeout_of_its_version(version: str, timeout: int):
    spec = group_spec(faults=[{"at_ms": 12000, "kill_consumer": "billing-1"}], duration_ms=12000 + timeout + 5000,
                      version=version, rate=50)
    result = run_scenario(spec, seed=2)
    [expired] = events(result, "group.member_expired")
    assert expired["session_timeout_ms"] == timeout
    # Heartbeats every 3 s: the last one reached the coordinator at most 3 s (plus a latency) before the kill.
    assert 12000 + timeout - 3010 <= expired["t"] <= 12000 + timeout
    assert result.groups["billing"]["assignment"] == {"billing-0": [["orders", 0], ["orders", 1], ["orders", 2]],
                                                      "billing-2": [["orders", 3], ["orders", 4], ["orders", 5]]}


def test_a_closed_member_leaves_at_once_and_its_partitions_move_within_a_heartbeat():
    spec = group_spec(faults=[{"at_ms": 12000, "close_consumer": "billing-1"}], duration_ms=20000)
    result = run_scenario(spec, seed=3)
    [rebalance] = [e for e in events(result, "group.rebalancing") if e["generation"] == 1]
    assert "LeaveGroup" in rebalance["reason"] and 12000 < rebalance["t"] < 12010
    stable = [r for r in result.groups["billing"]["rebalances"] if r["generation"] == 2]
    assert stable and stable[0]["t"] < 12000 + 3000 + 50  # the others hear of it at their next heartbeat
    assert not events(result, "group.member_expired")


def test_with_auto_commit_the_records_after_the_last_commit_are_redelivered_exactly():
    spec = group_spec(faults=[{"at_ms": 12000, "kill_consumer": "billing-1"}], duration_ms=35000,
                      group={"session.timeout.ms": 10000})
    result = run_scenario(spec, seed=4)
    victim = "billing-1"
    committed: dict[tuple[str, int], int] = {}
    for e in events(result, "consumer.committed", member=victim):
        for topic, partition, offset in e["offsets"]:
            committed[(topic, partition)] = offset
    processed = [(t, p, a, b) for e in events(result, "consumer.polled", member=victim) for t, p, a, b in e["offsets"]]
    # Every record billing-1 processed at or past the last offset it committed comes again to the new owner.
    expected = sum(max(0, b - max(a, committed.get((t, p), 0)) + 1) for t, p, a, b in processed)
    g = result.groups["billing"]
    assert expected > 0 and g["redelivered"] == expected and g["missed"] == 0
    assert g["consumed"] == result.ledger["acked"]


def _kill_mid_poll(commit: str, process_ms: float) -> tuple[float, dict[str, Any]]:
    """A time inside a poll of billing-1 with several records (from a run without the kill: the same up to it)."""
    group = {"commit": commit, "process_ms": process_ms, "session.timeout.ms": 10000}
    probe = run_scenario(group_spec(group, duration_ms=14000, rate=1500), seed=5)
    poll = next(e for e in events(probe, "consumer.polled", member="billing-1") if e["t"] > 10000 and e["records"] >= 4)
    return poll["t"] + 1.5 * process_ms, poll


@pytest.mark.parametrize("commit", ["before", "after"])
def test_a_crash_mid_poll_misses_what_was_committed_before_processing_and_redelivers_what_was_not(commit: str):
    kill, poll = _kill_mid_poll(commit, 2.0)
    spec = group_spec({"commit": commit, "process_ms": 2.0, "session.timeout.ms": 10000},
                      [{"at_ms": kill, "kill_consumer": "billing-1"}], duration_ms=30000, rate=1500)
    g = run_scenario(spec, seed=5).groups["billing"]
    done = 1  # 1.5 records' time had passed: the first record of the poll was processed
    if commit == "before":
        # The poll's offsets were committed before processing: what the crash interrupted is never processed.
        assert (g["missed"], g["redelivered"]) == (poll["records"] - done, 0)
    else:
        # Nothing of the poll was committed: the new owner processes it all again, the first record a second time.
        assert (g["missed"], g["redelivered"]) == (0, done)


def _poll_gaps(result: Any, member: str, start: float, end: float) -> float:
    times = [e["t"] for e in events(result, "consumer.polled", member=member) if start <= e["t"] <= end]
    return max((b - a for a, b in zip(times, times[1:])), default=end - start)


def test_cooperative_rebalancing_keeps_the_unaffected_partitions_consuming():
    faults = [{"at_ms": 12000, "add_consumer": "billing"}]
    coop = run_scenario(group_spec({"partition.assignment.strategy": "cooperative-sticky"}, faults, rate=600), seed=6)
    eager = run_scenario(group_spec({"partition.assignment.strategy": "range"}, faults, rate=600), seed=6)
    # Eager: every member gives up everything before rejoining; cooperative: only the one partition that moves.
    assert sum(len(e["partitions"]) for e in events(eager, "consumer.revoked")) == 6
    assert sum(len(e["partitions"]) for e in events(coop, "consumer.revoked")) == 1
    assert len(coop.groups["billing"]["rebalances"]) == 3  # the second cooperative round hands the partition over
    # Eager: no member processes anything from giving its partitions up until the new generation is stable.
    stable = next(r["t"] for r in eager.groups["billing"]["rebalances"] if r["generation"] == 2)
    for m in ("billing-0", "billing-1", "billing-2"):
        [revoked] = events(eager, "consumer.revoked", member=m)
        assert not [e for e in events(eager, "consumer.polled", member=m) if revoked["t"] <= e["t"] <= stable]
    # Cooperative: the members that keep their partitions go on polling while the group rebalances twice.
    rebalancing = next(e["t"] for e in events(coop, "group.rebalancing") if e["generation"] == 1)
    done = coop.groups["billing"]["rebalances"][-1]["t"]
    kept = [m for m in ("billing-0", "billing-1", "billing-2") if not events(coop, "consumer.revoked", member=m)]
    assert len(kept) == 2
    for m in kept:
        polls = [e["t"] for e in events(coop, "consumer.polled", member=m) if rebalancing <= e["t"] <= done]
        assert len(polls) > 10 and _poll_gaps(coop, m, rebalancing, done) < 100


def test_a_static_member_restarted_within_its_session_timeout_gets_its_partitions_without_a_rebalance():
    faults = [{"at_ms": 12000, "kill_consumer": "billing-1"}, {"at_ms": 14000, "restart_consumer": "billing-1"}]
    result = run_scenario(group_spec({"static": True}, faults), seed=7)
    g = result.groups["billing"]
    assert g["generation"] == 1 and len(g["rebalances"]) == 1
    assert g["assignment"]["billing-1"] == [["orders", 2], ["orders", 3]]
    assert not events(result, "group.rebalancing", generation=1)


def test_the_coordinator_moves_with_its_broker_and_the_group_goes_on():
    cluster = {"broker.session.timeout.ms": 2000, "broker.heartbeat.interval.ms": 500}
    probe = Scenario(group_spec(cluster=cluster), 8)
    probe.run(8000)
    partition = probe.cluster.brokers[0].apis.coordinator.partition_for("billing")
    old = probe.cluster.controller.partition(CONSUMER_OFFSETS, partition.partition).leader
    spec = group_spec(faults=[{"at_ms": 10000, "kill_broker": old}], cluster=cluster)
    sc = Scenario(spec, 8)
    result = sc.run_to_end()
    new = sc.cluster.controller.partition(CONSUMER_OFFSETS, partition.partition).leader
    assert new not in (old, -1)
    assert events(result, "consumer.coordinator_lost")
    assert [e for e in events(result, "consumer.committed") if e["t"] > 13000]  # commits reach the new coordinator
    assert sc.cluster.brokers[new].apis.coordinator.group("billing").generation == result.groups["billing"]["generation"]
    assert result.groups["billing"]["consumed"] == result.ledger["acked"]


def test_a_consumer_in_another_rack_fetches_from_its_own_rack_and_saves_cross_az_bytes():
    selector = {"replica.selector.class": "org.apache.kafka.common.replica.RackAwareReplicaSelector"}
    near = Scenario(group_spec({"racks": ["az-a", "az-b", "az-c"]}, cluster=selector), 9)
    far = Scenario(group_spec({"racks": ["az-a", "az-b", "az-c"]}), 9)
    r_near, r_far = near.run_to_end(), far.run_to_end()
    assert events(r_near, "consumer.preferred_replica") and not events(r_far, "consumer.preferred_replica")
    assert r_near.groups["billing"]["consumed"] == r_far.groups["billing"]["consumed"] == r_near.ledger["acked"]
    assert near.network.cross_rack_bytes < far.network.cross_rack_bytes


def test_the_consumer_decodes_what_kafka_python_wrote():
    with warnings.catch_warnings():
        # kafka-python 3.0 reads its protocol schemas with importlib.resources' deprecated read_text at import.
        warnings.filterwarnings("ignore", r"(read_text|open_text) is deprecated", DeprecationWarning)
        from kafka.record.default_records import DefaultRecordBatchBuilder

    builder = DefaultRecordBatchBuilder(2, 3, False, -1, -1, -1, 10**6)  # magic 2, lz4
    records = [(b"k%d" % i, b"value-%d" % i) for i in range(5)]
    for i, (k, v) in enumerate(records):
        builder.append(i, 1700000000000 + i, k, v, [])
    data = bytes(builder.build())
    sc = Scenario(group_spec(duration_ms=1), 1)
    consumer = sc.groups.member("billing-0")
    entry = LogEntry(0, 4, 0, data, [10, 11, 12, 13, 14])
    got = Fetcher(consumer)._records(TopicPartition("orders", 0), [entry], 2)
    assert [(r.offset, r.record, r.key, r.value) for r in got] == [(i, 10 + i, *records[i]) for i in range(2, 5)]


def test_the_consumer_decodes_the_producer_s_own_batches_when_the_log_keeps_them():
    sc = Scenario(group_spec(duration_ms=8000), 10, keep_log_bytes=True)
    sc.run_to_end()
    consumer = sc.groups.member("billing-0")
    keys = sc.ledger.keys
    leader = sc.cluster.controller.partition("orders", 0).leader
    log = sc.cluster.brokers[leader].replicas[TopicPartition("orders", 0)].log
    got = Fetcher(consumer)._records(TopicPartition("orders", 0), log.entries, 0)
    assert len(got) == log.log_end_offset and [r.offset for r in got] == list(range(log.log_end_offset))
    assert all(r.key == keys[r.record] and r.value.startswith(b"{") for r in got)


def test_same_seed_same_group_run():
    spec = group_spec(faults=[{"at_ms": 9000, "kill_consumer": "billing-2"}, {"at_ms": 11000, "add_consumer": "billing"}],
                      duration_ms=15000)
    a, b = run_scenario(copy.deepcopy(spec), seed=11), run_scenario(copy.deepcopy(spec), seed=11)
    assert a.trace_json() == b.trace_json() and a.groups == b.groups


class _Invariants:
    """Watches a run: no consumer reads past its partition's high watermark; commits never go back without a reset."""

    def __init__(self, sc: Scenario) -> None:
        self.sc = sc
        self.violations: list[str] = []
        self.committed: dict[tuple[str, int], int] = {}
        sc.trace.subscribe(("consumer.polled",), self.polled)
        sc.trace.subscribe(("consumer.committed",), self.commit)
        sc.trace.subscribe(("consumer.offset_reset",), self.reset)

    def polled(self, e: dict[str, Any]) -> None:
        for topic, partition, _, last in e["offsets"]:
            s = self.sc.cluster.controller.partition(topic, partition)
            hw = max(b.replicas[s.tp].log.high_watermark for b in self.sc.cluster.brokers.values() if s.tp in b.replicas)
            if last >= hw:
                self.violations.append(f"{e['member']} read {topic}-{partition} offset {last} past the high watermark {hw}")

    def commit(self, e: dict[str, Any]) -> None:
        for topic, partition, offset in e["offsets"]:
            before = self.committed.get((topic, partition), -1)
            if offset < before:
                self.violations.append(f"committed offset of {topic}-{partition} went back from {before} to {offset}")
            self.committed[(topic, partition)] = offset

    def reset(self, e: dict[str, Any]) -> None:
        self.committed.pop((e["topic"], e["partition"]), None)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(members=st.integers(1, 4), strategy=st.sampled_from(["range", "roundrobin", "sticky", "cooperative-sticky"]),
       commit=st.sampled_from(["auto", "after", "before"]), kill_at=st.integers(6000, 12000),
       broker_kill=st.booleans(), seed=st.integers(0, 50))
def test_invariants_hold_over_random_group_runs(members: int, strategy: str, commit: str, kill_at: int, broker_kill: bool,
                                               seed: int):
    faults: list[dict[str, Any]] = [{"at_ms": kill_at, "kill_consumer": "billing-0"}, {"at_ms": kill_at + 500, "add_consumer": "billing"}]
    if broker_kill:
        faults.append({"at_ms": kill_at + 1000, "kill_broker": seed % 3})
    spec = group_spec({"members": members, "partition.assignment.strategy": strategy, "commit": commit,
                       "session.timeout.ms": 6000}, faults, duration_ms=16000,
                      cluster={"broker.session.timeout.ms": 2000, "broker.heartbeat.interval.ms": 500})
    sc = Scenario(spec, seed)
    watch = _Invariants(sc)
    result = sc.run_to_end()
    assert not watch.violations, watch.violations[:3]
    g = result.groups["billing"]
    assert g["consumed"] <= result.ledger["in_log"]
    assigned = [tuple(tp) for parts in g["assignment"].values() for tp in parts]
    assert len(assigned) == len(set(assigned))  # no partition with two owners at the end


def test_retention_moves_the_log_start_offset_and_a_consumer_behind_it_resets_by_auto_offset_reset():
    # A slow group (20 ms a record, 100 records/s in) falls behind; 1 s retention in 2 KB segments deletes what it has
    # not read yet: its fetch gets OFFSET_OUT_OF_RANGE and it starts again from the earliest offset still there.
    cluster = {"log.retention.check.interval.ms": 500, "log.initial.task.delay.ms": 0}
    spec = group_spec({"members": 1, "process_ms": 20, "auto.offset.reset": "earliest"}, duration_ms=20000,
                      cluster=cluster, rate=100)
    spec["topics"][0].update({"retention.ms": 1000, "segment.bytes": 2048})
    result = run_scenario(spec, seed=12)
    resets = [e for e in events(result, "consumer.offset_reset") if e["out_of_range"]]
    deleted = events(result, "log.retention")
    assert deleted and resets and resets[0]["t"] > deleted[0]["t"]
    g = result.groups["billing"]
    assert result.ledger["deleted"] > 0 and result.ledger["lost"] == 0
    assert g["consumed"] < result.ledger["acked"]  # the deleted records were never read


def test_a_group_that_starts_after_compaction_reads_what_the_cleaner_kept_and_nothing_else():
    spec = group_spec({"members": 0}, faults=[{"at_ms": 8000, "add_consumer": "billing"}], duration_ms=12000,
                      cluster={"log.cleaner.backoff.ms": 500}, rate=400)
    spec["topics"][0].update({"cleanup.policy": "compact", "segment.bytes": 4096, "min.cleanable.dirty.ratio": 0.01})
    spec["producers"][0]["workload"]["duration_ms"] = 6000  # the keys stop changing: the log settles
    result = run_scenario(spec, seed=13)
    g = result.groups["billing"]
    assert events(result, "log.cleaned") and result.ledger["compacted"] > 0
    # Read from the earliest offset: every record still in the log, once; none of those the cleaner removed.
    assert g["consumed"] == result.ledger["in_log"] < result.ledger["acked"]
    assert g["redelivered"] == 0 and g["missed"] == 0


@pytest.mark.parametrize("protocol", ["classic", "consumer"])
def test_a_copy_of_a_running_group_run_goes_on_exactly_as_the_original(protocol: str):
    """What a lab's checkpoint relies on: copy.deepcopy of the run mid-rebalance, both copies run on the same."""
    group: dict[str, Any] = {"group.protocol": protocol, "commit": "after"}
    faults = [{"at_ms": 7000, "add_consumer": "billing"}, {"at_ms": 9000, "kill_consumer": "billing-0"}]
    spec = group_spec(group, faults, duration_ms=14000)
    if protocol == "consumer":
        spec["cluster"].update({"group.consumer.session.timeout.ms": 6000, "group.consumer.min.session.timeout.ms": 6000})
    original = Scenario(spec, 14)
    original.run(7000)
    # Step to an instant when a coordinator waits for a write to be committed (an assignment, a commit): the
    # callbacks it holds must be copied with the run, or the copy would answer through the original.
    coordinators = [b.apis.coordinator for b in original.cluster.brokers.values()]
    while not any(w for c in coordinators for w in c.waiting.values()):
        assert original.step()
    copied = copy.deepcopy(original)
    before = len(original.trace.events)
    a, b = original.run_to_end(), copied.run_to_end()
    assert a.trace[before:] == b.trace[before:] and a.groups == b.groups
