"""Brokers, logs, the controller and broker metrics, stepped by hand where it matters."""

from __future__ import annotations

from app.sim import Scenario, run_scenario
from app.sim.controller import place_replicas
from app.sim.log import Log, LogEntry
from tests.sim.conftest import small_spec


def _entry(base: int, count: int, epoch: int) -> LogEntry:
    return LogEntry(base, base + count - 1, epoch, b"x" * 10, list(range(base, base + count)))


def test_log_offsets_epochs_and_truncation():
    log = Log()
    log.append(_entry(0, 3, 0))
    log.append(_entry(3, 2, 0))
    log.append(_entry(5, 4, 1))
    assert log.log_end_offset == 9 and log.epochs == [(0, 0), (1, 5)]
    assert log.end_offset_for_epoch(0) == 5 and log.end_offset_for_epoch(1) == 9
    log.high_watermark = 7
    dropped = log.truncate_to(4)  # a batch is never split: back to its start, 3
    assert [e.base_offset for e in dropped] == [3, 5]
    assert log.log_end_offset == 3 and log.high_watermark == 3 and log.epochs == [(0, 0)]
    assert [e.base_offset for e in log.read(0, 1)] == [0]  # at least one batch


def test_rack_aware_placement_spreads_replicas_over_racks():
    racks = {0: "a", 1: "a", 2: "b", 3: "b", 4: "c", 5: "c"}
    for replicas in place_replicas(list(range(6)), racks, 12, 3, 2):
        assert len({racks[b] for b in replicas}) == 3
    leaders = [r[0] for r in place_replicas(list(range(6)), racks, 12, 3, 0)]
    assert sorted(leaders) == sorted(list(range(6)) * 2)


def test_leader_elected_from_isr_with_a_new_epoch_after_the_session_timeout():
    sc = Scenario(small_spec(workload={"records_per_sec": 100}, faults=[]), seed=1)
    s = sc.cluster.controller.partitions[0]
    old = s.leader
    sc.run(100)
    sc.cluster.kill_broker(old)
    sc.run(100 + 499)
    assert s.leader == old  # not noticed yet: broker.session.timeout.ms is 500
    sc.run(100 + 501)
    assert s.leader != old and s.leader_epoch == 1 and old not in s.isr
    elected = sc.trace.of("leader.elected")[-1]
    assert elected["previous"] == old and elected["unclean"] is False


def test_no_unclean_election_by_default_and_unclean_when_enabled():
    def run(unclean: bool):
        spec = small_spec(topic={"partitions": 1, "min.insync.replicas": 1, "unclean.leader.election.enable": unclean},
                          cluster={"replica.lag.time.max.ms": 200}, producer={"acks": 1}, workload={"records_per_sec": 100})
        sc = Scenario(spec, seed=1)
        s = sc.cluster.controller.partitions[0]
        followers = [b for b in s.replicas if b != s.leader]
        sc.run(100)
        for b in followers:
            sc.cluster.isolate(b)  # followers fall out of the ISR
        sc.run(1000)
        assert s.isr == [s.leader]
        leader = s.leader
        sc.cluster.kill_broker(leader)
        for b in followers:
            sc.cluster.heal(b)
        sc.run(2000)
        return s, leader

    s, leader = run(False)
    assert s.leader == -1 and s.isr == [leader]  # offline: KRaft keeps the last ISR member
    s, leader = run(True)
    assert s.leader not in (-1, leader)


def test_acks_0_gets_no_response_and_acks_1_does_not_wait_for_followers():
    r0 = run_scenario(small_spec(producer={"acks": 0}), seed=1)
    assert r0.ledger["acked"] == r0.ledger["sent"]
    assert not [e for e in r0.trace if e["kind"] == "ack.received"]
    r1 = run_scenario(small_spec(producer={"acks": 1}), seed=1)
    assert r1.ledger["acked"] == r1.ledger["sent"]
    for broker in r1.metrics["broker"]["brokers"].values():
        assert broker["Produce"]["RemoteTimeMs"] == 0


def test_message_too_large_against_max_message_bytes():
    spec = small_spec(topic={"max.message.bytes": 500}, workload={"value_bytes": 1000, "records_per_sec": 10},
                      duration_ms=500)
    r = run_scenario(spec, seed=1)
    assert r.ledger["failed"] == {"MESSAGE_TOO_LARGE": r.ledger["sent"]}


def test_total_time_is_the_sum_of_its_five_parts():
    r = run_scenario(small_spec(), seed=1)
    for broker in r.metrics["broker"]["brokers"].values():
        produce = broker["Produce"]
        parts = sum(produce[k] for k in ("RequestQueueTimeMs", "LocalTimeMs", "RemoteTimeMs", "ResponseQueueTimeMs",
                                          "ResponseSendTimeMs"))
        assert abs(produce["TotalTimeMs"] - parts) < 1e-3
        assert produce["RemoteTimeMs"] > 0  # acks=all waits for followers
        assert 0 < broker["RequestHandlerAvgIdlePercent"] <= 1


def test_isr_shrinks_after_replica_lag_and_expands_on_catch_up():
    spec = small_spec(cluster={"replica.lag.time.max.ms": 300, "broker.session.timeout.ms": 100000},
                      faults=[{"at_ms": 200, "isolate_broker": 2}, {"at_ms": 1200, "heal": 2}], duration_ms=2000)
    r = run_scenario(spec, seed=1)
    shrunk = [e for e in r.trace if e["kind"] == "isr.shrunk" and 2 in e["removed"]]
    expanded = [e for e in r.trace if e["kind"] == "isr.expanded" and 2 in e["added"]]
    assert shrunk and 500 <= shrunk[0]["t"] <= 700 and shrunk[0]["reason"] == "lagging"
    assert expanded and expanded[0]["t"] > 1200
    assert r.ledger["lost"] == 0 and r.metrics["broker"]["UnderReplicatedPartitions"] == 0


def test_an_answered_follower_fetch_never_times_out():
    """replica.socket.timeout.ms (30 s) runs per fetch request: a fetch that got its answer must
    not restart the fetcher 30 s later (that stalled replication, and acks=all, for
    replica.fetch.backoff.ms, 1 s, every 31.5 s)."""
    spec = small_spec(workload={"records_per_sec": 200}, duration_ms=70_000,
                      trace={"records": False, "kinds": ["replica.fetched", "ack.received"]})
    r = run_scenario(spec, seed=1)
    latencies = [e["receive_ms"] - e["send_ms"] for e in r.trace if e["kind"] == "ack.received"]
    assert latencies and max(latencies) < 100
    last: dict[tuple[int, int], float] = {}
    longest_gap = 0.0
    for e in r.trace:
        if e["kind"] == "replica.fetched":
            follower = (e["broker"], e["partition"])
            if follower in last:
                longest_gap = max(longest_gap, e["t"] - last[follower])
            last[follower] = e["t"]
    assert 0 < longest_gap < 600  # records reach every partition at least every few hundred ms



def test_a_produce_request_reaches_followers_in_one_fetch_for_all_its_partitions():
    """Kafka completes parked follower fetches after the whole produce request is appended (the
    request's action queue), so one fetch answer carries every partition the request wrote."""
    spec = small_spec(topic={"partitions": 6}, workload={"records_per_sec": 5000, "keys": 100},
                      trace={"records": False, "kinds": ["request.sent", "replica.fetched"]})
    r = run_scenario(spec, seed=1)
    fetched = {}
    for e in r.trace:
        if e["kind"] == "replica.fetched":
            fetched.setdefault((e["broker"], e["leader"], e["t"]), set()).add(e["partition"])
    multi = [s for s in r.trace if s["kind"] == "request.sent" and len({b[0] for b in s["batches"]}) > 1]
    assert multi  # requests do carry batches of two partitions led by one broker
    assert max(len(parts) for parts in fetched.values()) == 2  # ... and a fetch answer carries both


def test_an_acks_0_error_closes_the_connection_so_the_producer_finds_the_new_leader():
    """KafkaApis closes an acks=0 producer's connection after an error: its only signal to refresh
    metadata. Without that, the producer kept writing to the old leader for ever."""
    spec = small_spec(topic={"partitions": 1}, producer={"acks": "0"}, workload={"records_per_sec": 200},
                      duration_ms=8000, trace={"records": False})
    leader = run_scenario(spec, seed=1).metrics["partitions"][0]["leader"]
    spec["faults"] = [{"at_ms": 1000, "isolate_broker": leader}, {"at_ms": 3000, "heal": None}]
    r = run_scenario(spec, seed=1)
    refused = [e for e in r.trace if e["kind"] == "produce.error" and e.get("side") == "broker"]
    closed = [e for e in r.trace if e["kind"] == "request.disconnected" and "acks=0" in e["reason"]]
    assert len(refused) == 1 and closed and closed[0]["t"] > refused[0]["t"]
    moved = next(e for e in r.trace if e["kind"] == "metadata.updated" and e["t"] > closed[0]["t"])
    assert moved["leaders"] != [leader]
    assert r.metrics["partitions"][0]["logs"][str(moved["leaders"][0])]["leo"] > 0.9 * 200 * 4.5  # written after the heal


def test_offline_partitions_are_not_counted_as_under_replicated():
    """Partition.isUnderReplicated and isUnderMinIsr count only partitions with a live leader."""
    spec = small_spec(topic={"partitions": 3, "replication.factor": 2, "min.insync.replicas": 1}, producer={"acks": "1"},
                      faults=[{"at_ms": 500, "kill_broker": 0}, {"at_ms": 500, "kill_broker": 1}], duration_ms=2000)
    r = run_scenario(spec, seed=3)
    m = r.metrics["broker"]
    offline = [p for p in r.metrics["partitions"] if p["leader"] < 0]
    assert m["OfflinePartitionsCount"] == len(offline) == 1
    assert m["UnderReplicatedPartitions"] == 2  # the other two, each down to one replica


def test_a_leader_under_min_isr_refuses_before_it_checks_the_batch_size():
    """Partition.appendRecordsToLeader checks min.insync.replicas before the log validates the batch."""
    spec = small_spec(topic={"partitions": 1, "min.insync.replicas": 3, "max.message.bytes": 100},
                      faults=[{"at_ms": 300, "kill_broker": 2}], duration_ms=1500, trace={"records": False})
    r = run_scenario(spec, seed=1)
    shrunk = next(e["t"] for e in r.trace if e["kind"] == "isr.shrunk")
    errors = [(e["t"] > shrunk, e["error"]) for e in r.trace if e["kind"] == "produce.error" and e.get("side") == "broker"]
    assert (False, "MESSAGE_TOO_LARGE") in errors
    assert {err for after, err in errors if after} == {"NOT_ENOUGH_REPLICAS"}


def test_going_offline_bumps_the_leader_epoch():
    """KRaft bumps the leader epoch on every leader change, to no leader as well."""
    spec = small_spec(topic={"partitions": 1, "replication.factor": 2, "min.insync.replicas": 1}, producer={"acks": "1"},
                      duration_ms=3000)
    replicas = run_scenario(spec, seed=1).metrics["partitions"][0]["replicas"]
    spec["faults"] = [{"at_ms": 300, "kill_broker": replicas[1]}, {"at_ms": 1000, "kill_broker": replicas[0]},
                      {"at_ms": 2000, "restart_broker": replicas[0]}]
    r = run_scenario(spec, seed=1)
    offline = next(e for e in r.trace if e["kind"] == "partition.offline")
    back = next(e for e in r.trace if e["kind"] == "leader.elected" and e["t"] > offline["t"])
    assert back["epoch"] == 2  # 0 at creation, 1 going offline, 2 on the way back


def test_a_crashed_leader_not_yet_fenced_reports_nothing():
    """A dead process reports no gauges: until the controller fences it, its partitions count nowhere."""
    spec = small_spec(topic={"partitions": 1}, workload={"records_per_sec": 0}, duration_ms=3000)
    sc = Scenario(spec, seed=1)  # session 500 ms, heartbeats every 100 ms
    state = sc.cluster.controller.partitions[0]
    leader = state.leader
    follower = next(b for b in state.replicas if b != leader)
    sc.run(200)
    sc.cluster.kill_broker(follower)  # fenced at 700: out of the ISR
    sc.run(1000)
    assert sc.result().metrics["broker"]["UnderReplicatedPartitions"] == 1
    sc.cluster.kill_broker(leader)
    sc.run(1200)
    m = sc.result().metrics["broker"]
    assert (m["UnderReplicatedPartitions"], m["UnderMinIsrPartitionCount"], m["OfflinePartitionsCount"]) == (0, 0, 0)
    sc.run(1600)  # fenced at 1500: the last replica leads, alone in the ISR
    m = sc.result().metrics["broker"]
    assert (m["UnderReplicatedPartitions"], m["UnderMinIsrPartitionCount"]) == (1, 1)
