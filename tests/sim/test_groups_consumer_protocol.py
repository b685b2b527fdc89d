"""The KIP-848 consumer group protocol (group.protocol=consumer), coordinator and client.

Two kinds of test: the coordinator driven by hand (a raw ConsumerGroupHeartbeat client that says
exactly what each heartbeat carries, as Kafka's GroupMetadataManagerTest does), and whole runs
of consumer groups with faults. Expected assignments come from calling the server-side
assignors directly (app/sim/coordinator/assignors.py).
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from app.sim import Scenario, SpecError, parse_spec, run_scenario
from app.sim.coordinator import range_assign, uniform_assign
from app.sim.coordinator.consumer_group import ConsumerGroup
from app.sim.coordinator.consumer_group_state import RECORD_KINDS, ConsumerGroupData
from app.sim.errors import Errors
from app.sim.network_client import ClientRequest, NetworkClient, Purpose
from app.sim.partition import TopicPartition

GROUP = "billing"
HEARTBEAT_MS = 5000  # group.consumer.heartbeat.interval.ms


# -- the coordinator, driven by hand ------------------------------------------------------------------
class RawMember:
    """A ConsumerGroupHeartbeat client whose every field the test chooses."""

    def __init__(self, sc: Scenario, member_id: str, instance_id: str | None = None) -> None:
        self.sc = sc
        self.node = f"raw-{member_id}"
        self.member_id = member_id
        self.instance_id = instance_id
        sc.cluster.connect(self)
        self.net = NetworkClient(sc.cluster, self.node, 30000)
        self.answers: list[dict[str, Any]] = []

    def on_broker_down(self, broker: int) -> None:
        self.net.on_broker_down(broker)

    def _answered(self, req: ClientRequest, answer: dict[str, Any]) -> None:
        self.answers.append(answer)

    def _call(self, api: str, payload: dict[str, Any]) -> dict[str, Any]:
        node, error = self.sc.cluster.brokers[0].apis.coordinator.find(GROUP)
        assert error is Errors.NONE
        before = len(self.answers)
        self.net.send(api, node, payload, 100, self._answered, Purpose.COORDINATOR)
        while len(self.answers) == before:
            assert self.sc.step()
        return self.answers[-1]

    def heartbeat(self, epoch: int, owned: list[tuple[str, list[int]]] | None = None, *, join: bool = False,
                  timeout: int = 5000, assignor: str | None = None, member_id: str | None = None) -> dict[str, Any]:
        payload = {"group": GROUP, "member": self.member_id if member_id is None else member_id, "member_epoch": epoch,
                   "instance_id": self.instance_id, "client_id": self.node,
                   "rebalance_timeout_ms": timeout if join else -1, "topics": ["orders"] if join else None,
                   "server_assignor": assignor, "owned": [] if join else owned}
        return self._call("consumer_group_heartbeat", payload)

    def commit(self, epoch: int, member_id: str | None = None) -> Errors:
        payload = {"group": GROUP, "member": self.member_id if member_id is None else member_id, "generation": epoch,
                   "offsets": {TopicPartition("orders", 0): 5}}
        return self._call("offset_commit", payload)["error"]


def _raw_scenario(**cluster: Any) -> tuple[Scenario, str]:
    spec = {"kafka_version": "4.0", "cluster": {"brokers": 3, "offsets.topic.num.partitions": 1, **cluster},
            "topics": [{"name": "orders", "partitions": 6, "replication.factor": 3}], "producers": [],
            "duration_ms": 120000}
    sc = Scenario(spec, seed=3)
    return sc, sc.cluster.controller.topics["orders"].topic_id


def _group(sc: Scenario) -> ConsumerGroup:
    coordinator = sc.cluster.brokers[sc.cluster.brokers[0].apis.coordinator.find(GROUP)[0]].apis.coordinator
    group = coordinator.group(GROUP)
    assert isinstance(group, ConsumerGroup)
    return group


def _parts(answer: dict[str, Any], topic_id: str) -> list[int] | None:
    if answer["assignment"] is None:
        return None
    return [p for t, ps in answer["assignment"] for p in ps if t == topic_id]


def test_a_revoking_member_keeps_its_epoch_and_the_new_one_waits_for_the_partitions() -> None:
    """CurrentAssignmentBuilder: revoke first (UNREVOKED_PARTITIONS), then assign what was released."""
    sc, t = _raw_scenario()
    a, b = RawMember(sc, "A"), RawMember(sc, "B")
    first = uniform_assign({"A": [t]}, {t: 6})
    joined = a.heartbeat(0, join=True)
    assert (joined["error"], joined["member_epoch"], _parts(joined, t)) == (Errors.NONE, 1, first["A"][t])
    assert joined["heartbeat_interval_ms"] == HEARTBEAT_MS

    second = uniform_assign({"A": [t], "B": [t]}, {t: 6}, first)
    b_joined = b.heartbeat(0, join=True)
    assert (b_joined["member_epoch"], _parts(b_joined, t)) == (2, [])  # everything still A's
    revoke = a.heartbeat(1, [(t, first["A"][t])])
    assert (revoke["member_epoch"], _parts(revoke, t)) == (1, second["A"][t])  # A stays in epoch 1
    assert _group(sc).members["A"].state.name == "UNREVOKED_PARTITIONS"
    still = a.heartbeat(1, None)  # no owned partitions reported: not revoked yet
    assert (still["member_epoch"], still["assignment"]) == (1, None)
    acked = a.heartbeat(1, [(t, second["A"][t])])
    assert (acked["member_epoch"], acked["assignment"]) == (2, None)
    released = b.heartbeat(2, [])
    assert (released["member_epoch"], _parts(released, t)) == (2, second["B"][t])

    described = _group(sc).describe()
    assert (described["state"], described["generation"], described["assignment_epoch"]) == ("Stable", 2, 2)
    stable = [e for e in sc.trace.events if e["kind"] == "group.stable"]
    assert [(e["generation"], e["assignor"]) for e in stable] == [(1, "uniform"), (2, "uniform")]
    assert stable[-1]["assignment"] == {"A": [["orders", p] for p in second["A"][t]],
                                        "B": [["orders", p] for p in second["B"][t]]}


def test_a_member_that_does_not_revoke_within_its_rebalance_timeout_is_fenced() -> None:
    sc, t = _raw_scenario()
    a, b = RawMember(sc, "A"), RawMember(sc, "B")
    a.heartbeat(0, join=True, timeout=3000)
    b.heartbeat(0, join=True)
    a.heartbeat(1, [(t, list(range(6)))])  # told to revoke three; the rebalance timeout starts here
    told = sc.now
    while sc.now + 1000 < told + 3000:  # A goes on heartbeating (its session stays alive) but keeps everything
        sc.run(sc.now + 1000)
        assert a.heartbeat(1, [(t, list(range(6)))])["error"] is Errors.NONE
    sc.run(told + 3100)
    expired = [e for e in sc.trace.events if e["kind"] == "group.member_expired"]
    assert [(e["member"], e["reason"], e["rebalance_timeout_ms"]) for e in expired] == [("A", "rebalance timeout", 3000)]
    assert told + 3000 - 5 < expired[0]["t"] <= told + 3000  # scheduled when the heartbeat was handled
    fenced = a.heartbeat(1, [(t, list(range(6)))])
    assert (fenced["error"], fenced["message"]) == (Errors.UNKNOWN_MEMBER_ID, "Member A is not a member of group billing.")
    everything = b.heartbeat(2, [])
    assert (everything["member_epoch"], _parts(everything, t)) == (3, list(range(6)))


def test_member_epochs_are_checked_as_the_coordinator_does() -> None:
    sc, t = _raw_scenario()
    a, b = RawMember(sc, "A"), RawMember(sc, "B")
    a.heartbeat(0, join=True)
    b.heartbeat(0, join=True)
    a.heartbeat(1, [(t, list(range(6)))])
    mine = uniform_assign({"A": [t], "B": [t]}, {t: 6}, {"A": {t: list(range(6))}})["A"][t]
    a.heartbeat(1, [(t, mine)])  # now at epoch 2, previous epoch 1
    # The answer that moved A to epoch 2 may have been lost: the previous epoch passes if A owns no more than it should.
    assert a.heartbeat(1, [(t, mine)])["error"] is Errors.NONE
    stale = a.heartbeat(1, [(t, list(range(6)))])
    assert (stale["error"], stale["message"]) == (
        Errors.FENCED_MEMBER_EPOCH, "The consumer group member has a smaller member epoch (1) than the one known by "
        "the group coordinator (2). The member must abandon all its partitions and rejoin.")
    ahead = a.heartbeat(7, None)
    assert (ahead["error"], ahead["message"]) == (
        Errors.FENCED_MEMBER_EPOCH, "The consumer group member has a greater member epoch (7) than the one known by "
        "the group coordinator (2). The member must abandon all its partitions and rejoin.")
    assert RawMember(sc, "C").heartbeat(3, None)["error"] is Errors.UNKNOWN_MEMBER_ID


@pytest.mark.parametrize("payload, error, message", [
    ({"member": ""}, Errors.INVALID_REQUEST, "MemberId can't be empty."),
    ({"rebalance_timeout_ms": -1}, Errors.INVALID_REQUEST, "RebalanceTimeoutMs must be provided in first request."),
    ({"owned": [("x", [0])]}, Errors.INVALID_REQUEST, "TopicPartitions must be empty when (re-)joining."),
    ({"topics": None}, Errors.INVALID_REQUEST,
     "Either SubscribedTopicNames or SubscribedTopicRegex must be non-null when (re-)joining."),
    ({"member_epoch": -3}, Errors.INVALID_REQUEST, "MemberEpoch is invalid."),
    ({"member_epoch": 4}, Errors.GROUP_ID_NOT_FOUND, "Consumer group billing not found."),
    ({"server_assignor": "sticky"}, Errors.UNSUPPORTED_ASSIGNOR,
     "ServerAssignor sticky is not supported. Supported assignors: uniform, range."),
])
def test_bad_heartbeats_are_refused_with_kafkas_errors(payload: dict[str, Any], error: Errors, message: str) -> None:
    sc, _ = _raw_scenario()
    raw = RawMember(sc, "A")
    request = {"group": GROUP, "member": "A", "member_epoch": 0, "instance_id": None, "client_id": "raw",
               "rebalance_timeout_ms": 5000, "topics": ["orders"], "server_assignor": None, "owned": [], **payload}
    answer = raw._call("consumer_group_heartbeat", request)
    assert (answer["error"], answer["message"]) == (error, message)
    assert _group_or_none(sc) is None  # a refused join creates no group


def _group_or_none(sc: Scenario) -> Any:
    coordinator = sc.cluster.brokers[sc.cluster.brokers[0].apis.coordinator.find(GROUP)[0]].apis.coordinator
    return coordinator.group(GROUP)


def test_the_range_assignor_when_members_ask_for_it() -> None:
    sc, t = _raw_scenario()
    a, b = RawMember(sc, "A"), RawMember(sc, "B")
    a.heartbeat(0, join=True, assignor="range")
    b.heartbeat(0, join=True, assignor="range")
    expected = range_assign({"A": [t], "B": [t]}, {t: 6})
    assert {m: sorted(a_[t]) for m, a_ in _group(sc).target_assignment.items()} == {m: x[t] for m, x in expected.items()}
    assert _group(sc).describe()["assignor"] == "range"


def test_offset_commits_carry_the_member_epoch() -> None:
    """ConsumerGroup.validateOffsetCommit: STALE_MEMBER_EPOCH for any epoch but the member's own."""
    sc, t = _raw_scenario()
    a = RawMember(sc, "A")
    assert a.commit(-1, member_id="") is Errors.NONE  # an empty group takes commits from outside it
    a.heartbeat(0, join=True)
    b = RawMember(sc, "B")
    b.heartbeat(0, join=True)
    a.heartbeat(1, [(t, list(range(6)))])
    assert a.commit(1) is Errors.NONE  # A is still in epoch 1 while it revokes
    a.heartbeat(1, [(t, [p for p in range(6) if p in _group(sc).members["A"].assigned[t]])])
    assert _group(sc).members["A"].member_epoch == 2
    assert (a.commit(1), a.commit(2), a.commit(3)) == (Errors.STALE_MEMBER_EPOCH, Errors.NONE, Errors.STALE_MEMBER_EPOCH)
    assert a.commit(-1, member_id="") is Errors.UNKNOWN_MEMBER_ID
    assert a.commit(2, member_id="Z") is Errors.UNKNOWN_MEMBER_ID


def test_a_static_member_leaves_for_a_while_and_comes_back_under_a_new_member_id() -> None:
    sc, t = _raw_scenario()
    s, other = RawMember(sc, "S1", instance_id="s"), RawMember(sc, "B")
    s.heartbeat(0, join=True)
    other.heartbeat(0, join=True)
    s.heartbeat(1, [(t, list(range(6)))])
    mine = sorted(_group(sc).members["S1"].assigned[t])
    s.heartbeat(1, [(t, mine)])
    other.heartbeat(2, [])
    assert _group(sc).describe()["state"] == "Stable"
    restarted = RawMember(sc, "S2", instance_id="s")
    refused = restarted.heartbeat(0, join=True)
    assert (refused["error"], refused["message"]) == (
        Errors.UNRELEASED_INSTANCE_ID, "Static member S2 with instance id s cannot join the group because the instance "
        "id is owned by S1 member.")
    left = s.heartbeat(-2, None)
    assert (left["error"], left["member_epoch"]) == (Errors.NONE, -2)
    assert _group(sc).group_epoch == 2  # the partitions wait for it: no rebalance
    back = restarted.heartbeat(0, join=True)
    assert (back["error"], back["member_epoch"], _parts(back, t)) == (Errors.NONE, 2, mine)
    assert _group(sc).group_epoch == 2 and set(_group(sc).members) == {"S2", "B"}
    gone = s.heartbeat(2, None)
    assert (gone["error"], gone["message"]) == (Errors.FENCED_INSTANCE_ID,
                                                "Static member S1 with instance id s was fenced by member S2.")


def test_a_static_member_that_does_not_come_back_is_removed_after_the_session_timeout() -> None:
    sc, t = _raw_scenario(**{"group.consumer.session.timeout.ms": 8000, "group.consumer.min.session.timeout.ms": 6000})
    s, other = RawMember(sc, "S1", instance_id="s"), RawMember(sc, "B")
    s.heartbeat(0, join=True)
    last = sc.now
    other.heartbeat(0, join=True)
    s.heartbeat(-2, None)  # leaving does not restart the session timer
    sc.run(last + 4000)
    other.heartbeat(2, [])
    sc.run(last + 8100)
    expired = [e for e in sc.trace.events if e["kind"] == "group.member_expired"]
    assert [(e["member"], e["reason"]) for e in expired] == [("S1", "session timeout")]
    assert last < expired[0]["t"] <= last + 8000
    assert _group(sc).group_epoch == 3 and set(_group(sc).members) == {"B"}


def test_the_group_read_back_from_the_log_is_the_group_in_memory() -> None:
    """The loading path replays the same records the live path replayed (ConsumerGroup.load)."""
    sc, t = _raw_scenario()
    a, b, s = RawMember(sc, "A"), RawMember(sc, "B"), RawMember(sc, "S", instance_id="s")
    a.heartbeat(0, join=True)
    b.heartbeat(0, join=True, assignor="range")
    s.heartbeat(0, join=True)
    a.heartbeat(1, [(t, list(range(6)))])  # A in UNREVOKED_PARTITIONS
    s.heartbeat(-2, None)
    live = _group(sc)
    assert live.members["A"].state.name == "UNREVOKED_PARTITIONS" and live.members["S"].member_epoch == -2
    coordinator = live.coordinator
    log = coordinator.broker.replicas[coordinator.partition_for(GROUP)].log
    records = [(k, v) for e in log.entries for k, v in e.kv or () if k[0] in RECORD_KINDS and k[1] == GROUP]
    assert records and {k[0] for k, _ in records} == RECORD_KINDS
    loaded = ConsumerGroupData(GROUP)
    for key, value in records:
        loaded.replay(key, value)
    for attr in ("group_epoch", "assignment_epoch", "members", "static_members", "target_assignment",
                 "subscription_metadata", "partition_epochs", "server_assignors", "subscribed_topic_names"):
        assert getattr(loaded, attr) == getattr(live, attr), attr


# -- whole runs -------------------------------------------------------------------------------------
def _spec(group: dict[str, Any] | None = None, faults: list[dict[str, Any]] | None = None, *, duration: float = 30000,
          rate: int = 200, cluster: dict[str, Any] | None = None) -> dict[str, Any]:
    """Three brokers, a 6-partition topic, a producer, and a 3-member group on the consumer protocol; the
    broker's session timeout is 10 s (its minimum lowered to allow it)."""
    return {"kafka_version": "4.0",
            "cluster": {"brokers": 3, "racks": ["az-a", "az-b", "az-c"], "offsets.topic.num.partitions": 3,
                        "group.consumer.session.timeout.ms": 10000, "group.consumer.min.session.timeout.ms": 6000,
                        **(cluster or {})},
            "topics": [{"name": "orders", "partitions": 6, "replication.factor": 3, "min.insync.replicas": 2}],
            "producers": [{"topic": "orders", "acks": "all", "linger.ms": 5,
                           "workload": {"records_per_sec": rate, "keys": 50, "value": "json", "value_bytes": 100}}],
            "consumer_groups": [{"group.id": GROUP, "topics": ["orders"], "members": 3, "process_ms": 0.2,
                                 "group.protocol": "consumer", "auto.offset.reset": "earliest", **(group or {})}],
            "faults": faults or [], "duration_ms": duration, "trace": {"records": False}}


def _run(spec: dict[str, Any], seed: int = 1) -> Scenario:
    sc = Scenario(spec, seed=seed)
    sc.run_to_end()
    return sc


def _events(sc: Scenario, kind: str, **match: Any) -> list[dict[str, Any]]:
    return [e for e in sc.trace.events if e["kind"] == kind and all(e.get(k) == v for k, v in match.items())]


def _member_ids(sc: Scenario) -> dict[str, str]:
    """member id -> the consumer's name, for every consumer the run started."""
    return {c.membership.member_id: name for name, c in sc.groups.members.items()}


def _names(sc: Scenario, assignment: dict[str, dict[str, list[int]]]) -> dict[str, list[list[Any]]]:
    ids = _member_ids(sc)
    return {ids[m]: [["orders", p] for ps in a.values() for p in ps] for m, a in assignment.items()}


@pytest.fixture(scope="module")
def three() -> Scenario:
    return _run(_spec(duration=20000))


def test_three_members_share_six_partitions_as_uniform_assign_does(three: Scenario) -> None:
    sc = three
    t = sc.cluster.controller.topics["orders"].topic_id
    joined = [e["reason"].split()[1] for e in _events(sc, "group.rebalancing")]
    assert len(joined) == 3 and set(joined) == set(_member_ids(sc))
    # The coordinator ran the assignor once per join, each time from the target before (it is sticky).
    target: dict[str, dict[str, list[int]]] = {}
    for n in range(1, 4):
        target = uniform_assign({m: [t] for m in joined[:n]}, {t: 6}, target)
    result = sc.result().groups[GROUP]
    assert result["assignment"] == dict(sorted(_names(sc, target).items()))
    assert sorted(len(parts) for parts in result["assignment"].values()) == [2, 2, 2]
    assert result["generation"] == 3 == _group(sc).group_epoch
    stable = _events(sc, "group.stable")
    assert [r["generation"] for r in result["rebalances"]] == [e["generation"] for e in stable]
    assert result["rebalances"][-1] == {"t": stable[-1]["t"], "generation": 3, "protocol": "consumer", "assignor": "uniform"}
    assert result["consumed"] == sc.result().ledger["acked"] and result["redelivered"] == result["missed"] == 0
    assert {str(TopicPartition("orders", p)) for p in range(6)} == set(result["committed"])
    assert not _events(sc, "consumer.commit_failed")


def _longest_gaps(sc: Scenario, start: float, end: float) -> dict[str, float]:
    """Per member, the longest time between two consumer.polled events from ``start`` to ``end``."""
    polls: dict[str, list[float]] = {}
    for e in _events(sc, "consumer.polled"):
        if start <= e["t"] <= end:
            polls.setdefault(e["member"], []).append(e["t"])
    return {m: max(b - a for a, b in zip(ts, ts[1:])) for m, ts in sorted(polls.items()) if len(ts) > 1}


def _partition_pauses(sc: Scenario, start: float, end: float) -> dict[int, float]:
    """Per partition, the longest time in which no member polled a record of it."""
    last: dict[int, float] = {}
    pause: dict[int, float] = {}
    for e in _events(sc, "consumer.polled"):
        if start <= e["t"] <= end:
            for _, p, _, _ in e["offsets"]:
                if p in last:
                    pause[p] = max(pause.get(p, 0.0), e["t"] - last[p])
                last[p] = e["t"]
    return pause


LATENCY_MS = 20.0  # one way: a round trip (40 ms) is then clearly longer than the gaps between records


def _adding(protocol: str) -> Scenario:
    group = {"group.protocol": protocol}
    cluster: dict[str, Any] = {"latency_ms": LATENCY_MS}
    if protocol == "classic":
        group["partition.assignment.strategy"] = "range"  # eager
        cluster = {"latency_ms": LATENCY_MS}
    spec = _spec(group, [{"at_ms": 12000, "add_consumer": GROUP}], duration=25000, rate=600, cluster=cluster)
    if protocol == "classic":
        for key in ("group.consumer.session.timeout.ms", "group.consumer.min.session.timeout.ms"):
            del spec["cluster"][key]
    return _run(spec)


def test_a_new_member_stops_only_the_partitions_that_move_while_eager_stops_everyone() -> None:
    rtt = 2 * LATENCY_MS
    old = ["billing-0", "billing-1", "billing-2"]
    kip848, eager = _adding("consumer"), _adding("classic")
    for sc in (kip848, eager):
        quiet = _longest_gaps(sc, 8000, 11000)
        assert set(old) <= set(quiet) and max(quiet.values()) <= 2 * rtt  # records flow every round trip or so

    # KIP-848: the members that give partitions up keep consuming the others; nobody stops.
    around = _longest_gaps(kip848, 12000, 22000)
    assert all(around[m] <= 2.5 * rtt for m in old), around
    revoked = [e for e in _events(kip848, "consumer.revoked") if e["t"] > 12000]
    moved = sorted(p for e in revoked for _, p in e["partitions"])
    new_member = _events(kip848, "consumer.assigned", member="billing-3")
    assert moved == sorted(p for _, p in new_member[-1]["assignment"]) and len(moved) == 2
    assert all(e["member"] in old and len(e["partitions"]) == 1 for e in revoked)  # one each, from two members
    pauses = _partition_pauses(kip848, 12000, 22000)
    assert all(pauses[p] <= 2.5 * rtt + 100 for p in range(6) if p not in moved), pauses
    # A moved partition waits for its new owner's next heartbeat (every 5 s): seconds, not round trips.
    for p in moved:
        gone = next(e["t"] for e in revoked if ["orders", p] in e["partitions"])
        assert 5 * rtt < pauses[p] <= HEARTBEAT_MS + 10 * rtt and new_member[-1]["t"] > gone

    # Eager (range): every member revokes everything and waits for the whole group: all stop.
    around = _longest_gaps(eager, 12000, 22000)
    assert all(around[m] > 5 * rtt for m in old), around
    for m in old:
        revoked_all = [e for e in _events(eager, "consumer.revoked", member=m) if e["t"] > 12000]
        assert len(revoked_all) == 1 and len(revoked_all[0]["partitions"]) == 2
    assert kip848.result().groups[GROUP]["consumed"] == kip848.result().ledger["acked"]


def test_a_killed_member_is_fenced_after_the_session_timeout_and_its_partitions_move() -> None:
    sc = _run(_spec(faults=[{"at_ms": 12000, "kill_consumer": "billing-1"}], duration=30000))
    killed = sc.groups.members["billing-1"].membership.member_id
    expired = _events(sc, "group.member_expired")
    assert [(e["member"], e["reason"], e["session_timeout_ms"]) for e in expired] == [(killed, "session timeout", 10000)]
    # The session runs from the member's last heartbeat, at most one heartbeat interval before the kill.
    assert 12000 + 10000 - HEARTBEAT_MS < expired[0]["t"] <= 12000 + 10000
    bump = _events(sc, "group.rebalancing")[-1]
    assert (bump["t"], bump["generation"]) == (expired[0]["t"], 4)
    taken = {p for e in _events(sc, "consumer.assigned") if e["t"] > expired[0]["t"] for _, p in e["partitions"]}
    result = sc.result().groups[GROUP]
    before = {p for e in _events(sc, "consumer.assigned", member="billing-1") for _, p in e["partitions"]}
    assert taken == before and "billing-1" not in result["assignment"]
    assert sorted(len(a) for a in result["assignment"].values()) == [3, 3]
    assert result["generation"] == 4 and result["rebalances"][-1]["generation"] == 4
    # Auto-commit: what billing-1 processed after its last commit is processed again by the new owners.
    assert result["consumed"] == sc.result().ledger["acked"] and result["redelivered"] > 0 and result["missed"] == 0


def test_a_static_member_restarted_within_the_session_timeout_keeps_its_partitions_without_a_rebalance() -> None:
    sc = _run(_spec({"static": True}, [{"at_ms": 12000, "close_consumer": "billing-1"},
                                       {"at_ms": 15000, "restart_consumer": "billing-1"}], duration=25000))
    assigned = _events(sc, "consumer.assigned", member="billing-1")
    assert len(assigned) == 2 and assigned[0]["assignment"] == assigned[1]["assignment"]
    assert assigned[0]["generation"] == assigned[1]["generation"] == 3  # same epoch: Kafka bumps nothing
    assert [e for e in _events(sc, "group.rebalancing") if e["t"] > 12000] == []
    result = sc.result().groups[GROUP]
    assert result["generation"] == 3 and [r["generation"] for r in result["rebalances"]] == [1, 3]
    assert result["consumed"] == sc.result().ledger["acked"] and result["redelivered"] == 0


def test_a_static_member_restarted_after_a_crash_is_refused_until_its_session_expires() -> None:
    """Kafka 4.0: the crashed instance never sent epoch -2, so its id is not released (UNRELEASED_INSTANCE_ID,
    fatal for the new consumer); the group moves its partitions once the old session expires."""
    sc = _run(_spec({"static": True}, [{"at_ms": 12000, "kill_consumer": "billing-1"},
                                       {"at_ms": 15000, "restart_consumer": "billing-1"}], duration=30000))
    failed = _events(sc, "consumer.failed", member="billing-1")
    assert len(failed) == 1 and failed[0]["error"] == "UNRELEASED_INSTANCE_ID" and 15000 < failed[0]["t"] < 15100
    expired = _events(sc, "group.member_expired")
    assert len(expired) == 1 and 17000 < expired[0]["t"] <= 22000
    result = sc.result().groups[GROUP]
    assert sorted(result["assignment"]) == ["billing-0", "billing-2"] and result["generation"] == 4


def test_the_group_goes_on_when_its_coordinator_dies() -> None:
    from app.sim.faults import inject

    spec = _spec(duration=35000, cluster={"broker.session.timeout.ms": 3000, "broker.heartbeat.interval.ms": 1000})
    sc = Scenario(spec, seed=1)
    sc.run(12000)
    before = _group(sc)
    old = before.broker.broker_id
    described = before.describe()
    inject(sc, "kill_broker", old)
    sc.run_to_end()
    after = _group(sc)
    assert after.broker.broker_id != old and after is not before
    assert after.describe() == described  # loaded from the log: same epoch, members, assignment
    lost = _events(sc, "consumer.coordinator_lost")
    assert sorted(e["client"] for e in lost) == sorted(c.client_id for c in sc.groups.members.values())
    assert [e for e in _events(sc, "group.rebalancing") if e["t"] > 12000] == []
    assert not _events(sc, "group.member_expired") and not _events(sc, "consumer.reset")
    result = sc.result().groups[GROUP]
    assert result["generation"] == 3 and result["consumed"] == sc.result().ledger["acked"]


def test_same_seed_same_trace_even_in_another_process() -> None:
    """Byte for byte, also under another PYTHONHASHSEED: nothing may follow the order of a set of strings."""
    spec = _spec(faults=[{"at_ms": 9000, "add_consumer": GROUP}, {"at_ms": 14000, "kill_consumer": "billing-0"}],
                 duration=25000)
    first = run_scenario(spec, seed=5)
    assert first.groups[GROUP]["generation"] == 5
    code = ("import hashlib, json, sys; from app.sim import run_scenario; "
            "r = run_scenario(json.loads(sys.stdin.read()), seed=5); "
            "print(hashlib.sha256(r.trace_json().encode()).hexdigest())")
    other = subprocess.run([sys.executable, "-c", code], input=json.dumps(spec), capture_output=True, text=True,
                           check=True, env={**os.environ, "PYTHONHASHSEED": "12345"},
                           cwd=Path(__file__).resolve().parents[2])
    assert other.stdout.strip() == hashlib.sha256(first.trace_json().encode()).hexdigest()


@pytest.mark.parametrize("version, why", [
    ("2.8", "Not a consumer config in Kafka 2.8; it exists in 3.x, 4.0"),  # group.protocol came with 3.7
    ("3.x", "the consumer protocol \\(KIP-848\\) is generally available from Kafka 4.0"),
])
def test_the_consumer_protocol_is_refused_before_4_0(version: str, why: str) -> None:
    spec = {**_spec(), "kafka_version": version}
    spec["cluster"] = {"brokers": 3}
    with pytest.raises(SpecError, match=rf"^consumer_groups\[0\]\.group\.protocol: Invalid value consumer .*{why}"):
        parse_spec(spec)


def test_classic_only_configs_are_refused_with_the_consumer_protocol() -> None:
    with pytest.raises(SpecError, match=r"session\.timeout\.ms cannot be set when group\.protocol=CONSUMER"):
        parse_spec(_spec({"session.timeout.ms": 10000}))
    spec = _spec()
    del spec["cluster"]["group.consumer.min.session.timeout.ms"]
    with pytest.raises(SpecError, match=r"group\.consumer\.session\.timeout\.ms must be greater than or equal to "
                                         r"group\.consumer\.min\.session\.timeout\.ms \(45000\)"):
        parse_spec(spec)


def test_a_write_that_fails_leaves_the_group_as_the_log_has_it() -> None:
    """The coordinator runtime reverts to what is committed when a write fails; the member hears
    COORDINATOR_NOT_AVAILABLE (GroupCoordinatorService.handleOperationException)."""
    from app.sim.faults import inject

    sc, t = _raw_scenario()
    a, b = RawMember(sc, "A"), RawMember(sc, "B")
    a.heartbeat(0, join=True)
    before = _group(sc)
    sc.cluster.controller.topic_configs["__consumer_offsets"]["min.insync.replicas"] = 3
    inject(sc, "kill_broker", next(x for x in range(3) if x != before.broker.broker_id))
    sc.run(sc.now + 15000)  # the follower is out of the ISR: writes are refused
    refused = b.heartbeat(0, join=True)
    assert (refused["error"], refused["member"], refused["member_epoch"]) == (Errors.COORDINATOR_NOT_AVAILABLE, None, 0)
    after = _group(sc)
    assert (after.group_epoch, sorted(after.members), after.describe()["state"]) == (1, ["A"], "Stable")
    assert a.heartbeat(1, [(t, list(range(6)))])["error"] is Errors.NONE  # A goes on as before


def test_a_member_whose_application_stops_polling_leaves_and_joins_again_at_its_next_poll() -> None:
    """max.poll.interval.ms: the background thread sends the leave heartbeat, the partitions are lost, and the
    member joins again (epoch 0) when the application polls again."""
    sc = _run(_spec({"max.poll.interval.ms": 2000, "process_ms": 8, "max.poll.records": 400}, duration=9000, rate=400))
    timeout = _events(sc, "consumer.poll_timeout")[0]
    member = timeout["member"]
    last_poll = max(e["t"] for e in _events(sc, "consumer.polled", member=member) if e["t"] < timeout["t"])
    assert timeout["t"] == pytest.approx(last_poll + 2000, abs=1e-3)
    lost = _events(sc, "consumer.lost", member=member)[0]
    assert lost["t"] == timeout["t"] and lost["partitions"]
    left = next(e for e in _events(sc, "group.rebalancing") if e["t"] > timeout["t"])
    member_id = sc.groups.members[member].membership.member_id
    assert left["reason"] == f"member {member_id} left the group"
    back = next(e for e in _events(sc, "group.rebalancing") if e["t"] > left["t"])
    assert back["reason"] == f"member {member_id} joined the group"  # the same member id (KIP-1082)
    rejoin = next(e for e in _events(sc, "consumer.joining", member=member) if e["t"] > timeout["t"])
    first_poll_after = min(e["t"] for e in _events(sc, "consumer.polled", member=member) if e["t"] > timeout["t"])
    assert rejoin["t"] <= first_poll_after  # its application was still processing the batch it had
